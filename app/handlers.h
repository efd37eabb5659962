/* The endpoints of SPEC.md. Each receives validated arguments in the order of
 * its route's parameter specs (app/routes.c) and fills the response. */
#ifndef APP_HANDLERS_H
#define APP_HANDLERS_H

#include "router.h"

void handle_health(const struct request *req, const struct arg *args, struct response *resp);
void handle_math_add(const struct request *req, const struct arg *args, struct response *resp);
void handle_ping(const struct request *req, const struct arg *args, struct response *resp);
void handle_all_users(const struct request *req, const struct arg *args, struct response *resp);
void handle_one_user(const struct request *req, const struct arg *args, struct response *resp);
void handle_read_item(const struct request *req, const struct arg *args, struct response *resp);
void handle_hello(const struct request *req, const struct arg *args, struct response *resp);

/* app/openapi.c */
void handle_openapi(const struct request *req, const struct arg *args, struct response *resp);

/* app/docs.c: Swagger UI page and its locally served assets. */
void handle_docs(const struct request *req, const struct arg *args, struct response *resp);
void handle_docs_asset(const struct request *req, const struct arg *args, struct response *resp);

#endif
