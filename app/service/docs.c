/* /docs: Swagger UI for /openapi.json, and /redoc: ReDoc for it, with their
 * assets served from a local directory (no CDN), so the pages work without
 * internet access. */
#include "service/service.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sysio.h"

/* Largest asset we agree to read (the Swagger UI bundle is about 1.5 MB). */
#define ASSET_MAX_BYTES (8 * 1024 * 1024)

/* URLs are relative so the page works under any prefix (CGI script name, API stage):
 * from ".../docs", "docs/x" is ".../docs/x" and "openapi.json" is ".../openapi.json". */
static const char docs_page[] =
	"<!DOCTYPE html>\n"
	"<html>\n"
	"<head>\n"
	"<link type=\"text/css\" rel=\"stylesheet\" href=\"docs/swagger-ui.css\">\n"
	"<link rel=\"shortcut icon\" href=\"docs/favicon-32x32.png\">\n"
	"<title>math-service - Swagger UI</title>\n"
	"</head>\n"
	"<body>\n"
	"<div id=\"swagger-ui\">\n"
	"</div>\n"
	"<script src=\"docs/swagger-ui-bundle.js\"></script>\n"
	"<script>\n"
	"const ui = SwaggerUIBundle({\n"
	"    url: 'openapi.json',\n"
	"    \"dom_id\": \"#swagger-ui\",\n"
	"    \"layout\": \"BaseLayout\",\n"
	"    \"deepLinking\": true,\n"
	"    \"showExtensions\": true,\n"
	"    \"showCommonExtensions\": true,\n"
	"    presets: [\n"
	"        SwaggerUIBundle.presets.apis,\n"
	"        SwaggerUIBundle.SwaggerUIStandalonePreset\n"
	"    ],\n"
	"})\n"
	"</script>\n"
	"</body>\n"
	"</html>\n";

/* What each page may load: its own files (and the service's answers, for
 * "Try it out" and openapi.json), data: images (Swagger UI's and ReDoc's CSS
 * icons), nothing from elsewhere, and no framing. The one inline script of
 * docs_page is allowed by its SHA-256 (tests/e2e/docs_browser.sh fails when
 * it changes without this). ReDoc (styled-components) writes <style> elements
 * and builds its search index in a Web Worker made from a blob: URL. */
#define CSP_COMMON "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; " \
		   "frame-ancestors 'none'"
static const char docs_csp[] = "default-src 'none'; script-src 'self' 'sha256-KpGpQxZFveBh315kGpOpzFCgutw6tbIjttdjmMck4Jo='; "
			       "style-src 'self'; " CSP_COMMON;
static const char redoc_csp[] = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
				"worker-src blob:; " CSP_COMMON;

/* The security headers of an HTML page (its body untouched). */
static void page_headers(struct response *resp, const char *csp)
{
	response_add_header(resp, "Content-Security-Policy", str_c(csp));
	response_add_header(resp, "X-Content-Type-Options", STR_LIT("nosniff"));
	response_add_header(resp, "X-Frame-Options", STR_LIT("DENY"));
	response_add_header(resp, "Referrer-Policy", STR_LIT("no-referrer"));
}

void handle_docs(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)req, (void)args;
	response_set_body(resp, 200, "text/html; charset=utf-8", (struct str){ docs_page, sizeof docs_page - 1 });
	page_headers(resp, docs_csp);
}

/* FastAPI's get_redoc_html(), without the Google Fonts link; relative URLs as above. */
static const char redoc_page[] =
	"<!DOCTYPE html>\n"
	"<html>\n"
	"<head>\n"
	"<title>math-service - ReDoc</title>\n"
	"<meta charset=\"utf-8\"/>\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<link rel=\"shortcut icon\" href=\"docs/favicon-32x32.png\">\n"
	"<style>\n"
	"  body {\n"
	"    margin: 0;\n"
	"    padding: 0;\n"
	"  }\n"
	"</style>\n"
	"</head>\n"
	"<body>\n"
	"<noscript>\n"
	"    ReDoc requires Javascript to function. Please enable it to browse the documentation.\n"
	"</noscript>\n"
	"<redoc spec-url=\"openapi.json\"></redoc>\n"
	"<script src=\"docs/redoc.standalone.js\"> </script>\n"
	"</body>\n"
	"</html>\n";

void handle_redoc(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)req, (void)args;
	response_set_body(resp, 200, "text/html; charset=utf-8", (struct str){ redoc_page, sizeof redoc_page - 1 });
	page_headers(resp, redoc_csp);
}

/* The only files served: a fixed list, so no request can name another path. */
static const struct {
	const char *name;
	const char *type;
} assets[] = {
	{ "swagger-ui.css", "text/css; charset=utf-8" },
	{ "swagger-ui-bundle.js", "text/javascript; charset=utf-8" },
	{ "favicon-32x32.png", "image/png" },
	{ "redoc.standalone.js", "text/javascript; charset=utf-8" },
};

/* The assets read so far: each file is read once per process, on its first
 * request, and kept (malloc'd, freed at exit) with its ETag. */
static struct {
	char *data;
	struct fixed answer;
} cache[sizeof assets / sizeof assets[0]];

void docs_forget(void)
{
	for (size_t i = 0; i < sizeof cache / sizeof cache[0]; i++) {
		fixed_forget(&cache[i].answer);
		free(cache[i].data);
		cache[i].data = NULL;
	}
}

/* Reads the named asset whole into malloc'd memory. APP_ERR_IO when the file
 * is missing, not a regular file, unreadable, or over ASSET_MAX_BYTES;
 * APP_ERR_NO_MEMORY when malloc fails. */
static enum app_err read_asset(struct arena *a, const char *name, char **data, size_t *size)
{
	const char *dir = service_docs_dir();
	if (dir == NULL)
		return APP_ERR_IO;
	int fd = open(arena_printf(a, "%s/%s", dir, name), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return APP_ERR_IO;
	struct stat st;
	enum app_err err = APP_ERR_IO;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= ASSET_MAX_BYTES) {
		size_t want = (size_t)st.st_size;
		char *p = malloc(want + 1);
		if (p == NULL) {
			close(fd);
			return APP_ERR_NO_MEMORY;
		}
		if (read_full(fd, p, want) == (ssize_t)want) {
			*data = p;
			*size = want;
			err = APP_OK;
		} else {
			free(p);
		}
	}
	close(fd);
	return err;
}

void handle_docs_asset(const struct request *req, const struct arg *args, struct response *resp)
{
	static bool registered;
	for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
		if (!str_eq(args[0].text[0], str_c(assets[i].name)))
			continue;
		if (cache[i].data == NULL) {
			char *data;
			size_t size;
			enum app_err err = read_asset(req->arena, assets[i].name, &data, &size);
			if (err == APP_ERR_NO_MEMORY)
				arena_exhausted(req->arena);
			if (err != APP_OK) {
				response_error(resp, 404, "Not Found");
				return;
			}
			if (!registered && atexit(docs_forget) != 0) {
				free(data);
				arena_exhausted(req->arena); /* atexit() fails only for want of memory */
			}
			registered = true;
			cache[i].data = data;
			fixed_set(&cache[i].answer, (struct str){ data, size });
		}
		fixed_respond(req, resp, assets[i].type, &cache[i].answer, "public, max-age=86400");
		return;
	}
	response_error(resp, 404, "Not Found");
}
