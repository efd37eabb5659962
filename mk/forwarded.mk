# Issue 27: the forwarded-header paths through real lighttpd and nginx, with a
# trusted and an untrusted peer, under ASan + UBSan (a Forwarded element
# without for= reached memchr(NULL, ...) there). Part of test-asan.
.PHONY: test-asan-balancer
test-asan: test-asan-balancer
test-asan-balancer:
	$(MAKE) SANITIZE=1 all docs-assets
	BUILD=build/asan tests/e2e/balancer.sh
