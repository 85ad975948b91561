/* Unit tests of the scheduler (src/domain/scheduler.c) and the warranty
 * ledger (warranty.c): two servers on one database run each job once, a
 * held lease keeps a job from running elsewhere, a job run twice sends its
 * notices once, warranty-expiry notices at the right distance (leap days,
 * month ends), the contractor's warranty beside the owner's. */
#include <stdio.h>
#include <string.h>

#include <pthread.h>

#include "core/timeutil.h"
#include "domain/approval_handlers.h"
#include "domain/auth.h"
#include "domain/outbox.h"
#include "domain/scheduler.h"
#include "domain/ticket.h"
#include "domain/warranty.h"
#include "test_helpers.h"

static char path[64];

static struct db *open_file(void)
{
    struct db *db = NULL;
    struct app_err err = {0};
    assert_int_equal(db_open(&db, path, 2, &err), 0);
    assert_true(db_migrate(db, &err) >= 0);
    return db;
}

static int64_t count(struct db *db, const char *sql)
{
    struct db_conn *c = db_acquire(db);
    int64_t n = -1;
    assert_int_equal(db_query_int64(c, &n, sql, ""), 0);
    db_release(c);
    return n;
}

static void exec(struct db *db, const char *sql)
{
    struct db_conn *c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    assert_true(db_run(c, sql, "") >= 0);
    assert_int_equal(db_commit(c), 0);
    db_release(c);
}

static int setup(void **state)
{
    (void)state;
    test_key_init();
    approval_handlers_init();
    ticket_init();
    snprintf(path, sizeof(path), "/tmp/anjia-sched-%d.db", (int)getpid());
    unlink(path);
    struct db *db = open_file();
    exec(db, "INSERT INTO projects (code, name, created_at, updated_at) VALUES ('P1', '和悦府',"
             " '', '')");
    exec(db, "INSERT INTO buildings (project_id, code, name, floors, created_at) VALUES (1, '1',"
             " '1号楼', 18, '')");
    /* Delivered on a leap day, on a month end, and long ago. */
    exec(db, "INSERT INTO units (project_id, building_id, room_code, unit_no, floor, room,"
             " delivered_on, created_at) VALUES (1, 1, '1-1-101', '1', 1, '101', '2024-02-29', ''),"
             " (1, 1, '1-1-102', '1', 1, '102', '2024-12-31', ''), (1, 1, '1-1-103', '1', 1,"
             " '103', '2015-06-01', '')");
    exec(db, "INSERT INTO customers (kind, name, status, created_at, updated_at) VALUES"
             " ('person', '张三', 'active', '', '')");
    exec(db, "INSERT INTO unit_owners (unit_id, customer_id, share_bp, is_primary) VALUES (1, 1,"
             " 10000, 1), (2, 1, 10000, 1)");
    db_close(db);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char wal[80];
    unlink(path);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", path);
    unlink(wal);
    return 0;
}

static int64_t at(const char *day)
{
    int y, m, d;
    assert_int_equal(date_parse(&y, &m, &d, day), 0);
    return date_to_days(y, m, d) * 86400 + 2 * 3600; /* 10:00 Beijing time */
}

static void warranty_notices_go_out_once_at_the_right_distance(void **state)
{
    (void)state;
    struct db *db = open_file();
    /* 2024-02-29 + 2 years ends 2026-02-28; 2024-12-31 + 2 years ends
     * 2026-12-31. 60 days before 2026-02-28 is 2025-12-30. */
    assert_true(scheduler_run(db, at("2025-12-29"), "A", 1) >= 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM job_marks WHERE job = 'warranty_expiry'"), 0);
    assert_true(scheduler_run(db, at("2025-12-30"), "A", 1) >= 0);
    /* Six two-year components of flat 101 (decoration, doors, electrical,
     * plumbing, equipment, heating). */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM job_marks WHERE job = 'warranty_expiry' AND"
                               " mark LIKE 'unit 1 %2026-02-28'"),
                     6);
    int64_t events = count(db, "SELECT COUNT(*) FROM customer_events WHERE kind = 'warranty'");
    assert_int_equal(events, 6);
    /* Again the next day, from another server: nothing new. */
    assert_true(scheduler_run(db, at("2025-12-31"), "B", 1) >= 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customer_events WHERE kind = 'warranty'"), 6);
    /* The month-end flat: 2026-12-31, told from 2026-11-01 on. */
    assert_true(scheduler_run(db, at("2026-11-01"), "A", 1) >= 0);
    assert_int_equal(
            count(db, "SELECT COUNT(*) FROM job_marks WHERE mark LIKE 'unit 2 %2026-12-31'"), 6);
    /* Every run is in the log. */
    assert_true(count(db, "SELECT COUNT(*) FROM job_runs WHERE job = 'warranty_expiry' AND status"
                          " = 'ok'") >= 4);
    db_close(db);
}

