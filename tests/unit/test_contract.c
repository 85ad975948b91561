/* Unit tests of the contract lifecycle (src/domain/contract.c): the
 * transition table and its guards, the checklist and waivers, one live
 * contract per unit, amendments taking effect only when approved. */
#include <string.h>

#include "domain/approval.h"
#include "domain/approval_handlers.h"
#include "domain/auth.h"
#include "domain/contract.h"
#include "test_helpers.h"

static struct db *db;
static struct db_conn *c;

enum { CATHY, BOB, CAROL, DAVE, MIKE, N_USERS };
static struct auth_user *users[N_USERS];
static int64_t unit_a, unit_b, local_buyer, nonlocal_buyer;

static int64_t insert(const char *sql)
{
    int64_t id = 0;
    assert_int_equal(db_query_int64(c, &id, sql, ""), 0);
    return id;
}

static int setup(void **state)
{
    (void)state;
    test_key_init();
    approval_handlers_init();
    contract_init();
    db = test_db_open();
    c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    static const char *const spec[N_USERS][2] = {{"cathy", "contract"},
                                                 {"bob", "manager"},
                                                 {"carol", "finance"},
                                                 {"dave", "director"},
                                                 {"mike", "mortgage"}};
    int64_t ids[N_USERS];
    struct app_err err = {0};
    for (int i = 0; i < N_USERS; i++)
        assert_int_equal(auth_create_user(c, &ids[i], spec[i][0], spec[i][0], spec[i][1], "客服部",
                                          1, "password-123", &err),
                         0);
    int64_t project = insert("INSERT INTO projects (code, name, created_at, updated_at)"
                             " VALUES ('P1', '和悦府', '', '') RETURNING id");
    (void)project;
    insert("INSERT INTO buildings (project_id, code, name, floors, created_at)"
           " VALUES (1, '1', '1号楼', 18, '') RETURNING id");
    unit_a = insert("INSERT INTO units (project_id, building_id, room_code, unit_no, floor, room,"
                    " created_at) VALUES (1, 1, '1-1-101', '1', 1, '101', '') RETURNING id");
    unit_b = insert("INSERT INTO units (project_id, building_id, room_code, unit_no, floor, room,"
                    " created_at) VALUES (1, 1, '1-1-102', '1', 1, '102', '') RETURNING id");
    local_buyer = insert("INSERT INTO customers (kind, name, hukou, created_at, updated_at)"
                         " VALUES ('person', '张三', 'local', '', '') RETURNING id");
    nonlocal_buyer = insert("INSERT INTO customers (kind, name, hukou, created_at, updated_at)"
                            " VALUES ('person', '李四', 'nonlocal', '', '') RETURNING id");
    assert_int_equal(db_commit(c), 0);
    for (int i = 0; i < N_USERS; i++)
        assert_int_equal(auth_user_load(&users[i], c, ids[i]), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N_USERS; i++)
        auth_user_free(users[i]);
    db_release(c);
    db_close(db);
    return 0;
}

static int begin(void **state)
{
    (void)state;
    return db_begin(c, 1);
}

static int rollback(void **state)
{
    (void)state;
    db_rollback(c);
    return 0;
}

static int64_t subscribe(int64_t unit, int64_t buyer, int expect)
{
    struct app_err err = {0};
    json_t *in = json_pack("{s:I, s:[{s:I}], s:I, s:s}", "unit_id", (json_int_t)unit, "buyers",
                           "customer_id", (json_int_t)buyer, "total_price_fen",
                           (json_int_t)200000000, "payment_method", "commercial_loan");
    int64_t id = 0;
    int rc = contract_create(&id, c, users[CATHY], in, &err);
    json_decref(in);
    assert_int_equal(rc, expect);
    return id;
}

static char *field(const char *sql, int64_t id)
{
    static char buf[64];
    char *s = NULL;
    assert_int_equal(db_query_text(c, &s, sql, "i", id), 0);
    app_strlcpy(buf, s ? s : "(null)", sizeof(buf));
    free(s);
    return buf;
}

