/* SPDX-License-Identifier: ISC */
/*
 * render_command.c: a site's own build command (render_int.h).
 *
 * With build.command set, kiln renders nothing itself: it runs the
 * command through /bin/sh in the site's folder, "{out}" replaced by the
 * standby folder (quoted), its output and errors into the build log,
 * killed with its process group after build.command_timeout seconds.
 * Then every file the command wrote is hashed into the build's outputs
 * (common/walk.h: links stay inside the folder), and the build goes on
 * as any other: manifest, switch, deploy.
 */
#include "common/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/timeutil.h"
#include "common/walk.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"

static int
hash_tree(struct build *b, const char *root, struct buf *err)
{
	struct walk_list l = WALK_LIST_INIT;
	char **files, sha[65];
	struct stat st;
	int rc = 0;

	if (walk_files(root, &l, err) == -1) {
		walk_list_release(&l);
		return -1;
	}
	files = l.v;
	for (size_t i = 0; i < l.n; i++) {
		char *full = xasprintf("%s/%s", root, files[i]);
		const char *mt = mime_type_for(files[i]);
		if (rc == 0 && sha256_file_hex(full, sha, err) == -1)
			rc = -1;
		if (rc == 0 && stat(full, &st) == -1) {
			buf_setf(err, "%s: %s", full, strerror(errno));
			rc = -1;
		}
		if (rc == 0)
			render_add_file(&b->files, files[i], sha,
			    (int64_t)st.st_size, !strncmp(mt, "text/html", 9) ?
			    MK_HTML : (strstr(mt, "xml") || strstr(mt,
			    "json")) ? MK_FEED : MK_OTHER, false, NULL);
		free(full);
	}
	walk_list_release(&l);
	return rc;
}

int
command_run(struct build *b, struct buf *err)
{
	struct buf cmd = BUF_INIT;
	const char *p = b->c->build.command, *q;
	int pipefd[2], status = 0, rc = -1;
	int64_t deadline = mono_ms() + b->c->build.command_timeout * 1000;
	char chunk[4096];
	pid_t pid;

	while ((q = strstr(p, "{out}")) != NULL) {
		buf_add(&cmd, p, (size_t)(q - p));
		buf_printf(&cmd, "'%s'", b->slot.standby);
		p = q + 5;
	}
	buf_adds(&cmd, p);
	if (pipe2(pipefd, O_CLOEXEC) == -1) {
		buf_setf(err, "build.command: pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) == -1) {
		buf_setf(err, "build.command: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (chdir(b->site_dir) == -1)
			_exit(126);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd.buf, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		int64_t left = deadline - mono_ms();
		ssize_t r;
		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			buf_setf(err, "build.command: timed out after %llds",
			    (long long)b->c->build.command_timeout);
			close(pipefd[0]);
			goto out;
		}
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		if ((r = read(pipefd[0], chunk, sizeof(chunk))) <= 0)
			break;
		if (b->log)
			buf_add(b->log, chunk, (size_t)r);
	}
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_setf(err, "build.command failed (%s %d)",
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status));
		goto out;
	}
	rc = hash_tree(b, b->slot.standby, err);
out:
	buf_release(&cmd);
	return rc;
}
