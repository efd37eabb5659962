/* The Lambda adapters' settings, API_BASE_PATH and LAMBDA_TEXT_MIME_TYPES: read
 * from the environment and checked once, at start (lambda_settings_load()), and
 * copied here, so an invocation reads no environment variable. */
#include "lambda_events/adapter.h"
#include "lambda_events/lambda_event.h"

#include <stdio.h>
#include <stdlib.h>

/* "/" and the base path (no trailing '/'), NUL-terminated. */
static char base_path[1 + LAMBDA_BASE_PATH_MAX + 1];
/* Each entry "type/sub" or "type/" and a star, as written (case kept). */
static char text_type_bytes[LAMBDA_TEXT_TYPES_MAX][2 * LAMBDA_MEDIA_NAME_MAX + 2];
static struct str text_types[LAMBDA_TEXT_TYPES_MAX];
static struct lambda_settings settings = { .text_types = text_types }; /* no base path */

/* The sentence of the last refusal (static: *why points here). */
static char sentence[320];

static enum app_err refuse(const char **why, const char *name, struct str value, const char *what)
{
	snprintf(sentence, sizeof sentence, "%s=\"%.*s%s\" %s", name, (int)(value.n > 40 ? 40 : value.n), value.p,
		 value.n > 40 ? "..." : "", what);
	*why = sentence;
	return APP_ERR_INVALID;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* What API Gateway allows in an API mapping's path besides '/': letters, digits, $-_.+!*'(). */
static bool is_base_path_byte(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("$-_.+!*'()", c) != NULL);
}

/* One segment between slashes: not empty, not "." or "..", API Gateway's characters only. */
static bool is_base_path_segment(struct str seg)
{
	if (seg.n == 0 || str_eq(seg, STR_LIT(".")) || str_eq(seg, STR_LIT("..")))
		return false;
	for (size_t i = 0; i < seg.n; i++)
		if (!is_base_path_byte(seg.p[i]))
			return false;
	return true;
}

static enum app_err load_base_path(const char **why)
{
	static const char name[] = "API_BASE_PATH";
	struct str value = str_c(getenv(name));
	if (value.n == 0)
		return APP_OK;
	if (value.p[0] != '/')
		return refuse(why, name, value, "does not start with '/': write the prefix as a path, \"/orders\"");
	struct str path = value;
	while (path.n > 1 && path.p[path.n - 1] == '/')
		path.n--;
	if (path.n == 1)
		return APP_OK; /* "/": no prefix */
	if (path.n - 1 > LAMBDA_BASE_PATH_MAX)
		return refuse(why, name, value, "is longer than 300 characters (API Gateway's limit for a base path)");
	for (struct str rest = { path.p + 1, path.n - 1 }; !str_is_null(rest);)
		if (!is_base_path_segment(str_split(&rest, '/')))
			return refuse(why, name, value,
				      "is not a base path: segments of letters, digits and $-_.+!*'() between "
				      "single slashes, none of them . or .. (API Gateway's rule for a base path)");
	memcpy(base_path, path.p, path.n);
	base_path[path.n] = '\0';
	settings.base_path = (struct str){ base_path, path.n };
	return APP_OK;
}

/* An RFC 6838 type or subtype name: a letter or digit, then up to 126 of letters,
 * digits and !#$&-^_.+ */
static bool is_media_name(struct str s)
{
	if (s.n == 0 || s.n > LAMBDA_MEDIA_NAME_MAX || !is_alnum(s.p[0]))
		return false;
	for (size_t i = 1; i < s.n; i++)
		if (!is_alnum(s.p[i]) && strchr("!#$&-^_.+", s.p[i]) == NULL)
			return false;
	return true;
}

/* "type/sub" or "type/" and a star. */
static bool is_text_type_entry(struct str entry)
{
	struct str sub = entry, type = str_split(&sub, '/');
	return !str_is_null(sub) && is_media_name(type) && (str_eq(sub, STR_LIT("*")) || is_media_name(sub));
}

static enum app_err load_text_types(const char **why)
{
	static const char name[] = "LAMBDA_TEXT_MIME_TYPES";
	struct str value = str_c(getenv(name));
	size_t n = 0;
	for (struct str list = value; !str_is_null(list);) {
		struct str entry = str_trim(str_split(&list, ','));
		if (entry.n == 0)
			continue;
		if (!is_text_type_entry(entry)) {
			snprintf(sentence, sizeof sentence,
				 "%s: \"%.*s%s\" is not a media type: write type/subtype or type/* (RFC 6838 names of "
				 "at most 127 characters, no parameters), comma-separated",
				 name, (int)(entry.n > 40 ? 40 : entry.n), entry.p, entry.n > 40 ? "..." : "");
			*why = sentence;
			return APP_ERR_INVALID;
		}
		if (n == LAMBDA_TEXT_TYPES_MAX)
			return refuse(why, name, value, "lists more than 64 media types");
		memcpy(text_type_bytes[n], entry.p, entry.n);
		text_type_bytes[n][entry.n] = '\0';
		text_types[n] = (struct str){ text_type_bytes[n], entry.n };
		n++;
	}
	settings.n_text_types = n;
	return APP_OK;
}

enum app_err lambda_settings_load(const char **why)
{
	settings.base_path = STR_NULL;
	settings.n_text_types = 0;
	if (load_base_path(why) == APP_OK && load_text_types(why) == APP_OK)
		return APP_OK;
	settings.base_path = STR_NULL;
	settings.n_text_types = 0;
	return APP_ERR_INVALID;
}

const struct lambda_settings *lambda_settings(void)
{
	return &settings;
}
