/*
 * handover.c - delivery batches, slots, mailing, inspections, delivery,
 * area true-up, the late-delivery ledger, the daily summary, the property
 * package, move-in notices and property certificates.
 */
#include "handover.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "calc.h"
#include "contract.h"
#include "core/pdf.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "customer.h"
#include "outbox.h"
#include "query.h"
#include "survey.h"
#include "ticket.h"

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

static int one_of(const char *v, const char *const *set, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(set[i], v) == 0)
            return 1;
    return 0;
}

static int only_keys(json_t *in, const char *const *keys, size_t n, struct app_err *err)
{
    if (!json_is_object(in))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v) if (!one_of(k, keys, n)) return app_err_set(err, APP_EINVAL, k,
                                                                              "未知字段: %s", k);
    return 0;
}

static int
text(json_t *in, const char *k, size_t max, int required, const char *label, struct app_err *err)
{
    json_t *v = json_object_get(in, k);
    if (v == NULL || json_is_null(v) || (json_is_string(v) && *json_string_value(v) == '\0')) {
        if (required)
            return app_err_set(err, APP_EINVAL, k, "请填写%s", label);
        return 0;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) > max * 3)
        return app_err_set(err, APP_EINVAL, k, "%s应为不超过 %zu 字的文本", label, max);
    return 0;
}

/* A row of table by id, in the caller's project scope. */
static int scoped(json_t **out,
                  struct db_conn *c,
                  const struct auth_user *who,
                  const char *sql,
                  int64_t id,
                  const char *missing,
                  struct app_err *err)
{
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(out, c, sql, &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "%s", missing);
    if (rc < 0)
        return rc;
    if (!auth_in_scope(who, row_int(*out, "project_id"))) {
        json_decref(*out);
        *out = NULL;
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
    }
    return 0;
}

#define HANDOVER_COLS                                                                              \
    "SELECT h.*, u.room_code, u.building_id, u.contract_area_dm2, u.measured_area_dm2,"            \
    " c.no AS contract_no, c.total_price_fen, c.delivery_deadline, c.late_delivery_rate,"          \
    " c.late_delivery_grace_days, c.certificate_days, (SELECT name FROM customers WHERE id ="      \
    " h.customer_id) AS owner_name, d.name AS batch_name, d.status AS batch_status,"               \
    " d.planned_start, d.planned_end"
#define HANDOVER_FROM                                                                              \
    " FROM handovers h JOIN units u ON u.id = h.unit_id JOIN contracts c ON c.id = h.contract_id"  \
    " JOIN delivery_batches d ON d.id = h.batch_id"
#define HANDOVER_SQL HANDOVER_COLS HANDOVER_FROM

static int load_handover(json_t **out,
                         struct db_conn *c,
                         const struct auth_user *who,
                         int64_t id,
                         struct app_err *err)
{
    return scoped(out, c, who, HANDOVER_SQL " WHERE h.id = ?", id, "交付记录不存在", err);
}

static int audit_detail(struct db_conn *c,
                        const struct auth_user *who,
                        const char *action,
                        const char *entity,
                        int64_t id,
                        json_t *before,
                        json_t *detail)
{
    int rc = audit_append(c, who ? who->id : 0, who ? who->username : "system", action, entity, id,
                          before, detail);
    json_decref(detail);
    return rc;
}

/* The owner's timeline hears of their flat's handover. */
static int tell(struct db_conn *c, json_t *h, const char *what, const struct auth_user *who)
{
    if (!json_is_integer(json_object_get(h, "customer_id")))
        return 0;
    char title[400];
    snprintf(title, sizeof(title), "%s %s", row_str(h, "room_code"), what);
    return customer_event_add(c, row_int(h, "customer_id"), "handover", title, "handovers",
                              row_int(h, "id"), who);
}

static int touch(struct db_conn *c, int64_t id)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c, "UPDATE handovers SET updated_at = ? WHERE id = ?", "ti", at, id);
    return rc < 0 ? rc : 0;
}

static int open_handover(json_t *h, struct app_err *err)
{
    const char *st = row_str(h, "status");
    if (strcmp(st, "delivered") == 0 || strcmp(st, "refused") == 0)
        return app_err_set(err, APP_ECONFLICT, "status", "该房源已%s",
                           strcmp(st, "delivered") == 0 ? "交付" : "拒收");
    return 0;
}

/*---- Batches ----*/

int handover_batch_create(int64_t *id_out,
                          struct db_conn *c,
                          const struct auth_user *who,
                          json_t *in,
                          struct app_err *err)
{
    static const char *const keys[] = {"project_id",  "name", "building_ids",   "planned_start",
                                       "planned_end", "team", "documents_text", "fees_text"};
    *id_out = 0;
    int rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc < 0)
        return rc;
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
    if ((rc = text(in, "name", 60, 1, "批次名称", err)) < 0 ||
        (rc = text(in, "team", 500, 0, "交付小组", err)) < 0 ||
        (rc = text(in, "documents_text", 2000, 0, "需携带资料", err)) < 0 ||
        (rc = text(in, "fees_text", 2000, 0, "应缴费用", err)) < 0 ||
        (rc = validate_date_field(in, "planned_start", VALIDATE_DATE_REQUIRED, err)) < 0 ||
        (rc = validate_date_field(in, "planned_end", VALIDATE_DATE_REQUIRED, err)) < 0)
        return rc;
    if (strcmp(row_str(in, "planned_start"), row_str(in, "planned_end")) > 0)
        return app_err_set(err, APP_EINVAL, "planned_end", "结束日期不能早于开始日期");
    json_t *b = json_object_get(in, "building_ids");
    if (!json_is_array(b) || json_array_size(b) == 0 || json_array_size(b) > 200)
        return app_err_set(err, APP_EINVAL, "building_ids", "请选择楼栋");
    size_t i;
    json_t *v;
    json_array_foreach(b, i, v)
    {
        n = 0;
        if (!json_is_integer(v) ||
            db_query_int64(c, &n, "SELECT COUNT(*) FROM buildings WHERE id = ? AND project_id = ?",
                           "ii", (int64_t)json_integer_value(v), project) < 0 ||
            n == 0)
            return app_err_set(err, APP_EINVAL, "building_ids", "第 %zu 个楼栋不属于该项目", i + 1);
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_query_int64(
            c, id_out,
            "INSERT INTO delivery_batches (project_id, name, planned_start, planned_end,"
            " status, team, documents_text, fees_text, created_by, created_at,"
            " updated_at) VALUES (?,?,?,?,'planning',?,?,?,?,?,?) RETURNING id",
            "ittttttitt", project, row_str(in, "name"), row_str(in, "planned_start"),
            row_str(in, "planned_end"), row_str(in, "team"), row_str(in, "documents_text"),
            row_str(in, "fees_text"), who->id, at, at);
    json_array_foreach(b, i, v)
    {
        if (rc < 0)
            break;
        rc = db_run(c, "INSERT INTO batch_buildings (batch_id, building_id) VALUES (?,?)", "ii",
                    *id_out, (int64_t)json_integer_value(v));
        if (rc == APP_ECONFLICT)
            rc = app_err_set(err, APP_EINVAL, "building_ids", "楼栋重复");
    }
    /* Every signed flat of those buildings not already in an open batch. */
    if (rc >= 0)
        rc = db_run(
                c,
                "INSERT INTO handovers (batch_id, project_id, unit_id, contract_id, customer_id,"
                " status, created_at, updated_at) SELECT ?, c.project_id, c.unit_id, c.id,"
                " (SELECT b.customer_id FROM contract_buyers b WHERE b.contract_id = c.id AND"
                " b.is_primary = 1), 'pending', ?, ? FROM contracts c JOIN units u ON u.id ="
                " c.unit_id WHERE u.building_id IN (SELECT building_id FROM batch_buildings"
                " WHERE batch_id = ?) AND c.status IN ('signed', 'filed', 'preregistered') AND"
                " u.status <> 'delivered' AND NOT EXISTS (SELECT 1 FROM handovers h JOIN"
                " delivery_batches d ON d.id = h.batch_id WHERE h.unit_id = c.unit_id AND"
                " d.status <> 'closed' AND h.status <> 'refused' AND d.id <> ?) ORDER BY"
                " u.room_code",
                "ittii", *id_out, at, at, *id_out, *id_out);
    if (rc == 0)
        rc = app_err_set(err, APP_EINVAL, "building_ids",
                         "所选楼栋没有待交付的已签约房源（或已在其他交付批次中）");
    if (rc < 0) {
        *id_out = 0;
        return rc;
    }
    return audit_detail(c, who, "create", "delivery-batches", *id_out, NULL,
                        json_pack("{s:s, s:i}", "name", row_str(in, "name"), "flats", rc));
}

