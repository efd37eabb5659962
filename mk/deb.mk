# On a Debian server (docs/debian.md): the manager under systemd (socket
# activation and sd_notify through libsystemd), the man pages, and the .deb.

# Man pages (mdoc) for the three binaries.
MAN1 := man/app.cgi.1 man/bootstrap.1
MAN8 := man/app.fcgi.8
MANDIR ?= $(PREFIX)/share/man

.PHONY: test-systemd test-systemd-asan test-man install-man deb test-deb
test: test-deb test-man test-systemd test-systemd-asan

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

# The same two with app.fcgi built with ASan + UBSan (as test-asan does the others).
test-systemd-asan:
	$(MAKE) SANITIZE=1 all docs-assets
	BUILD=build/asan tests/e2e/systemd_activate.sh
	BUILD=build/asan tests/e2e/systemd_notify.sh

# The .deb (debian/; docs/debian.md), built offline with dpkg-buildpackage from
# a copy of the tree in build/deb/src, so that the .deb, .buildinfo and .changes
# land in build/deb/ and not beside the checkout. The Swagger UI files come
# from node_modules (make deps).
DEB_DIR := build/deb
deb: $(addprefix node_modules/swagger-ui-dist/,$(DOCS_ASSETS)) node_modules/redoc/bundles/redoc.standalone.js
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	git ls-files -co --exclude-standard -z | grep -zv '^node_modules$$\|/node_modules$$' | \
		xargs -0 tar -cf - | tar -xf - -C $(DEB_DIR)/src
	ln -s $(abspath node_modules) $(DEB_DIR)/src/node_modules
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_DIR)/src
	ls $(DEB_DIR)/*.deb

# lintian: no error, warning or info tag (each one left is overridden, with the
# reason, in debian/math-service.lintian-overrides); then the package
# installed, run, purged in a throwaway root (tests/image/deb_package.sh).
test-deb: deb
	lintian --fail-on error,warning,info $(DEB_DIR)/math-service_*.deb
	BUILD=$(BUILD) DEB=$$(ls $(DEB_DIR)/math-service_*_*.deb) tests/image/deb_package.sh
