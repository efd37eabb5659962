/* Invariant checks shared by the fuzz harnesses. A failed check aborts, which
 * libFuzzer reports as a crash and saves the input, exactly like an ASan finding. */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "invariant broken at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* The first occurrence of needle in hay[0..n), or NULL (memmem is not in C11). */
static inline const char *fuzz_find(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

/* RFC 3629 UTF-8, written independently of app/urlencoding.c (code point
 * arithmetic rather than byte ranges) so the two can check each other. */
static inline bool fuzz_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned long cp;
		size_t len;
		if (p[i] < 0x80) {
			i++;
			continue;
		} else if ((p[i] & 0xE0) == 0xC0) {
			cp = p[i] & 0x1F;
			len = 2;
		} else if ((p[i] & 0xF0) == 0xE0) {
			cp = p[i] & 0x0F;
			len = 3;
		} else if ((p[i] & 0xF8) == 0xF0) {
			cp = p[i] & 0x07;
			len = 4;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		static const unsigned long min_for_len[] = { 0, 0, 0x80, 0x800, 0x10000 };
		if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

/* Statuses the service may answer with: its routes, redirects and FastAPI's errors. */
static inline bool fuzz_status_expected(int status)
{
	static const int ok[] = { 200, 307, 400, 404, 405, 413, 414, 422, 431, 500 };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (status == ok[i])
			return true;
	return false;
}

#endif
