#include "support/memory_transport.h"

#include <stdlib.h>
#include <string.h>

static ssize_t memory_read(void *ctx, char *p, size_t n)
{
	struct memory_transport *t = ctx;
	size_t left = t->in_n - t->in_pos;
	if (t->chunk > 0 && n > t->chunk)
		n = t->chunk;
	if (n > left)
		n = left;
	if (n > 0)
		memcpy(p, t->in + t->in_pos, n);
	t->in_pos += n;
	return (ssize_t)n;
}

static int memory_write(void *ctx, const char *p, size_t n)
{
	struct memory_transport *t = ctx;
	char *grown = realloc(t->out, t->out_n + n + 1);
	if (grown == NULL)
		return -1;
	memcpy(grown + t->out_n, p, n);
	t->out = grown;
	t->out_n += n;
	t->out[t->out_n] = '\0';
	t->writes++;
	return 0;
}

struct transport memory_transport(struct memory_transport *t)
{
	return (struct transport){ memory_read, memory_write, t, NULL, NULL };
}
