#include "http/request_id.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/forwarded.h"
#include "http/trust.h"

bool request_id_is_sane(struct str id)
{
	if (id.n == 0 || id.n > REQUEST_ID_MAX)
		return false;
	for (size_t i = 0; i < id.n; i++)
		if ((unsigned char)id.p[i] < 0x21 || (unsigned char)id.p[i] > 0x7e || id.p[i] == '"' || id.p[i] == '\\')
			return false;
	return true;
}

static bool urandom(unsigned char *p, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool whole = read_full(fd, p, n) == (ssize_t)n;
	close(fd);
	return whole;
}

/* Random bytes taken from the kernel a page at a time: one getrandom(2) per
 * 256 ids. A forked child starts with none, so no two processes ever hand out
 * the same bytes. */
static struct {
	unsigned char bytes[4096];
	size_t left;
	bool forgets_on_fork;
} pool;

static void pool_forget(void)
{
	pool.left = 0;
}

/* Fills bytes[n] from the pool, refilling it from getrandom(2); false when the
 * kernel gives nothing. */
static bool pool_take(unsigned char *bytes, size_t n)
{
	if (!pool.forgets_on_fork)
		pool.forgets_on_fork = pthread_atfork(NULL, NULL, pool_forget) == 0;
	if (pool.left < n) {
		if (!pool.forgets_on_fork)
			return false; /* cannot keep bytes safely: one getrandom per id */
		ssize_t got;
		do
			got = getrandom(pool.bytes, sizeof pool.bytes, 0);
		while (got < 0 && errno == EINTR);
		pool.left = got > 0 ? (size_t)got : 0;
		if (pool.left < n)
			return false;
	}
	memcpy(bytes, pool.bytes + sizeof pool.bytes - pool.left, n);
	pool.left -= n;
	return true;
}

void request_id_generate(char out[REQUEST_ID_GENERATED_SIZE])
{
	unsigned char bytes[16];
	ssize_t n = 0;
	if (!pool_take(bytes, sizeof bytes)) {
		do
			n = getrandom(bytes, sizeof bytes, 0);
		while (n < 0 && errno == EINTR);
	} else {
		n = (ssize_t)sizeof bytes;
	}
	if (n != (ssize_t)sizeof bytes && !urandom(bytes, sizeof bytes)) {
		/* No entropy source at all: unique per process and moment, not unpredictable. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t a = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, b = (uint64_t)getpid();
		memcpy(bytes, &a, 8);
		memcpy(bytes + 8, &b, 8);
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof bytes; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * sizeof bytes] = '\0';
}

void request_assign_id(struct request *r, struct str given)
{
	struct str header = request_header(r, "x-request-id");
	if (!str_is_null(header) && request_id_is_sane(header) && trust_get().request_id &&
	    forwarded_trusts(r->peer_addr)) {
		r->request_id = header;
		return;
	}
	if (request_id_is_sane(given)) {
		r->request_id = given;
		return;
	}
	char *id = arena_alloc(r->arena, REQUEST_ID_GENERATED_SIZE);
	request_id_generate(id);
	r->request_id = (struct str){ id, REQUEST_ID_GENERATED_SIZE - 1 };
}

/* "1-" 8 hex digits "-" 24 hex digits: an X-Ray trace id. */
static bool xray_id_is_valid(struct str id)
{
	if (id.n != 35 || id.p[0] != '1' || id.p[1] != '-' || id.p[10] != '-')
		return false;
	for (size_t i = 2; i < id.n; i++) {
		char c = id.p[i];
		if (i != 10 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

struct str request_trace_header(struct str header)
{
	for (struct str rest = header; !str_is_null(rest);) {
		struct str value = str_split(&rest, ';');
		struct str key = str_trim(str_split(&value, '='));
		if (str_eq(key, STR_LIT("Root"))) {
			value = str_trim(value);
			if (!xray_id_is_valid(value) || value.p != key.p + 5) /* "Root=1-..." without spaces */
				return STR_NULL;
			return (struct str){ key.p, value.n + 5 };
		}
	}
	return STR_NULL;
}

/* n lowercase hex digits at p, not all of them zero. */
static bool lower_hex_nonzero(const char *p, size_t n)
{
	bool nonzero = false;
	for (size_t i = 0; i < n; i++) {
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
		nonzero |= p[i] != '0';
	}
	return nonzero;
}

bool request_traceparent(struct str header, struct str *trace, struct str *span)
{
	struct str h = str_trim(header);
	if (h.n < 55 || h.p[2] != '-' || h.p[35] != '-' || h.p[52] != '-')
		return false;
	bool v00 = h.p[0] == '0' && h.p[1] == '0';
	if ((v00 && h.n != 55) || (!v00 && h.n > 55 && h.p[55] != '-') || (h.p[0] == 'f' && h.p[1] == 'f'))
		return false;
	/* The version and flags may be zero; the ids may not. */
	if (!(lower_hex_nonzero(h.p, 2) || v00) || !lower_hex_nonzero(h.p + 3, 32) || !lower_hex_nonzero(h.p + 36, 16) ||
	    !(lower_hex_nonzero(h.p + 53, 2) || (h.p[53] == '0' && h.p[54] == '0')))
		return false;
	*trace = (struct str){ h.p + 3, 32 };
	*span = (struct str){ h.p + 36, 16 };
	return true;
}

struct str request_trace_id(const struct request *r)
{
	struct str trace, span;
	if (request_traceparent(request_header(r, "traceparent"), &trace, &span))
		return trace;
	struct str header = request_header(r, "x-amzn-trace-id");
	bool believed = r->aws_front || (trust_get().trace_id && forwarded_trusts(r->peer_addr));
	struct str root = believed && !str_is_null(header) ? request_trace_header(header) : STR_NULL;
	return !str_is_null(root) ? root : r->context.trace_id;
}

struct str request_span_id(const struct request *r)
{
	struct str trace, span;
	return request_traceparent(request_header(r, "traceparent"), &trace, &span) ? span : STR_NULL;
}
