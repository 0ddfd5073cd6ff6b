/* SPDX-License-Identifier: ISC */
/*
 * db_pg.c: the statement layer on PostgreSQL through libpq (db.h).
 *
 * Statements run with PQexecParams, parameters and results as text
 * (bytea parameters binary).  The SQL is the store's one dialect: `?`
 * and `?N` become `$N`, group_concat becomes string_agg and instr
 * strpos.  A statement that fails because the connection broke (the
 * server restarted) is retried once on a new connection when that is
 * safe: outside a transaction.  Inside one the error is "unavailable"
 * and the caller's ROLLBACK reconnects.
 */
#include "common/compat.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>

#include <libpq-fe.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/db.h"

#define BYTEAOID	17
#define BOOLOID		16

struct db_pg {
	struct db base;
	PGconn *h;
	int64_t changes;
	bool in_tx;		/* the last command left a transaction open */
	char *channel;		/* LISTENing on, or NULL */
};

struct stmt_pg {
	struct stmt base;
	char *sql;		/* with $N placeholders */
	int nparams;
	char **values;
	int *lengths;
	int *formats;
	Oid *types;
	PGresult *res;
	int row;		/* -1 before the first step */
	int nrows;
	unsigned char *blob;	/* the last unescaped bytea */
};

static struct db_pg *
P(struct db *db)
{
	return (struct db_pg *)db;
}

static struct stmt_pg *
SP(struct stmt *s)
{
	return (struct stmt_pg *)s;
}

/* an error from RES (or the connection): its kind by SQLSTATE */
static void
seterr(struct db *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
	    NULL;
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	enum err_kind kind = ERR_INTERNAL;

	if (!msg || !*msg)
		msg = PQerrorMessage(P(db)->h);
	if (PQstatus(P(db)->h) != CONNECTION_OK)
		kind = ERR_UNAVAILABLE;
	else if (state && strcmp(state, "23505") == 0)
		kind = ERR_CONFLICT;
	else if (state && (strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strncmp(state, "57P", 3) == 0))
		kind = ERR_UNAVAILABLE;
	db_seterr(db, kind, msg);
}

/* a broken connection outside a transaction: reconnect; true if up */
static bool
reconnect(struct db *db)
{
	if (PQstatus(P(db)->h) == CONNECTION_OK)
		return false;
	PQreset(P(db)->h);
	P(db)->in_tx = false;
	return PQstatus(P(db)->h) == CONNECTION_OK;
}

static void
after(struct db *db)
{
	P(db)->in_tx = PQtransactionStatus(P(db)->h) != PQTRANS_IDLE;
}

static void
p_close(struct db *db)
{
	if (P(db)->h)
		PQfinish(P(db)->h);
	free(P(db)->channel);
	free(db->errmsg);
	free(db);
}

static bool
is_rollback(const char *sql)
{
	return strncasecmp(sql, "ROLLBACK", 8) == 0;
}

static int
p_exec(struct db *db, const char *sql)
{
	PGresult *res;
	bool retry = !P(db)->in_tx;
	ExecStatusType st;

	if (PQstatus(P(db)->h) != CONNECTION_OK) {
		if (P(db)->in_tx && is_rollback(sql)) {
			/* the transaction died with the connection */
			reconnect(db);
			return 0;
		}
		if (P(db)->in_tx || !reconnect(db)) {
			P(db)->in_tx = false;
			seterr(db, NULL);
			return -1;
		}
	}
again:
	res = PQexec(P(db)->h, sql);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		if (retry && PQstatus(P(db)->h) != CONNECTION_OK &&
		    reconnect(db)) {
			PQclear(res);
			retry = false;
			goto again;
		}
		if (is_rollback(sql) && PQstatus(P(db)->h) != CONNECTION_OK) {
			PQclear(res);
			reconnect(db);
			return 0;
		}
		seterr(db, res);
		PQclear(res);
		after(db);
		return -1;
	}
	PQclear(res);
	after(db);
	return 0;
}

/* the store's SQL for PostgreSQL: placeholders and the few words */
static char *
rewrite(const char *sql, int *nparams)
{
	struct buf b = BUF_INIT;
	int next = 0, max = 0;
	const char *p = sql;

	while (*p) {
		if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');
			size_t n = q ? (size_t)(q - p) + 1 : strlen(p);
			buf_add(&b, p, n);
			p += n;
		} else if (*p == '?') {
			int n;
			p++;
			if (isdigit((unsigned char)*p)) {
				n = 0;
				while (isdigit((unsigned char)*p))
					n = n * 10 + (*p++ - '0');
			} else
				n = ++next;
			if (n > max)
				max = n;
			buf_printf(&b, "$%d", n);
		} else if (strncasecmp(p, "group_concat(", 13) == 0 &&
		    (p == sql || !isalnum((unsigned char)p[-1]))) {
			buf_adds(&b, "string_agg(");
			p += 13;
		} else if (strncasecmp(p, "instr(", 6) == 0 &&
		    (p == sql || !isalnum((unsigned char)p[-1]))) {
			buf_adds(&b, "strpos(");
			p += 6;
		} else
			buf_addch(&b, *p++);
	}
	*nparams = max;
	return buf_detach(&b, NULL);
}

