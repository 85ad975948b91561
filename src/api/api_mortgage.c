/*
 * api_mortgage.c - the repayment calculator, loans, the weekly progress
 * report, receivables, receipts, the overdue list, dunning and collection
 * rates.
 */
#include <string.h>

#include "api.h"
#include "core/timeutil.h"
#include "core/xlsx.h"
#include "domain/calc.h"
#include "domain/mortgage.h"

int api_calc_mortgage(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *p = json_object_get(ctx->body, "principal_fen"),
           *m = json_object_get(ctx->body, "months");
    const char *rate = api_body_str(ctx, "annual_rate_percent");
    const char *method = api_body_str(ctx, "method");
    int64_t rate_e4 = 0;
    if (!json_is_integer(p) || json_integer_value(p) <= 0 ||
        json_integer_value(p) > 100000000000000LL)
        return app_err_set(err, APP_EINVAL, "principal_fen", "贷款本金应为正整数（分）");
    if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 360)
        return app_err_set(err, APP_EINVAL, "months", "贷款期限应为 1 到 360 个月");
    if (rate == NULL || calc_parse_decimal(&rate_e4, rate, 4) < 0 || rate_e4 > 1000000)
        return app_err_set(err, APP_EINVAL, "annual_rate_percent",
                           "年利率应为 0 到 100 之间的百分数文本，最多四位小数，如 \"3.5\"");
    enum calc_method how;
    if (method && strcmp(method, "equal_payment") == 0)
        how = CALC_EQUAL_PAYMENT;
    else if (method && strcmp(method, "equal_principal") == 0)
        how = CALC_EQUAL_PRINCIPAL;
    else
        return app_err_set(err, APP_EINVAL, "method",
                           "还款方式应为 equal_payment 或 equal_principal");
    int n = (int)json_integer_value(m);
    struct calc_month *rows = xcalloc((size_t)n, sizeof(*rows));
    int64_t total = calc_mortgage(rows, json_integer_value(p), n, rate_e4, how);
    json_t *schedule = json_array();
    int64_t paid = 0;
    for (int i = 0; i < n; i++) {
        json_array_append_new(schedule,
                              json_pack("{s:i, s:I, s:I, s:I, s:I}", "month", rows[i].month,
                                        "payment_fen", (json_int_t)rows[i].payment_fen,
                                        "principal_fen", (json_int_t)rows[i].principal_fen,
                                        "interest_fen", (json_int_t)rows[i].interest_fen,
                                        "balance_fen", (json_int_t)rows[i].balance_fen));
        paid += rows[i].payment_fen;
    }
    free(rows);
    ctx->reply = json_pack("{s:o, s:I, s:I}", "schedule", schedule, "total_interest_fen",
                           (json_int_t)total, "total_payment_fen", (json_int_t)paid);
    return 0;
}

int api_loans_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = loan_create(&id, ctx->conn, ctx->user, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return loan_get(&ctx->reply, ctx->conn, ctx->user, id, err);
}

