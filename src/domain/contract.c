/*
 * contract.c - subscription, the transition table, the document checklist,
 * amendments through approvals, deadlines and weekly counts.
 */
#include "contract.h"

#include <string.h>

#include <ctype.h>

#include "approval.h"
#include "audit.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "customer.h"
#include "entity.h"
#include "query.h"
#include "survey.h"

static const struct {
    const char *status, *label, *unit;
} statuses[] = {
        {"subscribed", "认购", "reserved"}, {"signed", "已签约", "signed"},
        {"filed", "已备案", "signed"},      {"preregistered", "已预告登记", "signed"},
        {"cancelled", "已作废", "unsold"},
};

const char *contract_status_label(const char *status)
{
    for (size_t i = 0; status && i < ARRAY_LEN(statuses); i++)
        if (strcmp(statuses[i].status, status) == 0)
            return statuses[i].label;
    return status ? status : "";
}

const char *contract_unit_status(const char *status)
{
    for (size_t i = 0; status && i < ARRAY_LEN(statuses); i++)
        if (strcmp(statuses[i].status, status) == 0)
            return statuses[i].unit;
    return "unsold";
}

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

static int load(json_t **out, struct db_conn *c, int64_t id, struct app_err *err)
{
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(out, c, "SELECT * FROM contracts WHERE id = ?", &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "合同不存在");
    return rc;
}

/* Existence and project scope, the same rule as the contract list. */
static int visible(json_t **out,
                   struct db_conn *c,
                   const struct auth_user *who,
                   int64_t id,
                   struct app_err *err)
{
    int rc = load(out, c, id, err);
    if (rc < 0)
        return rc;
    if (!auth_in_scope(who, row_int(*out, "project_id"))) {
        json_decref(*out);
        *out = NULL;
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
    }
    return 0;
}

int contract_tell_buyers(struct db_conn *c,
                         int64_t contract_id,
                         const char *kind,
                         const char *title,
                         const char *entity,
                         int64_t entity_id,
                         const struct auth_user *who)
{
    json_t *buyers = NULL;
    struct db_params p = {0};
    db_params_int(&p, contract_id);
    int rc = query_rows(&buyers, c, "SELECT customer_id FROM contract_buyers WHERE contract_id = ?",
                        &p);
    db_params_free(&p);
    size_t i;
    json_t *b;
    json_array_foreach(buyers, i, b)
    {
        if (rc < 0)
            break;
        rc = customer_event_add(c, row_int(b, "customer_id"), kind, title, entity, entity_id, who);
    }
    json_decref(buyers);
    return rc;
}

/* Every buyer's timeline hears what happened to the contract. */
static int tell_buyers(struct db_conn *c,
                       int64_t id,
                       const char *kind,
                       const char *title,
                       const struct auth_user *who)
{
    return contract_tell_buyers(c, id, kind, title, "contracts", id, who);
}

/* A unit follows its live contract: its status, and its owners, who are the
 * contract's buyers with their shares from 认购 on (the sales office treats
 * the subscriber as the flat's buyer). A cancelled contract leaves the unit
 * free and without owners. */
static int set_unit_status(struct db_conn *c,
                           int64_t unit_id,
                           const char *contract_status,
                           int64_t contract_id)
{
    int rc = db_run(c, "UPDATE units SET status = ? WHERE id = ? AND status <> 'delivered'", "ti",
                    contract_unit_status(contract_status), unit_id);
    if (rc >= 0)
        rc = db_run(c, "DELETE FROM unit_owners WHERE unit_id = ?", "i", unit_id);
    if (rc >= 0 && strcmp(contract_status, "cancelled") != 0)
        rc = db_run(c,
                    "INSERT INTO unit_owners (unit_id, customer_id, share_bp, is_primary)"
                    " SELECT ?, customer_id, share_bp, is_primary FROM contract_buyers"
                    " WHERE contract_id = ?",
                    "ii", unit_id, contract_id);
    return rc < 0 ? rc : 0;
}

static int audit_contract(struct db_conn *c,
                          const struct auth_user *who,
                          const char *action,
                          int64_t id,
                          json_t *before)
{
    json_t *after = NULL;
    struct app_err err = {0};
    int rc = load(&after, c, id, &err);
    if (rc < 0)
        return rc;
    rc = audit_append(c, who ? who->id : 0, who ? who->username : "system", action, "contracts", id,
                      before, after);
    json_decref(after);
    return rc;
}

/*---- Values ----*/

/* A daily rate per 10,000 as contracts write it: "2", "0.5" (up to four
 * decimals), more than 0 and at most 100. */
static int rate_ok(const char *s)
{
    int dot = 0, decimals = 0, digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (dot++)
                return 0;
        } else if (isdigit((unsigned char)*p)) {
            digits++;
            decimals += dot;
        } else {
            return 0;
        }
    }
    if (digits == 0 || decimals > 4 || strlen(s) > 12)
        return 0;
    double v = strtod(s, NULL);
    return v > 0 && v <= 100;
}

static int
check_int(json_t *in, const char *k, int64_t lo, int64_t hi, const char *label, struct app_err *err)
{
    json_t *v = json_object_get(in, k);
    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return app_err_set(err, APP_EINVAL, k, "%s应为 %lld 到 %lld 之间的整数", label,
                           (long long)lo, (long long)hi);
    return 0;
}

/* Buyers: [{"customer_id","share_bp"}], shares adding up to 10000 (one
 * buyer may leave the share out). Writes the display names into names. */
