/* SPDX-License-Identifier: ISC */
/*
 * cmd_serve.c: `kiln serve [--listen ADDR] [-d] [-n]`: the HTTP API, a
 * worker and the scheduler, each on its own thread with its own store
 * handle.  SIGTERM/SIGINT: stop claiming, let the running build finish,
 * exit 0.  `kiln worker` runs a worker alone (more hosts, PostgreSQL).
 */
#include "common/compat.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "common/buf.h"
#include "common/log.h"
#include "conf/conf.h"
#include "http/http.h"
#include "queue/queue.h"
#include "queue/scheduler.h"
#include "cli/cli.h"
#include "cli/site.h"

/*
 * Set by SIGINT/SIGTERM, read by the worker and scheduler threads: a
 * lock-free atomic is both async-signal-safe and race-free across threads
 * (volatile sig_atomic_t is only the former).
 */
static atomic_int stop;

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

struct thr {
	const struct conf *c;
	char name[160];
};

static void *
worker_thread(void *arg)
{
	struct thr *t = arg;

	worker_loop(t->c, t->name, &stop);
	return NULL;
}

static void *
sched_thread(void *arg)
{
	struct thr *t = arg;

	scheduler_loop(t->c, &stop);
	return NULL;
}

static int
run(int argc, char **argv, bool serve)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "listen", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	struct site s;
	struct http *h = NULL;
	struct thr t;
	pthread_t wt, stt;
	struct sigaction sa;
	const char *listen = NULL;
	bool check = false;
	int ch;

	if (cli_wants_help(argc, argv))
		return cli_usage(serve ? "serve" : "worker", 0);
	while ((ch = getopt_long(argc, argv, "dl:n", opts, NULL)) != -1) {
		if (ch == 'l' && serve)
			listen = optarg;
		else if (ch == 'n')
			check = true;
		else if (ch != 'd')
			return cli_usage(serve ? "serve" : "worker", 1);
	}
	if (optind != argc)
		return cli_usage(serve ? "serve" : "worker", 1);
	if (site_open(&s, &err) == -1) {
		cli_fail(&err);
		buf_release(&err);
		return EXIT_FAIL;
	}
	if (check) {
		printf("configuration OK\n");
		site_close(&s);
		return EXIT_OK;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_procinit(serve ? "kiln serve" : "kiln worker");
	t.c = s.conf;
	worker_name(t.name, sizeof(t.name));
	if (serve) {
		if (!listen)
			listen = s.conf->serve.listen;
		if (!(h = http_start(s.conf, listen, &err))) {
			cli_fail(&err);
			site_close(&s);
			buf_release(&err);
			return EXIT_FAIL;
		}
		log_info("listening on http://%s", listen);
		pthread_create(&stt, NULL, sched_thread, &t);
	}
	pthread_create(&wt, NULL, worker_thread, &t);
	while (!atomic_load(&stop))
		pause();
	log_info("stopping: the running build finishes first");
	pthread_join(wt, NULL);
	if (serve) {
		pthread_join(stt, NULL);
		http_stop(h);
	}
	site_close(&s);
	buf_release(&err);
	return EXIT_OK;
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
