#include "core/json.h"

#include <stdint.h>

/* Most answers are short: printed straight into the arena, they need neither
 * cJSON's malloc'd buffer nor a copy of it. */
#define JSON_PRINT_GUESS 256

struct str json_print(struct arena *a, const cJSON *doc)
{
	if (doc == NULL)
		arena_exhausted(a);
	char *p = arena_alloc(a, JSON_PRINT_GUESS);
	/* (cJSON takes a non-const item but only reads it) */
	if (cJSON_PrintPreallocated((cJSON *)doc, p, JSON_PRINT_GUESS, 0))
		return (struct str){ p, strlen(p) };
	char *text = cJSON_PrintUnformatted(doc);
	if (text == NULL)
		arena_exhausted(a);
	size_t n = strlen(text);
	struct str out = { arena_strndup(a, text, n), n };
	cJSON_free(text);
	return out;
}

/* The escape of byte c as cJSON writes it after the backslash, 0 when c goes as it is. */
static char letter_escape(unsigned char c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	default: return c < 0x20 ? 'u' : 0;
	}
}

/* Bytes that need an escape are rare: runs between them are copied whole. A
 * string of n bytes takes at most 6n + 2 (every byte \u00xx); reserved at once. */
void json_append_string(struct buf *b, struct str s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = s.p != NULL ? strnlen(s.p, s.n) : 0;
	buf_reserve(b, n > (SIZE_MAX - 2) / 6 ? SIZE_MAX : 6 * n + 2);
	buf_append_byte(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		char e = letter_escape(c);
		if (e == 0)
			continue;
		buf_append(b, s.p + run, i - run);
		run = i + 1;
		char esc[6] = { '\\', e, '0', '0', hex[c >> 4], hex[c & 15] };
		buf_append(b, esc, e == 'u' ? 6 : 2);
	}
	buf_append(b, s.p + run, n - run);
	buf_append_byte(b, '"');
}

struct str json_object1(struct arena *a, const char *key, struct str value)
{
	struct buf b;
	buf_init(&b, a);
	buf_append_byte(&b, '{');
	json_append_string(&b, str_c(key));
	buf_append_byte(&b, ':');
	json_append_string(&b, value);
	buf_append_byte(&b, '}');
	return buf_str(&b);
}