static int check_buyers(struct db_conn *c,
                        const struct auth_user *who,
                        json_t *buyers,
                        struct strbuf *names,
                        struct app_err *err)
{
    if (!json_is_array(buyers) || json_array_size(buyers) == 0 || json_array_size(buyers) > 10)
        return app_err_set(err, APP_EINVAL, "buyers", "请选择 1 到 10 位买受人");
    int64_t total = 0;
    size_t i, j;
    json_t *b, *o;
    json_array_foreach(buyers, i, b)
    {
        json_t *cid = json_object_get(b, "customer_id"), *share = json_object_get(b, "share_bp");
        if (!json_is_integer(cid))
            return app_err_set(err, APP_EINVAL, "buyers", "第 %zu 位买受人缺少客户", i + 1);
        json_array_foreach(buyers, j,
                           o) if (j < i && json_equal(json_object_get(o, "customer_id"),
                                                      cid)) return app_err_set(err, APP_EINVAL,
                                                                               "buyers",
                                                                               "买受人重复");
        json_t *cust = NULL;
        int rc = entity_get(&cust, c, entity_find("customers"), who, json_integer_value(cid), err);
        if (rc < 0)
            return rc == APP_ENOTFOUND ? app_err_set(err, APP_EINVAL, "buyers", "客户不存在") : rc;
        int active = strcmp(row_str(cust, "status"), "active") == 0;
        strbuf_printf(names, "%s%s", i ? "、" : "", row_str(cust, "name"));
        json_decref(cust);
        if (!active)
            return app_err_set(err, APP_EINVAL, "buyers", "客户已合并或匿名化，不能作为买受人");
        if (share == NULL && json_array_size(buyers) == 1)
            total += 10000;
        else if (!json_is_integer(share) || json_integer_value(share) <= 0 ||
                 json_integer_value(share) > 10000)
            return app_err_set(err, APP_EINVAL, "buyers", "第 %zu 位买受人的份额无效", i + 1);
        else
            total += json_integer_value(share);
    }
    if (total != 10000)
        return app_err_set(err, APP_EINVAL, "buyers", "买受人份额合计应为 100%%");
    return 0;
}

/* The buyer type that decides the document checklist. */
static const char *buyer_type(struct db_conn *c, int64_t customer_id)
{
    char *kind = NULL, *hukou = NULL;
    db_query_text(c, &kind, "SELECT kind FROM customers WHERE id = ?", "i", customer_id);
    db_query_text(c, &hukou, "SELECT hukou FROM customers WHERE id = ?", "i", customer_id);
    const char *t = kind && strcmp(kind, "company") == 0      ? "company"
                    : hukou && strcmp(hukou, "nonlocal") == 0 ? "nonlocal"
                                                              : "local";
    free(kind);
    free(hukou);
    return t;
}

