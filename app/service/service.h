/* app/service: the service itself, and the only folder a user edits to add an
 * endpoint. routes.c holds the route table (one line per endpoint) and
 * app_handle(); handlers.c the endpoints of SPEC.md; openapi.c builds
 * /openapi.json from the table; docs.c serves Swagger UI. Files here include
 * core/, http/ and service/ only (tests/check_layers.sh); the targets reach the
 * service through app_handle(). docs/adding-an-endpoint.md walks through a new route. */
#ifndef APP_SERVICE_SERVICE_H
#define APP_SERVICE_SERVICE_H

#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

/* The service as a function: answers req into resp (initialised by the caller
 * with the same arena). A refused request gets its recorded 4xx; any other
 * gets the route's answer, or the router's 404/405/307/422. HEAD responses get
 * omit_body set. */
void app_handle(const struct request *req, struct response *resp);

/* The route table, in matching order (routes.c). */
extern const struct route app_routes[];
extern const size_t app_route_count;

/* The endpoints. Each receives validated arguments in the order of its route's
 * parameter specs and fills the response. */
void handle_health(const struct request *req, const struct arg *args, struct response *resp);
void handle_math_add(const struct request *req, const struct arg *args, struct response *resp);
void handle_ping(const struct request *req, const struct arg *args, struct response *resp);
void handle_all_users(const struct request *req, const struct arg *args, struct response *resp);
void handle_one_user(const struct request *req, const struct arg *args, struct response *resp);
void handle_read_item(const struct request *req, const struct arg *args, struct response *resp);
void handle_hello(const struct request *req, const struct arg *args, struct response *resp);

/* openapi.c */
void handle_openapi(const struct request *req, const struct arg *args, struct response *resp);

/* docs.c: Swagger UI page, ReDoc page and their locally served assets. */
void handle_docs(const struct request *req, const struct arg *args, struct response *resp);
void handle_redoc(const struct request *req, const struct arg *args, struct response *resp);
void handle_docs_asset(const struct request *req, const struct arg *args, struct response *resp);

#endif
