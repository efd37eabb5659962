#include "http/observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum metrics_mode mode;
static char namespace_[256] = "MathService";
static int interval = METRICS_INTERVAL_DEFAULT;
static observe_fn listeners[4];
static int nlisteners;

/* Whole seconds in 1..METRICS_INTERVAL_MAX; anything else (signs, spaces, 0, too many digits) is -1. */
static int parse_interval(const char *s)
{
	long v = 0;
	if (*s == '\0' || strlen(s) > 6)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= 1 && v <= METRICS_INTERVAL_MAX ? (int)v : -1;
}

/* A namespace CloudWatch takes and a JSON string needs no escape for. */
static bool namespace_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255)
		return false;
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

enum app_err observe_load(const char **why)
{
	static char sentence[200];
	const char *m = getenv("METRICS"), *ns = getenv("METRICS_NAMESPACE"), *iv = getenv("METRICS_INTERVAL");
	mode = METRICS_NONE;
	snprintf(namespace_, sizeof namespace_, "MathService");
	interval = METRICS_INTERVAL_DEFAULT;
	if (m != NULL && *m != '\0' && strcmp(m, "none") != 0 && strcmp(m, "emf") != 0) {
		snprintf(sentence, sizeof sentence, "METRICS=\"%.40s\" is not a metrics output: use emf or none", m);
		*why = sentence;
		return APP_ERR_INVALID;
	}
	if (ns != NULL && *ns != '\0' && !namespace_ok(ns)) {
		snprintf(sentence, sizeof sentence,
			 "METRICS_NAMESPACE=\"%.40s\" is not a namespace: 1 to 255 printable ASCII characters, no '\"' or '\\'",
			 ns);
		*why = sentence;
		return APP_ERR_INVALID;
	}
	if (iv != NULL && *iv != '\0' && parse_interval(iv) < 0) {
		snprintf(sentence, sizeof sentence, "METRICS_INTERVAL=\"%.40s\" is not a number of seconds from 1 to %d", iv,
			 METRICS_INTERVAL_MAX);
		*why = sentence;
		return APP_ERR_INVALID;
	}
	if (ns != NULL && *ns != '\0')
		snprintf(namespace_, sizeof namespace_, "%s", ns);
	if (iv != NULL && *iv != '\0')
		interval = parse_interval(iv);
	mode = m != NULL && strcmp(m, "emf") == 0 ? METRICS_EMF : METRICS_NONE;
	return APP_OK;
}

enum metrics_mode observe_mode(void)
{
	return mode;
}

const char *observe_namespace(void)
{
	return namespace_;
}

int observe_interval(void)
{
	return interval;
}

void observe_listen(observe_fn fn)
{
	if (nlisteners < (int)(sizeof listeners / sizeof listeners[0]))
		listeners[nlisteners++] = fn;
}

void observe_request(const struct log_access *a)
{
	for (int i = 0; i < nlisteners; i++)
		listeners[i](a);
}
