#include "host.h"

#define HOST_MAX_BYTES 300

bool host_is_valid(struct str host)
{
	if (host.n == 0 || host.n > HOST_MAX_BYTES)
		return false;
	for (size_t i = 0; i < host.n; i++) {
		unsigned char c = (unsigned char)host.p[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  (c != '\0' && strchr("-._~!$&'()*+,;=:%[]", c) != NULL);
		if (!ok)
			return false;
	}
	return true;
}