static int write_buyers(struct db_conn *c, int64_t id, int64_t project_id, json_t *buyers)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    size_t i;
    json_t *b;
    json_array_foreach(buyers, i, b)
    {
        int64_t cid = json_integer_value(json_object_get(b, "customer_id"));
        json_t *share = json_object_get(b, "share_bp");
        int rc =
                db_run(c,
                       "INSERT INTO contract_buyers (contract_id, customer_id, share_bp,"
                       " is_primary) VALUES (?,?,?,?)",
                       "iiii", id, cid, share ? (int64_t)json_integer_value(share) : (int64_t)10000,
                       (int64_t)(i == 0));
        if (rc < 0)
            return rc;
        /* The project's own rules for this buyer type, else the defaults. */
        const char *type = buyer_type(c, cid);
        int64_t own = 0;
        db_query_int64(c, &own,
                       "SELECT COUNT(*) FROM contract_doc_rules WHERE project_id = ? AND"
                       " buyer_type = ?",
                       "it", project_id, type);
        rc = own ? db_run(c,
                          "INSERT INTO contract_documents (contract_id, customer_id, doc_code,"
                          " doc_name, status, updated_at) SELECT ?, ?, doc_code, doc_name,"
                          " 'missing', ? FROM contract_doc_rules WHERE project_id = ? AND"
                          " buyer_type = ? ORDER BY sort",
                          "iitit", id, cid, at, project_id, type)
                 : db_run(c,
                          "INSERT INTO contract_documents (contract_id, customer_id, doc_code,"
                          " doc_name, status, updated_at) SELECT ?, ?, doc_code, doc_name,"
                          " 'missing', ? FROM contract_doc_rules WHERE project_id IS NULL AND"
                          " buyer_type = ? ORDER BY sort",
                          "iitt", id, cid, at, type);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*---- Subscription ----*/

static int unit_free(struct db_conn *c,
                     int64_t unit_id,
                     int64_t except_contract,
                     struct app_err *err,
                     const char *field)
{
    char *no = NULL;
    int rc = db_query_text(c, &no,
                           "SELECT no FROM contracts WHERE unit_id = ? AND status <> 'cancelled'"
                           " AND id <> ?",
                           "ii", unit_id, except_contract);
    if (rc == APP_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    rc = app_err_set(err, APP_ECONFLICT, field, "该房源已有有效合同 %s", no ? no : "");
    free(no);
    return rc;
}

int contract_create(int64_t *id_out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    json_t *in,
                    struct app_err *err)
{
    *id_out = 0;
    static const char *const allowed[] = {"unit_id",
                                          "buyers",
                                          "total_price_fen",
                                          "deposit_fen",
                                          "payment_method",
                                          "presale_permit",
                                          "subscribed_on",
                                          "delivery_deadline",
                                          "late_delivery_rate",
                                          "late_delivery_grace_days",
                                          "late_payment_rate",
                                          "late_payment_grace_days",
                                          "certificate_days",
                                          "note"};
    static const char *const methods[] = {"full", "installment", "commercial_loan",
                                          "provident_loan", "combined"};
    struct strbuf names;
    json_t *unit = NULL;
    const char *key;
    json_t *v;
    int rc = 0;
    strbuf_init(&names, 4096);
    if (!json_is_object(in))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    json_object_foreach(in, key, v)
    {
        int ok = 0;
        for (size_t i = 0; i < ARRAY_LEN(allowed); i++)
            ok |= strcmp(allowed[i], key) == 0;
        if (!ok) {
            rc = app_err_set(err, APP_EINVAL, key, "未知字段: %s", key);
            goto done;
        }
    }
    json_t *uid = json_object_get(in, "unit_id");
    if (!json_is_integer(uid)) {
        rc = app_err_set(err, APP_EINVAL, "unit_id", "请选择房源");
        goto done;
    }
    rc = entity_get(&unit, c, entity_find("units"), who, json_integer_value(uid), err);
    if (rc == APP_ENOTFOUND)
        rc = app_err_set(err, APP_EINVAL, "unit_id", "房源不存在");
    if (rc < 0)
        goto done;
    rc = unit_free(c, row_int(unit, "id"), 0, err, "unit_id");
    if (rc < 0)
        goto done;
    rc = check_buyers(c, who, json_object_get(in, "buyers"), &names, err);
    if (rc < 0)
        goto done;
    json_t *price = json_object_get(in, "total_price_fen");
    if (!json_is_integer(price) || json_integer_value(price) <= 0) {
        rc = app_err_set(err, APP_EINVAL, "total_price_fen", "请填写总价（分）");
        goto done;
    }
    json_t *deposit = json_object_get(in, "deposit_fen");
    if (deposit && (!json_is_integer(deposit) || json_integer_value(deposit) < 0)) {
        rc = app_err_set(err, APP_EINVAL, "deposit_fen", "定金应为非负整数（分）");
        goto done;
    }
    /* 民法典 第586条: 定金 may not exceed 20% of the price. */
    if (deposit && json_integer_value(deposit) * 5 > json_integer_value(price)) {
        rc = app_err_set(err, APP_EINVAL, "deposit_fen", "定金不得超过总价的 20%%");
        goto done;
    }
    const char *method = row_str(in, "payment_method");
    int method_ok = 0;
    for (size_t i = 0; method && i < ARRAY_LEN(methods); i++)
        method_ok |= strcmp(methods[i], method) == 0;
    if (!method_ok) {
        rc = app_err_set(err, APP_EINVAL, "payment_method",
                         "付款方式应为一次性、分期、商业贷款、公积金贷款或组合贷款");
        goto done;
    }
    if ((rc = validate_date_field(in, "subscribed_on", 0, err)) < 0 ||
        (rc = validate_date_field(in, "delivery_deadline", 0, err)) < 0 ||
        (rc = check_int(in, "late_delivery_grace_days", 0, 3650, "宽限天数", err)) < 0 ||
        (rc = check_int(in, "late_payment_grace_days", 0, 3650, "宽限天数", err)) < 0 ||
        (rc = check_int(in, "certificate_days", 1, 3650, "办证期限", err)) < 0)
        goto done;
    static const char *const rates[] = {"late_delivery_rate", "late_payment_rate"};
    for (size_t i = 0; i < ARRAY_LEN(rates); i++) {
        json_t *r = json_object_get(in, rates[i]);
        if (r && (!json_is_string(r) || !rate_ok(json_string_value(r)))) {
            rc = app_err_set(err, APP_EINVAL, rates[i],
                             "日违约金比例应为万分之几的数字，如 \"2\" 或 \"0.5\"");
            goto done;
        }
    }
    const char *note = row_str(in, "note"), *permit = row_str(in, "presale_permit");
    if ((note && strlen(note) > 2000) || (permit && strlen(permit) > 100)) {
        rc = app_err_set(err, APP_EINVAL, note && strlen(note) > 2000 ? "note" : "presale_permit",
                         "内容过长");
        goto done;
    }
    char today[11], at[32], no[64];
    date_today(today);
    time_now_iso(at, sizeof(at));
    int64_t project_id = row_int(unit, "project_id"), seq = 0;
    char *code = NULL;
    db_query_text(c, &code, "SELECT code FROM projects WHERE id = ?", "i", project_id);
    /* The project's series, started at the contracts it has (demo, import). */
    int64_t have = 0;
    char series[48];
    snprintf(series, sizeof(series), "contract %lld", (long long)project_id);
    db_query_int64(c, &have, "SELECT COUNT(*) FROM contracts WHERE project_id = ?", "i",
                   project_id);
    rc = db_counter_next(c, series, have, &seq);
    if (rc < 0) {
        free(code);
        goto done;
    }
    snprintf(no, sizeof(no), "HT-%s-%05lld", code ? code : "X", (long long)seq);
    free(code);
    struct db_params p = {0};
    db_params_text(&p, no);
    db_params_int(&p, project_id);
    db_params_int(&p, row_int(unit, "id"));
    db_params_text(&p, strbuf_str(&names));
    db_params_int(&p, json_integer_value(price));
    db_params_int(&p, deposit ? json_integer_value(deposit) : 0);
    db_params_text(&p, method);
    db_params_text(&p, permit);
    db_params_text(&p, row_str(in, "subscribed_on") ? row_str(in, "subscribed_on") : today);
    db_params_text(&p, row_str(in, "delivery_deadline"));
    db_params_text(&p, row_str(in, "late_delivery_rate") ? row_str(in, "late_delivery_rate") : "2");
    db_params_int(&p, json_object_get(in, "late_delivery_grace_days")
                              ? row_int(in, "late_delivery_grace_days")
                              : 90);
    db_params_text(&p, row_str(in, "late_payment_rate") ? row_str(in, "late_payment_rate") : "2");
    db_params_int(&p, json_object_get(in, "late_payment_grace_days")
                              ? row_int(in, "late_payment_grace_days")
                              : 90);
    db_params_int(&p,
                  json_object_get(in, "certificate_days") ? row_int(in, "certificate_days") : 365);
    db_params_text(&p, note);
    db_params_text(&p, at);
    db_params_text(&p, at);
    json_t *ins = NULL;
    rc = query_row(&ins, c,
                   "INSERT INTO contracts (no, project_id, unit_id, status, buyer_names,"
                   " total_price_fen, deposit_fen, payment_method, presale_permit, subscribed_on,"
                   " delivery_deadline, late_delivery_rate, late_delivery_grace_days,"
                   " late_payment_rate, late_payment_grace_days, certificate_days, note,"
                   " created_at, updated_at) VALUES (?,?,?,'subscribed',?,?,?,?,?,?,?,?,?,?,?,?,?,"
                   "?,?) RETURNING id",
                   &p);
    db_params_free(&p);
    if (rc == APP_ECONFLICT) {
        /* Another request took the unit between our check and the insert. */
        rc = app_err_set(err, APP_ECONFLICT, "unit_id", "该房源已有有效合同");
        goto done;
    }
    if (rc < 0)
        goto done;
    *id_out = row_int(ins, "id");
    json_decref(ins);
    rc = write_buyers(c, *id_out, project_id, json_object_get(in, "buyers"));
    if (rc == 0)
        rc = set_unit_status(c, row_int(unit, "id"), "subscribed", *id_out);
    if (rc == 0)
        rc = audit_contract(c, who, "create", *id_out, NULL);
    if (rc == 0) {
        char title[128];
        snprintf(title, sizeof(title), "认购 %s（合同 %s）", row_str(unit, "room_code"), no);
        rc = tell_buyers(c, *id_out, "contract", title, who);
    }
done:
    json_decref(unit);
    strbuf_free(&names);
    if (rc < 0) {
        *id_out = 0;
        if (err && err->code == 0)
            app_err_set(err, rc, NULL, "保存失败");
    }
    return rc;
}

/*---- Transitions ----*/

/* Signing needs every document received or waived. */
static int guard_sign(struct db_conn *c, int64_t id, json_t *params, struct app_err *err)
{
    json_t *missing = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_rows(&missing, c,
                        "SELECT d.doc_name, cu.name FROM contract_documents d JOIN customers cu"
                        " ON cu.id = d.customer_id WHERE d.contract_id = ? AND"
                        " d.status = 'missing' ORDER BY d.id",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    if (json_array_size(missing) > 0) {
        struct strbuf sb;
        strbuf_init(&sb, 4096);
        size_t i;
        json_t *m;
        json_array_foreach(missing, i, m) strbuf_printf(&sb, "%s%s %s", i ? "、" : "",
                                                        row_str(m, "name"), row_str(m, "doc_name"));
        rc = app_err_set(err, APP_EINVAL, "documents", "资料未齐，不能签约：缺少 %s",
                         strbuf_str(&sb));
        strbuf_free(&sb);
    }
    json_decref(missing);
    if (rc == 0)
        rc = validate_date_field(params, "signed_on", 0, err);
    return rc;
}

static int require_text(json_t *params, const char *k, const char *label, struct app_err *err)
{
    const char *v = row_str(params, k);
    if (v == NULL || *v == '\0')
        return app_err_set(err, APP_EINVAL, k, "请填写%s", label);
    if (strlen(v) > 60)
        return app_err_set(err, APP_EINVAL, k, "%s过长", label);
    return 0;
}

static int guard_file(struct db_conn *c, int64_t id, json_t *params, struct app_err *err)
{
    (void)c;
    (void)id;
    int rc = require_text(params, "filing_no", "备案号", err);
    return rc < 0 ? rc : validate_date_field(params, "filed_on", VALIDATE_DATE_REQUIRED, err);
}

static int guard_prereg(struct db_conn *c, int64_t id, json_t *params, struct app_err *err)
{
    (void)c;
    (void)id;
    int rc = require_text(params, "prereg_no", "预告登记证明号", err);
    return rc < 0 ? rc
                  : validate_date_field(params, "preregistered_on", VALIDATE_DATE_REQUIRED, err);
}

const struct contract_transition contract_transitions[] = {
        {"sign", "subscribed", "signed", "contract.sign", "签约", guard_sign},
        {"file", "signed", "filed", "contract.file", "网签备案", guard_file},
        {"preregister", "filed", "preregistered", "contract.file", "预告登记", guard_prereg},
};
const size_t contract_transitions_count = ARRAY_LEN(contract_transitions);

int contract_transition(struct db_conn *c,
                        const struct auth_user *who,
                        int64_t id,
                        const char *action,
                        json_t *params,
                        struct app_err *err)
{
    const struct contract_transition *t = NULL;
    json_t *before = NULL;
    for (size_t i = 0; action && i < contract_transitions_count; i++)
        if (strcmp(contract_transitions[i].action, action) == 0)
            t = &contract_transitions[i];
    if (t == NULL)
        return app_err_set(err, APP_EINVAL, "action", "未知操作（sign、file、preregister）");
    int rc = visible(&before, c, who, id, err);
    if (rc < 0)
        return rc;
    const char *status = row_str(before, "status");
    if (!auth_has(who, t->perm)) {
        rc = app_err_set(err, APP_EFORBIDDEN, NULL, "您的岗位不能办理%s", t->label);
        goto done;
    }
    if (strcmp(status, t->from) != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "合同当前状态为“%s”，不能%s",
                         contract_status_label(status), t->label);
        goto done;
    }
    int64_t pending = 0;
    db_query_int64(c, &pending,
                   "SELECT COUNT(*) FROM contract_amendments WHERE contract_id = ? AND"
                   " status = 'pending'",
                   "i", id);
    if (pending) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "合同有待审批的变更，审批完成前不能%s",
                         t->label);
        goto done;
    }
    rc = t->guard(c, id, params, err);
    if (rc < 0)
        goto done;
    char today[11], at[32];
    date_today(today);
    time_now_iso(at, sizeof(at));
    if (strcmp(t->action, "sign") == 0)
        rc = db_run(c,
                    "UPDATE contracts SET status = ?, signed_on = ?, updated_at = ? WHERE id = ?",
                    "ttti", t->to,
                    row_str(params, "signed_on") ? row_str(params, "signed_on") : today, at, id);
    else if (strcmp(t->action, "file") == 0)
        rc = db_run(c,
                    "UPDATE contracts SET status = ?, filing_no = ?, filed_on = ?, updated_at = ?"
                    " WHERE id = ?",
                    "tttti", t->to, row_str(params, "filing_no"), row_str(params, "filed_on"), at,
                    id);
    else
        rc = db_run(c,
                    "UPDATE contracts SET status = ?, prereg_no = ?, preregistered_on = ?,"
                    " updated_at = ? WHERE id = ?",
                    "tttti", t->to, row_str(params, "prereg_no"),
                    row_str(params, "preregistered_on"), at, id);
    if (rc < 0)
        goto done;
    rc = set_unit_status(c, row_int(before, "unit_id"), t->to, id);
    /* After signing, the buyers are asked how it went. */
    if (rc == 0 && strcmp(t->action, "sign") == 0) {
        char source[48];
        snprintf(source, sizeof(source), "contracts %lld", (long long)id);
        int64_t buyer = 0;
        if (db_query_int64(c, &buyer,
                           "SELECT customer_id FROM contract_buyers WHERE contract_id = ? AND"
                           " is_primary = 1",
                           "i", id) == 0)
            rc = survey_invite(c, "signing", buyer, row_int(before, "project_id"), source);
    }
    if (rc == 0)
        rc = audit_contract(c, who, t->action, id, before);
    if (rc == 0) {
        char title[128];
        snprintf(title, sizeof(title), "合同 %s %s", row_str(before, "no"), t->label);
        rc = tell_buyers(c, id, "contract", title, who);
    }
done:
    json_decref(before);
    return rc;
}

