/* The header values a CORS answer carries, joined once at start from the
 * settings (cors_load() calls cors_join()). */
#include "http/cors_settings.h"

#include <stdio.h>
#include <stdlib.h>

/* Starlette's ALL_METHODS, for CORS_ALLOW_METHODS=*. */
static const char all_methods[] = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";
static const char *const safelisted[] = { "Accept", "Accept-Language", "Content-Language", "Content-Type" };

/* Appends s (and ", " before it unless first) to out; false if it does not fit. */
static bool append(char *out, struct str s)
{
	size_t used = strlen(out);
	size_t need = used + (used ? 2 : 0) + s.n + 1;
	if (need > CORS_JOINED_MAX)
		return false;
	snprintf(out + used, CORS_JOINED_MAX - used, "%s%.*s", used ? ", " : "", (int)s.n, s.p);
	return true;
}

/* Python's sorted() on str: code point order, which for ASCII is byte order. */
static int by_bytes(const void *a, const void *b)
{
	const struct str *x = a, *y = b;
	int d = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	return d != 0 ? d : (x->n > y->n) - (x->n < y->n);
}

/* sorted(SAFELISTED_HEADERS | set(allow_headers)): duplicates (exact) dropped. */
static size_t header_set(const struct cors_list *l, struct str *out)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof safelisted / sizeof safelisted[0]; i++)
		out[n++] = str_c(safelisted[i]);
	for (size_t i = 0; i < l->n; i++) {
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = str_eq(out[j], l->items[i]);
		if (!dup)
			out[n++] = l->items[i];
	}
	qsort(out, n, sizeof *out, by_bytes);
	return n;
}

bool cors_join(struct cors_config *c)
{
	c->allow_methods[0] = c->allow_headers[0] = c->expose_headers[0] = '\0';
	if (c->methods.all)
		snprintf(c->allow_methods, sizeof c->allow_methods, "%s", all_methods);
	for (size_t i = 0; !c->methods.all && i < c->methods.n; i++)
		if (!append(c->allow_methods, c->methods.items[i]))
			return false;
	struct str set[CORS_LIST_MAX + 4];
	size_t n = header_set(&c->headers, set);
	c->allowed_header_count = n;
	for (size_t i = 0; i < n; i++) {
		c->allowed_headers[i] = set[i];
		if (!c->headers.all && !append(c->allow_headers, set[i]))
			return false;
	}
	for (size_t i = 0; i < c->expose.n; i++)
		if (!append(c->expose_headers, c->expose.items[i]))
			return false;
	snprintf(c->max_age_text, sizeof c->max_age_text, "%lld", c->max_age);
	return true;
}
