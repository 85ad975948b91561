/* Unit tests of the approval engine (src/domain/approval.c): routing with
 * conditions, one-of and all-of steps, delegation, transfer, return and
 * resubmit, withdrawal, the handler called once per outcome, checklists,
 * and who may act. */
#include <string.h>

#include "core/timeutil.h"
#include "domain/approval.h"
#include "domain/auth.h"
#include "test_helpers.h"

static struct db *db;
static struct db_conn *c;

enum { ALICE, BOB, CAROL, DAVE, ERIN, FRANK, GINA, N_USERS };
static struct auth_user *users[N_USERS];
static int decided[4]; /* calls per outcome */

static int count_decided(struct db_conn *conn,
                         const struct approval_info *req,
                         enum approval_outcome outcome,
                         const struct auth_user *who,
                         struct app_err *err)
{
    (void)conn;
    (void)req;
    (void)who;
    (void)err;
    decided[outcome]++;
    return 0;
}

static const struct approval_handler counter = {"test_counter", NULL, count_decided};

static int64_t add_user(const char *name, const char *role, const char *dept)
{
    struct app_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_create_user(c, &id, name, name, role, dept, 1, "password-123", &err), 0);
    return id;
}

static int setup(void **state)
{
    (void)state;
    test_key_init();
    approval_register_handler(&counter);
    db = test_db_open();
    c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    static const char *const spec[N_USERS][3] = {
            {"alice", "agent", "客服部"},     {"bob", "manager", "客服部"},
            {"carol", "finance", "财务部"},   {"dave", "director", "公司领导"},
            {"erin", "director", "公司领导"}, {"frank", "agent", "客服部"},
            {"gina", "admin", "客服部"}};
    int64_t ids[N_USERS];
    for (int i = 0; i < N_USERS; i++)
        ids[i] = add_user(spec[i][0], spec[i][1], spec[i][2]);
    assert_true(db_run(c, "UPDATE departments SET head_user_id = ? WHERE name = '客服部'", "i",
                       ids[BOB]) >= 0);
    /* A route to test with: head, finance, and both directors above 1000. */
    assert_true(
            db_run(c,
                   "INSERT INTO approval_templates (code, name, category, form_json,"
                   " steps_json, handler, amount_field, created_at, updated_at) VALUES"
                   " ('t_route', '测试', '财务',"
                   " '{\"fields\":[{\"name\":\"amount\",\"label\":\"金额\",\"type\":\"money\","
                   "\"required\":true},{\"name\":\"note\",\"label\":\"说明\",\"type\":\"text\"}]}',"
                   " '[{\"name\":\"部门\",\"approver\":{\"type\":\"dept_head\"}},"
                   "{\"name\":\"财务\",\"approver\":{\"type\":\"role\",\"role\":\"finance\"}},"
                   "{\"name\":\"会签\",\"approver\":{\"type\":\"role\",\"role\":\"director\"},"
                   "\"mode\":\"all\",\"when\":{\"field\":\"amount\",\"op\":\">\",\"value\":1000}}]'"
                   ","
                   " 'test_counter', 'amount', '', '')",
                   "") >= 0);
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
    memset(decided, 0, sizeof(decided));
    return db_begin(c, 1);
}

static int rollback(void **state)
{
    (void)state;
    db_rollback(c);
    return 0;
}

static int64_t submit(int who, int64_t amount)
{
    struct app_err err = {0};
    json_t *data = json_pack("{s:I}", "amount", (json_int_t)amount);
    int64_t id = 0;
    int rc = approval_submit(&id, c, users[who], "t_route", NULL, data, 0, NULL, 0, &err);
    json_decref(data);
    if (rc != 0)
        fail_msg("submit failed: %s", err.message);
    return id;
}

static int act(int who, int64_t id, const char *action, const char *comment)
{
    struct app_err err = {0};
    return approval_act(c, users[who], id, action, comment, 0, NULL, &err);
}

static char *status_of(int64_t id)
{
    static char buf[32];
    char *s = NULL;
    assert_int_equal(
            db_query_text(c, &s, "SELECT status FROM approval_requests WHERE id = ?", "i", id), 0);
    app_strlcpy(buf, s, sizeof(buf));
    free(s);
    return buf;
}

static int64_t pending(int64_t id)
{
    int64_t n = 0;
    assert_int_equal(db_query_int64(c, &n,
                                    "SELECT COUNT(*) FROM approval_tasks WHERE request_id = ? AND"
                                    " status = 'pending'",
                                    "i", id),
                     0);
    return n;
}

