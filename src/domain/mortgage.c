/*
 * mortgage.c - loans and their stages, the weekly report, receivables,
 * receipts, overdue penalties, dunning and collection rates.
 */
#include "mortgage.h"

#include <string.h>

#include "audit.h"
#include "calc.h"
#include "contract.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "customer.h"
#include "entity.h"
#include "query.h"

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

static const struct {
    const char *stage, *label;
} stages[] = {
        {"collecting", "资料收集"}, {"signed", "已面签"},    {"reviewing", "审批中"},
        {"approved", "已批贷"},     {"disbursed", "已放款"}, {"refused", "被拒"},
};

static int stage_index(const char *s)
{
    for (size_t i = 0; s && i < ARRAY_LEN(stages); i++)
        if (strcmp(stages[i].stage, s) == 0)
            return (int)i;
    return -1;
}

/* Scope: a loan, receivable or contract belongs to its contract's project. */
static int contract_visible(json_t **out,
                            struct db_conn *c,
                            const struct auth_user *who,
                            int64_t id,
                            struct app_err *err)
{
    int rc = entity_get(out, c, entity_find("contracts"), who, id, err);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, APP_EINVAL, "contract_id", "合同不存在");
    return rc;
}

/* The same for a contract named by the path: unknown is 404, not a bad field. */
static int contract_in_path(json_t **out,
                            struct db_conn *c,
                            const struct auth_user *who,
                            int64_t id,
                            struct app_err *err)
{
    return entity_get(out, c, entity_find("contracts"), who, id, err);
}

/*---- Loans ----*/

static int check_part(json_t *in,
                      const char *amount,
                      const char *rate,
                      const char *months,
                      int required,
                      struct app_err *err)
{
    json_t *a = json_object_get(in, amount), *r = json_object_get(in, rate),
           *m = json_object_get(in, months);
    if (!required) {
        if ((a && !json_is_null(a) && json_integer_value(a) != 0))
            return app_err_set(err, APP_EINVAL, amount, "该贷款类型不含此部分");
        return 0;
    }
    int64_t rate_e4;
    if (!json_is_integer(a) || json_integer_value(a) <= 0)
        return app_err_set(err, APP_EINVAL, amount, "请填写贷款金额（分）");
    if (!json_is_string(r) || calc_parse_decimal(&rate_e4, json_string_value(r), 4) < 0 ||
        rate_e4 > 240000)
        return app_err_set(err, APP_EINVAL, rate, "年利率应为百分数，如 \"3.5\"（最多四位小数）");
    if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 360)
        return app_err_set(err, APP_EINVAL, months, "贷款期限应为 1 到 360 个月");
    return 0;
}

