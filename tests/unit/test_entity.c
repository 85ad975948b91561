/* Unit tests of the generic entity layer (src/domain/entity.c) over an
 * in-memory database: validation, uniqueness, scope, filters, audit, and
 * that a failed write inside a transaction leaves nothing behind. */
#include <string.h>

#include "domain/entity.h"
#include "domain/query.h"
#include "test_helpers.h"

static struct db *db;
static struct db_conn *conn;

static struct auth_user admin = {.id = 1, .username = "admin", .all_projects = 1};
static int64_t scoped_projects[] = {1};
static struct auth_user scoped = {.id = 2,
                                  .username = "agent",
                                  .all_projects = 0,
                                  .projects = scoped_projects,
                                  .n_projects = 1};

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(conn, &n, sql, ""), 0);
    return n;
}

static int setup(void **state)
{
    (void)state;
    test_key_init();
    return 0;
}

static int open_db(void **state)
{
    (void)state;
    db = test_db_open();
    conn = db_acquire(db);
    assert_int_equal(db_begin(conn, 1), 0);
    return 0;
}

static int close_db(void **state)
{
    (void)state;
    if (db_in_tx(conn))
        db_rollback(conn);
    db_release(conn);
    db_close(db);
    return 0;
}

static json_t *create(const char *entity, const char *json, int expect_rc, const char *field)
{
    struct app_err err = {0};
    json_t *in = json_loads(json, 0, NULL);
    json_t *out = NULL;
    assert_non_null(in);
    int rc = entity_create(&out, conn, entity_find(entity), &admin, in, &err);
    json_decref(in);
    assert_int_equal(rc, expect_rc);
    if (field)
        assert_string_equal(err.field, field);
    return out;
}

static void project_create_validates_and_audits(void **state)
{
    (void)state;
    int64_t audits = count("SELECT COUNT(*) FROM audit_log");
    create("projects", "{\"name\":\"和悦府\"}", APP_EINVAL, "code");
    create("projects", "{\"code\":\"P1\",\"name\":\"和悦府\",\"colour\":\"red\"}", APP_EINVAL,
           "colour");
    create("projects", "{\"code\":\"P1\",\"name\":\"和悦府\",\"status\":\"sold\"}", APP_EINVAL,
           "status");
    create("projects", "{\"code\":\"P1\",\"name\":\"   \"}", APP_EINVAL, "name");
    create("projects", "{\"code\":\"P1\",\"name\":42}", APP_EINVAL, "name");
    create("projects", "{\"code\":\"P1\",\"name\":\"a\\u0001b\"}", APP_EINVAL, "name");
    /* 21 characters of Chinese text exceed code's 20 */
    create("projects", "{\"code\":\"一二三四五六七八九十一二三四五六七八九十一\",\"name\":\"x\"}",
           APP_EINVAL, "code");
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), audits);

    json_t *p = create("projects", "{\"code\":\" P1 \",\"name\":\"和悦府\",\"city\":\"杭州\"}", 0,
                       NULL);
    assert_string_equal(json_string_value(json_object_get(p, "code")), "P1"); /* trimmed */
    assert_string_equal(json_string_value(json_object_get(p, "status")), "selling");
    assert_int_equal(json_integer_value(json_object_get(p, "unit_count")), 0);
    json_decref(p);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND"
                           " entity = 'projects'"),
                     1);
    create("projects", "{\"code\":\"P1\",\"name\":\"另一个\"}", APP_ECONFLICT, "code");
}

static void update_changes_only_updatable_fields(void **state)
{
    (void)state;
    json_t *p = create("projects", "{\"code\":\"P1\",\"name\":\"和悦府\"}", 0, NULL);
    int64_t id = json_integer_value(json_object_get(p, "id"));
    json_decref(p);
    struct app_err err = {0};
    json_t *out = NULL, *in = json_pack("{s:s}", "code", "P9");
    assert_int_equal(entity_update(&out, conn, entity_find("projects"), &admin, id, in, &err),
                     APP_EINVAL);
    assert_string_equal(err.field, "code");
    json_decref(in);
    in = json_pack("{s:s, s:s}", "name", "和悦府二期", "status", "delivering");
    assert_int_equal(entity_update(&out, conn, entity_find("projects"), &admin, id, in, &err), 0);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "和悦府二期");
    json_decref(out);
    /* The audit row carries before and after. */
    char *before = NULL;
    assert_int_equal(db_query_text(conn, &before,
                                   "SELECT before_json FROM audit_log WHERE action = 'update'", ""),
                     0);
    assert_non_null(strstr(before, "和悦府"));
    free(before);
    in = json_pack("{s:s}", "name", "x");
    assert_int_equal(entity_update(&out, conn, entity_find("projects"), &admin, 999, in, &err),
                     APP_ENOTFOUND);
    json_decref(in);
}

static void roles_keep_permissions_in_a_link_table(void **state)
{
    (void)state;
    create("roles", "{\"code\":\"qa\",\"name\":\"质检\",\"permissions\":[\"nope.read\"]}",
           APP_EINVAL, "permissions");
    json_t *r = create("roles",
                       "{\"code\":\"qa\",\"name\":\"质检\",\"permissions\":[\"unit.read\","
                       "\"project.read\",\"unit.read\"]}",
                       0, NULL);
    json_t *perms = json_object_get(r, "permissions");
    assert_int_equal(json_array_size(perms), 2); /* the duplicate is dropped */
    assert_string_equal(json_string_value(json_array_get(perms, 0)), "project.read");
    json_decref(r);
}

