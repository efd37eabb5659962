/* Fixed answers (/openapi.json, /docs files): built once, strong ETag, 304 on If-None-Match. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct exchange x;

#define GET_IF_NONE_MATCH(x, uri, tag) \
	exchange_run((x), (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=" uri, "HTTP_IF_NONE_MATCH=" tag, NULL }, \
		     NULL, 0)

Test(fixed, openapi_has_a_strong_etag_and_asks_to_revalidate)
{
	GET(&x, "/openapi.json");
	cr_assert_eq(x.resp.status, 200);
	const char *etag = exchange_header(&x, "ETag");
	cr_assert_not_null(etag);
	cr_assert_eq(strlen(etag), 18);
	cr_assert_eq(etag[0], '"', "strong: no W/");
	cr_assert_str_eq(exchange_header(&x, "Cache-Control"), "no-cache");
	exchange_free(&x);
}

Test(fixed, openapi_is_the_same_bytes_every_time)
{
	GET(&x, "/openapi.json");
	char *first = strdup(exchange_body(&x));
	char *etag = strdup(exchange_header(&x, "ETag"));
	exchange_free(&x);
	GET(&x, "/openapi.json");
	cr_assert_str_eq(exchange_body(&x), first);
	cr_assert_str_eq(exchange_header(&x, "ETag"), etag);
	exchange_free(&x);
	free(first);
	free(etag);
}

Test(fixed, matching_if_none_match_is_304_without_body)
{
	GET(&x, "/openapi.json");
	size_t length = x.resp.body.n;
	char header[64];
	snprintf(header, sizeof header, "HTTP_IF_NONE_MATCH=W/%s, \"other\"", exchange_header(&x, "ETag"));
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/openapi.json", header, NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, 304);
	cr_assert(x.resp.omit_body, "no body in a 304");
	cr_assert_eq(x.resp.body.n, length, "Content-Length is what a 200 would carry");
	cr_assert_not_null(exchange_header(&x, "ETag"));
	exchange_free(&x);
}

Test(fixed, other_if_none_match_is_200)
{
	GET_IF_NONE_MATCH(&x, "/openapi.json", "\"0000000000000000\"");
	cr_assert_eq(x.resp.status, 200);
	cr_assert_not(x.resp.omit_body);
	exchange_free(&x);
}

Test(fixed, star_matches_any_etag)
{
	GET_IF_NONE_MATCH(&x, "/openapi.json", "*");
	cr_assert_eq(x.resp.status, 304);
	exchange_free(&x);
}

Test(fixed, etag_list_parsing)
{
	cr_assert(etag_matches(STR_LIT("\"a\""), "\"a\""));
	cr_assert(etag_matches(STR_LIT(" \"b\" , W/\"a\""), "\"a\""));
	cr_assert_not(etag_matches(STR_LIT("\"ab\""), "\"a\""));
	cr_assert_not(etag_matches(STR_LIT("a"), "\"a\""), "a tag without quotes is not the tag");
	cr_assert_not(etag_matches(STR_LIT(""), "\"a\""));
}

Test(fixed, etag_changes_with_any_byte)
{
	struct fixed a, b;
	fixed_set(&a, STR_LIT("hello"));
	fixed_set(&b, STR_LIT("hellp"));
	cr_assert_str_neq(a.etag, b.etag);
}