static int load_batch(json_t **out,
                      struct db_conn *c,
                      const struct auth_user *who,
                      int64_t id,
                      struct app_err *err)
{
    return scoped(out, c, who,
                  "SELECT d.*, (SELECT name FROM projects WHERE id = d.project_id) AS project_name"
                  " FROM delivery_batches d WHERE d.id = ?",
                  id, "交付批次不存在", err);
}

/* Exists and in the caller's scope. */
static int
batch_visible(struct db_conn *c, const struct auth_user *who, int64_t id, struct app_err *err)
{
    json_t *b = NULL;
    int rc = load_batch(&b, c, who, id, err);
    json_decref(b);
    return rc;
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

int handover_batch_get(json_t **out,
                       struct db_conn *c,
                       const struct auth_user *who,
                       int64_t id,
                       struct app_err *err)
{
    int rc = load_batch(out, c, who, id, err);
    if (rc < 0)
        return rc;
    json_t *b = *out;
    json_object_set_new(b, "buildings",
                        rows_of(c,
                                "SELECT g.id, g.name FROM batch_buildings x JOIN buildings g ON"
                                " g.id = x.building_id WHERE x.batch_id = ? ORDER BY g.id",
                                id));
    json_object_set_new(b, "slots",
                        rows_of(c,
                                "SELECT s.id, s.day, s.time_from, s.time_to, s.capacity,"
                                " (SELECT COUNT(*) FROM handovers h WHERE h.slot_id = s.id) AS"
                                " booked FROM batch_slots s WHERE s.batch_id = ? ORDER BY s.day,"
                                " s.time_from",
                                id));
    json_object_set_new(
            b, "flats",
            rows_of(c,
                    "SELECT h.id, h.unit_id, u.room_code, h.contract_id, h.customer_id,"
                    " (SELECT name FROM customers WHERE id = h.customer_id) AS owner_name,"
                    " h.status, h.slot_id, s.day AS slot_day, s.time_from AS slot_from,"
                    " s.time_to AS slot_to, h.mail_status, h.tracking_no, h.inspected_on,"
                    " h.delivered_on, h.refused_reason, (SELECT COUNT(*) FROM inspections i"
                    " WHERE i.handover_id = h.id) AS inspections, (SELECT COUNT(*) FROM"
                    " inspection_defects x WHERE x.handover_id = h.id AND x.status <>"
                    " 'verified') AS open_defects, (SELECT t.id FROM true_ups t WHERE"
                    " t.handover_id = h.id) AS true_up_id FROM handovers h JOIN units u ON u.id"
                    " = h.unit_id LEFT JOIN batch_slots s ON s.id = h.slot_id WHERE h.batch_id ="
                    " ? ORDER BY u.room_code",
                    id));
    json_t *counts = json_object(), *mail = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(b, "flats"), i, f)
    {
        const char *st = row_str(f, "status"), *ms = row_str(f, "mail_status");
        json_object_set_new(counts, st,
                            json_integer(json_integer_value(json_object_get(counts, st)) + 1));
        json_object_set_new(mail, ms,
                            json_integer(json_integer_value(json_object_get(mail, ms)) + 1));
    }
    json_object_set_new(b, "counts", counts);
    json_object_set_new(b, "mail_counts", mail);
    json_object_set_new(b, "total",
                        json_integer((json_int_t)json_array_size(json_object_get(b, "flats"))));
    return 0;
}

int handover_slot_add(struct db_conn *c,
                      const struct auth_user *who,
                      int64_t batch_id,
                      json_t *in,
                      struct app_err *err)
{
    static const char *const keys[] = {"day", "from", "to", "capacity"};
    json_t *b = NULL;
    int rc = load_batch(&b, c, who, batch_id, err);
    if (rc < 0)
        return rc;
    json_decref(b);
    if ((rc = only_keys(in, keys, ARRAY_LEN(keys), err)) < 0 ||
        (rc = validate_date_field(in, "day", VALIDATE_DATE_REQUIRED, err)) < 0)
        return rc;
    const char *from = row_str(in, "from"), *to = row_str(in, "to");
    int h1, m1, h2, m2;
    char x;
    if (from == NULL || strlen(from) != 5 || sscanf(from, "%2d:%2d%c", &h1, &m1, &x) != 2 ||
        h1 > 23 || m1 > 59)
        return app_err_set(err, APP_EINVAL, "from", "开始时间应为 HH:MM");
    if (to == NULL || strlen(to) != 5 || sscanf(to, "%2d:%2d%c", &h2, &m2, &x) != 2 || h2 > 23 ||
        m2 > 59 || strcmp(from, to) >= 0)
        return app_err_set(err, APP_EINVAL, "to", "结束时间应为 HH:MM，且晚于开始时间");
    json_t *cap = json_object_get(in, "capacity");
    if (!json_is_integer(cap) || json_integer_value(cap) < 1 || json_integer_value(cap) > 1000)
        return app_err_set(err, APP_EINVAL, "capacity", "名额应为 1 到 1000 之间的整数");
    char at[32];
    time_now_iso(at, sizeof(at));
    int64_t id = 0;
    rc = db_query_int64(c, &id,
                        "INSERT INTO batch_slots (batch_id, day, time_from, time_to, capacity,"
                        " created_at) VALUES (?,?,?,?,?,?) RETURNING id",
                        "ittti"
                        "t",
                        batch_id, row_str(in, "day"), from, to, (int64_t)json_integer_value(cap),
                        at);
    if (rc < 0)
        return rc;
    return audit_detail(c, who, "create", "batch-slots", id, NULL, json_deep_copy(in));
}

/*---- Per flat ----*/

int handover_book(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    static const char *const keys[] = {"slot_id"};
    json_t *h = NULL;
    int rc = load_handover(&h, c, who, id, err);
    if (rc == 0)
        rc = open_handover(h, err);
    if (rc == 0)
        rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc < 0)
        goto done;
    json_t *sid = json_object_get(in, "slot_id");
    int64_t batch = 0, cap = 0, used = 0;
    if (!json_is_integer(sid) ||
        db_query_int64(c, &batch, "SELECT batch_id FROM batch_slots WHERE id = ?", "i",
                       (int64_t)json_integer_value(sid)) < 0 ||
        batch != row_int(h, "batch_id")) {
        rc = app_err_set(err, APP_EINVAL, "slot_id", "请选择本批次的预约时段");
        goto done;
    }
    int64_t slot = json_integer_value(sid);
    db_query_int64(c, &cap, "SELECT capacity FROM batch_slots WHERE id = ?", "i", slot);
    db_query_int64(c, &used, "SELECT COUNT(*) FROM handovers WHERE slot_id = ? AND id <> ?", "ii",
                   slot, id);
    if (used >= cap) {
        rc = app_err_set(err, APP_ECONFLICT, "slot_id", "该时段已约满（%lld/%lld）",
                         (long long)used, (long long)cap);
        goto done;
    }
    rc = db_run(c,
                "UPDATE handovers SET slot_id = ?, status = CASE WHEN status IN ('pending',"
                " 'notified') THEN 'booked' ELSE status END WHERE id = ?",
                "ii", slot, id);
    if (rc >= 0)
        rc = touch(c, id);
    char *day = NULL;
    db_query_text(c, &day, "SELECT day || ' ' || time_from FROM batch_slots WHERE id = ?", "i",
                  slot);
    char what[128];
    snprintf(what, sizeof(what), "预约交房 %s", day ? day : "");
    free(day);
    if (rc >= 0)
        rc = tell(c, h, what, who);
    if (rc >= 0)
        rc = audit_detail(c, who, "book", "handovers", id, NULL,
                          json_pack("{s:I}", "slot_id", (json_int_t)slot));
