/* lambda/: posting an answer made in pieces (app/http/stream.h) to the Runtime
 * API as it is made, when the function's invoke mode is RESPONSE_STREAM. */
#ifndef LAMBDA_PIECES_H
#define LAMBDA_PIECES_H

#include <stdbool.h>

#include "core/arena.h"
#include "lambda_events/lambda_event.h"
#include "runtime_api.h"

/* For res->stream_pending (after lambda_invocation_finish): runs the
 * producer, posting the prelude, its 8 NUL bytes and each piece as chunks of
 * one streaming POST for request_id. *posted when the POST began; else
 * nothing went out and res holds the whole answer to post as usual (a
 * producer that failed at once). An error after the first byte ends the
 * stream with the Runtime API's error trailers (and an ERROR event line).
 * 0, or -1 when the Runtime API failed (runtime_api_error says why). */
int pieces_post(struct runtime_api *api, struct str request_id, struct lambda_invocation *li,
		struct lambda_result *res, struct arena *a, bool *posted);

#endif