static void a_held_lease_keeps_a_job_from_running_elsewhere(void **state)
{
    (void)state;
    struct db *db = open_file();
    int64_t now = at("2026-03-01");
    char sql[200];
    snprintf(sql, sizeof(sql),
             "UPDATE scheduled_jobs SET lease_holder = 'other', lease_until = %lld WHERE code ="
             " 'mortgage_weekly'",
             (long long)(now + 100));
    exec(db, sql);
    exec(db, "DELETE FROM job_runs");
    assert_true(scheduler_run(db, now, "me", 1) >= 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM job_runs WHERE job = 'mortgage_weekly'"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM job_runs WHERE job = 'ticket_sla'"), 1);
    /* Expired, it is taken over. */
    assert_true(scheduler_run(db, now + 200, "me", 1) >= 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM job_runs WHERE job = 'mortgage_weekly' AND"
                               " holder = 'me'"),
                     1);
    /* The next run counts from the wall clock, not from the evaluated day. */
    int64_t next = count(db, "SELECT next_run_at FROM scheduled_jobs WHERE code = 'ticket_sla'");
    assert_true(next >= time_now() + 55 && next <= time_now() + 60);
    /* A disabled job does not run. */
    exec(db, "UPDATE scheduled_jobs SET enabled = 0 WHERE code = 'ticket_sla'");
    assert_true(scheduler_run(db, now + 300, "me", 1) >= 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM job_runs WHERE job = 'ticket_sla'"), 2);
    exec(db, "UPDATE scheduled_jobs SET enabled = 1 WHERE code = 'ticket_sla'");
    db_close(db);
}

struct server {
    struct db *db;
    const char *name;
    int64_t now;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    for (int i = 0; i < 5; i++)
        scheduler_run(s->db, s->now, s->name, 0);
    return NULL;
}

static void two_servers_on_one_database_run_each_job_once(void **state)
{
    (void)state;
    struct db *a = open_file(), *b = open_file();
    exec(a, "DELETE FROM job_runs");
    exec(a, "UPDATE scheduled_jobs SET next_run_at = 0, lease_until = 0");
    int64_t now = at("2026-04-01");
    struct server sa = {a, "server-a", now}, sb = {b, "server-b", now};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, serve, &sa), 0);
    assert_int_equal(pthread_create(&tb, NULL, serve, &sb), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    /* Eight jobs, each run once by one of the two, whatever the interleaving. */
    assert_int_equal(count(a, "SELECT COUNT(*) FROM job_runs"), 8);
    assert_int_equal(count(a, "SELECT COUNT(DISTINCT job) FROM job_runs"), 8);
    assert_int_equal(count(a, "SELECT COUNT(*) FROM job_marks WHERE job = 'mortgage_weekly'"),
                     count(a, "SELECT COUNT(DISTINCT mark) FROM job_marks WHERE job ="
                              " 'mortgage_weekly'"));
    db_close(a);
    db_close(b);
}

