/*
 * ticket.c - intake, the SLA clock, the action table, the ticket view and
 * the sweep that warns and escalates.
 */
#include "ticket.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "approval.h"
#include "audit.h"
#include "calc.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "customer.h"
#include "entity.h"
#include "notify.h"
#include "query.h"
#include "survey.h"
#include "workcal.h"

static const struct {
    const char *status, *label;
} statuses[] = {
        {"new", "新建"},        {"accepted", "已受理"}, {"processing", "处理中"},
        {"callback", "待回访"}, {"closed", "已关闭"},   {"merged", "已合并"},
};

const char *ticket_status_label(const char *status)
{
    for (size_t i = 0; status && i < ARRAY_LEN(statuses); i++)
        if (strcmp(statuses[i].status, status) == 0)
            return statuses[i].label;
    return status ? status : "";
}

static const char *const types[] = {"consult", "complaint", "repair", "suggestion", "compensation"};
static const char *const channels[] = {"phone", "visit", "online", "hotline", "letter", "media"};
static const char *const severities[] = {"urgent", "high", "normal", "low"};

static int one_of(const char *v, const char *const *set, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(set[i], v) == 0)
            return 1;
    return 0;
}

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

static int64_t row_time(json_t *row, const char *k)
{
    int64_t t = 0;
    const char *s = row_str(row, k);
    return s && time_parse_iso(&t, s) == 0 ? t : 0;
}

static void iso(char out[32], int64_t t)
{
    time_format_iso(out, 32, t);
}

static int load(json_t **out, struct db_conn *c, int64_t id)
{
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(out, c, "SELECT * FROM tickets WHERE id = ?", &p);
    db_params_free(&p);
    return rc;
}

int ticket_visible(struct db_conn *c, const struct auth_user *who, int64_t id, struct app_err *err)
{
    int64_t project = 0;
    int rc = db_query_int64(c, &project, "SELECT project_id FROM tickets WHERE id = ?", "i", id);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "工单不存在");
    if (rc < 0)
        return rc;
    if (!auth_in_scope(who, project))
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
    return 0;
}

/*---- The SLA clock ----*/

/* A policy's target added to start, on the policy's clock. */
static int64_t target_at(const struct workcal *w, const char *unit, int64_t amount, int64_t start)
{
    if (strcmp(unit, "work_hours") == 0)
        return workcal_add_work_seconds(w, start, amount * 3600);
    if (strcmp(unit, "work_days") == 0)
        return workcal_end_of_workday(w, start, amount);
    if (strcmp(unit, "hours") == 0)
        return start + amount * 3600;
    return start + amount * 86400; /* calendar_days */
}

static int is_work_clock(const char *clock)
{
    return clock == NULL || strcmp(clock, "work") == 0;
}

/* Seconds between a and b as the ticket's clock counts them. */
static int64_t clock_elapsed(const struct workcal *w, const char *clock, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    return is_work_clock(clock) ? workcal_work_seconds(w, a, b) : b - a;
}

static int64_t clock_shift(const struct workcal *w, const char *clock, int64_t t, int64_t d)
{
    return is_work_clock(clock) ? workcal_add_work_seconds(w, t, d) : t + d;
}

/* A 12345 deadline: "YYYY-MM-DD" (18:00 that day, Shanghai) or an instant. */
static int hotline_deadline(int64_t *out, const char *s)
{
    int y, m, d;
    if (s == NULL)
        return APP_EINVAL;
    if (strlen(s) == 10 && date_parse(&y, &m, &d, s) == 0) {
        *out = date_to_days(y, m, d) * 86400 + 18 * 3600 - 8 * 3600;
        return 0;
    }
    return time_parse_iso(out, s);
}

/* Sets response_due_at, resolve_due_at, warn_at, escalate2_at, sla_clock
 * and sla_policy_id on the new ticket id. */
static int sla_start(struct db_conn *c,
                     int64_t id,
                     const char *type,
                     const char *severity,
                     const char *channel,
                     int64_t start,
                     const char *hotline)
{
    json_t *pol = NULL;
    struct db_params p = {0};
    db_params_text(&p, type);
    db_params_text(&p, severity);
    db_params_text(&p, channel);
    int rc = query_row(&pol, c,
                       "SELECT * FROM sla_policies WHERE active = 1 AND (type IS NULL OR type = ?)"
                       " AND (severity IS NULL OR severity = ?) AND (channel IS NULL OR"
                       " channel = ?) ORDER BY (CASE WHEN channel IS NULL THEN 0 ELSE 4 END +"
                       " CASE WHEN severity IS NULL THEN 0 ELSE 2 END + CASE WHEN type IS NULL"
                       " THEN 0 ELSE 1 END) DESC, id LIMIT 1",
                       &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return 0; /* no policy: no clock */
    if (rc < 0)
        return rc;
    struct workcal w = {0};
    rc = workcal_load(&w, c);
    if (rc < 0)
        goto done;
    const char *runit = row_str(pol, "resolve_unit");
    const char *clock = strncmp(runit, "work_", 5) == 0 ? "work" : "wall";
    int64_t respond =
            target_at(&w, row_str(pol, "response_unit"), row_int(pol, "response_amount"), start);
    int64_t resolve = target_at(&w, runit, row_int(pol, "resolve_amount"), start);
    int64_t deadline = 0;
    if (hotline && hotline_deadline(&deadline, hotline) == 0 && deadline < resolve)
        resolve = deadline > start ? deadline : start;
    if (respond > resolve)
        respond = resolve;
    int64_t window = clock_elapsed(&w, clock, start, resolve);
    int64_t pct = row_int(pol, "warn_percent");
    int64_t warn = clock_shift(&w, clock, start, window * (pct > 0 && pct < 100 ? pct : 80) / 100);
    int64_t esc2 = clock_shift(&w, clock, resolve, window / 2 > 0 ? window / 2 : 3600);
    char a[32], b[32], cc[32], d[32];
    iso(a, respond);
    iso(b, resolve);
    iso(cc, warn);
    iso(d, esc2);
    rc = db_run(c,
                "UPDATE tickets SET sla_policy_id = ?, sla_clock = ?, response_due_at = ?,"
                " resolve_due_at = ?, warn_at = ?, escalate2_at = ? WHERE id = ?",
                "ittttti", row_int(pol, "id"), clock, a, b, cc, d, id);
done:
    workcal_free(&w);
    json_decref(pol);
    return rc < 0 ? rc : 0;
}

/* The next warning or escalation the sweep owes ticket id: the earliest of
 * the pending ones while the ticket is open and its clock runs, else NULL.
 * Kept on the row so the sweep reads an index, not every open ticket. */
static int sla_next(struct db_conn *c, int64_t id)
{
    json_t *t = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(&t, c,
                       "SELECT status, paused_at, response_due_at, resolve_due_at, warn_at,"
                       " escalate2_at, warned_at, escalated1_at, escalated2_at FROM tickets WHERE"
                       " id = ?",
                       &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    const char *st = row_str(t, "status"), *next = NULL;
    int open =
            strcmp(st, "new") == 0 || strcmp(st, "accepted") == 0 || strcmp(st, "processing") == 0;
    if (open && row_str(t, "paused_at") == NULL) {
        const char *due[3] = {NULL, NULL, NULL};
        if (row_str(t, "warned_at") == NULL)
            due[0] = row_str(t, "warn_at");
        if (row_str(t, "escalated1_at") == NULL) {
            const char *resp = row_str(t, "response_due_at"), *res = row_str(t, "resolve_due_at");
            due[1] = strcmp(st, "new") == 0 && resp && (!res || strcmp(resp, res) < 0) ? resp : res;
        }
        if (row_str(t, "escalated2_at") == NULL)
            due[2] = row_str(t, "escalate2_at");
        for (int i = 0; i < 3; i++)
            if (due[i] && (next == NULL || strcmp(due[i], next) < 0))
                next = due[i];
    }
    rc = db_run(c, "UPDATE tickets SET next_sla_at = ? WHERE id = ?", "ti", next, id);
    json_decref(t);
    return rc < 0 ? rc : 0;
}

/*---- Events, notifications ----*/

static int event(struct db_conn *c,
                 int64_t id,
                 const struct auth_user *who,
                 const char *action,
                 const char *from,
                 const char *to,
                 const char *note)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "INSERT INTO ticket_events (ticket_id, at, user_id, user_name, action,"
                    " from_status, to_status, note) VALUES (?,?,NULLIF(?, 0),?,?,?,?,?)",
                    "itittttt", id, at, who ? who->id : (int64_t)0,
                    who ? who->display_name : "系统", action, from, to, note);
    return rc < 0 ? rc : 0;
}

/* Notifications about ticket id link to its page. */
static int
notify(struct db_conn *c, int64_t user_id, const char *kind, const char *title, int64_t id)
{
    char link[48];
    snprintf(link, sizeof(link), "#/ticket/%lld", (long long)id);
    return notify_user(c, user_id, kind, title, link);
}

