/*
 * db_copy.c - `anjia migrate-data`: a whole installation from a SQLite file
 * into a PostgreSQL database of the same schema version. Tables go in the
 * order they were created, rows in id order; a column that refers to its
 * own table (a parent ticket, a merged one) or to a table created later (a
 * column added by a later migration) is filled in a second pass, once every
 * row is there. Counts are compared table by table; sequences continue
 * after the largest id. One transaction on the target.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "db.h"

struct list {
    char **v;
    int n;
};

static void push(struct list *l, const char *s)
{
    l->v = realloc(l->v, (size_t)(l->n + 1) * sizeof(char *));
    l->v[l->n++] = strdup(s);
}

static void list_free(struct list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int has(const struct list *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

/* The first column of every row of a query. */
static int column(struct db_conn *c, const char *sql, struct list *out)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    while (rc >= 0 && (rc = db_step(s)) == DB_ROW)
        push(out, db_col_text(s, 0));
    db_finalize(s);
    return rc < 0 ? rc : 0;
}

/* Copy one table; its deferred columns go to `later` as "table column". */
static int copy_table(struct db_conn *from,
                      struct db_conn *to,
                      const char *table,
                      const struct list *done,
                      struct list *later,
                      int64_t *copied,
                      struct app_err *err)
{
    char sql[512];
    struct list cols = {0}, refs = {0}, targets = {0}, deferred = {0};
    snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s') ORDER BY cid", table);
    int rc = column(from, sql, &cols);
    snprintf(sql, sizeof(sql),
             "SELECT \"from\" FROM pragma_foreign_key_list('%s') ORDER BY id, seq", table);
    if (rc == 0)
        rc = column(from, sql, &refs);
    snprintf(sql, sizeof(sql),
             "SELECT \"table\" FROM pragma_foreign_key_list('%s') ORDER BY id, seq", table);
    if (rc == 0)
        rc = column(from, sql, &targets);
    if (rc < 0) {
        app_err_set(err, rc, NULL, "cannot read the columns of %s", table);
        goto done;
    }
    for (int i = 0; i < refs.n && i < targets.n; i++)
        if (!has(done, targets.v[i]) && !has(&deferred, refs.v[i])) {
            push(&deferred, refs.v[i]);
            snprintf(sql, sizeof(sql), "%s %s", table, refs.v[i]);
            push(later, sql);
        }
    int has_id = has(&cols, "id");
    struct strbuf ins, sel;
    strbuf_init(&ins, 65536);
    strbuf_init(&sel, 65536);
    strbuf_printf(&ins, "INSERT INTO %s (", table);
    strbuf_puts(&sel, "SELECT ");
    for (int i = 0; i < cols.n; i++) {
        strbuf_printf(&ins, "%s\"%s\"", i ? ", " : "", cols.v[i]);
        strbuf_printf(&sel, "%s\"%s\"", i ? ", " : "", cols.v[i]);
    }
    strbuf_puts(&ins, ") VALUES (");
    for (int i = 0; i < cols.n; i++)
        strbuf_puts(&ins, i ? ", ?" : "?");
    strbuf_puts(&ins, ")");
    strbuf_printf(&sel, " FROM %s%s", table, has_id ? " ORDER BY id" : "");
    struct db_stmt *s = NULL, *w = NULL;
    rc = db_prepare(&s, from, strbuf_str(&sel));
    while (rc >= 0 && (rc = db_step(s)) == DB_ROW) {
        rc = db_prepare(&w, to, strbuf_str(&ins));
        for (int i = 0; rc >= 0 && i < cols.n; i++) {
            if (has(&deferred, cols.v[i]) || db_col_type(s, i) == DB_NULL)
                db_bind_null(w, i + 1);
            else if (db_col_type(s, i) == DB_INT)
                db_bind_int64(w, i + 1, db_col_int64(s, i));
            else
                db_bind_text(w, i + 1, db_col_text(s, i));
        }
        if (rc >= 0)
            rc = db_step(w);
        db_finalize(w);
        w = NULL;
        if (rc >= 0)
            (*copied)++;
    }
    db_finalize(s);
    strbuf_free(&ins);
    strbuf_free(&sel);
    if (rc < 0) {
        app_err_set(err, rc, NULL, "copying %s failed: %s", table, db_errmsg(to));
        goto done;
    }
    /* Ids go on after the largest copied one. */
    if (has_id) {
        snprintf(sql, sizeof(sql),
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 0) + 1,"
                 " false) FROM %s",
                 table, table);
        rc = db_run(to, sql, "");
        if (rc < 0)
            app_err_set(err, rc, NULL, "sequence of %s: %s", table, db_errmsg(to));
    }
