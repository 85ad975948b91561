/*
 * ticket_report.c - the read models over tickets: queues, the dashboard,
 * possible group complaints (群诉), and the defect case library.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "query.h"
#include "ticket.h"
#include "workcal.h"

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

static void today_minus(char out[11], int64_t days)
{
    char today[11];
    date_today(today);
    date_add_days(out, today, -days);
}

int ticket_queue(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 const char *view,
                 int64_t project_id,
                 const char *age,
                 int64_t limit,
                 int64_t offset,
                 struct app_err *err)
{
    *out = NULL;
    if (view == NULL)
        view = "mine";
    if (strcmp(view, "mine") != 0 && strcmp(view, "team") != 0 && strcmp(view, "overdue") != 0 &&
        strcmp(view, "open") != 0)
        return app_err_set(err, APP_EINVAL, "view", "队列应为 mine、team、overdue 或 open");
    if (project_id > 0 && !auth_in_scope(who, project_id))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    if (limit <= 0 || limit > 200)
        limit = 40;
    if (offset < 0)
        offset = 0;
    char now[32];
    time_now_iso(now, sizeof(now));
    struct strbuf where;
    struct db_params p = {0};
    strbuf_init(&where, 4096);
    if (strcmp(view, "overdue") == 0) {
        strbuf_puts(&where, " WHERE t.status IN ('new', 'accepted', 'processing') AND"
                            " t.paused_at IS NULL AND t.resolve_due_at < ?");
        db_params_text(&p, now);
    } else if (strcmp(view, "mine") == 0) {
        strbuf_puts(&where, " WHERE t.status IN ('new', 'accepted', 'processing', 'callback') AND"
                            " t.assignee_id = ?");
        db_params_int(&p, who->id);
    } else {
        strbuf_puts(&where, " WHERE t.status IN ('new', 'accepted', 'processing', 'callback')");
    }
    if (age && *age) {
        static const struct {
            const char *code;
            int from, to; /* days since opened: [from, to) ; to < 0 = open-ended */
        } ages[] = {{"0-1", 0, 1}, {"1-3", 1, 3}, {"3-7", 3, 7}, {"7-", 7, -1}};
        int k = -1;
        for (size_t i = 0; i < ARRAY_LEN(ages); i++)
            if (strcmp(ages[i].code, age) == 0)
                k = (int)i;
        if (k < 0) {
            strbuf_free(&where);
            db_params_free(&p);
            return app_err_set(err, APP_EINVAL, "age", "账龄应为 0-1、1-3、3-7 或 7-（天）");
        }
        char d[11];
        if (ages[k].to > 0) {
            today_minus(d, ages[k].to - 1);
            strbuf_puts(&where, " AND t.opened_on >= ?");
            db_params_text(&p, d);
        }
        today_minus(d, ages[k].from);
        strbuf_puts(&where, " AND t.opened_on <= ?");
        db_params_text(&p, d);
    }
    query_report_scope(&where, &p, "t.project_id", who, project_id);
    int64_t total = 0;
    struct strbuf sql;
    strbuf_init(&sql, 16384);
    strbuf_printf(&sql, "SELECT COUNT(*) AS n FROM tickets t%s", strbuf_str(&where));
    json_t *cnt = NULL;
    int rc = query_row(&cnt, c, strbuf_str(&sql), &p);
    if (rc < 0)
        goto done;
    total = row_int(cnt, "n");
    strbuf_reset(&sql);
    strbuf_printf(&sql,
                  "SELECT t.id, t.no, t.type, t.channel, t.severity, t.status, t.title,"
                  " t.project_id, t.unit_id, t.customer_id, t.category_id, t.assignee_id,"
                  " t.opened_on, t.created_at, t.response_due_at, t.resolve_due_at, t.paused_at,"
                  " t.escalation_level, t.hotline_deadline, t.parent_id, t.sla_clock,"
                  " (SELECT name FROM projects WHERE id = t.project_id) AS project_name,"
                  " (SELECT room_code FROM units WHERE id = t.unit_id) AS room_code,"
                  " (SELECT name FROM customers WHERE id = t.customer_id) AS customer_name,"
                  " (SELECT name FROM ticket_categories WHERE id = t.category_id) AS"
                  " category_name, (SELECT display_name FROM users WHERE id = t.assignee_id) AS"
                  " assignee_name FROM tickets t WHERE t.id IN (SELECT t.id FROM tickets t%s"
                  " ORDER BY t.resolve_due_at, t.id LIMIT ? OFFSET ?)"
                  " ORDER BY t.resolve_due_at, t.id",
                  strbuf_str(&where));
    db_params_int(&p, limit);
    db_params_int(&p, offset);
    json_t *items = NULL;
    rc = query_rows(&items, c, strbuf_str(&sql), &p);
    if (rc < 0)
        goto done;
    char today[11];
    date_today(today);
    struct workcal cal = {0};
    rc = workcal_load(&cal, c);
    int64_t tnow = time_now();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        /* Time left on the ticket's own clock (working seconds for work
         * units), frozen while paused; NULL once resolved. */
        int64_t due_t = 0, at = tnow;
        const char *clock = row_str(it, "sla_clock");
        if (row_str(it, "resolve_due_at") && strcmp(row_str(it, "status"), "callback") != 0 &&
            time_parse_iso(&due_t, row_str(it, "resolve_due_at")) == 0) {
            if (row_str(it, "paused_at"))
                time_parse_iso(&at, row_str(it, "paused_at"));
            int work = clock == NULL || strcmp(clock, "work") == 0;
            int64_t left = due_t >= at
                                   ? (work ? workcal_work_seconds(&cal, at, due_t) : due_t - at)
                                   : -(work ? workcal_work_seconds(&cal, due_t, at) : at - due_t);
            json_object_set_new(it, "seconds_left", json_integer(left));
        } else {
            json_object_set_new(it, "seconds_left", json_null());
        }
        int64_t age_days = 0;
        date_diff_days(&age_days, row_str(it, "opened_on"), today);
        json_object_set_new(it, "age_days", json_integer(age_days));
        const char *due = row_str(it, "resolve_due_at");
        const char *st = row_str(it, "status");
        int open = strcmp(st, "callback") != 0;
        json_object_set_new(it, "overdue",
                            json_boolean(open && due && row_str(it, "paused_at") == NULL &&
                                         strcmp(due, now) < 0));
        json_object_set_new(it, "status_label", json_string(ticket_status_label(st)));
    }
    workcal_free(&cal);
    *out = json_pack("{s:s, s:o, s:I, s:I, s:I}", "view", view, "items", items, "total",
                     (json_int_t)total, "limit", (json_int_t)limit, "offset", (json_int_t)offset);