/* Every active user of role who sees the ticket's project. */
static int notify_ticket_role(struct db_conn *c,
                              const char *role,
                              int64_t project,
                              const char *kind,
                              const char *title,
                              int64_t id)
{
    char link[48];
    snprintf(link, sizeof(link), "#/ticket/%lld", (long long)id);
    return notify_role(c, role, project > 0 ? project : -1, kind, title, link);
}

static int audit_ticket(struct db_conn *c,
                        const struct auth_user *who,
                        const char *action,
                        int64_t id,
                        json_t *before)
{
    json_t *after = NULL;
    int rc = load(&after, c, id);
    if (rc < 0)
        return rc;
    /* The sealed phone never goes into the trail. */
    static const char *const drop[] = {"caller_phone_enc", "caller_phone_idx", "caller_phone_tail"};
    json_t *b = before ? json_deep_copy(before) : NULL;
    for (size_t i = 0; i < ARRAY_LEN(drop); i++) {
        json_object_del(after, drop[i]);
        if (b)
            json_object_del(b, drop[i]);
    }
    rc = audit_append(c, who ? who->id : 0, who ? who->username : "system", action, "tickets", id,
                      b, after);
    json_decref(after);
    json_decref(b);
    return rc;
}

static int
tell_customer(struct db_conn *c, json_t *t, const char *what, const struct auth_user *who)
{
    if (!json_is_integer(json_object_get(t, "customer_id")))
        return 0;
    char title[256];
    snprintf(title, sizeof(title), "工单 %s %s", row_str(t, "no"), what);
    return customer_event_add(c, row_int(t, "customer_id"), "ticket", title, "tickets",
                              row_int(t, "id"), who);
}

/*---- Intake ----*/

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int check_text(
        json_t *in, const char *k, size_t max, int required, const char *label, struct app_err *err)
{
    json_t *v = json_object_get(in, k);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return app_err_set(err, APP_EINVAL, k, "请填写%s", label);
        return 0;
    }
    if (!json_is_string(v))
        return app_err_set(err, APP_EINVAL, k, "%s应为文本", label);
    const char *s = json_string_value(v);
    while (*s == ' ')
        s++;
    if (required && *s == '\0')
        return app_err_set(err, APP_EINVAL, k, "请填写%s", label);
    if (!app_utf8_valid(s, strlen(s)) || utf8_chars(s) > max)
        return app_err_set(err, APP_EINVAL, k, "%s不能超过 %zu 个字", label, max);
    return 0;
}

static int check_ref(struct db_conn *c,
                     json_t *in,
                     const char *k,
                     const char *sql,
                     const char *label,
                     struct app_err *err)
{
    json_t *v = json_object_get(in, k);
    if (v == NULL || json_is_null(v))
        return 0;
    int64_t n = 0;
    if (!json_is_integer(v) ||
        db_query_int64(c, &n, sql, "i", (int64_t)json_integer_value(v)) < 0 || n == 0)
        return app_err_set(err, APP_EINVAL, k, "%s不存在", label);
    return 0;
}

