-- lighttpd mod_magnet (Debian: lighttpd-modules-lua): passes the time lighttpd
-- read the request's headers to the FastCGI service as REQUEST_START, in
-- microseconds since the epoch, from which app.fcgi --max-queue-wait
-- (FCGI_MAX_QUEUE_WAIT) measures a request's wait for a worker. lighttpd 1.4.69
-- has no variable for it in setenv. lighttpd.conf runs it (magnet.attract-raw-url-to)
-- when FCGI_MAX_QUEUE_WAIT is set; its cost: docs/fcgi-manager.md, "Overload".
-- Only a request without a body is stamped: lighttpd reads the whole body before
-- it asks a worker, and a slow upload is not a wait for a worker.
local r = lighty.r
if r.req_body.len == 0 then
	local s, ns = lighty.c.hrtime()
	r.req_env["REQUEST_START"] = s * 1000000 + ns // 1000
end
