/* Accept-Encoding negotiation (RFC 9110 12.5.3), the settings, and the hook
 * that compresses answers built per request. compress.c holds the codecs;
 * service/fixed.c compresses the fixed documents once per process. */
#include "http/encoding.h"

#include <stdio.h>
#include <stdlib.h>

static bool enabled = true;
static size_t min_bytes = 1024;

static const char *const names[CODING_COUNT] = { "br", "zstd", "gzip", "identity" };

const char *coding_name(enum coding c)
{
	return c < CODING_COUNT ? names[c] : "identity";
}

/* "on"/"off" (empty: on); anything else is refused with a sentence. */
static enum app_err load_switch(const char **why)
{
	const char *s = getenv("COMPRESSION");
	enabled = true;
	if (s == NULL || *s == '\0' || strcmp(s, "on") == 0)
		return APP_OK;
	if (strcmp(s, "off") == 0) {
		enabled = false;
		return APP_OK;
	}
	static char sentence[120];
	snprintf(sentence, sizeof sentence, "COMPRESSION=\"%.40s\" is neither on nor off", s);
	*why = sentence;
	return APP_ERR_INVALID;
}

/* Digits only, at most 1 GiB; anything else is refused with a sentence. */
static enum app_err load_min_bytes(const char **why)
{
	const char *s = getenv("COMPRESS_MIN_BYTES");
	min_bytes = 1024;
	if (s == NULL || *s == '\0')
		return APP_OK;
	size_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9' && v <= (1u << 30); p++)
		v = v * 10 + (size_t)(*p - '0');
	if (*p != '\0' || v > (1u << 30)) {
		static char sentence[160];
		snprintf(sentence, sizeof sentence,
			 "COMPRESS_MIN_BYTES=\"%.40s\" is not a byte count: use digits only, at most 1073741824", s);
		*why = sentence;
		return APP_ERR_INVALID;
	}
	min_bytes = v;
	return APP_OK;
}

enum app_err encoding_load(const char **why)
{
	if (load_switch(why) != APP_OK || load_min_bytes(why) != APP_OK)
		return APP_ERR_INVALID;
	return APP_OK;
}

size_t encoding_min_bytes(void)
{
	return min_bytes;
}