int loan_create(int64_t *id_out,
                struct db_conn *c,
                const struct auth_user *who,
                json_t *in,
                struct app_err *err)
{
    *id_out = 0;
    json_t *contract = NULL;
    if (!json_is_object(in))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    json_t *cid = json_object_get(in, "contract_id");
    if (!json_is_integer(cid))
        return app_err_set(err, APP_EINVAL, "contract_id", "请选择合同");
    int rc = contract_visible(&contract, c, who, json_integer_value(cid), err);
    if (rc < 0)
        return rc;
    if (strcmp(row_str(contract, "status"), "cancelled") == 0) {
        rc = app_err_set(err, APP_ECONFLICT, "contract_id", "合同已作废");
        goto done;
    }
    const char *type = row_str(in, "loan_type");
    int commercial = type && (strcmp(type, "commercial") == 0 || strcmp(type, "combined") == 0);
    int provident = type && (strcmp(type, "provident") == 0 || strcmp(type, "combined") == 0);
    if (!commercial && !provident) {
        rc = app_err_set(err, APP_EINVAL, "loan_type",
                         "贷款类型应为 commercial、provident 或 combined");
        goto done;
    }
    if ((rc = check_part(in, "commercial_fen", "commercial_rate", "commercial_months", commercial,
                         err)) < 0 ||
        (rc = check_part(in, "provident_fen", "provident_rate", "provident_months", provident,
                         err)) < 0)
        goto done;
    json_t *bank = json_object_get(in, "bank_id"), *branch = json_object_get(in, "branch_id");
    int64_t n = 0;
    if (!json_is_integer(bank) ||
        db_query_int64(c, &n, "SELECT COUNT(*) FROM banks WHERE id = ?", "i",
                       (int64_t)json_integer_value(bank)) < 0 ||
        n == 0) {
        rc = app_err_set(err, APP_EINVAL, "bank_id", "请选择贷款银行");
        goto done;
    }
    if (branch && !json_is_null(branch)) {
        if (!json_is_integer(branch) ||
            db_query_int64(c, &n, "SELECT COUNT(*) FROM bank_branches WHERE id = ? AND bank_id = ?",
                           "ii", (int64_t)json_integer_value(branch),
                           (int64_t)json_integer_value(bank)) < 0 ||
            n == 0) {
            rc = app_err_set(err, APP_EINVAL, "branch_id", "该银行没有这个网点");
            goto done;
        }
    }
    int64_t cf = commercial ? row_int(in, "commercial_fen") : 0;
    int64_t pf = provident ? row_int(in, "provident_fen") : 0;
    if (cf + pf > row_int(contract, "total_price_fen")) {
        rc = app_err_set(err, APP_EINVAL, commercial ? "commercial_fen" : "provident_fen",
                         "贷款金额不能超过合同总价");
        goto done;
    }
    char today[11], at[32];
    date_today(today);
    time_now_iso(at, sizeof(at));
    struct db_params p = {0};
    db_params_int(&p, json_integer_value(cid));
    db_params_int(&p, row_int(contract, "project_id"));
    db_params_text(&p, type);
    db_params_int(&p, json_integer_value(bank));
    if (json_is_integer(branch))
        db_params_int(&p, json_integer_value(branch));
    else
        db_params_text(&p, NULL);
    db_params_int(&p, cf);
    db_params_text(&p, commercial ? row_str(in, "commercial_rate") : NULL);
    if (commercial)
        db_params_int(&p, row_int(in, "commercial_months"));
    else
        db_params_text(&p, NULL);
    db_params_int(&p, pf);
    db_params_text(&p, provident ? row_str(in, "provident_rate") : NULL);
    if (provident)
        db_params_int(&p, row_int(in, "provident_months"));
    else
        db_params_text(&p, NULL);
    db_params_int(&p, cf + pf);
    db_params_text(&p, today);
    db_params_text(&p, at);
    db_params_text(&p, at);
    json_t *ins = NULL;
    rc = query_row(&ins, c,
                   "INSERT INTO loans (contract_id, project_id, loan_type, bank_id, branch_id,"
                   " commercial_fen, commercial_rate, commercial_months, provident_fen,"
                   " provident_rate, provident_months, amount_fen, stage, stage_since, created_at,"
                   " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'collecting',?,?,?) RETURNING id",
                   &p);
    db_params_free(&p);
    if (rc == APP_ECONFLICT) {
        rc = app_err_set(err, APP_ECONFLICT, "contract_id", "该合同已有在办的贷款");
        goto done;
    }
    if (rc < 0)
        goto done;
    *id_out = row_int(ins, "id");
    json_decref(ins);
    rc = db_run(c, "INSERT INTO loan_stages (loan_id, stage, on_date, username) VALUES (?,?,?,?)",
                "itt"
                "t",
                *id_out, "collecting", today, who->username);
    static const char *const docs[] = {"身份证",     "户口簿",           "婚姻状况证明",
                                       "收入证明",   "近六个月银行流水", "征信查询授权书",
                                       "首付款收据", "购房合同"};
    for (size_t i = 0; rc >= 0 && i < ARRAY_LEN(docs); i++)
        rc = db_run(c, "INSERT INTO loan_documents (loan_id, doc_name, updated_at) VALUES (?,?,?)",
                    "itt", *id_out, docs[i], at);
    if (rc >= 0 && provident)
        rc = db_run(c, "INSERT INTO loan_documents (loan_id, doc_name, updated_at) VALUES (?,?,?)",
                    "itt", *id_out, "公积金缴存证明", at);
    if (rc < 0)
        goto done;
    json_t *after = json_pack("{s:s, s:I}", "loan_type", type, "amount_fen", (json_int_t)(cf + pf));
    rc = audit_append(c, who->id, who->username, "create", "loans", *id_out, NULL, after);
    json_decref(after);
    if (rc == 0)
        rc = contract_tell_buyers(c, json_integer_value(cid), "loan",
                                  "按揭贷款开始办理（资料收集）", "loans", *id_out, who);
done:
    json_decref(contract);
    if (rc < 0) {
        *id_out = 0;
        if (err && err->code == 0)
            app_err_set(err, rc, NULL, "保存失败");
    }
    return rc;
}

static int loan_visible(json_t **out,
                        struct db_conn *c,
                        const struct auth_user *who,
                        int64_t id,
                        struct app_err *err)
{
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(out, c, "SELECT * FROM loans WHERE id = ?", &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "贷款不存在");
    if (rc < 0)
        return rc;
    if (!auth_in_scope(who, row_int(*out, "project_id"))) {
        json_decref(*out);
        *out = NULL;
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
    }
    return 0;
}

