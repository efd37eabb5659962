/* CORS settings: parsed and checked once, at start (cors_load()); the header
 * values the answers carry are joined here too, never per request. */
#include "http/cors_settings.h"

#include <stdio.h>
#include <stdlib.h>

#include "http/router.h"

struct cors_config cors_config;

static char sentence[200];

/* Records why a setting is refused (at most 40 bytes of the value shown). */
static enum app_err refuse(const char **why, const char *name, const char *value, const char *what)
{
	snprintf(sentence, sizeof sentence, "%s=\"%.40s\": %s", name, value, what);
	*why = sentence;
	return APP_ERR_INVALID;
}

/* scheme "://" host [":" port], nothing after: what a browser sends as Origin. */
static bool is_origin(struct str s)
{
	size_t i = 0;
	while (i + 3 <= s.n && memcmp(s.p + i, "://", 3) != 0)
		i++;
	if (i == 0 || i + 3 > s.n)
		return false;
	struct str rest = { s.p + i + 3, s.n - i - 3 };
	return host_is_valid(rest) && !str_has_byte(rest, '/');
}

/* Splits a comma-separated value into list (trimmed, no empty entries); each
 * item must pass ok(). Refused: too many items, a bad item. */
static enum app_err split_list(const char *name, const char *value, struct cors_list *list,
			       bool (*ok)(struct str), const char *what, const char **why)
{
	list->n = 0;
	list->all = false;
	for (struct str rest = str_c(value); !str_is_null(rest);) {
		struct str item = str_trim(str_split(&rest, ','));
		if (item.n == 0)
			continue;
		if (list->n == CORS_LIST_MAX)
			return refuse(why, name, value, "more than 64 entries");
		if (str_eq(item, STR_LIT("*")))
			list->all = true;
		else if (!ok(item))
			return refuse(why, name, value, what);
		list->items[list->n++] = item;
	}
	return APP_OK;
}

static bool is_method(struct str s)
{
	return is_http_token(s) && s.n <= 32;
}

/* "true"/"false" (empty: false). */
static enum app_err load_bool(const char *name, bool *out, const char **why)
{
	const char *s = getenv(name);
	*out = false;
	if (s == NULL || *s == '\0' || strcmp(s, "false") == 0)
		return APP_OK;
	if (strcmp(s, "true") == 0) {
		*out = true;
		return APP_OK;
	}
	return refuse(why, name, s, "use true or false");
}

/* Seconds, digits only, at most 2147483647 (empty: 600). */
static enum app_err load_max_age(const char **why)
{
	const char *s = getenv("CORS_MAX_AGE");
	cors_config.max_age = 600;
	if (s == NULL || *s == '\0')
		return APP_OK;
	long long v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9' && v <= 2147483647LL; p++)
		v = v * 10 + (*p - '0');
	if (*p != '\0' || v > 2147483647LL)
		return refuse(why, "CORS_MAX_AGE", s, "not a number of seconds (digits only, at most 2147483647)");
	cors_config.max_age = v;
	return APP_OK;
}

/* The variable's value, or fallback when unset or empty. */
static const char *env_or(const char *name, const char *fallback)
{
	const char *s = getenv(name);
	return s != NULL && *s != '\0' ? s : fallback;
}

/* Any CORS_* other than CORS_ALLOW_ORIGINS set: a mistake when origins are not. */
static const char *stray_setting(void)
{
	static const char *const names[] = { "CORS_ALLOW_METHODS", "CORS_ALLOW_HEADERS", "CORS_ALLOW_CREDENTIALS",
					     "CORS_MAX_AGE", "CORS_EXPOSE_HEADERS" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (*env_or(names[i], "") != '\0')
			return names[i];
	return NULL;
}

enum app_err cors_load(const char **why)
{
	struct cors_config *c = &cors_config;
	*c = (struct cors_config){ 0 };
	const char *origins = env_or("CORS_ALLOW_ORIGINS", "");
	if (*origins == '\0') {
		const char *stray = stray_setting();
		if (stray == NULL)
			return APP_OK;
		snprintf(sentence, sizeof sentence, "%s is set but CORS_ALLOW_ORIGINS is not: CORS is off without it",
			 stray);
		*why = sentence;
		return APP_ERR_INVALID;
	}
	if (split_list("CORS_ALLOW_ORIGINS", origins, &c->origins, is_origin,
		       "each origin is * or scheme://host[:port], comma-separated", why) != APP_OK ||
	    split_list("CORS_ALLOW_METHODS", env_or("CORS_ALLOW_METHODS", "GET"), &c->methods, is_method,
		       "each method is * or an HTTP method token, comma-separated", why) != APP_OK ||
	    split_list("CORS_ALLOW_HEADERS", env_or("CORS_ALLOW_HEADERS", ""), &c->headers, is_http_token,
		       "each header is * or a header name, comma-separated", why) != APP_OK ||
	    split_list("CORS_EXPOSE_HEADERS", env_or("CORS_EXPOSE_HEADERS", ""), &c->expose, is_http_token,
		       "each header is a header name, comma-separated", why) != APP_OK ||
	    load_bool("CORS_ALLOW_CREDENTIALS", &c->credentials, why) != APP_OK || load_max_age(why) != APP_OK)
		return APP_ERR_INVALID;
	if (c->expose.all)
		return refuse(why, "CORS_EXPOSE_HEADERS", env_or("CORS_EXPOSE_HEADERS", ""), "* is not allowed here");
	if (c->origins.n == 0)
		return refuse(why, "CORS_ALLOW_ORIGINS", origins, "no origin in the list");
	if (!cors_join(c))
		return refuse(why, "CORS_ALLOW_ORIGINS", origins, "the CORS header lists join to over 4095 bytes");
	c->enabled = true;
	return APP_OK;
}