/*---- Checklist ----*/

int contract_document_set(struct db_conn *c,
                          const struct auth_user *who,
                          int64_t contract_id,
                          int64_t doc_id,
                          const char *status,
                          const char *reason,
                          struct app_err *err)
{
    json_t *contract = NULL;
    int rc = visible(&contract, c, who, contract_id, err);
    if (rc < 0)
        return rc;
    int open = strcmp(row_str(contract, "status"), "cancelled") != 0;
    json_decref(contract);
    if (!open)
        return app_err_set(err, APP_ECONFLICT, "status", "合同已作废");
    char at[32], today[11];
    time_now_iso(at, sizeof(at));
    date_today(today);
    if (status && strcmp(status, "waived") == 0) {
        if (!auth_has(who, "contract.waive"))
            return app_err_set(err, APP_EFORBIDDEN, NULL, "只有客服经理可以豁免资料");
        if (reason == NULL || *reason == '\0')
            return app_err_set(err, APP_EINVAL, "reason", "请填写豁免原因");
        if (strlen(reason) > 500)
            return app_err_set(err, APP_EINVAL, "reason", "原因不能超过 500 个字符");
        rc = db_run(c,
                    "UPDATE contract_documents SET status = 'waived', waived_by = ?,"
                    " waive_reason = ?, updated_at = ? WHERE id = ? AND contract_id = ?",
                    "tttii", who->display_name, reason, at, doc_id, contract_id);
    } else if (status && (strcmp(status, "received") == 0 || strcmp(status, "missing") == 0)) {
        rc = db_run(c,
                    "UPDATE contract_documents SET status = ?, received_on = ?, waived_by = NULL,"
                    " waive_reason = NULL, updated_at = ? WHERE id = ? AND contract_id = ?",
                    "tttii", status, strcmp(status, "received") == 0 ? today : NULL, at, doc_id,
                    contract_id);
    } else {
        return app_err_set(err, APP_EINVAL, "status", "状态应为 received、missing 或 waived");
    }
    if (rc < 0)
        return rc;
    if (rc == 0)
        return app_err_set(err, APP_ENOTFOUND, NULL, "该合同没有这项资料");
    json_t *detail = json_pack("{s:I, s:s, s:s?}", "document", (json_int_t)doc_id, "status", status,
                               "reason", reason);
    rc = audit_append(c, who->id, who->username, "update", "contract-documents", contract_id, NULL,
                      detail);
    json_decref(detail);
    return rc;
}

