/*
 * db_sqlite.c - the embedded SQLite backend: WAL, synchronous=NORMAL,
 * foreign keys on, a busy timeout, and BEGIN IMMEDIATE for writes.
 */
#include <string.h>

#include <sqlite3.h>

#include "db_int.h"

static void *sq_connect(const char *target, struct app_err *err)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(target, &h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                                     SQLITE_OPEN_URI,
                             NULL);
    if (rc != SQLITE_OK) {
        app_err_set(err, APP_EDB, NULL, "cannot open database %s: %s", target,
                    h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 10000);
    sqlite3_extended_result_codes(h, 1);
    char *msg = NULL;
    rc = sqlite3_exec(h,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                      "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                      "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-8192;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        app_err_set(err, APP_EDB, NULL, "cannot configure database %s: %s", target,
                    msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }
    return h;
}

static void sq_disconnect(void *h)
{
    sqlite3_close_v2(h);
}

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return APP_ECONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return APP_EBUSY;
    default:
        return APP_EDB;
    }
}

static int sq_exec(void *h, const char *sql)
{
    int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : map_rc(rc);
}

static void *sq_prepare(void *h, const char *sql, int *rc_out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    *rc_out = rc == SQLITE_OK ? 0 : map_rc(rc);
    return st;
}

static void sq_bind_int64(void *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, v);
}

static void sq_bind_text(void *st, int i, const char *v)
{
    if (v == NULL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void sq_bind_null(void *st, int i)
{
    sqlite3_bind_null(st, i);
}

static int sq_step(void *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return map_rc(rc);
}

static int sq_col_count(void *st)
{
    return sqlite3_column_count(st);
}

static const char *sq_col_name(void *st, int i)
{
    return sqlite3_column_name(st, i);
}

static enum db_type sq_col_type(void *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return DB_INT;
    case SQLITE_FLOAT:
        return DB_FLOAT;
    case SQLITE_TEXT:
        return DB_TEXT;
    case SQLITE_BLOB:
        return DB_BLOB;
    default:
        return DB_NULL;
    }
}

static int64_t sq_col_int64(void *st, int i)
{
    return sqlite3_column_int64(st, i);
}

static const char *sq_col_text(void *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static void sq_finalize(void *st)
{
    sqlite3_finalize(st);
}

static int sq_changes(void *h)
{
    return sqlite3_changes(h);
}

static const char *sq_errmsg(void *h)
{
    return sqlite3_errmsg(h);
}

const struct db_ops db_sqlite_ops = {
        .name = "sqlite",
        .connect = sq_connect,
        .disconnect = sq_disconnect,
        .exec = sq_exec,
        .prepare = sq_prepare,
        .bind_int64 = sq_bind_int64,
        .bind_text = sq_bind_text,
        .bind_null = sq_bind_null,
        .step = sq_step,
        .col_count = sq_col_count,
        .col_name = sq_col_name,
        .col_type = sq_col_type,
        .col_int64 = sq_col_int64,
        .col_text = sq_col_text,
        .finalize = sq_finalize,
        .errmsg = sq_errmsg,
        .changes = sq_changes,
        .begin_write_sql = "BEGIN IMMEDIATE",
        .single_writer = 1,
        .begin_read_sql = "BEGIN",
        .id_column_sql = "INTEGER PRIMARY KEY AUTOINCREMENT",
};