int loan_set_stage(struct db_conn *c,
                   const struct auth_user *who,
                   int64_t id,
                   const char *stage,
                   json_t *params,
                   struct app_err *err)
{
    json_t *loan = NULL;
    int to = stage_index(stage);
    if (to < 0)
        return app_err_set(err, APP_EINVAL, "stage", "阶段无效");
    int rc = loan_visible(&loan, c, who, id, err);
    if (rc < 0)
        return rc;
    int from = stage_index(row_str(loan, "stage"));
    const char *on = row_str(params, "on");
    char today[11], at[32];
    date_today(today);
    time_now_iso(at, sizeof(at));
    if (on == NULL)
        on = today;
    /* Forward one stage at a time; refusal from any open stage. */
    int refused = strcmp(stage, "refused") == 0;
    if (strcmp(row_str(loan, "stage"), "disbursed") == 0 ||
        strcmp(row_str(loan, "stage"), "refused") == 0 || (!refused && to != from + 1)) {
        rc = app_err_set(err, APP_ECONFLICT, "stage", "贷款当前阶段为“%s”，不能改为“%s”",
                         stages[from].label, stages[to].label);
        goto done;
    }
    if ((rc = validate_date_field(params, "on", VALIDATE_DATE_NOT_FUTURE, err)) < 0)
        goto done;
    int64_t back = 0;
    if (date_diff_days(&back, row_str(loan, "stage_since"), on) == 0 && back < 0) {
        rc = app_err_set(err, APP_EINVAL, "on", "日期不能早于上一阶段（%s）",
                         row_str(loan, "stage_since"));
        goto done;
    }
    const char *reason = row_str(params, "reason");
    json_t *disbursed = json_object_get(params, "disbursed_fen");
    if (refused && (reason == NULL || *reason == '\0' || strlen(reason) > 500)) {
        rc = app_err_set(err, APP_EINVAL, "reason", "请填写被拒原因");
        goto done;
    }
    if (strcmp(stage, "disbursed") == 0 &&
        (!json_is_integer(disbursed) || json_integer_value(disbursed) <= 0 ||
         json_integer_value(disbursed) > row_int(loan, "amount_fen"))) {
        rc = app_err_set(err, APP_EINVAL, "disbursed_fen", "放款金额应大于 0 且不超过贷款金额");
        goto done;
    }
    rc = db_run(c,
                "UPDATE loans SET stage = ?, stage_since = ?, refuse_reason = ?,"
                " disbursed_fen = ?, disbursed_on = ?, updated_at = ? WHERE id = ?",
                "tttitti", stage, on, refused ? reason : NULL,
                json_is_integer(disbursed) ? (int64_t)json_integer_value(disbursed) : (int64_t)0,
                strcmp(stage, "disbursed") == 0 ? on : NULL, at, id);
    if (rc >= 0)
        rc = db_run(c,
                    "INSERT INTO loan_stages (loan_id, stage, on_date, username, note)"
                    " VALUES (?,?,?,?,?)",
                    "itttt", id, stage, on, who->username, reason);
    if (rc >= 0 && refused) {
        char flag[600];
        snprintf(flag, sizeof(flag), "贷款被拒：%s", reason);
        rc = db_run(c, "UPDATE contracts SET follow_up = ? WHERE id = ?", "ti", flag,
                    row_int(loan, "contract_id"));
    }
    if (rc >= 0 && strcmp(stage, "disbursed") == 0) {
        /* The disbursement pays the contract's loan receivable, when there is one. */
        int64_t rid = 0, owed = 0;
        if (db_query_int64(c, &rid,
                           "SELECT id FROM receivables WHERE contract_id = ? AND kind = 'loan'"
                           " AND received_fen < amount_fen ORDER BY id LIMIT 1",
                           "i", row_int(loan, "contract_id")) == 0 &&
            db_query_int64(c, &owed,
                           "SELECT amount_fen - received_fen FROM receivables WHERE id = ?", "i",
                           rid) == 0) {
            /* The receipt covers what the loan receivable still owes, at most. */
            int64_t pay =
                    json_integer_value(disbursed) < owed ? json_integer_value(disbursed) : owed;
            json_t *r = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "receivable_id",
                                  (json_int_t)rid, "amount_fen", (json_int_t)pay, "received_on", on,
                                  "voucher_no", "", "method", "loan", "note", "按揭放款");
            char voucher[32];
            snprintf(voucher, sizeof(voucher), "DK-%lld", (long long)id);
            json_object_set_new(r, "voucher_no", json_string(voucher));
            int64_t receipt = 0;
            rc = receipt_add(&receipt, c, who, r, err);
            json_decref(r);
        }
    }
    if (rc < 0)
        goto done;
    json_t *detail = json_pack("{s:s, s:s, s:s, s:s?}", "from", row_str(loan, "stage"), "to", stage,
                               "on", on, "reason", reason);
    rc = audit_append(c, who->id, who->username, "update", "loans", id, NULL, detail);
    json_decref(detail);
    if (rc == 0) {
        char title[600];
        snprintf(title, sizeof(title), "按揭贷款：%s%s%s", stages[to].label, refused ? "，" : "",
                 refused ? reason : "");
        rc = contract_tell_buyers(c, row_int(loan, "contract_id"), "loan", title, "loans", id, who);
    }
done:
    json_decref(loan);
    return rc < 0 ? rc : 0;
}

int loan_followup(
        struct db_conn *c, const struct auth_user *who, int64_t id, json_t *in, struct app_err *err)
{
    json_t *loan = NULL;
    int rc = loan_visible(&loan, c, who, id, err);
    json_decref(loan);
    if (rc < 0)
        return rc;
    const char *note = row_str(in, "note"), *next = row_str(in, "next_action");
    if (note == NULL || *note == '\0' || strlen(note) > 1000)
        return app_err_set(err, APP_EINVAL, "note", "请填写跟进情况");
    if (next && strlen(next) > 200)
        return app_err_set(err, APP_EINVAL, "next_action", "下一步不能超过 200 个字符");
    if ((rc = validate_date_field(in, "next_action_on", next != NULL ? VALIDATE_DATE_REQUIRED : 0,
                                  err)) < 0)
        return rc;
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "INSERT INTO loan_followups (loan_id, at, username, note, next_action,"
                " next_action_on) VALUES (?,?,?,?,?,?)",
                "itttt"
                "t",
                id, at, who->username, note, next, row_str(in, "next_action_on"));
    if (rc >= 0 && next)
        rc = db_run(c,
                    "UPDATE loans SET next_action = ?, next_action_on = ?, updated_at = ? WHERE"
                    " id = ?",
                    "ttti", next, row_str(in, "next_action_on"), at, id);
    return rc < 0 ? rc : 0;
}

int loan_document_set(struct db_conn *c,
                      const struct auth_user *who,
                      int64_t id,
                      int64_t doc,
                      const char *status,
                      struct app_err *err)
{
    json_t *loan = NULL;
    int rc = loan_visible(&loan, c, who, id, err);
    json_decref(loan);
    if (rc < 0)
        return rc;
    if (status == NULL || (strcmp(status, "received") != 0 && strcmp(status, "missing") != 0))
        return app_err_set(err, APP_EINVAL, "status", "状态应为 received 或 missing");
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE loan_documents SET status = ?, updated_at = ? WHERE id = ? AND loan_id = ?",
                "ttii", status, at, doc, id);
    if (rc == 0)
        return app_err_set(err, APP_ENOTFOUND, NULL, "该贷款没有这项资料");
    return rc < 0 ? rc : 0;
}

/* Who recorded a stage or follow-up, as colleagues know them (the login name
 * when the user is gone). */
#define USER_NAME_SQL                                                                              \
    "COALESCE((SELECT u.display_name FROM users u WHERE u.username = s.username), s.username)"     \
    " AS user_name"

