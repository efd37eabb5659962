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

/* The escape of each byte as cJSON writes it after the backslash; 0: the byte
 * goes as it is. A table: the loop below looks at every byte of every string. */
static const char escape_of[256] = {
	['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	[0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u', [0x07] = 'u',
	[0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u',
	[0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u',
	[0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
};

/* Bytes that need an escape are rare: runs between them are copied whole. A
 * string of n bytes takes at most 6n + 2 (every byte \u00xx); reserved at once.
 * The scan stops at a NUL (escape_of[0] is 0: checked apart, as the end). */
void json_append_string(struct buf *b, struct str s)
{
	static const char hex[] = "0123456789abcdef";
	if (s.p == NULL) {
		buf_append(b, "\"\"", 2);
		return;
	}
	size_t n = s.n;
	buf_reserve(b, n > (SIZE_MAX - 2) / 6 ? SIZE_MAX : 6 * n + 2);
	b->p[b->n++] = '"';
	size_t run = 0, i = 0;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		char e = escape_of[c];
		if (e == 0) {
			if (c == '\0')
				break;
			continue;
		}
		memcpy(b->p + b->n, s.p + run, i - run);
		b->n += i - run;
		run = i + 1;
		char esc[6] = { '\\', e, '0', '0', hex[c >> 4], hex[c & 15] };
		size_t len = e == 'u' ? 6 : 2;
		memcpy(b->p + b->n, esc, len);
		b->n += len;
	}
	memcpy(b->p + b->n, s.p + run, i - run);
	b->n += i - run;
	b->p[b->n++] = '"';
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
