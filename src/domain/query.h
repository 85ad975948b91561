/*
 * query.h - run a query and get its rows as JSON objects keyed by column
 * name (integers, text, null). For read models (360 view, reports) whose
 * shape is the query's own, not a declared entity's.
 */
#ifndef QUERY_H
#define QUERY_H

#include <jansson.h>

#include "core/strbuf.h"
#include "domain/auth.h"
#include "store/db.h"

/* *out = array of row objects (caller decrefs). p may be NULL. */
int query_rows(json_t **out, struct db_conn *c, const char *sql, const struct db_params *p);
/* *out = the first row as an object, APP_ENOTFOUND when there is none. */
int query_row(json_t **out, struct db_conn *c, const char *sql, const struct db_params *p);

/* Sorts rows in place by cmp (negative: a before b), stably: rows that
 * compare equal keep their order. O(n log n), for reports of any size. */
void query_sort_rows(json_t *rows, int (*cmp)(json_t *a, json_t *b));

/* Appends " AND column IN (the caller's projects)" unless the caller sees
 * every project, and " AND column = project_id" when project_id > 0: the
 * scope of a report, narrowed to the project chosen on screen. */
void query_report_scope(struct strbuf *sql,
                        struct db_params *p,
                        const char *column,
                        const struct auth_user *who,
                        int64_t project_id);

/* A report's period: from and to both YYYY-MM-DD, from not after to; else
 * 400 naming the bad one. */
int query_report_period(const char *from, const char *to, struct app_err *err);

#endif
