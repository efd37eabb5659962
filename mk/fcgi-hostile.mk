# The hostile FastCGI peers of tests/e2e/fcgi_peers.sh (the drain, the peek at
# request heads, the peer filter) again with ASan + UBSan: about 30 s.
.PHONY: test-asan-fcgi-peers
test-asan-fcgi-peers:
	$(MAKE) SANITIZE=1 all test-hooks
	BUILD=build/asan tests/e2e/fcgi_peers.sh

test-asan: test-asan-fcgi-peers
