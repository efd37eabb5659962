/* A body in pieces: collected into one body, or handed to a target's sink. */
#include "http/stream.h"

struct stream_writer {
	struct response *r;
	const struct stream_sink *sink;  /* NULL: collect into body */
	struct buf body;
	bool gone;
};

void response_set_stream(struct response *r, int status, const char *content_type, stream_producer *produce,
			 void *ctx)
{
	response_set_body(r, status, content_type, STR_LIT(""));
	r->produce = produce;
	r->produce_ctx = ctx;
	r->streamed = true;
}

enum app_err stream_write(struct stream_writer *w, struct str piece)
{
	if (w->gone || w->r->fail_type != NULL)
		return APP_ERR_IO; /* a producer that failed sends nothing more */
	if (piece.n == 0)
		return APP_OK; /* an empty chunk would end a chunked stream, an empty record FCGI_STDOUT */
	if (w->sink == NULL) {
		buf_append_str(&w->body, piece);
		return APP_OK;
	}
	if (!w->r->head_sent) {
		w->r->head_sent = true;
		if (w->sink->head(w->sink->ctx, w->r) != 0) {
			w->gone = true;
			return APP_ERR_IO;
		}
	}
	if (w->sink->piece(w->sink->ctx, piece) != 0) {
		w->gone = true;
		return APP_ERR_IO;
	}
	w->r->sent += piece.n;
	return APP_OK;
}

enum app_err stream_fail(struct stream_writer *w, const char *type, const char *message)
{
	if (w->r->fail_type == NULL) {
		w->r->fail_type = type;
		w->r->fail_message = message;
	}
	return APP_ERR_IO;
}

/* Runs the producer once; a producer that returns an error without saying why
 * (and the client is not gone) is recorded as Stream.Error, and one that said
 * why (stream_fail) but returned APP_OK has failed all the same. */
static enum app_err produce(struct stream_writer *w)
{
	struct response *r = w->r;
	stream_producer *p = r->produce;
	r->produce = NULL;
	enum app_err err = p(w, r->produce_ctx);
	if (err == APP_OK && r->fail_type != NULL)
		err = APP_ERR_IO;
	if (err != APP_OK && !w->gone && r->fail_type == NULL) {
		r->fail_type = "Stream.Error";
		r->fail_message = app_err_name(err);
	}
	return err;
}

enum stream_end stream_run(struct response *r, const struct stream_sink *sink, struct str request_id)
{
	struct stream_writer w = { .r = r, .sink = sink };
	enum app_err err = produce(&w);
	if (w.gone)
		return STREAM_GONE;
	if (err != APP_OK && !r->head_sent) {
		response_error_id(r, 500, http_reason(500), request_id);
		return STREAM_UNSENT;
	}
	if (err != APP_OK)
		return STREAM_CUT;
	if (!r->head_sent) {
		/* No piece had bytes: the head alone, an empty body. */
		r->head_sent = true;
		if (sink->head(sink->ctx, r) != 0)
			return STREAM_GONE;
	}
	return STREAM_DONE;
}

void stream_collect(struct response *r)
{
	struct stream_writer w = { .r = r };
	buf_init(&w.body, r->arena);
	if (produce(&w) != APP_OK) {
		/* As a handler that failed: the handler's headers (its Content-Type) go too. */
		r->headers.n = 0;
		response_error(r, 500, http_reason(500));
		return;
	}
	r->body = buf_str(&w.body);
}
