/* A growable byte buffer whose storage comes from a request arena. */
#ifndef APP_BUF_H
#define APP_BUF_H

#include <stdbool.h>

#include "arena.h"
#include "str.h"

struct buf {
	struct arena *arena;
	char *p;
	size_t n, cap;
	bool failed;  /* set once an allocation failed; further appends are ignored */
};

void buf_init(struct buf *b, struct arena *a);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_append_str(struct buf *b, struct str s);
void buf_append_cstr(struct buf *b, const char *s);
void buf_append_byte(struct buf *b, char c);

/* The contents so far, NUL-terminated; STR_NULL if an allocation failed. */
struct str buf_str(struct buf *b);

#endif