done:
    json_decref(cnt);
    strbuf_free(&sql);
    strbuf_free(&where);
    db_params_free(&p);
    return rc < 0 ? rc : 0;
}

/*---- Dashboard ----*/

/* Adds n to the integer counter key of object o (creating it). */
static void bump(json_t *o, const char *key, int64_t n)
{
    json_t *v = json_object_get(o, key);
    if (v)
        json_integer_set(v, json_integer_value(v) + n);
    else
        json_object_set_new(o, key, json_integer(n));
}

static int by_month(json_t *a, json_t *b)
{
    return strcmp(row_str(a, "month"), row_str(b, "month"));
}

/* {"key": n, …} as [{"<name>": key, "count": n}], the largest first. */
static int by_count(json_t *a, json_t *b)
{
    int64_t x = json_integer_value(json_object_get(a, "count"));
    int64_t y = json_integer_value(json_object_get(b, "count"));
    return x > y ? -1 : x < y ? 1 : 0;
}

static json_t *counts_list(json_t *counts, const char *name)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(counts, k, v)
    {
        json_array_append_new(out, json_pack("{s:s, s:O}", name, k, "count", v));
    }
    query_sort_rows(out, by_count);
    return out;
}

int ticket_dashboard(json_t **out,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t project_id,
                     const char *from,
                     const char *to,
                     struct app_err *err)
{
    *out = NULL;
    int y, m, d;
    char f[16], t[16];
    if (project_id > 0 && !auth_in_scope(who, project_id))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    if (to && date_parse(&y, &m, &d, to) < 0)
        return app_err_set(err, APP_EINVAL, "to", "日期格式应为 YYYY-MM-DD");
    if (from && date_parse(&y, &m, &d, from) < 0)
        return app_err_set(err, APP_EINVAL, "from", "日期格式应为 YYYY-MM-DD");
    if (to)
        snprintf(t, sizeof(t), "%s", to);
    else
        date_today(t);
    if (from) {
        snprintf(f, sizeof(f), "%s", from);
    } else {
        /* The first day of the month eleven months back: a year of months. */
        date_parse(&y, &m, &d, t);
        m -= 11;
        while (m <= 0) {
            m += 12;
            y--;
        }
        snprintf(f, sizeof(f), "%04d-%02d-01", y % 10000, m % 100);
    }
    if (strcmp(f, t) > 0)
        return app_err_set(err, APP_EINVAL, "from", "开始日期不能晚于结束日期");
    /* One pass over the period's tickets, grouped finely; the views are
     * sums of these groups. */
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 8192);
    strbuf_puts(&sql,
                "SELECT SUBSTR(t.opened_on, 1, 7) AS month, t.type, t.status, t.category_id,"
                " COUNT(*) AS n, SUM(CASE WHEN t.resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS"
                " resolved, SUM(CASE WHEN t.resolved_at IS NOT NULL AND (t.resolve_due_at IS NULL"
                " OR t.resolved_at <= t.resolve_due_at) THEN 1 ELSE 0 END) AS in_time,"
                " SUM(CASE WHEN t.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS scored,"
                " SUM(COALESCE(t.satisfaction, 0)) AS score_sum FROM tickets t WHERE"
                " t.opened_on >= ? AND t.opened_on <= ?");
    db_params_text(&p, f);
    db_params_text(&p, t);
    query_report_scope(&sql, &p, "t.project_id", who, project_id);
    strbuf_puts(&sql, " GROUP BY 1, 2, 3, 4");
    json_t *groups = NULL, *cats = NULL, *totals = NULL, *clusters = NULL;
    int rc = query_rows(&groups, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc >= 0) {
        struct db_params none = {0};
        rc = query_rows(&cats, c,
                        "SELECT k.id, COALESCE(k.parent_id, k.id) AS root, COALESCE(p.name,"
                        " k.name) AS name FROM ticket_categories k LEFT JOIN ticket_categories p"
                        " ON p.id = k.parent_id",
                        &none);
    }
    /* Open, overdue and escalated now, whenever opened: from the index. */
    if (rc >= 0) {
        char now[32];
        time_now_iso(now, sizeof(now));
        strbuf_init(&sql, 8192);
        strbuf_puts(&sql,
                    "SELECT SUM(CASE WHEN t.status IN ('new', 'accepted', 'processing',"
                    " 'callback') THEN 1 ELSE 0 END) AS open, SUM(CASE WHEN t.status IN ('new',"
                    " 'accepted', 'processing') AND t.paused_at IS NULL AND t.resolve_due_at < ?"
                    " THEN 1 ELSE 0 END) AS overdue, SUM(CASE WHEN t.escalation_level > 0 THEN 1"
                    " ELSE 0 END) AS escalated FROM tickets t WHERE t.status IN ('new',"
                    " 'accepted', 'processing', 'callback')");
        db_params_text(&p, now);
        query_report_scope(&sql, &p, "t.project_id", who, project_id);
        rc = query_row(&totals, c, strbuf_str(&sql), &p);
        strbuf_free(&sql);
        db_params_free(&p);
    }
    if (rc >= 0)
        rc = ticket_clusters(&clusters, c, who, project_id, 3, 3, err);
    if (rc < 0)
        goto done;
    /* The dashboard shows the twenty largest; the clusters list has all. */
    json_t *top = json_object_get(clusters, "items");
    while (json_array_size(top) > 20)
        json_array_remove(top, json_array_size(top) - 1);
    json_t *cat_root = json_object(), *cat_name = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(cats, i, r)
    {
        char id[24], root[24];
        snprintf(id, sizeof(id), "%lld", (long long)row_int(r, "id"));
        snprintf(root, sizeof(root), "%lld", (long long)row_int(r, "root"));
        json_object_set_new(cat_root, id, json_string(root));
        json_object_set(cat_name, root, json_object_get(r, "name"));
    }
    json_t *by_cat = json_object(), *by_type = json_object(), *by_status = json_object();
    json_t *months = json_object();
    int64_t opened = 0, resolved = 0, in_time = 0, scored = 0, sum = 0;
    json_array_foreach(groups, i, r)
    {
        int64_t n = row_int(r, "n");
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)row_int(r, "category_id"));
        const char *root = json_string_value(json_object_get(cat_root, id));
        bump(by_cat, root ? root : id, n);
        bump(by_type, row_str(r, "type"), n);
        bump(by_status, row_str(r, "status"), n);
        json_t *mo = json_object_get(months, row_str(r, "month"));
        if (mo == NULL) {
            mo = json_object();
            json_object_set_new(months, row_str(r, "month"), mo);
        }
        static const char *const keys[] = {"resolved", "in_time", "scored", "score_sum"};
        bump(mo, "opened", n);
        for (size_t k = 0; k < ARRAY_LEN(keys); k++)
            bump(mo, keys[k], row_int(r, keys[k]));
        opened += n;
        resolved += row_int(r, "resolved");
        in_time += row_int(r, "in_time");
        scored += row_int(r, "scored");
        sum += row_int(r, "score_sum");
    }
    json_t *categories = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(by_cat, k, v)
    {
        int64_t cid = 0;
        app_parse_int64(&cid, k);
        json_t *name = json_object_get(cat_name, k);
        json_array_append_new(categories,
                              json_pack("{s:I, s:O, s:O}", "category_id", (json_int_t)cid,
                                        "category", name ? name : json_null(), "count", v));
    }
    query_sort_rows(categories, by_count);
    /* Months in order, each with its compliance and mean score in
     * hundredths (integers, as money is). */
    json_t *monthly = json_array();
    json_object_foreach(months, k, v)
    {
        int64_t res = row_int(v, "resolved"), sc = row_int(v, "scored");
        json_array_append_new(
                monthly,
                json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "month", k, "opened",
                          (json_int_t)row_int(v, "opened"), "resolved", (json_int_t)res,
                          "resolved_in_time", (json_int_t)row_int(v, "in_time"), "scored",
                          (json_int_t)sc, "score_sum", (json_int_t)row_int(v, "score_sum"),
                          "compliance_pct100",
                          res ? json_integer(row_int(v, "in_time") * 10000 / res) : json_null(),
                          "satisfaction_avg100",
                          sc ? json_integer(row_int(v, "score_sum") * 100 / sc) : json_null()));
    }
    query_sort_rows(monthly, by_month);
    json_t *sum_obj =
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "opened", (json_int_t)opened,
                      "resolved", (json_int_t)resolved, "resolved_in_time", (json_int_t)in_time,
                      "scored", (json_int_t)scored, "open", (json_int_t)row_int(totals, "open"),
                      "overdue", (json_int_t)row_int(totals, "overdue"), "escalated",
                      (json_int_t)row_int(totals, "escalated"));
    json_object_set_new(sum_obj, "compliance_pct100",
                        resolved ? json_integer(in_time * 10000 / resolved) : json_null());
    json_object_set_new(sum_obj, "satisfaction_avg100",
                        scored ? json_integer(sum * 100 / scored) : json_null());
    *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:O}", "from", f, "to", t, "totals",
                     sum_obj, "by_category", categories, "by_type", counts_list(by_type, "type"),
                     "by_status", counts_list(by_status, "status"), "monthly", monthly, "clusters",
                     json_object_get(clusters, "items"));
    json_decref(by_cat);
    json_decref(by_type);
    json_decref(by_status);
    json_decref(months);
    json_decref(cat_root);
    json_decref(cat_name);