static void small_amount_skips_the_conditional_step(void **state)
{
    (void)state;
    int64_t id = submit(ALICE, 500);
    assert_string_equal(status_of(id), "in_progress");
    assert_int_equal(act(BOB, id, "approve", "同意"), 0);
    assert_int_equal(act(CAROL, id, "approve", NULL), 0);
    assert_string_equal(status_of(id), "approved");
    assert_int_equal(decided[APPROVAL_APPROVED], 1);
    int64_t n = 0;
    db_query_int64(c, &n,
                   "SELECT COUNT(*) FROM approval_tasks WHERE request_id = ? AND"
                   " step_index = 2",
                   "i", id);
    assert_int_equal(n, 0);
}

static void all_of_step_needs_every_approver(void **state)
{
    (void)state;
    int64_t id = submit(ALICE, 5000);
    assert_int_equal(act(BOB, id, "approve", NULL), 0);
    assert_int_equal(act(CAROL, id, "approve", NULL), 0);
    assert_int_equal(pending(id), 2); /* dave and erin */
    assert_int_equal(act(DAVE, id, "approve", NULL), 0);
    assert_string_equal(status_of(id), "in_progress");
    assert_int_equal(act(DAVE, id, "approve", NULL), APP_ECONFLICT); /* decided already */
    assert_int_equal(act(ERIN, id, "approve", NULL), 0);
    assert_string_equal(status_of(id), "approved");
    assert_int_equal(decided[APPROVAL_APPROVED], 1);
}

static void only_the_current_approver_decides(void **state)
{
    (void)state;
    int64_t id = submit(ALICE, 500);
    assert_int_equal(act(FRANK, id, "approve", NULL), APP_EFORBIDDEN); /* outside the route */
    assert_int_equal(act(CAROL, id, "approve", NULL), APP_EFORBIDDEN); /* not her step yet */
    assert_int_equal(act(ALICE, id, "approve", NULL), APP_EFORBIDDEN); /* the applicant */
    assert_int_equal(act(BOB, id, "approve", NULL), 0);
    assert_int_equal(act(BOB, id, "approve", NULL), APP_ECONFLICT);
    assert_int_equal(act(BOB, id, "dance", NULL), APP_EINVAL);
}

static void rejection_calls_the_handler_exactly_once(void **state)
{
    (void)state;
    int64_t id = submit(ALICE, 500);
    assert_int_equal(act(BOB, id, "reject", NULL), APP_EINVAL); /* a reason is required */
    assert_int_equal(act(BOB, id, "reject", "预算不足"), 0);
    assert_string_equal(status_of(id), "rejected");
    assert_int_equal(decided[APPROVAL_REJECTED], 1);
    assert_int_equal(act(BOB, id, "reject", "再次"), APP_ECONFLICT);
    assert_int_equal(act(CAROL, id, "approve", NULL), APP_ECONFLICT);
    assert_int_equal(act(ALICE, id, "withdraw", NULL), APP_ECONFLICT);
    assert_int_equal(decided[APPROVAL_REJECTED], 1);
    assert_int_equal(decided[APPROVAL_APPROVED], 0);
    assert_int_equal(pending(id), 0);
}

static void returned_request_is_resubmitted_from_the_start(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = submit(ALICE, 500);
    assert_int_equal(act(BOB, id, "approve", NULL), 0);
    assert_int_equal(act(CAROL, id, "return", "发票抬头有误"), 0);
    assert_string_equal(status_of(id), "returned");
    assert_int_equal(pending(id), 0);
    json_t *data = json_pack("{s:I, s:s}", "amount", (json_int_t)2000, "note", "已更正");
    assert_int_equal(approval_resubmit(c, users[BOB], id, data, &err), APP_EFORBIDDEN);
    assert_int_equal(approval_resubmit(c, users[ALICE], id, data, &err), 0);
    json_decref(data);
    assert_string_equal(status_of(id), "in_progress");
    int64_t round = 0;
    db_query_int64(c, &round, "SELECT round FROM approval_requests WHERE id = ?", "i", id);
    assert_int_equal(round, 2);
    /* The route starts over, and now the conditional step applies. */
    assert_int_equal(act(BOB, id, "approve", NULL), 0);
    assert_int_equal(act(CAROL, id, "approve", NULL), 0);
    assert_int_equal(pending(id), 2);
    assert_int_equal(approval_resubmit(c, users[ALICE], id, NULL, &err), APP_ECONFLICT);
}