/* qvalue = "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ], in thousandths; -1 if malformed. */
static int parse_qvalue(struct str v)
{
	if (v.n == 0 || v.n > 5 || (v.p[0] != '0' && v.p[0] != '1'))
		return -1;
	int q = (v.p[0] - '0') * 1000;
	if (v.n == 1)
		return q;
	if (v.p[1] != '.')
		return -1;
	int scale = 100;
	for (size_t i = 2; i < v.n; i++, scale /= 10) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		q += (v.p[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* One list member: "coding *( OWS ; OWS param )". Sets *q to its weight
 * (1000 when absent); false if a q parameter is malformed. Other parameters
 * are ignored. */
static bool parse_member(struct str member, struct str *coding, int *q)
{
	*coding = str_trim(str_split(&member, ';'));
	*q = 1000;
	while (!str_is_null(member)) {
		struct str param = str_trim(str_split(&member, ';'));
		if (param.n >= 2 && (param.p[0] == 'q' || param.p[0] == 'Q') && param.p[1] == '=') {
			*q = parse_qvalue((struct str){ param.p + 2, param.n - 2 });
			if (*q < 0)
				return false;
		}
	}
	return true;
}

/* Records one member's weight in explicit[] (per coding) or *star; the first
 * mention of a coding wins, unknown codings are skipped. */
static void note_member(struct str member, int explicit[CODING_COUNT], int *star)
{
	struct str coding;
	int q;
	if (!parse_member(member, &coding, &q) || coding.n == 0)
		return;
	if (str_eq(coding, STR_LIT("*"))) {
		if (*star < 0)
			*star = q;
		return;
	}
	if (str_eq_nocase(coding, STR_LIT("x-gzip")))
		coding = STR_LIT("gzip");
	for (int c = 0; c < CODING_COUNT; c++)
		if (str_eq_nocase(coding, str_c(names[c])) && explicit[c] < 0)
			explicit[c] = q;
}

/* The best coding from the weights gathered over every Accept-Encoding value. */
static enum coding choose(const int explicit[CODING_COUNT], int star)
{
	enum coding best = CODING_IDENTITY;
	int best_q = 0;
	for (int c = 0; c < CODING_COUNT; c++) {
		/* Unnamed, identity is acceptable (RFC 9110 12.5.3) but the last choice. */
		int fallback = c == CODING_IDENTITY ? 1 : 0;
		int q = explicit[c] >= 0 ? explicit[c] : star >= 0 ? star : fallback;
		if (q > best_q) {
			best = (enum coding)c;
			best_q = q;
		}
	}
	return best; /* nothing acceptable: identity all the same (RFC 9110 12.5.3 allows it) */
}

enum coding encoding_negotiate_value(struct str value)
{
	int explicit[CODING_COUNT] = { -1, -1, -1, -1 };
	int star = -1;
	if (!enabled || str_is_null(value))
		return CODING_IDENTITY;
	for (struct str rest = value; !str_is_null(rest);)
		note_member(str_split(&rest, ','), explicit, &star);
	return choose(explicit, star);
}

enum coding encoding_negotiate(const struct request *req)
{
	int explicit[CODING_COUNT] = { -1, -1, -1, -1 };
	int star = -1;
	bool seen = false;
	for (size_t i = 0; enabled && i < req->headers.n; i++) {
		if (!str_eq(req->headers.items[i].name, STR_LIT("accept-encoding")))
			continue;
		seen = true;
		for (struct str rest = req->headers.items[i].value; !str_is_null(rest);)
			note_member(str_split(&rest, ','), explicit, &star);
	}
	return seen ? choose(explicit, star) : CODING_IDENTITY;
}

/* The media type of a Content-Type value: up to ';', trimmed. */
static struct str media(struct str content_type)
{
	return str_trim(str_split(&content_type, ';'));
}

static bool ends_with_nocase(struct str s, const char *tail)
{
	size_t n = strlen(tail);
	return s.n >= n && str_eq_nocase((struct str){ s.p + s.n - n, n }, (struct str){ tail, n });
}

bool encoding_type_compressible(struct str content_type)
{
	struct str type = media(content_type);
	static const char *const exact[] = { "application/json", "application/javascript", "application/x-javascript",
					     "image/svg+xml", "application/xml" };
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (str_eq_nocase(type, str_c(exact[i])))
			return true;
	return (type.n > 5 && str_eq_nocase((struct str){ type.p, 5 }, STR_LIT("text/"))) ||
	       ends_with_nocase(type, "+json");
}

bool encoding_negotiable(const struct response *resp)
{
	return enabled && !resp->streamed && resp->status != 304 && resp->status != 204 && resp->status >= 200 &&
	       resp->body.n >= min_bytes && resp->body.n > 0 &&
	       encoding_type_compressible(response_header(resp, "Content-Type"));
}

/* Whether the Vary header lists token (case-insensitive). */
static bool vary_has(const struct response *resp, const char *token)
{
	for (struct str rest = response_header(resp, "Vary"); !str_is_null(rest);)
		if (str_eq_nocase(str_trim(str_split(&rest, ',')), str_c(token)))
			return true;
	return false;
}

void response_add_vary(struct response *resp, const char *token)
{
	if (vary_has(resp, token))
		return;
	for (size_t i = 0; i < resp->headers.n; i++) {
		struct kv *h = &resp->headers.items[i];
		if (str_eq_nocase(h->name, STR_LIT("Vary"))) {
			h->value = str_c(arena_printf(resp->arena, "%.*s, %s", (int)h->value.n, h->value.p, token));
			return;
		}
	}
	response_add_header(resp, "Vary", str_c(token));
}

void encoding_finish(const struct request *req, struct response *resp)
{
	if (!encoding_negotiable(resp) || !str_is_null(response_header(resp, "Content-Encoding")) ||
	    vary_has(resp, "Accept-Encoding") || str_is_null(request_header(req, "accept-encoding")))
		return;
	response_add_vary(resp, "Accept-Encoding");
	enum coding c = encoding_negotiate(req);
	char *out;
	size_t n;
	if (c == CODING_IDENTITY || encoding_compress(c, EFFORT_FAST, resp->body, &out, &n) != APP_OK)
		return; /* identity, or no memory for the compressor: the identity body is still right */
	if (n < resp->body.n) {
		char *copy = arena_alloc(resp->arena, n);
		memcpy(copy, out, n);
		resp->body = (struct str){ copy, n };
		response_add_header(resp, "Content-Encoding", str_c(names[c]));
	}
	free(out);
}
