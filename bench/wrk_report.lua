-- wrk script: after the run, one machine-readable line:
--   RESULT requests_per_second p50_us p99_us errors non_2xx_3xx requests
done = function(summary, latency, requests)
	local e = summary.errors
	local errors = e.connect + e.read + e.write + e.timeout
	io.write(string.format("RESULT %.1f %d %d %d %d %d\n",
		summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(99), errors, e.status, summary.requests))
end