done:
    json_decref(groups);
    json_decref(cats);
    json_decref(totals);
    json_decref(clusters);
    return rc < 0 ? rc : 0;
}

/*---- Possible group complaints ----*/

int ticket_clusters(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    int days,
                    int min,
                    struct app_err *err)
{
    *out = NULL;
    if (days < 1 || days > 30)
        return app_err_set(err, APP_EINVAL, "days", "天数应在 1 到 30 之间");
    if (min < 2 || min > 1000)
        return app_err_set(err, APP_EINVAL, "min", "最少单数应在 2 到 1000 之间");
    if (project_id > 0 && !auth_in_scope(who, project_id))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    char since[32];
    time_format_iso(since, sizeof(since), time_now() - 30 * 86400);
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 8192);
    strbuf_puts(&sql,
                "SELECT t.id, t.no, t.status, t.building_id, t.created_at, COALESCE(k.parent_id,"
                " k.id) AS category_id FROM tickets t JOIN ticket_categories k ON k.id ="
                " t.category_id WHERE t.created_at >= ? AND t.building_id IS NOT NULL AND t.type"
                " IN ('repair', 'complaint') AND t.status <> 'merged'");
    db_params_text(&p, since);
    query_report_scope(&sql, &p, "t.project_id", who, project_id);
    strbuf_puts(&sql, " ORDER BY t.building_id, 6, t.created_at, t.id");
    json_t *rows = NULL;
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    size_t n = json_array_size(rows), start = 0;
    /* Per building and category, the densest window of `days` days. */
    while (start < n) {
        json_t *first = json_array_get(rows, start);
        size_t end = start;
        while (end < n &&
               row_int(json_array_get(rows, end), "building_id") == row_int(first, "building_id") &&
               row_int(json_array_get(rows, end), "category_id") == row_int(first, "category_id"))
            end++;
        size_t best_lo = start, best_n = 0, lo = start;
        for (size_t hi = start; hi < end; hi++) {
            int64_t th = 0, tl = 0;
            time_parse_iso(&th, row_str(json_array_get(rows, hi), "created_at"));
            for (;;) {
                time_parse_iso(&tl, row_str(json_array_get(rows, lo), "created_at"));
                if (th - tl <= (int64_t)days * 86400)
                    break;
                lo++;
            }
            if (hi - lo + 1 > best_n) {
                best_n = hi - lo + 1;
                best_lo = lo;
            }
        }
        if (best_n >= (size_t)min) {
            json_t *ids = json_array();
            int64_t open = 0;
            for (size_t k = best_lo; k < best_lo + best_n; k++) {
                json_t *r = json_array_get(rows, k);
                json_array_append_new(ids, json_integer(row_int(r, "id")));
                const char *st = row_str(r, "status");
                open += strcmp(st, "closed") != 0;
            }
            char *building = NULL, *category = NULL;
            db_query_text(c, &building, "SELECT name FROM buildings WHERE id = ?", "i",
                          row_int(first, "building_id"));
            db_query_text(c, &category, "SELECT name FROM ticket_categories WHERE id = ?", "i",
                          row_int(first, "category_id"));
            json_array_append_new(
                    items,
                    json_pack("{s:I, s:s?, s:I, s:s?, s:I, s:I, s:s, s:s, s:o}", "building_id",
                              (json_int_t)row_int(first, "building_id"), "building", building,
                              "category_id", (json_int_t)row_int(first, "category_id"), "category",
                              category, "count", (json_int_t)best_n, "open", (json_int_t)open,
                              "first_at", row_str(json_array_get(rows, best_lo), "created_at"),
                              "last_at",
                              row_str(json_array_get(rows, best_lo + best_n - 1), "created_at"),
                              "ticket_ids", ids));
            free(building);
            free(category);
        }
        start = end;
    }
    json_decref(rows);
    query_sort_rows(items, by_count);
    *out = json_pack("{s:i, s:i, s:o}", "days", days, "min", min, "items", items);
    return 0;
}

