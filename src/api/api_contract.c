/*
 * api_contract.c - subscription, transitions, the document checklist,
 * amendments, deadlines and the weekly ledger of contracts.
 */
#include <string.h>

#include "api.h"
#include "core/timeutil.h"
#include "core/xlsx.h"
#include "domain/contract.h"

int api_contracts_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = contract_create(&id, ctx->conn, ctx->user, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return contract_get(&ctx->reply, ctx->conn, ctx->user, id, err);
}

int api_contracts_full(struct api_ctx *ctx, struct app_err *err)
{
    return contract_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_contracts_transition(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = contract_transition(ctx->conn, ctx->user, ctx->id, api_body_str(ctx, "action"), ctx->body,
                             err);
    if (rc < 0)
        return rc;
    return contract_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_contracts_document(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t doc = 0;
    app_parse_int64(&doc, router_param(&ctx->params, "doc"));
    rc = contract_document_set(ctx->conn, ctx->user, ctx->id, doc, api_body_str(ctx, "status"),
                               api_body_str(ctx, "reason"), err);
    if (rc < 0)
        return rc;
    return contract_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_contracts_amend(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    const char *reason = api_body_str(ctx, "reason_category");
    const char *comment = api_body_str(ctx, "comment");
    if (reason == NULL || *reason == '\0')
        return app_err_set(err, APP_EINVAL, "reason_category", "请选择原因类别");
    if (comment == NULL || *comment == '\0')
        return app_err_set(err, APP_EINVAL, "comment", "请填写说明");
    int64_t amendment = 0;
    rc = contract_amend(&amendment, ctx->conn, ctx->user, ctx->id, api_body_str(ctx, "kind"),
                        reason, comment, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return contract_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_contracts_deadlines(struct api_ctx *ctx, struct app_err *err)
{
    int64_t within = 7;
    const char *w = http_query(ctx->http, "within");
    if (w && (app_parse_int64(&within, w) < 0 || within < 0 || within > 365))
        return app_err_set(err, APP_EBADREQ, "within", "within 应为 0 到 365 天");
    int64_t pid;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return contract_deadlines(&ctx->reply, ctx->conn, ctx->user, pid, (int)within, err);
}

static void default_range(char from[11], char to[11], struct api_ctx *ctx)
{
    const char *f = http_query(ctx->http, "from"), *t = http_query(ctx->http, "to");
    char today[11];
    date_today(today);
    app_strlcpy(to, t ? t : today, 11);
    if (f)
        app_strlcpy(from, f, 11);
    else if (date_add_days(from, to, -7 * 12 + 1) < 0)
        app_strlcpy(from, to, 11);
}

int api_contracts_weekly(struct api_ctx *ctx, struct app_err *err)
{
    char from[11], to[11];
    default_range(from, to, ctx);
    int64_t pid;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return contract_weekly(&ctx->reply, ctx->conn, ctx->user, pid, from, to, err);
}

int api_contracts_weekly_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    char from[11], to[11];
    json_t *report = NULL;
    default_range(from, to, ctx);
    int64_t pid;
    int rc = api_query_project(ctx, &pid, err);
    if (rc == 0)
        rc = contract_weekly(&report, ctx->conn, ctx->user, pid, from, to, err);
    if (rc < 0)
        return rc;
    static const char *const headers[] = {"周（起始日）", "项目", "签约", "备案", "作废"};
    static const enum xlsx_kind kinds[] = {XLSX_TEXT, XLSX_TEXT, XLSX_INT, XLSX_INT, XLSX_INT};
    struct xlsx *x = NULL;
    rc = xlsx_begin(&x, "合同周报", headers, kinds, 5);
    if (rc < 0) {
        json_decref(report);
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    }
    size_t i;
    json_t *row;
    uint32_t r = 0;
    json_array_foreach(json_object_get(report, "items"), i, row)
    {
        r++;
        xlsx_text(x, r, 0, json_string_value(json_object_get(row, "week_start")));
        xlsx_text(x, r, 1, json_string_value(json_object_get(row, "project_name")));
        xlsx_int(x, r, 2, json_integer_value(json_object_get(row, "signed")));
        xlsx_int(x, r, 3, json_integer_value(json_object_get(row, "filed")));
        xlsx_int(x, r, 4, json_integer_value(json_object_get(row, "cancelled")));
    }
    json_decref(report);
    rc = xlsx_finish(x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    api_download(ctx, API_XLSX_TYPE, "contracts-weekly.xlsx", "合同周报.xlsx");
    return 0;
}
