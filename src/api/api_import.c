/*
 * api_import.c - bulk import jobs and their templates.
 */
#include <string.h>

#include "api.h"
#include "domain/import.h"

int api_import_start(struct api_ctx *ctx, struct app_err *err)
{
    const char *kind = http_query(ctx->http, "kind");
    const char *dry = http_query(ctx->http, "dry_run");
    const char *name = http_query(ctx->http, "file_name");
    int dry_run = dry == NULL || strcmp(dry, "false") != 0; /* a dry run unless asked */
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
        return app_err_set(err, APP_EBADREQ, "dry_run", "dry_run 应为 true 或 false");
    if (name && strlen(name) > 200)
        return app_err_set(err, APP_EBADREQ, "file_name", "文件名过长");
    if (kind && strcmp(kind, "customers") != 0 && !auth_has(ctx->user, "unit.write"))
        return app_err_set(err, APP_EFORBIDDEN, "kind", "导入项目和房源需要维护房源的权限");
    char *data = ctx->http->body;
    size_t len = ctx->http->body_len;
    ctx->http->body = NULL; /* the job owns the file now */
    ctx->http->body_len = 0;
    int64_t id = 0;
    int rc = import_start(&id, ctx->app->db, ctx->conn, ctx->user, kind, dry_run, name, data, len,
                          err);
    if (rc < 0)
        return rc;
    ctx->status = 202;
    ctx->reply = json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "running");
    return 0;
}

int api_import_status(struct api_ctx *ctx, struct app_err *err)
{
    return import_status(&ctx->reply, ctx->conn, ctx->id, err);
}

int api_import_template(struct api_ctx *ctx, struct app_err *err)
{
    const char *kind = http_query(ctx->http, "kind");
    const char *format = http_query(ctx->http, "format");
    const char *type = NULL;
    int rc = import_template(&ctx->raw, &ctx->raw_len, &type, kind, format, err);
    if (rc < 0)
        return rc;
    ctx->raw_type = type;
    char disp[128];
    snprintf(disp, sizeof(disp), "attachment; filename=\"import-%s.%s\"", kind,
             format && strcmp(format, "xlsx") == 0 ? "xlsx" : "csv");
    http_add_header(ctx->http, "Content-Disposition", disp);
    return 0;
}
