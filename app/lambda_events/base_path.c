/* API_BASE_PATH: the prefix a custom-domain mapping or a "/orders/{proxy+}" resource
 * puts before every path the service knows, taken off before routing and kept as
 * part of the root path so redirects carry it again. Read once, at start (settings.c). */
#include "lambda_events/adapter.h"

#include "core/urlencoding.h"

/* The rest of path after prefix on a segment boundary ("/" when nothing is left),
 * or STR_NULL when path does not start with it. */
static struct str after_prefix(struct str path, struct str prefix)
{
	if (path.n < prefix.n || memcmp(path.p, prefix.p, prefix.n) != 0)
		return STR_NULL;
	struct str rest = { path.p + prefix.n, path.n - prefix.n };
	if (rest.n == 0)
		return STR_LIT("/");
	return rest.p[0] == '/' ? rest : STR_NULL;
}

void lambda_base_path_apply(struct request *req)
{
	struct str base = lambda_settings()->base_path;
	if (str_is_null(base) || req->error_status != 0)
		return;
	struct str path = after_prefix(req->path, base);
	if (str_is_null(path))
		return;
	struct str raw = after_prefix(req->raw_path, base);
	struct buf root;
	buf_init(&root, req->arena);
	buf_append_str(&root, req->root_path);
	buf_append_str(&root, base);
	req->root_path = buf_str(&root);
	req->raw_path = str_is_null(raw) ? percent_encode_path(req->arena, path) : raw;
	req->path = path;
}
