/* SPDX-License-Identifier: ISC */
/*
 * runner.c: runs every TEST of one unit binary, each in a forked child in
 * a fresh temporary folder, with a timeout (libuv's runner-unix.c).
 * Prints TAP, then "N passed, N failed".  Usage: unit_X [SUBSTRING...]
 */
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define X(suite, name) void test_##suite##__##name(void);
#include "test-list.h"
#undef X

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define X(suite, name) { #suite "/" #name, test_##suite##__##name },
#include "test-list.h"
#undef X
	{ NULL, NULL }
};

static char tmpdir[4096];

void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

const char *
test_tmpdir(void)
{
	return tmpdir;
}

const char *
test_srcdir(void)
{
	const char *s = getenv("KILN_SRC");

	return s ? s : KILN_SOURCE_DIR;
}

const char *
test_conformancedir(void)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/tests/conformance", test_srcdir());
	return buf;
}

static int
selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

static int
run_one(int idx, int timeout)
{
	char tmpl[] = "/tmp/kiln-unit-XXXXXX";
	char cmd[4200];
	pid_t pid, w;
	int status = 0, waited = 0, rc;

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return -1;
	}
	fflush(stdout);
	if ((pid = fork()) == -1) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		strlcpy(tmpdir, tmpl, sizeof(tmpdir));
		if (chdir(tmpl) == -1)
			_exit(2);
		setpgid(0, 0);
		tests[idx].fn();
		fflush(stdout);
		_exit(0);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR)
			break;
		if (waited >= timeout * 100) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "# timeout after %d s\n", timeout);
			status = -1;
			break;
		}
		usleep(10000);
		waited++;
	}
	rc = (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) ?
	    0 : 1;
	if (status != -1 && WIFSIGNALED(status))
		fprintf(stderr, "# killed by signal %d\n", WTERMSIG(status));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", tmpl);
	return rc;
}

int
main(int argc, char **argv)
{
	int n = 0, pass = 0, fail = 0, timeout = 30, mult = 1;
	const char *m = getenv("KILN_TEST_TIMEOUT_MULT");

	if (m && strtonum(m, 1, 100, NULL) > 0)
		mult = (int)strtonum(m, 1, 100, NULL);
	timeout *= mult;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; tests[i].name; i++)
		if (selected(tests[i].name, argc, argv))
			n++;
	printf("1..%d\n", n);
	n = 0;
	for (int i = 0; tests[i].name; i++) {
		if (!selected(tests[i].name, argc, argv))
			continue;
		n++;
		if (run_one(i, timeout) == 0) {
			pass++;
			printf("ok %d - %s\n", n, tests[i].name);
		} else {
			fail++;
			printf("not ok %d - %s\n", n, tests[i].name);
		}
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
