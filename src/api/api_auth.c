/*
 * api_auth.c - login, logout, the caller's own account, and the user
 * administration actions that are not plain field edits.
 */
#include <string.h>

#include "api.h"
#include "core/crypto.h"
#include "domain/audit.h"
#include "domain/rbac.h"

int api_health(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    ctx->reply = json_pack("{s:s}", "status", "ok");
    return 0;
}

static void set_session_cookie(struct api_ctx *ctx, const char *token)
{
    char cookie[160];
    if (token)
        snprintf(cookie, sizeof(cookie), "anjia_session=%s; Path=/; HttpOnly; SameSite=Strict%s",
                 token, ctx->app->cookie_secure ? "; Secure" : "");
    else
        snprintf(cookie, sizeof(cookie),
                 "anjia_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                 ctx->app->cookie_secure ? "; Secure" : "");
    http_add_header(ctx->http, "Set-Cookie", cookie);
}

int api_login(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    const char *user = api_body_str(ctx, "username");
    const char *pass = api_body_str(ctx, "password");
    if (user == NULL || *user == '\0')
        return app_err_set(err, APP_EINVAL, "username", "请输入用户名");
    if (pass == NULL || *pass == '\0')
        return app_err_set(err, APP_EINVAL, "password", "请输入密码");
    if (strlen(user) > 64 || strlen(pass) > AUTH_MAX_PASSWORD)
        return app_err_set(err, APP_EAUTH, "password", "用户名或密码错误");
    char token[48], csrf[48];
    int64_t uid = 0;
    rc = auth_login(ctx->app->db, user, pass, token, csrf, &uid, err);
    if (rc < 0)
        return rc;
    struct auth_user *u = NULL;
    ctx->conn = db_acquire(ctx->app->db);
    rc = auth_user_load(&u, ctx->conn, uid);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "登录失败");
    ctx->http->user_id = uid;
    ctx->reply = json_pack("{s:s, s:s, s:o}", "token", token, "csrf", csrf, "user",
                           auth_user_json(u, ctx->conn));
    auth_user_free(u);
    set_session_cookie(ctx, token);
    return 0;
}

int api_logout(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    int rc = auth_logout(ctx->conn, ctx->token);
    if (rc < 0)
        return rc;
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "logout", "users",
                      ctx->user->id, NULL, NULL);
    if (rc < 0)
        return rc;
    set_session_cookie(ctx, NULL);
    ctx->status = 204;
    return 0;
}

int api_me(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    ctx->reply = json_pack("{s:o, s:s}", "user", auth_user_json(ctx->user, ctx->conn), "csrf",
                           ctx->user->csrf);
    return 0;
}

int api_me_password(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    const char *old = api_body_str(ctx, "old_password");
    const char *new_pw = api_body_str(ctx, "new_password");
    if (old == NULL || *old == '\0')
        return app_err_set(err, APP_EINVAL, "old_password", "请输入原密码");
    rc = auth_password_check(new_pw, "new_password", err);
    if (rc < 0)
        return rc;
    char *hash = NULL;
    rc = db_query_text(ctx->conn, &hash, "SELECT password_hash FROM users WHERE id = ?", "i",
                       ctx->user->id);
    if (rc < 0)
        return rc;
    rc = crypto_password_verify(hash, old);
    free(hash);
    if (rc == APP_EBUSY)
        return app_err_set(err, rc, NULL, "系统繁忙，请稍后再试");
    if (rc < 0)
        return app_err_set(err, APP_EINVAL, "old_password", "原密码不正确");
    rc = auth_set_password(ctx->conn, ctx->user->id, new_pw, err);
    if (rc < 0)
        return rc;
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "password_change", "users",
                      ctx->user->id, NULL, NULL);
    if (rc < 0)
        return rc;
    ctx->status = 204;
    return 0;
}

int api_user_password(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = auth_set_password(ctx->conn, ctx->id, api_body_str(ctx, "password"), err);
    if (rc < 0)
        return rc;
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "password_reset", "users",
                      ctx->id, NULL, NULL);
    if (rc < 0)
        return rc;
    ctx->status = 204;
    return 0;
}

int api_user_unlock(struct api_ctx *ctx, struct app_err *err)
{
    int rc = db_run(ctx->conn, "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?",
                    "i", ctx->id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return app_err_set(err, APP_ENOTFOUND, NULL, "用户不存在");
    rc = audit_append(ctx->conn, ctx->user->id, ctx->user->username, "unlock", "users", ctx->id,
                      NULL, NULL);
    if (rc < 0)
        return rc;
    ctx->status = 204;
    return 0;
}

int api_permissions(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    json_t *items = json_array();
    for (const struct field_option *o = rbac_perm_options; o->value; o++)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:s}", "code", o->value, "label", o->label,
                                        "label_en", o->label_en, "group", rbac_group(o->value)));
    ctx->reply = json_pack("{s:o}", "items", items);
    return 0;
}