int loan_get(json_t **out,
             struct db_conn *c,
             const struct auth_user *who,
             int64_t id,
             struct app_err *err)
{
    *out = NULL;
    json_t *o = NULL, *hist = NULL, *docs = NULL, *follow = NULL;
    int rc = entity_get(&o, c, entity_find("loans"), who, id, err);
    if (rc < 0)
        return rc;
    struct db_params p = {0};
    db_params_int(&p, id);
    rc = query_rows(&hist, c,
                    "SELECT stage, on_date, username, " USER_NAME_SQL ", note FROM loan_stages s"
                    " WHERE loan_id = ? ORDER BY on_date, id",
                    &p);
    if (rc == 0)
        rc = query_rows(&docs, c,
                        "SELECT id, doc_name, status, updated_at FROM loan_documents WHERE"
                        " loan_id = ? ORDER BY id",
                        &p);
    if (rc == 0)
        rc = query_rows(&follow, c,
                        "SELECT at, username, " USER_NAME_SQL ", note, next_action,"
                        " next_action_on FROM loan_followups s WHERE loan_id = ? ORDER BY id DESC",
                        &p);
    db_params_free(&p);
    if (rc < 0) {
        json_decref(o);
        json_decref(hist);
        json_decref(docs);
        json_decref(follow);
        return rc;
    }
    json_object_set_new(o, "stages", hist);
    json_object_set_new(o, "documents", docs);
    json_object_set_new(o, "followups", follow);
    *out = o;
    return 0;
}

/*---- Weekly report ----*/

struct agg {
    int64_t count[ARRAY_LEN(stages)];
    int64_t amount[ARRAY_LEN(stages)];
    int64_t disbursed_week, disbursed_total;
};

static int by_bank_then_project(json_t *a, json_t *b)
{
    int64_t x = row_int(a, "bank_id"), y = row_int(b, "bank_id");
    if (x == y)
        x = row_int(a, "project_id"), y = row_int(b, "project_id");
    return (x > y) - (x < y);
}

int mortgage_weekly(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    const char *week,
                    int stuck_days,
                    struct app_err *err)
{
    *out = NULL;
    int y, m, d;
    char monday[11], sunday[11], today[11];
    date_today(today);
    if (week == NULL)
        week = today;
    if (date_parse(&y, &m, &d, week) < 0)
        return app_err_set(err, APP_EBADREQ, "week", "week 应为 YYYY-MM-DD");
    int64_t days = date_to_days(y, m, d);
    date_from_days(monday, days - ((days + 3) % 7));
    date_add_days(sunday, monday, 6);
    /* Past weeks count to their Sunday, the current week to today. */
    const char *stuck_until = strcmp(today, sunday) < 0 ? today : sunday;
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql, "SELECT l.id, l.bank_id, l.project_id, l.amount_fen, l.disbursed_fen,"
                      " s.stage, s.on_date FROM loans l JOIN loan_stages s ON s.loan_id = l.id"
                      " WHERE s.on_date <= ?");
    db_params_text(&p, sunday);
    query_report_scope(&sql, &p, "l.project_id", who, project_id);
    strbuf_puts(&sql, " ORDER BY l.id, s.on_date, s.id");
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, strbuf_str(&sql));
    strbuf_free(&sql);
    if (rc < 0) {
        db_params_free(&p);
        return rc;
    }
    db_params_bind(s, &p);
    db_params_free(&p);
    /* Groups by "bank|project"; loans as of Sunday: their last stage then. */
    json_t *groups = json_object(), *stuck = json_array();
    int64_t cur = -1, bank = 0, project = 0, amount = 0, disbursed = 0;
    char stage[16] = "", since[11] = "", disb_on[11] = "";
    struct agg total;
    memset(&total, 0, sizeof(total));
    for (;;) {
        int step = db_step(s);
        int64_t id = step == DB_ROW ? db_col_int64(s, 0) : -2;
        if (id != cur && cur >= 0) {
            /* Flush the loan just read. */
            char key[48];
            snprintf(key, sizeof(key), "%lld|%lld", (long long)bank, (long long)project);
            json_t *g = json_object_get(groups, key);
            if (g == NULL) {
                g = json_pack("{s:I, s:I, s:{}, s:{}, s:I, s:I}", "bank_id", (json_int_t)bank,
                              "project_id", (json_int_t)project, "count", "amount_fen",
                              "disbursed_week_fen", (json_int_t)0, "disbursed_total_fen",
                              (json_int_t)0);
                json_object_set_new(groups, key, g);
            }
            int si = stage_index(stage);
            json_t *cnt = json_object_get(g, "count"), *amt = json_object_get(g, "amount_fen");
            json_object_set_new(cnt, stage,
                                json_integer(json_integer_value(json_object_get(cnt, stage)) + 1));
            json_object_set_new(
                    amt, stage,
                    json_integer(json_integer_value(json_object_get(amt, stage)) + amount));
            if (si >= 0) {
                total.count[si]++;
                total.amount[si] += amount;
            }
            if (strcmp(stage, "disbursed") == 0) {
                json_object_set_new(g, "disbursed_total_fen",
                                    json_integer(row_int(g, "disbursed_total_fen") + disbursed));
                total.disbursed_total += disbursed;
                if (strcmp(disb_on, monday) >= 0) {
                    json_object_set_new(g, "disbursed_week_fen",
                                        json_integer(row_int(g, "disbursed_week_fen") + disbursed));
                    total.disbursed_week += disbursed;
                }
            } else if (strcmp(stage, "refused") != 0) {
                int64_t waited = 0;
                date_diff_days(&waited, since, stuck_until);
                if (waited > stuck_days && json_array_size(stuck) < 500)
                    json_array_append_new(
                            stuck, json_pack("{s:I, s:I, s:I, s:s, s:s, s:I}", "loan_id",
                                             (json_int_t)cur, "bank_id", (json_int_t)bank,
                                             "project_id", (json_int_t)project, "stage", stage,
                                             "since", since, "days", (json_int_t)waited));
            }
        }
        if (step != DB_ROW) {
            rc = step < 0 ? step : 0;
            break;
        }
        if (id != cur) {
            cur = id;
            bank = db_col_int64(s, 1);
            project = db_col_int64(s, 2);
            amount = db_col_int64(s, 3);
            disbursed = db_col_int64(s, 4);
        }
        app_strlcpy(stage, db_col_text(s, 5), sizeof(stage));
        app_strlcpy(since, db_col_text(s, 6), sizeof(since));
        if (strcmp(stage, "disbursed") == 0)
            app_strlcpy(disb_on, since, sizeof(disb_on));
    }
    db_finalize(s);
    if (rc < 0) {
        json_decref(groups);
        json_decref(stuck);
        return app_err_set(err, rc, NULL, "查询失败");
    }
    /* Names, and rows in bank then project order. */
    json_t *rows = json_array();
    const char *key;
    json_t *g;
    json_object_foreach(groups, key, g)
    {
        char *bn = NULL, *pn = NULL;
        db_query_text(c, &bn, "SELECT name FROM banks WHERE id = ?", "i", row_int(g, "bank_id"));
        db_query_text(c, &pn, "SELECT name FROM projects WHERE id = ?", "i",
                      row_int(g, "project_id"));
        json_object_set_new(g, "bank_name", json_string(bn ? bn : ""));
        json_object_set_new(g, "project_name", json_string(pn ? pn : ""));
        free(bn);
        free(pn);
        json_array_append(rows, g);
    }
    json_decref(groups);
    query_sort_rows(rows, by_bank_then_project);
    json_t *totals = json_pack("{s:{}, s:{}, s:I, s:I}", "count", "amount_fen",
                               "disbursed_week_fen", (json_int_t)total.disbursed_week,
                               "disbursed_total_fen", (json_int_t)total.disbursed_total);
    for (size_t i = 0; i < ARRAY_LEN(stages); i++) {
        json_object_set_new(json_object_get(totals, "count"), stages[i].stage,
                            json_integer(total.count[i]));
        json_object_set_new(json_object_get(totals, "amount_fen"), stages[i].stage,
                            json_integer(total.amount[i]));
    }
    json_t *labels = json_object();
    for (size_t i = 0; i < ARRAY_LEN(stages); i++)
        json_object_set_new(labels, stages[i].stage, json_string(stages[i].label));
    *out = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "week_start", monday, "week_end",
                     sunday, "stuck_days", stuck_days, "rows", rows, "totals", totals, "stuck",
                     stuck, "stage_labels", labels);
    return 0;
}

