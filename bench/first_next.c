/* Times exec -> first GET /2018-06-01/runtime/invocation/next: for each command,
 * the time from fork() to the moment the request line and headers of its first
 * /next arrive on a loopback socket standing in for the Lambda Runtime API. The
 * commands take turns run by run, so they see the same machine load; each is then
 * killed. Prints one line per command: <label> <median ms> <min ms> <runs>.
 * Usage: first_next RUNS LABEL=PROGRAM[,ARG...] ...  (arguments split on ',').
 * A command that sends nothing within 20 s is an error (exit 1). */
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8
#define MAX_RUNS 1000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Waits for one connection on lfd and for the end of its first request's headers. */
static int first_request(int lfd)
{
	struct pollfd p = { lfd, POLLIN, 0 };
	if (poll(&p, 1, 20000) != 1)
		return -1;
	int fd = accept(lfd, NULL, NULL);
	char buf[4096];
	size_t n = 0;
	while (fd >= 0 && n < sizeof buf - 1) {
		struct pollfd q = { fd, POLLIN, 0 };
		ssize_t r = poll(&q, 1, 20000) == 1 ? read(fd, buf + n, sizeof buf - 1 - n) : -1;
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return strncmp(buf, "GET /2018-06-01/runtime/invocation/next ", 40) == 0 ? fd : (close(fd), -1);
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[1]) : 0, ncmd = argc - 2;
	if (runs < 1 || runs > MAX_RUNS || ncmd > MAX_CMDS) {
		fprintf(stderr, "usage: first_next RUNS LABEL=PROGRAM[,ARG...] ...\n");
		return 2;
	}
	char *label[MAX_CMDS], *args[MAX_CMDS][16];
	for (int c = 0; c < ncmd; c++) {
		char *eq = strchr(argv[c + 2], '=');
		if (eq == NULL)
			return 2;
		*eq = '\0';
		label[c] = argv[c + 2];
		int k = 0;
		for (char *t = strtok(eq + 1, ","); t != NULL && k < 15; t = strtok(NULL, ","))
			args[c][k++] = t;
		args[c][k] = NULL;
	}
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
		return 1;
	char api[32];
	snprintf(api, sizeof api, "127.0.0.1:%d", ntohs(sa.sin_port));
	setenv("AWS_LAMBDA_RUNTIME_API", api, 1);
	static double ms[MAX_CMDS][MAX_RUNS];
	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < ncmd; i++) {
			int c = (i + r) % ncmd;
			double t0 = now_ms();
			pid_t pid = fork();
			if (pid == 0) {
				execv(args[c][0], args[c]);
				_exit(127);
			}
			int fd = first_request(lfd);
			ms[c][r] = now_ms() - t0;
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			if (fd < 0) {
				fprintf(stderr, "first_next: %s sent no /next\n", label[c]);
				return 1;
			}
			close(fd);
		}
	}
	for (int c = 0; c < ncmd; c++) {
		qsort(ms[c], (size_t)runs, sizeof ms[c][0], cmp);
		printf("%s %.3f %.3f %d\n", label[c], ms[c][runs / 2], ms[c][0], runs);
	}
	return 0;
}
