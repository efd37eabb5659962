/* Answers that never change within a process (/openapi.json, the /docs
 * files): built or read once, kept in memory with a strong ETag, and answered
 * 304 Not Modified when the client already holds them. */
#include "service/service.h"

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

void fixed_respond(const struct request *req, struct response *resp, const char *type, const struct fixed *f,
		   const char *cache_control)
{
	response_set_body(resp, 200, type, f->body);
	response_add_header(resp, "ETag", (struct str){ f->etag, sizeof f->etag - 1 });
	response_add_header(resp, "Cache-Control", str_c(cache_control));
	struct str inm = request_header(req, "if-none-match");
	if (!str_is_null(inm) && etag_matches(inm, f->etag)) {
		/* No body; Content-Length still says what a 200 would carry (RFC 9110 8.6). */
		resp->status = 304;
		resp->omit_body = true;
	}
}
