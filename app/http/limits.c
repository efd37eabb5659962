#include "http/limits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static size_t body_bytes = LIMIT_BODY_BYTES_DEFAULT;

/* "0" to "SIZE_MAX" in plain decimal, nothing else. */
static enum app_err parse_size(const char *s, size_t *out)
{
	size_t v = 0;
	if (*s == '\0')
		return APP_ERR_INVALID;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return APP_ERR_INVALID;
		size_t d = (size_t)(*s - '0');
		if (v > (SIZE_MAX - d) / 10)
			return APP_ERR_TOO_LARGE;
		v = v * 10 + d;
	}
	*out = v;
	return APP_OK;
}

enum app_err limits_load(const char **why)
{
	const char *s = getenv("APP_MAX_BODY_BYTES");
	body_bytes = LIMIT_BODY_BYTES_DEFAULT;
	if (s == NULL || *s == '\0')
		return APP_OK;
	size_t v;
	enum app_err err = parse_size(s, &v);
	if (err != APP_OK) {
		static char sentence[160];
		snprintf(sentence, sizeof sentence,
			 "APP_MAX_BODY_BYTES=\"%.40s\" is not a byte count: use digits only, at most %zu", s,
			 (size_t)SIZE_MAX);
		*why = sentence;
		return APP_ERR_INVALID;
	}
	body_bytes = v;
	return APP_OK;
}

size_t limit_body_bytes(void)
{
	return body_bytes;
}
