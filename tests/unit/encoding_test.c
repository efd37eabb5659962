/* http/encoding.c and compress.c: Accept-Encoding negotiation, which answers
 * are compressed, and what a compressed answer carries (Vary, ETag, length). */
#include <brotli/decode.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "harness.h"

static struct exchange x;

static enum coding pick(const char *value)
{
	return encoding_negotiate_value(str_c(value));
}

static void load(const char *min_bytes, const char *onoff)
{
	const char *why = NULL;
	if (min_bytes != NULL)
		setenv("COMPRESS_MIN_BYTES", min_bytes, 1);
	if (onoff != NULL)
		setenv("COMPRESSION", onoff, 1);
	cr_assert_eq(encoding_load(&why), APP_OK, "%s", why ? why : "");
}

Test(encoding, highest_q_wins_ties_go_br_zstd_gzip_identity)
{
	cr_assert_eq(pick("gzip, br"), CODING_BR);
	cr_assert_eq(pick("gzip, zstd"), CODING_ZSTD);
	cr_assert_eq(pick("gzip;q=1, br;q=0.5"), CODING_GZIP);
	cr_assert_eq(pick("br;q=0.001, identity;q=0.002"), CODING_IDENTITY);
	cr_assert_eq(pick("deflate, compress"), CODING_IDENTITY, "unknown codings: identity");
	cr_assert_eq(pick(""), CODING_IDENTITY, "empty: identity only");
	cr_assert_eq(pick("x-gzip"), CODING_GZIP, "x-gzip is gzip (RFC 9110 8.4.1.3)");
}

Test(encoding, codings_and_q_are_case_insensitive)
{
	cr_assert_eq(pick("GZIP"), CODING_GZIP);
	cr_assert_eq(pick("Br;Q=0.9, gzip;q=0.8"), CODING_BR);
	cr_assert_eq(pick("  zstd ;  q=1  "), CODING_ZSTD);
}

Test(encoding, q_zero_refuses)
{
	cr_assert_eq(pick("br;q=0, gzip"), CODING_GZIP);
	cr_assert_eq(pick("br;q=0.000"), CODING_IDENTITY);
	cr_assert_eq(pick("*;q=0, identity"), CODING_IDENTITY);
	cr_assert_eq(pick("*"), CODING_BR, "* accepts every coding");
	cr_assert_eq(pick("*;q=0.5, br;q=0"), CODING_ZSTD, "br refused, the rest at 0.5");
	cr_assert_eq(pick("identity;q=0, gzip;q=0.1"), CODING_GZIP);
	cr_assert_eq(pick("identity;q=0"), CODING_IDENTITY, "nothing acceptable: identity all the same");
	cr_assert_eq(pick("*;q=0"), CODING_IDENTITY);
}

Test(encoding, malformed_q_values_drop_their_entry)
{
	cr_assert_eq(pick("br;q=1.0001, gzip"), CODING_GZIP, "four decimals");
	cr_assert_eq(pick("br;q=-1, gzip"), CODING_GZIP);
	cr_assert_eq(pick("br;q=NaN, gzip"), CODING_GZIP);
	cr_assert_eq(pick("br;q=1.5, gzip"), CODING_GZIP);
	cr_assert_eq(pick("br;q=2, gzip"), CODING_GZIP);
	cr_assert_eq(pick("br;q=, gzip"), CODING_GZIP);
	cr_assert_eq(pick("br;q=0.5e1, gzip"), CODING_GZIP);
	cr_assert_eq(pick("br;q=1.000, gzip;q=0.9"), CODING_BR, "1.000 is well-formed");
	cr_assert_eq(pick("gzip;q=0.9;level=5, br;q=0.8"), CODING_GZIP, "other parameters are ignored");
	cr_assert_eq(pick(",,;;,=,;q=1,br"), CODING_BR);
}

Test(encoding, thousands_of_entries_are_bounded_work)
{
	/* 10 KB of refused and unknown codings; the last one is the only acceptable one. */
	size_t n = 10 * 1024;
	char *v = malloc(n + 16);
	size_t used = 0;
	while (used + 16 < n)
		used += (size_t)sprintf(v + used, "%s,", used % 3 ? "a;q=0.5" : "br;q=0");
	strcpy(v + used, "zstd;q=0.1");
	cr_assert_eq(pick(v), CODING_ZSTD, "the first mention of br (q=0) wins over later ones");
	free(v);
}