static int64_t opt_int(json_t *in, const char *k)
{
    json_t *v = json_object_get(in, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* A possible group complaint the new ticket joins: >= 3 repair or complaint
 * tickets of its building and top category within 3 days. */
static int cluster_check(json_t **out, struct db_conn *c, json_t *t)
{
    *out = NULL;
    if (!json_is_integer(json_object_get(t, "building_id")) ||
        (strcmp(row_str(t, "type"), "repair") != 0 && strcmp(row_str(t, "type"), "complaint") != 0))
        return 0;
    int64_t root = 0, n = 0;
    int rc = db_query_int64(c, &root,
                            "SELECT COALESCE(parent_id, id) FROM ticket_categories WHERE id = ?",
                            "i", row_int(t, "category_id"));
    if (rc < 0)
        return rc;
    char since[32];
    iso(since, row_time(t, "created_at") - 3 * 86400);
    rc = db_query_int64(c, &n,
                        "SELECT COUNT(*) FROM tickets t JOIN ticket_categories k ON k.id ="
                        " t.category_id WHERE t.building_id = ? AND COALESCE(k.parent_id, k.id) = ?"
                        " AND t.created_at >= ? AND t.type IN ('repair', 'complaint') AND"
                        " t.status <> 'merged'",
                        "iit", row_int(t, "building_id"), root, since);
    if (rc < 0 || n < 3)
        return rc < 0 ? rc : 0;
    char *building = NULL, *category = NULL;
    db_query_text(c, &building, "SELECT name FROM buildings WHERE id = ?", "i",
                  row_int(t, "building_id"));
    db_query_text(c, &category, "SELECT name FROM ticket_categories WHERE id = ?", "i", root);
    *out = json_pack("{s:I, s:s?, s:I, s:s?, s:I, s:i}", "building_id",
                     (json_int_t)row_int(t, "building_id"), "building", building, "category_id",
                     (json_int_t)root, "category", category, "count", (json_int_t)n, "days", 3);
    /* The supervisors hear of it once: when the cluster first reaches three. */
    if (n == 3) {
        char title[256];
        snprintf(title, sizeof(title), "疑似群诉：%s %s 3 天内 %lld 单", building ? building : "",
                 category ? category : "", (long long)n);
        rc = notify_ticket_role(c, "supervisor", row_int(t, "project_id"), "ticket_cluster", title,
                                row_int(t, "id"));
    }
    free(building);
    free(category);
    return rc;
}

int ticket_create(int64_t *id_out,
                  json_t **cluster,
                  struct db_conn *c,
                  const struct auth_user *who,
                  json_t *in,
                  struct app_err *err)
{
    static const char *const allowed[] = {
            "type",        "channel",     "project_id",  "unit_id",
            "customer_id", "category_id", "severity",    "title",
            "description", "location",    "hotline_no",  "hotline_deadline",
            "parent_id",   "assignee_id", "caller_name", "caller_phone"};
    *id_out = 0;
    if (cluster)
        *cluster = NULL;
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
    const char *type = row_str(in, "type"), *channel = row_str(in, "channel");
    const char *severity = row_str(in, "severity") ? row_str(in, "severity") : "normal";
    if (!one_of(type, types, ARRAY_LEN(types)))
        return app_err_set(err, APP_EINVAL, "type", "工单类型应为咨询、投诉、报修、建议或赔付");
    if (!one_of(channel, channels, ARRAY_LEN(channels)))
        return app_err_set(err, APP_EINVAL, "channel",
                           "来源渠道应为来电、来访、网络、12345热线、信函或媒体");
    if (!one_of(severity, severities, ARRAY_LEN(severities)))
        return app_err_set(err, APP_EINVAL, "severity", "紧急程度应为紧急、重要、一般或轻微");
    int rc;
    if ((rc = check_text(in, "title", 100, 0, "标题", err)) < 0 ||
        (rc = check_text(in, "description", 4000, 1, "问题描述", err)) < 0 ||
        (rc = check_text(in, "location", 200, 0, "部位", err)) < 0 ||
        (rc = check_text(in, "hotline_no", 40, 0, "热线工单号", err)) < 0 ||
        (rc = check_text(in, "caller_name", 50, 0, "来电人", err)) < 0)
        return rc;
    /* Where: the unit names its project and building. */
    int64_t project = opt_int(in, "project_id"), unit = opt_int(in, "unit_id"), building = 0;
    if (json_object_get(in, "unit_id") && !json_is_null(json_object_get(in, "unit_id"))) {
        json_t *u = NULL;
        if (!json_is_integer(json_object_get(in, "unit_id")))
            return app_err_set(err, APP_EINVAL, "unit_id", "房源不存在");
        rc = entity_get(&u, c, entity_find("units"), who, unit, err);
        if (rc == APP_ENOTFOUND)
            return app_err_set(err, APP_EINVAL, "unit_id", "房源不存在");
        if (rc < 0)
            return rc;
        if (project && project != row_int(u, "project_id")) {
            json_decref(u);
            return app_err_set(err, APP_EINVAL, "project_id", "房源不属于所选项目");
        }
        project = row_int(u, "project_id");
        building = row_int(u, "building_id");
        json_decref(u);
    }
    if (project <= 0)
        return app_err_set(err, APP_EINVAL, "project_id", "请选择项目或房源");
    if ((rc = check_ref(c, in, "project_id", "SELECT COUNT(*) FROM projects WHERE id = ?", "项目",
                        err)) < 0)
        return rc;
    if (!auth_in_scope(who, project))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    /* Who: a known customer, or the caller's name and phone. */
    int64_t customer = opt_int(in, "customer_id");
    if (json_object_get(in, "customer_id") && !json_is_null(json_object_get(in, "customer_id"))) {
        json_t *cu = NULL;
        if (!json_is_integer(json_object_get(in, "customer_id")))
            return app_err_set(err, APP_EINVAL, "customer_id", "客户不存在");
        rc = entity_get(&cu, c, entity_find("customers"), who, customer, err);
        if (rc == APP_ENOTFOUND || rc == APP_EFORBIDDEN)
            return app_err_set(err, APP_EINVAL, "customer_id", "客户不存在");
        if (rc < 0)
            return rc;
        int active = row_str(cu, "status") && strcmp(row_str(cu, "status"), "active") == 0;
        json_decref(cu);
        if (!active)
            return app_err_set(err, APP_EINVAL, "customer_id", "客户已合并或匿名化");
    }
    char phone[32] = "";
    json_t *ph = json_object_get(in, "caller_phone");
    if (ph && !json_is_null(ph)) {
        if (!json_is_string(ph))
            return app_err_set(err, APP_EINVAL, "caller_phone", "来电号码应为文本");
        if (*json_string_value(ph) &&
            (rc = validate_mobile(phone, sizeof(phone), json_string_value(ph), "caller_phone",
                                  err)) < 0) {
            /* Landlines are fine too: digits, '-', up to 20. */
            size_t n = strlen(json_string_value(ph));
            int ok = n >= 7 && n <= 20;
            for (const char *s = json_string_value(ph); ok && *s; s++)
                ok = (*s >= '0' && *s <= '9') || *s == '-';
            if (!ok)
                return app_err_set(err, APP_EINVAL, "caller_phone", "来电号码格式不正确");
            memset(err, 0, sizeof(*err));
            snprintf(phone, sizeof(phone), "%s", json_string_value(ph));
        }
    }
    if (customer == 0 && phone[0] == '\0' && row_str(in, "caller_name") == NULL)
        return app_err_set(err, APP_EINVAL, "customer_id", "请选择客户，或填写来电人和来电号码");
    if ((rc = check_ref(c, in, "category_id",
                        "SELECT COUNT(*) FROM ticket_categories WHERE id = ? AND active = 1",
                        "分类", err)) < 0)
        return rc;
    if (!json_is_integer(json_object_get(in, "category_id")))
        return app_err_set(err, APP_EINVAL, "category_id", "请选择问题分类");
    int64_t assignee = who->id;
    if (json_object_get(in, "assignee_id") && !json_is_null(json_object_get(in, "assignee_id"))) {
        if ((rc = check_ref(c, in, "assignee_id",
                            "SELECT COUNT(*) FROM users WHERE id = ? AND status = 'active'",
                            "处理人", err)) < 0)
            return rc;
        assignee = opt_int(in, "assignee_id");
    }
    int64_t parent = opt_int(in, "parent_id");
    if (json_object_get(in, "parent_id") && !json_is_null(json_object_get(in, "parent_id"))) {
        int64_t pp = 0;
        int prc = json_is_integer(json_object_get(in, "parent_id"))
                          ? db_query_int64(c, &pp,
                                           "SELECT project_id FROM tickets WHERE id = ? AND"
                                           " status NOT IN ('merged', 'closed') AND parent_id IS"
                                           " NULL",
                                           "i", parent)
                          : APP_EINVAL;
        if (prc < 0 || pp != project)
            return app_err_set(err, APP_EINVAL, "parent_id",
                               "主工单不存在、已关闭、本身是子工单或不属于同一项目");
    }
    const char *hotline = row_str(in, "hotline_deadline");
    int64_t deadline = 0;
    if (strcmp(channel, "hotline") == 0) {
        const char *hno = row_str(in, "hotline_no");
        if (hno == NULL || *hno == '\0')
            return app_err_set(err, APP_EINVAL, "hotline_no", "12345热线工单请填写热线工单号");
        if (hotline == NULL || hotline_deadline(&deadline, hotline) < 0)
            return app_err_set(err, APP_EINVAL, "hotline_deadline",
                               "12345热线工单请填写热线要求的办结时限（日期或时间）");
    } else if (hotline) {
        return app_err_set(err, APP_EINVAL, "hotline_deadline", "只有12345热线工单有热线时限");
    }
    /* The title defaults to the category and the start of the description. */
    char title[400];
    const char *given = row_str(in, "title");
    if (given && *given) {
        snprintf(title, sizeof(title), "%s", given);
    } else {
        char *cat = NULL;
        db_query_text(c, &cat, "SELECT name FROM ticket_categories WHERE id = ?", "i",
                      opt_int(in, "category_id"));
        const char *d = row_str(in, "description");
        size_t n = 0, chars = 0;
        while (d[n] && chars < 30) {
            unsigned char ch = (unsigned char)d[n];
            n += ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
            chars++;
        }
        snprintf(title, sizeof(title), "%s：%.*s%s", cat ? cat : "", (int)n, d, d[n] ? "…" : "");
        free(cat);
    }
    int64_t now = time_now();
    char at[32], today[11], hot[32] = "";
    iso(at, now);
    date_from_days(today, workcal_local_day(now));
    if (deadline)
        iso(hot, deadline);
    int needs_callback = !(strcmp(type, "consult") == 0 || strcmp(type, "suggestion") == 0) ||
                         strcmp(channel, "hotline") == 0;
    struct entity_pii pii = {0};
    if (phone[0])
        entity_pii_seal(&pii, PII_PHONE, phone);
    struct db_params p = {0};
    char tmpno[48];
    /* A placeholder until the id is known; random so that concurrent
     * writers (another backend, another server) never collide. */
    snprintf(tmpno, sizeof(tmpno), "new-%lld-%lld-%08x", (long long)now, (long long)who->id,
             (unsigned)randombytes_random());
    db_params_text(&p, tmpno);
    db_params_text(&p, type);
    db_params_text(&p, channel);
    db_params_int(&p, project);
    if (building)
        db_params_int(&p, building);
    else
        db_params_text(&p, NULL);
    if (unit)
        db_params_int(&p, unit);
    else
        db_params_text(&p, NULL);
    if (customer)
        db_params_int(&p, customer);
    else
        db_params_text(&p, NULL);
    db_params_text(&p, row_str(in, "caller_name"));
    db_params_text(&p, phone[0] ? pii.enc : NULL);
    db_params_text(&p, phone[0] ? pii.idx : NULL);
    db_params_text(&p, phone[0] ? pii.mask : NULL);
    db_params_text(&p, phone[0] ? pii.tail : NULL);
    db_params_int(&p, opt_int(in, "category_id"));
    db_params_text(&p, severity);
    db_params_text(&p, title);
    db_params_text(&p, row_str(in, "description"));
    db_params_text(&p, row_str(in, "location"));
    db_params_int(&p, assignee);
    db_params_text(&p, row_str(in, "hotline_no"));
    db_params_text(&p, deadline ? hot : NULL);
    if (parent)
        db_params_int(&p, parent);
    else
        db_params_text(&p, NULL);
    db_params_int(&p, needs_callback);
    db_params_int(&p, who->id);
    db_params_text(&p, today);
    db_params_text(&p, at);
    db_params_text(&p, at);
    json_t *ins = NULL;
    rc = query_row(&ins, c,
                   "INSERT INTO tickets (no, type, channel, project_id, building_id, unit_id,"
                   " customer_id, caller_name, caller_phone_enc, caller_phone_idx,"
                   " caller_phone_mask, caller_phone_tail, category_id, severity, title,"
                   " description, location, status, assignee_id, hotline_no, hotline_deadline,"
                   " parent_id, callback_required, created_by, opened_on, created_at, updated_at)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'new',?,?,?,?,?,?,?,?,?)"
                   " RETURNING id",
                   &p);
    db_params_free(&p);
    entity_pii_free(&pii);
    if (rc < 0)
        return rc;
    int64_t id = row_int(ins, "id");
    json_decref(ins);
    char no[48];
    snprintf(no, sizeof(no), "GD%.4s%.2s%.2s-%06lld", today, today + 5, today + 8, (long long)id);
    rc = db_run(c, "UPDATE tickets SET no = ? WHERE id = ?", "ti", no, id);
    if (rc >= 0)
        rc = sla_start(c, id, type, severity, channel, now, deadline ? hot : NULL);
    if (rc >= 0)
        rc = sla_next(c, id);
    if (rc >= 0)
        rc = event(c, id, who, "create", NULL, "new", title);
    json_t *t = NULL;
    if (rc >= 0)
        rc = load(&t, c, id);
    if (rc >= 0)
        rc = audit_ticket(c, who, "create", id, NULL);
    if (rc >= 0)
        rc = tell_customer(c, t, "登记", who);
    if (rc >= 0 && assignee != who->id) {
        char msg[512];
        snprintf(msg, sizeof(msg), "新工单 %s：%s", no, title);
        rc = notify(c, assignee, "ticket_assigned", msg, id);
    }
    json_t *cl = NULL;
    if (rc >= 0)
        rc = cluster_check(&cl, c, t);
    json_decref(t);
    if (rc < 0) {
        json_decref(cl);
        return rc;
    }
    if (cluster)
        *cluster = cl;
    else
        json_decref(cl);
    *id_out = id;
    return 0;
}

/*---- Actions ----*/

struct ticket_ctx {
    struct db_conn *c;
    const struct auth_user *who;
    json_t *t; /* the ticket before the action */
    int64_t id;
    int64_t now;
    char at[32];
    const char *to; /* the state after; handlers may change it */
    char note[600];
    struct workcal cal;
};

/* Open children block closing a parent. */
static int children_open(struct ticket_ctx *x, struct app_err *err)
{
    int64_t n = 0;
    int rc = db_query_int64(x->c, &n,
                            "SELECT COUNT(*) FROM tickets WHERE parent_id = ? AND status NOT IN"
                            " ('closed', 'merged')",
                            "i", x->id);
    if (rc < 0)
        return rc;
    if (n > 0)
        return app_err_set(err, APP_ECONFLICT, "children",
                           "还有 %lld 个子工单未关闭，主工单不能关闭", (long long)n);
    return 0;
}

static int note_param(struct ticket_ctx *x,
                      json_t *params,
                      const char *k,
                      int required,
                      const char *label,
                      struct app_err *err)
{
    int rc = check_text(params, k, 500, required, label, err);
    if (rc < 0)
        return rc;
    const char *s = row_str(params, k);
    snprintf(x->note, sizeof(x->note), "%s", s ? s : "");
    return 0;
}

static int user_active(struct db_conn *c, json_t *params, const char *k, struct app_err *err)
{
    json_t *v = json_object_get(params, k);
    int64_t n = 0;
    if (!json_is_integer(v) ||
        db_query_int64(c, &n, "SELECT COUNT(*) FROM users WHERE id = ? AND status = 'active'", "i",
                       (int64_t)json_integer_value(v)) < 0 ||
        n == 0)
        return app_err_set(err, APP_EINVAL, k, "请选择一位在职的处理人");
    return 0;
}

static int run_accept(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    int rc = note_param(x, params, "note", 0, "备注", err);
    if (rc < 0)
        return rc;
    rc = db_run(x->c, "UPDATE tickets SET responded_at = COALESCE(responded_at, ?) WHERE id = ?",
                "ti", x->at, x->id);
    return rc < 0 ? rc : 0;
}

static int run_dispatch(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    static const char *const kinds[] = {"department", "contractor", "property"};
    const char *kind = row_str(params, "dispatch_kind");
    if (!one_of(kind, kinds, ARRAY_LEN(kinds)))
        return app_err_set(err, APP_EINVAL, "dispatch_kind", "请选择派往部门、施工单位或物业公司");
    int rc = note_param(x, params, "note", 0, "派单说明", err);
    if (rc < 0)
        return rc;
    char *to = NULL;
    int64_t contractor = 0;
    if (strcmp(kind, "contractor") == 0) {
        json_t *cid = json_object_get(params, "contractor_id");
        if (!json_is_integer(cid) ||
            db_query_text(x->c, &to, "SELECT name FROM contractors WHERE id = ?", "i",
                          (int64_t)json_integer_value(cid)) < 0)
            return app_err_set(err, APP_EINVAL, "contractor_id", "请选择施工单位");
        contractor = json_integer_value(cid);
    } else {
        if ((rc = check_text(params, "dispatch_to", 60, 1, "派往单位", err)) < 0)
            return rc;
        to = strdup(row_str(params, "dispatch_to"));
    }
    rc = validate_date_field(params, "due_date", 0, err);
    int64_t assignee = row_int(x->t, "assignee_id");
    if (rc == 0 && json_object_get(params, "assignee_id") &&
        !json_is_null(json_object_get(params, "assignee_id"))) {
        rc = user_active(x->c, params, "assignee_id", err);
        assignee = opt_int(params, "assignee_id");
    }
    if (rc < 0) {
        free(to);
        return rc;
    }
    int64_t n = 0;
    db_query_int64(x->c, &n,
                   "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND action ="
                   " 'dispatch'",
                   "i", x->id);
    char wo[64];
    snprintf(wo, sizeof(wo), "PG%s-%lld", row_str(x->t, "no") + 2, (long long)n + 1);
    rc = db_run(
            x->c,
            "UPDATE tickets SET dispatch_kind = ?, dispatch_to = ?, contractor_id = NULLIF(?, 0),"
            " work_order_no = ?, dispatch_due = ?, assignee_id = ?, responded_at ="
            " COALESCE(responded_at, ?) WHERE id = ?",
            "ttittiti", kind, to, contractor ? contractor : (int64_t)0, wo,
            row_str(params, "due_date"), assignee, x->at, x->id);
    char note[1400];
    snprintf(note, sizeof(note), "派单 %s → %s%s%s", wo, to, x->note[0] ? "：" : "", x->note);
    app_strlcpy(x->note, note, sizeof(x->note));
    free(to);
    if (rc >= 0 && assignee != row_int(x->t, "assignee_id") && assignee != x->who->id) {
        char msg[512];
        snprintf(msg, sizeof(msg), "工单 %s 派给您：%s", row_str(x->t, "no"),
                 row_str(x->t, "title"));
        rc = notify(x->c, assignee, "ticket_assigned", msg, x->id);
    }
    return rc < 0 ? rc : 0;
}

static int run_assign(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    int rc = user_active(x->c, params, "assignee_id", err);
    if (rc == 0)
        rc = note_param(x, params, "note", 0, "备注", err);
    if (rc < 0)
        return rc;
    int64_t to = opt_int(params, "assignee_id");
    char *name = NULL;
    db_query_text(x->c, &name, "SELECT display_name FROM users WHERE id = ?", "i", to);
    char note[1400];
    snprintf(note, sizeof(note), "转派给 %s%s%s", name ? name : "", x->note[0] ? "：" : "",
             x->note);
    app_strlcpy(x->note, note, sizeof(x->note));
    free(name);
    rc = db_run(x->c, "UPDATE tickets SET assignee_id = ? WHERE id = ?", "ii", to, x->id);
    if (rc >= 0 && to != x->who->id) {
        char msg[512];
        snprintf(msg, sizeof(msg), "工单 %s 转派给您：%s", row_str(x->t, "no"),
                 row_str(x->t, "title"));
        rc = notify(x->c, to, "ticket_assigned", msg, x->id);
    }
    return rc < 0 ? rc : 0;
}

static int run_pause(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    if (row_str(x->t, "paused_at"))
        return app_err_set(err, APP_ECONFLICT, "status", "工单已在等待业主");
    int rc = note_param(x, params, "note", 1, "等待原因", err);
    if (rc < 0)
        return rc;
    rc = db_run(x->c, "UPDATE tickets SET paused_at = ? WHERE id = ?", "ti", x->at, x->id);
    return rc < 0 ? rc : 0;
}

static int run_resume(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    if (row_str(x->t, "paused_at") == NULL)
        return app_err_set(err, APP_ECONFLICT, "status", "工单没有暂停计时");
    int rc = note_param(x, params, "note", 0, "备注", err);
    if (rc < 0)
        return rc;
    const char *clock = row_str(x->t, "sla_clock");
    int64_t d = clock_elapsed(&x->cal, clock, row_time(x->t, "paused_at"), x->now);
    /* Every due time still ahead of the ticket moves by the paused span. */
    static const char *const cols[] = {"response_due_at", "resolve_due_at", "warn_at",
                                       "escalate2_at"};
    for (size_t i = 0; rc >= 0 && i < ARRAY_LEN(cols); i++) {
        if (row_str(x->t, cols[i]) == NULL)
            continue;
        if (i == 0 && row_str(x->t, "responded_at"))
            continue;
        char t[32], sql[96];
        iso(t, clock_shift(&x->cal, clock, row_time(x->t, cols[i]), d));
        snprintf(sql, sizeof(sql), "UPDATE tickets SET %s = ? WHERE id = ?", cols[i]);
        rc = db_run(x->c, sql, "ti", t, x->id);
    }
    char note[1400];
    snprintf(note, sizeof(note), "恢复计时，暂停 %lld 分钟（按 SLA 时钟）%s%s", (long long)(d / 60),
             x->note[0] ? "：" : "", x->note);
    app_strlcpy(x->note, note, sizeof(x->note));
    if (rc >= 0)
        rc = db_run(x->c, "UPDATE tickets SET paused_at = NULL WHERE id = ?", "i", x->id);
    return rc < 0 ? rc : 0;
}

static int close_now(struct ticket_ctx *x, struct app_err *err)
{
    int rc = children_open(x, err);
    if (rc < 0)
        return rc;
    x->to = "closed";
    rc = db_run(x->c, "UPDATE tickets SET closed_at = ? WHERE id = ?", "ti", x->at, x->id);
    return rc < 0 ? rc : 0;
}

static int run_resolve(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    int rc = check_text(params, "resolution", 2000, 1, "处理结果", err);
    if (rc < 0)
        return rc;
    snprintf(x->note, sizeof(x->note), "%s", row_str(params, "resolution"));
    rc = db_run(x->c,
                "UPDATE tickets SET resolution = ?, resolved_at = ?, responded_at ="
                " COALESCE(responded_at, ?), callback_failures = 0 WHERE id = ?",
                "ttti", row_str(params, "resolution"), x->at, x->at, x->id);
    if (rc < 0)
        return rc;
    /* Consultations and suggestions outside 12345 need no callback. */
    if (!row_int(x->t, "callback_required"))
        return close_now(x, err);
    return 0;
}

/* The users who handled the ticket may not score it. */
static int handled_by(struct ticket_ctx *x, int64_t user)
{
    if (row_int(x->t, "created_by") == user || row_int(x->t, "assignee_id") == user)
        return 1;
    int64_t n = 0;
    db_query_int64(x->c, &n,
                   "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND user_id = ? AND"
                   " action IN ('accept', 'dispatch', 'assign', 'resolve')",
                   "ii", x->id, user);
    return n > 0;
}

static int escalate(struct ticket_ctx *x, const char *why)
{
    char msg[512];
    snprintf(msg, sizeof(msg), "工单升级（%s）：%s %s", why, row_str(x->t, "no"),
             row_str(x->t, "title"));
    int rc = db_run(x->c,
                    "UPDATE tickets SET escalation_level = CASE WHEN escalation_level < 1 THEN 1"
                    " ELSE escalation_level END WHERE id = ?",
                    "i", x->id);
    return rc < 0 ? rc
                  : notify_ticket_role(x->c, "supervisor", row_int(x->t, "project_id"),
                                       "ticket_escalated", msg, x->id);
}

static int run_callback(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    const char *outcome = row_str(params, "outcome");
    int rc;
    if (outcome && strcmp(outcome, "failed") == 0) {
        if ((rc = note_param(x, params, "note", 0, "备注", err)) < 0)
            return rc;
        rc = db_run(x->c,
                    "INSERT INTO ticket_callbacks (ticket_id, at, user_id, user_name, outcome,"
                    " comment) VALUES (?,?,?,?,'failed',?)",
                    "ititt", x->id, x->at, x->who->id, x->who->display_name, x->note);
        if (rc >= 0)
            rc = db_run(x->c,
                        "UPDATE tickets SET callback_failures = callback_failures + 1 WHERE id ="
                        " ?",
                        "i", x->id);
        char note[1400];
        snprintf(note, sizeof(note), "回访未接通（第 %lld 次）%s%s",
                 (long long)row_int(x->t, "callback_failures") + 1, x->note[0] ? "：" : "",
                 x->note);
        app_strlcpy(x->note, note, sizeof(x->note));
        return rc < 0 ? rc : 0;
    }
    if (outcome == NULL || strcmp(outcome, "reached") != 0)
        return app_err_set(err, APP_EINVAL, "outcome",
                           "回访结果应为 reached（已联系）或 failed（未接通）");
    json_t *score = json_object_get(params, "score");
    if (!json_is_integer(score) || json_integer_value(score) < 1 || json_integer_value(score) > 5)
        return app_err_set(err, APP_EINVAL, "score", "请为满意度打 1 到 5 分");
    if ((rc = check_text(params, "comment", 500, 1, "回访意见", err)) < 0)
        return rc;
    if (handled_by(x, x->who->id))
        return app_err_set(err, APP_EFORBIDDEN, "score", "您处理过这张工单，不能为它回访评分");
    int64_t s = json_integer_value(score);
    if (s >= 3 && (rc = children_open(x, err)) < 0)
        return rc;
    rc = db_run(x->c,
                "INSERT INTO ticket_callbacks (ticket_id, at, user_id, user_name, outcome, score,"
                " comment) VALUES (?,?,?,?,'reached',?,?)",
                "ititit", x->id, x->at, x->who->id, x->who->display_name, s,
                row_str(params, "comment"));
    if (rc >= 0)
        rc = db_run(x->c, "UPDATE tickets SET satisfaction = ?, callback_comment = ? WHERE id = ?",
                    "iti", s, row_str(params, "comment"), x->id);
    snprintf(x->note, sizeof(x->note), "回访满意度 %lld 分：%s", (long long)s,
             row_str(params, "comment"));
    if (rc < 0)
        return rc;
    if (s >= 3)
        return close_now(x, err);
    /* A low score reopens the ticket and goes to the supervisor. */
    x->to = "processing";
    rc = db_run(x->c,
                "UPDATE tickets SET reopen_count = reopen_count + 1, resolved_at = NULL WHERE id ="
                " ?",
                "i", x->id);
    return rc < 0 ? rc : escalate(x, "回访低分");
}

static int run_close(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    int rc = note_param(x, params, "note", 0, "备注", err);
    if (rc < 0)
        return rc;
    if (row_int(x->t, "callback_required") && row_int(x->t, "callback_failures") < 3)
        return app_err_set(err, APP_ECONFLICT, "callback",
                           "关闭前需要回访评分，或三次回访未接通（已 %lld 次）",
                           (long long)row_int(x->t, "callback_failures"));
    return close_now(x, err);
}

static int run_reopen(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    int rc = note_param(x, params, "reason", 1, "重新打开原因", err);
    if (rc < 0)
        return rc;
    rc = db_run(x->c,
                "UPDATE tickets SET reopen_count = reopen_count + 1, resolved_at = NULL,"
                " closed_at = NULL, callback_failures = 0, satisfaction = NULL WHERE id = ?",
                "i", x->id);
    return rc < 0 ? rc : 0;
}

static int run_merge(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    json_t *into = json_object_get(params, "into_id");
    int64_t project = 0;
    if (!json_is_integer(into) || json_integer_value(into) == x->id ||
        db_query_int64(x->c, &project,
                       "SELECT project_id FROM tickets WHERE id = ? AND status NOT IN ('closed',"
                       " 'merged')",
                       "i", (int64_t)json_integer_value(into)) < 0)
        return app_err_set(err, APP_EINVAL, "into_id", "请选择同一项目中另一张未关闭的工单");
    if (project != row_int(x->t, "project_id"))
        return app_err_set(err, APP_EINVAL, "into_id", "只能合并到同一项目的工单");
    int64_t target = json_integer_value(into);
    char *no = NULL;
    db_query_text(x->c, &no, "SELECT no FROM tickets WHERE id = ?", "i", target);
    snprintf(x->note, sizeof(x->note), "合并到 %s", no ? no : "");
    free(no);
    int rc = db_run(x->c, "UPDATE tickets SET merged_into_id = ?, closed_at = ? WHERE id = ?",
                    "iti", target, x->at, x->id);
    /* Its children follow it to the surviving ticket. */
    if (rc >= 0)
        rc = db_run(x->c, "UPDATE tickets SET parent_id = ? WHERE parent_id = ?", "ii", target,
                    x->id);
    if (rc >= 0) {
        char note[128];
        snprintf(note, sizeof(note), "合并了重复工单 %s", row_str(x->t, "no"));
        rc = event(x->c, target, x->who, "merged_in", NULL, NULL, note);
    }
    return rc < 0 ? rc : 0;
}

static int run_set_parent(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    json_t *pv = json_object_get(params, "parent_id");
    if (pv == NULL)
        return app_err_set(err, APP_EINVAL, "parent_id", "请选择主工单（null 表示取消关联）");
    if (json_is_null(pv)) {
        snprintf(x->note, sizeof(x->note), "取消关联主工单");
        int rc = db_run(x->c, "UPDATE tickets SET parent_id = NULL WHERE id = ?", "i", x->id);
        return rc < 0 ? rc : 0;
    }
    int64_t project = 0, kids = 0;
    if (!json_is_integer(pv) || json_integer_value(pv) == x->id ||
        db_query_int64(x->c, &project,
                       "SELECT project_id FROM tickets WHERE id = ? AND status NOT IN ('closed',"
                       " 'merged') AND parent_id IS NULL",
                       "i", (int64_t)json_integer_value(pv)) < 0 ||
        project != row_int(x->t, "project_id"))
        return app_err_set(err, APP_EINVAL, "parent_id",
                           "主工单应为同一项目中未关闭、且本身不是子工单的另一张工单");
    db_query_int64(x->c, &kids, "SELECT COUNT(*) FROM tickets WHERE parent_id = ?", "i", x->id);
    if (kids > 0)
        return app_err_set(err, APP_EINVAL, "parent_id",
                           "这张工单已是主工单，不能再挂到别的工单下");
    char *no = NULL;
    db_query_text(x->c, &no, "SELECT no FROM tickets WHERE id = ?", "i",
                  (int64_t)json_integer_value(pv));
    snprintf(x->note, sizeof(x->note), "关联到主工单 %s", no ? no : "");
    free(no);
    int rc = db_run(x->c, "UPDATE tickets SET parent_id = ? WHERE id = ?", "ii",
                    (int64_t)json_integer_value(pv), x->id);
    return rc < 0 ? rc : 0;
}

static int run_mark_defect(struct ticket_ctx *x, json_t *params, struct app_err *err)
{
    json_t *v = json_object_get(params, "is_defect");
    if (!json_is_boolean(v))
        return app_err_set(err, APP_EINVAL, "is_defect", "is_defect 应为 true 或 false");
    if (strcmp(row_str(x->t, "type"), "repair") != 0)
        return app_err_set(err, APP_EINVAL, "is_defect", "只有报修工单可以标记为质量缺陷");
    if (json_is_false(v) && json_is_integer(json_object_get(x->t, "defect_case_id")))
        return app_err_set(err, APP_ECONFLICT, "is_defect", "工单已归入质量缺陷案例，不能取消标记");
    snprintf(x->note, sizeof(x->note), "%s",
             json_is_true(v) ? "标记为质量缺陷" : "取消质量缺陷标记");
    int rc = db_run(x->c, "UPDATE tickets SET is_defect = ? WHERE id = ?", "ii",
                    (int64_t)json_is_true(v), x->id);
    return rc < 0 ? rc : 0;
}

#define OPEN3 "new", "accepted", "processing"

const struct ticket_action ticket_actions[] = {
        {"accept", "受理", "ticket.write", {"new"}, "accepted", 0, run_accept},
        {"dispatch",
         "派单",
         "ticket.dispatch",
         {"accepted", "processing"},
         "processing",
         0,
         run_dispatch},
        {"assign", "转派", "ticket.dispatch", {OPEN3, "callback"}, NULL, 1, run_assign},
        {"pause", "等待业主", "ticket.write", {"accepted", "processing"}, NULL, 0, run_pause},
        {"resume", "恢复计时", "ticket.write", {"accepted", "processing"}, NULL, 1, run_resume},
        {"resolve", "办结", "ticket.write", {"accepted", "processing"}, "callback", 0, run_resolve},
        {"callback", "回访", "ticket.callback", {"callback"}, NULL, 0, run_callback},
        {"close", "关闭", "ticket.callback", {"callback"}, "closed", 0, run_close},
        {"reopen",
         "重新打开",
         "ticket.supervise",
         {"callback", "closed"},
         "processing",
         0,
         run_reopen},
        {"merge", "合并", "ticket.write", {OPEN3}, "merged", 0, run_merge},
        {"set_parent", "关联主工单", "ticket.write", {OPEN3, "callback"}, NULL, 1, run_set_parent},
        {"mark_defect",
         "标记质量缺陷",
         "ticket.write",
         {OPEN3, "callback", "closed"},
         NULL,
         1,
         run_mark_defect},
};
const size_t ticket_actions_count = ARRAY_LEN(ticket_actions);

static int from_ok(const struct ticket_action *a, const char *status)
{
    for (size_t i = 0; i < ARRAY_LEN(a->from) && a->from[i]; i++)
        if (strcmp(a->from[i], status) == 0)
            return 1;
    return 0;
}

/* May who start action a on ticket t now? (State, permission, pause.) */
static int action_open(const struct ticket_action *a, json_t *t, const struct auth_user *who)
{
    int paused = row_str(t, "paused_at") != NULL;
    if (!from_ok(a, row_str(t, "status")) || !auth_has(who, a->perm))
        return 0;
    if (strcmp(a->action, "resume") == 0)
        return paused;
    if (strcmp(a->action, "pause") == 0)
        return !paused;
    if (strcmp(a->action, "mark_defect") == 0)
        return strcmp(row_str(t, "type"), "repair") == 0;
    return !paused || a->while_paused;
}

int ticket_act(struct db_conn *c,
               const struct auth_user *who,
               int64_t id,
               const char *action,
               json_t *params,
               struct app_err *err)
{
    const struct ticket_action *a = NULL;
    for (size_t i = 0; action && i < ticket_actions_count; i++)
        if (strcmp(ticket_actions[i].action, action) == 0)
            a = &ticket_actions[i];
    if (a == NULL)
        return app_err_set(err, APP_EINVAL, "action", "未知操作: %s", action ? action : "");
    int rc = ticket_visible(c, who, id, err);
    if (rc < 0)
        return rc;
    if (!auth_has(who, a->perm))
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您的岗位不能%s", a->label);
    struct ticket_ctx x = {.c = c, .who = who, .id = id, .now = time_now()};
    rc = load(&x.t, c, id);
    if (rc < 0)
        return rc;
    const char *status = row_str(x.t, "status");
    if (!from_ok(a, status)) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "工单当前状态为“%s”，不能%s",
                         ticket_status_label(status), a->label);
        goto done;
    }
    if (row_str(x.t, "paused_at") && !a->while_paused) {
        rc = app_err_set(err, APP_ECONFLICT, "status",
                         "工单正在等待业主（暂停计时），请先恢复计时再%s", a->label);
        goto done;
    }
    iso(x.at, x.now);
    x.to = a->to ? a->to : status;
    if ((rc = workcal_load(&x.cal, c)) < 0)
        goto done;
    json_t *none = params ? NULL : json_object();
    rc = a->run(&x, params ? params : none, err);
    json_decref(none);
    if (rc < 0)
        goto done;
    if (strcmp(x.to, status) != 0) {
        rc = db_run(c, "UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?", "tti", x.to,
                    x.at, id);
    } else {
        rc = db_run(c, "UPDATE tickets SET updated_at = ? WHERE id = ?", "ti", x.at, id);
    }
    if (rc >= 0)
        rc = sla_next(c, id);
    /* A closed ticket of a known customer: the satisfaction survey. */
    if (rc >= 0 && strcmp(x.to, "closed") == 0 && strcmp(status, "closed") != 0 &&
        json_is_integer(json_object_get(x.t, "customer_id"))) {
        char source[48];
        snprintf(source, sizeof(source), "tickets %lld", (long long)id);
        rc = survey_invite(c, "ticket_closed", row_int(x.t, "customer_id"),
                           row_int(x.t, "project_id"), source);
    }
    if (rc >= 0)
        rc = event(c, id, who, a->action, status, x.to, x.note[0] ? x.note : NULL);
    if (rc >= 0)
        rc = audit_ticket(c, who, a->action, id, x.t);
    if (rc >= 0) {
        char what[800];
        snprintf(what, sizeof(what), "%s%s%s", a->label, x.note[0] ? "：" : "", x.note);
        rc = tell_customer(c, x.t, what, who);
    }
done:
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "操作失败");
    workcal_free(&x.cal);
    json_decref(x.t);
    return rc < 0 ? rc : 0;
}

