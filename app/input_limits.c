#include "input_limits.h"

#include <stdlib.h>

unsigned long limit_body_bytes(void)
{
	const char *s = getenv("APP_MAX_BODY_BYTES");
	if (s == NULL || *s == '\0')
		return LIMIT_BODY_BYTES_DEFAULT;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || *s == '-')
		return LIMIT_BODY_BYTES_DEFAULT;
	return v;
}
