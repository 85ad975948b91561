/*
 * api_approval.c - approvals (inbox, submit, act, resubmit), template
 * import/export, delegations, notifications, attachments, and the register
 * actions (stamping a seal use, repaying a loan, adjusting stock).
 */
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "domain/approval.h"
#include "domain/approval_handlers.h"
#include "domain/audit.h"
#include "domain/query.h"
#include "domain/ticket.h"

static int reply_request(struct api_ctx *ctx, int64_t id, struct app_err *err)
{
    return approval_get(&ctx->reply, ctx->conn, ctx->user, id, err);
}

static int
query_int(struct api_ctx *ctx, const char *key, int64_t *out, int64_t dflt, struct app_err *err)
{
    const char *v = http_query(ctx->http, key);
    *out = dflt;
    if (v && app_parse_int64(out, v) < 0)
        return app_err_set(err, APP_EBADREQ, key, "%s 应为整数", key);
    return 0;
}

int api_approvals_list(struct api_ctx *ctx, struct app_err *err)
{
    int64_t limit, offset;
    int rc = query_int(ctx, "limit", &limit, 40, err);
    if (rc == 0)
        rc = query_int(ctx, "offset", &offset, 0, err);
    if (rc < 0)
        return rc;
    if (limit < 1 || limit > 200 || offset < 0)
        return app_err_set(err, APP_EBADREQ, "limit", "limit 应在 1 到 200 之间");
    return approval_inbox(&ctx->reply, ctx->conn, ctx->user, http_query(ctx->http, "box"),
                          http_query(ctx->http, "status"), limit, offset, err);
}

int api_approvals_counts(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    return approval_counts(&ctx->reply, ctx->conn, ctx->user);
}