/*---- Reading ----*/

int ticket_warranty(json_t **out, struct db_conn *c, int64_t unit_id, int64_t category_id)
{
    *out = NULL;
    char *component = NULL, *delivered = NULL;
    int64_t project = 0;
    db_query_text(c, &component, "SELECT component FROM ticket_categories WHERE id = ?", "i",
                  category_id);
    if (component == NULL) {
        *out = json_pack("{s:s}", "status", "no_component");
        return 0;
    }
    db_query_text(c, &delivered, "SELECT delivered_on FROM units WHERE id = ?", "i", unit_id);
    db_query_int64(c, &project, "SELECT project_id FROM units WHERE id = ?", "i", unit_id);
    json_t *period = NULL;
    struct db_params p = {0};
    db_params_text(&p, component);
    db_params_int(&p, project);
    int rc = query_row(&period, c,
                       "SELECT name, years, months FROM warranty_periods WHERE component = ? AND"
                       " (project_id = ? OR project_id IS NULL) ORDER BY CASE WHEN project_id IS"
                       " NULL THEN 1 ELSE 0 END LIMIT 1",
                       &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND) {
        *out = json_pack("{s:s, s:s}", "status", "no_component", "component", component);
        rc = 0;
        goto done;
    }
    if (rc < 0)
        goto done;
    *out = json_pack("{s:s, s:s?, s:I, s:I}", "component", component, "component_name",
                     row_str(period, "name"), "years", (json_int_t)row_int(period, "years"),
                     "months", (json_int_t)row_int(period, "months"));
    if (delivered == NULL) {
        json_object_set_new(*out, "status", json_string("not_delivered"));
        goto done;
    }
    char end[11], today[11];
    int64_t left = 0;
    if (calc_period_end(end, delivered, (int)row_int(period, "years"),
                        (int)row_int(period, "months")) < 0) {
        json_object_set_new(*out, "status", json_string("not_delivered"));
        goto done;
    }
    date_today(today);
    date_diff_days(&left, today, end);
    json_object_set_new(*out, "delivered_on", json_string(delivered));
    json_object_set_new(*out, "end", json_string(end));
    json_object_set_new(*out, "under_warranty", json_boolean(left >= 0));
    json_object_set_new(*out, "days_left", json_integer(left));
    json_object_set_new(*out, "status", json_string(left >= 0 ? "under_warranty" : "expired"));
done:
    json_decref(period);
    free(component);
    free(delivered);
    return rc < 0 ? rc : 0;
}