done:
    json_decref(h);
    return rc < 0 ? rc : 0;
}

int handover_mail(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    static const char *const keys[] = {"status", "tracking_no", "on"};
    static const char *const statuses[] = {"sent", "delivered", "returned", "resent"};
    json_t *h = NULL;
    int rc = load_handover(&h, c, who, id, err);
    if (rc == 0)
        rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc < 0)
        goto done;
    const char *st = row_str(in, "status");
    if (!one_of(st, statuses, ARRAY_LEN(statuses))) {
        rc = app_err_set(err, APP_EINVAL, "status",
                         "邮寄状态应为 sent、delivered、returned 或 resent");
        goto done;
    }
    int sending = strcmp(st, "sent") == 0 || strcmp(st, "resent") == 0;
    if ((rc = text(in, "tracking_no", 40, sending, "快递单号", err)) < 0 ||
        (rc = validate_date_field(in, "on", VALIDATE_DATE_REQUIRED | VALIDATE_DATE_NOT_FUTURE,
                                  err)) < 0)
        goto done;
    if (!sending && strcmp(row_str(h, "mail_status"), "none") == 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "通知书尚未寄出");
        goto done;
    }
    const char *on = row_str(in, "on");
    rc = db_run(c,
                "UPDATE handovers SET mail_status = ?, tracking_no = COALESCE(?, tracking_no),"
                " mailed_on = CASE WHEN ? = 1 THEN ? ELSE mailed_on END, mail_delivered_on = CASE"
                " WHEN ? = 'delivered' THEN ? ELSE mail_delivered_on END, status = CASE WHEN"
                " status = 'pending' THEN 'notified' ELSE status END, notified_at ="
                " COALESCE(notified_at, ?) WHERE id = ?",
                "ttitttti", st, row_str(in, "tracking_no"), (int64_t)sending, on, st, on, on, id);
    char at[32];
    time_now_iso(at, sizeof(at));
    if (rc >= 0)
        rc = db_run(c,
                    "INSERT INTO handover_mailings (handover_id, status, tracking_no, on_day,"
                    " user_name, at) VALUES (?,?,?,?,?,?)",
                    "itttt"
                    "t",
                    id, st, row_str(in, "tracking_no"), on, who->display_name, at);
    if (rc >= 0)
        rc = touch(c, id);
    static const char *const labels[] = {"入住通知书已寄出", "入住通知书已签收", "入住通知书被退回",
                                         "入住通知书已重寄"};
    for (size_t i = 0; rc >= 0 && i < ARRAY_LEN(statuses); i++)
        if (strcmp(statuses[i], st) == 0)
            rc = tell(c, h, labels[i], who);
    if (rc >= 0)
        rc = audit_detail(c, who, "mail", "handovers", id, NULL, json_deep_copy(in));
done:
    json_decref(h);
    return rc < 0 ? rc : 0;
}

int handover_inspect(int64_t *inspection_id,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t id,
                     json_t *in,
                     struct app_err *err)
{
    static const char *const keys[] = {"kind", "on", "inspector", "note", "defects"};
    static const char *const kinds[] = {"pre", "formal", "re"};
    static const char *const dkeys[] = {"room",     "part",          "category_id", "description",
                                        "severity", "contractor_id", "due_date"};
    static const char *const severities[] = {"urgent", "high", "normal", "low"};
    json_t *h = NULL;
    *inspection_id = 0;
    int rc = load_handover(&h, c, who, id, err);
    if (rc == 0)
        rc = open_handover(h, err);
    if (rc == 0)
        rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc < 0)
        goto done;
    const char *kind = row_str(in, "kind");
    if (!one_of(kind, kinds, ARRAY_LEN(kinds))) {
        rc = app_err_set(err, APP_EINVAL, "kind",
                         "验房类型应为 pre（模拟验房）、formal（正式验房）或 re（复验）");
        goto done;
    }
    if ((rc = validate_date_field(in, "on", VALIDATE_DATE_REQUIRED | VALIDATE_DATE_NOT_FUTURE,
                                  err)) < 0 ||
        (rc = text(in, "inspector", 40, 0, "验房人", err)) < 0 ||
        (rc = text(in, "note", 1000, 0, "备注", err)) < 0)
        goto done;
    json_t *defects = json_object_get(in, "defects");
    if (defects && !json_is_null(defects) &&
        (!json_is_array(defects) || json_array_size(defects) > 200)) {
        rc = app_err_set(err, APP_EINVAL, "defects", "问题清单应为数组（最多 200 条）");
        goto done;
    }
    size_t i;
    json_t *d;
    char field[48];
    json_array_foreach(defects, i, d)
    {
        if ((rc = only_keys(d, dkeys, ARRAY_LEN(dkeys), err)) < 0)
            goto done;
        snprintf(field, sizeof(field), "defects[%zu].description", i);
        const char *desc = row_str(d, "description");
        if (desc == NULL || *desc == '\0' || strlen(desc) > 3000) {
            rc = app_err_set(err, APP_EINVAL, field, "第 %zu 条问题请填写描述", i + 1);
            goto done;
        }
        const char *sev = row_str(d, "severity");
        snprintf(field, sizeof(field), "defects[%zu].severity", i);
        if (sev && !one_of(sev, severities, ARRAY_LEN(severities))) {
            rc = app_err_set(err, APP_EINVAL, field, "第 %zu 条问题的严重程度无效", i + 1);
            goto done;
        }
        static const struct {
            const char *k, *sql, *label;
        } refs[] = {{"category_id", "SELECT COUNT(*) FROM ticket_categories WHERE id = ?", "分类"},
                    {"contractor_id", "SELECT COUNT(*) FROM contractors WHERE id = ?", "施工单位"}};
        for (size_t r = 0; r < ARRAY_LEN(refs); r++) {
            json_t *v = json_object_get(d, refs[r].k);
            int64_t n = 0;
            snprintf(field, sizeof(field), "defects[%zu].%s", i, refs[r].k);
            if (v && !json_is_null(v) &&
                (!json_is_integer(v) ||
                 db_query_int64(c, &n, refs[r].sql, "i", (int64_t)json_integer_value(v)) < 0 ||
                 n == 0)) {
                rc = app_err_set(err, APP_EINVAL, field, "第 %zu 条问题的%s不存在", i + 1,
                                 refs[r].label);
                goto done;
            }
        }
        static const char *const texts[] = {"room", "part"};
        for (size_t r = 0; r < ARRAY_LEN(texts); r++) {
            snprintf(field, sizeof(field), "defects[%zu].%s", i, texts[r]);
            json_t *v = json_object_get(d, texts[r]);
            if (v && !json_is_null(v) &&
                (!json_is_string(v) || strlen(json_string_value(v)) > 120)) {
                rc = app_err_set(err, APP_EINVAL, field, "第 %zu 条问题的房间/部位过长", i + 1);
                goto done;
            }
        }
        snprintf(field, sizeof(field), "defects[%zu].due_date", i);
        const char *due = row_str(d, "due_date");
        int y, m, dd;
        if ((json_object_get(d, "due_date") && !json_is_null(json_object_get(d, "due_date")) &&
             due == NULL) ||
            (due && date_parse(&y, &m, &dd, due) < 0)) {
            rc = app_err_set(err, APP_EINVAL, field, "第 %zu 条问题的整改期限应为日期", i + 1);
            goto done;
        }
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_query_int64(c, inspection_id,
                        "INSERT INTO inspections (handover_id, kind, on_day, inspector, note,"
                        " created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                        "ittttit", id, kind, row_str(in, "on"), row_str(in, "inspector"),
                        row_str(in, "note"), who->id, at);
    json_array_foreach(defects, i, d)
    {
        if (rc < 0)
            break;
        struct db_params p = {0};
        db_params_int(&p, *inspection_id);
        db_params_int(&p, id);
        db_params_int(&p, row_int(h, "batch_id"));
        db_params_int(&p, row_int(h, "project_id"));
        db_params_int(&p, row_int(h, "unit_id"));
        db_params_text(&p, row_str(d, "room"));
        db_params_text(&p, row_str(d, "part"));
        if (json_is_integer(json_object_get(d, "category_id")))
            db_params_int(&p, row_int(d, "category_id"));
        else
            db_params_text(&p, NULL);
        db_params_text(&p, row_str(d, "description"));
        db_params_text(&p, row_str(d, "severity") ? row_str(d, "severity") : "normal");
        if (json_is_integer(json_object_get(d, "contractor_id")))
            db_params_int(&p, row_int(d, "contractor_id"));
        else
            db_params_text(&p, NULL);
        db_params_text(&p, row_str(d, "due_date"));
        db_params_text(&p, at);
        db_params_text(&p, at);
        json_t *ins = NULL;
        rc = query_row(&ins, c,
                       "INSERT INTO inspection_defects (inspection_id, handover_id, batch_id,"
                       " project_id, unit_id, room, part, category_id, description, severity,"
                       " contractor_id, due_date, status, created_at, updated_at) VALUES"
                       " (?,?,?,?,?,?,?,?,?,?,?,?,'open',?,?) RETURNING id",
                       &p);
        db_params_free(&p);
        json_decref(ins);
    }
    if (rc >= 0 && strcmp(kind, "formal") == 0)
        rc = db_run(c,
                    "UPDATE handovers SET inspected_on = ?, status = CASE WHEN status IN"
                    " ('pending', 'notified', 'booked') THEN 'inspected' ELSE status END WHERE id"
                    " = ?",
                    "ti", row_str(in, "on"), id);
    if (rc >= 0)
        rc = touch(c, id);
    char what[160];
    snprintf(what, sizeof(what), "%s，发现问题 %zu 处",
             strcmp(kind, "pre") == 0      ? "模拟验房"
             : strcmp(kind, "formal") == 0 ? "正式验房"
                                           : "复验",
             json_array_size(defects));
    if (rc >= 0)
        rc = tell(c, h, what, who);
    if (rc >= 0)
        rc = audit_detail(c, who, "inspect", "handovers", id, NULL,
                          json_pack("{s:s, s:I, s:i}", "kind", kind, "inspection",
                                    (json_int_t)*inspection_id, "defects",
                                    (int)json_array_size(defects)));
done:
    if (rc < 0)
        *inspection_id = 0;
    json_decref(h);
    return rc < 0 ? rc : 0;
}

