/* The CORS settings as cors_load() parsed them (cors_settings.c), for cors.c. */
#ifndef APP_HTTP_CORS_SETTINGS_H
#define APP_HTTP_CORS_SETTINGS_H

#include "http/cors.h"

#define CORS_LIST_MAX 64
#define CORS_JOINED_MAX 4096

/* A comma-separated setting: its items (slices of the environment string) and whether one is "*". */
struct cors_list {
	size_t n;
	bool all;
	struct str items[CORS_LIST_MAX];
};

struct cors_config {
	bool enabled;
	bool credentials;
	long long max_age;
	struct cors_list origins, methods, headers, expose;
	/* Header values joined once at start (cors_join). */
	char allow_methods[CORS_JOINED_MAX];  /* the methods, or all seven for * */
	char allow_headers[CORS_JOINED_MAX];  /* Starlette's sorted safelisted + configured; "" for * */
	char expose_headers[CORS_JOINED_MAX]; /* "" when none */
	char max_age_text[24];
	size_t allowed_header_count;          /* lower-cased names a preflight may ask for */
	struct str allowed_headers[CORS_LIST_MAX + 4];
};

extern struct cors_config cors_config;

/* Fills the joined values of c from its lists; false when one would be longer
 * than CORS_JOINED_MAX - 1 (the setting is refused then). */
bool cors_join(struct cors_config *c);

#endif
