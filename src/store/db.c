/*
 * db.c - the connection pool, statement dispatch to the backend, binding
 * helpers and the migration runner. Backend-neutral.
 */
#include "db.h"

#include <stdarg.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "db_int.h"
#include "migrations.h"

#ifdef APP_TESTING
static int fault_countdown;

void db_fault_after(int n)
{
    fault_countdown = n;
}
#endif

/*---- Pool ----*/

int db_open(struct db **out, const char *url, int pool_size, struct app_err *err)
{
    *out = NULL;
    const char *target = url;
    const struct db_ops *ops = &db_sqlite_ops;
    enum db_backend backend = DB_SQLITE;
    if (url == NULL || *url == '\0')
        return app_err_set(err, APP_EINVAL, "db", "no database given");
    if (strncmp(url, "sqlite:", 7) == 0) {
        target = url + 7;
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        ops = &db_pg_ops;
        backend = DB_POSTGRES;
    }
    if (pool_size < 1)
        pool_size = 1;
    struct db *db = xcalloc(1, sizeof(*db));
    db->ops = ops;
    db->backend = backend;
    db->n = pool_size;
    db->conns = xcalloc((size_t)pool_size, sizeof(*db->conns));
    pthread_mutex_init(&db->lock, NULL);
    pthread_cond_init(&db->cond, NULL);
    pthread_mutex_init(&db->write_lock, NULL);
    for (int i = 0; i < pool_size; i++) {
        struct db_conn *c = &db->conns[i];
        c->db = db;
        c->index = i;
        c->h = ops->connect(target, err);
        if (c->h == NULL) {
            db_close(db);
            return APP_EDB;
        }
        c->next_free = i + 1 < pool_size ? i + 1 : -1;
    }
    db->free_head = 0;
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (db == NULL)
        return;
    for (int i = 0; i < db->n; i++) {
        if (db->conns[i].h)
            db->ops->disconnect(db->conns[i].h);
    }
    pthread_mutex_destroy(&db->lock);
    pthread_cond_destroy(&db->cond);
    pthread_mutex_destroy(&db->write_lock);
    free(db->conns);
    free(db);
}

enum db_backend db_backend_of(const struct db *db)
{
    return db->backend;
}

struct db_conn *db_acquire(struct db *db)
{
    pthread_mutex_lock(&db->lock);
    while (db->free_head < 0)
        pthread_cond_wait(&db->cond, &db->lock);
    struct db_conn *c = &db->conns[db->free_head];
    db->free_head = c->next_free;
    pthread_mutex_unlock(&db->lock);
    return c;
}

void db_release(struct db_conn *c)
{
    if (c == NULL)
        return;
    struct db *db = c->db;
    if (c->in_tx)
        db_rollback(c);
    pthread_mutex_lock(&db->lock);
    c->next_free = db->free_head;
    db->free_head = c->index;
    pthread_cond_signal(&db->cond);
    pthread_mutex_unlock(&db->lock);
}

/*---- Transactions ----*/

static void release_writer(struct db_conn *c)
{
    if (c->writer) {
        c->writer = 0;
        pthread_mutex_unlock(&c->db->write_lock);
    }
}

static int send_begin(struct db_conn *c, const char *sql)
{
    const struct db_ops *ops = c->db->ops;
    c->begin_due = 0;
    int rc = ops->exec(c->h, sql);
    if (rc < 0) {
        log_error("db: begin failed: %s", ops->errmsg(c->h));
        c->in_tx = 0;
        release_writer(c);
        return rc;
    }
    return 0;
}

int db_begin(struct db_conn *c, int write)
{
    const struct db_ops *ops = c->db->ops;
    if (write && ops->single_writer) {
        /* As long as the backend's own busy timeout, then give up. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 10;
        if (pthread_mutex_timedlock(&c->db->write_lock, &until) != 0) {
            log_error("db: begin failed: another writer held the database for 10 s");
            return APP_EBUSY;
        }
        c->writer = 1;
    }
    c->in_tx = 1;
    if (!write) {
        /* A read that never reads (health, the caller's own account) costs
         * no round trip to a database server. */
        c->begin_due = 1;
        return 0;
    }
    return send_begin(c, ops->begin_write_sql);
}

/* The deferred BEGIN of a read transaction, before its first statement. */
static int begin_if_due(struct db_conn *c)
{
    return c->begin_due ? send_begin(c, c->db->ops->begin_read_sql) : 0;
}