/*---- Receivables and receipts ----*/

static int add_receivable(struct db_conn *c,
                          json_t *contract,
                          const char *kind,
                          const char *due,
                          int64_t amount,
                          const char *note)
{
    if (amount <= 0)
        return 0;
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "INSERT INTO receivables (contract_id, project_id, kind, due_on, amount_fen,"
                    " note, created_at) VALUES (?,?,?,?,?,?,?)",
                    "iittitt", row_int(contract, "id"), row_int(contract, "project_id"), kind, due,
                    amount, note, at);
    return rc < 0 ? rc : 0;
}

int receivables_generate(struct db_conn *c,
                         const struct auth_user *who,
                         int64_t contract_id,
                         int64_t loan_fen,
                         struct app_err *err)
{
    json_t *k = NULL;
    if (loan_fen < 0)
        return app_err_set(err, APP_EINVAL, "loan_fen", "贷款金额不能为负");
    int rc = contract_in_path(&k, c, who, contract_id, err);
    if (rc < 0)
        return rc;
    int64_t n = 0;
    db_query_int64(c, &n, "SELECT COUNT(*) FROM receivables WHERE contract_id = ?", "i",
                   contract_id);
    const char *method = row_str(k, "payment_method");
    const char *status = row_str(k, "status");
    if (n > 0) {
        rc = app_err_set(err, APP_ECONFLICT, NULL, "该合同已有应收款计划");
        goto done;
    }
    if (strcmp(status, "cancelled") == 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "合同已作废");
        goto done;
    }
    int64_t price = row_int(k, "total_price_fen"), deposit = row_int(k, "deposit_fen");
    const char *start =
            row_str(k, "signed_on") ? row_str(k, "signed_on") : row_str(k, "subscribed_on");
    char d7[11], d60[11], d90[11], d180[11];
    date_add_days(d7, start, 7);
    date_add_days(d60, start, 60);
    date_add_days(d90, start, 90);
    date_add_days(d180, start, 180);
    int loan = strcmp(method, "full") != 0 && strcmp(method, "installment") != 0;
    if (loan && loan_fen <= 0) /* 70% of the price, in whole ¥10,000 */
        loan_fen = price * 7 / 10 / 1000000 * 1000000;
    if (loan_fen < 0 || loan_fen > price - deposit) {
        rc = app_err_set(err, APP_EINVAL, "loan_fen", "贷款金额应在 0 到（总价 − 定金）之间");
        goto done;
    }
    rc = add_receivable(c, k, "deposit", row_str(k, "subscribed_on"), deposit, "定金");
    if (rc == 0 && strcmp(method, "installment") == 0) {
        int64_t rest = price - deposit, first = rest * 3 / 10, second = rest * 4 / 10;
        rc = add_receivable(c, k, "installment", d7, first, "分期款（一）30%");
        if (rc == 0)
            rc = add_receivable(c, k, "installment", d90, second, "分期款（二）40%");
        if (rc == 0)
            rc = add_receivable(c, k, "installment", d180, rest - first - second,
                                "分期款（三）余款");
    } else if (rc == 0) {
        rc = add_receivable(c, k, "down_payment", d7, price - deposit - (loan ? loan_fen : 0),
                            loan ? "首付款" : "房款");
        if (rc == 0 && loan)
            rc = add_receivable(c, k, "loan", d60, loan_fen, "按揭贷款（银行放款）");
    }
    if (rc == 0) {
        json_t *detail =
                json_pack("{s:s, s:I}", "payment_method", method, "loan_fen", (json_int_t)loan_fen);
        rc = audit_append(c, who->id, who->username, "create", "receivables", contract_id, NULL,
                          detail);
        json_decref(detail);
    }