int api_approvals_submit(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *pid = json_object_get(ctx->body, "project_id");
    if (pid && !json_is_null(pid) && !json_is_integer(pid))
        return app_err_set(err, APP_EINVAL, "project_id", "项目应为编号");
    const char *title = api_body_str(ctx, "title");
    if (title && strlen(title) > 200)
        return app_err_set(err, APP_EINVAL, "title", "标题不能超过 200 个字符");
    int64_t id = 0;
    rc = approval_submit(&id, ctx->conn, ctx->user, api_body_str(ctx, "template"), title,
                         json_object_get(ctx->body, "data"), json_integer_value(pid), NULL, 0, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return reply_request(ctx, id, err);
}

int api_approvals_get(struct api_ctx *ctx, struct app_err *err)
{
    return reply_request(ctx, ctx->id, err);
}

int api_approvals_act(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *to = json_object_get(ctx->body, "to_user");
    if (to && !json_is_integer(to))
        return app_err_set(err, APP_EINVAL, "to_user", "请选择转交的用户");
    rc = approval_act(ctx->conn, ctx->user, ctx->id, api_body_str(ctx, "action"),
                      api_body_str(ctx, "comment"), json_integer_value(to),
                      json_object_get(ctx->body, "updates"), err);
    if (rc < 0)
        return rc;
    return reply_request(ctx, ctx->id, err);
}

int api_approvals_resubmit(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = approval_resubmit(ctx->conn, ctx->user, ctx->id, json_object_get(ctx->body, "data"), err);
    if (rc < 0)
        return rc;
    return reply_request(ctx, ctx->id, err);
}

/* What approval forms pick from, for anyone who files requests: office
 * supplies with stock, assets in use, the caller's own open loans, and
 * colleagues (names and departments only). */
int api_approvals_lookup(struct api_ctx *ctx, struct app_err *err)
{
    const char *type = http_query(ctx->http, "type");
    const char *q = http_query(ctx->http, "q");
    char pat[140];
    snprintf(pat, sizeof(pat), "%%%s%%", q && strlen(q) < 100 ? q : "");
    if (!app_utf8_valid(pat, strlen(pat)))
        return app_err_set(err, APP_EBADREQ, "q", "q 不是有效的 UTF-8");
    struct db_params p = {0};
    const char *sql;
    if (type && strcmp(type, "supply") == 0) {
        sql = "SELECT id, name, unit, stock FROM office_supplies WHERE name LIKE ? ORDER BY name"
              " LIMIT 200";
        db_params_text(&p, pat);
    } else if (type && strcmp(type, "asset") == 0) {
        sql = "SELECT id, code, name, location FROM fixed_assets WHERE status = 'in_use' AND"
              " (name LIKE ? OR code LIKE ?) ORDER BY code LIMIT 200";
        db_params_text(&p, pat);
        db_params_text(&p, pat);
    } else if (type && strcmp(type, "loan") == 0) {
        sql = "SELECT id, purpose, amount_fen, amount_fen - repaid_fen AS owed_fen, created_at"
              " FROM employee_loans WHERE user_id = ? AND status = 'outstanding' ORDER BY id";
        db_params_int(&p, ctx->user->id);
    } else if (type && strcmp(type, "user") == 0) {
        sql = "SELECT id, display_name AS name, department FROM users WHERE status = 'active'"
              " AND (display_name LIKE ? OR username LIKE ?) ORDER BY department, id LIMIT 200";
        db_params_text(&p, pat);
        db_params_text(&p, pat);
    } else {
        return app_err_set(err, APP_EBADREQ, "type", "type 应为 supply、asset、loan 或 user");
    }
    json_t *items = NULL;
    int rc = query_rows(&items, ctx->conn, sql, &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:o}", "items", items);
    return 0;
}

/*---- Templates as JSON files ----*/

static json_t *template_json(json_t *row)
{
    json_t *form = json_loads(json_string_value(json_object_get(row, "form_json")), 0, NULL);
    json_t *steps = json_loads(json_string_value(json_object_get(row, "steps_json")), 0, NULL);
    return json_pack(
            "{s:O, s:O, s:O, s:O, s:o, s:o, s:O, s:O, s:b}", "code", json_object_get(row, "code"),
            "name", json_object_get(row, "name"), "category", json_object_get(row, "category"),
            "description", json_object_get(row, "description"), "form", form ? form : json_null(),
            "steps", steps ? steps : json_null(), "handler", json_object_get(row, "handler"),
            "amount_field", json_object_get(row, "amount_field"), "enabled",
            json_integer_value(json_object_get(row, "enabled")) != 0);
}

int api_templates_export(struct api_ctx *ctx, struct app_err *err)
{
    json_t *rows = NULL;
    struct db_params p = {0};
    int rc;
    if (ctx->id) {
        db_params_int(&p, ctx->id);
        rc = query_rows(&rows, ctx->conn, "SELECT * FROM approval_templates WHERE id = ?", &p);
    } else {
        rc = query_rows(&rows, ctx->conn, "SELECT * FROM approval_templates ORDER BY id", NULL);
    }
    db_params_free(&p);
    if (rc < 0)
        return rc;
    if (ctx->id && json_array_size(rows) == 0) {
        json_decref(rows);
        return app_err_set(err, APP_ENOTFOUND, NULL, "审批模板不存在");
    }
    json_t *out = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) json_array_append_new(out, template_json(row));
    json_decref(rows);
    ctx->reply =
            ctx->id ? json_incref(json_array_get(out, 0)) : json_pack("{s:O}", "templates", out);
    json_decref(out);
    http_add_header(ctx->http, "Content-Disposition",
                    "attachment; filename=\"approval-templates.json\"");
    return 0;
}

static int import_one(struct api_ctx *ctx, json_t *t, int *created, struct app_err *err)
{
    const char *code = json_string_value(json_object_get(t, "code"));
    const char *name = json_string_value(json_object_get(t, "name"));
    const char *category = json_string_value(json_object_get(t, "category"));
    if (code == NULL || name == NULL || category == NULL)
        return app_err_set(err, APP_EINVAL, "code", "模板需要 code、name 和 category");
    json_t *form = json_object_get(t, "form"), *steps = json_object_get(t, "steps");
    int rc = approval_template_check(form, steps, err);
    if (rc < 0)
        return rc;
    const char *handler = json_string_value(json_object_get(t, "handler"));
    if (handler && approval_find_handler(handler) == NULL)
        return app_err_set(err, APP_EINVAL, "handler", "未知的处理器: %s", handler);
    char *f = json_dumps(form, JSON_COMPACT), *s = json_dumps(steps, JSON_COMPACT);
    char at[32];
    time_now_iso(at, sizeof(at));
    int64_t id = 0;
    rc = db_query_int64(ctx->conn, &id, "SELECT id FROM approval_templates WHERE code = ?", "t",
                        code);
    json_t *en = json_object_get(t, "enabled");
    int64_t enabled = en == NULL || json_is_true(en);
    const char *desc = json_string_value(json_object_get(t, "description"));
    const char *amount = json_string_value(json_object_get(t, "amount_field"));
    if (rc == APP_ENOTFOUND) {
        *created = 1;
        rc = db_query_int64(
                ctx->conn, &id,
                "INSERT INTO approval_templates (code, name, category, description,"
                " form_json, steps_json, handler, amount_field, enabled, version,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,1,?,?) RETURNING id",
                "ttttttttitt", code, name, category, desc, f, s, handler, amount, enabled, at, at);
    } else if (rc == 0) {
        *created = 0;
        rc = db_run(ctx->conn,
                    "UPDATE approval_templates SET name = ?, category = ?, description = ?,"
                    " form_json = ?, steps_json = ?, handler = ?, amount_field = ?, enabled = ?,"
                    " version = version + 1, updated_at = ? WHERE id = ?",
                    "tttttttiti", name, category, desc, f, s, handler, amount, enabled, at, id);
    }
    free(f);
    free(s);
    if (rc < 0)
        return rc;
    json_t *detail = json_pack("{s:s, s:b}", "code", code, "created", *created);
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, *created ? "create" : "update",
                      "approval-templates", id, NULL, detail);
    json_decref(detail);
    return rc;
}

