#include "http/request_context.h"

#include <time.h>

long long request_context_remaining_ms(const struct request_context *c)
{
	if (c->deadline_ms <= 0)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long left = c->deadline_ms - ((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	return left > 0 ? left : 0;
}

struct str request_context_claim(const struct request_context *c, const char *name)
{
	return kvlist_get_last(&c->claims, str_c(name));
}
