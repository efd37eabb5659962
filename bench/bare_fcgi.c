/* The FastCGI ceiling for make bench: a libfcgi responder that answers each
 * benchmarked path with its fixed body and does nothing else, ending requests
 * as app.fcgi does (fcgi/worker/close.c). lighttpd.conf spawns it in app.fcgi's place.
 * Built with -DBARE_LIBFCGI_FINISH (build/bench/bare_libfcgi) it ends them with
 * libfcgi's own FCGX_Finish_r instead: run with LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0, the
 * plain libfcgi responder that closes at once. Bad input: any other URI gets "/"'s body. */
#include <fcgiapp.h>
#include <string.h>

#ifdef BARE_LIBFCGI_FINISH
#define fcgi_finish FCGX_Finish_r
#else
#include "close.h"
#endif

int main(void)
{
	static const struct { const char *uri, *type, *body; } answers[] = {
		{ "/", "application/json", "{\"status\":\"OK\"}" },
		{ "/math/add?i=5&i=10", "text/plain; charset=utf-8", "15" },
		{ "/items/42?q=x", "application/json", "{\"item_id\":42,\"q\":\"x\"}" },
	};
	FCGX_Request req;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		const char *uri = FCGX_GetParam("REQUEST_URI", req.envp);
		size_t i = 0;
		while (i < 2 && (uri == NULL || strcmp(uri, answers[i].uri) != 0))
			i++;
		FCGX_FPrintF(req.out, "Status: 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", answers[i].type,
			     (int)strlen(answers[i].body), answers[i].body); /* (libfcgi has no %zu) */
		fcgi_finish(&req);
	}
	return 0;
}
