/* Notes for a person running app.cgi by hand with CGI variables. They go to
 * stderr and never change the response: the service answers what it was given. */
#ifndef CGI_SHELL_HINTS_H
#define CGI_SHELL_HINTS_H

/* When envp looks typed by hand (no GATEWAY_INTERFACE, which every CGI server
 * sets), warns about likely mistakes: a QUERY_STRING starting with '?' (the
 * query is what follows the '?': QUERY_STRING='i=5', not '?i=5'). */
void shell_hints_check(const char *prog, char *const *envp);

#endif
