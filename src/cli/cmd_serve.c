/* SPDX-License-Identifier: ISC */
/*
 * cmd_serve.c: `kiln serve [--listen ADDR] [-d] [-n]`: the HTTP API, a
 * worker and the scheduler, each on its own thread with its own store
 * handle.  SIGTERM/SIGINT: stop claiming, let the running build finish,
 * exit 0.  SIGHUP: reload kiln.yaml (docs/decisions/0065-config-reload.md):
 * a file with errors is refused and the old configuration stays; a good
 * one is swapped in, the worker taking it between builds and the
 * scheduler at its next tick.  `kiln worker` runs a worker alone (more
 * hosts, PostgreSQL) and reloads the same way.
 *
 * Signals only set a flag and write a byte to a pipe (both
 * async-signal-safe); the main thread reads the pipe and does the work,
 * so a signal that arrives while it is busy is never lost.
 *
 * Under systemd (Type=notify, contrib/systemd/kiln.service) the main
 * thread tells the manager READY=1 once the API listens and the threads
 * run, RELOADING=1 ... READY=1 around a SIGHUP reload, STOPPING=1 on the
 * way out, and WATCHDOG=1 every half WatchdogSec from its loop: a main
 * loop that hangs is killed and restarted
 * (docs/decisions/0150-service-readiness.md).  Without NOTIFY_SOCKET
 * every sd_notify call is a no-op.
 *
 * -d detaches (docs/decisions/0151-detach-readiness-pipe.md): fork,
 * setsid, fork again; the first process waits on a pipe and exits 0 when
 * the daemon writes "R<pid>" to it at the same point as READY=1, or 1
 * when the pipe closes first (the daemon failed, and printed why on the
 * stderr they still share).  Only once ready does the daemon point its
 * stdio at /dev/null or --log-file (syslog without one).
 */
#include "common/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <syslog.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <systemd/sd-daemon.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_live.h"
#include "conf/conf_secrets.h"
#include "http/http.h"
#include "queue/queue.h"
#include "sched/sched.h"
#include "cli/cli.h"
#include "cli/site.h"

/*
 * Set by SIGINT/SIGTERM, read by the worker and scheduler threads: a
 * lock-free atomic is both async-signal-safe and race-free across threads
 * (volatile sig_atomic_t is only the former).
 */
static atomic_int stop;
static atomic_int reload_asked;
static int sigpipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		atomic_store(&reload_asked, 1);
	else
		atomic_store(&stop, 1);
	if (write(sigpipe[1], "", 1) == -1) {
		/* the pipe is full: a wake-up is pending anyway */
	}
	errno = saved;
}

struct thr {
	struct conf_live *live;
	char name[160];
};

static void *
worker_thread(void *arg)
{
	struct thr *t = arg;

	worker_loop(t->live, t->name, &stop);
	return NULL;
}

static void *
sched_thread(void *arg)
{
	struct thr *t = arg;

	sched_loop(t->live, &stop);
	return NULL;
}