int handover_deliver(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    static const char *const keys[] = {"delivered_on", "keys",      "water",    "electricity",
                                       "gas",          "documents", "signed_by"};
    json_t *h = NULL;
    int rc = load_handover(&h, c, who, id, err);
    if (rc == 0)
        rc = open_handover(h, err);
    if (rc == 0)
        rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc == 0)
        rc = validate_date_field(in, "delivered_on",
                                 VALIDATE_DATE_REQUIRED | VALIDATE_DATE_NOT_FUTURE, err);
    if (rc < 0)
        goto done;
    json_t *k = json_object_get(in, "keys");
    if (!json_is_integer(k) || json_integer_value(k) < 0 || json_integer_value(k) > 50) {
        rc = app_err_set(err, APP_EINVAL, "keys", "请填写交付钥匙数量");
        goto done;
    }
    static const char *const meters[] = {"water", "electricity", "gas"};
    static const char *const meter_labels[] = {"水表读数", "电表读数", "燃气表读数"};
    for (size_t i = 0; i < ARRAY_LEN(meters); i++)
        if ((rc = text(in, meters[i], 20, i < 2, meter_labels[i], err)) < 0)
            goto done;
    if ((rc = text(in, "signed_by", 40, 1, "签收人", err)) < 0)
        goto done;
    /* 住宅质量保证书 and 住宅使用说明书 go with every flat (1998 规定). */
    json_t *docs = json_object_get(in, "documents");
    int guarantee = 0, manual = 0;
    size_t i;
    json_t *v;
    json_array_foreach(docs, i, v)
    {
        guarantee |= json_is_string(v) && strcmp(json_string_value(v), "quality_guarantee") == 0;
        manual |= json_is_string(v) && strcmp(json_string_value(v), "manual") == 0;
    }
    if (!guarantee || !manual) {
        rc = app_err_set(err, APP_EINVAL, "documents",
                         "须向业主交付《住宅质量保证书》和《住宅使用说明书》");
        goto done;
    }
    const char *on = row_str(in, "delivered_on");
    char *doc_text = json_dumps(docs, JSON_COMPACT);
    rc = db_run(c,
                "UPDATE handovers SET status = 'delivered', delivered_on = ?, keys = ?,"
                " water_reading = ?, electricity_reading = ?, gas_reading = ?, documents = ?,"
                " signed_by = ? WHERE id = ?",
                "tittttti", on, (int64_t)json_integer_value(k), row_str(in, "water"),
                row_str(in, "electricity"), row_str(in, "gas"), doc_text, row_str(in, "signed_by"),
                id);
    free(doc_text);
    /* The flat is delivered: its warranty runs from today's date on. */
    if (rc >= 0)
        rc = db_run(c, "UPDATE units SET status = 'delivered', delivered_on = ? WHERE id = ?", "ti",
                    on, row_int(h, "unit_id"));
    if (rc >= 0)
        rc = touch(c, id);
    int64_t cert = 0;
    if (rc >= 0 && db_query_int64(c, &cert, "SELECT id FROM certificates WHERE contract_id = ?",
                                  "i", row_int(h, "contract_id")) == APP_ENOTFOUND) {
        struct app_err e2 = {0};
        rc = certificate_create(&cert, c, who, row_int(h, "contract_id"), &e2);
    }
    if (rc >= 0)
        rc = tell(c, h, "已交付，保修期开始", who);
    if (rc >= 0) {
        char source[48];
        snprintf(source, sizeof(source), "handovers %lld", (long long)id);
        rc = survey_invite(c, "handover", row_int(h, "customer_id"), row_int(h, "project_id"),
                           source);
    }
    if (rc >= 0)
        rc = audit_detail(c, who, "deliver", "handovers", id, NULL, json_deep_copy(in));
done:
    json_decref(h);
    return rc < 0 ? rc : 0;
}

int handover_refuse(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    static const char *const keys[] = {"reason"};
    json_t *h = NULL;
    int rc = load_handover(&h, c, who, id, err);
    if (rc == 0)
        rc = open_handover(h, err);
    if (rc == 0)
        rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc == 0)
        rc = text(in, "reason", 500, 1, "拒收原因", err);
    if (rc < 0)
        goto done;
    char today[11];
    date_today(today);
    rc = db_run(c,
                "UPDATE handovers SET status = 'refused', refused_reason = ?, refused_on = ? WHERE"
                " id = ?",
                "tti", row_str(in, "reason"), today, id);
    if (rc >= 0)
        rc = touch(c, id);
    char what[700];
    snprintf(what, sizeof(what), "业主拒收：%s", row_str(in, "reason"));
    if (rc >= 0)
        rc = tell(c, h, what, who);
    if (rc >= 0)
        rc = audit_detail(c, who, "refuse", "handovers", id, NULL, json_deep_copy(in));