done:
    json_decref(k);
    return rc;
}

int receipt_add(int64_t *id_out,
                struct db_conn *c,
                const struct auth_user *who,
                json_t *in,
                struct app_err *err)
{
    *id_out = 0;
    json_t *r = NULL, *k = NULL;
    static const char *const methods[] = {"transfer", "cash", "pos", "loan", "cheque"};
    json_t *rid = json_object_get(in, "receivable_id"), *amount = json_object_get(in, "amount_fen");
    const char *voucher = row_str(in, "voucher_no"), *method = row_str(in, "method");
    if (!json_is_integer(rid))
        return app_err_set(err, APP_EINVAL, "receivable_id", "请选择应收款");
    struct db_params p = {0};
    db_params_int(&p, json_integer_value(rid));
    int rc = query_row(&r, c, "SELECT * FROM receivables WHERE id = ?", &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, APP_EINVAL, "receivable_id", "应收款不存在");
    if (rc < 0)
        return rc;
    rc = contract_visible(&k, c, who, row_int(r, "contract_id"), err);
    if (rc < 0)
        goto done;
    int64_t left = row_int(r, "amount_fen") - row_int(r, "received_fen");
    if (!json_is_integer(amount) || json_integer_value(amount) <= 0 ||
        json_integer_value(amount) > left) {
        rc = app_err_set(err, APP_EINVAL, "amount_fen",
                         "收款金额应大于 0 且不超过未收金额 %lld.%02lld 元",
                         (long long)(left / 100), (long long)(left % 100));
        goto done;
    }
    if ((rc = validate_date_field(in, "received_on",
                                  VALIDATE_DATE_REQUIRED | VALIDATE_DATE_NOT_FUTURE, err)) < 0)
        goto done;
    if (voucher == NULL || *voucher == '\0' || strlen(voucher) > 40) {
        rc = app_err_set(err, APP_EINVAL, "voucher_no", "请填写收据/凭证号");
        goto done;
    }
    int ok = 0;
    for (size_t i = 0; method && i < ARRAY_LEN(methods); i++)
        ok |= strcmp(methods[i], method) == 0;
    if (!ok) {
        rc = app_err_set(err, APP_EINVAL, "method",
                         "收款方式应为 transfer、cash、pos、loan 或 cheque");
        goto done;
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_query_int64(c, id_out,
                        "INSERT INTO receipts (receivable_id, contract_id, project_id, amount_fen,"
                        " received_on, voucher_no, method, note, recorded_by, created_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                        "iiiittttt"
                        "t",
                        row_int(r, "id"), row_int(r, "contract_id"), row_int(r, "project_id"),
                        (int64_t)json_integer_value(amount), row_str(in, "received_on"), voucher,
                        method, row_str(in, "note"), who->display_name, at);
    if (rc == APP_ECONFLICT) {
        rc = app_err_set(err, APP_ECONFLICT, "voucher_no", "凭证号已存在: %s", voucher);
        goto done;
    }
    if (rc < 0)
        goto done;
    rc = db_run(c, "UPDATE receivables SET received_fen = received_fen + ? WHERE id = ?", "ii",
                (int64_t)json_integer_value(amount), row_int(r, "id"));
    if (rc < 0)
        goto done;
    json_t *detail =
            json_pack("{s:I, s:I, s:s}", "receivable_id", (json_int_t)row_int(r, "id"),
                      "amount_fen", (json_int_t)json_integer_value(amount), "voucher_no", voucher);
    rc = audit_append(c, who->id, who->username, "create", "receipts", *id_out, NULL, detail);
    json_decref(detail);
    if (rc == 0) {
        char title[128];
        int64_t a = json_integer_value(amount);
        snprintf(title, sizeof(title), "收款 ¥%lld.%02lld（%s）", (long long)(a / 100),
                 (long long)(a % 100), voucher);
        rc = contract_tell_buyers(c, row_int(r, "contract_id"), "receipt", title, "receipts",
                                  *id_out, who);
    }
done:
    json_decref(r);
    json_decref(k);
    if (rc < 0)
        *id_out = 0;
    return rc;
}

/* The columns the overdue list and the penalty ledger show of a receivable. */
#define RECEIVABLE_ROW_SQL                                                                         \
    "SELECT r.id, r.contract_id, r.project_id, r.kind, r.due_on, r.amount_fen,"                    \
    " k.no AS contract_no, k.buyer_names, k.late_payment_rate,"                                    \
    " k.late_payment_grace_days, k.status AS contract_status,"                                     \
    " (SELECT u.room_code FROM units u WHERE u.id = k.unit_id) AS room_code,"                      \
    " (SELECT pr.name FROM projects pr WHERE pr.id = r.project_id) AS project_name,"               \
    " (SELECT MAX(d.at) FROM dunning_logs d WHERE d.contract_id = r.contract_id"                   \
    " AND d.at < ?) AS last_dunning,"                                                              \
    " (SELECT d.outcome FROM dunning_logs d WHERE d.contract_id = r.contract_id AND d.at < ?"      \
    " ORDER BY d.at DESC, d.id DESC LIMIT 1) AS last_dunning_outcome"                              \
    " FROM receivables r JOIN contracts k ON k.id = r.contract_id"

/* Receipts up to as_of, in date order, and what they leave: received_fen,
 * owed_fen, days_overdue, penalty_fen (DOMAIN.md §3), may_terminate, and
 * paid_on (the receipt that settled it, or null). Returns the penalty. */
static int64_t accrue(struct db_conn *c, json_t *r, const char *as_of)
{
    json_t *pays = NULL;
    struct db_params q = {0};
    db_params_int(&q, row_int(r, "id"));
    db_params_text(&q, as_of);
    query_rows(&pays, c,
               "SELECT received_on, amount_fen FROM receipts WHERE receivable_id = ? AND"
               " received_on <= ? ORDER BY received_on, id",
               &q);
    db_params_free(&q);
    size_t n = json_array_size(pays);
    const char **dates = xcalloc(n + 1, sizeof(char *));
    int64_t *amounts = xcalloc(n + 1, sizeof(int64_t));
    const char *paid_on = NULL;
    int64_t left = row_int(r, "amount_fen");
    for (size_t k = 0; k < n; k++) {
        dates[k] = row_str(json_array_get(pays, k), "received_on");
        amounts[k] = row_int(json_array_get(pays, k), "amount_fen");
        left -= amounts[k];
        if (left <= 0 && paid_on == NULL)
            paid_on = dates[k];
    }
    int64_t rate_e4 = 0, penalty = 0, days = 0, owed = 0;
    calc_parse_decimal(&rate_e4, row_str(r, "late_payment_rate"), 4);
    calc_late_penalty(&penalty, &days, &owed, row_int(r, "amount_fen"), row_str(r, "due_on"), dates,
                      amounts, n, as_of, rate_e4);
    json_object_set_new(r, "paid_on", paid_on ? json_string(paid_on) : json_null());
    free(dates);
    free(amounts);
    json_decref(pays);
    json_object_set_new(r, "received_fen", json_integer(row_int(r, "amount_fen") - owed));
    json_object_set_new(r, "owed_fen", json_integer(owed));
    json_object_set_new(r, "days_overdue", json_integer(days));
    json_object_set_new(r, "penalty_fen", json_integer(penalty));
    json_object_set_new(r, "may_terminate",
                        json_boolean(owed > 0 && days > row_int(r, "late_payment_grace_days")));
    return penalty;
}

int receivables_overdue(json_t **out,
                        struct db_conn *c,
                        const struct auth_user *who,
                        int64_t project_id,
                        const char *as_of,
                        struct app_err *err)
{
    *out = NULL;
    char today[11];
    int y, m, d;
    date_today(today);
    if (as_of == NULL)
        as_of = today;
    if (date_parse(&y, &m, &d, as_of) < 0)
        return app_err_set(err, APP_EBADREQ, "as_of", "as_of 应为 YYYY-MM-DD");
    struct strbuf sql;
    struct db_params p = {0};
    json_t *rows = NULL;
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql, RECEIVABLE_ROW_SQL
                " WHERE r.due_on < ? AND k.status <> 'cancelled' AND"
                " r.amount_fen > (SELECT COALESCE(SUM(x.amount_fen), 0) FROM receipts x WHERE"
                " x.receivable_id = r.id AND x.received_on <= ?)");
    char day_after[11]; /* dunning logged on as_of itself still counts */
    date_add_days(day_after, as_of, 1);
    db_params_text(&p, day_after);
    db_params_text(&p, day_after);
    db_params_text(&p, as_of);
    db_params_text(&p, as_of);
    query_report_scope(&sql, &p, "r.project_id", who, project_id);
    strbuf_puts(&sql, " ORDER BY r.due_on, r.id LIMIT 5000");
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "查询失败");
    int64_t sum_owed = 0, sum_penalty = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        sum_penalty += accrue(c, r, as_of);
        sum_owed += row_int(r, "owed_fen");
    }
    *out = json_pack("{s:s, s:o, s:I, s:I}", "as_of", as_of, "items", rows, "owed_fen",
                     (json_int_t)sum_owed, "penalty_fen", (json_int_t)sum_penalty);
    return 0;
}

