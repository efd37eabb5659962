/* One request through a CGI-style gateway: meta-variables and a body stream
 * in, "Status:" + headers + body out, and one access log line on stderr. The
 * CGI main and the FastCGI worker loop both call this with their own byte streams. */
#include "cgi_env/cgi_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/log.h"
#include "http/observe.h"
#include "http/request_id.h"
#include "service/service.h"

/* Everything one request needs, so that arena_run() can run it as one unit. */
struct exchange {
	char *const *envp;
	const char *target;
	enum cgi_mount mount;
	const struct transport *t;
	struct arena *arena;
	struct request req;
	struct response resp;
	struct str output;  /* the serialized response (empty once a streamed one has gone out) */
	enum stream_end end; /* a body in pieces sent as they came (http/stream.h) */
	char id[REQUEST_ID_MAX + 1]; /* the request id, kept outside the arena for a 500 */
	const char *unavailable; /* NULL, or the detail of a 503 answered without the handler */
};

/* Reads exactly `length` body bytes into the arena; a short body refuses the request. */
static enum app_err read_body(struct request *req, size_t length, const struct transport *t)
{
	if (length == 0)
		return APP_OK;
	char *p = arena_alloc(req->arena, length + 1);
	size_t got = 0;
	while (got < length) {
		ssize_t n = t->read(t->ctx, p + got, length - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < length)
		return request_refuse(req, 400,
				      arena_printf(req->arena,
						   "Request body truncated: Content-Length is %zu but only %zu bytes arrived",
						   length, got));
	p[length] = '\0';
	req->body = (struct str){ p, length };
	return APP_OK;
}

/* The sink of a streamed answer (http/stream.h): the head, then each piece flushed. */
static int stream_head(void *ctx, const struct response *r)
{
	struct exchange *x = ctx;
	struct buf head;
	buf_init(&head, x->arena);
	response_serialize_cgi_head(r, &head);
	buf_append(&head, "\r\n", 2);
	struct str h = buf_str(&head);
	return x->t->write(x->t->ctx, h.p, h.n) != 0 || x->t->flush(x->t->ctx) != 0 ? -1 : 0;
}

static int stream_piece(void *ctx, struct str piece)
{
	struct exchange *x = ctx;
	return x->t->write(x->t->ctx, piece.p, piece.n) != 0 || x->t->flush(x->t->ctx) != 0 ? -1 : 0;
}

/* Sends the answer's pieces as they come; false when nothing left and the
 * answer (now a 500) is to be sent whole. nginx passes such an answer on at
 * once only when told (X-Accel-Buffering: no); lighttpd streams by its
 * server.stream-response-body. */
static bool send_pieces(struct exchange *x)
{
	response_add_header(&x->resp, "X-Accel-Buffering", STR_LIT("no"));
	const struct stream_sink sink = { stream_head, stream_piece, x };
	x->end = stream_run(&x->resp, &sink, x->req.request_id);
	x->output = STR_LIT("");
	return x->end != STREAM_UNSENT;
}

static void answer(void *ctx)
{
	struct exchange *x = ctx;
	struct request *req = &x->req;
	size_t body_length = 0;
	enum app_err err = cgi_env_parse(req, x->envp, x->mount, &body_length);
	request_assign_id(req, STR_NULL);
	memcpy(x->id, req->request_id.p, req->request_id.n);
	x->id[req->request_id.n] = '\0';
	if (x->unavailable != NULL) /* in place of any 4xx; the body is left unread */
		err = request_set_front_error(req, 503, x->unavailable);
	else if (err == APP_OK)
		err = read_body(req, body_length, x->t);
	(void)err; /* APP_ERR_REFUSED: req holds the 4xx, which app_handle() answers */

	req->streams = x->t->flush != NULL;
	app_handle(req, &x->resp);
	if (x->unavailable != NULL)
		response_add_header(&x->resp, "Retry-After", STR_LIT("1"));
	if (x->resp.produce != NULL && send_pieces(x))
		return;
	struct buf out;
	buf_init(&out, x->arena);
	response_serialize_cgi(&x->resp, &out);
	x->output = buf_str(&out);
}

/* A stream that failed past its first byte: cut where it stands, and said in the log. */
static void stream_cut(struct exchange *x)
{
	if (x->t->cut != NULL)
		x->t->cut(x->t->ctx);
	char message[512];
	snprintf(message, sizeof message, "streamed answer cut after %zu bytes: %s: %s", x->resp.sent,
		 x->resp.fail_type != NULL ? x->resp.fail_type : "Stream.Error",
		 x->resp.fail_message != NULL ? x->resp.fail_message : "");
	(void)log_event(STDERR_FILENO, LOG_ERROR, x->target, x->req.request_id, message);
}

/* One arena for every request of the process: arena_reset() keeps its first
 * chunk between requests (a FastCGI worker serves thousands), and exit frees it. */
static struct arena process_arena;

static void release_process_arena(void)
{
	arena_release(&process_arena);
}

/* cgi_env_serve(), or with unavailable set cgi_env_serve_unavailable(). */
static enum app_err serve(char *const *envp, const char *target, enum cgi_mount mount, const struct transport *t,
			  const char *unavailable)
{
	long long start = now_us();
	static bool registered;
	if (!registered) {
		registered = atexit(release_process_arena) == 0;
		arena_init(&process_arena);
	}
	struct arena *arena = &process_arena;
	struct exchange x = { .envp = envp, .target = target, .mount = mount, .t = t, .arena = arena };
	x.unavailable = unavailable;
	request_init(&x.req, arena, target);
	response_init(&x.resp, arena);
	struct str bytes;
	char out_of_memory[512], body[256];
	bool ran = arena_run(arena, answer, &x) == APP_OK;
	if (!ran && x.resp.head_sent) {
		x.end = STREAM_CUT; /* out of memory mid-stream: the head is out, no 500 can follow */
		x.resp.fail_type = "Runtime.OutOfMemory";
		x.resp.fail_message = "out of memory while streaming the answer";
		bytes = STR_LIT("");
	} else if (!ran) {
		/* What the request got so far stays valid for the log line; the answer is a 500. */
		if (x.id[0] == '\0')
			request_id_generate(x.id);
		x.req.request_id = str_c(x.id);
		int body_n = snprintf(body, sizeof body, "{\"detail\":\"Internal Server Error\",\"request_id\":\"%s\"}", x.id);
		int n = snprintf(out_of_memory, sizeof out_of_memory,
				 "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\nX-Request-Id: %s\r\n"
				 "Content-Length: %d\r\n\r\n%s",
				 x.id, body_n, body);
		bytes = (struct str){ out_of_memory, (size_t)n };
		x.resp.status = 500;
		x.resp.body = (struct str){ body, (size_t)body_n };
		x.resp.omit_body = false;
		log_event(STDERR_FILENO, LOG_ERROR, target, x.req.request_id, "out of memory while answering the request");
	} else {
		bytes = x.output;
	}
	int rc = x.resp.head_sent ? (x.end == STREAM_DONE ? 0 : -1) : t->write(t->ctx, bytes.p, bytes.n);
	if (x.end == STREAM_CUT)
		stream_cut(&x);
	struct log_access line;
	log_access_from(&line, &x.req, &x.resp);
	if (x.resp.head_sent)
		line.bytes = x.resp.sent;
	line.duration_us = now_us() - start;
	(void)log_access_write(STDERR_FILENO, &line);
	observe_request(&line);
	if (registered)
		arena_reset(arena);
	else
		arena_release(arena); /* nobody would free a kept chunk at exit */
	return rc == 0 ? APP_OK : APP_ERR_IO;
}

enum app_err cgi_env_serve(char *const *envp, const char *target, enum cgi_mount mount, const struct transport *t)
{
	return serve(envp, target, mount, t, NULL);
}

enum app_err cgi_env_serve_unavailable(char *const *envp, const char *target, enum cgi_mount mount,
				       const struct transport *t, const char *detail)
{
	return serve(envp, target, mount, t, detail);
}