static json_t *rows_of(struct db_conn *c, const char *sql, int64_t id)
{
    json_t *rows = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    if (query_rows(&rows, c, sql, &p) < 0)
        rows = json_array();
    db_params_free(&p);
    return rows;
}

int ticket_get(json_t **out,
               struct db_conn *c,
               const struct auth_user *who,
               int64_t id,
               struct app_err *err)
{
    *out = NULL;
    int rc = ticket_visible(c, who, id, err);
    if (rc < 0)
        return rc;
    json_t *t = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    rc = query_row(
            &t, c,
            "SELECT t.*, (SELECT name FROM projects WHERE id = t.project_id) AS"
            " project_name, (SELECT name FROM buildings WHERE id = t.building_id) AS"
            " building_name, (SELECT room_code FROM units WHERE id = t.unit_id) AS room_code,"
            " (SELECT name FROM customers WHERE id = t.customer_id) AS customer_name,"
            " (SELECT name FROM ticket_categories WHERE id = t.category_id) AS"
            " category_name, (SELECT p.name FROM ticket_categories k JOIN"
            " ticket_categories p ON p.id = k.parent_id WHERE k.id = t.category_id) AS"
            " category_parent, (SELECT display_name FROM users WHERE id = t.assignee_id)"
            " AS assignee_name, (SELECT display_name FROM users WHERE id = t.created_by) AS"
            " created_by_name, (SELECT name FROM contractors WHERE id = t.contractor_id) AS"
            " contractor_name, (SELECT name FROM sla_policies WHERE id = t.sla_policy_id)"
            " AS sla_policy_name, (SELECT no FROM tickets x WHERE x.id = t.parent_id) AS"
            " parent_no, (SELECT no FROM tickets x WHERE x.id = t.merged_into_id) AS"
            " merged_into_no, (SELECT no FROM defect_cases d WHERE d.id ="
            " t.defect_case_id) AS defect_case_no FROM tickets t WHERE t.id = ?",
            &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    /* The caller's phone: sealed; shown masked. */
    json_object_del(t, "caller_phone_enc");
    json_object_del(t, "caller_phone_idx");
    json_object_del(t, "caller_phone_tail");
    json_t *mask = json_object_get(t, "caller_phone_mask");
    json_object_set(t, "caller_phone", mask ? mask : json_null());
    json_object_del(t, "caller_phone_mask");
    json_object_set_new(t, "status_label", json_string(ticket_status_label(row_str(t, "status"))));
    json_object_set_new(
            t, "events",
            rows_of(c,
                    "SELECT id, at, user_id, user_name, action, from_status, to_status, note FROM"
                    " ticket_events WHERE ticket_id = ? ORDER BY id",
                    id));
    json_object_set_new(t, "callbacks",
                        rows_of(c,
                                "SELECT id, at, user_id, user_name, outcome, score, comment FROM"
                                " ticket_callbacks WHERE ticket_id = ? ORDER BY id",
                                id));
    json_object_set_new(
            t, "compensations",
            rows_of(c,
                    "SELECT m.id, m.amount_fen, m.reason_category, m.reason, m.status,"
                    " m.approval_id, (SELECT no FROM approval_requests a WHERE a.id ="
                    " m.approval_id) AS approval_no, m.paid_fen, m.paid_on, m.payment_ref,"
                    " m.paid_by, m.requested_by, m.created_at, m.decided_at FROM compensations m"
                    " WHERE m.ticket_id = ? ORDER BY m.id",
                    id));
    json_object_set_new(t, "attachments",
                        rows_of(c,
                                "SELECT id, file_name, content_type, size, uploaded_at FROM"
                                " attachments WHERE owner_entity = 'tickets' AND owner_id = ?"
                                " ORDER BY id",
                                id));
    json_object_set_new(t, "children",
                        rows_of(c,
                                "SELECT id, no, status, title, (SELECT room_code FROM units u"
                                " WHERE u.id = t.unit_id) AS room_code FROM tickets t WHERE"
                                " parent_id = ? ORDER BY id",
                                id));
    json_object_set_new(t, "merged",
                        rows_of(c,
                                "SELECT id, no, title FROM tickets WHERE merged_into_id = ? ORDER"
                                " BY id",
                                id));
    json_t *w = NULL;
    if (json_is_integer(json_object_get(t, "unit_id")) &&
        ticket_warranty(&w, c, row_int(t, "unit_id"), row_int(t, "category_id")) == 0)
        json_object_set_new(t, "warranty", w);
    else
        json_object_set_new(t, "warranty", json_null());
    /* The SLA as the screen shows it: time left on the ticket's clock. */
    const char *status = row_str(t, "status");
    int open = strcmp(status, "new") == 0 || strcmp(status, "accepted") == 0 ||
               strcmp(status, "processing") == 0;
    int64_t now = time_now(), due = row_time(t, "resolve_due_at");
    if (due) {
        struct workcal cal = {0};
        workcal_load(&cal, c);
        const char *clock = row_str(t, "sla_clock");
        int64_t at = row_str(t, "paused_at") ? row_time(t, "paused_at") : now;
        int64_t left = due >= at ? clock_elapsed(&cal, clock, at, due)
                                 : -clock_elapsed(&cal, clock, due, at);
        workcal_free(&cal);
        json_object_set_new(t, "sla",
                            json_pack("{s:b, s:b, s:I, s:b}", "open", open, "paused",
                                      row_str(t, "paused_at") != NULL, "seconds_left",
                                      (json_int_t)left, "overdue", open && left < 0));
    }
    json_t *actions = json_array();
    for (size_t i = 0; i < ticket_actions_count; i++)
        if (action_open(&ticket_actions[i], t, who))
            json_array_append_new(actions,
                                  json_pack("{s:s, s:s}", "action", ticket_actions[i].action,
                                            "label", ticket_actions[i].label));
    json_object_set_new(t, "actions", actions);
    json_object_set_new(
            t, "can_compensate",
            json_boolean(auth_has(who, "compensation.write") && strcmp(status, "merged") != 0));
    json_object_set_new(t, "can_pay", json_boolean(auth_has(who, "compensation.pay")));
    *out = t;
    return 0;
}

/*---- The sweep ----*/

static int fire(struct db_conn *c,
                json_t *t,
                const char *col,
                const char *action,
                const char *role,
                const char *what,
                int64_t now)
{
    char at[32], sql[160];
    iso(at, now);
    snprintf(sql, sizeof(sql), "UPDATE tickets SET %s = ? WHERE id = ? AND %s IS NULL", col, col);
    int rc = db_run(c, sql, "ti", at, row_int(t, "id"));
    if (rc <= 0)
        return rc; /* another server fired it */
    int64_t id = row_int(t, "id");
    char msg[512];
    snprintf(msg, sizeof(msg), "%s：工单 %s %s", what, row_str(t, "no"), row_str(t, "title"));
    if (role == NULL) {
        int64_t to = json_is_integer(json_object_get(t, "assignee_id")) ? row_int(t, "assignee_id")
                                                                        : row_int(t, "created_by");
        rc = notify(c, to, "ticket_sla_warning", msg, id);
    } else {
        rc = db_run(c,
                    "UPDATE tickets SET escalation_level = ? WHERE id = ? AND escalation_level < ?",
                    "iii", (int64_t)(strcmp(role, "manager") == 0 ? 2 : 1), id,
                    (int64_t)(strcmp(role, "manager") == 0 ? 2 : 1));
        if (rc >= 0)
            rc = notify_ticket_role(c, role, row_int(t, "project_id"), "ticket_escalated", msg, id);
    }
    if (rc >= 0)
        rc = event(c, id, NULL, action, NULL, NULL, what);
    if (rc >= 0) {
        json_t *d = json_pack("{s:s}", "what", what);
        rc = audit_append(c, 0, "system", action, "tickets", id, NULL, d);
        json_decref(d);
    }
    return rc < 0 ? rc : 1;
}

int ticket_sla_sweep(struct db_conn *c, int64_t now)
{
    char at[32];
    iso(at, now);
    json_t *rows = NULL;
    struct db_params p = {0};
    db_params_text(&p, at);
    int rc = query_rows(&rows, c,
                        "SELECT id, no, title, project_id, assignee_id, created_by, status,"
                        " response_due_at, resolve_due_at, warn_at, escalate2_at, warned_at,"
                        " escalated1_at, escalated2_at FROM tickets WHERE next_sla_at <= ?"
                        " ORDER BY next_sla_at, id LIMIT 1000",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    int fired = 0;
    size_t i;
    json_t *t;
    json_array_foreach(rows, i, t)
    {
        const char *warn = row_str(t, "warn_at"), *due = row_str(t, "resolve_due_at");
        const char *resp = row_str(t, "response_due_at"), *esc2 = row_str(t, "escalate2_at");
        int breached = (due && strcmp(due, at) <= 0) ||
                       (strcmp(row_str(t, "status"), "new") == 0 && resp && strcmp(resp, at) <= 0);
        rc = 0;
        if (row_str(t, "warned_at") == NULL && warn && strcmp(warn, at) <= 0) {
            if (!breached) {
                rc = fire(c, t, "warned_at", "sla_warning", NULL, "即将超期", now);
                fired += rc == 1;
            } else {
                /* Breached before a sweep saw the warning: the escalation says it. */
                rc = db_run(c,
                            "UPDATE tickets SET warned_at = ? WHERE id = ? AND warned_at IS NULL",
                            "ti", at, row_int(t, "id"));
            }
        }
        if (rc >= 0 && row_str(t, "escalated1_at") == NULL && breached) {
            rc = fire(c, t, "escalated1_at", "escalate1", "supervisor",
                      "工单已超期，升级至客服主管", now);
            fired += rc == 1;
        }
        if (rc >= 0 && row_str(t, "escalated2_at") == NULL && esc2 && strcmp(esc2, at) <= 0) {
            rc = fire(c, t, "escalated2_at", "escalate2", "manager", "工单严重超期，升级至客服经理",
                      now);
            fired += rc == 1;
        }
        if (rc >= 0)
            rc = sla_next(c, row_int(t, "id"));
        if (rc < 0)
            break;
    }
    json_decref(rows);
    return rc < 0 ? rc : fired;
}

/*---- Compensation (赔付) ----*/

int ticket_compensation_request(int64_t *id_out,
                                struct db_conn *c,
                                const struct auth_user *who,
                                int64_t ticket_id,
                                json_t *in,
                                struct app_err *err)
{
    static const char *const reasons[] = {"维修延误",       "财产损失", "交付延期",
                                          "销售承诺未兑现", "服务过失", "其他"};
    *id_out = 0;
    int rc = ticket_visible(c, who, ticket_id, err);
    if (rc < 0)
        return rc;
    if (!json_is_object(in))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) if (strcmp(key, "amount_fen") != 0 &&
                                        strcmp(key, "reason") != 0 &&
                                        strcmp(key, "reason_category") !=
                                                0) return app_err_set(err, APP_EINVAL, key,
                                                                      "未知字段: %s", key);
    json_t *amount = json_object_get(in, "amount_fen");
    if (!json_is_integer(amount) || json_integer_value(amount) <= 0 ||
        json_integer_value(amount) > 100000000000LL)
        return app_err_set(err, APP_EINVAL, "amount_fen", "赔付金额应为大于 0 的整数（分）");
    const char *cat = row_str(in, "reason_category");
    if (!one_of(cat, reasons, ARRAY_LEN(reasons)))
        return app_err_set(
                err, APP_EINVAL, "reason_category",
                "原因类别应为维修延误、财产损失、交付延期、销售承诺未兑现、服务过失或其他");
    if ((rc = check_text(in, "reason", 1000, 1, "赔付说明", err)) < 0)
        return rc;
    json_t *t = NULL;
    rc = load(&t, c, ticket_id);
    if (rc < 0)
        return rc;
    int64_t pending = 0;
    db_query_int64(c, &pending,
                   "SELECT COUNT(*) FROM compensations WHERE ticket_id = ? AND status = 'pending'",
                   "i", ticket_id);
    if (strcmp(row_str(t, "status"), "merged") == 0)
        rc = app_err_set(err, APP_ECONFLICT, "status", "工单已合并，请在主工单上申请赔付");
    else if (pending)
        rc = app_err_set(err, APP_ECONFLICT, "amount_fen", "这张工单已有待审批的赔付");
    if (rc < 0)
        goto done;
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_query_int64(c, id_out,
                        "INSERT INTO compensations (ticket_id, project_id, customer_id, amount_fen,"
                        " reason_category, reason, status, requested_by, created_at) VALUES"
                        " (?,?,NULLIF(?, 0),?,?,?,'pending',?,?) RETURNING id",
                        "iiiittt"
                        "t",
                        ticket_id, row_int(t, "project_id"), row_int(t, "customer_id"),
                        (int64_t)json_integer_value(amount), cat, row_str(in, "reason"),
                        who->display_name, at);
    if (rc < 0)
        goto done;
    char *customer = NULL, *room = NULL;
    db_query_text(c, &customer, "SELECT name FROM customers WHERE id = ?", "i",
                  row_int(t, "customer_id"));
    db_query_text(c, &room, "SELECT room_code FROM units WHERE id = ?", "i", row_int(t, "unit_id"));
    json_t *data = json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:O}", "ticket_no", row_str(t, "no"),
                             "customer", customer, "unit", room, "reason_category", cat, "reason",
                             row_str(in, "reason"), "amount", amount);
    char title[256];
    snprintf(title, sizeof(title), "客户赔付：%s %s ¥%lld.%02lld", row_str(t, "no"),
             customer ? customer : "", (long long)(json_integer_value(amount) / 100),
             (long long)(json_integer_value(amount) % 100));
    free(customer);
    free(room);
    int64_t approval = 0;
    rc = approval_submit(&approval, c, who, "compensation", title, data, row_int(t, "project_id"),
                         "compensations", *id_out, err);
    json_decref(data);
    if (rc < 0)
        goto done;
    rc = db_run(c, "UPDATE compensations SET approval_id = ? WHERE id = ?", "ii", approval,
                *id_out);
    char note[256];
    snprintf(note, sizeof(note), "申请赔付 ¥%lld.%02lld（%s），待审批",
             (long long)(json_integer_value(amount) / 100),
             (long long)(json_integer_value(amount) % 100), cat);
    if (rc >= 0)
        rc = event(c, ticket_id, who, "compensation", NULL, NULL, note);
    if (rc >= 0) {
        json_t *d = json_pack("{s:I, s:O, s:I}", "compensation", (json_int_t)*id_out, "amount_fen",
                              amount, "approval_id", (json_int_t)approval);
        rc = audit_append(c, who->id, who->username, "compensation", "tickets", ticket_id, NULL, d);
        json_decref(d);
    }
    if (rc >= 0)
        rc = tell_customer(c, t, note, who);
