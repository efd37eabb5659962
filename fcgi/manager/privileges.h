/* --user/--group (php-fpm's user/group, spawn-fcgi -u/-g): a manager started
 * as root runs its workers as another user; --socket-owner/--socket-mode
 * (php-fpm's listen.owner/group/mode, spawn-fcgi -U/-G/-M) set who may
 * connect to its unix socket. */
#ifndef FCGI_PRIVILEGES_H
#define FCGI_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>

struct identity {
	bool set;
	uid_t uid;
	gid_t gid;
	const char *user;   /* for initgroups; NULL: no supplementary groups */
};

/* Resolves --user USER and --group GROUP (names or numbers; GROUP defaults to
 * USER's primary group) into *out. Either may be NULL. Returns -1 after
 * saying why for an unknown name, or when not running as root. */
int privileges_resolve(const char *user, const char *group, struct identity *out);

/* Resolves --socket-owner USER[:GROUP] into *out (GROUP defaults to USER's
 * primary group). Returns -1 after saying why. */
int privileges_resolve_owner(const char *spec, struct identity *out);

/* In a freshly forked worker: drops to *id (supplementary groups, gid, uid),
 * and checks it cannot get root back. Returns -1 after saying why: the
 * worker must then exit, never serve as root. A NULL or unset id: no-op. */
int privileges_drop(const struct identity *id);

#endif
