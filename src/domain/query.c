#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/timeutil.h"

static json_t *row_object(struct db_stmt *s)
{
    json_t *o = json_object();
    int n = db_col_count(s);
    for (int i = 0; i < n; i++) {
        json_t *v;
        switch (db_col_type(s, i)) {
        case DB_NULL:
            v = json_null();
            break;
        case DB_INT:
        case DB_FLOAT:
            v = json_integer(db_col_int64(s, i));
            break;
        default:
            v = json_string(db_col_text(s, i) ? db_col_text(s, i) : "");
            if (v == NULL)
                v = json_string("");
            break;
        }
        json_object_set_new(o, db_col_name(s, i), v);
    }
    return o;
}

int query_rows(json_t **out, struct db_conn *c, const char *sql, const struct db_params *p)
{
    *out = NULL;
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    if (rc < 0)
        return rc;
    if (p)
        db_params_bind(s, p);
    json_t *arr = json_array();
    while ((rc = db_step(s)) == DB_ROW)
        json_array_append_new(arr, row_object(s));
    db_finalize(s);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int query_row(json_t **out, struct db_conn *c, const char *sql, const struct db_params *p)
{
    *out = NULL;
    json_t *rows = NULL;
    int rc = query_rows(&rows, c, sql, p);
    if (rc < 0)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return APP_ENOTFOUND;
    }
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return 0;
}

void query_report_scope(struct strbuf *sql,
                        struct db_params *p,
                        const char *column,
                        const struct auth_user *who,
                        int64_t project_id)
{
    if (!who->all_projects) {
        strbuf_printf(sql, " AND %s IN (SELECT project_id FROM user_projects WHERE user_id = ?)",
                      column);
        db_params_int(p, who->id);
    }
    if (project_id > 0) {
        strbuf_printf(sql, " AND %s = ?", column);
        db_params_int(p, project_id);
    }
}

static void merge_sort(json_t **v, json_t **tmp, size_t n, int (*cmp)(json_t *, json_t *))
{
    if (n < 2)
        return;
    size_t h = n / 2, i = 0, j = h, k = 0;
    merge_sort(v, tmp, h, cmp);
    merge_sort(v + h, tmp, n - h, cmp);
    while (i < h && j < n)
        tmp[k++] = cmp(v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

void query_sort_rows(json_t *rows, int (*cmp)(json_t *a, json_t *b))
{
    size_t n = json_array_size(rows);
    if (n < 2)
        return;
    json_t **v = xcalloc(2 * n, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(rows, i));
    merge_sort(v, v + n, n, cmp);
    for (size_t i = 0; i < n; i++)
        json_array_set_new(rows, i, v[i]);
    free(v);
}

int query_report_period(const char *from, const char *to, struct app_err *err)
{
    int y, m, d;
    if (from == NULL || date_parse(&y, &m, &d, from) < 0)
        return app_err_set(err, APP_EBADREQ, "from", "from 应为 YYYY-MM-DD");
    if (to == NULL || date_parse(&y, &m, &d, to) < 0 || strcmp(from, to) > 0)
        return app_err_set(err, APP_EBADREQ, "to", "to 应为不早于 from 的日期");
    return 0;
}
