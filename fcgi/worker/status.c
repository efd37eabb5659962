#include "status.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/str.h"
#include "manager/listen.h"
#include "http/log.h"
#include "http/request_id.h"
#include "openmetrics.h"
#include "http/response.h"
#include "core/sysio.h"

/* How long --status waits for the page. */
#define STATUS_QUERY_SECONDS 5

static const char *state_name(int state)
{
	return state == WORKER_READING ? "reading" : state == WORKER_RUNNING ? "running" : "idle";
}

void status_request_running(struct scoreboard *sb, int slot, bool show_query, const char *method,
			    const char *uri)
{
	char path[sizeof ((struct scoreboard_slot *)0)->path];
	if (uri != NULL && !show_query) {
		size_t n = strcspn(uri, "?");
		if (n >= sizeof path)
			n = sizeof path - 1;
		memcpy(path, uri, n);
		path[n] = '\0';
		uri = path;
	}
	scoreboard_request_running(sb, slot, method, uri);
}

bool status_is_request(const char *status_path, FCGX_ParamArray envp)
{
	const char *uri = FCGX_GetParam("REQUEST_URI", envp);
	if (status_path == NULL || uri == NULL)
		return false;
	size_t n = strcspn(uri, "?");
	return n == strlen(status_path) && memcmp(uri, status_path, n) == 0;
}

