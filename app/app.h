/* The service as a function: one request in, one response out. Every target
 * calls this; nothing about HTTP semantics is decided outside app/. */
#ifndef APP_APP_H
#define APP_APP_H

#include "request.h"
#include "response.h"

/* Answers req into resp (initialised by the caller with the same arena):
 * the 4xx for a request that failed to build, else the route's answer.
 * HEAD responses get omit_body set. */
void app_handle(const struct request *req, struct response *resp);

#endif