done:
    json_decref(t);
    if (rc < 0) {
        *id_out = 0;
        if (err && err->code == 0)
            app_err_set(err, rc, NULL, "申请失败");
    }
    return rc < 0 ? rc : 0;
}

int ticket_compensation_pay(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    json_t *m = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(&m, c, "SELECT * FROM compensations WHERE id = ?", &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "赔付记录不存在");
    if (rc < 0)
        return rc;
    if (!auth_in_scope(who, row_int(m, "project_id"))) {
        rc = app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
        goto done;
    }
    if (!json_is_object(in)) {
        rc = app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
        goto done;
    }
    if (strcmp(row_str(m, "status"), "approved") != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "赔付%s，不能登记付款",
                         strcmp(row_str(m, "status"), "paid") == 0      ? "已付款"
                         : strcmp(row_str(m, "status"), "pending") == 0 ? "尚未审批通过"
                                                                        : "未获批准");
        goto done;
    }
    json_t *paid = json_object_get(in, "paid_fen");
    int64_t amount = row_int(m, "amount_fen");
    if (paid && (!json_is_integer(paid) || json_integer_value(paid) <= 0 ||
                 json_integer_value(paid) > amount)) {
        rc = app_err_set(err, APP_EINVAL, "paid_fen", "付款金额应大于 0 且不超过批准金额");
        goto done;
    }
    if ((rc = validate_date_field(in, "paid_on", VALIDATE_DATE_REQUIRED | VALIDATE_DATE_NOT_FUTURE,
                                  err)) < 0 ||
        (rc = check_text(in, "payment_ref", 60, 0, "付款凭证号", err)) < 0)
        goto done;
    int64_t fen = paid ? json_integer_value(paid) : amount;
    rc = db_run(c,
                "UPDATE compensations SET status = 'paid', paid_fen = ?, paid_on = ?, payment_ref ="
                " ?, paid_by = ? WHERE id = ?",
                "ittti", fen, row_str(in, "paid_on"), row_str(in, "payment_ref"), who->display_name,
                id);
    char note[200];
    snprintf(note, sizeof(note), "赔付已付款 ¥%lld.%02lld（%s）", (long long)(fen / 100),
             (long long)(fen % 100), row_str(in, "paid_on"));
    if (rc >= 0)
        rc = event(c, row_int(m, "ticket_id"), who, "compensation_paid", NULL, NULL, note);
    if (rc >= 0) {
        json_t *d = json_pack("{s:I, s:I, s:s}", "compensation", (json_int_t)id, "paid_fen",
                              (json_int_t)fen, "paid_on", row_str(in, "paid_on"));
        rc = audit_append(c, who->id, who->username, "pay", "compensations", id, m, d);
        json_decref(d);
    }
    if (rc >= 0) {
        json_t *t = NULL;
        if (load(&t, c, row_int(m, "ticket_id")) == 0)
            rc = tell_customer(c, t, note, who);
        json_decref(t);
    }