static int move(int who, int64_t id, const char *action, json_t *params)
{
    struct app_err err = {0};
    return contract_transition(c, users[who], id, action, params, &err);
}

static void receive_all(int64_t id)
{
    assert_true(db_run(c, "UPDATE contract_documents SET status = 'received' WHERE contract_id = ?",
                       "i", id) >= 0);
}

static void the_checklist_depends_on_the_buyer(void **state)
{
    (void)state;
    int64_t a = subscribe(unit_a, local_buyer, 0);
    int64_t b = subscribe(unit_b, nonlocal_buyer, 0);
    int64_t n = 0;
    db_query_int64(c, &n, "SELECT COUNT(*) FROM contract_documents WHERE contract_id = ?", "i", a);
    assert_int_equal(n, 3);
    db_query_int64(c, &n, "SELECT COUNT(*) FROM contract_documents WHERE contract_id = ?", "i", b);
    assert_int_equal(n, 5); /* plus social-security and tax proof */
    assert_string_equal(field("SELECT status FROM units WHERE id = ?", unit_a), "reserved");
}

static void one_live_contract_per_unit(void **state)
{
    (void)state;
    subscribe(unit_a, local_buyer, 0);
    subscribe(unit_a, nonlocal_buyer, APP_ECONFLICT);
    /* Even past the check, the database refuses a second live contract. */
    int rc = db_run(c,
                    "INSERT INTO contracts (no, project_id, unit_id, status, total_price_fen,"
                    " payment_method, subscribed_on, created_at, updated_at)"
                    " VALUES ('X', 1, ?, 'signed', 1, 'full', '2026-01-01', '', '')",
                    "i", unit_a);
    assert_int_equal(rc, APP_ECONFLICT);
}

static void signing_waits_for_the_documents(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = subscribe(unit_a, local_buyer, 0);
    assert_true(db_run(c, "SAVEPOINT s", "") >= 0);
    assert_int_equal(contract_transition(c, users[CATHY], id, "sign", NULL, &err), APP_EINVAL);
    assert_string_equal(err.field, "documents");
    assert_non_null(strstr(err.message, "户口簿"));
    assert_true(db_run(c, "ROLLBACK TO SAVEPOINT s", "") >= 0);
    int64_t doc = 0;
    db_query_int64(c, &doc,
                   "SELECT id FROM contract_documents WHERE contract_id = ? AND"
                   " doc_code = 'hukou_book'",
                   "i", id);
    assert_true(db_run(c,
                       "UPDATE contract_documents SET status = 'received' WHERE contract_id = ?"
                       " AND doc_code <> 'hukou_book'",
                       "i", id) >= 0);
    /* Only a manager waives, and only with a reason. */
    assert_int_equal(contract_document_set(c, users[CATHY], id, doc, "waived", "后补", &err),
                     APP_EFORBIDDEN);
    assert_int_equal(contract_document_set(c, users[BOB], id, doc, "waived", "", &err), APP_EINVAL);
    assert_int_equal(
            contract_document_set(c, users[BOB], id, doc, "waived", "原件遗失，补办中", &err), 0);
    assert_int_equal(move(CATHY, id, "sign", NULL), 0);
    assert_string_equal(field("SELECT status FROM contracts WHERE id = ?", id), "signed");
    assert_string_equal(field("SELECT status FROM units WHERE id = ?", unit_a), "signed");
    /* Signing raises the buyer's satisfaction survey (the active template). */
    assert_string_equal(field("SELECT stage || ' ' || status FROM survey_responses WHERE"
                              " customer_id = ?",
                              local_buyer),
                        "signing invited");
}

