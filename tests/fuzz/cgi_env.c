/* libFuzzer harness: the CGI environment reader (app/cgi_env/cgi_env.c, MOUNT_AT_SCRIPT)
 * and everything behind it. The input is the environment block a CGI process
 * would get: "NAME=value" strings separated by NUL bytes.
 * Checked: a request that parsed has a valid path and query; a request that
 * failed gets its 4xx (a front server's error-document call its 4xx or 5xx)
 * with a JSON {"detail"} body; every status is one the service can
 * legitimately answer; no response header carries a CR or LF;
 * the declared body is within the limit; the request arena stays linear in
 * the input; a client address taken from a forwarded header is an IP address;
 * a Location is visible ASCII, and one built from forwarded headers is not
 * for shared caches. */
#include <stdint.h>

#include <cjson/cJSON.h>

#include "service/service.h"
#include "check.h"
#include "cgi_env/cgi_env.h"
#include "http/forwarded.h"
#include "http/limits.h"
#include "http/trust.h"

/* Splits a copy of data at NUL bytes into a NULL-terminated envp. */
static char **make_envp(const uint8_t *data, size_t size, char **block)
{
	*block = malloc(size + 1);
	memcpy(*block, data, size);
	(*block)[size] = '\0';
	size_t count = 1;
	for (size_t i = 0; i < size; i++)
		count += data[i] == '\0';
	char **envp = calloc(count + 1, sizeof *envp);
	size_t k = 0;
	for (size_t i = 0; i <= size; i += strlen(*block + i) + 1)
		envp[k++] = *block + i;
	envp[k] = NULL;
	return envp;
}

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void check_request(const struct request *req)
{
	if (req->error_status != 0) {
		/* A front server's error-document call (REDIRECT_STATUS) keeps its 4xx or 5xx. */
		CHECK(req->error_status >= 400 && req->error_status < (req->front_error ? 600 : 500),
		      "request failed with %d", req->error_status);
		return;
	}
	CHECK(req->method.n > 0, "empty method accepted");
	for (size_t i = 0; i < req->method.n; i++)
		CHECK(is_tchar((unsigned char)req->method.p[i]), "method byte 0x%02x accepted",
		      (unsigned char)req->method.p[i]);
	CHECK(req->path.n > 0 && req->path.p[0] == '/', "path does not start with '/'");
	CHECK(str_eq(req->remote_addr, req->peer_addr) || forwarded_trusts(req->remote_addr),
	      "client %.*s is not an IP address", (int)req->remote_addr.n, req->remote_addr.p);
	CHECK(memchr(req->path.p, '\0', req->path.n) == NULL, "NUL in the decoded path");
	CHECK(fuzz_utf8_valid(req->path.p, req->path.n), "decoded path is not UTF-8");
	for (size_t i = 0; i < req->query.n; i++) {
		CHECK(fuzz_utf8_valid(req->query.items[i].name.p, req->query.items[i].name.n), "query name not UTF-8");
		CHECK(fuzz_utf8_valid(req->query.items[i].value.p, req->query.items[i].value.n), "query value not UTF-8");
	}
	for (size_t i = 0; i < req->headers.n; i++)
		for (size_t k = 0; k < req->headers.items[i].name.n; k++)
			CHECK(!(req->headers.items[i].name.p[k] >= 'A' && req->headers.items[i].name.p[k] <= 'Z'),
			      "header name not lower-cased");
}

static void check_response(const struct request *req, const struct response *resp)
{
	CHECK(fuzz_status_expected(resp->status) || req->front_error, "status %d", resp->status);
	if (req->error_status != 0)
		CHECK(resp->status == req->error_status, "request failed with %d, answered %d", req->error_status,
		      resp->status);
	for (size_t i = 0; i < resp->headers.n; i++) {
		struct str v = resp->headers.items[i].value;
		CHECK(v.p != NULL, "header %s without a value", resp->headers.items[i].name.p);
		CHECK(memchr(v.p, '\r', v.n) == NULL && memchr(v.p, '\n', v.n) == NULL && memchr(v.p, '\0', v.n) == NULL,
		      "response header %.*s carries CR, LF or NUL", (int)resp->headers.items[i].name.n,
		      resp->headers.items[i].name.p);
	}
	if (resp->status >= 400) {
		cJSON *doc = cJSON_ParseWithLength(resp->body.p, resp->body.n);
		CHECK(doc != NULL && cJSON_GetObjectItemCaseSensitive(doc, "detail") != NULL,
		      "error %d without a JSON detail: %.*s", resp->status, (int)resp->body.n, resp->body.p);
		cJSON_Delete(doc);
	}
}

/* What each main() does before the first request: the service's settings
 * (the route table /openapi.json describes). Every peer is a trusted proxy
 * (FORWARDED_ALLOW_IPS=*), so that the forwarded-header parsers
 * (http/forwarded.c) see every input whose REMOTE_ADDR is an IP address. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *why = NULL;
	forwarded_set_list("*");
	return service_settings_load(&why) == APP_OK ? 0 : 1;
}

/* A Location is visible ASCII only; a 307 whose Location took a proxy's
 * scheme or host is Cache-Control: no-store. */
static void check_redirect(const struct request *req, const struct response *resp)
{
	bool no_store = false;
	for (size_t i = 0; i < resp->headers.n; i++) {
		struct str name = resp->headers.items[i].name, v = resp->headers.items[i].value;
		no_store |= str_eq(name, STR_LIT("Cache-Control")) && str_eq(v, STR_LIT("no-store"));
		for (size_t k = 0; str_eq(name, STR_LIT("Location")) && k < v.n; k++)
			CHECK((unsigned char)v.p[k] > 0x20 && (unsigned char)v.p[k] < 0x7f, "Location byte 0x%02x",
			      (unsigned char)v.p[k]);
	}
	if (resp->status == 307 && req->origin_forwarded)
		CHECK(no_store, "a redirect built from forwarded headers without Cache-Control: no-store");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Each of http/trust.h's settings, chosen by the input's length (so an input
	 * found replays the same way): both header families, host on and off. */
	trust_configure((struct trust){ .family = size & 1 ? FORWARDED_FAMILY_RFC7239 : FORWARDED_FAMILY_X,
					.host = size & 2, .request_id = size & 4, .trace_id = size & 8 });
	char *block;
	char **envp = make_envp(data, size, &block);

	struct arena a;
	arena_init(&a);
	struct request req;
	request_init(&req, &a, "cgi");
	size_t body_length = 99;
	enum app_err err = cgi_env_parse(&req, envp, MOUNT_AT_SCRIPT, &body_length);
	CHECK((err == APP_OK) == (req.error_status == 0), "parse said %s, request status %d", app_err_name(err),
	      req.error_status);
	check_request(&req);
	CHECK(body_length <= limit_body_bytes(), "a %zu-byte body expected, over the limit", body_length);
	if (req.error_status == 413)
		CHECK(body_length == 0, "a body over the limit is still expected (%zu bytes)", body_length);

	struct response resp;
	response_init(&resp, &a);
	app_handle(&req, &resp);
	check_response(&req, &resp);
	check_redirect(&req, &resp);

	struct buf out;
	buf_init(&out, &a);
	response_serialize_cgi(&resp, &out);
	CHECK(buf_str(&out).n == out.n, "serializing failed");
	/* /openapi.json is the largest fixed answer (tens of KB); the rest grows with the input. */
	CHECK(a.total <= 64 * size + 512 * 1024, "arena grew to %zu bytes for %zu bytes of input", a.total, size);

	arena_release(&a);
	free(envp);
	free(block);
	return 0;
}
