#include "scoreboard.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "core/sysio.h"

/* The board's size, in this process's own memory (a fork copies it): the
 * shared mapping is written by workers and never trusted for it. */
static int board_slots;
static size_t board_bytes;

struct scoreboard *scoreboard_create(int nslots, int min_workers, int max_workers)
{
	size_t bytes = sizeof(struct scoreboard) + (size_t)nslots * sizeof(struct scoreboard_slot);
	struct scoreboard *sb = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED) {
		fprintf(stderr, "app.fcgi: scoreboard: %s\n", strerror(errno));
		return NULL;
	}
	/* mmap gives zeroed memory. */
	board_slots = nslots;
	board_bytes = bytes;
	sb->started_ms = now_ms();
	sb->min_workers = min_workers;
	sb->max_workers = max_workers;
	return sb;
}

void scoreboard_destroy(struct scoreboard *sb)
{
	if (sb != NULL)
		munmap(sb, board_bytes);
}

int scoreboard_slots(const struct scoreboard *sb)
{
	return sb != NULL ? board_slots : 0;
}

/* Manager: a worker killed while writing its slot left seq odd; make it even. */
static void settle(struct scoreboard_slot *s)
{
	if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) % 2 != 0)
		__atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED);
}

static void write_begin(struct scoreboard_slot *s)
{
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void write_end(struct scoreboard_slot *s)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED);
}

void scoreboard_worker_forking(struct scoreboard *sb, int i)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return;
	struct scoreboard_slot *s = &sb->slots[i];
	settle(s);
	write_begin(s);
	s->pid = 0;
	s->state = WORKER_IDLE;
	s->requests = 0;
	s->streaming = 0;
	s->started_ms = s->request_ms = now_ms();
	s->method[0] = s->path[0] = '\0';
	write_end(s);
}

void scoreboard_worker_started(struct scoreboard *sb, int i, pid_t pid)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return;
	struct scoreboard_slot *s = &sb->slots[i];
	write_begin(s);
	s->pid = pid;
	write_end(s);
}

void scoreboard_worker_gone(struct scoreboard *sb, int i, bool replaced)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return;
	struct scoreboard_slot *s = &sb->slots[i];
	settle(s);
	write_begin(s);
	s->pid = 0;
	s->state = WORKER_IDLE;
	write_end(s);
	if (replaced)
		__atomic_add_fetch(&sb->restarts, 1, __ATOMIC_RELAXED);
}

void scoreboard_accepted(struct scoreboard *sb)
{
	if (sb != NULL)
		__atomic_add_fetch(&sb->accepted, 1, __ATOMIC_RELAXED);
}

void scoreboard_request_reading(struct scoreboard *sb, int i)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return;
	struct scoreboard_slot *s = &sb->slots[i];
	write_begin(s);
	s->state = WORKER_READING;
	s->request_ms = now_ms();
	s->request_no++;
	s->method[0] = s->path[0] = '\0';
	__atomic_store_n(&s->streaming, 0, __ATOMIC_RELAXED);
	write_end(s);
	/* Busy slots counted after our own is marked: of two workers starting at
	 * once, at least the later one sees both. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	int busy, idle;
	scoreboard_count(sb, &busy, &idle);
	unsigned active = (unsigned)busy;
	unsigned seen = __atomic_load_n(&sb->max_active, __ATOMIC_RELAXED);
	while (active > seen &&
	       !__atomic_compare_exchange_n(&sb->max_active, &seen, active, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
	}
}

/* Copies s into out, cut to fit, control bytes made '?'. */
static void copy_field(char *out, size_t size, const char *s)
{
	size_t i = 0;
	for (; s != NULL && s[i] != '\0' && i + 1 < size; i++)
		out[i] = ((unsigned char)s[i] < ' ' || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

void scoreboard_request_running(struct scoreboard *sb, int i, const char *method, const char *path)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return;
	struct scoreboard_slot *s = &sb->slots[i];
	write_begin(s);
	s->state = WORKER_RUNNING;
	copy_field(s->method, sizeof s->method, method);
	copy_field(s->path, sizeof s->path, path);
	write_end(s);
}

void scoreboard_request_done(struct scoreboard *sb, int i, bool answered)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return;
	struct scoreboard_slot *s = &sb->slots[i];
	if (s->state == WORKER_IDLE)
		return;
	write_begin(s);
	s->state = WORKER_IDLE;
	s->request_ms = now_ms();
	if (answered)
		s->requests++;
	__atomic_store_n(&s->streaming, 0, __ATOMIC_RELAXED);
	write_end(s);
	if (answered)
		__atomic_add_fetch(&sb->requests, 1, __ATOMIC_RELAXED);
}

void scoreboard_read_slot(const struct scoreboard *sb, int i, struct scoreboard_slot *out)
{
	if (i < 0 || i >= board_slots) {
		*out = (struct scoreboard_slot){ 0 };
		return;
	}
	const struct scoreboard_slot *s = &sb->slots[i];
	/* Bounded: a writer killed mid-write never finishes; its copy is then as good as any. */
	for (int tries = 0; tries < 10000; tries++) {
		unsigned before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		memcpy(out, (const void *)s, sizeof *out);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (before % 2 == 0 && __atomic_load_n(&s->seq, __ATOMIC_RELAXED) == before)
			break;
	}
	out->method[sizeof out->method - 1] = '\0';
	out->path[sizeof out->path - 1] = '\0';
}

void scoreboard_count(const struct scoreboard *sb, int *busy, int *idle)
{
	*busy = *idle = 0;
	for (int i = 0; i < board_slots; i++) {
		pid_t pid = __atomic_load_n(&sb->slots[i].pid, __ATOMIC_RELAXED);
		int state = __atomic_load_n(&sb->slots[i].state, __ATOMIC_RELAXED);
		if (pid == 0)
			continue;
		if (state == WORKER_IDLE)
			(*idle)++;
		else
			(*busy)++;
	}
}

void scoreboard_request_streaming(struct scoreboard *sb, int i)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return;
	__atomic_store_n(&sb->slots[i].streaming, 1, __ATOMIC_SEQ_CST);
}

bool scoreboard_streaming(const struct scoreboard *sb, int i)
{
	if (sb == NULL || i < 0 || i >= board_slots)
		return false;
	return __atomic_load_n(&sb->slots[i].streaming, __ATOMIC_SEQ_CST) != 0;
}