int db_commit(struct db_conn *c)
{
    if (c->begin_due) {
        c->begin_due = 0;
        c->in_tx = 0;
        return 0;
    }
    int rc = c->db->ops->exec(c->h, "COMMIT");
    if (rc < 0) {
        log_error("db: commit failed: %s", c->db->ops->errmsg(c->h));
        db_rollback(c);
        return rc;
    }
    c->in_tx = 0;
    release_writer(c);
    return 0;
}

void db_rollback(struct db_conn *c)
{
    if (c->begin_due)
        c->begin_due = 0;
    else
        c->db->ops->exec(c->h, "ROLLBACK");
    c->in_tx = 0;
    release_writer(c);
}

int db_in_tx(const struct db_conn *c)
{
    return c->in_tx;
}

int db_exec_script(struct db_conn *c, const char *sql)
{
    int rc = begin_if_due(c);
    if (rc < 0)
        return rc;
    rc = c->db->ops->exec(c->h, sql);
    if (rc < 0)
        log_error("db: script failed: %s", c->db->ops->errmsg(c->h));
    return rc;
}

/*---- Statements ----*/

int db_prepare(struct db_stmt **out, struct db_conn *c, const char *sql)
{
    *out = NULL;
    int rc = begin_if_due(c);
    if (rc < 0)
        return rc;
    void *st = c->db->ops->prepare(c->h, sql, &rc);
    if (rc < 0 || st == NULL) {
        log_error("db: prepare failed: %s -- %s", c->db->ops->errmsg(c->h), sql);
        if (st)
            c->db->ops->finalize(st);
        return rc < 0 ? rc : APP_EDB;
    }
    struct db_stmt *s = xmalloc(sizeof(*s));
    s->conn = c;
    s->st = st;
    *out = s;
    return 0;
}

void db_bind_int64(struct db_stmt *s, int i, int64_t v)
{
    s->conn->db->ops->bind_int64(s->st, i, v);
}

void db_bind_text(struct db_stmt *s, int i, const char *v)
{
    s->conn->db->ops->bind_text(s->st, i, v);
}

void db_bind_null(struct db_stmt *s, int i)
{
    s->conn->db->ops->bind_null(s->st, i);
}

int db_step(struct db_stmt *s)
{
#ifdef APP_TESTING
    if (fault_countdown > 0 && --fault_countdown == 0)
        return APP_EDB;
#endif
    int rc = s->conn->db->ops->step(s->st);
    if (rc < 0 && rc != APP_ECONFLICT)
        log_error("db: step failed: %s", s->conn->db->ops->errmsg(s->conn->h));
    return rc;
}

int db_col_count(struct db_stmt *s)
{
    return s->conn->db->ops->col_count(s->st);
}

const char *db_col_name(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_name(s->st, i);
}

enum db_type db_col_type(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_type(s->st, i);
}

int64_t db_col_int64(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_int64(s->st, i);
}

const char *db_col_text(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_text(s->st, i);
}

void db_finalize(struct db_stmt *s)
{
    if (s == NULL)
        return;
    s->conn->db->ops->finalize(s->st);
    free(s);
}

const char *db_errmsg(struct db_conn *c)
{
    return c->db->ops->errmsg(c->h);
}

/*---- Helpers ----*/

void db_bindv(struct db_stmt *s, const char *types, va_list ap)
{
    for (int i = 0; types && types[i]; i++) {
        switch (types[i]) {
        case 'i':
            db_bind_int64(s, i + 1, va_arg(ap, int64_t));
            break;
        case 't':
            db_bind_text(s, i + 1, va_arg(ap, const char *));
            break;
        default:
            db_bind_null(s, i + 1);
            break;
        }
    }
}

int db_run(struct db_conn *c, const char *sql, const char *types, ...)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    if (rc < 0)
        return rc;
    va_list ap;
    va_start(ap, types);
    db_bindv(s, types, ap);
    va_end(ap);
    int rows = 0;
    while ((rc = db_step(s)) == DB_ROW)
        rows++;
    int changes = rows ? rows : c->db->ops->changes(c->h);
    db_finalize(s);
    return rc < 0 ? rc : changes;
}

int db_query_int64(struct db_conn *c, int64_t *out, const char *sql, const char *types, ...)
{
    *out = 0;
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    if (rc < 0)
        return rc;
    va_list ap;
    va_start(ap, types);
    db_bindv(s, types, ap);
    va_end(ap);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *out = db_col_int64(s, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = APP_ENOTFOUND;
    }
    db_finalize(s);
    return rc;
}

