# On a Debian server (docs/debian.md): the manager under systemd (socket
# activation and sd_notify through libsystemd), the man pages, and the .deb.

# fcgi/manager/systemd.c links libsystemd (Debian: libsystemd-dev).
SYSTEMD_LIBS := $(call pkg_libs,libsystemd,-lsystemd)
FCGI_LIBS    += $(SYSTEMD_LIBS)

# Man pages (mdoc) for the three binaries.
MAN1 := man/app.cgi.1 man/bootstrap.1
MAN8 := man/app.fcgi.8
MANDIR ?= $(PREFIX)/share/man

.PHONY: test-systemd test-man install-man
test: test-man test-systemd

# `make install` also installs the man pages.
install: install-man
install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/

# mandoc -T lint on the pages (a warning fails); each binary's --help flags
# are the ones its page lists.
test-man: all
	mandoc -T lint -W warning $(MAN1) $(MAN8)
	BUILD=$(BUILD) tests/e2e/man_flags.sh

# The units verified offline (and their exposure score); the manager under
# systemd-socket-activate (unix and TCP, behind nginx) and with a NOTIFY_SOCKET
# the test reads.
test-systemd: all docs-assets
	BUILD=$(BUILD) tests/e2e/systemd_units.sh
	BUILD=$(BUILD) tests/e2e/systemd_activate.sh
	BUILD=$(BUILD) tests/e2e/systemd_notify.sh