static void withdrawal_only_before_a_decision(void **state)
{
    (void)state;
    int64_t id = submit(ALICE, 500);
    assert_int_equal(act(FRANK, id, "withdraw", NULL), APP_EFORBIDDEN);
    assert_int_equal(act(ALICE, id, "withdraw", NULL), 0);
    assert_string_equal(status_of(id), "withdrawn");
    assert_int_equal(decided[APPROVAL_WITHDRAWN], 1);
    int64_t id2 = submit(ALICE, 500);
    assert_int_equal(act(BOB, id2, "approve", NULL), 0);
    assert_int_equal(act(ALICE, id2, "withdraw", NULL), APP_ECONFLICT);
}

static void delegation_and_transfer_move_the_task(void **state)
{
    (void)state;
    char today[32];
    time_format_iso(today, sizeof(today), time_now() + 8 * 3600);
    today[10] = '\0';
    assert_true(
            db_run(c,
                   "INSERT INTO approval_delegations (user_id, delegate_id, start_date, end_date,"
                   " status, created_at) VALUES (?,?,?,?,'active','')",
                   "iitt", users[CAROL]->id, users[FRANK]->id, today, today) >= 0);
    int64_t id = submit(ALICE, 500);
    assert_int_equal(act(BOB, id, "transfer", "请王五代批"), APP_EINVAL); /* no one named */
    struct app_err err = {0};
    assert_int_equal(approval_act(c, users[BOB], id, "transfer", NULL, users[DAVE]->id, NULL, &err),
                     0);
    assert_int_equal(act(BOB, id, "approve", NULL), APP_ECONFLICT); /* handed over */
    assert_int_equal(act(DAVE, id, "approve", NULL), 0);
    /* Carol is away: her step goes to Frank, who stands in for her. */
    int64_t who = 0, from = 0;
    db_query_int64(c, &who,
                   "SELECT approver_id FROM approval_tasks WHERE request_id = ? AND"
                   " status = 'pending'",
                   "i", id);
    db_query_int64(c, &from,
                   "SELECT delegated_from FROM approval_tasks WHERE request_id = ? AND"
                   " status = 'pending'",
                   "i", id);
    assert_int_equal(who, users[FRANK]->id);
    assert_int_equal(from, users[CAROL]->id);
    assert_int_equal(act(CAROL, id, "approve", NULL), APP_EFORBIDDEN);
    assert_int_equal(act(FRANK, id, "approve", NULL), 0);
    assert_string_equal(status_of(id), "approved");
}

static void the_applicants_own_step_is_skipped(void **state)
{
    (void)state;
    int64_t id = submit(BOB, 500); /* Bob heads his own department */
    int64_t step = -1;
    db_query_int64(c, &step, "SELECT step_index FROM approval_requests WHERE id = ?", "i", id);
    assert_int_equal(step, 1);
    assert_int_equal(act(CAROL, id, "approve", NULL), 0);
    assert_string_equal(status_of(id), "approved");
}

static void checklist_must_be_done_before_the_last_approval(void **state)
{
    (void)state;
    struct app_err err = {0};
    json_t *data = json_pack("{s:I, s:s, s:I}", "employee", (json_int_t)users[FRANK]->id,
                             "last_day", "2026-12-31", "successor", (json_int_t)users[ALICE]->id);
    int64_t id = 0;
    assert_int_equal(
            approval_submit(&id, c, users[FRANK], "resignation", NULL, data, 0, NULL, 0, &err), 0);
    json_decref(data);
    assert_int_equal(act(BOB, id, "approve", NULL), 0);
    assert_int_equal(act(CAROL, id, "approve", NULL), 0);
    /* The last approval (行政人事备案) needs every hand-over item ticked. A
     * refused action leaves partial writes for the caller to roll back, as
     * the API's transaction does. */
    assert_true(db_run(c, "SAVEPOINT refused", "") >= 0);
    assert_int_equal(approval_act(c, users[GINA], id, "approve", NULL, 0, NULL, &err), APP_EINVAL);
    assert_string_equal(err.field, "handover");
    assert_true(db_run(c, "ROLLBACK TO SAVEPOINT refused", "") >= 0);
    static const char *const items[] = {"工作及在办事项交接", "客户资料与台账移交",
                                        "办公用品、资产归还", "门禁卡、钥匙归还",
                                        "借款结清",           "系统账号停用"};
    json_t *ticks = json_array();
    for (size_t i = 0; i < ARRAY_LEN(items); i++)
        json_array_append_new(ticks, json_pack("{s:s, s:b}", "item", items[i], "done", 1));
    json_t *updates = json_pack("{s:o}", "handover", ticks);
    assert_int_equal(approval_act(c, users[GINA], id, "approve", "交接完毕", 0, updates, &err), 0);
    json_decref(updates);
    assert_string_equal(status_of(id), "approved");
}

