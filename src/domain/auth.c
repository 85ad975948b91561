/*
 * auth.c - login, lockout, sessions, and loading the caller's permissions.
 */
#include "auth.h"

#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/timeutil.h"

static int idle_seconds = 480 * 60;

void auth_set_idle_minutes(int minutes)
{
    idle_seconds = (minutes > 0 ? minutes : 480) * 60;
}

void auth_user_free(struct auth_user *u)
{
    if (u == NULL)
        return;
    free(u->username);
    free(u->display_name);
    free(u->department);
    free(u->role_code);
    free(u->role_name);
    free(u->role_name_en);
    for (int i = 0; i < u->n_perms; i++)
        free(u->perms[i]);
    free(u->perms);
    free(u->projects);
    free(u);
}

static char *dup_or_null(const char *s);

struct auth_user *auth_user_dup(const struct auth_user *u)
{
    struct auth_user *d = xcalloc(1, sizeof(*d));
    *d = *u;
    d->username = dup_or_null(u->username);
    d->display_name = dup_or_null(u->display_name);
    d->department = dup_or_null(u->department);
    d->role_code = dup_or_null(u->role_code);
    d->role_name = dup_or_null(u->role_name);
    d->role_name_en = dup_or_null(u->role_name_en);
    d->perms = u->n_perms ? xcalloc((size_t)u->n_perms, sizeof(char *)) : NULL;
    for (int i = 0; i < u->n_perms; i++)
        d->perms[i] = xstrdup(u->perms[i]);
    d->projects = u->n_projects ? xcalloc((size_t)u->n_projects, sizeof(int64_t)) : NULL;
    if (u->n_projects)
        memcpy(d->projects, u->projects, (size_t)u->n_projects * sizeof(int64_t));
    return d;
}

int auth_has(const struct auth_user *u, const char *perm)
{
    if (perm == NULL || *perm == '\0')
        return 1;
    if (u == NULL)
        return 0;
    int lo = 0, hi = u->n_perms - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(u->perms[mid], perm);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

int auth_in_scope(const struct auth_user *u, int64_t project_id)
{
    if (u->all_projects)
        return 1;
    for (int i = 0; i < u->n_projects; i++)
        if (u->projects[i] == project_id)
            return 1;
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

int auth_user_load(struct auth_user **out, struct db_conn *c, int64_t id)
{
    *out = NULL;
    struct db_stmt *s = NULL;
    struct auth_user *u = NULL;
    int rc = db_prepare(&s, c,
                        "SELECT u.id, u.username, u.display_name, u.department, u.role_id,"
                        " r.code, r.name, u.all_projects, r.name_en FROM users u"
                        " JOIN roles r ON r.id = u.role_id WHERE u.id = ? AND u.status = 'active'");
    if (rc < 0)
        goto done;
    db_bind_int64(s, 1, id);
    rc = db_step(s);
    if (rc != DB_ROW) {
        rc = rc < 0 ? rc : APP_ENOTFOUND;
        goto done;
    }
    u = xcalloc(1, sizeof(*u));
    u->id = db_col_int64(s, 0);
    u->username = dup_or_null(db_col_text(s, 1));
    u->display_name = dup_or_null(db_col_text(s, 2));
    u->department = dup_or_null(db_col_text(s, 3));
    u->role_id = db_col_int64(s, 4);
    u->role_code = dup_or_null(db_col_text(s, 5));
    u->role_name = dup_or_null(db_col_text(s, 6));
    u->all_projects = db_col_int64(s, 7) != 0;
    u->role_name_en = dup_or_null(db_col_text(s, 8));
    db_finalize(s);
    s = NULL;

    rc = db_prepare(&s, c, "SELECT perm FROM role_permissions WHERE role_id = ? ORDER BY perm");
    if (rc < 0)
        goto done;
    db_bind_int64(s, 1, u->role_id);
    int cap = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        if (u->n_perms == cap) {
            cap = cap ? cap * 2 : 16;
            u->perms = xrealloc(u->perms, (size_t)cap * sizeof(char *));
        }
        u->perms[u->n_perms++] = xstrdup(db_col_text(s, 0));
    }
    if (rc < 0)
        goto done;
    db_finalize(s);
    s = NULL;

    rc = db_prepare(&s, c,
                    "SELECT project_id FROM user_projects WHERE user_id = ? ORDER BY project_id");
    if (rc < 0)
        goto done;
    db_bind_int64(s, 1, u->id);
    cap = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        if (u->n_projects == cap) {
            cap = cap ? cap * 2 : 8;
            u->projects = xrealloc(u->projects, (size_t)cap * sizeof(int64_t));
        }
        u->projects[u->n_projects++] = db_col_int64(s, 0);
    }
    if (rc < 0)
        goto done;
    rc = 0;
    *out = u;
    u = NULL;
done:
    db_finalize(s);
    auth_user_free(u);
    return rc;
}

