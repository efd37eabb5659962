#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A whole decimal id, or -1. */
static long numeric_id(const char *s)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	long n = strtol(s, &end, 10);
	return *end != '\0' || errno != 0 || n < 0 || n > 0x7fffffff ? -1 : n;
}

static int find_user(const char *user, uid_t *uid, gid_t *gid, const char *flag)
{
	struct passwd *pw = getpwnam(user);
	long n = pw == NULL ? numeric_id(user) : -1;
	if (pw == NULL && n >= 0)
		pw = getpwuid((uid_t)n);
	if (pw == NULL && n < 0) {
		fprintf(stderr, "app.fcgi: %s %s: no such user\n", flag, user);
		return -1;
	}
	*uid = pw != NULL ? pw->pw_uid : (uid_t)n;
	*gid = pw != NULL ? pw->pw_gid : (gid_t)n;
	return 0;
}

static int find_group(const char *group, gid_t *gid, const char *flag)
{
	struct group *gr = getgrnam(group);
	long n = gr == NULL ? numeric_id(group) : -1;
	if (gr == NULL && n < 0) {
		fprintf(stderr, "app.fcgi: %s %s: no such group\n", flag, group);
		return -1;
	}
	*gid = gr != NULL ? gr->gr_gid : (gid_t)n;
	return 0;
}

int privileges_resolve(const char *user, const char *group, struct identity *out)
{
	*out = (struct identity){ 0 };
	if (user == NULL && group == NULL)
		return 0;
	if (geteuid() != 0) {
		fprintf(stderr, "app.fcgi: --user/--group need the manager to start as root\n");
		return -1;
	}
	out->uid = getuid();
	out->gid = getgid();
	if (user != NULL && find_user(user, &out->uid, &out->gid, "--user") != 0)
		return -1;
	if (group != NULL && find_group(group, &out->gid, "--group") != 0)
		return -1;
	out->user = user != NULL && getpwnam(user) != NULL ? user : NULL;
	out->set = true;
	return 0;
}

int privileges_resolve_owner(const char *spec, struct identity *out)
{
	*out = (struct identity){ 0 };
	char user[256];
	const char *colon = strchr(spec, ':');
	size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (n == 0 || n >= sizeof user) {
		fprintf(stderr, "app.fcgi: --socket-owner wants USER or USER:GROUP, not '%s'\n", spec);
		return -1;
	}
	memcpy(user, spec, n);
	user[n] = '\0';
	if (find_user(user, &out->uid, &out->gid, "--socket-owner") != 0)
		return -1;
	if (colon != NULL && find_group(colon + 1, &out->gid, "--socket-owner") != 0)
		return -1;
	out->set = true;
	return 0;
}

int privileges_drop(const struct identity *id)
{
	if (id == NULL || !id->set)
		return 0;
	int rc = id->user != NULL ? initgroups(id->user, id->gid) : setgroups(0, NULL);
	if (rc != 0 || setgid(id->gid) != 0 || setuid(id->uid) != 0) {
		fprintf(stderr, "app.fcgi: cannot become uid %ld gid %ld: %s\n", (long)id->uid, (long)id->gid,
			strerror(errno));
		return -1;
	}
	if (id->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		fprintf(stderr, "app.fcgi: could get root back after dropping it; refusing to serve\n");
		return -1;
	}
	return 0;
}