done:
    json_decref(h);
    return rc < 0 ? rc : 0;
}

int handover_get(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t id,
                 struct app_err *err)
{
    int rc = load_handover(out, c, who, id, err);
    if (rc < 0)
        return rc;
    json_object_set_new(*out, "inspections",
                        rows_of(c,
                                "SELECT id, kind, on_day, inspector, note, created_at FROM"
                                " inspections WHERE handover_id = ? ORDER BY id",
                                id));
    json_object_set_new(
            *out, "defects",
            rows_of(c,
                    "SELECT x.*, (SELECT name FROM ticket_categories k WHERE k.id = x.category_id)"
                    " AS category_name, (SELECT name FROM contractors k WHERE k.id ="
                    " x.contractor_id) AS contractor_name, (SELECT COUNT(*) FROM attachments a"
                    " WHERE a.owner_entity = 'inspection_defects' AND a.owner_id = x.id) AS"
                    " photos FROM inspection_defects x WHERE x.handover_id = ? ORDER BY x.id",
                    id));
    json_object_set_new(*out, "mailings",
                        rows_of(c,
                                "SELECT status, tracking_no, on_day, user_name, at FROM"
                                " handover_mailings WHERE handover_id = ? ORDER BY id",
                                id));
    json_t *t = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    if (query_row(&t, c, "SELECT * FROM true_ups WHERE handover_id = ?", &p) == 0)
        json_object_set_new(*out, "true_up", t);
    else
        json_object_set_new(*out, "true_up", json_null());
    db_params_free(&p);
    return 0;
}

/*---- Defects ----*/

static int load_defect(json_t **out,
                       struct db_conn *c,
                       const struct auth_user *who,
                       int64_t id,
                       struct app_err *err)
{
    return scoped(out, c, who, "SELECT * FROM inspection_defects WHERE id = ?", id, "问题不存在",
                  err);
}

int handover_defect_update(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    static const char *const keys[] = {"status", "note"};
    json_t *d = NULL;
    int rc = load_defect(&d, c, who, id, err);
    if (rc == 0)
        rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc < 0)
        goto done;
    const char *to = row_str(in, "status"), *from = row_str(d, "status");
    const char *need = to && strcmp(to, "rectified") == 0  ? "open"
                       : to && strcmp(to, "verified") == 0 ? "rectified"
                                                           : NULL;
    if (need == NULL) {
        rc = app_err_set(err, APP_EINVAL, "status",
                         "状态应为 rectified（已整改）或 verified（复验通过）");
        goto done;
    }
    if (strcmp(from, need) != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "问题当前为“%s”",
                         strcmp(from, "open") == 0        ? "待整改"
                         : strcmp(from, "rectified") == 0 ? "已整改"
                                                          : "复验通过");
        goto done;
    }
    char today[11], at[32];
    date_today(today);
    time_now_iso(at, sizeof(at));
    rc = strcmp(to, "rectified") == 0 ? db_run(c,
                                               "UPDATE inspection_defects SET status = ?, "
                                               "rectified_on = ?, updated_at = ?"
                                               " WHERE id = ?",
                                               "ttti", to, today, at, id)
                                      : db_run(c,
                                               "UPDATE inspection_defects SET status = ?, "
                                               "verified_on = ?, updated_at = ?"
                                               " WHERE id = ?",
                                               "ttti", to, today, at, id);
    if (rc >= 0)
        rc = audit_detail(c, who, to, "inspection-defects", id, NULL, json_deep_copy(in));
done:
    json_decref(d);
    return rc < 0 ? rc : 0;
}

int handover_defect_ticket(int64_t *ticket_id,
                           struct db_conn *c,
                           const struct auth_user *who,
                           int64_t id,
                           struct app_err *err)
{
    json_t *d = NULL, *h = NULL;
    *ticket_id = 0;
    int rc = load_defect(&d, c, who, id, err);
    if (rc < 0)
        return rc;
    if (json_is_integer(json_object_get(d, "ticket_id"))) {
        rc = app_err_set(err, APP_ECONFLICT, "ticket_id", "该问题已转为报修工单");
        goto done;
    }
    rc = load_handover(&h, c, who, row_int(d, "handover_id"), err);
    if (rc < 0)
        goto done;
    int64_t category = row_int(d, "category_id");
    if (category == 0)
        db_query_int64(c, &category, "SELECT id FROM ticket_categories WHERE name = '其他'", "");
    char desc[4000];
    snprintf(desc, sizeof(desc), "验房问题（%s %s）：%s",
             row_str(d, "room") ? row_str(d, "room") : "",
             row_str(d, "part") ? row_str(d, "part") : "", row_str(d, "description"));
    json_t *in = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "type", "repair", "channel", "visit",
                           "unit_id", (json_int_t)row_int(d, "unit_id"), "category_id",
                           (json_int_t)category, "severity", row_str(d, "severity"), "description",
                           desc);
    if (json_is_integer(json_object_get(h, "customer_id")))
        json_object_set(in, "customer_id", json_object_get(h, "customer_id"));
    else
        json_object_set_new(in, "caller_name", json_string("验房"));
    rc = ticket_create(ticket_id, NULL, c, who, in, err);
    json_decref(in);
    if (rc >= 0)
        rc = db_run(c, "UPDATE inspection_defects SET ticket_id = ? WHERE id = ?", "ii", *ticket_id,
                    id);
    if (rc >= 0)
        rc = audit_detail(c, who, "ticket", "inspection-defects", id, NULL,
                          json_pack("{s:I}", "ticket_id", (json_int_t)*ticket_id));
done:
    json_decref(d);
    json_decref(h);
    if (rc < 0)
        *ticket_id = 0;
    return rc < 0 ? rc : 0;
}

int handover_defect_rollup(json_t **out,
                           struct db_conn *c,
                           const struct auth_user *who,
                           int64_t batch_id,
                           const char *by,
                           struct app_err *err)
{
    static const struct {
        const char *by, *key, *label;
    } groups[] = {
            {"building", "u.building_id", "(SELECT name FROM buildings WHERE id = u.building_id)"},
            {"category", "x.category_id",
             "(SELECT name FROM ticket_categories WHERE id = x.category_id)"},
            {"contractor", "x.contractor_id",
             "(SELECT name FROM contractors WHERE id = x.contractor_id)"},
    };
    int k = by ? -1 : 0;
    for (size_t i = 0; by && i < ARRAY_LEN(groups); i++)
        if (strcmp(groups[i].by, by) == 0)
            k = (int)i;
    if (k < 0)
        return app_err_set(err, APP_EINVAL, "by", "汇总维度应为 building、category 或 contractor");
    int rc = batch_visible(c, who, batch_id, err);
    if (rc < 0)
        return rc;
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "SELECT %s AS key, %s AS label, COUNT(*) AS total, SUM(CASE WHEN x.status = 'open'"
             " THEN 1 ELSE 0 END) AS open, SUM(CASE WHEN x.status = 'rectified' THEN 1 ELSE 0"
             " END) AS rectified, SUM(CASE WHEN x.status = 'verified' THEN 1 ELSE 0 END) AS"
             " verified FROM inspection_defects x JOIN units u ON u.id = x.unit_id WHERE"
             " x.batch_id = ? GROUP BY %s ORDER BY 3 DESC",
             groups[k].key, groups[k].label, groups[k].key);
    json_t *rows = rows_of(c, sql, batch_id);
    *out = json_pack("{s:s, s:o}", "by", groups[k].by, "rows", rows);
    return 0;
}

