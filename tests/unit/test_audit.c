/* Unit tests of the hash-chained audit trail (src/domain/audit.c). */
#include <string.h>

#include "domain/audit.h"
#include "test_helpers.h"

static struct db *db;

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
    struct db_conn *c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    for (int i = 1; i <= 5; i++) {
        json_t *after = json_pack("{s:i, s:s}", "n", i, "name", "张三");
        assert_int_equal(audit_append(c, 1, "admin", "update", "users", i, NULL, after), 0);
        json_decref(after);
    }
    assert_int_equal(db_commit(c), 0);
    db_release(c);
    return 0;
}

static int close_db(void **state)
{
    (void)state;
    db_close(db);
    db = NULL;
    return 0;
}

static int verify(int64_t *bad)
{
    int64_t rows;
    char reason[256];
    return audit_verify(db, bad, &rows, reason, sizeof(reason));
}

static void exec(const char *sql)
{
    struct db_conn *c = db_acquire(db);
    assert_true(db_run(c, sql, "") >= 0);
    db_release(c);
}

static void intact_chain_verifies(void **state)
{
    (void)state;
    int64_t bad = -1, rows = 0;
    char reason[256];
    assert_int_equal(audit_verify(db, &bad, &rows, reason, sizeof(reason)), 0);
    assert_int_equal(rows, 5);
    assert_int_equal(bad, 0);
}

static void altered_row_is_named(void **state)
{
    (void)state;
    int64_t bad;
    exec("UPDATE audit_log SET after_json = '{\"n\":9}' WHERE id = 3");
    assert_int_equal(verify(&bad), APP_ECONFLICT);
    assert_int_equal(bad, 3);
}

static void altered_actor_is_named(void **state)
{
    (void)state;
    int64_t bad;
    exec("UPDATE audit_log SET username = 'mallory' WHERE id = 2");
    assert_int_equal(verify(&bad), APP_ECONFLICT);
    assert_int_equal(bad, 2);
}

static void removed_row_breaks_the_next(void **state)
{
    (void)state;
    int64_t bad;
    exec("DELETE FROM audit_log WHERE id = 2");
    assert_int_equal(verify(&bad), APP_ECONFLICT);
    assert_int_equal(bad, 3);
}

static void removed_tail_is_caught_by_the_head(void **state)
{
    (void)state;
    int64_t bad;
    exec("DELETE FROM audit_log WHERE id = 5");
    assert_int_equal(verify(&bad), APP_ECONFLICT);
    assert_int_equal(bad, 5);
}

static void inserted_row_is_caught(void **state)
{
    (void)state;
    int64_t bad;
    /* A forged row copying a real row's hashes still fails: the MAC covers the id. */
    exec("INSERT INTO audit_log (id, at, user_id, username, action, entity, entity_id,"
         " before_json, after_json, prev_hash, hash)"
         " SELECT 6, at, user_id, username, action, entity, entity_id, before_json, after_json,"
         " (SELECT hash FROM audit_log WHERE id = 5), hash FROM audit_log WHERE id = 5");
    exec("UPDATE audit_head SET last_id = 6, last_hash = (SELECT hash FROM audit_log WHERE id = "
         "6)");
    assert_int_equal(verify(&bad), APP_ECONFLICT);
    assert_int_equal(bad, 6);
}

static void rolled_back_appends_leave_no_trace(void **state)
{
    (void)state;
    int64_t bad;
    struct db_conn *c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    assert_int_equal(audit_append(c, 1, "admin", "create", "users", 9, NULL, NULL), 0);
    db_rollback(c);
    db_release(c);
    assert_int_equal(verify(&bad), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(intact_chain_verifies, open_db, close_db),
            cmocka_unit_test_setup_teardown(altered_row_is_named, open_db, close_db),
            cmocka_unit_test_setup_teardown(altered_actor_is_named, open_db, close_db),
            cmocka_unit_test_setup_teardown(removed_row_breaks_the_next, open_db, close_db),
            cmocka_unit_test_setup_teardown(removed_tail_is_caught_by_the_head, open_db, close_db),
            cmocka_unit_test_setup_teardown(inserted_row_is_caught, open_db, close_db),
            cmocka_unit_test_setup_teardown(rolled_back_appends_leave_no_trace, open_db, close_db),
    };
    return cmocka_run_group_tests_name("audit", tests, setup, NULL);
}