/*---- Amendments ----*/

static const struct {
    const char *kind, *template_code, *label;
} amendment_kinds[] = {
        {"cancel", "contract_cancel", "退房/作废"},
        {"rename", "contract_rename", "更名"},
        {"unit_change", "contract_unit_change", "换房"},
};

int contract_amend(int64_t *amendment_id,
                   struct db_conn *c,
                   const struct auth_user *who,
                   int64_t id,
                   const char *kind,
                   const char *reason_category,
                   const char *comment,
                   json_t *payload,
                   struct app_err *err)
{
    *amendment_id = 0;
    json_t *contract = NULL, *data = NULL, *new_unit = NULL;
    struct strbuf names;
    strbuf_init(&names, 4096);
    int k = -1;
    for (size_t i = 0; kind && i < ARRAY_LEN(amendment_kinds); i++)
        if (strcmp(amendment_kinds[i].kind, kind) == 0)
            k = (int)i;
    if (k < 0)
        return app_err_set(err, APP_EINVAL, "kind", "变更类型应为 cancel、rename 或 unit_change");
    int rc = visible(&contract, c, who, id, err);
    if (rc < 0)
        goto done;
    if (strcmp(row_str(contract, "status"), "cancelled") == 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "合同已作废");
        goto done;
    }
    int64_t pending = 0;
    db_query_int64(c, &pending,
                   "SELECT COUNT(*) FROM contract_amendments WHERE contract_id = ? AND"
                   " status = 'pending'",
                   "i", id);
    if (pending) {
        rc = app_err_set(err, APP_ECONFLICT, "kind", "该合同已有待审批的变更");
        goto done;
    }
    char *unit_code = NULL;
    db_query_text(c, &unit_code, "SELECT room_code FROM units WHERE id = ?", "i",
                  row_int(contract, "unit_id"));
    data = json_pack("{s:s, s:s?, s:s?, s:s?}", "contract_no", row_str(contract, "no"), "unit",
                     unit_code, "reason_category", reason_category, "comment", comment);
    free(unit_code);
    if (strcmp(kind, "rename") == 0) {
        rc = check_buyers(c, who, json_object_get(payload, "buyers"), &names, err);
        if (rc < 0)
            goto done;
        json_object_set_new(data, "new_buyers", json_string(strbuf_str(&names)));
    } else if (strcmp(kind, "unit_change") == 0) {
        json_t *nu = json_object_get(payload, "new_unit_id");
        if (!json_is_integer(nu) || json_integer_value(nu) == row_int(contract, "unit_id")) {
            rc = app_err_set(err, APP_EINVAL, "new_unit_id", "请选择另一套房源");
            goto done;
        }
        rc = entity_get(&new_unit, c, entity_find("units"), who, json_integer_value(nu), err);
        if (rc == APP_ENOTFOUND)
            rc = app_err_set(err, APP_EINVAL, "new_unit_id", "房源不存在");
        if (rc == 0 && row_int(new_unit, "project_id") != row_int(contract, "project_id"))
            rc = app_err_set(err, APP_EINVAL, "new_unit_id",
                             "换房只能在同一项目内；跨项目请退房后重新认购");
        if (rc == 0)
            rc = unit_free(c, json_integer_value(nu), id, err, "new_unit_id");
        if (rc < 0)
            goto done;
        json_object_set_new(data, "new_unit", json_string(row_str(new_unit, "room_code")));
    } else {
        json_t *refund = json_object_get(payload, "refund_fen");
        if (refund && json_is_integer(refund))
            json_object_set(data, "refund", refund);
    }
    char title[160];
    snprintf(title, sizeof(title), "合同%s：%s %s", amendment_kinds[k].label,
             row_str(contract, "no"), row_str(contract, "buyer_names"));
    /* The amendment is recorded first: an approval whose every step is
     * skipped decides at once, inside approval_submit, and its handler looks
     * the pending amendment up by contract. */
    char at[32];
    time_now_iso(at, sizeof(at));
    char *payload_text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    rc = db_query_int64(c, amendment_id,
                        "INSERT INTO contract_amendments (contract_id, kind, reason_category,"
                        " comment, payload_json, status, requested_by, created_at)"
                        " VALUES (?,?,?,?,?,'pending',?,?) RETURNING id",
                        "itttttt", id, kind, reason_category, comment, payload_text,
                        who->display_name, at);
    free(payload_text);
    if (rc == APP_ECONFLICT)
        rc = app_err_set(err, APP_ECONFLICT, "kind", "该合同已有待审批的变更");
    if (rc < 0)
        goto done;
    int64_t approval = 0;
    rc = approval_submit(&approval, c, who, amendment_kinds[k].template_code, title, data,
                         row_int(contract, "project_id"), "contracts", id, err);
    if (rc < 0)
        goto done;
    rc = db_run(c, "UPDATE contract_amendments SET approval_id = ? WHERE id = ?", "ii", approval,
                *amendment_id);
    if (rc < 0)
        goto done;
    json_t *detail = json_pack("{s:s, s:s?, s:I}", "kind", kind, "reason", reason_category,
                               "approval_id", (json_int_t)approval);
    rc = audit_append(c, who->id, who->username, "amend", "contracts", id, NULL, detail);
    json_decref(detail);
    if (rc == 0) {
        snprintf(title, sizeof(title), "申请合同%s（待审批）", amendment_kinds[k].label);
        rc = tell_buyers(c, id, "contract", title, who);
    }
