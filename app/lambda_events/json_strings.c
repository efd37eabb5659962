/* What cJSON cannot say about an event's strings: it keeps no length, so a string
 * holding "\u0000" (or a raw NUL byte) is silently cut at it. This scans the event
 * text itself: which strings hold a NUL, and the exact bytes of the top-level
 * "body" value, the one string a NUL may legitimately be part of. */
#include "lambda_events/adapter.h"

/* The four hex digits at p (n bytes left) as a code unit, or -1. */
static long hex4(const char *p, size_t n)
{
	if (n < 4)
		return -1;
	long v = 0;
	for (size_t i = 0; i < 4; i++) {
		int d = hex_digit_value(p[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* From just after an opening quote at text[*i], moves *i past the closing quote
 * (or to the end of a truncated text). Returns the string's raw inside, and in
 * *nul whether it decodes to a NUL byte anywhere. */
static struct str scan_string(struct str text, size_t *i, bool *nul)
{
	size_t start = *i;
	*nul = false;
	while (*i < text.n) {
		char c = text.p[*i];
		if (c == '"') {
			struct str inside = { text.p + start, *i - start };
			(*i)++;
			return inside;
		}
		if (c == '\0')
			*nul = true;
		if (c == '\\' && *i + 1 < text.n) {
			if (text.p[*i + 1] == 'u' && hex4(text.p + *i + 2, text.n - *i - 2) == 0)
				*nul = true;
			(*i)++;
		}
		(*i)++;
	}
	return (struct str){ text.p + start, text.n - start };
}

void lambda_json_find_nul(struct str text, struct lambda_json_nul *out)
{
	*out = (struct lambda_json_nul){ .body = STR_NULL };
	int depth = 0;
	bool top_key_next = false;   /* at depth 1, the next string is a member name */
	bool body_value_next = false; /* the next value is the first top-level "body" */
	bool body_seen = false;
	for (size_t i = 0; i < text.n;) {
		char c = text.p[i++];
		switch (c) {
		case '{':
		case '[':
			depth++;
			top_key_next = depth == 1 && c == '{';
			body_value_next = false;
			break;
		case '}':
		case ']':
			depth--;
			break;
		case ',':
			top_key_next = depth == 1;
			body_value_next = false;
			break;
		case '"': {
			bool nul;
			struct str inside = scan_string(text, &i, &nul);
			bool is_key = depth == 1 && top_key_next;
			if (is_key) {
				top_key_next = false;
				struct arena scratch;
				arena_init(&scratch);
				struct str name;
				body_value_next = !body_seen && lambda_json_unescape(&scratch, inside, &name) == APP_OK &&
						  str_eq(name, STR_LIT("body"));
				body_seen = body_seen || body_value_next;
				arena_release(&scratch);
			} else if (depth == 1 && body_value_next) {
				body_value_next = false;
				if (nul)
					out->body = inside;
				break;
			}
			if (nul)
				out->elsewhere = true;
			break;
		}
		default:
			break;
		}
	}
}

size_t lambda_json_count_values(struct str text)
{
	size_t n = 1;
	for (size_t i = 0; i < text.n;) {
		char c = text.p[i++];
		if (c == '"') {
			bool nul;
			(void)scan_string(text, &i, &nul);
		} else if (c == '{' || c == '[' || c == ',') {
			n++;
		}
	}
	return n;
}

/* Appends code point cp as UTF-8. */
static void put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, u, n);
}

/* A \uXXXX escape (with its low surrogate when it is a high one) at raw[*i] == 'u';
 * moves *i past it. False for bad hex or an unpaired surrogate. */
static bool unicode_escape(struct str raw, size_t *i, struct buf *b)
{
	long hi = hex4(raw.p + *i + 1, raw.n - *i - 1);
	if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF))
		return false;
	*i += 5;
	if (hi < 0xD800 || hi > 0xDBFF) {
		put_utf8(b, (unsigned long)hi);
		return true;
	}
	if (*i + 1 >= raw.n || raw.p[*i] != '\\' || raw.p[*i + 1] != 'u')
		return false;
	long lo = hex4(raw.p + *i + 2, raw.n - *i - 2);
	if (lo < 0xDC00 || lo > 0xDFFF)
		return false;
	*i += 6;
	put_utf8(b, 0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00));
	return true;
}

enum app_err lambda_json_unescape(struct arena *a, struct str raw, struct str *out)
{
	struct buf b;
	buf_init(&b, a);
	for (size_t i = 0; i < raw.n;) {
		char c = raw.p[i];
		if (c != '\\') {
			buf_append_byte(&b, c);
			i++;
			continue;
		}
		if (++i >= raw.n)
			return APP_ERR_INVALID;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *hit = raw.p[i] != '\0' ? strchr(from, raw.p[i]) : NULL;
		if (hit != NULL) {
			buf_append_byte(&b, to[hit - from]);
			i++;
		} else if (raw.p[i] != 'u' || !unicode_escape(raw, &i, &b)) {
			return APP_ERR_INVALID;
		}
	}
	*out = b.n > 0 ? buf_str(&b) : STR_LIT("");
	return APP_OK;
}
