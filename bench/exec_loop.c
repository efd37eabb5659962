/* Times what a CGI server pays per request: fork, execve, wait. Runs each
 * command ROUNDS x BATCH times, the commands taking turns batch by batch (each
 * round starting with the next one) so that all see the same machine load, and
 * prints one line per command:
 *   <label> <wall us per run> <CPU us per run> <runs>
 * each the median over the rounds. CPU time (this process, which forks, plus
 * the children: user + system) is what the request costs the machine, and it
 * holds still when other work on the machine makes wall time jump.
 * Usage: exec_loop ROUNDS BATCH LABEL=PROG [LABEL=PROG ...]
 * The child gets the current environment (the caller sets the CGI variables),
 * stdin from /dev/null and stdout to /dev/null; a non-zero exit is an error. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double cpu_us(void)
{
	struct rusage self, children;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	double us = 0;
	const struct rusage *both[] = { &self, &children };
	for (int i = 0; i < 2; i++)
		us += (double)(both[i]->ru_utime.tv_sec + both[i]->ru_stime.tv_sec) * 1e6 +
		      (double)(both[i]->ru_utime.tv_usec + both[i]->ru_stime.tv_usec);
	return us;
}

static int run_once(const char *prog, int devnull)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		char *const argv[] = { (char *)prog, NULL };
		execve(prog, argv, environ);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s ROUNDS BATCH LABEL=PROG...\n", argv[0]);
		return 2;
	}
	int rounds = atoi(argv[1]), batch = atoi(argv[2]), cmds = argc - 3;
	if (rounds < 1 || batch < 1)
		return 2;
	int devnull = open("/dev/null", O_RDWR);
	double *per_run = calloc((size_t)rounds * (size_t)cmds, sizeof *per_run);
	double *cpu_per_run = calloc((size_t)rounds * (size_t)cmds, sizeof *cpu_per_run);
	if (devnull < 0 || per_run == NULL || cpu_per_run == NULL)
		return 1;
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < cmds; k++) {
			int c = (r + k) % cmds;  /* each round starts with the next command: no order bias */
			const char *prog = strchr(argv[3 + c], '=') + 1;
			double t0 = now_us(), c0 = cpu_us();
			for (int i = 0; i < batch; i++) {
				if (run_once(prog, devnull) != 0) {
					fprintf(stderr, "exec_loop: %s failed\n", prog);
					return 1;
				}
			}
			per_run[c * rounds + r] = (now_us() - t0) / batch;
			cpu_per_run[c * rounds + r] = (cpu_us() - c0) / batch;
		}
	}
	for (int c = 0; c < cmds; c++) {
		qsort(per_run + c * rounds, (size_t)rounds, sizeof *per_run, cmp_double);
		qsort(cpu_per_run + c * rounds, (size_t)rounds, sizeof *cpu_per_run, cmp_double);
		printf("%.*s %.1f %.1f %d\n", (int)(strchr(argv[3 + c], '=') - argv[3 + c]), argv[3 + c],
		       per_run[c * rounds + rounds / 2], cpu_per_run[c * rounds + rounds / 2], rounds * batch);
	}
	return 0;
}
