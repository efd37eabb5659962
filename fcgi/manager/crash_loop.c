#include "crash_loop.h"

#include <stdio.h>

bool crash_loop_worker_ended(long limit, unsigned long *count, bool failed, bool served)
{
	if (count == NULL)
		return false;
	if (served)
		__atomic_store_n(count, 0, __ATOMIC_RELAXED);
	else if (failed)
		__atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
	unsigned long n = __atomic_load_n(count, __ATOMIC_RELAXED);
	if (limit <= 0 || n < (unsigned long)limit)
		return false;
	fprintf(stderr,
		"app.fcgi: %lu workers in a row died without serving a request (--max-consecutive-failures %ld): "
		"stopping, exit status %d\n",
		n, limit, CRASH_LOOP_EXIT);
	return true;
}