Test(encoding, compressible_types)
{
	cr_assert(encoding_type_compressible(STR_LIT("application/json")));
	cr_assert(encoding_type_compressible(STR_LIT("Application/JSON; charset=utf-8")));
	cr_assert(encoding_type_compressible(STR_LIT("application/problem+json")));
	cr_assert(encoding_type_compressible(STR_LIT("text/html; charset=utf-8")));
	cr_assert(encoding_type_compressible(STR_LIT("text/css")));
	cr_assert(encoding_type_compressible(STR_LIT("text/javascript; charset=utf-8")));
	cr_assert(encoding_type_compressible(STR_LIT("application/javascript")));
	cr_assert(encoding_type_compressible(STR_LIT("image/svg+xml")));
	cr_assert_not(encoding_type_compressible(STR_LIT("image/png")));
	cr_assert_not(encoding_type_compressible(STR_LIT("application/octet-stream")));
	cr_assert_not(encoding_type_compressible(STR_LIT("text/")));
	cr_assert_not(encoding_type_compressible(STR_NULL));
}

Test(encoding, settings_refuse_bad_values_with_a_sentence)
{
	const char *why = NULL;
	setenv("COMPRESS_MIN_BYTES", "1k", 1);
	cr_assert_eq(encoding_load(&why), APP_ERR_INVALID);
	cr_assert(strstr(why, "COMPRESS_MIN_BYTES=\"1k\"") != NULL, "%s", why);
	setenv("COMPRESS_MIN_BYTES", "99999999999999999999", 1);
	cr_assert_eq(encoding_load(&why), APP_ERR_INVALID);
	unsetenv("COMPRESS_MIN_BYTES");
	setenv("COMPRESSION", "yes", 1);
	cr_assert_eq(encoding_load(&why), APP_ERR_INVALID);
	cr_assert(strstr(why, "COMPRESSION") != NULL);
	load(NULL, "off");
	cr_assert_eq(pick("br"), CODING_IDENTITY, "COMPRESSION=off");
}

/* Decompresses body with coding; the caller frees. */
static char *inflate_body(const char *coding, struct str body, size_t want)
{
	char *out = malloc(want + 1);
	size_t n = want;
	if (strcmp(coding, "br") == 0) {
		cr_assert_eq(BrotliDecoderDecompress(body.n, (const uint8_t *)body.p, &n, (uint8_t *)out),
			     BROTLI_DECODER_RESULT_SUCCESS);
	} else if (strcmp(coding, "zstd") == 0) {
		n = ZSTD_decompress(out, want, body.p, body.n);
		cr_assert_not(ZSTD_isError(n));
	} else {
		z_stream z = { .next_in = (unsigned char *)body.p, .avail_in = (uInt)body.n,
			       .next_out = (unsigned char *)out, .avail_out = (uInt)want };
		cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
		cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
		n = z.total_out;
		inflateEnd(&z);
	}
	cr_assert_eq(n, want);
	return out;
}

#define GET_AE(x, uri, ae, ...) \
	exchange_run((x), (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=" uri, "HTTP_ACCEPT_ENCODING=" ae, \
					   __VA_ARGS__ NULL }, NULL, 0)

Test(encoding, openapi_in_each_coding_decompresses_to_the_identity_bytes)
{
	GET(&x, "/openapi.json");
	size_t n = x.resp.body.n;
	char *plain = malloc(n);
	memcpy(plain, x.resp.body.p, n);
	char *etag = strdup(exchange_header(&x, "ETag"));
	cr_assert_null(exchange_header(&x, "Vary"), "no Accept-Encoding: the answer as before");
	exchange_free(&x);
	const char *codings[] = { "br", "zstd", "gzip" };
	for (int i = 0; i < 3; i++) {
		char ae[32], want_etag[40];
		snprintf(ae, sizeof ae, "HTTP_ACCEPT_ENCODING=%s", codings[i]);
		exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/openapi.json", ae, NULL }, NULL, 0);
		cr_assert_str_eq(exchange_header(&x, "Content-Encoding"), codings[i]);
		cr_assert_str_eq(exchange_header(&x, "Vary"), "Accept-Encoding");
		snprintf(want_etag, sizeof want_etag, "%.17s-%s\"", etag, codings[i]);
		cr_assert_str_eq(exchange_header(&x, "ETag"), want_etag);
		cr_assert_lt(x.resp.body.n, n);
		char *back = inflate_body(codings[i], x.resp.body, n);
		cr_assert_eq(memcmp(back, plain, n), 0);
		free(back);
		exchange_free(&x);
	}
	free(plain);
	free(etag);
}

Test(encoding, if_none_match_matches_the_etag_of_the_coding_sent)
{
	GET_AE(&x, "/openapi.json", "br", );
	char br_etag[64];
	snprintf(br_etag, sizeof br_etag, "HTTP_IF_NONE_MATCH=%s", exchange_header(&x, "ETag"));
	size_t br_len = x.resp.body.n;
	exchange_free(&x);
	GET_AE(&x, "/openapi.json", "br", br_etag, );
	cr_assert_eq(x.resp.status, 304);
	cr_assert(x.resp.omit_body);
	cr_assert_eq(x.resp.body.n, br_len, "Content-Length of the br 200");
	cr_assert_str_eq(exchange_header(&x, "Content-Encoding"), "br");
	exchange_free(&x);
	GET_AE(&x, "/openapi.json", "gzip", br_etag, );
	cr_assert_eq(x.resp.status, 200, "the br ETag does not name the gzip answer");
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/openapi.json", br_etag, NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, 200, "nor the identity one");
	exchange_free(&x);
}

Test(encoding, head_gets_the_get_headers_and_no_body)
{
	GET_AE(&x, "/openapi.json", "gzip", );
	size_t len = x.resp.body.n;
	exchange_free(&x);
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=HEAD", "REQUEST_URI=/openapi.json", "HTTP_ACCEPT_ENCODING=gzip",
				      NULL },
		     NULL, 0);
	cr_assert(x.resp.omit_body);
	cr_assert_eq(x.resp.body.n, len);
	cr_assert_str_eq(exchange_header(&x, "Content-Encoding"), "gzip");
	exchange_free(&x);
}