int receivables_penalties(json_t **out,
                          struct db_conn *c,
                          const struct auth_user *who,
                          int64_t project_id,
                          const char *from,
                          const char *to,
                          struct app_err *err)
{
    *out = NULL;
    int rc = query_report_period(from, to, err);
    if (rc < 0)
        return rc;
    struct strbuf sql;
    struct db_params p = {0};
    json_t *rows = NULL;
    strbuf_init(&sql, 4096);
    /* Due in the period and late by `to`: still short, or paid after the due date. */
    strbuf_puts(&sql, RECEIVABLE_ROW_SQL
                " WHERE r.due_on >= ? AND r.due_on < ? AND k.status <> 'cancelled' AND"
                " (r.amount_fen > (SELECT COALESCE(SUM(x.amount_fen), 0) FROM receipts x WHERE"
                " x.receivable_id = r.id AND x.received_on <= ?) OR EXISTS (SELECT 1 FROM"
                " receipts x WHERE x.receivable_id = r.id AND x.received_on > r.due_on AND"
                " x.received_on <= ?))");
    char day_after[11];
    date_add_days(day_after, to, 1);
    db_params_text(&p, day_after);
    db_params_text(&p, day_after);
    db_params_text(&p, from);
    db_params_text(&p, to);
    db_params_text(&p, to);
    db_params_text(&p, to);
    query_report_scope(&sql, &p, "r.project_id", who, project_id);
    strbuf_puts(&sql, " ORDER BY r.due_on, r.id LIMIT 5000");
    rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "查询失败");
    json_t *items = json_array();
    int64_t total = 0, final = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int64_t penalty = accrue(c, r, to);
        if (penalty <= 0)
            continue; /* late by less than a fen, or a contract without a rate */
        /* Paid in full: the penalty is final; otherwise it still grows. */
        int done = row_int(r, "owed_fen") == 0;
        json_object_set_new(r, "paid_in_full", json_boolean(done));
        total += penalty;
        if (done)
            final += penalty;
        json_array_append(items, r);
    }
    json_decref(rows);
    *out = json_pack("{s:s, s:s, s:o, s:I, s:I, s:I}", "from", from, "to", to, "items", items,
                     "penalty_fen", (json_int_t)total, "final_penalty_fen", (json_int_t) final,
                     "accruing_penalty_fen", (json_int_t)(total - final));
    return 0;
}

