#include "core/kvlist.h"

#include <stdint.h>

void kvlist_grow(struct arena *a, struct kvlist *l)
{
	size_t cap = l->cap ? l->cap * 2 : 8;
	if (cap > SIZE_MAX / sizeof(struct kv))
		arena_exhausted(a);
	/* Not zeroed: no item is read before kvlist_add writes it. The copy
	 * keeps the old items. */
	struct kv *items = arena_alloc(a, cap * sizeof(struct kv));
	if (l->n > 0)
		memcpy(items, l->items, l->n * sizeof(struct kv));
	l->items = items;
	l->cap = cap;
}

struct str kvlist_get_last(const struct kvlist *l, struct str name)
{
	for (size_t i = l->n; i > 0; i--)
		if (str_eq(l->items[i - 1].name, name))
			return l->items[i - 1].value;
	return STR_NULL;
}

struct str kvlist_get_nocase(const struct kvlist *l, struct str name)
{
	for (size_t i = 0; i < l->n; i++)
		if (str_eq_nocase(l->items[i].name, name))
			return l->items[i].value;
	return STR_NULL;
}

size_t kvlist_count(const struct kvlist *l, struct str name)
{
	size_t count = 0;
	for (size_t i = 0; i < l->n; i++)
		if (str_eq(l->items[i].name, name))
			count++;
	return count;
}