done:
    json_decref(contract);
    json_decref(data);
    json_decref(new_unit);
    strbuf_free(&names);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "申请失败");
    return rc;
}

/* Called by the approval engine, in the decision's transaction. */
static int amendment_decided(struct db_conn *c,
                             const struct approval_info *req,
                             enum approval_outcome outcome,
                             const struct auth_user *who,
                             struct app_err *err)
{
    json_t *a = NULL, *before = NULL, *payload = NULL;
    struct db_params p = {0};
    if (req->origin_entity == NULL || strcmp(req->origin_entity, "contracts") != 0)
        return 0; /* submitted outside a contract page: nothing to apply */
    db_params_int(&p, req->origin_id);
    int rc = query_row(&a, c,
                       "SELECT * FROM contract_amendments WHERE contract_id = ? AND"
                       " status = 'pending'",
                       &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return 0; /* submitted outside a contract page: nothing to apply */
    if (rc < 0)
        return rc;
    int64_t id = row_int(a, "contract_id");
    const char *kind = row_str(a, "kind");
    char at[32], today[11];
    time_now_iso(at, sizeof(at));
    date_today(today);
    static const char *const status[] = {"", "approved", "rejected", "withdrawn"};
    rc = db_run(c, "UPDATE contract_amendments SET status = ?, decided_at = ? WHERE id = ?", "tti",
                status[outcome], at, row_int(a, "id"));
    if (rc < 0 || outcome != APPROVAL_APPROVED)
        goto done;
    rc = load(&before, c, id, err);
    if (rc < 0)
        goto done;
    payload = row_str(a, "payload_json") ? json_loads(row_str(a, "payload_json"), 0, NULL) : NULL;
    if (strcmp(kind, "cancel") == 0) {
        rc = db_run(
                c,
                "UPDATE contracts SET status = 'cancelled', cancelled_on = ?, cancel_reason = ?,"
                " updated_at = ? WHERE id = ?",
                "ttti", today, row_str(a, "reason_category"), at, id);
        if (rc >= 0)
            rc = set_unit_status(c, row_int(before, "unit_id"), "cancelled", id);
    } else if (strcmp(kind, "rename") == 0) {
        struct strbuf names;
        strbuf_init(&names, 4096);
        rc = check_buyers(c, who, json_object_get(payload, "buyers"), &names, err);
        if (rc == 0)
            rc = db_run(c, "DELETE FROM contract_documents WHERE contract_id = ?", "i", id);
        if (rc >= 0)
            rc = db_run(c, "DELETE FROM contract_buyers WHERE contract_id = ?", "i", id);
        if (rc >= 0)
            rc = write_buyers(c, id, row_int(before, "project_id"),
                              json_object_get(payload, "buyers"));
        /* Documents of a signed contract are on file: the new buyers' are too. */
        if (rc >= 0 && strcmp(row_str(before, "status"), "subscribed") != 0)
            rc = db_run(c,
                        "UPDATE contract_documents SET status = 'received', received_on = ?"
                        " WHERE contract_id = ?",
                        "ti", today, id);
        if (rc >= 0)
            rc = db_run(c, "UPDATE contracts SET buyer_names = ?, updated_at = ? WHERE id = ?",
                        "tti", strbuf_str(&names), at, id);
        if (rc >= 0)
            rc = set_unit_status(c, row_int(before, "unit_id"), row_str(before, "status"), id);
        strbuf_free(&names);
    } else {
        int64_t nu = json_integer_value(json_object_get(payload, "new_unit_id"));
        rc = unit_free(c, nu, id, err, "new_unit_id");
        if (rc == 0)
            rc = db_run(c, "UPDATE contracts SET unit_id = ?, updated_at = ? WHERE id = ?", "iti",
                        nu, at, id);
        if (rc == APP_ECONFLICT)
            rc = app_err_set(err, rc, "new_unit_id", "新房源已被其他合同占用");
        if (rc >= 0)
            rc = set_unit_status(c, row_int(before, "unit_id"), "cancelled", id);
        if (rc >= 0)
            rc = set_unit_status(c, nu, row_str(before, "status"), id);
    }
    if (rc < 0)
        goto done;
    rc = audit_contract(c, who, kind, id, before);
    if (rc == 0) {
        char title[128];
        snprintf(title, sizeof(title), "合同%s已批准",
                 strcmp(kind, "cancel") == 0   ? "退房/作废"
                 : strcmp(kind, "rename") == 0 ? "更名"
                                               : "换房");
        rc = tell_buyers(c, id, "contract", title, who);
    }
done:
    json_decref(a);
    json_decref(before);
    json_decref(payload);
    return rc < 0 ? rc : 0;
}

static const struct approval_handler amendment_handler = {"contract_amendment", NULL,
                                                          amendment_decided};

void contract_init(void)
{
    approval_register_handler(&amendment_handler);
}

/*---- Reading ----*/

/* Filing and pre-registration deadlines of a contract row. */
static void add_deadlines(json_t *o, struct db_conn *c)
{
    int64_t filing_days = 30, prereg_days = 30;
    db_query_int64(c, &filing_days, "SELECT filing_days FROM projects WHERE id = ?", "i",
                   row_int(o, "project_id"));
    db_query_int64(c, &prereg_days, "SELECT prereg_days FROM projects WHERE id = ?", "i",
                   row_int(o, "project_id"));
    char due[11], today[11];
    int64_t left;
    date_today(today);
    const char *status = row_str(o, "status");
    if (strcmp(status, "signed") == 0 && row_str(o, "signed_on") &&
        date_add_days(due, row_str(o, "signed_on"), filing_days) == 0 &&
        date_diff_days(&left, today, due) == 0)
        json_object_set_new(o, "deadline",
                            json_pack("{s:s, s:s, s:I}", "kind", "filing", "due", due, "days_left",
                                      (json_int_t)left));
    else if (strcmp(status, "filed") == 0 && row_str(o, "filed_on") &&
             date_add_days(due, row_str(o, "filed_on"), prereg_days) == 0 &&
             date_diff_days(&left, today, due) == 0)
        json_object_set_new(o, "deadline",
                            json_pack("{s:s, s:s, s:I}", "kind", "prereg", "due", due, "days_left",
                                      (json_int_t)left));
}

int contract_get(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t id,
                 struct app_err *err)
{
    *out = NULL;
    json_t *o = NULL, *buyers = NULL, *docs = NULL, *amends = NULL;
    int rc = entity_get(&o, c, entity_find("contracts"), who, id, err);
    if (rc < 0)
        return rc;
    struct db_params p = {0};
    db_params_int(&p, id);
    rc = query_rows(&buyers, c,
                    "SELECT b.customer_id, cu.name, cu.kind, cu.hukou, cu.phone_mask AS phone,"
                    " cu.id_number_mask AS id_number, b.share_bp, b.is_primary"
                    " FROM contract_buyers b JOIN customers cu ON cu.id = b.customer_id"
                    " WHERE b.contract_id = ? ORDER BY b.is_primary DESC, b.customer_id",
                    &p);
    if (rc == 0)
        rc = query_rows(&docs, c,
                        "SELECT d.id, d.customer_id, cu.name AS customer_name, d.doc_code,"
                        " d.doc_name, d.status, d.received_on, d.waived_by, d.waive_reason"
                        " FROM contract_documents d JOIN customers cu ON cu.id = d.customer_id"
                        " WHERE d.contract_id = ? ORDER BY d.id",
                        &p);
    if (rc == 0)
        rc = query_rows(&amends, c,
                        "SELECT a.id, a.kind, a.reason_category, a.comment, a.status,"
                        " a.approval_id, r.no AS approval_no, r.status AS approval_status,"
                        " r.step_name, a.requested_by, a.created_at, a.decided_at"
                        " FROM contract_amendments a LEFT JOIN approval_requests r"
                        " ON r.id = a.approval_id WHERE a.contract_id = ? ORDER BY a.id DESC",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        goto done;
    json_t *actions = json_array();
    const char *status = row_str(o, "status");
    /* While an amendment waits for its approval the contract is frozen: the
     * screen offers neither a transition nor a second amendment. */
    int pending = 0;
    size_t k;
    json_t *a;
    json_array_foreach(amends, k, a) pending |= strcmp(row_str(a, "status"), "pending") == 0;
    for (size_t i = 0; i < contract_transitions_count && !pending; i++)
        if (strcmp(contract_transitions[i].from, status) == 0 &&
            auth_has(who, contract_transitions[i].perm))
            json_array_append_new(actions,
                                  json_pack("{s:s, s:s}", "action", contract_transitions[i].action,
                                            "label", contract_transitions[i].label));
    add_deadlines(o, c);
    json_object_set_new(o, "status_label", json_string(contract_status_label(status)));
    json_object_set_new(o, "buyers", buyers);
    json_object_set_new(o, "documents", docs);
    json_object_set_new(o, "amendments", amends);
    json_object_set_new(o, "transitions", actions);
    json_object_set_new(o, "can_amend",
                        json_boolean(!pending && strcmp(status, "cancelled") != 0 &&
                                     auth_has(who, "contract.amend")));
    json_object_set_new(o, "amendment_pending", json_boolean(pending));
    buyers = docs = amends = NULL;
    *out = o;
    o = NULL;
done:
    json_decref(o);
    json_decref(buyers);
    json_decref(docs);
    json_decref(amends);
    return rc;
}

static int64_t days_left(json_t *row)
{
    return json_integer_value(json_object_get(json_object_get(row, "deadline"), "days_left"));
}

static int most_urgent_first(json_t *a, json_t *b)
{
    int64_t x = days_left(a), y = days_left(b);
    return (x > y) - (x < y);
}

static int by_week_then_project(json_t *a, json_t *b)
{
    int c = strcmp(row_str(a, "week_start"), row_str(b, "week_start"));
    int64_t x = row_int(a, "project_id"), y = row_int(b, "project_id");
    return c ? c : (x > y) - (x < y);
}

int contract_deadlines(json_t **out,
                       struct db_conn *c,
                       const struct auth_user *who,
                       int64_t project_id,
                       int within,
                       struct app_err *err)
{
    *out = NULL;
    struct strbuf sql;
    struct db_params p = {0};
    json_t *rows = NULL;
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql,
                "SELECT t.id, t.no, t.project_id, t.status, t.buyer_names, t.signed_on, t.filed_on,"
                " (SELECT u.room_code FROM units u WHERE u.id = t.unit_id) AS room_code,"
                " (SELECT pr.name FROM projects pr WHERE pr.id = t.project_id) AS project_name"
                " FROM contracts t WHERE t.status IN ('signed', 'filed')");
    query_report_scope(&sql, &p, "t.project_id", who, project_id);
    strbuf_puts(&sql, " ORDER BY t.id");
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "查询失败");
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        add_deadlines(r, c);
        json_t *d = json_object_get(r, "deadline");
        if (d && json_integer_value(json_object_get(d, "days_left")) <= within)
            json_array_append(items, r);
    }
    json_decref(rows);
    query_sort_rows(items, most_urgent_first);
    *out = json_pack("{s:o, s:i}", "items", items, "within", within);
    return 0;
}

