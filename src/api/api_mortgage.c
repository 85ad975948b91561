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

int api_receivables_overdue_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    json_t *r = NULL;
    int rc = overdue(ctx, &r, err);
    if (rc < 0)
        return rc;
    const char *headers[] = {"项目",         "合同编号", "房号",         "买受人",
                             "款项",         "应收日期", "应收金额(元)", "已收金额(元)",
                             "逾期金额(元)", "逾期天数", "违约金(元)",   "日违约金(万分之)",
                             "可解约",       "最近催缴"};
    enum xlsx_kind kinds[] = {XLSX_TEXT,  XLSX_TEXT,  XLSX_TEXT,  XLSX_TEXT,  XLSX_TEXT,
                              XLSX_TEXT,  XLSX_MONEY, XLSX_MONEY, XLSX_MONEY, XLSX_INT,
                              XLSX_MONEY, XLSX_TEXT,  XLSX_TEXT,  XLSX_TEXT};
    struct xlsx *x = NULL;
    rc = xlsx_begin(&x, "逾期台账", headers, kinds, 14);
    if (rc < 0) {
        json_decref(r);
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    }
    /* 款项 as staff read it (首付款/房款), not its code. */
    const struct entity_field *kind = entity_field(entity_find("receivables"), "kind");
    size_t i;
    json_t *row;
    uint32_t n = 0;
    json_array_foreach(json_object_get(r, "items"), i, row)
    {
        n++;
        static const char *const text_cols[] = {"project_name", "contract_no", "room_code",
                                                "buyer_names",  "kind",        "due_on"};
        for (int k = 0; k < 6; k++) {
            const char *v = json_string_value(json_object_get(row, text_cols[k]));
            xlsx_text(x, n, k, k == 4 && v ? entity_option_label(kind, v) : v);
        }
        xlsx_int(x, n, 6, json_integer_value(json_object_get(row, "amount_fen")));
        xlsx_int(x, n, 7, json_integer_value(json_object_get(row, "received_fen")));
        xlsx_int(x, n, 8, json_integer_value(json_object_get(row, "owed_fen")));
        xlsx_int(x, n, 9, json_integer_value(json_object_get(row, "days_overdue")));
        xlsx_int(x, n, 10, json_integer_value(json_object_get(row, "penalty_fen")));
        xlsx_text(x, n, 11, json_string_value(json_object_get(row, "late_payment_rate")));
        xlsx_text(x, n, 12, json_is_true(json_object_get(row, "may_terminate")) ? "是" : "否");
        xlsx_text(x, n, 13, json_string_value(json_object_get(row, "last_dunning")));
    }
    json_decref(r);
    rc = xlsx_finish(x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    api_download(ctx, API_XLSX_TYPE, "overdue.xlsx", "逾期台账.xlsx");
    return 0;
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
    char today[11], start[11];
    date_today(today);
    snprintf(start, sizeof(start), "%.4s-01-01", today);
    const char *from = http_query(ctx->http, "from"), *to = http_query(ctx->http, "to");
    int64_t pid;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return collection_rate(&ctx->reply, ctx->conn, ctx->user, pid, from ? from : start,
                           to ? to : today, err);
}
