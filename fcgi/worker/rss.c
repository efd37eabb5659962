#include "rss.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

long rss_kb(void)
{
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char text[128];
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	unsigned long size, resident;
	if (sscanf(text, "%lu %lu", &size, &resident) != 2)
		return -1;
	long page = sysconf(_SC_PAGESIZE);
	return (long)(resident * (unsigned long)(page > 0 ? page : 4096) / 1024);
}

bool rss_above(long limit_mb)
{
	if (limit_mb <= 0)
		return false;
	struct rusage u;
	/* The peak (kB) never falls: below the limit, the present is too. */
	if (getrusage(RUSAGE_SELF, &u) == 0 && u.ru_maxrss <= limit_mb * 1024)
		return false;
	long kb = rss_kb();
	return kb > limit_mb * 1024;
}
