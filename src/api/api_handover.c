/*
 * api_handover.c - delivery batches, handovers, inspections and defects,
 * notices, true-up, the late-delivery ledger, the property package and
 * property certificates.
 */
#include <string.h>

#include "api.h"
#include "core/xlsx.h"
#include "domain/handover.h"

int api_batches_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = handover_batch_create(&id, ctx->conn, ctx->user, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return handover_batch_get(&ctx->reply, ctx->conn, ctx->user, id, err);
}

int api_batches_full(struct api_ctx *ctx, struct app_err *err)
{
    return handover_batch_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_batches_slot(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc == 0)
        rc = handover_slot_add(ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return handover_batch_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_batches_notices(struct api_ctx *ctx, struct app_err *err)
{
    int rc = handover_notices_pdf(&ctx->raw, &ctx->raw_len, ctx->conn, ctx->user, ctx->id, err);
    if (rc < 0)
        return rc;
    char name[64];
    snprintf(name, sizeof(name), "入住通知书-%lld.pdf", (long long)ctx->id);
    api_download(ctx, "application/pdf", "notices.pdf", name);
    return 0;
}

int api_batches_true_up(struct api_ctx *ctx, struct app_err *err)
{
    int run = strcmp(ctx->route->method, "POST") == 0;
    return handover_true_up(&ctx->reply, ctx->conn, ctx->user, ctx->id, run, err);
}

int api_batches_late(struct api_ctx *ctx, struct app_err *err)
{
    return handover_late_delivery(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_batches_late_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    json_t *r = NULL;
    int rc = handover_late_delivery(&r, ctx->conn, ctx->user, ctx->id, err);
    if (rc < 0)
        return rc;
    static const char *const headers[] = {
            "房号",       "业主",       "合同编号", "合同总价",
            "约定交付日", "实际交付日", "逾期天数", "日违约金（万分之）",
            "违约金",     "可解除合同", "备注"};
    static const enum xlsx_kind kinds[] = {XLSX_TEXT,  XLSX_TEXT, XLSX_TEXT, XLSX_MONEY,
                                           XLSX_TEXT,  XLSX_TEXT, XLSX_INT,  XLSX_TEXT,
                                           XLSX_MONEY, XLSX_TEXT, XLSX_TEXT};
    struct xlsx *x = NULL;
    rc = xlsx_begin(&x, "延期交房违约金明细", headers, kinds, 11);
    if (rc < 0) {
        json_decref(r);
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    }
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "rows"), i, row)
    {
        uint32_t n = (uint32_t)i + 1;
        xlsx_text(x, n, 0, json_string_value(json_object_get(row, "room_code")));
        xlsx_text(x, n, 1, json_string_value(json_object_get(row, "owner_name")));
        xlsx_text(x, n, 2, json_string_value(json_object_get(row, "contract_no")));
        xlsx_int(x, n, 3, json_integer_value(json_object_get(row, "total_price_fen")));
        xlsx_text(x, n, 4, json_string_value(json_object_get(row, "deadline")));
        xlsx_text(x, n, 5, json_string_value(json_object_get(row, "delivered_on")));
        xlsx_int(x, n, 6, json_integer_value(json_object_get(row, "days_late")));
        xlsx_text(x, n, 7, json_string_value(json_object_get(row, "daily_rate_per_10000")));
        xlsx_int(x, n, 8, json_integer_value(json_object_get(row, "penalty_fen")));
        xlsx_text(x, n, 9, json_is_true(json_object_get(row, "may_terminate")) ? "是" : "否");
        xlsx_text(x, n, 10,
                  json_is_true(json_object_get(row, "estimated")) ? "尚未交付，按今日计算" : "");
    }
    json_decref(r);
    rc = xlsx_finish(x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    api_download(ctx, API_XLSX_TYPE, "late-delivery.xlsx", "延期交房违约金明细.xlsx");
    return 0;
}

int api_batches_daily(struct api_ctx *ctx, struct app_err *err)
{
    return handover_daily(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_batches_defects(struct api_ctx *ctx, struct app_err *err)
{
    return handover_defect_rollup(&ctx->reply, ctx->conn, ctx->user, ctx->id,
                                  http_query(ctx->http, "by"), err);
}

int api_batches_package(struct api_ctx *ctx, struct app_err *err)
{
    json_t *rows = NULL;
    int rc = handover_property_package(&rows, ctx->conn, ctx->user, ctx->id, err);
    if (rc < 0)
        return rc;
    static const char *const headers[] = {"房号",     "楼栋",   "业主",      "联系电话", "合同面积",
                                          "实测面积", "状态",   "交付日期",  "钥匙",     "水表",
                                          "电表",     "燃气表", "未完成整改"};
    static const enum xlsx_kind kinds[] = {XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_AREA,
                                           XLSX_AREA, XLSX_TEXT, XLSX_TEXT, XLSX_INT,  XLSX_TEXT,
                                           XLSX_TEXT, XLSX_TEXT, XLSX_INT};
    static const struct {
        const char *code, *label;
    } states[] = {{"pending", "待通知"},   {"notified", "已通知"},  {"booked", "已预约"},
                  {"inspected", "已验房"}, {"delivered", "已交付"}, {"refused", "拒收"}};
    struct xlsx *x = NULL;
    rc = xlsx_begin(&x, "物业移交清单", headers, kinds, 13);
    if (rc < 0) {
        json_decref(rows);
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    }
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        uint32_t n = (uint32_t)i + 1;
        static const char *const texts[] = {"room_code", "building", "owner_name", "phone_mask"};
        for (int k = 0; k < 4; k++)
            xlsx_text(x, n, k, json_string_value(json_object_get(r, texts[k])));
        if (json_is_integer(json_object_get(r, "contract_area_dm2")))
            xlsx_int(x, n, 4, json_integer_value(json_object_get(r, "contract_area_dm2")));
        if (json_is_integer(json_object_get(r, "measured_area_dm2")))
            xlsx_int(x, n, 5, json_integer_value(json_object_get(r, "measured_area_dm2")));
        const char *st = json_string_value(json_object_get(r, "status"));
        for (size_t k = 0; st && k < ARRAY_LEN(states); k++)
            if (strcmp(states[k].code, st) == 0)
                xlsx_text(x, n, 6, states[k].label);
        xlsx_text(x, n, 7, json_string_value(json_object_get(r, "delivered_on")));
        if (json_is_integer(json_object_get(r, "keys")))
            xlsx_int(x, n, 8, json_integer_value(json_object_get(r, "keys")));
        xlsx_text(x, n, 9, json_string_value(json_object_get(r, "water_reading")));
        xlsx_text(x, n, 10, json_string_value(json_object_get(r, "electricity_reading")));
        xlsx_text(x, n, 11, json_string_value(json_object_get(r, "gas_reading")));
        xlsx_int(x, n, 12, json_integer_value(json_object_get(r, "open_defects")));
    }
    json_decref(rows);
    rc = xlsx_finish(x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    api_download(ctx, API_XLSX_TYPE, "property-package.xlsx", "物业移交清单.xlsx");
    return 0;
}

int api_handovers_full(struct api_ctx *ctx, struct app_err *err)
{
    return handover_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

/* The per-flat writes share one shape: check the body, act, answer the flat. */
static int flat_write(
        struct api_ctx *ctx,
        int (*fn)(struct db_conn *, const struct auth_user *, int64_t, json_t *, struct app_err *),
        struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc == 0)
        rc = fn(ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    return handover_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_handovers_book(struct api_ctx *ctx, struct app_err *err)
{
    return flat_write(ctx, handover_book, err);
}

int api_handovers_mail(struct api_ctx *ctx, struct app_err *err)
{
    return flat_write(ctx, handover_mail, err);
}

int api_handovers_deliver(struct api_ctx *ctx, struct app_err *err)
{
    return flat_write(ctx, handover_deliver, err);
}

int api_handovers_refuse(struct api_ctx *ctx, struct app_err *err)
{
    return flat_write(ctx, handover_refuse, err);
}

int api_handovers_inspect(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = handover_inspect(&id, ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return handover_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_defects_update(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc == 0)
        rc = handover_defect_update(ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("inspection-defects"), ctx->user, ctx->id,
                      err);
}

int api_defects_ticket(struct api_ctx *ctx, struct app_err *err)
{
    int64_t ticket = 0;
    int rc = handover_defect_ticket(&ticket, ctx->conn, ctx->user, ctx->id, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    ctx->reply = json_pack("{s:I, s:I}", "defect_id", (json_int_t)ctx->id, "ticket_id",
                           (json_int_t)ticket);
    return 0;
}

int api_certificates_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *cid = json_object_get(ctx->body, "contract_id");
    if (!json_is_integer(cid))
        return app_err_set(err, APP_EINVAL, "contract_id", "请选择合同");
    int64_t id = 0;
    rc = certificate_create(&id, ctx->conn, ctx->user, json_integer_value(cid), err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return entity_get(&ctx->reply, ctx->conn, entity_find("certificates"), ctx->user, id, err);
}

int api_certificates_advance(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc == 0)
        rc = certificate_advance(ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("certificates"), ctx->user, ctx->id, err);
}

int api_certificates_deadlines(struct api_ctx *ctx, struct app_err *err)
{
    int64_t pid = 0, within = 30;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    const char *w = http_query(ctx->http, "within");
    if (w && (app_parse_int64(&within, w) < 0 || within < 0 || within > 3650))
        return app_err_set(err, APP_EINVAL, "within", "within 应为 0 到 3650 之间的天数");
    return certificate_deadlines(&ctx->reply, ctx->conn, ctx->user, pid, (int)within, err);
}