int db_query_text(struct db_conn *c, char **out, const char *sql, const char *types, ...)
{
    *out = NULL;
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    if (rc < 0)
        return rc;
    va_list ap;
    va_start(ap, types);
    db_bindv(s, types, ap);
    va_end(ap);
    rc = db_step(s);
    if (rc == DB_ROW) {
        const char *t = db_col_text(s, 0);
        *out = t ? xstrdup(t) : NULL;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = APP_ENOTFOUND;
    }
    db_finalize(s);
    return rc;
}

/*---- Run-time parameter lists ----*/

static void params_room(const struct db_params *p)
{
    if (p->n >= DB_PARAMS_MAX)
        abort(); /* a statement with more values than any query here builds */
}

void db_params_int(struct db_params *p, int64_t v)
{
    params_room(p);
    p->is_text[p->n] = 0;
    p->i[p->n] = v;
    p->t[p->n] = NULL;
    p->n++;
}

void db_params_text(struct db_params *p, const char *v)
{
    params_room(p);
    p->is_text[p->n] = 1;
    p->i[p->n] = 0;
    p->t[p->n] = v ? xstrdup(v) : NULL;
    p->n++;
}

void db_params_int_each(struct db_params *p, const char *sql, int64_t v)
{
    for (const char *q = sql; *q; q++)
        if (*q == '?')
            db_params_int(p, v);
}

void db_params_bind(struct db_stmt *s, const struct db_params *p)
{
    for (int k = 0; k < p->n; k++) {
        if (p->is_text[k])
            db_bind_text(s, k + 1, p->t[k]);
        else
            db_bind_int64(s, k + 1, p->i[k]);
    }
}

void db_params_free(struct db_params *p)
{
    for (int k = 0; k < p->n; k++)
        free(p->t[k]);
    p->n = 0;
}

/*---- Migrations ----*/

/* The migration's SQL with {{ID}} replaced by the backend's column type. */
static char *render_migration(const struct db_ops *ops, const char *sql)
{
    struct strbuf sb;
    strbuf_init(&sb, 64u << 20);
    const char *p = sql;
    const char *hit;
    while ((hit = strstr(p, "{{ID}}")) != NULL) {
        strbuf_append(&sb, p, (size_t)(hit - p));
        strbuf_puts(&sb, ops->id_column_sql);
        p = hit + 6;
    }
    strbuf_puts(&sb, p);
    return strbuf_steal(&sb);
}

int db_schema_version(struct db *db)
{
    struct db_conn *c = db_acquire(db);
    int64_t v = 0;
    int rc = db_query_int64(c, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
    db_release(c);
    return rc < 0 ? 0 : (int)v;
}

int db_migrate(struct db *db, struct app_err *err)
{
    struct db_conn *c = db_acquire(db);
    int applied = 0;
    int rc = db_exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                               " version BIGINT PRIMARY KEY,"
                               " name TEXT NOT NULL,"
                               " applied_at TEXT NOT NULL)");
    if (rc < 0) {
        app_err_set(err, rc, NULL, "cannot create schema_migrations: %s", db_errmsg(c));
        goto done;
    }
    for (size_t i = 0; i < db_migrations_count; i++) {
        const struct db_migration *m = &db_migrations[i];
        rc = db_begin(c, 1);
        if (rc < 0)
            goto done;
        int64_t seen = 0;
        rc = db_query_int64(c, &seen, "SELECT version FROM schema_migrations WHERE version = ?",
                            "i", (int64_t)m->version);
        if (rc == 0) {
            db_rollback(c);
            continue;
        }
        char *sql = render_migration(db->ops, m->sql);
        rc = db_exec_script(c, sql);
        free(sql);
        if (rc < 0) {
            app_err_set(err, rc, NULL, "migration %04d_%s failed: %s", m->version, m->name,
                        db_errmsg(c));
            db_rollback(c);
            goto done;
        }
        char now[32];
        time_now_iso(now, sizeof(now));
        rc = db_run(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?,?,?)",
                    "itt", (int64_t)m->version, m->name, now);
        if (rc >= 0)
            rc = db_commit(c);
        else
            db_rollback(c);
        if (rc < 0) {
            app_err_set(err, rc, NULL, "cannot record migration %04d", m->version);
            goto done;
        }
        log_info("applied migration %04d_%s", m->version, m->name);
        applied++;
    }
    rc = applied;
done:
    db_release(c);
    return rc;
}

int db_counter_next(struct db_conn *c, const char *name, int64_t start, int64_t *out)
{
    int rc = db_run(c, "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    "ti", name, start);
    if (rc >= 0)
        rc = db_query_int64(c, out,
                            "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING"
                            " value",
                            "t", name);
    return rc < 0 ? rc : 0;
}