/*---- Money ----*/

int handover_true_up(json_t **out,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t batch_id,
                     int run,
                     struct app_err *err)
{
    json_t *b = NULL;
    int rc = load_batch(&b, c, who, batch_id, err);
    if (rc < 0)
        return rc;
    int made = 0;
    if (run) {
        json_t *todo = rows_of(c,
                               HANDOVER_SQL " WHERE h.batch_id = ? AND h.status <> 'refused' AND"
                                            " u.measured_area_dm2 IS NOT NULL AND"
                                            " u.contract_area_dm2 > 0 AND NOT EXISTS (SELECT 1"
                                            " FROM true_ups t WHERE t.handover_id = h.id) ORDER"
                                            " BY u.room_code",
                               batch_id);
        char at[32];
        time_now_iso(at, sizeof(at));
        size_t i;
        json_t *h;
        json_array_foreach(todo, i, h)
        {
            int64_t carea = row_int(h, "contract_area_dm2"),
                    marea = row_int(h, "measured_area_dm2");
            /* The contract's price per m², half-up to the fen. */
            int64_t price = (row_int(h, "total_price_fen") * 100 * 2 + carea) / (2 * carea);
            struct calc_true_up t;
            if (calc_area_true_up(&t, carea, marea, price) < 0)
                continue;
            int64_t receivable = 0;
            if (t.buyer_pays_fen > 0)
                rc = db_query_int64(
                        c, &receivable,
                        "INSERT INTO receivables (contract_id, project_id, kind, due_on,"
                        " amount_fen, note, created_at) VALUES"
                        " (?,?,'area_true_up',?,?,?,?) RETURNING id",
                        "iitit"
                        "t",
                        row_int(h, "contract_id"), row_int(h, "project_id"),
                        row_str(b, "planned_start"), t.buyer_pays_fen, "面积补差（交付批次）", at);
            if (rc < 0)
                break;
            rc = db_run(c,
                        "INSERT INTO true_ups (handover_id, contract_id, contract_area_dm2,"
                        " measured_area_dm2, unit_price_fen, ratio_bp, may_terminate,"
                        " buyer_pays_fen, developer_absorbs_fen, refund_fen, receivable_id,"
                        " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,NULLIF(?, 0),?)",
                        "iiiiiiiiiiit", row_int(h, "id"), row_int(h, "contract_id"), carea, marea,
                        price, t.ratio_bp, (int64_t)t.may_terminate, t.buyer_pays_fen,
                        t.developer_absorbs_fen, t.refund_fen, receivable, at);
            if (rc < 0)
                break;
            char what[160];
            snprintf(what, sizeof(what), "面积补差：实测与合同面积差 %+.2f%%，%s ¥%lld.%02lld",
                     (double)t.ratio_bp / 100,
                     t.buyer_pays_fen ? "业主补缴"
                     : t.refund_fen   ? "退还业主"
                                      : "无需补退",
                     (long long)((t.buyer_pays_fen ? t.buyer_pays_fen : t.refund_fen) / 100),
                     (long long)((t.buyer_pays_fen ? t.buyer_pays_fen : t.refund_fen) % 100));
            rc = tell(c, h, what, who);
            if (rc < 0)
                break;
            made++;
        }
        json_decref(todo);
        if (rc >= 0 && made)
            rc = audit_detail(c, who, "true-up", "delivery-batches", batch_id, NULL,
                              json_pack("{s:i}", "statements", made));
    }
    if (rc >= 0) {
        json_t *rows = rows_of(c,
                               "SELECT t.*, h.unit_id, u.room_code, (SELECT name FROM customers"
                               " WHERE id = h.customer_id) AS owner_name, c.no AS contract_no"
                               " FROM true_ups t JOIN handovers h ON h.id = t.handover_id JOIN"
                               " units u ON u.id = h.unit_id JOIN contracts c ON c.id ="
                               " t.contract_id WHERE h.batch_id = ? ORDER BY u.room_code",
                               batch_id);
        int64_t pays = 0, absorbs = 0, refunds = 0;
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r)
        {
            pays += row_int(r, "buyer_pays_fen");
            absorbs += row_int(r, "developer_absorbs_fen");
            refunds += row_int(r, "refund_fen");
        }
        *out = json_pack("{s:i, s:o, s:{s:I, s:I, s:I}}", "made", made, "rows", rows, "totals",
                         "buyer_pays_fen", (json_int_t)pays, "developer_absorbs_fen",
                         (json_int_t)absorbs, "refund_fen", (json_int_t)refunds);
    }
    json_decref(b);
    return rc < 0 ? rc : 0;
}

int handover_late_delivery(json_t **out,
                           struct db_conn *c,
                           const struct auth_user *who,
                           int64_t batch_id,
                           struct app_err *err)
{
    int rc = batch_visible(c, who, batch_id, err);
    if (rc < 0)
        return rc;
    json_t *flats = rows_of(c, HANDOVER_SQL " WHERE h.batch_id = ? ORDER BY u.room_code", batch_id);
    json_t *rows = json_array();
    char today[11];
    date_today(today);
    int64_t total = 0;
    size_t i;
    json_t *h;
    json_array_foreach(flats, i, h)
    {
        const char *deadline = row_str(h, "delivery_deadline");
        if (deadline == NULL || strcmp(row_str(h, "status"), "refused") == 0)
            continue;
        const char *delivered = row_str(h, "delivered_on") ? row_str(h, "delivered_on") : today;
        int64_t rate = 0, days = 0, penalty = 0;
        int may = 0;
        if (calc_parse_decimal(&rate, row_str(h, "late_delivery_rate"), 4) < 0)
            continue;
        calc_late_delivery(&days, &penalty, &may, row_int(h, "total_price_fen"), rate, deadline,
                           delivered, row_int(h, "late_delivery_grace_days"));
        total += penalty;
        json_array_append_new(
                rows, json_pack("{s:I, s:s, s:s?, s:s, s:I, s:s, s:s, s:b, s:s, s:I, s:I, s:b}",
                                "handover_id", (json_int_t)row_int(h, "id"), "room_code",
                                row_str(h, "room_code"), "owner_name", row_str(h, "owner_name"),
                                "contract_no", row_str(h, "contract_no"), "total_price_fen",
                                (json_int_t)row_int(h, "total_price_fen"), "deadline", deadline,
                                "delivered_on", delivered, "estimated",
                                row_str(h, "delivered_on") == NULL, "daily_rate_per_10000",
                                row_str(h, "late_delivery_rate"), "days_late", (json_int_t)days,
                                "penalty_fen", (json_int_t)penalty, "may_terminate", may));
    }
    json_decref(flats);
    *out = json_pack("{s:s, s:o, s:I}", "as_of", today, "rows", rows, "total_penalty_fen",
                     (json_int_t)total);
    return 0;
}

static int by_day(json_t *a, json_t *b)
{
    return strcmp(row_str(a, "day"), row_str(b, "day"));
}

