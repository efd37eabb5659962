# The fleet on this machine (docs/fleet.md): HAProxy in the part of an AWS ALB,
# in front of lighttpd on the host (the keep-alive race) and of three containers
# of the real image under load (rolling deploy, scaling, a crash).
.PHONY: test-fleet
test: test-fleet

test-fleet: all docs-assets
	BUILD=$(BUILD) tests/fleet/keepalive_race.sh