done:
    json_decref(m);
    return rc < 0 ? rc : 0;
}

/* Called by the approval engine in the decision's transaction. */
static int compensation_decided(struct db_conn *c,
                                const struct approval_info *req,
                                enum approval_outcome outcome,
                                const struct auth_user *who,
                                struct app_err *err)
{
    (void)err;
    if (req->origin_entity == NULL || strcmp(req->origin_entity, "compensations") != 0)
        return 0; /* submitted outside a ticket: nothing to apply */
    static const char *const status[] = {"", "approved", "rejected", "withdrawn"};
    static const char *const label[] = {"", "审批通过", "未获批准", "已撤回"};
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "UPDATE compensations SET status = ?, decided_at = ? WHERE id = ? AND status ="
                    " 'pending'",
                    "tti", status[outcome], at, req->origin_id);
    if (rc <= 0)
        return rc;
    int64_t ticket = 0;
    db_query_int64(c, &ticket, "SELECT ticket_id FROM compensations WHERE id = ?", "i",
                   req->origin_id);
    char note[128];
    snprintf(note, sizeof(note), "赔付%s（%s）", label[outcome], req->no ? req->no : "");
    rc = event(c, ticket, who, "compensation_decided", NULL, NULL, note);
    json_t *t = NULL;
    if (rc >= 0 && load(&t, c, ticket) == 0)
        rc = tell_customer(c, t, note, who);
    json_decref(t);
    return rc < 0 ? rc : 0;
}

static const struct approval_handler compensation_handler = {"ticket_compensation", NULL,
                                                             compensation_decided};

void ticket_init(void)
{
    approval_register_handler(&compensation_handler);
}