int handover_daily(json_t **out,
                   struct db_conn *c,
                   const struct auth_user *who,
                   int64_t batch_id,
                   struct app_err *err)
{
    int rc = batch_visible(c, who, batch_id, err);
    if (rc < 0)
        return rc;
    static const struct {
        const char *key, *sql;
    } series[] = {
            {"booked", "SELECT s.day AS day, COUNT(*) AS n FROM handovers h JOIN batch_slots s ON"
                       " s.id = h.slot_id WHERE h.batch_id = ? GROUP BY s.day"},
            {"inspected", "SELECT i.on_day AS day, COUNT(DISTINCT i.handover_id) AS n FROM"
                          " inspections i JOIN handovers h ON h.id = i.handover_id WHERE"
                          " h.batch_id = ? AND i.kind = 'formal' GROUP BY i.on_day"},
            {"delivered", "SELECT delivered_on AS day, COUNT(*) AS n FROM handovers WHERE"
                          " batch_id = ? AND status = 'delivered' GROUP BY delivered_on"},
            {"refused", "SELECT refused_on AS day, COUNT(*) AS n FROM handovers WHERE batch_id ="
                        " ? AND status = 'refused' GROUP BY refused_on"},
    };
    json_t *days = json_object();
    for (size_t i = 0; i < ARRAY_LEN(series); i++) {
        json_t *rows = rows_of(c, series[i].sql, batch_id);
        size_t j;
        json_t *r;
        json_array_foreach(rows, j, r)
        {
            const char *day = row_str(r, "day");
            if (day == NULL)
                continue;
            json_t *d = json_object_get(days, day);
            if (d == NULL) {
                d = json_pack("{s:s, s:i, s:i, s:i, s:i}", "day", day, "booked", 0, "inspected", 0,
                              "delivered", 0, "refused", 0);
                json_object_set_new(days, day, d);
            }
            json_object_set(d, series[i].key, json_object_get(r, "n"));
        }
        json_decref(rows);
    }
    json_t *list = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(days, k, v) json_array_append(list, v);
    json_decref(days);
    /* Days in order (keys of a JSON object are not). */
    query_sort_rows(list, by_day);
    *out = json_pack("{s:o}", "days", list);
    return 0;
}

int handover_property_package(json_t **out,
                              struct db_conn *c,
                              const struct auth_user *who,
                              int64_t batch_id,
                              struct app_err *err)
{
    int rc = batch_visible(c, who, batch_id, err);
    if (rc < 0)
        return rc;
    *out = rows_of(c,
                   "SELECT u.room_code, (SELECT name FROM buildings WHERE id = u.building_id) AS"
                   " building, o.name AS owner_name, o.phone_mask, u.contract_area_dm2,"
                   " u.measured_area_dm2, h.status, h.delivered_on, h.keys, h.water_reading,"
                   " h.electricity_reading, h.gas_reading, (SELECT COUNT(*) FROM"
                   " inspection_defects x WHERE x.handover_id = h.id AND x.status <>"
                   " 'verified') AS open_defects FROM handovers h JOIN units u ON u.id ="
                   " h.unit_id LEFT JOIN customers o ON o.id = h.customer_id WHERE h.batch_id = ?"
                   " ORDER BY u.room_code",
                   batch_id);
    return 0;
}

/*---- Notices ----*/

/* Replace every {key} of tpl with its value. */
static void fill(struct strbuf *out,
                 const char *tpl,
                 const char *const *keys,
                 const char *const *values,
                 size_t n)
{
    for (const char *p = tpl; *p;) {
        int hit = 0;
        if (*p == '{') {
            for (size_t i = 0; i < n; i++) {
                size_t kl = strlen(keys[i]);
                if (strncmp(p + 1, keys[i], kl) == 0 && p[kl + 1] == '}') {
                    strbuf_puts(out, values[i] ? values[i] : "");
                    p += kl + 2;
                    hit = 1;
                    break;
                }
            }
        }
        if (!hit)
            strbuf_append(out, p++, 1);
    }
}

int handover_notices_pdf(char **data,
                         size_t *len,
                         struct db_conn *c,
                         const struct auth_user *who,
                         int64_t batch_id,
                         struct app_err *err)
{
    *data = NULL;
    *len = 0;
    json_t *b = NULL, *tpl = NULL;
    int rc = load_batch(&b, c, who, batch_id, err);
    if (rc < 0)
        return rc;
    struct db_params p = {0};
    db_params_int(&p, row_int(b, "project_id"));
    rc = query_row(&tpl, c,
                   "SELECT title, body FROM notice_templates WHERE project_id = ? OR project_id IS"
                   " NULL ORDER BY CASE WHEN project_id IS NULL THEN 1 ELSE 0 END LIMIT 1",
                   &p);
    db_params_free(&p);
    if (rc < 0) {
        json_decref(b);
        return app_err_set(err, APP_EINVAL, NULL, "没有入住通知书模板");
    }
    json_t *flats = rows_of(c,
                            HANDOVER_COLS ", (SELECT s.day FROM batch_slots s WHERE s.id ="
                                          " h.slot_id) AS slot_day, (SELECT s.time_from || '–' ||"
                                          " s.time_to FROM batch_slots s WHERE s.id = h.slot_id)"
                                          " AS slot_time, (SELECT t.buyer_pays_fen FROM true_ups"
                                          " t WHERE t.handover_id = h.id) AS true_up_pays, (SELECT"
                                          " t.refund_fen FROM true_ups t WHERE t.handover_id ="
                                          " h.id) AS true_up_refund" HANDOVER_FROM
                                          " WHERE h.batch_id = ? AND"
                                          " h.status <> 'refused' ORDER BY u.room_code",
                            batch_id);
    if (json_array_size(flats) == 0) {
        rc = app_err_set(err, APP_EINVAL, NULL, "本批次没有需要通知的业主");
        goto done;
    }
    struct pdf *pdf = NULL;
    if ((rc = pdf_begin(&pdf)) < 0) {
        app_err_set(err, rc, NULL, "无法生成 PDF");
        goto done;
    }
    static const char *const keys[] = {"name",      "unit", "project", "date", "time",
                                       "documents", "fees", "true_up", "phone"};
    size_t i;
    json_t *h;
    char range[40];
    snprintf(range, sizeof(range), "%s 至 %s", row_str(b, "planned_start"),
             row_str(b, "planned_end"));
    json_array_foreach(flats, i, h)
    {
        char true_up[200] = "";
        if (json_is_integer(json_object_get(h, "true_up_pays")) && row_int(h, "true_up_pays") > 0)
            snprintf(true_up, sizeof(true_up), "面积补差：经实测，需补缴房款 ¥%lld.%02lld。",
                     (long long)(row_int(h, "true_up_pays") / 100),
                     (long long)(row_int(h, "true_up_pays") % 100));
        else if (json_is_integer(json_object_get(h, "true_up_refund")) &&
                 row_int(h, "true_up_refund") > 0)
            snprintf(true_up, sizeof(true_up), "面积补差：经实测，应退还您房款 ¥%lld.%02lld。",
                     (long long)(row_int(h, "true_up_refund") / 100),
                     (long long)(row_int(h, "true_up_refund") % 100));
        const char *values[] = {row_str(h, "owner_name") ? row_str(h, "owner_name") : "",
                                row_str(h, "room_code"),
                                row_str(b, "project_name"),
                                row_str(h, "slot_day") ? row_str(h, "slot_day") : range,
                                row_str(h, "slot_time") ? row_str(h, "slot_time") : "",
                                row_str(b, "documents_text") ? row_str(b, "documents_text")
                                                             : "身份证、购房合同原件、购房发票",
                                row_str(b, "fees_text") ? row_str(b, "fees_text")
                                                        : "以现场公示为准",
                                true_up,
                                "400-800-1234"};
        struct strbuf title, body;
        strbuf_init(&title, 4096);
        strbuf_init(&body, 65536);
        fill(&title, row_str(tpl, "title"), keys, values, ARRAY_LEN(keys));
        fill(&body, row_str(tpl, "body"), keys, values, ARRAY_LEN(keys));
        char footer[200];
        snprintf(footer, sizeof(footer), "%s · %s · 合同 %s · %zu/%zu", row_str(b, "name"),
                 row_str(h, "room_code"), row_str(h, "contract_no"), i + 1, json_array_size(flats));
        pdf_page(pdf, strbuf_str(&title), strbuf_str(&body), footer);
        strbuf_free(&title);
        strbuf_free(&body);
    }
    rc = pdf_finish(pdf, data, len);
    if (rc < 0) {
        app_err_set(err, rc, NULL, "无法生成 PDF");
        goto done;
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE handovers SET status = 'notified', notified_at = ? WHERE batch_id = ? AND"
                " status = 'pending'",
                "ti", at, batch_id);
    if (rc >= 0)
        rc = db_run(c,
                    "UPDATE delivery_batches SET status = 'notifying', updated_at = ? WHERE id = ?"
                    " AND status = 'planning'",
                    "ti", at, batch_id);
    if (rc >= 0)
        rc = audit_detail(c, who, "notices", "delivery-batches", batch_id, NULL,
                          json_pack("{s:I, s:I}", "pages", (json_int_t)json_array_size(flats),
                                    "bytes", (json_int_t)*len));
    if (rc < 0) {
        free(*data);
        *data = NULL;
        *len = 0;
    }
done:
    json_decref(flats);
    json_decref(tpl);
    json_decref(b);
    return rc < 0 ? rc : 0;
}

