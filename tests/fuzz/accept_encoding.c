/* libFuzzer harness: Accept-Encoding negotiation and the compressors
 * (app/http/encoding.c, compress.c). The input is one Accept-Encoding value and,
 * the same bytes, a body. Checked: the choice is one of the four codings; a value
 * naming none of br, zstd, gzip or * gets identity; every coding's output
 * decompresses to the body byte for byte. */
#include <brotli/decode.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "http/encoding.h"

/* Whether s holds word, ASCII case-insensitively. */
static bool mentions(struct str s, const char *word)
{
	size_t m = strlen(word);
	for (size_t i = 0; m <= s.n && i <= s.n - m; i++) {
		size_t k = 0;
		while (k < m && (s.p[i + k] | 0x20) == word[k])
			k++;
		if (k == m)
			return true;
	}
	return false;
}

/* Decompresses out (in coding c) and compares it with body. */
static void check_round_trip(enum coding c, struct str body, const char *out, size_t n)
{
	char *back = malloc(body.n + 1);
	size_t got = body.n;
	if (c == CODING_BR) {
		CHECK(BrotliDecoderDecompress(n, (const uint8_t *)out, &got, (uint8_t *)back) ==
			      BROTLI_DECODER_RESULT_SUCCESS, "br");
	} else if (c == CODING_ZSTD) {
		got = ZSTD_decompress(back, body.n + 1, out, n);
		CHECK(!ZSTD_isError(got), "zstd");
	} else {
		z_stream z = { .next_in = (unsigned char *)out, .avail_in = (uInt)n, .next_out = (unsigned char *)back,
			       .avail_out = (uInt)body.n + 1 };
		CHECK(inflateInit2(&z, 15 + 16) == Z_OK, "inflateInit2");
		CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END, "gzip");
		got = z.total_out;
		inflateEnd(&z);
	}
	CHECK(got == body.n && memcmp(back, body.p, body.n) == 0, "%s round trip", coding_name(c));
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { (const char *)data, size };
	enum coding c = encoding_negotiate_value(in);
	CHECK(c >= CODING_BR && c <= CODING_IDENTITY, "coding %d", (int)c);
	if (!mentions(in, "br") && !mentions(in, "zstd") && !mentions(in, "gzip") && !mentions(in, "*"))
		CHECK(c == CODING_IDENTITY, "%s without naming it", coding_name(c));
	for (int k = CODING_BR; k < CODING_IDENTITY && size > 0; k++) {
		char *out;
		size_t n;
		CHECK(encoding_compress((enum coding)k, EFFORT_FAST, in, &out, &n) == APP_OK, "compress");
		check_round_trip((enum coding)k, in, out, n);
		free(out);
	}
	return 0;
}
