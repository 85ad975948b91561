/*
 * db_int.h - what a storage backend implements (one ops table per backend,
 * like Redis's command table). Only db.c and the backends include this.
 */
#ifndef DB_INT_H
#define DB_INT_H

#include <pthread.h>

#include "db.h"

struct db_ops {
    const char *name;
    /* Open one connection; returns backend handle or NULL with err set. */
    void *(*connect)(const char *target, struct app_err *err);
    void (*disconnect)(void *h);
    int (*exec)(void *h, const char *sql); /* script, no params */
    void *(*prepare)(void *h, const char *sql, int *rc);
    void (*bind_int64)(void *st, int i, int64_t v);
    void (*bind_text)(void *st, int i, const char *v);
    void (*bind_null)(void *st, int i);
    int (*step)(void *st);
    int (*col_count)(void *st);
    const char *(*col_name)(void *st, int i);
    enum db_type (*col_type)(void *st, int i);
    int64_t (*col_int64)(void *st, int i);
    const char *(*col_text)(void *st, int i);
    void (*finalize)(void *st);
    const char *(*errmsg)(void *h);
    int (*changes)(void *h);     /* rows changed by the last statement */
    const char *begin_write_sql; /* e.g. "BEGIN IMMEDIATE" */
    /* One writer at a time in the database: the process queues its writers
     * on a mutex instead of letting them sleep in the busy handler. */
    int single_writer;
    const char *begin_read_sql;
    const char *id_column_sql; /* replaces {{ID}} in migrations */
};

struct db_conn {
    struct db *db;
    void *h;       /* backend handle */
    int in_tx;     /* transaction open */
    int begin_due; /* a read transaction not yet sent: BEGIN goes with the first statement */
    int writer;    /* holds the process's write lock */
    int next_free; /* index of next free conn in pool, -1 at end */
    int index;
};

struct db_stmt {
    struct db_conn *conn;
    void *st;
};

struct db {
    const struct db_ops *ops;
    enum db_backend backend;
    struct db_conn *conns;
    int n;
    int free_head;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_mutex_t write_lock; /* single_writer backends */
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

#endif
