/*
 * db_pg.c - the PostgreSQL backend through libpq: the same statements as
 * SQLite, with '?' placeholders rewritten to $n, parameters always bound,
 * results read row by row from the PGresult.
 *
 * Each connection prepares a statement the first time it runs it and keeps
 * it on the server, by name, for the next time: parsing and planning are
 * most of what a short statement costs. A connection keeps STMT_CACHE
 * statements; when that is full, or after the server refused a kept one
 * (the schema changed under it), it drops them all (DEALLOCATE ALL) at the
 * next statement outside a failed transaction and starts again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_int.h"

#define INT8OID    20
#define INT2OID    21
#define INT4OID    23
#define BOOLOID    16
#define NUMERICOID 1700
#define FLOAT4OID  700
#define FLOAT8OID  701

#define STMT_CACHE 512  /* statements kept per connection */
#define STMT_SLOTS 1024 /* hash slots, twice STMT_CACHE */

struct kept {
    char *key; /* the statement's text, a NUL, its parameter types */
    size_t key_len;
    uint64_t hash;
    int name; /* prepared as "a<name>" */
};

struct pgc {
    PGconn *conn;
    int changes;
    char error[512];
    struct kept slots[STMT_SLOTS];
    int kept, next_name;
    int flush; /* drop every kept statement before the next one */
};

struct pgst {
    struct pgc *c;
    char *sql;
    int n;
    char **vals;
    Oid *types;
    PGresult *res;
    int row, nrows, executed;
};

static void *pg_connect(const char *target, struct app_err *err)
{
    struct pgc *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->conn = PQconnectdb(target);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        app_err_set(err, APP_EDB, NULL, "cannot open database: %s", PQerrorMessage(c->conn));
        PQfinish(c->conn);
        free(c);
        return NULL;
    }
    PGresult *r = PQexec(c->conn, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    PQclear(r);
    return c;
}

static void forget_all(struct pgc *c)
{
    for (int i = 0; i < STMT_SLOTS; i++) {
        free(c->slots[i].key);
        c->slots[i].key = NULL;
    }
    c->kept = 0;
}

static void pg_disconnect(void *h)
{
    struct pgc *c = h;
    if (c == NULL)
        return;
    forget_all(c);
    PQfinish(c->conn);
    free(c);
}

/* SQLSTATE classes as the storage interface's codes. */
static int map_error(struct pgc *c, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(c->error, sizeof(c->error), "%s",
             r && PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(c->conn));
    if (state && (strcmp(state, "0A000") == 0 || strcmp(state, "26000") == 0)) {
        /* "cached plan must not change result type" (another server changed
         * the schema), or the statement is gone: start the cache again; this
         * request is answered "busy, try again". */
        c->flush = 1;
        return APP_EBUSY;
    }
    if (state && strncmp(state, "23", 2) == 0)
        return APP_ECONFLICT; /* integrity: unique, foreign key, check */
    if (state &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return APP_EBUSY;
    return APP_EDB;
}

static int pg_exec(void *h, const char *sql)
{
    struct pgc *c = h;
    PGresult *r = PQexec(c->conn, sql);
    ExecStatusType s = PQresultStatus(r);
    int rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : map_error(c, r);
    PQclear(r);
    return rc;
}

/* '?' → $1, $2 … outside quoted strings and identifiers. */
static char *rewrite(const char *sql, int *n)
{
    size_t len = strlen(sql), size = len * 7 + 1;
    char *out = malloc(size);
    if (out == NULL)
        return NULL;
    char *o = out;
    char quote = 0;
    *n = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '?') {
            o += snprintf(o, size - (size_t)(o - out), "$%d", ++*n);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static void *pg_prepare(void *h, const char *sql, int *rc)
{
    struct pgst *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        *rc = APP_EINTERNAL;
        return NULL;
    }
    st->c = h;
    st->sql = rewrite(sql, &st->n);
    st->vals = calloc((size_t)st->n + 1, sizeof(char *));
    st->types = calloc((size_t)st->n + 1, sizeof(Oid));
    if (st->sql == NULL || st->vals == NULL || st->types == NULL) {
        free(st->sql);
        free(st->vals);
        free(st->types);
        free(st);
        *rc = APP_EINTERNAL;
        return NULL;
    }
    *rc = 0;
    return st;
}

static void set(struct pgst *st, int i, char *v, Oid type)
{
    if (i < 1 || i > st->n) {
        free(v);
        return;
    }
    free(st->vals[i - 1]);
    st->vals[i - 1] = v;
    st->types[i - 1] = type;
}

static void pg_bind_int64(void *p, int i, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    set(p, i, strdup(buf), INT8OID);
}

static void pg_bind_text(void *p, int i, const char *v)
{
    /* Untyped: the server infers the type from where the value goes. */
    set(p, i, v ? strdup(v) : NULL, 0);
}

static void pg_bind_null(void *p, int i)
{
    set(p, i, NULL, 0);
}

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The kept statement's name for this text and these parameter types,
 * preparing it on first use: 1, or 0 when it cannot be kept (run it
 * unnamed), or -1 when the server refused it (the error in st->res). */
static int kept_name(struct pgst *st, char name[16])
{
    struct pgc *c = st->c;
    PGTransactionStatusType ts = PQtransactionStatus(c->conn);
    if (ts != PQTRANS_IDLE && ts != PQTRANS_INTRANS)
        return 0;
    if (c->flush || c->kept >= STMT_CACHE) {
        PGresult *r = PQexec(c->conn, "DEALLOCATE ALL");
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            return 0;
        forget_all(c);
        c->flush = 0;
    }
    size_t sql_len = strlen(st->sql), key_len = sql_len + 1 + (size_t)st->n * sizeof(Oid);
    char *key = malloc(key_len);
    if (key == NULL)
        return 0;
    memcpy(key, st->sql, sql_len + 1);
    if (st->n > 0)
        memcpy(key + sql_len + 1, st->types, (size_t)st->n * sizeof(Oid));
    uint64_t h = fnv1a(key, key_len);
    size_t i = (size_t)(h % STMT_SLOTS);
    while (c->slots[i].key) {
        struct kept *k = &c->slots[i];
        if (k->hash == h && k->key_len == key_len && memcmp(k->key, key, key_len) == 0) {
            free(key);
            snprintf(name, 16, "a%d", k->name);
            return 1;
        }
        i = (i + 1) % STMT_SLOTS;
    }
    snprintf(name, 16, "a%d", c->next_name);
    PGresult *r = PQprepare(c->conn, name, st->sql, st->n, st->types);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        st->res = r;
        free(key);
        return -1;
    }
    PQclear(r);
    c->slots[i] = (struct kept){.key = key, .key_len = key_len, .hash = h, .name = c->next_name++};
    c->kept++;
    return 1;
}

