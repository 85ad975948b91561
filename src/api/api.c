/*
 * api.c - the dispatcher: route lookup (404/405), authentication (bearer
 * token or session cookie + CSRF header), authorization against the route's
 * declared permission, JSON body parsing, one transaction per request, and
 * the mapping of APP_E* codes to HTTP statuses and JSON errors. This is the
 * only place that knows HTTP status codes for domain errors.
 */
#include "api.h"

#include <string.h>

#include <strings.h>

#include "core/log.h"

/*---- Replies ----*/

static const char *utf8_or_empty(const char *s)
{
    /* json_string() refuses invalid UTF-8; never let that drop an error. */
    json_t *probe = json_string(s ? s : "");
    if (probe == NULL)
        return "";
    json_decref(probe);
    return s ? s : "";
}

static void reply_json(struct http_req *req, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    if (text == NULL) {
        status = 500;
        text = xstrdup(
                "{\"error\":{\"code\":\"internal\",\"message\":\"内部错误\",\"field\":null}}");
    }
    http_reply(req, status, "application/json; charset=utf-8", text, strlen(text));
}

static void reply_error(
        struct http_req *req, int status, const char *code, const char *message, const char *field)
{
    json_t *f = field && *field ? json_string(utf8_or_empty(field)) : json_null();
    json_t *body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message",
                             utf8_or_empty(message), "field", f);
    reply_json(req, status, body);
    json_decref(body);
}

static void reply_app_error(struct http_req *req, const struct app_err *err, int rc)
{
    int code = err->code ? err->code : rc;
    const char *msg = err->message[0] ? err->message : NULL;
    switch (code) {
    case APP_EINVAL:
        reply_error(req, 422, "invalid", msg ? msg : "输入有误", err->field);
        break;
    case APP_ENOTFOUND:
        reply_error(req, 404, "not_found", msg ? msg : "记录不存在", err->field);
        break;
    case APP_ECONFLICT:
        reply_error(req, 409, "conflict", msg ? msg : "状态冲突", err->field);
        break;
    case APP_EFORBIDDEN:
        reply_error(req, 403, "forbidden", msg ? msg : "您没有此操作的权限", err->field);
        break;
    case APP_EAUTH:
        reply_error(req, 401, "unauthenticated", msg ? msg : "请先登录", err->field);
        break;
    case APP_ELOCKED:
        reply_error(req, 423, "locked", msg ? msg : "账号已锁定", err->field);
        break;
    case APP_EBUSY:
        reply_error(req, 429, "busy", msg ? msg : "系统繁忙，请稍后再试", err->field);
        break;
    case APP_EBADREQ:
        reply_error(req, 400, "bad_request", msg ? msg : "请求格式有误", err->field);
        break;
    default:
        /* Internals go to the log, never to the client. */
        log_error("api: %s %s failed (%d): %s", req->method, req->path, code,
                  msg ? msg : "(no detail)");
        reply_error(req, 500, "internal", "系统内部错误，请稍后重试或联系管理员", NULL);
        break;
    }
}

/*---- Helpers for handlers ----*/

int api_body_object(struct api_ctx *ctx, struct app_err *err)
{
    if (!json_is_object(ctx->body))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    return 0;
}

const char *api_body_str(struct api_ctx *ctx, const char *key)
{
    return json_string_value(json_object_get(ctx->body, key));
}

int api_query_project(struct api_ctx *ctx, int64_t *pid, struct app_err *err)
{
    const char *s = http_query(ctx->http, "project_id");
    *pid = 0;
    if (s && (app_parse_int64(pid, s) < 0 || *pid < 1))
        return app_err_set(err, APP_EBADREQ, "project_id", "project_id 应为项目编号");
    return 0;
}

/*---- Routing ----*/

static int is_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* Does route r serve path (with a declared entity, where it names one)?
 * 0 no, 1 yes, 2 the path but not this method, 3 yes but with a malformed id. */