/* A 422 (the path value "x" is not an integer): about 100 bytes of JSON. */
#define GET_422(x) GET_AE((x), "/items/x", "br", )

Test(encoding, a_body_one_byte_under_the_threshold_stays_identity)
{
	GET_422(&x);
	size_t base = x.resp.body.n;
	exchange_free(&x);
	char threshold[16];
	snprintf(threshold, sizeof threshold, "%zu", base + 1);
	load(threshold, NULL);
	GET_422(&x);
	cr_assert_eq(x.resp.status, 422);
	cr_assert_null(exchange_header(&x, "Content-Encoding"), "one byte under the threshold");
	cr_assert_null(exchange_header(&x, "Vary"), "not negotiable, as Starlette's GZipMiddleware below its minimum");
	exchange_free(&x);
}

Test(encoding, a_body_at_the_threshold_is_negotiable)
{
	GET_422(&x);
	size_t base = x.resp.body.n;
	exchange_free(&x);
	char threshold[16];
	snprintf(threshold, sizeof threshold, "%zu", base);
	load(threshold, NULL);
	GET_422(&x);
	cr_assert_str_eq(exchange_header(&x, "Vary"), "Accept-Encoding", "at the threshold: negotiable");
	const char *ce = exchange_header(&x, "Content-Encoding");
	cr_assert(ce == NULL || strcmp(ce, "br") == 0);
	cr_assert(ce == NULL || x.resp.body.n < base, "compressed only when it is smaller");
	exchange_free(&x);
}

Test(encoding, dynamic_json_over_the_threshold_is_compressed)
{
	load("64", NULL);
	GET_AE(&x, "/api/v1/users/", "gzip, br", );
	cr_assert_eq(x.resp.status, 200);
	size_t n = x.resp.body.n;
	exchange_free(&x);
	GET(&x, "/api/v1/users/");
	size_t plain = x.resp.body.n;
	exchange_free(&x);
	if (plain >= 64) {
		GET_AE(&x, "/api/v1/users/", "gzip, br", );
		cr_assert_str_eq(exchange_header(&x, "Vary"), "Accept-Encoding");
		cr_assert_lt(n, plain);
		exchange_free(&x);
	}
}

Test(encoding, no_accept_encoding_changes_nothing)
{
	load("0", NULL);
	GET(&x, "/api/v1/users/");
	cr_assert_null(exchange_header(&x, "Vary"));
	cr_assert_null(exchange_header(&x, "Content-Encoding"));
	exchange_free(&x);
}

Test(encoding, png_is_never_compressed)
{
	struct response r;
	struct arena a;
	arena_init(&a);
	response_init(&r, &a);
	response_set_body(&r, 200, "image/png", str_c("0123456789012345678901234567890123456789"));
	load("1", NULL);
	cr_assert_not(encoding_negotiable(&r));
	r.status = 304;
	response_set_body(&r, 304, "application/json", str_c("0123456789012345678901234567890123456789"));
	cr_assert_not(encoding_negotiable(&r), "a 304 is never compressed");
	arena_release(&a);
}

Test(encoding, vary_is_one_header_without_duplicates)
{
	struct response r;
	struct arena a;
	arena_init(&a);
	response_init(&r, &a);
	response_add_vary(&r, "Accept-Encoding");
	response_add_vary(&r, "accept-encoding");
	response_add_vary(&r, "Origin");
	cr_assert_eq(r.headers.n, 1);
	cr_assert_eq(r.headers.items[0].value.n, strlen("Accept-Encoding, Origin"));
	cr_assert_eq(memcmp(r.headers.items[0].value.p, "Accept-Encoding, Origin", 23), 0);
	arena_release(&a);
}
