# The fleet on this machine (docs/fleet.md): HAProxy in the part of an AWS ALB,
# in front of lighttpd on the host (the keep-alive race) and of three containers
# of the real image under load (rolling deploy, scaling, a crash).
.PHONY: test-fleet
test: test-fleet

test-fleet: all docs-assets
	BUILD=$(BUILD) tests/fleet/keepalive_race.sh
	BUILD=$(BUILD) tests/fleet/fleet.sh

# make test builds the image once: image-check keeps it when it passes
# (IMAGE_KEEP=1), test-fleet runs after it and removes it. The tag names the
# build context's content (tests/image/lib.sh image_build), so nothing stale is reused.
test: export IMAGE_KEEP := 1
ifneq ($(filter test,$(MAKECMDGOALS)),)
test-fleet: image-check
endif