static int route_matches(const struct api_route *r,
                         const char *path,
                         struct route_params *p,
                         const struct entity **e)
{
    *e = NULL;
    enum router_result m = router_match(r->pattern, path, p);
    if (m == ROUTER_NO_MATCH)
        return 0;
    const char *name = router_param(p, "entity");
    if (name) {
        *e = entity_find(name);
        if (*e == NULL)
            return 0;
        /* Entities without writes have no write routes at all. */
        if (r->perm && strcmp(r->perm, "@write") == 0 &&
            ((*e)->write_perm == NULL || ((*e)->flags & E_READONLY) ||
             (((*e)->flags & E_NO_CREATE) && strcmp(r->method, "POST") == 0)))
            return 2; /* path known, method not */
    }
    return m == ROUTER_BAD_ID ? 3 : 1;
}

static const char *route_perm(const struct api_route *r, const struct entity *e)
{
    if (r->perm == NULL || r->perm[0] != '@' || e == NULL)
        return r->perm;
    if (strcmp(r->perm, "@read") == 0)
        return e->read_perm;
    if (strcmp(r->perm, "@write") == 0)
        return e->write_perm;
    if (strcmp(r->perm, "@export") == 0)
        return e->export_perm;
    return "?";
}

static const char *bearer_token(struct http_req *req)
{
    const char *h = http_header(req, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    return NULL;
}

void api_handle(struct http_req *req, void *payload)
{
    struct api_app *app = payload;
    struct api_ctx ctx;
    struct app_err err;
    memset(&ctx, 0, sizeof(ctx));
    memset(&err, 0, sizeof(err));
    ctx.app = app;
    ctx.http = req;
    ctx.status = 200;

    if (strncmp(req->path, "/api/", 5) != 0) {
        api_static(req, app);
        return;
    }
    if (req->too_large) {
        reply_error(req, 413, "too_large",
                    req->max_body == API_MAX_IMPORT ? "文件超过 64 MiB 上限，请拆分后导入"
                    : req->max_body == API_MAX_ATTACHMENT ? "附件超过 10 MiB 上限"
                                                          : "请求体超过 1 MiB 上限",
                    NULL);
        return;
    }
    int path_known = 0, bad_id = 0;
    for (size_t i = 0; i < api_routes_count; i++) {
        const struct api_route *r = &api_routes[i];
        struct route_params p;
        const struct entity *e;
        int m = route_matches(r, req->path, &p, &e);
        if (m == 3)
            bad_id = 1; /* /users/abc: this route's shape, a malformed id */
        if (m == 0 || m == 3)
            continue;
        path_known = 1;
        if (m == 2 || strcmp(r->method, req->method) != 0)
            continue;
        ctx.route = r;
        ctx.params = p;
        ctx.entity = e;
        break;
    }
    if (ctx.route == NULL) {
        if (path_known)
            reply_error(req, 405, "method_not_allowed", "不支持此请求方法", NULL);
        else if (bad_id)
            reply_error(req, 400, "bad_request", "编号应为正整数", "id");
        else
            reply_error(req, 404, "not_found", "没有这个接口", NULL);
        return;
    }
    const char *id = router_param(&ctx.params, "id");
    if (id)
        app_parse_int64(&ctx.id, id);

    const char *perm = route_perm(ctx.route, ctx.entity);
    int rc = 0;
    if (perm != NULL) {
        const char *tok = bearer_token(req);
        if (tok == NULL) {
            tok = http_cookie(req, "anjia_session");
            ctx.via_cookie = tok != NULL;
        }
        ctx.token = tok;
        ctx.conn = db_acquire(app->db);
        rc = auth_session(&ctx.user, ctx.conn, tok);
        if (rc < 0) {
            if (rc == APP_EAUTH)
                reply_error(req, 401, "unauthenticated", "请先登录", NULL);
            else
                reply_app_error(req, &err, rc);
            goto done;
        }
        req->user_id = ctx.user->id;
        if (ctx.via_cookie && is_unsafe(req->method)) {
            const char *h = http_header(req, "X-CSRF-Token");
            if (h == NULL || ctx.user->csrf[0] == '\0' || strcmp(h, ctx.user->csrf) != 0) {
                reply_error(req, 403, "csrf", "缺少或错误的 CSRF 校验，请刷新页面后重试", NULL);
                goto done;
            }
        }
        if (!auth_has(ctx.user, perm)) {
            reply_error(req, 403, "forbidden", "您没有此操作的权限", NULL);
            goto done;
        }
    }
    if (req->body_len > 0 && !(ctx.route->flags & ROUTE_RAW_BODY)) {
        json_error_t jerr;
        ctx.body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (ctx.body == NULL) {
            reply_error(req, 400, "bad_json", "请求体不是有效的 JSON", NULL);
            goto done;
        }
    }
    /* A handler that takes connections of its own (login: none is held while
     * the password hashes) must not hold one already: with every connection
     * held by such handlers, none would ever be free. */
    if (ctx.conn == NULL && !(ctx.route->flags & ROUTE_OWN_TX))
        ctx.conn = db_acquire(app->db);
    if (ctx.route->flags & ROUTE_OWN_TX) {
        rc = ctx.route->fn(&ctx, &err);
    } else {
        rc = db_begin(ctx.conn, is_unsafe(req->method));
        if (rc == 0) {
            rc = ctx.route->fn(&ctx, &err);
            if (rc == 0)
                rc = db_commit(ctx.conn);
            else
                db_rollback(ctx.conn);
        }
    }
    if (rc < 0) {
        reply_app_error(req, &err, rc);
        goto done;
    }
    if (ctx.raw) {
        http_reply(req, ctx.status, ctx.raw_type, ctx.raw, ctx.raw_len);
        ctx.raw = NULL;
    } else if (ctx.reply) {
        reply_json(req, ctx.status, ctx.reply);
    } else {
        http_reply(req, ctx.status == 200 ? 204 : ctx.status, NULL, NULL, 0);
    }
done:
    json_decref(ctx.body);
    json_decref(ctx.reply);
    free(ctx.raw);
    auth_user_free(ctx.user);
    db_release(ctx.conn);
}

size_t api_body_limit(const char *method, const char *path)
{
    if (strcmp(method, "POST") == 0 && strcmp(path, "/api/v1/imports") == 0)
        return API_MAX_IMPORT;
    if (strcmp(method, "POST") == 0 && strcmp(path, "/api/v1/attachments") == 0)
        return API_MAX_ATTACHMENT;
    return HTTP_MAX_BODY;
}

void api_print_routes(FILE *fp)
{
    for (size_t i = 0; i < api_routes_count; i++) {
        const struct api_route *r = &api_routes[i];
        if (strstr(r->pattern, "{entity}") == NULL) {
            json_t *o = json_pack("{s:s, s:s, s:s?}", "method", r->method, "path", r->pattern,
                                  "perm", r->perm);
            char *line = json_dumps(o, JSON_COMPACT);
            fprintf(fp, "%s\n", line);
            free(line);
            json_decref(o);
            continue;
        }
        for (size_t k = 0; k < entities_count; k++) {
            const struct entity *e = entities[k];
            struct route_params p;
            const struct entity *found;
            char path[256];
            const char *at = strstr(r->pattern, "{entity}");
            snprintf(path, sizeof(path), "%.*s%s%s", (int)(at - r->pattern), r->pattern, e->name,
                     at + 8);
            if (route_matches(r, path, &p, &found) == 0 && strstr(path, "{id}") == NULL)
                continue;
            if (r->perm && strcmp(r->perm, "@write") == 0 &&
                (e->write_perm == NULL || (e->flags & E_READONLY) ||
                 ((e->flags & E_NO_CREATE) && strcmp(r->method, "POST") == 0)))
                continue;
            /* An expansion shadowed by a specific route earlier in the table is not a route. */
            int shadowed = 0;
            for (size_t j = 0; j < i; j++)
                shadowed |= strcmp(api_routes[j].method, r->method) == 0 &&
                            strcmp(api_routes[j].pattern, path) == 0;
            if (shadowed)
                continue;
            json_t *o = json_pack("{s:s, s:s, s:s?}", "method", r->method, "path", path, "perm",
                                  route_perm(r, e));
            char *line = json_dumps(o, JSON_COMPACT);
            fprintf(fp, "%s\n", line);
            free(line);
            json_decref(o);
        }
    }
}

void api_download(struct api_ctx *ctx, const char *type, const char *ascii_name, const char *name)
{
    char enc[512], disp[800];
    api_encode_filename(enc, sizeof(enc), name);
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii_name,
             enc);
    http_add_header(ctx->http, "Content-Disposition", disp);
    ctx->raw_type = type;
}
