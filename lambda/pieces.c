/* A Lambda answer made in pieces (app/http/stream.h), posted as it is made. */
#include "pieces.h"

#include <stdio.h>
#include <unistd.h>

#include "http/log.h"

/* A streamed answer posted as it is made (lambda_event.h lambda_stream_sink):
 * the POST begins with the prelude, then its 8 NUL bytes, each its own chunk,
 * and each piece of the body is a chunk of its own. */
struct piece_post {
	struct runtime_api *api;
	struct str request_id;
	bool begun;
};

static int post_begin(void *ctx, struct str prelude)
{
	struct piece_post *p = ctx;
	p->begun = true;
	if (prelude.p == NULL || runtime_api_stream_begin(p->api, p->request_id) != 0 ||
	    runtime_api_stream_write(p->api, prelude) != 0)
		return -1;
	return runtime_api_stream_write(p->api, (struct str){ "\0\0\0\0\0\0\0\0", 8 });
}

static int post_piece(void *ctx, struct str bytes)
{
	struct piece_post *p = ctx;
	return runtime_api_stream_write(p->api, bytes);
}

int pieces_post(struct runtime_api *api, struct str request_id, struct lambda_invocation *li,
		struct lambda_result *res, struct arena *a, bool *posted)
{
	struct piece_post p = { api, request_id, false };
	const struct lambda_stream_sink sink = { post_begin, post_piece, &p };
	const char *type, *message;
	enum stream_end end = lambda_invocation_stream(li, &sink, res, &type, &message);
	*posted = p.begun;
	if (!p.begun)
		return 0;
	if (end == STREAM_GONE)
		return -1;
	if (end == STREAM_CUT) {
		char line[1024];
		snprintf(line, sizeof line, "streamed answer cut after %zu bytes: %s: %s", res->access.bytes, type, message);
		(void)log_event(STDOUT_FILENO, LOG_ERROR, "lambda", request_id, line);
		struct str doc = lambda_error_json(a, type, message);
		return runtime_api_stream_end(api, type, doc.p != NULL ? doc : STR_LIT("{}"));
	}
	return runtime_api_stream_end(api, NULL, STR_NULL);
}

