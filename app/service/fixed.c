/* Answers that never change within a process (/openapi.json, the /docs
 * files): built or read once, kept in memory with a strong ETag, and answered
 * 304 Not Modified when the client already holds them. */
#include "service/service.h"

#include <stdio.h>
#include <stdlib.h>

void fixed_set(struct fixed *f, struct str body)
{
	/* FNV-1a, 64 bits: the ETag changes whenever a byte does. */
	unsigned long long h = 14695981039346656037ull;
	for (size_t i = 0; i < body.n; i++) {
		h ^= (unsigned char)body.p[i];
		h *= 1099511628211ull;
	}
	static const char hex[] = "0123456789abcdef";
	f->etag[0] = '"';
	for (int i = 0; i < 16; i++)
		f->etag[1 + i] = hex[(h >> (60 - 4 * i)) & 0xf];
	f->etag[17] = '"';
	f->etag[18] = '\0';
	f->body = body;
	f->per_request = false;
	for (int c = 0; c < CODING_IDENTITY; c++)
		f->variants[c] = (struct fixed_variant){ .body = STR_NULL };
}

void fixed_forget(struct fixed *f)
{
	for (int c = 0; c < CODING_IDENTITY; c++) {
		if (!f->per_request)
			free((char *)f->variants[c].body.p);
		f->variants[c] = (struct fixed_variant){ .body = STR_NULL };
	}
}

/* f's body in coding c, compressed on first need and kept; NULL when the
 * compressor ran out of memory or the result is no smaller (identity then). */
static const struct fixed_variant *variant(struct arena *a, struct fixed *f, enum coding c)
{
	struct fixed_variant *v = &f->variants[c];
	if (!v->tried) {
		v->tried = true;
		char *out;
		size_t n;
		if (encoding_compress(c, f->per_request ? EFFORT_FAST : EFFORT_BEST, f->body, &out, &n) != APP_OK)
			return NULL;
		if (n >= f->body.n) {
			free(out);
			return NULL;
		}
		if (f->per_request) {
			char *copy = arena_alloc(a, n);
			memcpy(copy, out, n);
			free(out);
			out = copy;
		}
		v->body = (struct str){ out, n };
		snprintf(v->etag, sizeof v->etag, "%.17s-%s\"", f->etag, coding_name(c));
	}
	return str_is_null(v->body) ? NULL : v;
}

/* If-None-Match: "*" or a list of entity tags, compared weakly (RFC 9110 13.1.2). */
bool etag_matches(struct str if_none_match, const char *etag)
{
	struct str want = str_c(etag);
	for (struct str rest = if_none_match; !str_is_null(rest);) {
		struct str tag = str_trim(str_split(&rest, ','));
		if (str_eq(tag, STR_LIT("*")))
			return true;
		if (tag.n > 2 && tag.p[0] == 'W' && tag.p[1] == '/') {
			tag.p += 2;
			tag.n -= 2;
		}
		if (str_eq(tag, want))
			return true;
	}
	return false;
}

void fixed_respond(const struct request *req, struct response *resp, const char *type, struct fixed *f,
		   const char *cache_control)
{
	response_set_body(resp, 200, type, f->body);
	const char *etag = f->etag;
	const struct fixed_variant *v = NULL;
	bool negotiable = encoding_negotiable(resp) && !str_is_null(request_header(req, "accept-encoding"));
	enum coding c = negotiable ? encoding_negotiate(req) : CODING_IDENTITY;
	if (c != CODING_IDENTITY && (v = variant(req->arena, f, c)) != NULL) {
		resp->body = v->body;
		etag = v->etag;
	}
	response_add_header(resp, "ETag", str_c(etag));
	response_add_header(resp, "Cache-Control", str_c(cache_control));
	if (negotiable)
		response_add_vary(resp, "Accept-Encoding");
	if (v != NULL)
		response_add_header(resp, "Content-Encoding", str_c(coding_name(c)));
	struct str inm = request_header(req, "if-none-match");
	if (!str_is_null(inm) && etag_matches(inm, etag)) {
		/* No body; Content-Length still says what a 200 would carry (RFC 9110 8.6). */
		resp->status = 304;
		resp->omit_body = true;
	}
}
