/* The FastCGI parameters the worker itself reads before app/ sees the request. */
#ifndef FCGI_WORKER_PARAMS_H
#define FCGI_WORKER_PARAMS_H

struct worker_params {
	const char *method, *uri, *content_length; /* NULL when absent */
};

/* REQUEST_METHOD, REQUEST_URI and CONTENT_LENGTH from envp ("NAME=value"
 * strings, NULL-terminated; a NULL envp has none) in one pass, where three
 * FCGX_GetParam calls walked it three times. As FCGX_GetParam: names compared
 * exactly (a longer name, one without '=' or in another case is not it), and
 * the first of a repeated name wins. */
struct worker_params worker_params(char *const *envp);

#endif
