/* An ordered list of name/value pairs that keeps repeated names:
 * query parameters, headers, cookies, path parameters. */
#ifndef APP_CORE_KVLIST_H
#define APP_CORE_KVLIST_H

#include "core/arena.h"
#include "core/str.h"

struct kv {
	struct str name;
	struct str value;
};

struct kvlist {
	struct kv *items;
	size_t n, cap;
};

/* kvlist_add's growing part: room for one more pair (8, then doubling). */
void kvlist_grow(struct arena *a, struct kvlist *l);

/* Appends a pair (the strings are not copied). Inline: the room is there
 * nearly always. */
static inline void kvlist_add(struct arena *a, struct kvlist *l, struct str name, struct str value)
{
	if (l->n == l->cap)
		kvlist_grow(a, l);
	l->items[l->n++] = (struct kv){ name, value };
}

/* The value of the last pair named `name` (exact match), or STR_NULL. */
struct str kvlist_get_last(const struct kvlist *l, struct str name);

/* The value of the first pair named `name`, compared case-insensitively, or STR_NULL. */
struct str kvlist_get_nocase(const struct kvlist *l, struct str name);

/* How many pairs are named `name` (exact match). */
size_t kvlist_count(const struct kvlist *l, struct str name);

#endif
