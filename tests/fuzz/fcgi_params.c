/* libFuzzer harness: a FastCGI request as the responder sees it after libfcgi
 * has unpacked the records: params in, body stream in, response bytes out,
 * through cgi_env_serve(MOUNT_AT_ROOT), the same call fcgi/ makes.
 * Input layout: one byte choosing the size of the body reads (FCGI_STDIN
 * arrives in records of any size), then "NAME=value" params separated by NUL
 * and ended by an empty one ("\0\0"), then the body bytes.
 * Checked: the body is read exactly up to CONTENT_LENGTH and never past it;
 * a short body never gets a 200; the response is "Status:" + headers + blank
 * line + a body exactly Content-Length long (none for HEAD); no header
 * carries a bare CR or LF. */
#include <stdint.h>

#include "check.h"
#include "http/limits.h"
#include "http/log.h"
#include "support/memory_transport.h"
#include "service/service.h"

/* The last value of NAME among the params, as the gateway sees it (last one wins), or NULL. */
static const char *param(char *const *envp, const char *name)
{
	const char *v = NULL;
	size_t n = strlen(name);
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			v = *envp + n + 1;
	return v;
}

/* CONTENT_LENGTH as a number when it is plain digits within the limit, else -1. */
static long long declared_length(const char *cl)
{
	if (cl == NULL || *cl == '\0')
		return 0;
	unsigned long long n = 0;
	for (const char *p = cl; *p; p++) {
		if (*p < '0' || *p > '9' || n > (1ULL << 40))
			return -1;
		n = n * 10 + (unsigned long long)(*p - '0');
	}
	return n <= limit_body_bytes() ? (long long)n : -1;
}

/* The status of a front server's error-document call (the last REDIRECT_STATUS,
 * three digits 400-599), which the service may answer with; else 0. */
static int front_status(char *const *envp)
{
	const char *v = param(envp, "REDIRECT_STATUS");
	if (v == NULL || strlen(v) != 3 || strspn(v, "0123456789") != 3)
		return 0;
	int status = atoi(v);
	return status >= 400 && status <= 599 ? status : 0;
}

static void check_output(const struct memory_transport *t, bool head, int front, int *status_out)
{
	CHECK(t->writes == 1, "%d writes for one response", t->writes);
	const char *end = fuzz_find(t->out, t->out_n, "\r\n\r\n", 4);
	CHECK(end != NULL, "no blank line after the headers");
	size_t head_n = (size_t)(end - t->out) + 2, body_n = t->out_n - head_n - 2;
	int status = 0;
	CHECK(t->out_n > 12 && memcmp(t->out, "Status: ", 8) == 0, "no Status line");
	for (int i = 8; i < 11; i++) {
		CHECK(t->out[i] >= '0' && t->out[i] <= '9', "status is not three digits");
		status = status * 10 + (t->out[i] - '0');
	}
	CHECK(fuzz_status_expected(status) || (front != 0 && status == front), "status %d", status);
	*status_out = status;
	long long content_length = -1;
	for (const char *line = t->out; line < t->out + head_n;) {
		const char *eol = fuzz_find(line, (size_t)(t->out + head_n - line), "\r\n", 2);
		CHECK(eol != NULL, "header line without CRLF");
		CHECK(memchr(line, '\n', (size_t)(eol - line)) == NULL && memchr(line, '\r', (size_t)(eol - line)) == NULL,
		      "bare CR or LF inside a header line");
		const char *colon = memchr(line, ':', (size_t)(eol - line));
		CHECK(colon != NULL && colon > line, "header line without a name");
		if ((size_t)(colon - line) == 14 && memcmp(line, "Content-Length", 14) == 0)
			content_length = strtoll(colon + 1, NULL, 10);
		line = eol + 2;
	}
	CHECK(content_length >= 0, "no Content-Length");
	if (head)
		CHECK(body_n == 0, "HEAD answered with %zu body bytes", body_n);
	else
		CHECK((long long)body_n == content_length, "Content-Length %lld, body %zu bytes", content_length,
		      body_n);
}

/* What each main() does before the first request: the service's settings
 * (the route table /openapi.json describes). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *why = NULL;
	return service_settings_load(&why) == APP_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* Access lines would flood libFuzzer's stderr; the lambda_event harness checks them. */
	log_configure(LOG_FORMAT_OFF, LOG_INFO);
	struct memory_transport t = { .chunk = (size_t)data[0] * 37 % 4096 + 1 };
	data++, size--;

	/* Params: NUL-terminated strings up to an empty one; whatever follows is the body. */
	char *block = malloc(size + 1);
	memcpy(block, data, size);
	block[size] = '\0';
	char **envp = calloc(size / 2 + 2, sizeof *envp);
	size_t k = 0, i = 0;
	while (i < size && block[i] != '\0') {
		envp[k++] = block + i;
		i += strlen(block + i) + 1;
	}
	envp[k] = NULL;
	i = i < size ? i + 1 : size;
	t.in = block + i;
	t.in_n = size - i;

	const struct transport transport = memory_transport(&t);
	CHECK(cgi_env_serve(envp, "fcgi", MOUNT_AT_ROOT, &transport) == APP_OK, "serving failed");

	const char *method = param(envp, "REQUEST_METHOD");
	int status = 0;
	check_output(&t, method != NULL && strcmp(method, "HEAD") == 0, front_status(envp), &status);

	long long declared = declared_length(param(envp, "CONTENT_LENGTH"));
	CHECK(declared < 0 ? t.in_pos == 0 : t.in_pos <= (size_t)declared, "read %zu body bytes, declared %lld",
	      t.in_pos, declared);
	if (declared > 0 && (size_t)declared > t.in_n)
		CHECK(status >= 400, "a truncated body (%lld declared, %zu sent) answered %d", declared, t.in_n,
		      status);

	free(t.out);
	free(envp);
	free(block);
	return 0;
}
