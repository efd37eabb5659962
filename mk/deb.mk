# On a Debian server (docs/debian.md): the manager under systemd (socket
# activation and sd_notify through libsystemd), the man pages, and the .deb.

# fcgi/manager/systemd.c links libsystemd (Debian: libsystemd-dev).
SYSTEMD_LIBS := $(call pkg_libs,libsystemd,-lsystemd)
FCGI_LIBS    += $(SYSTEMD_LIBS)

.PHONY: test-systemd
test: test-systemd

# The units verified offline (and their exposure score); the manager under
# systemd-socket-activate (unix and TCP, behind nginx) and with a NOTIFY_SOCKET
# the test reads.
test-systemd: all docs-assets
	BUILD=$(BUILD) tests/e2e/systemd_units.sh
	BUILD=$(BUILD) tests/e2e/systemd_activate.sh
	BUILD=$(BUILD) tests/e2e/systemd_notify.sh