/*---- Certificates ----*/

int certificate_create(int64_t *id_out,
                       struct db_conn *c,
                       const struct auth_user *who,
                       int64_t contract_id,
                       struct app_err *err)
{
    json_t *k = NULL;
    *id_out = 0;
    int rc = scoped(&k, c, who, "SELECT * FROM contracts WHERE id = ?", contract_id, "合同不存在",
                    err);
    if (rc < 0)
        return rc == APP_ENOTFOUND ? app_err_set(err, APP_EINVAL, "contract_id", "合同不存在") : rc;
    if (strcmp(row_str(k, "status"), "cancelled") == 0 ||
        strcmp(row_str(k, "status"), "subscribed") == 0) {
        json_decref(k);
        return app_err_set(err, APP_ECONFLICT, "contract_id", "合同未签约或已作废，不能办理产权证");
    }
    char at[32], today[11];
    time_now_iso(at, sizeof(at));
    date_today(today);
    rc = db_query_int64(c, id_out,
                        "INSERT INTO certificates (contract_id, project_id, unit_id, status,"
                        " collecting_on, created_at, updated_at) VALUES (?,?,?,'collecting',?,?,?)"
                        " RETURNING id",
                        "iiittt", contract_id, row_int(k, "project_id"), row_int(k, "unit_id"),
                        today, at, at);
    json_decref(k);
    if (rc == APP_ECONFLICT)
        return app_err_set(err, rc, "contract_id", "该合同已有产权证办理记录");
    if (rc < 0)
        return rc;
    return audit_detail(c, who, "create", "certificates", *id_out, NULL,
                        json_pack("{s:I}", "contract_id", (json_int_t)contract_id));
}

int certificate_advance(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    static const char *const order[] = {"collecting", "submitted", "issued", "collected"};
    static const char *const labels[] = {"收集资料", "已递交登记机构", "已出证", "业主已领取"};
    static const char *const cols[] = {"collecting_on", "submitted_on", "issued_on",
                                       "collected_on"};
    static const char *const keys[] = {"to", "on", "number", "note"};
    json_t *k = NULL;
    int rc = scoped(&k, c, who, "SELECT * FROM certificates WHERE id = ?", id, "产权证记录不存在",
                    err);
    if (rc == 0)
        rc = only_keys(in, keys, ARRAY_LEN(keys), err);
    if (rc == 0)
        rc = validate_date_field(in, "on", VALIDATE_DATE_REQUIRED | VALIDATE_DATE_NOT_FUTURE, err);
    if (rc < 0)
        goto done;
    const char *to = row_str(in, "to");
    size_t from = 0, target = ARRAY_LEN(order);
    for (size_t i = 0; i < ARRAY_LEN(order); i++) {
        if (strcmp(order[i], row_str(k, "status")) == 0)
            from = i;
        if (to && strcmp(order[i], to) == 0)
            target = i;
    }
    if (target == ARRAY_LEN(order)) {
        rc = app_err_set(err, APP_EINVAL, "to", "状态应为 submitted、issued 或 collected");
        goto done;
    }
    if (target != from + 1) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "产权证当前为“%s”，下一步是“%s”",
                         labels[from],
                         from + 1 < ARRAY_LEN(order) ? labels[from + 1] : "（已完成）");
        goto done;
    }
    if (strcmp(to, "issued") == 0 && (rc = text(in, "number", 60, 1, "不动产权证号", err)) < 0)
        goto done;
    if ((rc = text(in, "note", 500, 0, "备注", err)) < 0)
        goto done;
    char sql[200], at[32];
    time_now_iso(at, sizeof(at));
    snprintf(sql, sizeof(sql),
             "UPDATE certificates SET status = ?, %s = ?, certificate_no = COALESCE(?,"
             " certificate_no), note = COALESCE(?, note), updated_at = ? WHERE id = ?",
             cols[target]);
    rc = db_run(c, sql, "ttttti", to, row_str(in, "on"), row_str(in, "number"), row_str(in, "note"),
                at, id);
    char title[200];
    snprintf(title, sizeof(title), "产权证%s", labels[target]);
    if (rc >= 0)
        rc = contract_tell_buyers(c, row_int(k, "contract_id"), "certificate", title,
                                  "certificates", id, who);
    /* Issued: the owners are told to come and collect it (a service notice). */
    if (rc >= 0 && strcmp(to, "issued") == 0) {
        json_t *buyers = rows_of(c,
                                 "SELECT b.customer_id, u.room_code FROM contract_buyers b JOIN"
                                 " contracts k ON k.id = b.contract_id JOIN units u ON u.id ="
                                 " k.unit_id WHERE b.contract_id = ?",
                                 row_int(k, "contract_id"));
        size_t i;
        json_t *b;
        json_array_foreach(buyers, i, b)
        {
            if (rc < 0)
                break;
            char text[300];
            snprintf(text, sizeof(text),
                     "您的房屋 %s 的不动产权证书已办理完成，请携带身份证原件到客服中心领取。",
                     row_str(b, "room_code"));
            rc = outbox_enqueue(c, "sms", "service", row_int(b, "customer_id"),
                                row_int(k, "project_id"), "不动产权证领取通知", text,
                                "certificate");
        }
        json_decref(buyers);
    }
    if (rc >= 0)
        rc = audit_detail(c, who, to, "certificates", id, NULL, json_deep_copy(in));
done:
    json_decref(k);
    return rc < 0 ? rc : 0;
}

int certificate_deadlines(json_t **out,
                          struct db_conn *c,
                          const struct auth_user *who,
                          int64_t project_id,
                          int within,
                          struct app_err *err)
{
    if (project_id > 0 && !auth_in_scope(who, project_id))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql,
                "SELECT k.id, k.contract_id, k.status, k.submitted_on, c.no AS contract_no,"
                " c.buyer_names, c.certificate_days, u.room_code, u.delivered_on, k.project_id"
                " FROM certificates k JOIN contracts c ON c.id = k.contract_id JOIN units u ON"
                " u.id = k.unit_id WHERE k.status IN ('collecting', 'submitted') AND"
                " u.delivered_on IS NOT NULL");
    query_report_scope(&sql, &p, "k.project_id", who, project_id);
    strbuf_puts(&sql, " ORDER BY u.delivered_on, k.id");
    json_t *rows = NULL;
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    char today[11];
    date_today(today);
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        char due[11];
        int64_t left = 0;
        if (date_add_days(due, row_str(r, "delivered_on"), row_int(r, "certificate_days")) < 0)
            continue;
        date_diff_days(&left, today, due);
        if (left > within)
            continue;
        json_object_set_new(r, "due_on", json_string(due));
        json_object_set_new(r, "days_left", json_integer(left));
        json_object_set_new(r, "overdue", json_boolean(left < 0));
        json_array_append(items, r);
    }
    json_decref(rows);
    *out = json_pack("{s:i, s:o}", "within", within, "items", items);
    return 0;
}