int api_templates_import(struct api_ctx *ctx, struct app_err *err)
{
    json_t *list = json_object_get(ctx->body, "templates");
    if (json_is_object(ctx->body) && list == NULL)
        list = json_pack("[O]", ctx->body);
    else
        json_incref(list);
    if (!json_is_array(list)) {
        json_decref(list);
        return app_err_set(err, APP_EINVAL, "templates", "应为模板对象或 {\"templates\": [...]}");
    }
    int created = 0, updated = 0, rc = 0;
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t)
    {
        int was_created = 0;
        rc = import_one(ctx, t, &was_created, err);
        if (rc < 0) {
            char msg[sizeof(err->message)], field[sizeof(err->field)];
            app_strlcpy(msg, err->message, sizeof(msg));
            app_strlcpy(field, err->field, sizeof(field));
            app_err_set(err, rc, field, "第 %zu 个模板：%s", i + 1, msg);
            break;
        }
        created += was_created;
        updated += !was_created;
    }
    json_decref(list);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:i, s:i}", "created", created, "updated", updated);
    return 0;
}

/*---- Delegations ----*/

int api_delegations_list(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    struct db_params p = {0};
    db_params_int(&p, ctx->user->id);
    db_params_int(&p, ctx->user->id);
    json_t *items = NULL;
    int rc = query_rows(&items, ctx->conn,
                        "SELECT d.id, d.user_id, u1.display_name AS user_name, d.delegate_id,"
                        " u2.display_name AS delegate_name, d.start_date, d.end_date, d.note,"
                        " d.status, d.created_at FROM approval_delegations d"
                        " JOIN users u1 ON u1.id = d.user_id JOIN users u2 ON u2.id = d.delegate_id"
                        " WHERE d.user_id = ? OR d.delegate_id = ? ORDER BY d.id DESC",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:o}", "items", items);
    return 0;
}

int api_delegations_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *d = json_object_get(ctx->body, "delegate_id");
    const char *from = api_body_str(ctx, "start_date"), *to = api_body_str(ctx, "end_date");
    const char *note = api_body_str(ctx, "note");
    int y, m, dd;
    if (!json_is_integer(d) || json_integer_value(d) == ctx->user->id)
        return app_err_set(err, APP_EINVAL, "delegate_id", "请选择代理人（不能是自己）");
    if (from == NULL || date_parse(&y, &m, &dd, from) < 0)
        return app_err_set(err, APP_EINVAL, "start_date", "开始日期应为 YYYY-MM-DD");
    if (to == NULL || date_parse(&y, &m, &dd, to) < 0)
        return app_err_set(err, APP_EINVAL, "end_date", "结束日期应为 YYYY-MM-DD");
    if (strcmp(from, to) > 0)
        return app_err_set(err, APP_EINVAL, "end_date", "结束日期不能早于开始日期");
    if (note && strlen(note) > 500)
        return app_err_set(err, APP_EINVAL, "note", "备注不能超过 500 个字符");
    int64_t n = 0;
    rc = db_query_int64(ctx->conn, &n,
                        "SELECT COUNT(*) FROM users WHERE id = ? AND status ="
                        " 'active'",
                        "i", (int64_t)json_integer_value(d));
    if (rc < 0)
        return rc;
    if (n == 0)
        return app_err_set(err, APP_EINVAL, "delegate_id", "代理人不存在或已停用");
    char at[32];
    time_now_iso(at, sizeof(at));
    int64_t id = 0;
    rc = db_query_int64(ctx->conn, &id,
                        "INSERT INTO approval_delegations (user_id, delegate_id, start_date,"
                        " end_date, note, status, created_at) VALUES (?,?,?,?,?,'active',?)"
                        " RETURNING id",
                        "iitttt", ctx->user->id, (int64_t)json_integer_value(d), from, to, note,
                        at);
    if (rc < 0)
        return rc;
    json_t *detail = json_pack("{s:I, s:s, s:s}", "delegate_id", (json_int_t)json_integer_value(d),
                               "start_date", from, "end_date", to);
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "create",
                      "approval-delegations", id, NULL, detail);
    json_decref(detail);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    ctx->reply = json_pack("{s:I}", "id", (json_int_t)id);
    return 0;
}