int dunning_add(struct db_conn *c, const struct auth_user *who, json_t *in, struct app_err *err)
{
    static const char *const channels[] = {"call", "sms", "letter", "visit"};
    json_t *k = NULL;
    json_t *cid = json_object_get(in, "contract_id");
    if (!json_is_integer(cid))
        return app_err_set(err, APP_EINVAL, "contract_id", "请选择合同");
    int rc = contract_visible(&k, c, who, json_integer_value(cid), err);
    if (rc < 0)
        return rc;
    const char *channel = row_str(in, "channel"), *outcome = row_str(in, "outcome");
    int ok = 0;
    for (size_t i = 0; channel && i < ARRAY_LEN(channels); i++)
        ok |= strcmp(channels[i], channel) == 0;
    if (!ok)
        rc = app_err_set(err, APP_EINVAL, "channel", "催缴方式应为 call、sms、letter 或 visit");
    else if (outcome == NULL || *outcome == '\0' || strlen(outcome) > 500)
        rc = app_err_set(err, APP_EINVAL, "outcome", "请填写催缴结果");
    else
        rc = validate_date_field(in, "next_on", 0, err);
    json_t *rid = json_object_get(in, "receivable_id");
    int64_t n = 0;
    if (rc == 0 && rid && !json_is_null(rid) &&
        (!json_is_integer(rid) ||
         db_query_int64(c, &n, "SELECT COUNT(*) FROM receivables WHERE id = ? AND contract_id = ?",
                        "ii", (int64_t)json_integer_value(rid),
                        (int64_t)json_integer_value(cid)) < 0 ||
         n == 0))
        rc = app_err_set(err, APP_EINVAL, "receivable_id", "该合同没有这笔应收款");
    if (rc < 0)
        goto done;
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "INSERT INTO dunning_logs (contract_id, project_id, receivable_id, at, channel,"
                " outcome, next_on, username) VALUES (?,?,NULLIF(?, 0),?,?,?,?,?)",
                "ii"
                "itttt"
                "t",
                (int64_t)json_integer_value(cid), row_int(k, "project_id"),
                json_is_integer(rid) ? (int64_t)json_integer_value(rid) : (int64_t)0, at, channel,
                outcome, row_str(in, "next_on"), who->username);
    if (rc >= 0) {
        char title[600];
        snprintf(title, sizeof(title), "催缴（%s）：%s",
                 strcmp(channel, "call") == 0     ? "电话"
                 : strcmp(channel, "sms") == 0    ? "短信"
                 : strcmp(channel, "letter") == 0 ? "函件"
                                                  : "上门",
                 outcome);
        rc = contract_tell_buyers(c, json_integer_value(cid), "dunning", title, "contracts",
                                  json_integer_value(cid), who);
    }
done:
    json_decref(k);
    return rc < 0 ? rc : 0;
}

int collection_rate(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    const char *from,
                    const char *to,
                    struct app_err *err)
{
    *out = NULL;
    int rc = query_report_period(from, to, err);
    if (rc < 0)
        return rc;
    struct strbuf sql;
    struct db_params p = {0};
    json_t *rows = NULL;
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql,
                "SELECT r.project_id, (SELECT pr.name FROM projects pr WHERE pr.id = r.project_id)"
                " AS project_name, SUM(r.amount_fen) AS due_fen, SUM((SELECT"
                " COALESCE(SUM(x.amount_fen), 0) FROM receipts x WHERE x.receivable_id = r.id AND"
                " x.received_on <= ?)) AS received_fen, COUNT(*) AS receivables"
                " FROM receivables r JOIN contracts k ON k.id = r.contract_id"
                " WHERE r.due_on BETWEEN ? AND ? AND k.status <> 'cancelled'");
    db_params_text(&p, to);
    db_params_text(&p, from);
    db_params_text(&p, to);
    query_report_scope(&sql, &p, "r.project_id", who, project_id);
    strbuf_puts(&sql, " GROUP BY r.project_id ORDER BY r.project_id");
    rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "查询失败");
    int64_t due = 0, got = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int64_t a = row_int(r, "due_fen"), b = row_int(r, "received_fen");
        /* basis points, rounded half-up: 9876 = 98.76% */
        json_object_set_new(r, "rate_bp", json_integer(a ? (b * 20000 + a) / (2 * a) : 0));
        due += a;
        got += b;
    }
    *out = json_pack("{s:s, s:s, s:o, s:I, s:I, s:I}", "from", from, "to", to, "items", rows,
                     "due_fen", (json_int_t)due, "received_fen", (json_int_t)got, "rate_bp",
                     (json_int_t)(due ? (got * 20000 + due) / (2 * due) : 0));
    return 0;
}
