#include "listen.h"

#include <errno.h>
#include <linux/filter.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "privileges.h"
#include "systemd.h"

static int listen_is_path(const char *address)
{
	return strchr(address, '/') != NULL;
}

/* Whether a server accepts connections on the unix socket at sa: 1 yes, 0 no
 * (refused or gone: the file is stale), -1 cannot tell (errno says why). */
static int socket_is_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof *sa);
	int err = errno;
	close(fd);
	if (rc == 0)
		return 1;
	errno = err;
	if (err == ECONNREFUSED || err == ENOENT)
		return 0;
	return err == EAGAIN ? 1 : -1; /* EAGAIN: a live server with a full backlog */
}

static int listen_unix(const char *path, struct listen_path *created)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	if (n >= sizeof sa.sun_path) {
		fprintf(stderr, "--listen %s: socket path longer than %zu bytes\n", path, sizeof sa.sun_path - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, n + 1);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "--listen %s: exists and is not a socket; not replacing it\n", path);
			return -1;
		}
		int live = socket_is_live(&sa);
		if (live != 0) {
			fprintf(stderr, "--listen %s: %s; not replacing it\n", path,
				live > 0 ? "in use: another server accepts connections on it" : strerror(errno));
			return -1;
		}
		unlink(path); /* left over from a server that is gone */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, SOMAXCONN) != 0) {
		fprintf(stderr, "--listen %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (lstat(path, &st) == 0)
		*created = (struct listen_path){ path, st.st_dev, st.st_ino };
	return fd;
}

void listen_remove(const struct listen_path *created)
{
	struct stat st;
	if (created->path != NULL && lstat(created->path, &st) == 0 && st.st_dev == created->dev &&
	    st.st_ino == created->ino)
		unlink(created->path);
}

/* "HOST:PORT" / "[V6]:PORT" / ":PORT" split into host (NULL = every address) and port, in buf. */
static int split_host_port(const char *address, char *buf, size_t size, const char **host, const char **port)
{
	size_t n = strlen(address);
	if (n >= size)
		return -1;
	memcpy(buf, address, n + 1);
	char *colon = strrchr(buf, ':');
	if (colon == NULL || colon[1] == '\0')
		return -1;
	*colon = '\0';
	*port = colon + 1;
	char *h = buf;
	if (h[0] == '[') {
		size_t hn = strlen(h);
		if (hn < 2 || h[hn - 1] != ']')
			return -1;
		h[hn - 1] = '\0';
		h++;
	}
	*host = (h[0] == '\0' || strcmp(h, "*") == 0) ? NULL : h;
	return 0;
}

static int listen_tcp(const char *address)
{
	char buf[512];
	const char *host, *port;
	if (split_host_port(address, buf, sizeof buf, &host, &port) != 0) {
		fprintf(stderr, "--listen %s: expected HOST:PORT, :PORT or a socket path\n", address);
		return -1;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "--listen %s: %s\n", address, gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "--listen %s: %s\n", address, strerror(err));
	return fd;
}

int listen_open(const char *address, struct listen_path *created)
{
	*created = (struct listen_path){ NULL, 0, 0 }; /* systemd's socket: never ours to remove */
	int fd = systemd_listen_fd(address);
	if (fd != SYSTEMD_NO_SOCKET)
		return fd;
	return listen_is_path(address) ? listen_unix(address, created) : listen_tcp(address);
}

int listen_connect(const char *address)
{
	if (listen_is_path(address)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		size_t n = strlen(address);
		int fd = n < sizeof sa.sun_path ? socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
		if (fd >= 0) {
			memcpy(sa.sun_path, address, n + 1);
			if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
				return fd;
			close(fd);
		}
		fprintf(stderr, "%s: %s\n", address, n < sizeof sa.sun_path ? strerror(errno) : "path too long");
		return -1;
	}
	char buf[512];
	const char *host, *port;
	if (split_host_port(address, buf, sizeof buf, &host, &port) != 0) {
		fprintf(stderr, "%s: expected HOST:PORT or a socket path\n", address);
		return -1;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	int rc = getaddrinfo(host != NULL ? host : "127.0.0.1", port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", address, gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			err = errno;
			close(fd);
			fd = -1;
		} else if (fd < 0) {
			err = errno;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "%s: %s\n", address, strerror(err));
	return fd;
}

int listen_refuse_new(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return 0;
	/* A socket filter sees a TCP segment from its TCP header on: byte 13 holds
	 * the flags. SYN without ACK is a new connection: keep 0 bytes of it. */
	static struct sock_filter drop_syn[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12), /* SYN | ACK */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = { sizeof drop_syn / sizeof drop_syn[0], drop_syn };
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
		fprintf(stderr, "app.fcgi: cannot stop new connections before the workers drain: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int listen_set_access(const struct listen_path *created, const struct identity *owner, int mode)
{
	if (created->path == NULL)
		return 0;
	if (owner->set && chown(created->path, owner->uid, owner->gid) != 0) {
		fprintf(stderr, "--socket-owner on %s: %s\n", created->path, strerror(errno));
		return -1;
	}
	if (mode >= 0 && chmod(created->path, (mode_t)mode) != 0) {
		fprintf(stderr, "--socket-mode on %s: %s\n", created->path, strerror(errno));
		return -1;
	}
	return 0;
}
