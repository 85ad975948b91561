/*
 * auth.h - users, passwords, sessions and the login rules.
 *
 * A session token is 32 random bytes; only its hash is stored, with a CSRF
 * value for cookie-authenticated requests. Sessions end after idle_minutes
 * without use. Five failed logins in a row lock an account for 15 minutes.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdint.h>

#include <jansson.h>

#include "core/app.h"
#include "store/db.h"

#define AUTH_MAX_FAILED   5
#define AUTH_LOCK_SECONDS (15 * 60)
#define AUTH_MIN_PASSWORD 8
#define AUTH_MAX_PASSWORD 128

/* The caller of a request, loaded from its session. Owned by whoever called
 * auth_user_load(); free with auth_user_free(). */
struct auth_user {
    int64_t id;
    char *username;
    char *display_name;
    char *department;
    int64_t role_id;
    char *role_code;
    char *role_name;
    char *role_name_en;
    int all_projects;
    char **perms; /* sorted permission codes */
    int n_perms;
    int64_t *projects; /* project ids in scope (empty when all_projects) */
    int n_projects;
    int64_t session_id;
    char csrf[48];
};

/* Settings read at start-up. */
void auth_set_idle_minutes(int minutes);

void auth_user_free(struct auth_user *u);
/* A deep copy, for work that outlives the request (background jobs). */
struct auth_user *auth_user_dup(const struct auth_user *u);
/* Does u hold perm? NULL perm is always held. */
int auth_has(const struct auth_user *u, const char *perm);
/* Is project_id within u's scope? */
int auth_in_scope(const struct auth_user *u, int64_t project_id);
/* Load user id with role, permissions and projects. APP_ENOTFOUND. */
int auth_user_load(struct auth_user **out, struct db_conn *c, int64_t id);
/* The user as the API shows it ({"id","username",...,"permissions","projects"}). */
json_t *auth_user_json(const struct auth_user *u, struct db_conn *c);

/* Check username/password and open a session. On success token_out (>= 44
 * bytes) and csrf_out (>= 44 bytes) hold the new secrets and *user_id the id.
 * APP_EAUTH for a wrong name or password, APP_ELOCKED while locked,
 * APP_EFORBIDDEN for a disabled account, APP_EBUSY when hashing is saturated.
 * Runs its own transactions (hashing happens outside them). */
int auth_login(struct db *db,
               const char *username,
               const char *password,
               char *token_out,
               char *csrf_out,
               int64_t *user_id,
               struct app_err *err);
/* Resolve a token to a live session: user loaded, idle clock touched.
 * APP_EAUTH when unknown or expired. */
int auth_session(struct auth_user **out, struct db_conn *c, const char *token);
/* End the session of token. */
int auth_logout(struct db_conn *c, const char *token);

/* Validate a new password (length); APP_EINVAL naming field. */
int auth_password_check(const char *password, const char *field, struct app_err *err);
/* Hash and set a user's password, ending the user's sessions. */
int auth_set_password(struct db_conn *c,
                      int64_t user_id,
                      const char *password,
                      struct app_err *err);
/* Create a user (used by the CLI and the demo); returns id in *id_out. */
int auth_create_user(struct db_conn *c,
                     int64_t *id_out,
                     const char *username,
                     const char *display_name,
                     const char *role_code,
                     const char *department,
                     int all_projects,
                     const char *password,
                     struct app_err *err);
/* Look a user id up by name; APP_ENOTFOUND. */
int auth_user_id(struct db_conn *c, const char *username, int64_t *id_out);

#endif
