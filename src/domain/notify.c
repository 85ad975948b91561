/*
 * notify.c - writing notifications.
 */
#include "notify.h"

#include "core/timeutil.h"
#include "query.h"

int notify_user(
        struct db_conn *c, int64_t user_id, const char *kind, const char *title, const char *link)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "INSERT INTO notifications (user_id, at, kind, title, link) VALUES (?,?,?,?,?)",
                    "itttt", user_id, at, kind, title, link);
    return rc < 0 ? rc : 0;
}

int notify_role(struct db_conn *c,
                const char *role,
                int64_t project,
                const char *kind,
                const char *title,
                const char *link)
{
    json_t *users = NULL;
    struct db_params p = {0};
    db_params_text(&p, role);
    db_params_int(&p, project);
    db_params_int(&p, project);
    int rc = query_rows(&users, c,
                        "SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id WHERE r.code = ?"
                        " AND u.status = 'active' AND (? = 0 OR u.all_projects = 1 OR EXISTS"
                        " (SELECT 1 FROM user_projects up WHERE up.user_id = u.id AND"
                        " up.project_id = ?)) ORDER BY u.id",
                        &p);
    db_params_free(&p);
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u)
    {
        if (rc < 0)
            break;
        rc = notify_user(c, json_integer_value(json_object_get(u, "id")), kind, title, link);
    }
    json_decref(users);
    return rc < 0 ? rc : 0;
}
