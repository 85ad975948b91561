/*
 * db.h - the storage interface. Domain code talks SQL through these calls
 * only, with '?' placeholders and bound values; the backend (SQLite today,
 * PostgreSQL later) hides behind them.
 *
 * Ownership: db_open() returns a pool freed with db_close(); db_acquire()
 * lends a connection until db_release(); db_prepare() returns a statement the
 * caller finalizes with db_finalize() (NULL is fine). Text returned by
 * db_col_text() is borrowed until the next db_step() or db_finalize().
 *
 * Portable SQL rules: standard types (BIGINT, TEXT), `{{ID}}` for an
 * auto-increment primary key in migrations, `INSERT ... RETURNING id`, no
 * backend-specific functions in domain modules; time comes from C.
 */
#ifndef DB_H
#define DB_H

#include <stdint.h>

#include "core/app.h"

struct db;
struct db_conn;
struct db_stmt;

enum db_backend { DB_SQLITE = 1, DB_POSTGRES = 2 };
enum db_type { DB_NULL = 0, DB_INT = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4 };

#define DB_ROW  1
#define DB_DONE 0

/* Open a pool of pool_size connections to url ("sqlite:PATH", or a plain
 * path). APP_EDB/APP_EINVAL with err set on failure. */
int db_open(struct db **out, const char *url, int pool_size, struct app_err *err);
void db_close(struct db *db);
enum db_backend db_backend_of(const struct db *db);

/* Borrow a connection, waiting for one to be free. */
struct db_conn *db_acquire(struct db *db);
void db_release(struct db_conn *c);

/* Transactions. A write transaction takes the write lock up front
 * (BEGIN IMMEDIATE on SQLite) so it never fails half-way on a lock upgrade. */
int db_begin(struct db_conn *c, int write);
int db_commit(struct db_conn *c);
void db_rollback(struct db_conn *c);
/* Is a transaction open on c? */
int db_in_tx(const struct db_conn *c);

/* Run several statements without parameters (migrations). */
int db_exec_script(struct db_conn *c, const char *sql);

int db_prepare(struct db_stmt **out, struct db_conn *c, const char *sql);
/* Binding is 1-based. Text is copied; NULL text binds SQL NULL. */
void db_bind_int64(struct db_stmt *s, int i, int64_t v);
void db_bind_text(struct db_stmt *s, int i, const char *v);
void db_bind_null(struct db_stmt *s, int i);
/* DB_ROW, DB_DONE, or APP_ECONFLICT (constraint), APP_EBUSY, APP_EDB. */
int db_step(struct db_stmt *s);
int db_col_count(struct db_stmt *s);
const char *db_col_name(struct db_stmt *s, int i); /* 0-based */
enum db_type db_col_type(struct db_stmt *s, int i);
int64_t db_col_int64(struct db_stmt *s, int i);
const char *db_col_text(struct db_stmt *s, int i); /* NULL for SQL NULL */
void db_finalize(struct db_stmt *s);
/* Last error text of the connection, for logs only. */
const char *db_errmsg(struct db_conn *c);

/* Bind values by a type string: 'i' int64_t, 't' const char * (NULL binds
 * NULL), 'n' nothing (NULL). */
void db_bindv(struct db_stmt *s, const char *types, va_list ap);
/* Prepare, bind, step to completion. Returns the rows returned, or when
 * none, the rows changed; < 0 on failure. */
int db_run(struct db_conn *c, const char *sql, const char *types, ...);
/* First column of the first row as int64; APP_ENOTFOUND when no row. */
int db_query_int64(struct db_conn *c, int64_t *out, const char *sql, const char *types, ...);
/* First column of the first row as a fresh string (caller frees; NULL for
 * SQL NULL); APP_ENOTFOUND when no row. */
int db_query_text(struct db_conn *c, char **out, const char *sql, const char *types, ...);

/* Values for a statement assembled at run time: appended in the order of
 * their '?' placeholders, bound with db_params_bind(). Text is copied. */
#define DB_PARAMS_MAX 64
struct db_params {
    int n;
    int is_text[DB_PARAMS_MAX];
    int64_t i[DB_PARAMS_MAX];
    char *t[DB_PARAMS_MAX];
};
void db_params_int(struct db_params *p, int64_t v);
void db_params_text(struct db_params *p, const char *v);
/* Append v once for every '?' in sql (a predicate naming the value twice). */
void db_params_int_each(struct db_params *p, const char *sql, int64_t v);
void db_params_bind(struct db_stmt *s, const struct db_params *p);
void db_params_free(struct db_params *p);

#ifdef APP_TESTING
/* Fail the nth statement step from now (1 = the next one); 0 disables. */
void db_fault_after(int n);
#endif

/* Apply every migration not yet recorded. Returns the number applied or < 0. */
int db_migrate(struct db *db, struct app_err *err);
/* Highest applied migration version, 0 for an empty database. */
int db_schema_version(struct db *db);

/* The next number of a series (1, 2, …; or start + 1 for a series not seen
 * before). Safe under concurrent writers on either backend: the counter's
 * row is locked by the increment. In the caller's transaction. */
int db_counter_next(struct db_conn *c, const char *name, int64_t start, int64_t *out);

/* Copy every row of a SQLite installation into a PostgreSQL database of the
 * same schema version (its own rows are replaced), in one transaction on
 * the target; the row counts of every table are compared. */
int db_copy_all(struct db *src, struct db *dst, struct app_err *err);

#endif