static void transitions_follow_the_table(void **state)
{
    (void)state;
    int64_t id = subscribe(unit_a, local_buyer, 0);
    receive_all(id);
    json_t *filing = json_pack("{s:s, s:s}", "filing_no", "BA2026001", "filed_on", "2026-11-20");
    json_t *prereg =
            json_pack("{s:s, s:s}", "prereg_no", "YG001", "preregistered_on", "2026-11-25");
    json_t *empty = json_object();
    assert_int_equal(move(CATHY, id, "file", filing), APP_ECONFLICT); /* not signed yet */
    assert_int_equal(move(MIKE, id, "sign", NULL), APP_EFORBIDDEN);   /* role lacks contract.sign */
    assert_int_equal(move(CATHY, id, "sign", NULL), 0);
    assert_int_equal(move(CATHY, id, "sign", NULL), APP_ECONFLICT); /* already signed */
    assert_int_equal(move(CATHY, id, "preregister", prereg), APP_ECONFLICT);
    assert_true(db_run(c, "SAVEPOINT s", "") >= 0);
    assert_int_equal(move(CATHY, id, "file", empty), APP_EINVAL); /* filing number missing */
    assert_true(db_run(c, "ROLLBACK TO SAVEPOINT s", "") >= 0);
    assert_int_equal(move(CATHY, id, "file", filing), 0);
    assert_int_equal(move(CATHY, id, "preregister", prereg), 0);
    assert_string_equal(field("SELECT status FROM contracts WHERE id = ?", id), "preregistered");
    assert_string_equal(field("SELECT filing_no FROM contracts WHERE id = ?", id), "BA2026001");
    assert_int_equal(move(CATHY, id, "fly", NULL), APP_EINVAL);
    json_decref(filing);
    json_decref(prereg);
    json_decref(empty);
    /* Every transition names its permission and a guard. */
    for (size_t i = 0; i < contract_transitions_count; i++) {
        assert_non_null(contract_transitions[i].perm);
        assert_non_null(contract_transitions[i].guard);
    }
}

static int64_t approval_of(int64_t contract)
{
    int64_t a = 0;
    assert_int_equal(db_query_int64(c, &a,
                                    "SELECT approval_id FROM contract_amendments WHERE"
                                    " contract_id = ? ORDER BY id DESC LIMIT 1",
                                    "i", contract),
                     0);
    return a;
}

static void approve_all(int64_t approval)
{
    struct app_err err = {0};
    assert_int_equal(approval_act(c, users[BOB], approval, "approve", NULL, 0, NULL, &err), 0);
    assert_int_equal(approval_act(c, users[CAROL], approval, "approve", NULL, 0, NULL, &err), 0);
    assert_int_equal(approval_act(c, users[DAVE], approval, "approve", NULL, 0, NULL, &err), 0);
}

static void cancellation_takes_effect_only_when_approved(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = subscribe(unit_a, local_buyer, 0), amendment = 0;
    receive_all(id);
    assert_int_equal(move(CATHY, id, "sign", NULL), 0);
    assert_int_equal(contract_amend(&amendment, c, users[CATHY], id, "cancel", "客户原因退房",
                                    "资金问题", NULL, &err),
                     0);
    assert_int_equal(contract_amend(&amendment, c, users[CATHY], id, "cancel", "客户原因退房",
                                    "再次", NULL, &err),
                     APP_ECONFLICT); /* one pending at a time */
    int64_t approval = approval_of(id);
    assert_string_equal(field("SELECT status FROM contracts WHERE id = ?", id), "signed");
    assert_int_equal(move(CATHY, id, "file", NULL), APP_ECONFLICT); /* pending change */
    approve_all(approval);
    assert_string_equal(field("SELECT status FROM contracts WHERE id = ?", id), "cancelled");
    assert_string_equal(field("SELECT status FROM units WHERE id = ?", unit_a), "unsold");
    assert_string_equal(field("SELECT status FROM contract_amendments WHERE contract_id = ?", id),
                        "approved");
    /* The unit is free again. */
    subscribe(unit_a, nonlocal_buyer, 0);
}

