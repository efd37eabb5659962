/* Strings with an explicit length: network input may contain any byte, NUL included. */
#ifndef APP_STR_H
#define APP_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct str {
	const char *p;
	size_t n;
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })
#define STR_NULL ((struct str){ NULL, 0 })

/* Wraps a NUL-terminated C string (NULL gives the null string). */
static inline struct str str_c(const char *s)
{
	return (struct str){ s, s ? strlen(s) : 0 };
}

static inline bool str_is_null(struct str s)
{
	return s.p == NULL;
}

/* Exact byte comparison. */
bool str_eq(struct str a, struct str b);

/* ASCII case-insensitive comparison, for header and method names. */
bool str_eq_nocase(struct str a, struct str b);

/* True if s contains byte c. */
bool str_has_byte(struct str s, char c);

/* True if s contains an ASCII control byte (below 0x20, or DEL): what no URL
 * and no echoed header may carry. */
bool str_has_control(struct str s);

#endif
