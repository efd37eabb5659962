/* A body in pieces (app/http/stream.h): where the target cannot stream (the
 * in-memory transport has no flush, as CGI) the pieces are one body, byte for
 * byte what one response_set_body would give, never compressed; where it can,
 * stream_run hands the head once, before the first byte, then each piece, and
 * says how the stream ended. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "http/forwarded.h"
#include "http/log.h"
#include "http/trust.h"

#define PEER "REMOTE_ADDR=127.0.0.1", "HTTP_X_REQUEST_ID=rid-1"
#define RID "X-Request-Id: rid-1\r\n"

static char *out;
static size_t out_n;

/* A producer that records a failure but goes on as if it had not: it
 * writes, ignores what the writes say, and returns APP_OK. */
static enum app_err ignore_failure(struct stream_writer *w)
{
	enum app_err ignored = stream_fail(w, "Test.Failure", "ignored");
	(void)ignored;
	return APP_OK;
}

/* The pieces a producer writes: "ab", "", "cd", or as the route's path says. */
static enum app_err three_pieces(struct stream_writer *w, void *ctx)
{
	const char *how = ctx;
	if (strcmp(how, "before") == 0)
		return stream_fail(w, "Test.Failure", "before");
	if (strcmp(how, "ignore-before") == 0 || strcmp(how, "ignore-after") == 0) {
		if (strcmp(how, "ignore-before") == 0)
			(void)ignore_failure(w);
		enum app_err e = stream_write(w, STR_LIT("ab"));
		if (strcmp(how, "ignore-after") == 0)
			(void)ignore_failure(w);
		e = stream_write(w, STR_LIT("cd"));
		(void)e;
		return APP_OK;
	}
	if (stream_write(w, STR_LIT("ab")) != APP_OK || stream_write(w, STR_LIT("")) != APP_OK)
		return APP_ERR_IO;
	if (strcmp(how, "after") == 0)
		return stream_fail(w, "Test.Failure", "after");
	return stream_write(w, STR_LIT("cd"));
}

/* 4 KiB of JSON-ish text in 4 pieces: over the compression threshold. */
static enum app_err big_pieces(struct stream_writer *w, void *ctx)
{
	(void)ctx;
	static char piece[1024];
	memset(piece, 'x', sizeof piece);
	for (int i = 0; i < 4; i++)
		if (stream_write(w, (struct str){ piece, sizeof piece }) != APP_OK)
			return APP_ERR_IO;
	return APP_OK;
}

static void handle(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	if (str_eq(req->path, STR_LIT("/__test/big")))
		response_set_stream(resp, 200, "text/plain", big_pieces, NULL);
	else
		response_set_stream(resp, 200, "text/plain", three_pieces,
				    (void *)(str_eq(req->path, STR_LIT("/__test/before"))  ? "before"
					     : str_eq(req->path, STR_LIT("/__test/ignore")) ? "ignore-after"
					     : str_eq(req->path, STR_LIT("/__test/after")) ? "after"
											   : "ok"));
}

static const struct route routes[] = {
	{ .path = "/__test/ok", .methods = M_GET, .handler = handle, .function = "ok", .summary = "Ok" },
	{ .path = "/__test/before", .methods = M_GET, .handler = handle, .function = "b", .summary = "B" },
	{ .path = "/__test/after", .methods = M_GET, .handler = handle, .function = "a", .summary = "A" },
	{ .path = "/__test/big", .methods = M_GET, .handler = handle, .function = "big", .summary = "Big" },
	{ .path = "/__test/ignore", .methods = M_GET, .handler = handle, .function = "ignore", .summary = "Ignore" },
};

static void setup(void)
{
	const char *why;
	cr_assert_eq(forwarded_allow("127.0.0.1", &why), APP_OK);
	trust_configure((struct trust){ .request_id = true });
	log_configure(LOG_FORMAT_OFF, LOG_INFO);
	app_set_test_routes(routes, sizeof routes / sizeof routes[0]);
}