int contract_weekly(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    const char *from,
                    const char *to,
                    struct app_err *err)
{
    *out = NULL;
    int y, m, d;
    if (from == NULL || date_parse(&y, &m, &d, from) < 0)
        return app_err_set(err, APP_EBADREQ, "from", "from 应为 YYYY-MM-DD");
    if (to == NULL || date_parse(&y, &m, &d, to) < 0)
        return app_err_set(err, APP_EBADREQ, "to", "to 应为 YYYY-MM-DD");
    int64_t span = 0;
    date_diff_days(&span, from, to);
    if (span < 0 || span > 3660)
        return app_err_set(err, APP_EBADREQ, "to", "日期范围应在 10 年以内，且 to 不早于 from");
    struct strbuf sql;
    struct db_params p = {0};
    json_t *rows = NULL;
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql, "SELECT t.project_id, (SELECT pr.name FROM projects pr WHERE pr.id ="
                      " t.project_id) AS project_name, t.signed_on, t.filed_on, t.cancelled_on"
                      " FROM contracts t WHERE ((t.signed_on BETWEEN ? AND ?) OR (t.filed_on"
                      " BETWEEN ? AND ?) OR (t.cancelled_on BETWEEN ? AND ?))");
    for (int k = 0; k < 3; k++) {
        db_params_text(&p, from);
        db_params_text(&p, to);
    }
    query_report_scope(&sql, &p, "t.project_id", who, project_id);
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "查询失败");
    /* Buckets keyed "project_id|week start". */
    json_t *buckets = json_object();
    static const char *const cols[] = {"signed_on", "filed_on", "cancelled_on"};
    static const char *const keys[] = {"signed", "filed", "cancelled"};
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        for (size_t k = 0; k < 3; k++) {
            const char *day = row_str(r, cols[k]);
            if (day == NULL || strcmp(day, from) < 0 || strcmp(day, to) > 0)
                continue;
            int yy, mm, dd;
            date_parse(&yy, &mm, &dd, day);
            int64_t days = date_to_days(yy, mm, dd);
            int64_t monday = days - ((days + 3) % 7); /* 1970-01-01 was a Thursday */
            char week[11], key[48];
            date_from_days(week, monday);
            snprintf(key, sizeof(key), "%lld|%s", (long long)row_int(r, "project_id"), week);
            json_t *b = json_object_get(buckets, key);
            if (b == NULL) {
                b = json_pack("{s:I, s:O, s:s, s:i, s:i, s:i}", "project_id",
                              (json_int_t)row_int(r, "project_id"), "project_name",
                              json_object_get(r, "project_name"), "week_start", week, "signed", 0,
                              "filed", 0, "cancelled", 0);
                json_object_set_new(buckets, key, b);
            }
            json_object_set_new(b, keys[k],
                                json_integer(json_integer_value(json_object_get(b, keys[k])) + 1));
        }
    }
    json_decref(rows);
    json_t *items = json_array();
    const char *key;
    json_t *b;
    json_object_foreach(buckets, key, b) json_array_append(items, b);
    json_decref(buckets);
    query_sort_rows(items, by_week_then_project);
    *out = json_pack("{s:o, s:s, s:s}", "items", items, "from", from, "to", to);
    return 0;
}
