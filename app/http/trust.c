#include "http/trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static struct trust current; /* all off, X-Forwarded-*: the defaults */
static const char *given_headers;

void trust_configure(struct trust t)
{
	current = t;
}

struct trust trust_get(void)
{
	return current;
}

void trust_set_headers(const char *value)
{
	given_headers = value;
}

static enum app_err bad(const char *name, const char *value, const char *want, const char **why)
{
	static char sentence[200];
	snprintf(sentence, sizeof sentence, "%s=\"%.40s\" is not one of %s", name, value, want);
	*why = sentence;
	return APP_ERR_INVALID;
}

/* A switch: unset or empty is off; anything but the six words is APP_ERR_INVALID. */
static enum app_err read_switch(const char *name, bool *out, const char **why)
{
	const char *v = getenv(name);
	*out = false;
	if (v == NULL || *v == '\0')
		return APP_OK;
	static const char *const on[] = { "on", "1", "true", "yes" }, *const off[] = { "off", "0", "false", "no" };
	for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
		if (strcasecmp(v, on[i]) == 0) {
			*out = true;
			return APP_OK;
		}
		if (strcasecmp(v, off[i]) == 0)
			return APP_OK;
	}
	return bad(name, v, "on, off (1, 0, true, false, yes, no)", why);
}

enum app_err trust_load(const char **why)
{
	struct trust t = { .family = FORWARDED_FAMILY_X };
	const char *v = given_headers != NULL ? given_headers : getenv("FORWARDED_HEADERS");
	if (v != NULL && *v != '\0') {
		if (strcasecmp(v, "forwarded") == 0)
			t.family = FORWARDED_FAMILY_RFC7239;
		else if (strcasecmp(v, "x-forwarded") != 0)
			return bad("FORWARDED_HEADERS", v, "x-forwarded, forwarded", why);
	}
	if (read_switch("FORWARDED_HOST", &t.host, why) != APP_OK ||
	    read_switch("FORWARDED_REQUEST_ID", &t.request_id, why) != APP_OK ||
	    read_switch("FORWARDED_TRACE_ID", &t.trace_id, why) != APP_OK)
		return APP_ERR_INVALID;
	current = t;
	return APP_OK;
}