/*---- Defect cases ----*/

int ticket_defect_case_create(int64_t *id_out,
                              struct db_conn *c,
                              const struct auth_user *who,
                              json_t *in,
                              struct app_err *err)
{
    static const char *const allowed[] = {"title",       "project_id",    "building_id",
                                          "category_id", "contractor_id", "root_cause",
                                          "fix",         "cost_fen",      "ticket_ids"};
    *id_out = 0;
    if (!json_is_object(in))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        int ok = 0;
        for (size_t i = 0; i < ARRAY_LEN(allowed); i++)
            ok |= strcmp(allowed[i], key) == 0;
        if (!ok)
            return app_err_set(err, APP_EINVAL, key, "未知字段: %s", key);
    }
    const char *title = row_str(in, "title");
    if (title == NULL || *title == '\0' || strlen(title) > 300)
        return app_err_set(err, APP_EINVAL, "title", "请填写案例名称（不超过 100 字）");
    json_t *pid = json_object_get(in, "project_id");
    int64_t n = 0;
    if (!json_is_integer(pid) ||
        db_query_int64(c, &n, "SELECT COUNT(*) FROM projects WHERE id = ?", "i",
                       (int64_t)json_integer_value(pid)) < 0 ||
        n == 0)
        return app_err_set(err, APP_EINVAL, "project_id", "请选择项目");
    int64_t project = json_integer_value(pid);
    if (!auth_in_scope(who, project))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    static const struct {
        const char *field, *sql, *label;
    } refs[] = {
            {"building_id", "SELECT COUNT(*) FROM buildings WHERE id = ? AND project_id = ?",
             "楼栋"},
            {"category_id", "SELECT COUNT(*) FROM ticket_categories WHERE id = ? AND ? > 0",
             "分类"},
            {"contractor_id", "SELECT COUNT(*) FROM contractors WHERE id = ? AND ? > 0",
             "施工单位"},
    };
    for (size_t i = 0; i < ARRAY_LEN(refs); i++) {
        json_t *r = json_object_get(in, refs[i].field);
        if (r == NULL || json_is_null(r))
            continue;
        n = 0;
        if (!json_is_integer(r) ||
            db_query_int64(c, &n, refs[i].sql, "ii", (int64_t)json_integer_value(r), project) < 0 ||
            n == 0)
            return app_err_set(err, APP_EINVAL, refs[i].field, "%s不存在", refs[i].label);
    }
    static const char *const texts[] = {"root_cause", "fix"};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        json_t *t = json_object_get(in, texts[i]);
        if (t && !json_is_null(t) && (!json_is_string(t) || strlen(json_string_value(t)) > 6000))
            return app_err_set(err, APP_EINVAL, texts[i], "内容应为不超过 2000 字的文本");
    }
    json_t *cost = json_object_get(in, "cost_fen");
    if (cost && (!json_is_integer(cost) || json_integer_value(cost) < 0))
        return app_err_set(err, APP_EINVAL, "cost_fen", "费用应为非负整数（分）");
    json_t *ids = json_object_get(in, "ticket_ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 500)
        return app_err_set(err, APP_EINVAL, "ticket_ids", "请选择 1 到 500 张质量缺陷工单");
    size_t i;
    json_array_foreach(ids, i, v)
    {
        n = 0;
        if (!json_is_integer(v) ||
            db_query_int64(c, &n,
                           "SELECT COUNT(*) FROM tickets WHERE id = ? AND project_id = ? AND"
                           " is_defect = 1 AND defect_case_id IS NULL",
                           "ii", (int64_t)json_integer_value(v), project) < 0 ||
            n == 0)
            return app_err_set(err, APP_EINVAL, "ticket_ids",
                               "第 %zu 张工单不是本项目尚未归案的质量缺陷工单", i + 1);
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    struct db_params p = {0};
    char tmp[48];
    snprintf(tmp, sizeof(tmp), "new-%lld-%08x", (long long)time_now(),
             (unsigned)randombytes_random());
    db_params_text(&p, tmp);
    db_params_text(&p, title);
    db_params_int(&p, project);
    static const char *const opt[] = {"building_id", "category_id", "contractor_id"};
    for (size_t k = 0; k < ARRAY_LEN(opt); k++) {
        json_t *r = json_object_get(in, opt[k]);
        if (json_is_integer(r))
            db_params_int(&p, json_integer_value(r));
        else
            db_params_text(&p, NULL);
    }
    db_params_text(&p, row_str(in, "root_cause"));
    db_params_text(&p, row_str(in, "fix"));
    db_params_int(&p, cost ? json_integer_value(cost) : 0);
    db_params_int(&p, who->id);
    db_params_text(&p, at);
    db_params_text(&p, at);
    json_t *ins = NULL;
    int rc = query_row(&ins, c,
                       "INSERT INTO defect_cases (no, title, project_id, building_id, category_id,"
                       " contractor_id, root_cause, fix, cost_fen, status, created_by, created_at,"
                       " updated_at) VALUES (?,?,?,?,?,?,?,?,?,'open',?,?,?) RETURNING id",
                       &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    *id_out = row_int(ins, "id");
    json_decref(ins);
    char no[32];
    snprintf(no, sizeof(no), "QX-%05lld", (long long)*id_out);
    rc = db_run(c, "UPDATE defect_cases SET no = ? WHERE id = ?", "ti", no, *id_out);
    json_array_foreach(ids, i, v)
    {
        if (rc < 0)
            break;
        rc = db_run(c, "UPDATE tickets SET defect_case_id = ? WHERE id = ?", "ii", *id_out,
                    (int64_t)json_integer_value(v));
    }
    if (rc >= 0) {
        json_t *d = json_pack("{s:s, s:O}", "no", no, "ticket_ids", ids);
        rc = audit_append(c, who->id, who->username, "create", "defect-cases", *id_out, NULL, d);
        json_decref(d);
    }
    if (rc < 0)
        *id_out = 0;
    return rc < 0 ? rc : 0;
}

int ticket_defect_report(json_t **out,
                         struct db_conn *c,
                         const struct auth_user *who,
                         const char *by,
                         int64_t project_id,
                         struct app_err *err)
{
    static const struct {
        const char *by, *key, *label;
    } groups[] = {
            {"project", "d.project_id", "(SELECT name FROM projects WHERE id = d.project_id)"},
            {"building", "d.building_id", "(SELECT name FROM buildings WHERE id = d.building_id)"},
            {"category", "d.category_id",
             "(SELECT name FROM ticket_categories WHERE id = d.category_id)"},
            {"contractor", "d.contractor_id",
             "(SELECT name FROM contractors WHERE id = d.contractor_id)"},
    };
    *out = NULL;
    int k = -1;
    for (size_t i = 0; i < ARRAY_LEN(groups); i++)
        if (by && strcmp(groups[i].by, by) == 0)
            k = (int)i;
    if (by == NULL)
        k = 0;
    if (k < 0)
        return app_err_set(err, APP_EINVAL, "by",
                           "汇总维度应为 project、building、category 或 contractor");
    if (project_id > 0 && !auth_in_scope(who, project_id))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 8192);
    strbuf_printf(&sql,
                  "SELECT %s AS key, %s AS label, COUNT(*) AS cases, SUM((SELECT COUNT(*) FROM"
                  " tickets t WHERE t.defect_case_id = d.id)) AS tickets, SUM(d.cost_fen) AS"
                  " cost_fen FROM defect_cases d WHERE 1 = 1",
                  groups[k].key, groups[k].label);
    query_report_scope(&sql, &p, "d.project_id", who, project_id);
    strbuf_printf(&sql, " GROUP BY %s ORDER BY 3 DESC, 1", groups[k].key);
    json_t *rows = NULL;
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    int64_t cases = 0, tickets = 0, cost = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        cases += row_int(r, "cases");
        tickets += row_int(r, "tickets");
        cost += row_int(r, "cost_fen");
    }
    *out = json_pack("{s:s, s:o, s:{s:I, s:I, s:I}}", "by", groups[k].by, "rows", rows, "totals",
                     "cases", (json_int_t)cases, "tickets", (json_int_t)tickets, "cost_fen",
                     (json_int_t)cost);
    return 0;
}
