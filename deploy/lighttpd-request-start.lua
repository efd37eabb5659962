-- lighttpd mod_magnet (Debian: lighttpd-modules-lua): passes the time lighttpd
-- read the request to the FastCGI service as REQUEST_START (seconds.millis, as
-- nginx's $msec), from which app.fcgi --max-queue-wait (FCGI_MAX_QUEUE_WAIT)
-- measures a request's wait for a worker. lighttpd 1.4.69 has no variable for
-- it in setenv; this costs lighttpd about 23 us of CPU a request
-- (docs/fcgi-manager.md, "Overload"). Enable it in lighttpd.conf with
--   server.modules += ("mod_magnet")
--   magnet.attract-raw-url-to = (var.app_dir + "/lighttpd-request-start.lua")
local s, ns = lighty.c.hrtime()
lighty.r.req_env["REQUEST_START"] = string.format("%d.%03d", s, ns // 1000000)