int api_delegations_revoke(struct api_ctx *ctx, struct app_err *err)
{
    int rc = db_run(ctx->conn,
                    "UPDATE approval_delegations SET status = 'revoked' WHERE id = ? AND"
                    " user_id = ? AND status = 'active'",
                    "ii", ctx->id, ctx->user->id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return app_err_set(err, APP_ENOTFOUND, NULL, "没有这条有效的代理设置");
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "update",
                      "approval-delegations", ctx->id, NULL, NULL);
    if (rc < 0)
        return rc;
    ctx->status = 204;
    return 0;
}

/*---- Notifications ----*/

int api_notifications_list(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    struct db_params p = {0};
    db_params_int(&p, ctx->user->id);
    json_t *items = NULL;
    int rc = query_rows(&items, ctx->conn,
                        "SELECT id, at, kind, title, link, read_at FROM notifications"
                        " WHERE user_id = ? ORDER BY (read_at IS NULL) DESC, id DESC LIMIT 50",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:o}", "items", items);
    return 0;
}

int api_notifications_read(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = ctx->id ? db_run(ctx->conn,
                              "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ?"
                              " AND read_at IS NULL",
                              "tii", at, ctx->id, ctx->user->id)
                     : db_run(ctx->conn,
                              "UPDATE notifications SET read_at = ? WHERE user_id = ? AND"
                              " read_at IS NULL",
                              "ti", at, ctx->user->id);
    if (rc < 0)
        return rc;
    ctx->status = 204;
    return 0;
}

/*---- Attachments ----*/

#define ATTACH_MAX (10u << 20)

/* The kinds of file staff attach: photos, PDFs, Office documents, text. */
static const char *sniff_type(const unsigned char *d, size_t n, const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (n >= 3 && memcmp(d, "\xFF\xD8\xFF", 3) == 0)
        return "image/jpeg";
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
        return "application/pdf";
    if (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0 && dot &&
        (strcmp(dot, ".xlsx") == 0 || strcmp(dot, ".docx") == 0 || strcmp(dot, ".pptx") == 0))
        return strcmp(dot, ".xlsx") == 0
                       ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
               : strcmp(dot, ".docx") == 0
                       ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                       : "application/"
                         "vnd.openxmlformats-officedocument.presentationml.presentation";
    if (dot && strcmp(dot, ".txt") == 0 && app_utf8_valid((const char *)d, n) &&
        memchr(d, 0, n) == NULL)
        return "text/plain; charset=utf-8";
    return NULL;
}