int api_loans_full(struct api_ctx *ctx, struct app_err *err)
{
    return loan_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_loans_stage(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = loan_set_stage(ctx->conn, ctx->user, ctx->id, api_body_str(ctx, "stage"), ctx->body, err);
    if (rc < 0)
        return rc;
    return loan_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_loans_followup(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = loan_followup(ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return loan_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_loans_document(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t doc = 0;
    app_parse_int64(&doc, router_param(&ctx->params, "doc"));
    rc = loan_document_set(ctx->conn, ctx->user, ctx->id, doc, api_body_str(ctx, "status"), err);
    if (rc < 0)
        return rc;
    return loan_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

static int weekly(struct api_ctx *ctx, json_t **out, struct app_err *err)
{
    int64_t stuck = 14, pid;
    const char *s = http_query(ctx->http, "stuck_days");
    if (s && (app_parse_int64(&stuck, s) < 0 || stuck < 1 || stuck > 365))
        return app_err_set(err, APP_EBADREQ, "stuck_days", "stuck_days 应为 1 到 365");
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return mortgage_weekly(out, ctx->conn, ctx->user, pid, http_query(ctx->http, "week"),
                           (int)stuck, err);
}

int api_mortgage_weekly(struct api_ctx *ctx, struct app_err *err)
{
    return weekly(ctx, &ctx->reply, err);
}

int api_mortgage_weekly_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    json_t *r = NULL;
    int rc = weekly(ctx, &r, err);
    if (rc < 0)
        return rc;
    static const char *const stage_keys[] = {"collecting", "signed",    "reviewing",
                                             "approved",   "disbursed", "refused"};
    const char *headers[] = {"银行",         "项目",         "资料收集",    "已面签",
                             "审批中",       "已批贷",       "已放款",      "被拒",
                             "在办金额(元)", "本周放款(元)", "累计放款(元)"};
    enum xlsx_kind kinds[] = {XLSX_TEXT, XLSX_TEXT, XLSX_INT,   XLSX_INT,   XLSX_INT,  XLSX_INT,
                              XLSX_INT,  XLSX_INT,  XLSX_MONEY, XLSX_MONEY, XLSX_MONEY};
    struct xlsx *x = NULL;
    rc = xlsx_begin(&x, "按揭周报", headers, kinds, 11);
    if (rc < 0) {
        json_decref(r);
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    }
    size_t i;
    json_t *row;
    uint32_t n = 0;
    json_array_foreach(json_object_get(r, "rows"), i, row)
    {
        n++;
        xlsx_text(x, n, 0, json_string_value(json_object_get(row, "bank_name")));
        xlsx_text(x, n, 1, json_string_value(json_object_get(row, "project_name")));
        int64_t open = 0;
        for (int k = 0; k < 6; k++) {
            json_t *cnt = json_object_get(json_object_get(row, "count"), stage_keys[k]);
            xlsx_int(x, n, 2 + k, json_integer_value(cnt));
            if (k < 4)
                open += json_integer_value(
                        json_object_get(json_object_get(row, "amount_fen"), stage_keys[k]));
        }
        xlsx_int(x, n, 8, open);
        xlsx_int(x, n, 9, json_integer_value(json_object_get(row, "disbursed_week_fen")));
        xlsx_int(x, n, 10, json_integer_value(json_object_get(row, "disbursed_total_fen")));
    }
    json_decref(r);
    rc = xlsx_finish(x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    api_download(ctx, API_XLSX_TYPE, "mortgage-weekly.xlsx", "按揭周报.xlsx");
    return 0;
}

int api_receivables_generate(struct api_ctx *ctx, struct app_err *err)
{
    json_t *loan = json_is_object(ctx->body) ? json_object_get(ctx->body, "loan_fen") : NULL;
    if (loan && !json_is_integer(loan))
        return app_err_set(err, APP_EINVAL, "loan_fen", "贷款金额应为整数（分）");
    int rc = receivables_generate(ctx->conn, ctx->user, ctx->id, json_integer_value(loan), err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    struct entity_query q;
    memset(&q, 0, sizeof(q));
    char cid[24];
    snprintf(cid, sizeof(cid), "%lld", (long long)ctx->id);
    q.n = 1;
    q.key[0] = "contract_id";
    q.value[0] = cid;
    q.sort = "due_on";
    return entity_list(&ctx->reply, ctx->conn, entity_find("receivables"), ctx->user, &q, err);
}

int api_receipts_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = receipt_add(&id, ctx->conn, ctx->user, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return entity_get(&ctx->reply, ctx->conn, entity_find("receipts"), ctx->user, id, err);
}

static int overdue(struct api_ctx *ctx, json_t **out, struct app_err *err)
{
    int64_t pid;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return receivables_overdue(out, ctx->conn, ctx->user, pid, http_query(ctx->http, "as_of"), err);
}

int api_receivables_overdue(struct api_ctx *ctx, struct app_err *err)
{
    return overdue(ctx, &ctx->reply, err);
}

/* One column of a report sheet: its header, the row's key, how it is shown.
 * XLSX_TEXT columns named "kind" show 款项 in words; "bool" ones 是/否. */
struct report_col {
    const char *header, *key;
    enum xlsx_kind kind;
    int is_bool;
};

/* The rows of a report (and a 合计 row of its totals, when given) as one
 * sheet, answered as a download. */
static int report_xlsx(struct api_ctx *ctx,
                       json_t *rows,
                       json_t *totals,
                       const struct report_col *cols,
                       int ncols,
                       const char *sheet,
                       const char *file,
                       const char *file_zh,
                       struct app_err *err)
{
    const char *headers[24];
    enum xlsx_kind kinds[24];
    for (int k = 0; k < ncols && k < 24; k++) {
        headers[k] = cols[k].header;
        kinds[k] = cols[k].kind;
    }
    struct xlsx *x = NULL;
    int rc = xlsx_begin(&x, sheet, headers, kinds, ncols);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    /* 款项 as staff read it (首付款/房款), not its code. */
    const struct entity_field *kind = entity_field(entity_find("receivables"), "kind");
    uint32_t n = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        n++;
        for (int k = 0; k < ncols; k++) {
            json_t *v = json_object_get(row, cols[k].key);
            if (cols[k].is_bool)
                xlsx_text(x, n, k, json_is_true(v) ? "是" : "否");
            else if (cols[k].kind != XLSX_TEXT)
                xlsx_int(x, n, k, json_integer_value(v));
            else if (strcmp(cols[k].key, "kind") == 0 && json_is_string(v))
                xlsx_text(x, n, k, entity_option_label(kind, json_string_value(v)));
            else
                xlsx_text(x, n, k, json_string_value(v));
        }
    }
    if (totals) {
        n++;
        xlsx_text(x, n, 0, "合计");
        for (int k = 1; k < ncols; k++)
            if (cols[k].kind != XLSX_TEXT && json_is_integer(json_object_get(totals, cols[k].key)))
                xlsx_int(x, n, k, json_integer_value(json_object_get(totals, cols[k].key)));
    }
    rc = xlsx_finish(x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    api_download(ctx, API_XLSX_TYPE, file, file_zh);
    return 0;
}

int api_receivables_overdue_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    static const struct report_col cols[] = {
            {"项目", "project_name", XLSX_TEXT, 0},
            {"合同编号", "contract_no", XLSX_TEXT, 0},
            {"房号", "room_code", XLSX_TEXT, 0},
            {"买受人", "buyer_names", XLSX_TEXT, 0},
            {"款项", "kind", XLSX_TEXT, 0},
            {"应收日期", "due_on", XLSX_TEXT, 0},
            {"应收金额(元)", "amount_fen", XLSX_MONEY, 0},
            {"已收金额(元)", "received_fen", XLSX_MONEY, 0},
            {"逾期金额(元)", "owed_fen", XLSX_MONEY, 0},
            {"逾期天数", "days_overdue", XLSX_INT, 0},
            {"违约金(元)", "penalty_fen", XLSX_MONEY, 0},
            {"日违约金(万分之)", "late_payment_rate", XLSX_TEXT, 0},
            {"可解约", "may_terminate", XLSX_TEXT, 1},
            {"最近催缴", "last_dunning", XLSX_TEXT, 0},
            {"催缴结果", "last_dunning_outcome", XLSX_TEXT, 0},
    };
    json_t *r = NULL;
    int rc = overdue(ctx, &r, err);
    if (rc == 0)
        rc = report_xlsx(ctx, json_object_get(r, "items"), NULL, cols, (int)ARRAY_LEN(cols),
                         "逾期台账", "overdue.xlsx", "逾期台账.xlsx", err);
    json_decref(r);
    return rc;
}

/* from/to of a period report: this year to today unless given. */
static int period(struct api_ctx *ctx,
                  const char **from,
                  const char **to,
                  char start[11],
                  char today[11],
                  int64_t *pid,
                  struct app_err *err)
{
    date_today(today);
    snprintf(start, 11, "%.4s-01-01", today);
    *from = http_query(ctx->http, "from");
    *to = http_query(ctx->http, "to");
    if (*from == NULL)
        *from = start;
    if (*to == NULL)
        *to = today;
    return api_query_project(ctx, pid, err);
}

/* "回款率-2026-01-01至2026-11-28.xlsx": a period report's file name. */
static void period_file(char *out, size_t size, const char *title, json_t *report)
{
    snprintf(out, size, "%s-%s至%s.xlsx", title, json_string_value(json_object_get(report, "from")),
             json_string_value(json_object_get(report, "to")));
}

typedef int period_report_fn(json_t **out,
                             struct db_conn *c,
                             const struct auth_user *who,
                             int64_t project_id,
                             const char *from,
                             const char *to,
                             struct app_err *err);

/* A period report (回款率, 违约金台账) for the request's from/to/project. */
static int
period_report(struct api_ctx *ctx, period_report_fn *fn, json_t **out, struct app_err *err)
{
    char start[11], today[11];
    const char *from, *to;
    int64_t pid;
    int rc = period(ctx, &from, &to, start, today, &pid, err);
    if (rc < 0)
        return rc;
    return fn(out, ctx->conn, ctx->user, pid, from, to, err);
}

int api_receivables_penalties(struct api_ctx *ctx, struct app_err *err)
{
    return period_report(ctx, receivables_penalties, &ctx->reply, err);
}

int api_receivables_penalties_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    static const struct report_col cols[] = {
            {"项目", "project_name", XLSX_TEXT, 0},
            {"合同编号", "contract_no", XLSX_TEXT, 0},
            {"房号", "room_code", XLSX_TEXT, 0},
            {"买受人", "buyer_names", XLSX_TEXT, 0},
            {"款项", "kind", XLSX_TEXT, 0},
            {"应收日期", "due_on", XLSX_TEXT, 0},
            {"应收金额(元)", "amount_fen", XLSX_MONEY, 0},
            {"已收金额(元)", "received_fen", XLSX_MONEY, 0},
            {"未收金额(元)", "owed_fen", XLSX_MONEY, 0},
            {"付清日期", "paid_on", XLSX_TEXT, 0},
            {"逾期天数", "days_overdue", XLSX_INT, 0},
            {"日违约金(万分之)", "late_payment_rate", XLSX_TEXT, 0},
            {"违约金(元)", "penalty_fen", XLSX_MONEY, 0},
            {"已付清", "paid_in_full", XLSX_TEXT, 1},
    };
    json_t *r = NULL;
    int rc = period_report(ctx, receivables_penalties, &r, err);
    if (rc < 0)
        return rc;
    char file_zh[64];
    period_file(file_zh, sizeof(file_zh), "违约金台账", r);
    rc = report_xlsx(ctx, json_object_get(r, "items"), r, cols, (int)ARRAY_LEN(cols), "违约金台账",
                     "penalties.xlsx", file_zh, err);
    json_decref(r);
    return rc;
}

int api_dunning_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = dunning_add(ctx->conn, ctx->user, ctx->body, err);
    if (rc == 0)
        ctx->status = 204;
    return rc;
}

int api_collection_rate(struct api_ctx *ctx, struct app_err *err)
{
    return period_report(ctx, collection_rate, &ctx->reply, err);
}

int api_collection_rate_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    static const struct report_col cols[] = {
            {"项目", "project_name", XLSX_TEXT, 0},
            {"应收笔数", "receivables", XLSX_INT, 0},
            {"应收金额(元)", "due_fen", XLSX_MONEY, 0},
            {"已收金额(元)", "received_fen", XLSX_MONEY, 0},
            {"未收金额(元)", "owed_fen", XLSX_MONEY, 0},
            {"回款率(%)", "rate_pct", XLSX_MONEY, 0},
    };
    json_t *r = NULL;
    int rc = period_report(ctx, collection_rate, &r, err);
    if (rc < 0)
        return rc;
    /* 未收 and the rate in hundredths of a percent, shown like yuan (98.76). */
    json_t *totals = json_pack("{s:I}", "receivables", (json_int_t)0);
    json_int_t count = 0;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "items"), i, row)
    {
        json_object_set_new(row, "owed_fen",
                            json_integer(json_integer_value(json_object_get(row, "due_fen")) -
                                         json_integer_value(json_object_get(row, "received_fen"))));
        json_object_set(row, "rate_pct", json_object_get(row, "rate_bp"));
        count += json_integer_value(json_object_get(row, "receivables"));
    }
    json_object_set_new(totals, "receivables", json_integer(count));
    json_object_set(totals, "due_fen", json_object_get(r, "due_fen"));
    json_object_set(totals, "received_fen", json_object_get(r, "received_fen"));
    json_object_set_new(totals, "owed_fen",
                        json_integer(json_integer_value(json_object_get(r, "due_fen")) -
                                     json_integer_value(json_object_get(r, "received_fen"))));
    json_object_set(totals, "rate_pct", json_object_get(r, "rate_bp"));
    char file_zh[64];
    period_file(file_zh, sizeof(file_zh), "回款率", r);
    rc = report_xlsx(ctx, json_object_get(r, "items"), totals, cols, (int)ARRAY_LEN(cols), "回款率",
                     "collection-rate.xlsx", file_zh, err);
    json_decref(totals);
    json_decref(r);
    return rc;
}