static void
clear_params(struct stmt_pg *s)
{
	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
		s->types[i] = 0;
	}
}

static void
clear_result(struct stmt_pg *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = NULL;
}

static int
p_prepare(struct db *db, const char *sql, struct stmt **out)
{
	struct stmt_pg *s = xcalloc(1, sizeof(*s));
	int n;

	s->base.db = db;
	s->sql = rewrite(sql, &n);
	s->nparams = n;
	s->values = xcalloc((size_t)n + 1, sizeof(*s->values));
	s->lengths = xcalloc((size_t)n + 1, sizeof(*s->lengths));
	s->formats = xcalloc((size_t)n + 1, sizeof(*s->formats));
	s->types = xcalloc((size_t)n + 1, sizeof(*s->types));
	s->row = -1;
	*out = &s->base;
	return 0;
}

static void
set_param(struct stmt *st, int i, char *v, int len, int format, Oid type)
{
	struct stmt_pg *s = SP(st);

	if (i < 1 || i > s->nparams) {
		free(v);
		return;
	}
	free(s->values[i - 1]);
	s->values[i - 1] = v;
	s->lengths[i - 1] = len;
	s->formats[i - 1] = format;
	s->types[i - 1] = type;
}

static void
p_bind_i64(struct stmt *s, int i, int64_t v)
{
	set_param(s, i, xasprintf("%lld", (long long)v), 0, 0, 0);
}

static void
p_bind_text(struct stmt *s, int i, const char *v)
{
	set_param(s, i, xstrdup(v), 0, 0, 0);
}

static void
p_bind_blob(struct stmt *s, int i, const void *v, size_t len)
{
	char *copy = xmalloc(len ? len : 1);

	memcpy(copy, v, len);
	set_param(s, i, copy, (int)len, 1, BYTEAOID);
}

static void
p_bind_null(struct stmt *s, int i)
{
	set_param(s, i, NULL, 0, 0, 0);
}

static int
p_run(struct stmt_pg *s)
{
	struct db *db = s->base.db;
	bool retry = !P(db)->in_tx;
	ExecStatusType st;

	if (PQstatus(P(db)->h) != CONNECTION_OK &&
	    (P(db)->in_tx || !reconnect(db))) {
		P(db)->in_tx = false;
		seterr(db, NULL);
		return -1;
	}
again:
	s->res = PQexecParams(P(db)->h, s->sql, s->nparams, s->types,
	    (const char *const *)s->values, s->lengths, s->formats, 0);
	st = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		if (retry && PQstatus(P(db)->h) != CONNECTION_OK &&
		    reconnect(db)) {
			PQclear(s->res);
			s->res = NULL;
			retry = false;
			goto again;
		}
		seterr(db, s->res);
		clear_result(s);
		after(db);
		return -1;
	}
	after(db);
	P(db)->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
	s->nrows = st == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
	return 0;
}

static int
p_step(struct stmt *st)
{
	struct stmt_pg *s = SP(st);

	if (s->row == -1 && !s->res) {
		if (p_run(s) == -1)
			return -1;
	}
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = NULL;
	s->row++;
	return s->row < s->nrows ? STMT_ROW : STMT_DONE;
}

static bool
p_col_null(struct stmt *st, int i)
{
	struct stmt_pg *s = SP(st);

	if (!s->res || s->row >= s->nrows || i >= PQnfields(s->res))
		return true;
	return PQgetisnull(s->res, s->row, i);
}

static int
p_col_count(struct stmt *st)
{
	return SP(st)->res ? PQnfields(SP(st)->res) : 0;
}