static void teardown(void)
{
	free(out);
	out = NULL;
	app_set_test_routes(NULL, 0);
	cr_assert_eq(forwarded_allow(NULL, &(const char *){ NULL }), APP_OK);
	trust_configure((struct trust){ 0 });
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

TestSuite(stream, .init = setup, .fini = teardown);

Test(stream, pieces_are_one_body_where_the_target_cannot_stream)
{
	cr_assert_eq(serve_in_memory((char *const[]){ "PATH_INFO=/__test/ok", PEER, NULL }, "", 0, &out, &out_n), 0);
	cr_assert_str_eq(out, "Status: 200 OK\r\nContent-Type: text/plain\r\n" RID "Content-Length: 4\r\n\r\nabcd");
}

Test(stream, head_gets_the_length_of_the_get)
{
	serve_in_memory((char *const[]){ "REQUEST_METHOD=HEAD", "PATH_INFO=/__test/ok", PEER, NULL }, "", 0, &out,
			&out_n);
	cr_assert_str_eq(out, "Status: 200 OK\r\nContent-Type: text/plain\r\n" RID "Content-Length: 4\r\n\r\n");
}

Test(stream, a_failure_before_or_after_the_first_piece_is_a_500_with_the_id)
{
	const char *want = "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n" RID
			   "Content-Length: 55\r\n\r\n{\"detail\":\"Internal Server Error\",\"request_id\":\"rid-1\"}";
	serve_in_memory((char *const[]){ "PATH_INFO=/__test/before", PEER, NULL }, "", 0, &out, &out_n);
	cr_assert_str_eq(out, want);
	free(out);
	serve_in_memory((char *const[]){ "PATH_INFO=/__test/after", PEER, NULL }, "", 0, &out, &out_n);
	cr_assert_str_eq(out, want);
}

Test(stream, a_body_in_pieces_is_never_compressed)
{
	serve_in_memory((char *const[]){ "PATH_INFO=/__test/big", "HTTP_ACCEPT_ENCODING=gzip, br", PEER, NULL }, "", 0,
			&out, &out_n);
	cr_assert_not_null(strstr(out, "Content-Length: 4096\r\n"), "%s", out);
	cr_assert_null(strstr(out, "Content-Encoding"));
	cr_assert_null(strstr(out, "Vary"));
}

/* A sink that records what it was given; fail_at: the call (1-based) that fails, 0: none. */
struct record {
	char log[256];
	int calls, fail_at;
};

static int rec_head(void *ctx, const struct response *r)
{
	struct record *rec = ctx;
	snprintf(rec->log + strlen(rec->log), sizeof rec->log - strlen(rec->log), "[head %d]", r->status);
	return ++rec->calls == rec->fail_at ? -1 : 0;
}

static int rec_piece(void *ctx, struct str piece)
{
	struct record *rec = ctx;
	snprintf(rec->log + strlen(rec->log), sizeof rec->log - strlen(rec->log), "[%.*s]", (int)piece.n, piece.p);
	return ++rec->calls == rec->fail_at ? -1 : 0;
}

/* Runs the three-piece producer in mode how into a recording sink. */
static enum stream_end run(const char *how, struct record *rec, struct response *r, struct arena *a)
{
	arena_init(a);
	response_init(r, a);
	response_set_stream(r, 200, "text/plain", three_pieces, (void *)how);
	const struct stream_sink sink = { rec_head, rec_piece, rec };
	return stream_run(r, &sink, STR_LIT("rid-1"));
}

Test(stream, the_head_goes_once_before_the_first_byte_and_empty_pieces_are_nothing)
{
	struct record rec = { 0 };
	struct response r;
	struct arena a;
	cr_assert_eq(run("ok", &rec, &r, &a), STREAM_DONE);
	cr_assert_str_eq(rec.log, "[head 200][ab][cd]");
	cr_assert_eq(r.sent, 4);
	cr_assert_null(r.produce);
	arena_release(&a);
}

Test(stream, a_failure_after_the_first_byte_is_a_cut_with_its_reason)
{
	struct record rec = { 0 };
	struct response r;
	struct arena a;
	cr_assert_eq(run("after", &rec, &r, &a), STREAM_CUT);
	cr_assert_str_eq(rec.log, "[head 200][ab]");
	cr_assert_str_eq(r.fail_type, "Test.Failure");
	arena_release(&a);
}

Test(stream, a_failure_before_the_first_byte_leaves_a_500_to_send_whole)
{
	struct record rec = { 0 };
	struct response r;
	struct arena a;
	cr_assert_eq(run("before", &rec, &r, &a), STREAM_UNSENT);
	cr_assert_str_eq(rec.log, "");
	cr_assert_eq(r.status, 500);
	cr_assert_eq(r.body.n, 55);
	cr_assert_str_eq(response_header(&r, "Content-Type").p, "application/json");
	cr_assert(!r.head_sent);
	arena_release(&a);
}

Test(stream, a_client_gone_stops_the_producer)
{
	struct record rec = { .fail_at = 2 };
	struct response r;
	struct arena a;
	cr_assert_eq(run("ok", &rec, &r, &a), STREAM_GONE);
	cr_assert_str_eq(rec.log, "[head 200][ab]"); /* "cd" never offered */
	arena_release(&a);
}

/* A producer that writes after stream_fail (and returns APP_OK) must neither
 * send those pieces nor make the answer look complete. */
Test(stream, writes_after_a_failure_are_refused_and_the_stream_is_cut)
{
	struct record rec = { 0 };
	struct response r;
	struct arena a;
	cr_assert_eq(run("ignore-after", &rec, &r, &a), STREAM_CUT);
	cr_assert_str_eq(rec.log, "[head 200][ab]"); /* "cd" never offered */
	cr_assert_eq(r.sent, 2);
	cr_assert_str_eq(r.fail_type, "Test.Failure");
	arena_release(&a);
	struct record rec2 = { 0 };
	cr_assert_eq(run("ignore-before", &rec2, &r, &a), STREAM_UNSENT);
	cr_assert_str_eq(rec2.log, "");
	cr_assert_eq(r.status, 500);
	arena_release(&a);
}

Test(stream, writes_after_a_failure_collected_are_a_500)
{
	serve_in_memory((char *const[]){ "PATH_INFO=/__test/ignore", PEER, NULL }, "", 0, &out, &out_n);
	cr_assert_str_eq(out, "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n" RID
			      "Content-Length: 55\r\n\r\n{\"detail\":\"Internal Server Error\",\"request_id\":\"rid-1\"}");
}