static void lists_filter_sort_page_and_scope(void **state)
{
    (void)state;
    for (int i = 1; i <= 3; i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "{\"code\":\"P%d\",\"name\":\"项目%d\",\"city\":\"%s\"}", i, i,
                 i == 2 ? "南京" : "杭州");
        json_decref(create("projects", buf, 0, NULL));
    }
    assert_true(db_run(conn,
                       "INSERT INTO users (id, username, display_name, role_id, password_hash,"
                       " created_at, updated_at) VALUES (2, 'agent', '王丽', 2, 'x', '', '')",
                       "") >= 0);
    assert_true(db_run(conn, "INSERT INTO user_projects (user_id, project_id) VALUES (2, 1)", "") >=
                0);
    struct entity_query q = {0};
    struct app_err err = {0};
    json_t *out = NULL;
    const struct entity *e = entity_find("projects");

    q.sort = "-code";
    q.limit = 2;
    assert_int_equal(entity_list(&out, conn, e, &admin, &q, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 3);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
    assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(out, "items"), 0), "code")),
                        "P3");
    assert_string_equal(json_string_value(json_object_get(out, "next")), "2");
    json_decref(out);

    q.sort = "address"; /* not sortable */
    assert_int_equal(entity_list(&out, conn, e, &admin, &q, &err), APP_EBADREQ);
    assert_string_equal(err.field, "sort");

    memset(&q, 0, sizeof(q));
    q.n = 1;
    q.key[0] = "city";
    q.value[0] = "南京";
    assert_int_equal(entity_list(&out, conn, e, &admin, &q, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);

    q.key[0] = "q";
    q.value[0] = "100%"; /* LIKE wildcards are literal */
    assert_int_equal(entity_list(&out, conn, e, &admin, &q, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
    json_decref(out);

    q.key[0] = "nonsense";
    q.value[0] = "1";
    assert_int_equal(entity_list(&out, conn, e, &admin, &q, &err), APP_EBADREQ);

    /* The scoped user sees only project 1, and cannot read the others. */
    q.n = 0;
    assert_int_equal(entity_list(&out, conn, e, &scoped, &q, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);
    assert_int_equal(entity_get(&out, conn, e, &scoped, 2, &err), APP_EFORBIDDEN);
    assert_int_equal(entity_get(&out, conn, e, &scoped, 1, &err), 0);
    json_decref(out);

    /* A project filter outside the scope is refused, not silently empty. */
    q.n = 1;
    q.key[0] = "project_id";
    q.value[0] = "2";
    assert_int_equal(entity_list(&out, conn, entity_find("units"), &scoped, &q, &err),
                     APP_EFORBIDDEN);
    q.value[0] = "x";
    assert_int_equal(entity_list(&out, conn, entity_find("units"), &scoped, &q, &err), APP_EBADREQ);
}

static void failed_statement_mid_write_is_reported(void **state)
{
    (void)state;
    int64_t before = count("SELECT COUNT(*) FROM projects");
    struct app_err err = {0};
    json_t *in = json_pack("{s:s, s:s}", "code", "PX", "name", "故障注入");
    json_t *out = NULL;
    /* Fail the audit append that follows the insert: the call must fail
     * and the caller's rollback must leave no project behind. */
    db_fault_after(4);
    int rc = entity_create(&out, conn, entity_find("projects"), &admin, in, &err);
    db_fault_after(0);
    json_decref(in);
    assert_true(rc < 0);
    assert_null(out);
    db_rollback(conn);
    assert_int_equal(count("SELECT COUNT(*) FROM projects"), before);
}

static int by_key(json_t *a, json_t *b)
{
    json_int_t x = json_integer_value(json_object_get(a, "k"));
    json_int_t y = json_integer_value(json_object_get(b, "k"));
    return (x > y) - (x < y);
}

/* query_sort_rows orders by the comparator and keeps equal rows in their
 * original order (reports rely on it for ties), at any size. */
static void sort_rows_is_ordered_and_stable(void **state)
{
    (void)state;
    json_t *rows = json_array();
    for (int i = 0; i < 5000; i++)
        json_array_append_new(rows, json_pack("{s:i, s:i}", "k", (i * 7919) % 97, "seq", i));
    query_sort_rows(rows, by_key);
    assert_int_equal(json_array_size(rows), 5000);
    for (size_t i = 1; i < json_array_size(rows); i++) {
        json_t *a = json_array_get(rows, i - 1), *b = json_array_get(rows, i);
        json_int_t ka = json_integer_value(json_object_get(a, "k"));
        json_int_t kb = json_integer_value(json_object_get(b, "k"));
        assert_true(ka <= kb);
        if (ka == kb)
            assert_true(json_integer_value(json_object_get(a, "seq")) <
                        json_integer_value(json_object_get(b, "seq")));
    }
    json_decref(rows);
    json_t *empty = json_array();
    query_sort_rows(empty, by_key);
    assert_int_equal(json_array_size(empty), 0);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(project_create_validates_and_audits, open_db, close_db),
            cmocka_unit_test_setup_teardown(update_changes_only_updatable_fields, open_db,
                                            close_db),
            cmocka_unit_test_setup_teardown(roles_keep_permissions_in_a_link_table, open_db,
                                            close_db),
            cmocka_unit_test_setup_teardown(lists_filter_sort_page_and_scope, open_db, close_db),
            cmocka_unit_test_setup_teardown(failed_statement_mid_write_is_reported, open_db,
                                            close_db),
            cmocka_unit_test(sort_rows_is_ordered_and_stable),
    };
    return cmocka_run_group_tests_name("entity", tests, setup, NULL);
}
