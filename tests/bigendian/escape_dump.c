/* Prints the access line's escaper's output (http/log_line.h line_escape and
 * line_put_quoted) for 30 000 pseudo-random strings, the same on every machine
 * (a fixed xorshift seed), one per line as hex. tests/bigendian/escape_be.sh
 * runs it natively (little-endian, where tests/unit/log_escape_test.c checks
 * the escaper against a reference) and on s390x (big-endian, under qemu) and
 * compares: the eight-bytes-at-a-time paths read bytes in machine order. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/log_line.h"

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* A byte: mostly plain, often one that needs escaping or starts UTF-8. */
static unsigned char pick(void)
{
	static const unsigned char special[] = { '"', '\\', 0x00, 0x01, 0x1f, 0x7f, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff };
	uint64_t r = next();
	return r % 5 == 0 ? special[(r >> 8) % sizeof special] : (unsigned char)(0x20 + (r >> 8) % 0x5f);
}

static void hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)p[i]);
	putchar('\n');
}

int main(void)
{
	static const size_t caps[] = { 40, 48, 64, 128, 256, 1024 };
	unsigned char in[1200];
	char out[1100];
	for (int k = 0; k < 30000; k++) {
		size_t n = next() % 300, max = caps[next() % (sizeof caps / sizeof caps[0])];
		for (size_t i = 0; i < n; i++)
			in[i] = pick();
		size_t used = line_escape(out, in, n, max);
		hex(out, used);
		struct line l;
		line_init(&l);
		line_put_quoted(&l, (struct str){ (const char *)in, n }, max);
		hex(l.p, l.n);
		line_free(&l);
	}
	return 0;
}