done:
    list_free(&cols);
    list_free(&refs);
    list_free(&targets);
    list_free(&deferred);
    return rc < 0 ? rc : 0;
}

/* The second pass: one deferred column, "table column", filled row by row. */
static int
link_column(struct db_conn *from, struct db_conn *to, const char *entry, struct app_err *err)
{
    char table[128], col[128], sql[512];
    if (sscanf(entry, "%127s %127s", table, col) != 2)
        return app_err_set(err, APP_EINTERNAL, NULL, "bad entry %s", entry);
    snprintf(sql, sizeof(sql), "SELECT id, \"%s\" FROM %s WHERE \"%s\" IS NOT NULL", col, table,
             col);
    char upd[512];
    snprintf(upd, sizeof(upd), "UPDATE %s SET \"%s\" = ? WHERE id = ?", table, col);
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, from, sql);
    while (rc >= 0 && (rc = db_step(s)) == DB_ROW)
        rc = db_run(to, upd, "ii", db_col_int64(s, 1), db_col_int64(s, 0));
    db_finalize(s);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "linking %s.%s failed: %s", table, col, db_errmsg(to));
    return 0;
}

int db_copy_all(struct db *src, struct db *dst, struct app_err *err)
{
    if (db_backend_of(src) != DB_SQLITE || db_backend_of(dst) != DB_POSTGRES)
        return app_err_set(err, APP_EINVAL, "to",
                           "migrate-data copies a SQLite installation into PostgreSQL");
    if (db_schema_version(src) != db_schema_version(dst))
        return app_err_set(err, APP_EINVAL, "from", "schema versions differ (%d and %d)",
                           db_schema_version(src), db_schema_version(dst));
    struct db_conn *from = db_acquire(src), *to = db_acquire(dst);
    struct list tables = {0}, done = {0}, later = {0};
    int rc = column(from,
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                    " 'sqlite_%' AND name <> 'schema_migrations' ORDER BY rowid",
                    &tables);
    /* The target keeps nothing of its own (the rows its migrations seeded). */
    if (rc == 0)
        rc = db_begin(to, 1);
    for (int i = tables.n - 1; rc >= 0 && i >= 0; i--) {
        char sql[160];
        snprintf(sql, sizeof(sql), "DELETE FROM %s", tables.v[i]);
        rc = db_run(to, sql, "");
        if (rc < 0)
            app_err_set(err, rc, NULL, "emptying %s: %s", tables.v[i], db_errmsg(to));
    }
    if (rc >= 0)
        rc = db_begin(from, 0);
    int64_t total = 0;
    for (int i = 0; rc >= 0 && i < tables.n; i++) {
        int64_t copied = 0;
        rc = copy_table(from, to, tables.v[i], &done, &later, &copied, err);
        push(&done, tables.v[i]);
        total += copied;
        if (rc >= 0)
            log_info("migrate-data: %s: %lld rows", tables.v[i], (long long)copied);
    }
    for (int i = 0; rc >= 0 && i < later.n; i++)
        rc = link_column(from, to, later.v[i], err);
    /* Every table holds as many rows on both sides. */
    for (int i = 0; rc >= 0 && i < tables.n; i++) {
        char sql[160];
        int64_t here = -1, there = -2;
        snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", tables.v[i]);
        db_query_int64(from, &here, sql, "");
        db_query_int64(to, &there, sql, "");
        if (here != there)
            rc = app_err_set(err, APP_EDB, NULL, "%s: %lld rows in SQLite, %lld in PostgreSQL",
                             tables.v[i], (long long)here, (long long)there);
    }
    if (db_in_tx(from))
        db_rollback(from);
    if (rc >= 0)
        rc = db_commit(to);
    if (db_in_tx(to))
        db_rollback(to);
    db_release(from);
    db_release(to);
    if (rc >= 0)
        log_info("migrate-data: %lld rows in %d tables, counts equal", (long long)total, tables.n);
    list_free(&tables);
    list_free(&done);
    list_free(&later);
    return rc < 0 ? rc : 0;
}