json_t *auth_user_json(const struct auth_user *u, struct db_conn *c)
{
    json_t *perms = json_array();
    for (int i = 0; i < u->n_perms; i++)
        json_array_append_new(perms, json_string(u->perms[i]));
    json_t *projects = json_array();
    struct db_stmt *s = NULL;
    const char *sql = u->all_projects
                              ? "SELECT id, code, name FROM projects ORDER BY code"
                              : "SELECT p.id, p.code, p.name FROM projects p JOIN user_projects up"
                                " ON up.project_id = p.id WHERE up.user_id = ? ORDER BY p.code";
    if (db_prepare(&s, c, sql) == 0) {
        if (!u->all_projects)
            db_bind_int64(s, 1, u->id);
        while (db_step(s) == DB_ROW)
            json_array_append_new(
                    projects, json_pack("{s:I, s:s?, s:s?}", "id", (json_int_t)db_col_int64(s, 0),
                                        "code", db_col_text(s, 1), "name", db_col_text(s, 2)));
        db_finalize(s);
    }
    return json_pack("{s:I, s:s?, s:s?, s:s?, s:{s:I, s:s?, s:s?, s:s?}, s:o, s:b, s:o}", "id",
                     (json_int_t)u->id, "username", u->username, "display_name", u->display_name,
                     "department", u->department, "role", "id", (json_int_t)u->role_id, "code",
                     u->role_code, "name", u->role_name, "name_en", u->role_name_en, "permissions",
                     perms, "all_projects", u->all_projects, "projects", projects);
}

/*---- Login ----*/

int auth_user_id(struct db_conn *c, const char *username, int64_t *id_out)
{
    return db_query_int64(c, id_out, "SELECT id FROM users WHERE username = ?", "t", username);
}

struct login_row {
    int64_t id;
    char *hash;
    char *status;
    int64_t failed;
    int64_t locked_until;
};

static int load_login_row(struct db_conn *c, const char *username, struct login_row *r)
{
    struct db_stmt *s = NULL;
    memset(r, 0, sizeof(*r));
    int rc = db_prepare(&s, c,
                        "SELECT id, password_hash, status, failed_logins, locked_until"
                        " FROM users WHERE username = ?");
    if (rc < 0)
        return rc;
    db_bind_text(s, 1, username);
    rc = db_step(s);
    if (rc == DB_ROW) {
        r->id = db_col_int64(s, 0);
        r->hash = dup_or_null(db_col_text(s, 1));
        r->status = dup_or_null(db_col_text(s, 2));
        r->failed = db_col_int64(s, 3);
        r->locked_until = db_col_int64(s, 4);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = APP_ENOTFOUND;
    }
    db_finalize(s);
    return rc;
}

/* A hash to verify against when the user does not exist, so a wrong user
 * name costs the same time as a wrong password. */
static const char *dummy_hash(void)
{
    static char hash[crypto_pwhash_STRBYTES];
    static int ready;
    if (!ready) {
        if (crypto_password_hash(hash, sizeof(hash), "anjia-dummy-password") == 0)
            ready = 1;
    }
    return ready ? hash : NULL;
}

static int
record_failure(struct db *db, const struct login_row *r, const char *username, int *locked)
{
    struct db_conn *c = db_acquire(db);
    int64_t now = time_now();
    *locked = 0;
    int rc = db_begin(c, 1);
    if (rc < 0)
        goto done;
    int64_t failed = 0;
    rc = db_query_int64(c, &failed, "SELECT failed_logins FROM users WHERE id = ?", "i", r->id);
    if (rc < 0)
        goto done;
    failed++;
    int64_t until = 0;
    if (failed >= AUTH_MAX_FAILED) {
        until = now + AUTH_LOCK_SECONDS;
        *locked = 1;
    }
    rc = db_run(c,
                "UPDATE users SET failed_logins = ?, locked_until = CASE WHEN ? > 0 THEN ?"
                " ELSE locked_until END WHERE id = ?",
                "iiii", *locked ? (int64_t)0 : failed, until, until, r->id);
    if (rc < 0)
        goto done;
    json_t *detail = json_pack("{s:I}", "failed_logins", (json_int_t)failed);
    rc = audit_append(c, r->id, username, *locked ? "login_locked" : "login_failed", "users", r->id,
                      NULL, detail);
    json_decref(detail);
    if (rc < 0)
        goto done;
    rc = db_commit(c);
done:
    db_release(c);
    return rc;
}