/* The stored type as a string that outlives the row it came from. */
static const char *known_type(const char *t)
{
    static const char *const types[] = {
            "image/jpeg",
            "image/png",
            "application/pdf",
            "text/plain; charset=utf-8",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"};
    for (size_t i = 0; t && i < ARRAY_LEN(types); i++)
        if (strcmp(types[i], t) == 0)
            return types[i];
    return "application/octet-stream";
}

/* May who see (and attach to) the record owner#id? */
static int owner_visible(struct api_ctx *ctx, const char *owner, int64_t id, struct app_err *err)
{
    if (strcmp(owner, "approval_requests") == 0) {
        json_t *req = NULL;
        int rc = approval_get(&req, ctx->conn, ctx->user, id, err);
        json_decref(req);
        return rc;
    }
    if (strcmp(owner, "newsletters") == 0) {
        json_t *n = NULL;
        if (!auth_has(ctx->user, "newsletter.read"))
            return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有查看客户通讯的权限");
        int rc = entity_get(&n, ctx->conn, entity_find("newsletters"), ctx->user, id, err);
        json_decref(n);
        return rc;
    }
    if (strcmp(owner, "inspection_defects") == 0) {
        int64_t project = 0;
        if (!auth_has(ctx->user, "handover.read"))
            return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有查看交付记录的权限");
        if (db_query_int64(ctx->conn, &project,
                           "SELECT project_id FROM inspection_defects WHERE id = ?", "i", id) < 0)
            return app_err_set(err, APP_ENOTFOUND, NULL, "问题不存在");
        if (!auth_in_scope(ctx->user, project))
            return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
        return 0;
    }
    if (strcmp(owner, "tickets") == 0) {
        if (!auth_has(ctx->user, "ticket.read"))
            return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有查看工单的权限");
        return ticket_visible(ctx->conn, ctx->user, id, err);
    }
    return app_err_set(err, APP_EINVAL, "entity", "不能给这种记录添加附件: %s", owner);
}

int api_attachments_upload(struct api_ctx *ctx, struct app_err *err)
{
    const char *owner = http_query(ctx->http, "entity");
    const char *name = http_query(ctx->http, "file_name");
    int64_t id = 0;
    int rc = query_int(ctx, "id", &id, 0, err);
    if (rc < 0)
        return rc;
    if (owner == NULL || id <= 0)
        return app_err_set(err, APP_EBADREQ, "entity", "需要 entity 和 id");
    if (name == NULL || *name == '\0' || strlen(name) > 200 || strchr(name, '/') ||
        !app_utf8_valid(name, strlen(name)))
        return app_err_set(err, APP_EINVAL, "file_name", "文件名无效");
    rc = owner_visible(ctx, owner, id, err);
    if (rc < 0)
        return rc;
    size_t len = ctx->http->body_len;
    if (len == 0)
        return app_err_set(err, APP_EINVAL, "file", "文件是空的");
    const char *type = sniff_type((const unsigned char *)ctx->http->body, len, name);
    if (type == NULL)
        return app_err_set(err, APP_EINVAL, "file",
                           "只能上传图片（JPG、PNG）、PDF、Word/Excel/PowerPoint 或文本文件");
    char sha[CRYPTO_HASH_HEX], at[32];
    crypto_hash_hex(sha, ctx->http->body, len);
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64len);
    sodium_bin2base64(b64, b64len, (const unsigned char *)ctx->http->body, len,
                      sodium_base64_VARIANT_ORIGINAL);
    time_now_iso(at, sizeof(at));
    int64_t aid = 0;
    rc = db_query_int64(ctx->conn, &aid,
                        "INSERT INTO attachments (owner_entity, owner_id, file_name, content_type,"
                        " size, sha256, data_b64, uploaded_by, uploaded_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                        "tittittit", owner, id, name, type, (int64_t)len, sha, b64, ctx->user->id,
                        at);
    free(b64);
    if (rc < 0)
        return rc;
    json_t *detail = json_pack("{s:s, s:s, s:I}", "file_name", name, "owner", owner, "owner_id",
                               (json_int_t)id);
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "create", "attachments", aid,
                      NULL, detail);
    json_decref(detail);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    ctx->reply = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)aid, "file_name", name,
                           "content_type", type, "size", (json_int_t)len);
    return 0;
}