static void a_step_without_approvers_says_so(void **state)
{
    (void)state;
    struct app_err err = {0};
    assert_true(db_run(c, "UPDATE users SET status = 'disabled' WHERE username IN ('carol')", "") >=
                0);
    int64_t id = submit(ALICE, 500);
    assert_int_equal(approval_act(c, users[BOB], id, "approve", NULL, 0, NULL, &err),
                     APP_ECONFLICT);
    assert_non_null(strstr(err.message, "找不到审批人"));
}

static void form_values_are_checked(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = 0;
    json_t *bad = json_pack("{s:s}", "amount", "一千");
    assert_int_equal(approval_submit(&id, c, users[ALICE], "t_route", NULL, bad, 0, NULL, 0, &err),
                     APP_EINVAL);
    assert_string_equal(err.field, "amount");
    json_decref(bad);
    bad = json_pack("{s:I, s:s}", "amount", (json_int_t)1, "colour", "red");
    assert_int_equal(approval_submit(&id, c, users[ALICE], "t_route", NULL, bad, 0, NULL, 0, &err),
                     APP_EINVAL);
    assert_string_equal(err.field, "colour");
    json_decref(bad);
    bad = json_pack("{}");
    assert_int_equal(approval_submit(&id, c, users[ALICE], "t_route", NULL, bad, 0, NULL, 0, &err),
                     APP_EINVAL);
    assert_string_equal(err.field, "amount");
    assert_int_equal(approval_submit(&id, c, users[ALICE], "nope", NULL, bad, 0, NULL, 0, &err),
                     APP_EINVAL);
    json_decref(bad);
    /* An items table names the bad cell. */
    json_t *lines = json_pack("{s:[{s:s, s:s, s:s}]}", "lines", "date", "2026-11-20", "category",
                              "交通费", "description", "打车");
    assert_int_equal(
            approval_submit(&id, c, users[ALICE], "expense", NULL, lines, 0, NULL, 0, &err),
            APP_EINVAL);
    assert_string_equal(err.field, "lines[0].amount");
    json_decref(lines);
}

static void templates_are_checked(void **state)
{
    (void)state;
    struct app_err err = {0};
    json_t *form = json_loads(
            "{\"fields\":[{\"name\":\"amount\",\"label\":\"金额\",\"type\":\"money\"}]}", 0, NULL);
    json_t *ok = json_loads("[{\"name\":\"审批\",\"approver\":{\"type\":\"role\",\"role\":\"x\"}}]",
                            0, NULL);
    json_t *bad_type =
            json_loads("[{\"name\":\"审批\",\"approver\":{\"type\":\"boss\"}}]", 0, NULL);
    json_t *bad_when = json_loads("[{\"name\":\"审批\",\"approver\":{\"type\":\"dept_head\"},"
                                  "\"when\":{\"field\":\"missing\",\"op\":\">\",\"value\":1}}]",
                                  0, NULL);
    json_t *bad_form = json_loads(
            "{\"fields\":[{\"name\":\"Bad Name\",\"label\":\"x\",\"type\":\"text\"}]}", 0, NULL);
    assert_int_equal(approval_template_check(form, ok, &err), 0);
    assert_int_equal(approval_template_check(form, bad_type, &err), APP_EINVAL);
    assert_int_equal(approval_template_check(form, bad_when, &err), APP_EINVAL);
    assert_int_equal(approval_template_check(bad_form, ok, &err), APP_EINVAL);
    assert_string_equal(err.field, "form");
    json_t *empty = json_array();
    assert_int_equal(approval_template_check(form, empty, &err), APP_EINVAL);
    assert_string_equal(err.field, "steps");
    json_decref(form);
    json_decref(ok);
    json_decref(bad_type);
    json_decref(bad_when);
    json_decref(bad_form);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(small_amount_skips_the_conditional_step, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(all_of_step_needs_every_approver, begin, rollback),
            cmocka_unit_test_setup_teardown(only_the_current_approver_decides, begin, rollback),
            cmocka_unit_test_setup_teardown(rejection_calls_the_handler_exactly_once, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(returned_request_is_resubmitted_from_the_start, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(withdrawal_only_before_a_decision, begin, rollback),
            cmocka_unit_test_setup_teardown(delegation_and_transfer_move_the_task, begin, rollback),
            cmocka_unit_test_setup_teardown(the_applicants_own_step_is_skipped, begin, rollback),
            cmocka_unit_test_setup_teardown(checklist_must_be_done_before_the_last_approval, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(a_step_without_approvers_says_so, begin, rollback),
            cmocka_unit_test_setup_teardown(form_values_are_checked, begin, rollback),
            cmocka_unit_test(templates_are_checked),
    };
    return cmocka_run_group_tests_name("approval", tests, setup, teardown);
}
