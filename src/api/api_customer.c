/*
 * api_customer.c - search, customer 360, reveal of personal data, duplicate
 * merging, personal-data requests, and the building grid.
 */
#include <string.h>

#include "api.h"
#include "domain/customer.h"

int api_search(struct api_ctx *ctx, struct app_err *err)
{
    int64_t limit = 10;
    const char *l = http_query(ctx->http, "limit");
    if (l && (app_parse_int64(&limit, l) < 0 || limit < 1 || limit > 50))
        return app_err_set(err, APP_EBADREQ, "limit", "limit 应在 1 到 50 之间");
    if (!auth_has(ctx->user, "customer.read") && !auth_has(ctx->user, "unit.read"))
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有查询客户或房源的权限");
    return customer_search(&ctx->reply, ctx->conn, ctx->user, http_query(ctx->http, "q"),
                           (int)limit, err);
}

int api_customer_360(struct api_ctx *ctx, struct app_err *err)
{
    return customer_360(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_entity_reveal(struct api_ctx *ctx, struct app_err *err)
{
    char *value = NULL;
    const char *field = http_query(ctx->http, "field");
    int rc = entity_reveal(&value, ctx->conn, ctx->entity, ctx->user, ctx->id, field, err);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:s, s:s?}", "field", field, "value", value);
    free(value);
    return 0;
}

int api_customer_duplicates(struct api_ctx *ctx, struct app_err *err)
{
    return customer_duplicates(&ctx->reply, ctx->conn, ctx->user, err);
}

int api_customer_merge(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *from = json_object_get(ctx->body, "from_id");
    if (!json_is_integer(from))
        return app_err_set(err, APP_EINVAL, "from_id", "请指定要并入的客户");
    int64_t merge_id = 0;
    rc = customer_merge(&merge_id, ctx->conn, ctx->user, ctx->id, json_integer_value(from), err);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:I, s:I, s:I}", "merge_id", (json_int_t)merge_id, "kept_id",
                           (json_int_t)ctx->id, "merged_id", (json_int_t)json_integer_value(from));
    return 0;
}

int api_customer_merge_undo(struct api_ctx *ctx, struct app_err *err)
{
    int rc = customer_merge_undo(ctx->conn, ctx->user, ctx->id, err);
    if (rc == 0)
        ctx->status = 204;
    return rc;
}

int api_customer_privacy_export(struct api_ctx *ctx, struct app_err *err)
{
    int rc = customer_privacy_export(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
    if (rc == 0) {
        char disp[96];
        snprintf(disp, sizeof(disp), "attachment; filename=\"customer-%lld.json\"",
                 (long long)ctx->id);
        http_add_header(ctx->http, "Content-Disposition", disp);
    }
    return rc;
}

int api_customer_anonymise(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = customer_anonymise(ctx->conn, ctx->user, ctx->id, api_body_str(ctx, "reason"), err);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("customers"), ctx->user, ctx->id, err);
}

int api_building_grid(struct api_ctx *ctx, struct app_err *err)
{
    return building_grid(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}