int api_attachments_get(struct api_ctx *ctx, struct app_err *err)
{
    json_t *row = NULL;
    struct db_params p = {0};
    db_params_int(&p, ctx->id);
    int rc = query_row(&row, ctx->conn,
                       "SELECT owner_entity, owner_id, file_name, content_type, data_b64"
                       " FROM attachments WHERE id = ?",
                       &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "附件不存在");
    if (rc < 0)
        return rc;
    rc = owner_visible(ctx, json_string_value(json_object_get(row, "owner_entity")),
                       json_integer_value(json_object_get(row, "owner_id")), err);
    if (rc < 0) {
        json_decref(row);
        return rc;
    }
    const char *b64 = json_string_value(json_object_get(row, "data_b64"));
    size_t cap = strlen(b64), len = 0;
    unsigned char *bin = xmalloc(cap + 1);
    if (sodium_base642bin(bin, cap + 1, b64, strlen(b64), NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(bin);
        json_decref(row);
        return app_err_set(err, APP_EINTERNAL, NULL, "附件已损坏");
    }
    ctx->raw = (char *)bin;
    ctx->raw_len = len;
    ctx->raw_type = known_type(json_string_value(json_object_get(row, "content_type")));
    char enc[700], disp[800];
    api_encode_filename(enc, sizeof(enc), json_string_value(json_object_get(row, "file_name")));
    snprintf(disp, sizeof(disp), "attachment; filename=\"attachment-%lld\"; filename*=UTF-8''%s",
             (long long)ctx->id, enc);
    http_add_header(ctx->http, "Content-Disposition", disp);
    json_decref(row);
    return 0;
}

/*---- Register actions ----*/

int api_seal_stamp(struct api_ctx *ctx, struct app_err *err)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    const char *note = json_is_object(ctx->body) ? api_body_str(ctx, "note") : NULL;
    int rc = db_run(ctx->conn,
                    "UPDATE seal_uses SET stamped_by = ?, stamped_at = ?, note = COALESCE(?, note)"
                    " WHERE id = ? AND stamped_at IS NULL",
                    "ttti", ctx->user->display_name, at, note, ctx->id);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        int64_t n = 0;
        db_query_int64(ctx->conn, &n, "SELECT COUNT(*) FROM seal_uses WHERE id = ?", "i", ctx->id);
        return n ? app_err_set(err, APP_ECONFLICT, NULL, "已盖章登记")
                 : app_err_set(err, APP_ENOTFOUND, NULL, "用章记录不存在");
    }
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "update", "seal-uses", ctx->id,
                      NULL, NULL);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("seal-uses"), ctx->user, ctx->id, err);
}

int api_loan_repay(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *amount = json_object_get(ctx->body, "amount_fen");
    if (!json_is_integer(amount) || json_integer_value(amount) <= 0)
        return app_err_set(err, APP_EINVAL, "amount_fen", "还款金额应为正整数（分）");
    rc = loan_repay(ctx->conn, ctx->id, json_integer_value(amount), "cash", 0,
                    api_body_str(ctx, "note"), err);
    if (rc < 0)
        return rc;
    json_t *detail = json_pack("{s:I}", "amount_fen", (json_int_t)json_integer_value(amount));
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "update", "employee-loans",
                      ctx->id, NULL, detail);
    json_decref(detail);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("employee-loans"), ctx->user, ctx->id,
                      err);
}

int api_supply_adjust(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *qty = json_object_get(ctx->body, "qty");
    const char *note = api_body_str(ctx, "note");
    if (!json_is_integer(qty) || json_integer_value(qty) == 0)
        return app_err_set(err, APP_EINVAL, "qty", "调整数量应为非零整数（入库为正，出库为负）");
    if (note == NULL || *note == '\0')
        return app_err_set(err, APP_EINVAL, "note", "请填写调整原因");
    int64_t q = json_integer_value(qty);
    rc = db_run(ctx->conn,
                "UPDATE office_supplies SET stock = stock + ? WHERE id = ? AND stock + ? >= 0",
                "iii", q, ctx->id, q);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return app_err_set(err, APP_EINVAL, "qty", "库存不足或物品不存在");
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(ctx->conn, "INSERT INTO supply_moves (supply_id, qty, at, note) VALUES (?,?,?,?)",
                "iitt", ctx->id, q, at, note);
    if (rc < 0)
        return rc;
    json_t *detail = json_pack("{s:I, s:s}", "qty", (json_int_t)q, "note", note);
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "update", "office-supplies",
                      ctx->id, NULL, detail);
    json_decref(detail);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("office-supplies"), ctx->user, ctx->id,
                      err);
}

int api_attachments_list(struct api_ctx *ctx, struct app_err *err)
{
    const char *owner = http_query(ctx->http, "entity");
    const char *ids = http_query(ctx->http, "id");
    int64_t id = 0;
    if (owner == NULL || *owner == '\0')
        return app_err_set(err, APP_EINVAL, "entity", "请指明记录类型");
    if (ids == NULL || app_parse_int64(&id, ids) < 0 || id <= 0)
        return app_err_set(err, APP_EINVAL, "id", "请指明记录");
    int rc = owner_visible(ctx, owner, id, err);
    if (rc < 0)
        return rc;
    json_t *rows = NULL;
    struct db_params p = {0};
    db_params_text(&p, owner);
    db_params_int(&p, id);
    rc = query_rows(&rows, ctx->conn,
                    "SELECT id, file_name, content_type, size, uploaded_at FROM attachments WHERE"
                    " owner_entity = ? AND owner_id = ? ORDER BY id",
                    &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:o}", "items", rows);
    return 0;
}
