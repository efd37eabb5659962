/* The three compressors behind encoding_compress(): brotli, zstd and zlib's
 * gzip, whole buffer in, whole buffer out (malloc'd). The levels are chosen in
 * docs/compression-cors.md from bench/encoding.sh's figures. */
#include "http/encoding.h"

#include <brotli/encode.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

/* Brotli at a quality; NO_MEMORY if the encoder fails (it fails only for memory). */
static enum app_err br(int quality, struct str in, char **out, size_t *out_n)
{
	size_t cap = BrotliEncoderMaxCompressedSize(in.n);
	uint8_t *p = cap ? malloc(cap) : NULL;
	if (p == NULL)
		return APP_ERR_NO_MEMORY;
	size_t n = cap;
	if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in.n, (const uint8_t *)in.p, &n,
				   p)) {
		free(p);
		return APP_ERR_NO_MEMORY;
	}
	*out = (char *)p;
	*out_n = n;
	return APP_OK;
}

/* zstd at a level, with the content size in the frame header. */
static enum app_err zst(int level, struct str in, char **out, size_t *out_n)
{
	size_t cap = ZSTD_compressBound(in.n);
	char *p = malloc(cap);
	if (p == NULL)
		return APP_ERR_NO_MEMORY;
	size_t n = ZSTD_compress(p, cap, in.p, in.n, level);
	if (ZSTD_isError(n)) {
		free(p);
		return APP_ERR_NO_MEMORY;
	}
	*out = p;
	*out_n = n;
	return APP_OK;
}

/* gzip (RFC 1952) at a level: deflate with the gzip wrapper (windowBits 15 + 16). */
static enum app_err gz(int level, struct str in, char **out, size_t *out_n)
{
	z_stream z = { 0 };
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return APP_ERR_NO_MEMORY;
	size_t cap = deflateBound(&z, (uLong)in.n) + 32;
	unsigned char *p = malloc(cap);
	if (p == NULL || in.n > UINT32_MAX || cap > UINT32_MAX) {
		free(p);
		deflateEnd(&z);
		return APP_ERR_NO_MEMORY;
	}
	z.next_in = (unsigned char *)in.p;
	z.avail_in = (uInt)in.n;
	z.next_out = p;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(p);
		return APP_ERR_NO_MEMORY;
	}
	*out = (char *)p;
	*out_n = n;
	return APP_OK;
}

enum app_err encoding_compress(enum coding c, enum effort e, struct str in, char **out, size_t *out_n)
{
	bool best = e == EFFORT_BEST;
	switch (c) {
	case CODING_BR:
		return br(best ? 5 : 4, in, out, out_n);
	case CODING_ZSTD:
		return zst(best ? 9 : 3, in, out, out_n);
	case CODING_GZIP:
		return gz(best ? 9 : 6, in, out, out_n);
	default:
		return APP_ERR_INVALID;
	}
}