static int pg_step(void *p)
{
    struct pgst *st = p;
    if (!st->executed) {
        st->executed = 1;
        char name[16];
        int kept = kept_name(st, name);
        if (kept < 0)
            return map_error(st->c, st->res);
        if (kept)
            st->res = PQexecPrepared(st->c->conn, name, st->n, (const char *const *)st->vals, NULL,
                                     NULL, 0);
        else
            st->res = PQexecParams(st->c->conn, st->sql, st->n, st->types,
                                   (const char *const *)st->vals, NULL, NULL, 0);
        ExecStatusType s = PQresultStatus(st->res);
        if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
            return map_error(st->c, st->res);
        st->c->changes = (int)strtol(PQcmdTuples(st->res), NULL, 10);
        st->nrows = s == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
        st->row = -1;
    }
    if (++st->row < st->nrows)
        return DB_ROW;
    return DB_DONE;
}

static int pg_col_count(void *p)
{
    struct pgst *st = p;
    return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_col_name(void *p, int i)
{
    return PQfname(((struct pgst *)p)->res, i);
}

static enum db_type pg_col_type(void *p, int i)
{
    struct pgst *st = p;
    if (PQgetisnull(st->res, st->row, i))
        return DB_NULL;
    switch (PQftype(st->res, i)) {
    case INT8OID:
    case INT4OID:
    case INT2OID:
    case BOOLOID:
        return DB_INT;
    case NUMERICOID: {
        /* SUM() of integers is numeric: whole values read as integers. */
        const char *v = PQgetvalue(st->res, st->row, i);
        const char *dot = strchr(v, '.');
        if (dot == NULL)
            return DB_INT;
        for (const char *q = dot + 1; *q; q++)
            if (*q != '0')
                return DB_FLOAT;
        return DB_INT;
    }
    case FLOAT4OID:
    case FLOAT8OID:
        return DB_FLOAT;
    default:
        return DB_TEXT;
    }
}

static int64_t pg_col_int64(void *p, int i)
{
    struct pgst *st = p;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (PQftype(st->res, i) == BOOLOID)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(void *p, int i)
{
    struct pgst *st = p;
    if (PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

static void pg_finalize(void *p)
{
    struct pgst *st = p;
    if (st == NULL)
        return;
    for (int i = 0; i < st->n; i++)
        free(st->vals[i]);
    free(st->vals);
    free(st->types);
    free(st->sql);
    PQclear(st->res);
    free(st);
}

static const char *pg_errmsg(void *h)
{
    struct pgc *c = h;
    return c->error[0] ? c->error : PQerrorMessage(c->conn);
}

static int pg_changes(void *h)
{
    return ((struct pgc *)h)->changes;
}

const struct db_ops db_pg_ops = {
        .name = "postgresql",
        .connect = pg_connect,
        .disconnect = pg_disconnect,
        .exec = pg_exec,
        .prepare = pg_prepare,
        .bind_int64 = pg_bind_int64,
        .bind_text = pg_bind_text,
        .bind_null = pg_bind_null,
        .step = pg_step,
        .col_count = pg_col_count,
        .col_name = pg_col_name,
        .col_type = pg_col_type,
        .col_int64 = pg_col_int64,
        .col_text = pg_col_text,
        .finalize = pg_finalize,
        .errmsg = pg_errmsg,
        .changes = pg_changes,
        .begin_write_sql = "BEGIN",
        .single_writer = 0,
        .begin_read_sql = "BEGIN",
        .id_column_sql = "BIGSERIAL PRIMARY KEY",
};