int auth_login(struct db *db,
               const char *username,
               const char *password,
               char *token_out,
               char *csrf_out,
               int64_t *user_id,
               struct app_err *err)
{
    struct login_row r;
    *user_id = 0;
    struct db_conn *c = db_acquire(db);
    int rc = load_login_row(c, username, &r);
    db_release(c);
    if (rc == APP_ENOTFOUND) {
        const char *h = dummy_hash();
        if (h)
            crypto_password_verify(h, password);
        return app_err_set(err, APP_EAUTH, "password", "用户名或密码错误");
    }
    if (rc < 0)
        return app_err_set(err, rc, NULL, "暂时无法登录，请稍后再试");
    int64_t now = time_now();
    if (r.locked_until > now) {
        rc = app_err_set(err, APP_ELOCKED, "username",
                         "连续登录失败次数过多，账号已锁定，请 %lld 分钟后再试或联系管理员解锁",
                         (long long)((r.locked_until - now + 59) / 60));
        goto done;
    }
    rc = crypto_password_verify(r.hash, password);
    if (rc == APP_EBUSY) {
        rc = app_err_set(err, APP_EBUSY, NULL, "登录请求过多，请稍后再试");
        goto done;
    }
    /* Only someone who knows the password learns that the account is off. */
    if (r.status == NULL || strcmp(r.status, "active") != 0) {
        rc = rc == 0 ? app_err_set(err, APP_EFORBIDDEN, "username", "账号已停用，请联系管理员")
                     : app_err_set(err, APP_EAUTH, "password", "用户名或密码错误");
        goto done;
    }
    if (rc < 0) {
        int locked = 0;
        rc = record_failure(db, &r, username, &locked);
        if (rc < 0)
            app_err_set(err, rc, NULL, "暂时无法登录，请稍后再试");
        else if (locked)
            rc = app_err_set(err, APP_ELOCKED, "username",
                             "连续登录失败次数过多，账号已锁定 15 分钟");
        else
            rc = app_err_set(err, APP_EAUTH, "password", "用户名或密码错误");
        goto done;
    }
    /* Success: open the session. */
    char token_hash[CRYPTO_HASH_HEX], at[32];
    crypto_token(token_out, 44);
    crypto_token(csrf_out, 44);
    crypto_hash_hex(token_hash, token_out, strlen(token_out));
    time_now_iso(at, sizeof(at));
    c = db_acquire(db);
    rc = db_begin(c, 1);
    if (rc == 0)
        rc = db_run(c,
                    "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen)"
                    " VALUES (?,?,?,?,?)",
                    "titii", token_hash, r.id, csrf_out, now, now);
    if (rc >= 0)
        rc = db_run(c,
                    "UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = ?"
                    " WHERE id = ?",
                    "ti", at, r.id);
    if (rc >= 0)
        rc = audit_append(c, r.id, username, "login", "users", r.id, NULL, NULL);
    if (rc >= 0)
        rc = db_commit(c);
    db_release(c);
    if (rc < 0) {
        rc = app_err_set(err, rc, NULL, "暂时无法登录，请稍后再试");
        goto done;
    }
    *user_id = r.id;
    rc = 0;
done:
    free(r.hash);
    free(r.status);
    return rc;
}