static const char *
p_col_text(struct stmt *st, int i)
{
	struct stmt_pg *s = SP(st);

	if (p_col_null(st, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static int64_t
p_col_i64(struct stmt *st, int i)
{
	const char *v = p_col_text(st, i);

	if (!v)
		return 0;
	if (*v == 't')
		return 1;
	if (*v == 'f')
		return 0;
	if (strchr(v, '.'))
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double
p_col_double(struct stmt *st, int i)
{
	const char *v = p_col_text(st, i);

	return v ? strtod(v, NULL) : 0;
}

static const void *
p_col_blob(struct stmt *st, int i, size_t *len)
{
	struct stmt_pg *s = SP(st);
	const char *v = p_col_text(st, i);

	*len = 0;
	if (!v)
		return NULL;
	if (PQftype(s->res, i) != BYTEAOID) {
		*len = (size_t)PQgetlength(s->res, s->row, i);
		return v;
	}
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)v, len);
	return s->blob;
}

static void
p_reset(struct stmt *st)
{
	clear_result(SP(st));
	clear_params(SP(st));
}

static void
p_finalize(struct stmt *st)
{
	struct stmt_pg *s = SP(st);

	clear_result(s);
	clear_params(s);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->types);
	free(s->sql);
	free(s);
}

static int64_t
p_changes(struct db *db)
{
	return P(db)->changes;
}

static bool
p_in_tx(struct db *db)
{
	return P(db)->in_tx;
}

static int
p_listen(struct db *db, const char *channel)
{
	char *sql;
	int rc;

	/* CHANNEL is ours (a constant identifier), never user text */
	sql = xasprintf("LISTEN %s", channel);
	rc = p_exec(db, sql);
	free(sql);
	if (rc == 0 && P(db)->channel != channel) {
		char *c = xstrdup(channel);
		free(P(db)->channel);
		P(db)->channel = c;
	}
	return rc;
}

/* consume what arrived: 1 if a notification was among it */
static int
drain(struct db *db)
{
	PGnotify *n;
	int got = 0;

	if (!PQconsumeInput(P(db)->h))
		return -1;
	while ((n = PQnotifies(P(db)->h)) != NULL) {
		got = 1;
		PQfreemem(n);
	}
	return got;
}

static int
p_wait(struct db *db, int ms)
{
	struct pollfd pfd;
	int r;

	if (PQstatus(P(db)->h) != CONNECTION_OK) {
		/* the server restarted: listen again on a new connection */
		if (!reconnect(db) || !P(db)->channel ||
		    p_listen(db, P(db)->channel) == -1) {
			seterr(db, NULL);
			return -1;
		}
		return 1;	/* what was sent meanwhile is lost: look */
	}
	if ((r = drain(db)) != 0)
		return r;
	pfd.fd = PQsocket(P(db)->h);
	pfd.events = POLLIN;
	pfd.revents = 0;
	r = poll(&pfd, 1, ms);
	if (r <= 0)
		return r == -1 && errno != EINTR ? -1 : 0;
	return drain(db);
}

static const struct db_ops pg_db_ops = {
	.dialect = DB_PG,
	.close = p_close,
	.exec = p_exec,
	.prepare = p_prepare,
	.bind_i64 = p_bind_i64,
	.bind_text = p_bind_text,
	.bind_blob = p_bind_blob,
	.bind_null = p_bind_null,
	.step = p_step,
	.col_null = p_col_null,
	.col_count = p_col_count,
	.col_i64 = p_col_i64,
	.col_double = p_col_double,
	.col_text = p_col_text,
	.col_blob = p_col_blob,
	.reset = p_reset,
	.finalize = p_finalize,
	.changes = p_changes,
	.in_tx = p_in_tx,
	.listen = p_listen,
	.wait = p_wait,
};

/* does CONNINFO carry a password?  -1 if it does not parse */
static int
conninfo_has_password(const char *conninfo)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	int found = 0;

	opts = PQconninfoParse(conninfo, &msg);
	if (!opts) {
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			found = 1;
	PQconninfoFree(opts);
	return found;
}

int
db_open_pg(const char *conninfo, const char *password, bool allow_password,
    struct db **out, struct buf *err)
{
	const char *keys[4], *vals[4];
	struct db_pg *db;
	int n = 0, has;

	*out = NULL;
	has = conninfo_has_password(conninfo);
	if (has == -1) {
		/* libpq's message may quote the text: not repeated */
		buf_setf(err, "store: store.url is not a PostgreSQL "
		    "connection URL or conninfo");
		return -1;
	}
	if (has && !allow_password) {
		buf_setf(err, "store: store.url contains a password; give "
		    "it in the variable named by store.password_env, "
		    "PGPASSWORD or ~/.pgpass");
		return -1;
	}
	keys[n] = "dbname";
	vals[n++] = conninfo;
	keys[n] = "fallback_application_name";
	vals[n++] = "kiln";
	if (password && *password) {
		keys[n] = "password";
		vals[n++] = password;
	}
	keys[n] = NULL;
	vals[n] = NULL;
	db = xcalloc(1, sizeof(*db));
	db->base.ops = &pg_db_ops;
	db->h = PQconnectdbParams(keys, vals, 1);
	if (!db->h || PQstatus(db->h) != CONNECTION_OK) {
		db_seterr(&db->base, ERR_UNAVAILABLE,
		    db->h ? PQerrorMessage(db->h) : "out of memory");
		buf_setf(err, "store: cannot connect to PostgreSQL: %s",
		    db_errmsg(&db->base));
		p_close(&db->base);
		return -1;
	}
	if (db_exec(&db->base, "SET client_min_messages = warning", err) ==
	    -1) {
		p_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}