/* log every line of a multi-line error */
static void
log_lines(const char *prefix, const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		log_warnx("%s%.*s", prefix, (int)(nl ? nl - p :
		    (ptrdiff_t)strlen(p)), p);
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* true if KEY is in the list "a, b, c" */
static bool
in_list(const char *list, const char *key)
{
	size_t n = strlen(key);
	const char *p = list;

	while ((p = strstr(p, key))) {
		if ((p == list || (p - list >= 2 && p[-2] == ',')) &&
		    (p[n] == '\0' || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

/*
 * SIGHUP: load the file again.  *TEXT is the text of the configuration
 * in use (for the list of changed keys), replaced when a new one is
 * applied.
 */
static void
reload(struct conf_live *live, struct buf *text)
{
	struct buf err = BUF_INIT, changed = BUF_INIT, ntext = BUF_INIT;
	const struct conf *cur = conf_live_get(live, NULL);
	char *file = xstrdup(cur->file);
	struct conf *nc = NULL;
	uint64_t gen;

	conf_live_put(live, cur);
	log_info("SIGHUP: reloading %s", file);
	if (file_read(file, &ntext, LIMIT_CONFIG_FILE, &err) == -1 ||
	    !(nc = conf_load(file, &err))) {
		log_lines("reload refused, the old configuration stays: ",
		    err.buf);
		goto out;
	}
	if (conf_changed_keys(text->buf, text->len, ntext.buf, ntext.len,
	    &changed) == -1)
		buf_setf(&changed, "(unknown)");
	if (!changed.len) {
		log_info("reload: %s unchanged", file);
		goto out;
	}
	/* every thread's store handle was opened on it */
	if (in_list(changed.buf, "store")) {
		log_warnx("reload refused, the old configuration stays: "
		    "store changed (changed: %s); it needs a restart",
		    changed.buf);
		goto out;
	}
	conf_register_secrets(nc);
	log_setformat_default((enum log_format)nc->log.format);
	gen = conf_live_set(live, nc);
	nc = NULL;
	log_info("reload: %s applied as configuration %llu; changed: %s",
	    file, (unsigned long long)gen, changed.buf);
	if (in_list(changed.buf, "serve"))
		log_warnx("reload: serve changed: it needs a restart (the "
		    "HTTP server keeps its listen address and settings)");
	buf_reset(text);
	buf_add(text, ntext.buf, ntext.len);
out:
	conf_free(nc);
	free(file);
	buf_release(&err);
	buf_release(&changed);
	buf_release(&ntext);
}

#define RUN_OPTS                                                        \
	{ 'd', "detach", 'd', NULL,                                      \
	    "Detach: run in the background, in a new session; exit 0 "   \
	    "once the daemon serves, or 1 with its error.",               \
	    "in the foreground", false },                                 \
	{ 'P', "pid-file", 0, "FILE",                                    \
	    "Write the daemon's pid to FILE (removed when it stops).",   \
	    NULL, false },                                                \
	{ 'L', "log-file", 0, "FILE",                                    \
	    "With -d: append the log to FILE once running.",             \
	    "syslog (daemon facility)", false },                          \
	{ 'n', "check", 'n', NULL,                                       \
	    "Load the configuration, print \"configuration OK\" and "    \
	    "exit.", NULL, false }

static const struct cli_opt serve_opts[] = {
	{ 'l', "listen", 0, "ADDR", "Listen on ADDR (HOST:PORT).",
	    "serve.listen of kiln.yaml (127.0.0.1:8080)", false },
	{ 'W', "no-worker", 0, NULL, "Run no worker: the API and the "
	    "scheduler only, builds run by kiln worker processes or other "
	    "nodes (PostgreSQL; docs/scaling.md).", NULL, false },
	RUN_OPTS,
	CLI_OPT_END
};
static const struct cli_opt worker_opts[] = { RUN_OPTS, CLI_OPT_END };

static const char *const serve_ex[] = {
	"kiln serve --listen 0.0.0.0:8080",
	"kiln serve -d --pid-file /run/kiln.pid --log-file kiln.log",
	"kill -HUP $(pidof kiln)    # reload kiln.yaml", NULL
};

const struct cli_cmd cli_cmd_serve = {
	"serve", "", "The daemon: HTTP API, worker, scheduler and the local "
	"site.", "SIGHUP reloads kiln.yaml (a file with errors is refused and "
	"the old configuration stays); SIGTERM or SIGINT stops claiming "
	"builds, lets the running one finish and exits 0. The API is "
	"described in kiln-api(7) and docs/daemon.md.", serve_opts, serve_ex,
	NULL, cmd_serve, false
};

const struct cli_cmd cli_cmd_worker = {
	"worker", "", "A worker alone: claims and runs builds (more hosts, "
	"PostgreSQL).", "Signals as for kiln serve.", worker_opts, NULL, NULL,
	cmd_worker, false
};

/* -d: the write end of the readiness pipe, in the daemon */
static int ready_fd = -1;
static int log_fd = -1;		/* --log-file, opened before detaching */

/*
 * -d: fork twice with a setsid between (no controlling terminal, not a
 * session leader).  In the calling process: wait for the daemon to be
 * ready, return 1 with *RC its exit code.  In the daemon: return 0.
 */
static int
detach(const char *name, int *rc)
{
	char buf[32];
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1) {
		*rc = cli_error("pipe: %s", strerror(errno));
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		*rc = cli_error("fork: %s", strerror(errno));
		return 1;
	}
	if (pid > 0) {
		close(p[1]);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		while (got < sizeof(buf) - 1) {
			n = read(p[0], buf + got, sizeof(buf) - 1 - got);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += n;
		}
		close(p[0]);
		buf[got] = '\0';
		if (got > 1 && buf[0] == 'R') {
			cli_info("kiln %s: running in the background, pid %s\n",
			    name, buf + 1);
			*rc = EXIT_OK;
		} else
			*rc = cli_error("%s: the daemon did not start", name);
		return 1;
	}
	close(p[0]);
	if (setsid() == -1)
		_exit(EXIT_FAIL);
	if ((pid = fork()) == -1)
		_exit(EXIT_FAIL);
	if (pid > 0)
		_exit(EXIT_OK);
	ready_fd = p[1];
	return 0;
}

/*
 * The daemon serves: with -d, point stdio at /dev/null and the log at
 * --log-file (or syslog), then tell the waiting process; under systemd,
 * READY=1.
 */
static void
ready(void)
{
	char msg[32];
	int null;

	if (ready_fd != -1) {
		if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
			dup2(null, STDIN_FILENO);
			dup2(log_fd != -1 ? log_fd : null, STDOUT_FILENO);
			dup2(log_fd != -1 ? log_fd : null, STDERR_FILENO);
			close(null);
		}
		if (log_fd == -1)
			log_init(0, LOG_DAEMON);
		snprintf(msg, sizeof(msg), "R%ld", (long)getpid());
		if (write(ready_fd, msg, strlen(msg)) == -1) {
			/* the waiting process is gone: nobody to tell */
		}
		close(ready_fd);
		ready_fd = -1;
	}
	sd_notifyf(0, "READY=1\nMAINPID=%ld\nSTATUS=running", (long)getpid());
}

struct run_opts {
	const char *listen, *pid_file, *log_file;
	bool check, daemonize, worker;
};

/* the options of CMD (serve if SERVE, else worker): -1, or exit status */
static int
run_opts(const struct cli_cmd *cmd, bool serve, int argc, char **argv,
    struct run_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->worker = true;
	while ((ch = cli_getopt(cmd, argc, argv)) != -1) {
		if (ch == 'l' && serve)
			o->listen = optarg;
		else if (ch == 'W' && serve)
			o->worker = false;
		else if (ch == 'n')
			o->check = true;
		else if (ch == 'd')
			o->daemonize = true;
		else if (ch == 'P')
			o->pid_file = optarg;
		else if (ch == 'L')
			o->log_file = optarg;
		else
			return cli_bad_usage(cmd);
	}
	if (optind != argc)
		return cli_bad_usage(cmd);
	if (o->log_file && !o->daemonize) {
		cli_error("--log-file needs -d (in the foreground the log "
		    "is on stderr)");
		return cli_bad_usage(cmd);
	}
	return -1;
}

/* our pid into FILE (NULL: none); 0, or -1 after saying why */
static int
pid_write(const char *file)
{
	struct buf err = BUF_INIT;
	char pid[32];
	int rc = 0;

	if (!file)
		return 0;
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (file_write_atomic(file, pid, strlen(pid), &err) == -1) {
		cli_fail(&err);
		rc = -1;
	}
	buf_release(&err);
	return rc;
}

/* the self-pipe and the handlers of SIGTERM, SIGINT, SIGHUP; 0 or -1 */
static int
signals_init(void)
{
	struct sigaction sa;

	if (pipe2(sigpipe, O_CLOEXEC) == -1 ||
	    fcntl(sigpipe[1], F_SETFL, O_NONBLOCK) == -1) {
		cli_error("pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/*
 * The HTTP server on LISTEN (NULL: serve.listen), which keeps the conf
 * it started with (0065, in *HCP), and the scheduler thread in *STT;
 * NULL after saying why.
 */
static struct http *
serve_start(struct conf_live *live, const char *listen,
    const struct conf **hcp, struct thr *t, pthread_t *stt)
{
	struct buf err = BUF_INIT;
	const struct conf *hc = conf_live_get(live, NULL);
	struct http *h;

	if (!listen)
		listen = hc->serve.listen;
	if (!(h = http_start(hc, listen, &err))) {
		cli_fail(&err);
		conf_live_put(live, hc);
		buf_release(&err);
		return NULL;
	}
	log_info("listening on http://%s", listen);
	pthread_create(stt, NULL, sched_thread, t);
	*hcp = hc;
	return h;
}

/* until SIGTERM or SIGINT: reload on SIGHUP, feed systemd's watchdog */
static void
run_loop(struct conf_live *live, struct buf *text)
{
	uint64_t wd_usec = 0;
	int wd_ms = -1;

	/* WatchdogSec=: ping twice per period, as sd_watchdog_enabled(3) asks */
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0)
		wd_ms = wd_usec / 2000 > 0 ? (int)(wd_usec / 2000) : 1;
	ready();
	log_info("running: SIGHUP reloads kiln.yaml, SIGTERM stops");
	while (!atomic_load(&stop)) {
		struct pollfd pfd = { sigpipe[0], POLLIN, 0 };
		char b;
		int pr = poll(&pfd, 1, wd_ms);

		if (wd_ms >= 0)
			sd_notify(0, "WATCHDOG=1");
		if (pr == -1 && errno != EINTR)
			break;
		if (pr > 0 && read(sigpipe[0], &b, 1) == -1 &&
		    errno != EINTR && errno != EAGAIN)
			break;
		if (!atomic_load(&stop) && atomic_exchange(&reload_asked, 0)) {
			sd_notify(0, "RELOADING=1\nSTATUS=reloading kiln.yaml");
			reload(live, text);
			sd_notify(0, "READY=1\nSTATUS=running");
		}
	}
}

/* open the log, detach, open the site: -1 to go on, or exit status */
static int
run_prepare(const struct cli_cmd *cmd, const struct run_opts *o,
    struct site *s)
{
	struct buf err = BUF_INIT;
	int rc;

	if (o->log_file && (log_fd = open(o->log_file, O_WRONLY | O_CREAT |
	    O_APPEND | O_CLOEXEC, 0640)) == -1)
		return cli_error("cannot open log file '%s': %s", o->log_file,
		    strerror(errno));
	if (o->daemonize && !o->check && detach(cmd->name, &rc) == 1) {
		if (log_fd != -1)
			close(log_fd);
		return rc;
	}
	if (site_open(s, &err) == -1) {
		cli_fail(&err);
		buf_release(&err);
		return EXIT_FAIL;
	}
	if (o->check) {
		cli_info("configuration OK\n");
		site_close(s);
		return EXIT_OK;
	}
	if (pid_write(o->pid_file) == -1) {
		site_close(s);
		return EXIT_FAIL;
	}
	return -1;
}

static int
run(int argc, char **argv, bool serve)
{
	const struct cli_cmd *cmd = serve ? &cli_cmd_serve : &cli_cmd_worker;
	struct buf err = BUF_INIT, text = BUF_INIT;
	struct run_opts o;
	struct site s;
	struct http *h = NULL;
	struct conf_live *live;
	const struct conf *hc = NULL;
	struct thr t;
	pthread_t wt, stt;
	int rc;

	if ((rc = run_opts(cmd, serve, argc, argv, &o)) != -1 ||
	    (rc = run_prepare(cmd, &o, &s)) != -1)
		return rc;
	/* the text in use, to say which keys a reload changes */
	if (file_read(s.conf->file, &text, LIMIT_CONFIG_FILE, &err) == -1)
		buf_reset(&err);
	buf_release(&err);
	if (signals_init() == -1)
		goto fail;
	log_procinit(serve ? "kiln serve" : "kiln worker");
	/* the holder owns the conf from here on */
	live = conf_live_new(s.conf);
	s.conf = NULL;
	t.live = live;
	worker_name(t.name, sizeof(t.name));
	if (serve && !(h = serve_start(live, o.listen, &hc, &t, &stt))) {
		conf_live_free(live);
		goto fail;
	}
	if (o.worker)
		pthread_create(&wt, NULL, worker_thread, &t);
	run_loop(live, &text);
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: the running build "
	    "finishes first");
	log_info("stopping: the running build finishes first");
	if (o.worker)
		pthread_join(wt, NULL);
	if (serve) {
		pthread_join(stt, NULL);
		http_stop(h);
		conf_live_put(live, hc);
	}
	conf_live_free(live);
	close(sigpipe[0]);
	close(sigpipe[1]);
	rc = EXIT_OK;
	goto out;
fail:
	rc = EXIT_FAIL;
out:
	site_close(&s);
	buf_release(&text);
	if (o.pid_file)
		unlink(o.pid_file);
	if (log_fd != -1)
		close(log_fd);
	return rc;
}

int
cmd_serve(int argc, char **argv)
{
	return run(argc, argv, true);
}

int
cmd_worker(int argc, char **argv)
{
	return run(argc, argv, false);
}