int auth_session(struct auth_user **out, struct db_conn *c, const char *token)
{
    *out = NULL;
    if (token == NULL || strlen(token) != CRYPTO_TOKEN_CHARS)
        return APP_EAUTH;
    char token_hash[CRYPTO_HASH_HEX];
    crypto_hash_hex(token_hash, token, strlen(token));
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c,
                        "SELECT id, user_id, csrf, last_seen FROM sessions WHERE token_hash = ?");
    if (rc < 0)
        return rc;
    db_bind_text(s, 1, token_hash);
    rc = db_step(s);
    if (rc != DB_ROW) {
        db_finalize(s);
        return rc < 0 ? rc : APP_EAUTH;
    }
    int64_t sid = db_col_int64(s, 0), uid = db_col_int64(s, 1), last = db_col_int64(s, 3);
    char csrf[48];
    app_strlcpy(csrf, db_col_text(s, 2) ? db_col_text(s, 2) : "", sizeof(csrf));
    db_finalize(s);
    int64_t now = time_now();
    if (now - last > idle_seconds) {
        db_run(c, "DELETE FROM sessions WHERE id = ?", "i", sid);
        return APP_EAUTH;
    }
    struct auth_user *u = NULL;
    rc = auth_user_load(&u, c, uid);
    if (rc == APP_ENOTFOUND)
        return APP_EAUTH; /* disabled since */
    if (rc < 0)
        return rc;
    /* Touch at most once a minute: keeps reads mostly read-only. */
    if (now - last >= 60 && !db_in_tx(c))
        db_run(c, "UPDATE sessions SET last_seen = ? WHERE id = ?", "ii", now, sid);
    u->session_id = sid;
    app_strlcpy(u->csrf, csrf, sizeof(u->csrf));
    *out = u;
    return 0;
}

int auth_logout(struct db_conn *c, const char *token)
{
    char token_hash[CRYPTO_HASH_HEX];
    crypto_hash_hex(token_hash, token, strlen(token));
    int rc = db_run(c, "DELETE FROM sessions WHERE token_hash = ?", "t", token_hash);
    return rc < 0 ? rc : 0;
}

/*---- Passwords and users ----*/

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int auth_password_check(const char *password, const char *field, struct app_err *err)
{
    if (password == NULL || utf8_chars(password) < AUTH_MIN_PASSWORD)
        return app_err_set(err, APP_EINVAL, field, "密码至少 %d 位", AUTH_MIN_PASSWORD);
    if (strlen(password) > AUTH_MAX_PASSWORD)
        return app_err_set(err, APP_EINVAL, field, "密码不能超过 %d 个字符", AUTH_MAX_PASSWORD);
    return 0;
}

int auth_set_password(struct db_conn *c, int64_t user_id, const char *password, struct app_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = auth_password_check(password, "password", err);
    if (rc < 0)
        return rc;
    rc = crypto_password_hash(hash, sizeof(hash), password);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "系统繁忙，请稍后再试");
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0,"
                " updated_at = ? WHERE id = ?",
                "tti", hash, at, user_id);
    if (rc == 0)
        return app_err_set(err, APP_ENOTFOUND, NULL, "用户不存在");
    if (rc < 0)
        return app_err_set(err, rc, NULL, "保存失败");
    rc = db_run(c, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);
    return rc < 0 ? rc : 0;
}

int auth_create_user(struct db_conn *c,
                     int64_t *id_out,
                     const char *username,
                     const char *display_name,
                     const char *role_code,
                     const char *department,
                     int all_projects,
                     const char *password,
                     struct app_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    *id_out = 0;
    int rc = auth_password_check(password, "password", err);
    if (rc < 0)
        return rc;
    int64_t role_id = 0;
    rc = db_query_int64(c, &role_id, "SELECT id FROM roles WHERE code = ?", "t", role_code);
    if (rc < 0)
        return app_err_set(err, APP_EINVAL, "role", "没有这个角色: %s", role_code);
    rc = crypto_password_hash(hash, sizeof(hash), password);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "系统繁忙，请稍后再试");
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_query_int64(c, id_out,
                        "INSERT INTO users (username, display_name, department, role_id, status,"
                        " all_projects, password_hash, created_at, updated_at)"
                        " VALUES (?,?,?,?,'active',?,?,?,?) RETURNING id",
                        "tttiittt", username, display_name, department, role_id,
                        (int64_t)all_projects, hash, at, at);
    if (rc == APP_ECONFLICT)
        return app_err_set(err, rc, "username", "用户名已存在: %s", username);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "保存失败");
    json_t *after = json_pack("{s:s, s:s, s:s}", "username", username, "display_name", display_name,
                              "role", role_code);
    rc = audit_append(c, 0, "system", "create", "users", *id_out, NULL, after);
    json_decref(after);
    return rc;
}