static void the_ledger_sets_the_contractors_warranty_beside_the_owners(void **state)
{
    (void)state;
    struct db *db = open_file();
    exec(db, "UPDATE projects SET completion_accepted_on = '2023-10-15' WHERE id = 1");
    struct db_conn *c = db_acquire(db);
    struct auth_user who = {.id = 1, .all_projects = 1};
    json_t *out = NULL;
    struct app_err err = {0};
    assert_int_equal(warranty_expiring(&out, c, &who, 0, "2029-01-01", "2029-12-31", &err), 0);
    /* Flat 101's five-year waterproofing ends 2029-02-28 (no 29 February in
     * 2029); the contractor's, from 2023-10-15, ended 2028-10-15: a gap
     * the developer carries. */
    size_t i;
    json_t *r;
    int seen = 0;
    json_array_foreach(json_object_get(out, "items"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "component")), "roof_waterproof") != 0 ||
            json_integer_value(json_object_get(r, "unit_id")) != 1)
            continue;
        assert_string_equal(json_string_value(json_object_get(r, "end")), "2029-02-28");
        assert_string_equal(json_string_value(json_object_get(r, "contractor_end")), "2028-10-15");
        assert_true(json_is_true(json_object_get(r, "mismatch")));
        seen = 1;
    }
    assert_true(seen);
    /* Flat 102 (2024-12-31 + 5 years) ends 2029-12-31, inside the range. */
    int seen2 = 0;
    json_array_foreach(json_object_get(out, "items"), i, r) seen2 |=
            json_integer_value(json_object_get(r, "unit_id")) == 2 &&
            strcmp(json_string_value(json_object_get(r, "end")), "2029-12-31") == 0;
    assert_true(seen2);
    json_decref(out);
    db_release(c);
    db_close(db);
}

static void marketing_needs_consent_and_failures_wait(void **state)
{
    (void)state;
    struct db *db = open_file();
    struct config cfg;
    config_defaults(&cfg); /* no SMTP server, no SMS gateway */
    outbox_configure(&cfg);
    exec(db, "UPDATE customers SET phone_enc = NULL, email = 'a@example.com',"
             " marketing_consent = 0 WHERE id = 1");
    struct db_conn *c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    assert_int_equal(outbox_enqueue(c, "email", "marketing", 1, 1, "新春活动", "欢迎参加", "test"),
                     0);
    assert_int_equal(outbox_enqueue(c, "email", "service", 1, 1, "维修通知", "明天停水", "test"),
                     0);
    assert_int_equal(outbox_enqueue(c, "sms", "service", 1, 1, "维修通知", "明天停水", "test"), 0);
    assert_int_equal(db_commit(c), 0);
    db_release(c);
    int64_t now = at("2026-05-01");
    assert_int_equal(outbox_send_due(db, now, 0), 0);
    /* Marketing without consent: never sent. No phone: nothing to send to.
     * The service email waits for a mail server, with the reason, retried
     * after a minute. */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'marketing' AND status ="
                               " 'skipped' AND last_error LIKE '%未同意%'"),
                     1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND status ="
                               " 'skipped' AND source = 'test'"),
                     1);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND kind = 'service' AND status"
             " = 'pending' AND attempts = 1 AND next_attempt_at = %lld",
             (long long)(now + 60));
    assert_int_equal(count(db, sql), 1);
    /* Not due again before the backoff. */
    assert_int_equal(outbox_send_due(db, now + 30, 0), 0);
    assert_int_equal(count(db, "SELECT attempts FROM outbox WHERE channel = 'email' AND kind ="
                               " 'service'"),
                     1);
    /* With consent, marketing is sent like the rest (here: waits likewise). */
    exec(db, "UPDATE customers SET marketing_consent = 1 WHERE id = 1");
    c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    assert_int_equal(outbox_enqueue(c, "email", "marketing", 1, 1, "新春活动", "欢迎参加", "test"),
                     0);
    assert_int_equal(db_commit(c), 0);
    db_release(c);
    assert_int_equal(outbox_send_due(db, now + 100, 0), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'marketing' AND status ="
                               " 'pending' AND attempts = 1"),
                     1);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(warranty_notices_go_out_once_at_the_right_distance),
            cmocka_unit_test(a_held_lease_keeps_a_job_from_running_elsewhere),
            cmocka_unit_test(two_servers_on_one_database_run_each_job_once),
            cmocka_unit_test(the_ledger_sets_the_contractors_warranty_beside_the_owners),
            cmocka_unit_test(marketing_needs_consent_and_failures_wait),
    };
    return cmocka_run_group_tests_name("scheduler", tests, setup, teardown);
}