/* Whether addr is one of the comma-separated entries of allow (exactly). */
static bool allowed(const char *allow, const char *addr)
{
	if (allow == NULL || addr == NULL || *addr == '\0')
		return false;
	size_t n = strlen(addr);
	for (const char *p = allow; *p != '\0';) {
		size_t len = strcspn(p, ",");
		if (len == n && memcmp(p, addr, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static cJSON *page_json(const struct scoreboard *sb, long long now)
{
	int busy, idle;
	scoreboard_count(sb, &busy, &idle);
	cJSON *doc = cJSON_CreateObject();
	cJSON *pool = cJSON_AddObjectToObject(doc, "pool");
	cJSON_AddNumberToObject(pool, "min_workers", sb->min_workers);
	cJSON_AddNumberToObject(pool, "max_workers", sb->max_workers);
	cJSON_AddNumberToObject(pool, "uptime_seconds", (double)((now - sb->started_ms) / 1000));
	cJSON_AddNumberToObject(pool, "accepted_connections", (double)sb->accepted);
	cJSON_AddNumberToObject(pool, "requests", (double)sb->requests);
	cJSON_AddNumberToObject(pool, "active_workers", busy);
	cJSON_AddNumberToObject(pool, "idle_workers", idle);
	cJSON_AddNumberToObject(pool, "total_workers", busy + idle);
	cJSON_AddNumberToObject(pool, "max_active_workers", sb->max_active);
	cJSON_AddNumberToObject(pool, "restarts", (double)sb->restarts);
	cJSON_AddNumberToObject(pool, "request_timeouts", (double)sb->timeouts);
	cJSON_AddNumberToObject(pool, "slow_requests", (double)sb->slow);
	cJSON_AddNumberToObject(pool, "shed_requests", (double)sb->shed);
	cJSON_AddNumberToObject(pool, "rss_recycles", (double)sb->rss_recycles);
	cJSON_AddNumberToObject(pool, "consecutive_failures", (double)sb->consecutive_failures);
	cJSON *workers = cJSON_AddArrayToObject(doc, "workers");
	for (int i = 0; i < scoreboard_slots(sb); i++) {
		struct scoreboard_slot s;
		scoreboard_read_slot(sb, i, &s);
		if (s.pid == 0)
			continue;
		cJSON *w = cJSON_CreateObject();
		cJSON_AddNumberToObject(w, "pid", s.pid);
		cJSON_AddStringToObject(w, "state", state_name(s.state));
		cJSON_AddNumberToObject(w, "requests", (double)s.requests);
		cJSON_AddNumberToObject(w, "started_seconds_ago", (double)((now - s.started_ms) / 1000));
		if (s.state != WORKER_IDLE) {
			cJSON_AddStringToObject(w, "method", s.method);
			cJSON_AddStringToObject(w, "path", s.path);
			cJSON_AddNumberToObject(w, "elapsed_ms", (double)(now - s.request_ms));
		} else {
			cJSON_AddNumberToObject(w, "idle_ms", (double)(now - s.request_ms));
		}
		cJSON_AddItemToArray(workers, w);
	}
	return doc;
}

static void page_text(const struct scoreboard *sb, long long now, struct buf *out)
{
	int busy, idle;
	scoreboard_count(sb, &busy, &idle);
	char line[512];
	snprintf(line, sizeof line,
		 "workers:              %d active, %d idle, %d total (min %d, max %d)\n"
		 "uptime:               %lld s\n"
		 "accepted connections: %lu\n"
		 "requests:             %lu\n"
		 "max active workers:   %u\n"
		 "restarts:             %lu\n"
		 "request timeouts:     %lu\n"
		 "slow requests:        %lu\n\n"
		 "%-8s %-8s %9s %10s  %s\n",
		 busy, idle, busy + idle, sb->min_workers, sb->max_workers, (now - sb->started_ms) / 1000,
		 sb->accepted, sb->requests, sb->max_active, sb->restarts, sb->timeouts, sb->slow, "pid", "state",
		 "requests", "for (ms)", "request");
	buf_append_cstr(out, line);
	for (int i = 0; i < scoreboard_slots(sb); i++) {
		struct scoreboard_slot s;
		scoreboard_read_slot(sb, i, &s);
		if (s.pid == 0)
			continue;
		snprintf(line, sizeof line, "%-8ld %-8s %9lu %10lld  %s %s\n", (long)s.pid, state_name(s.state),
			 s.requests, now - s.request_ms, s.state == WORKER_IDLE ? "" : s.method,
			 s.state == WORKER_IDLE ? "" : s.path);
		buf_append_cstr(out, line);
	}
}

/* The parameter name's value as a str; STR_NULL when absent. */
static struct str param(FCGX_ParamArray envp, const char *name)
{
	const char *v = FCGX_GetParam(name, envp);
	return v != NULL ? str_c(v) : STR_NULL;
}

/* The access line of a status request, as app/ writes one for every other request. */
static void log_status_request(FCGX_ParamArray envp, const struct response *r, const char *id, long long start_us)
{
	struct str uri = param(envp, "REQUEST_URI");
	size_t path_n = uri.p != NULL ? strcspn(uri.p, "?") : 0;
	struct log_access line = {
		.target = "fcgi",
		.method = param(envp, "REQUEST_METHOD"),
		.path = { uri.p, path_n },
		.query = param(envp, "QUERY_STRING"),
		.request_id = str_c(id),
		.trace_id = STR_NULL,
		.client = param(envp, "REMOTE_ADDR"),
		.user_agent = param(envp, "HTTP_USER_AGENT"),
		.status = r->status,
		.bytes = r->omit_body ? 0 : r->body.n,
		.duration_us = now_us() - start_us,
	};
	(void)log_access_write(STDERR_FILENO, &line);
}

int status_serve(const struct scoreboard *sb, const char *allow, FCGX_ParamArray envp, const struct transport *t)
{
	long long start_us = now_us();
	struct arena a;
	arena_init(&a);
	struct response r;
	response_init(&r, &a);
	const char *query = FCGX_GetParam("QUERY_STRING", envp);
	long long now = now_ms();
	if (!allowed(allow, FCGX_GetParam("REMOTE_ADDR", envp))) {
		response_error(&r, 403, "Forbidden");
	} else if (openmetrics_wanted(query)) {
		struct buf page;
		buf_init(&page, &a);
		openmetrics_page(sb, &page);
		response_set_body(&r, 200, OPENMETRICS_CONTENT_TYPE, buf_str(&page));
	} else if (query != NULL && strcmp(query, "text") == 0) {
		struct buf text;
		buf_init(&text, &a);
		page_text(sb, now, &text);
		response_set_body(&r, 200, "text/plain; charset=utf-8", buf_str(&text));
	} else {
		response_json(&r, 200, page_json(sb, now));
	}
	response_add_header(&r, "Cache-Control", STR_LIT("no-store"));
	char id[REQUEST_ID_GENERATED_SIZE];
	request_id_generate(id);
	response_add_header(&r, "X-Request-Id", str_c(id));
	struct buf out;
	buf_init(&out, &a);
	response_serialize_cgi(&r, &out);
	struct str bytes = buf_str(&out);
	int rc = str_is_null(bytes) ? -1 : t->write(t->ctx, bytes.p, bytes.n);
	log_status_request(envp, &r, id, start_us);
	arena_release(&a);
	return rc;
}

/* One FastCGI name-value pair (both shorter than 128 bytes) appended to p. */
static size_t put_pair(unsigned char *p, const char *name, const char *value)
{
	size_t nn = strlen(name), vn = strlen(value);
	p[0] = (unsigned char)nn;
	p[1] = (unsigned char)vn;
	memcpy(p + 2, name, nn);
	memcpy(p + 2 + nn, value, vn);
	return 2 + nn + vn;
}

static size_t put_record(unsigned char *p, int type, const unsigned char *content, size_t n)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1, (unsigned char)(n >> 8), (unsigned char)n, 0, 0 };
	memcpy(p, h, 8);
	if (n > 0)
		memcpy(p + 8, content, n);
	return 8 + n;
}

int status_query(const char *address, const char *status_path)
{
	if (strlen(status_path) > 100 || status_path[0] != '/') {
		fprintf(stderr, "app.fcgi --status: the status path must start with '/' and be short\n");
		return 1;
	}
	int fd = listen_connect(address);
	if (fd < 0)
		return 1;
	/* A manager whose workers are all busy answers late; something that is not
	 * a manager may never answer. Either way the shell gets its prompt back. */
	struct timeval limit = { .tv_sec = STATUS_QUERY_SECONDS };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
	char uri[128];
	snprintf(uri, sizeof uri, "%s?text", status_path);
	unsigned char params[512], req[1024];
	size_t pn = 0;
	pn += put_pair(params + pn, "REQUEST_METHOD", "GET");
	pn += put_pair(params + pn, "REQUEST_URI", uri);
	pn += put_pair(params + pn, "QUERY_STRING", "text");
	pn += put_pair(params + pn, "REMOTE_ADDR", "127.0.0.1");
	pn += put_pair(params + pn, "SERVER_PROTOCOL", "HTTP/1.1");
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 }; /* responder, close after */
	size_t n = 0;
	n += put_record(req + n, 1, begin, sizeof begin);
	n += put_record(req + n, 4, params, pn);
	n += put_record(req + n, 4, NULL, 0);
	n += put_record(req + n, 5, NULL, 0);
	if (write_all(fd, req, n) != 0) {
		fprintf(stderr, "app.fcgi --status %s: %s\n", address, strerror(errno));
		close(fd);
		return 1;
	}
	/* The STDOUT records, up to END_REQUEST. */
	char *text = NULL;
	size_t len = 0;
	int rc = 1;
	for (;;) {
		unsigned char h[8];
		if (read_full(fd, h, 8) != 8)
			break;
		size_t cl = ((size_t)h[4] << 8) | h[5], total = cl + h[6];
		unsigned char *body = malloc(total + 1);
		if (body == NULL || (total > 0 && read_full(fd, body, total) != (ssize_t)total)) {
			free(body);
			break;
		}
		if (h[1] == 6 && cl > 0) {
			char *more = realloc(text, len + cl + 1);
			if (more == NULL) {
				free(body);
				break;
			}
			text = more;
			memcpy(text + len, body, cl);
			len += cl;
			text[len] = '\0';
		}
		free(body);
		if (h[1] == 3) {
			rc = 0;
			break;
		}
	}
	close(fd);
	const char *page = text != NULL ? strstr(text, "\r\n\r\n") : NULL;
	if (rc != 0 || page == NULL || strncmp(text, "Status: 200", 11) != 0) {
		fprintf(stderr, "app.fcgi --status %s: no status page at %s (%.*s)\n", address, status_path,
			text != NULL ? (int)strcspn(text, "\r\n") : 0, text != NULL ? text : "no FastCGI answer");
		free(text);
		return 1;
	}
	fputs(page + 4, stdout);
	free(text);
	return 0;
}