static void rejected_amendment_changes_nothing(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = subscribe(unit_a, local_buyer, 0), amendment = 0;
    json_t *payload = json_pack("{s:I}", "new_unit_id", (json_int_t)unit_b);
    assert_int_equal(contract_amend(&amendment, c, users[CATHY], id, "unit_change", "客户要求换房",
                                    "想要高楼层", payload, &err),
                     0);
    json_decref(payload);
    int64_t approval = approval_of(id);
    assert_int_equal(approval_act(c, users[BOB], approval, "reject", "房源已预留", 0, NULL, &err),
                     0);
    int64_t unit = 0;
    db_query_int64(c, &unit, "SELECT unit_id FROM contracts WHERE id = ?", "i", id);
    assert_int_equal(unit, unit_a);
    assert_string_equal(field("SELECT status FROM contract_amendments WHERE contract_id = ?", id),
                        "rejected");
}

static void unit_change_moves_the_contract(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = subscribe(unit_a, local_buyer, 0), amendment = 0;
    json_t *payload = json_pack("{s:I}", "new_unit_id", (json_int_t)unit_b);
    assert_int_equal(contract_amend(&amendment, c, users[CATHY], id, "unit_change", "客户要求换房",
                                    "换到 102", payload, &err),
                     0);
    json_decref(payload);
    approve_all(approval_of(id));
    int64_t unit = 0;
    db_query_int64(c, &unit, "SELECT unit_id FROM contracts WHERE id = ?", "i", id);
    assert_int_equal(unit, unit_b);
    assert_string_equal(field("SELECT status FROM units WHERE id = ?", unit_a), "unsold");
    assert_string_equal(field("SELECT status FROM units WHERE id = ?", unit_b), "reserved");
}

static void subscription_is_validated(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = 0;
    json_t *in = json_pack("{s:I, s:[{s:I}], s:I, s:I, s:s}", "unit_id", (json_int_t)unit_a,
                           "buyers", "customer_id", (json_int_t)local_buyer, "total_price_fen",
                           (json_int_t)100000000, "deposit_fen", (json_int_t)20000001,
                           "payment_method", "full");
    assert_int_equal(contract_create(&id, c, users[CATHY], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "deposit_fen"); /* over 20% */
    json_object_set_new(in, "deposit_fen", json_integer(20000000));
    json_object_set_new(in, "late_delivery_rate", json_string("万分之二"));
    assert_int_equal(contract_create(&id, c, users[CATHY], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "late_delivery_rate");
    json_object_set_new(in, "late_delivery_rate", json_string("0.5"));
    json_object_set_new(in, "buyers",
                        json_pack("[{s:I, s:I}, {s:I, s:I}]", "customer_id",
                                  (json_int_t)local_buyer, "share_bp", (json_int_t)6000,
                                  "customer_id", (json_int_t)nonlocal_buyer, "share_bp",
                                  (json_int_t)3000));
    assert_int_equal(contract_create(&id, c, users[CATHY], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "buyers"); /* 90% */
    json_object_set_new(in, "buyers",
                        json_pack("[{s:I, s:I}, {s:I, s:I}]", "customer_id",
                                  (json_int_t)local_buyer, "share_bp", (json_int_t)6000,
                                  "customer_id", (json_int_t)nonlocal_buyer, "share_bp",
                                  (json_int_t)4000));
    assert_int_equal(contract_create(&id, c, users[CATHY], in, &err), 0);
    assert_string_equal(field("SELECT buyer_names FROM contracts WHERE id = ?", id), "张三、李四");
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(the_checklist_depends_on_the_buyer, begin, rollback),
            cmocka_unit_test_setup_teardown(one_live_contract_per_unit, begin, rollback),
            cmocka_unit_test_setup_teardown(signing_waits_for_the_documents, begin, rollback),
            cmocka_unit_test_setup_teardown(transitions_follow_the_table, begin, rollback),
            cmocka_unit_test_setup_teardown(cancellation_takes_effect_only_when_approved, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(rejected_amendment_changes_nothing, begin, rollback),
            cmocka_unit_test_setup_teardown(unit_change_moves_the_contract, begin, rollback),
            cmocka_unit_test_setup_teardown(subscription_is_validated, begin, rollback),
    };
    return cmocka_run_group_tests_name("contract", tests, setup, teardown);
}
