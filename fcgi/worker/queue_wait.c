#include "queue_wait.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include "core/str.h"
#include "http/forwarded.h"

/* Stamps older than this are nonsense (a stale or hostile header), not a queue. */
#define OLDEST_MS (3600LL * 1000)

static unsigned long shed_here;

/* Digits at s into *n; how many were read, or -1 for more than 19 or a
 * value above LLONG_MAX (19 digits fit in an unsigned long long). */
static int digits(const char *s, long long *n)
{
	int k = 0;
	unsigned long long v = 0;
	for (; s[k] >= '0' && s[k] <= '9'; k++) {
		if (k == 19)
			return -1;
		v = v * 10 + (unsigned)(s[k] - '0');
	}
	if (v > LLONG_MAX)
		return -1;
	*n = (long long)v;
	return k;
}

long long queue_wait_parse(const char *stamp)
{
	if (stamp == NULL)
		return -1;
	if (stamp[0] == 't' && stamp[1] == '=')
		stamp += 2;
	long long whole, frac = 0;
	int n = digits(stamp, &whole);
	if (n <= 0)
		return -1;
	if (stamp[n] == '.') { /* seconds with a fraction: up to 6 places count */
		int m = digits(stamp + n + 1, &frac);
		if (m <= 0 || stamp[n + 1 + m] != '\0' || n > 10)
			return -1;
		for (; m > 6; m--)
			frac /= 10;
		for (; m < 6; m++)
			frac *= 10;
		return whole * 1000000 + frac;
	}
	if (stamp[n] != '\0')
		return -1;
	/* A whole number: its size says the unit (seconds now have 10 digits). */
	if (n <= 10)
		return whole * 1000000;
	if (n <= 13)
		return whole * 1000;
	if (n <= 16)
		return whole;
	return whole / 1000;
}

/* The wait by a stamp, or -1 when it is not sane (see queue_wait.h). */
static long long waited(const char *stamp, long long now_us)
{
	long long at = queue_wait_parse(stamp);
	if (at < 0 || at > now_us + QUEUE_WAIT_SKEW_MS * 1000LL || now_us - at > OLDEST_MS * 1000)
		return -1;
	return at > now_us ? 0 : (now_us - at) / 1000;
}

long long queue_wait_ms(const char *x_request_start, const char *remote_addr, const char *request_start,
			long long now_us)
{
	long long front = request_start != NULL ? waited(request_start, now_us) : -1;
	/* The earlier arrival counts: a trusted balancer's stamp may be the
	 * client's, passed on (an ALB sets none), and a later one is no arrival. */
	if (x_request_start != NULL && remote_addr != NULL && forwarded_trusts(str_c(remote_addr))) {
		long long ms = waited(x_request_start, now_us);
		if (ms > front)
			return ms;
	}
	return front;
}

/* value of envp's entry "name=value" when entry is one, else NULL (n: strlen(name)). */
static const char *value_of(const char *entry, const char *name, size_t n)
{
	return strncmp(entry, name, n) == 0 && entry[n] == '=' ? entry + n + 1 : NULL;
}

long long queue_wait_envp_ms(char *const *envp, long long now_us)
{
	const char *x = NULL, *addr = NULL, *start = NULL;
	for (; envp != NULL && *envp != NULL; envp++) {
		const char *e = *envp, *v;
		/* One pass; most names are told apart by their first letter (strncmp
		 * stops at a short entry's end). */
		if (e[0] == 'H' && (v = value_of(e, "HTTP_X_REQUEST_START", 20)) != NULL)
			x = v;
		else if (e[0] == 'R' && (v = value_of(e, "REMOTE_ADDR", 11)) != NULL)
			addr = v;
		else if (e[0] == 'R' && (v = value_of(e, "REQUEST_START", 13)) != NULL)
			start = v;
	}
	return queue_wait_ms(x, addr, start, now_us);
}

long long queue_wait_now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int queue_wait_shed(char *const *envp, const struct transport *t, unsigned long *shed)
{
	shed_here++;
	if (shed != NULL)
		__atomic_add_fetch(shed, 1, __ATOMIC_RELAXED);
	/* The answer, its request id, access line and metrics are app/'s, as for any request. */
	return cgi_env_serve_unavailable(envp, "fcgi", MOUNT_AT_ROOT, t,
					 "Server overloaded: the request waited too long for a worker") == APP_OK
		       ? 0
		       : -1;
}

unsigned long queue_wait_shed_total(void)
{
	return shed_here;
}
