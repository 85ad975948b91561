/* Unit tests of tickets (src/domain/ticket.c, workcal.c): working-day
 * arithmetic across holidays and make-up days, SLA due times, pause and
 * resume, warnings and escalations firing once, the action table allowing
 * and refusing, the self-rating rule, low scores, and the parent/child rule. */
#include <string.h>

#include "core/timeutil.h"
#include "domain/approval_handlers.h"
#include "domain/auth.h"
#include "domain/ticket.h"
#include "domain/workcal.h"
#include "test_helpers.h"

static struct db *db;
static struct db_conn *c;

enum { AGENT, SUP, MGR, PROP, N_USERS };
static struct auth_user *users[N_USERS];
static int64_t unit_id, customer_id, leak_category;

/* Local (UTC+8) wall time as epoch seconds. */
static int64_t local(const char *date, int hour, int minute)
{
    int y, m, d;
    assert_int_equal(date_parse(&y, &m, &d, date), 0);
    return date_to_days(y, m, d) * 86400 + hour * 3600 + minute * 60 - 8 * 3600;
}

static int64_t day(const char *date)
{
    int y, m, d;
    assert_int_equal(date_parse(&y, &m, &d, date), 0);
    return date_to_days(y, m, d);
}

static const char *day_str(int64_t days)
{
    static char out[11];
    date_from_days(out, days);
    return out;
}

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
    ticket_init();
    db = test_db_open();
    c = db_acquire(db);
    assert_int_equal(db_begin(c, 1), 0);
    static const char *const spec[N_USERS][2] = {
            {"amy", "agent"}, {"sam", "supervisor"}, {"max", "manager"}, {"pat", "property"}};
    int64_t ids[N_USERS];
    struct app_err err = {0};
    for (int i = 0; i < N_USERS; i++)
        assert_int_equal(auth_create_user(c, &ids[i], spec[i][0], spec[i][0], spec[i][1], "客服部",
                                          1, "password-123", &err),
                         0);
    insert("INSERT INTO projects (code, name, created_at, updated_at)"
           " VALUES ('P1', '和悦府', '', '') RETURNING id");
    insert("INSERT INTO buildings (project_id, code, name, floors, created_at)"
           " VALUES (1, '1', '1号楼', 18, '') RETURNING id");
    unit_id = insert("INSERT INTO units (project_id, building_id, room_code, unit_no, floor, room,"
                     " delivered_on, created_at) VALUES (1, 1, '1-1-101', '1', 1, '101',"
                     " '2024-02-29', '') RETURNING id");
    customer_id = insert("INSERT INTO customers (kind, name, status, created_at, updated_at)"
                         " VALUES ('person', '张三', 'active', '', '') RETURNING id");
    leak_category = insert("SELECT id FROM ticket_categories WHERE name = '卫生间渗漏'");
    assert_int_equal(db_commit(c), 0);
    for (int i = 0; i < N_USERS; i++)
        assert_int_equal(auth_user_load(&users[i], c, ids[i]), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    time_set_fake(0);
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
    time_set_fake(0);
    db_rollback(c);
    return 0;
}

/*---- The calendar ----*/

static void workdays_skip_holidays_and_count_makeup_days(void **state)
{
    (void)state;
    struct workcal w = {0};
    assert_int_equal(workcal_load(&w, c), 0);
    /* 国庆 2026: 10/1–10/7 off; 10/10 (Saturday) worked. */
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2026-09-30"), 1)), "2026-10-08");
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2026-10-09"), 1)), "2026-10-10");
    /* 春节 2026: 2/14 (Saturday) worked, 2/15–2/23 off. */
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2026-02-13"), 1)), "2026-02-14");
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2026-02-14"), 1)), "2026-02-24");
    /* 元旦 2026: 1/1–1/3 off, Sunday 1/4 worked. */
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2025-12-31"), 1)), "2026-01-04");
    /* 国庆中秋 2025: 10/1–10/8 off. */
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2025-09-30"), 1)), "2025-10-09");
    /* An ordinary weekend, and zero days. */
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2026-11-27"), 1)), "2026-11-30");
    assert_string_equal(day_str(workcal_add_workdays(&w, day("2026-11-28"), 0)), "2026-11-28");
    assert_false(workcal_is_workday(&w, day("2026-10-01")));
    assert_true(workcal_is_workday(&w, day("2026-09-20"))); /* Sunday, made up */
    workcal_free(&w);
}

static void working_hours_skip_nights_lunch_and_weekends(void **state)
{
    (void)state;
    struct workcal w = {0};
    assert_int_equal(workcal_load(&w, c), 0);
    /* Friday 16:00 + 4 working hours = Monday 11:00. */
    assert_int_equal(workcal_add_work_seconds(&w, local("2026-11-27", 16, 0), 4 * 3600),
                     local("2026-11-30", 11, 0));
    /* 11:00 + 2 h skips the 12:00–13:00 lunch hour. */
    assert_int_equal(workcal_add_work_seconds(&w, local("2026-11-30", 11, 0), 2 * 3600),
                     local("2026-11-30", 14, 0));
    /* From a Saturday night: the week starts Monday 09:00. */
    assert_int_equal(workcal_add_work_seconds(&w, local("2026-11-28", 23, 0), 3600),
                     local("2026-11-30", 10, 0));
    /* Across 国庆: 9/30 17:00 + 2 h = 10/8 10:00. */
    assert_int_equal(workcal_add_work_seconds(&w, local("2026-09-30", 17, 0), 2 * 3600),
                     local("2026-10-08", 10, 0));
    assert_int_equal(
            workcal_work_seconds(&w, local("2026-11-27", 16, 0), local("2026-11-30", 11, 0)),
            4 * 3600);
    assert_int_equal(workcal_end_of_workday(&w, local("2026-11-27", 16, 0), 3),
                     local("2026-12-02", 18, 0));
    workcal_free(&w);
}

static void calendar_import_replaces_a_year_and_checks_rows(void **state)
{
    (void)state;
    struct app_err err = {0};
    json_t *days = json_pack("[{s:s, s:s, s:s}, {s:s, s:s}]", "day", "2027-01-01", "kind",
                             "holiday", "name", "元旦", "day", "2027-01-02", "kind", "holiday");
    assert_int_equal(workcal_import(c, users[MGR], 2027, days, &err), 0);
    json_decref(days);
    days = json_pack("[{s:s, s:s}]", "day", "2027-01-05", "kind", "workday");
    assert_int_equal(workcal_import(c, users[MGR], 2027, days, &err), APP_EINVAL);
    assert_string_equal(err.field, "days[0].kind"); /* a Tuesday cannot be a make-up day */
    json_decref(days);
    days = json_pack("[{s:s, s:s}]", "day", "2028-01-05", "kind", "holiday");
    assert_int_equal(workcal_import(c, users[MGR], 2027, days, &err), APP_EINVAL);
    assert_string_equal(err.field, "days[0].day");
    json_decref(days);
    int64_t n = 0;
    db_query_int64(c, &n, "SELECT COUNT(*) FROM calendar_days WHERE day LIKE '2027-%'", "");
    assert_int_equal(n, 2);
}

/*---- Tickets ----*/

static int64_t open_ticket(int who, const char *type, const char *channel, int64_t at)
{
    time_set_fake(at);
    struct app_err err = {0};
    json_t *in =
            json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "type", type, "channel", channel, "unit_id",
                      (json_int_t)unit_id, "customer_id", (json_int_t)customer_id, "category_id",
                      (json_int_t)leak_category, "description", "卫生间渗水到楼下");
    if (strcmp(channel, "hotline") == 0) {
        json_object_set_new(in, "hotline_deadline", json_string("2026-12-01"));
        json_object_set_new(in, "hotline_no", json_string("12345-0001"));
    }
    int64_t id = 0;
    assert_int_equal(ticket_create(&id, NULL, c, users[who], in, &err), 0);
    json_decref(in);
    return id;
}

static int act(int who, int64_t id, const char *action, json_t *params, const char **field)
{
    struct app_err err = {0};
    int rc = ticket_act(c, users[who], id, action, params, &err);
    json_decref(params);
    if (field) {
        static char f[64];
        app_strlcpy(f, err.field[0] ? err.field : "", sizeof(f));
        *field = f;
    }
    return rc;
}

static int64_t col_time(int64_t id, const char *col)
{
    char sql[96], *s = NULL;
    int64_t t = 0;
    snprintf(sql, sizeof(sql), "SELECT %s FROM tickets WHERE id = ?", col);
    assert_int_equal(db_query_text(c, &s, sql, "i", id), 0);
    if (s)
        assert_int_equal(time_parse_iso(&t, s), 0);
    free(s);
    return t;
}

static const char *status_of(int64_t id)
{
    static char buf[32];
    char *s = NULL;
    assert_int_equal(db_query_text(c, &s, "SELECT status FROM tickets WHERE id = ?", "i", id), 0);
    app_strlcpy(buf, s, sizeof(buf));
    free(s);
    return buf;
}

static void sla_due_times_follow_the_policy(void **state)
{
    (void)state;
    /* A repair at Friday 16:00: respond in 8 working hours, resolve in 5
     * working days (18:00 of the fifth working day). */
    int64_t id = open_ticket(AGENT, "repair", "phone", local("2026-11-27", 16, 0));
    assert_int_equal(col_time(id, "response_due_at"), local("2026-11-30", 16, 0));
    assert_int_equal(col_time(id, "resolve_due_at"), local("2026-12-04", 18, 0));
    /* Warned at 80% of the 5.25 working days (42 h → 33.6 h in). */
    assert_int_equal(col_time(id, "warn_at"), local("2026-12-03", 17, 36));
    /* 12345: the hotline's deadline (2026-12-01 18:00) comes first. */
    int64_t hot = open_ticket(AGENT, "complaint", "hotline", local("2026-11-27", 16, 0));
    assert_int_equal(col_time(hot, "resolve_due_at"), local("2026-12-01", 18, 0));
    int64_t need = 0;
    db_query_int64(c, &need, "SELECT callback_required FROM tickets WHERE id = ?", "i", hot);
    assert_int_equal(need, 1);
    /* A consultation by phone needs no callback; by 12345 it does. */
    int64_t q = open_ticket(AGENT, "consult", "phone", local("2026-11-27", 16, 0));
    db_query_int64(c, &need, "SELECT callback_required FROM tickets WHERE id = ?", "i", q);
    assert_int_equal(need, 0);
}

static void pause_stops_the_clock_and_resume_moves_the_due_time(void **state)
{
    (void)state;
    int64_t id = open_ticket(AGENT, "repair", "phone", local("2026-11-27", 16, 0));
    int64_t due = col_time(id, "resolve_due_at");
    time_set_fake(local("2026-11-30", 9, 30));
    assert_int_equal(act(AGENT, id, "accept", NULL, NULL), 0);
    assert_int_equal(act(AGENT, id, "pause", json_pack("{s:s}", "note", "业主出差"), NULL), 0);
    /* Paused, the ticket refuses to be resolved. */
    const char *field = NULL;
    assert_int_equal(act(AGENT, id, "resolve", json_pack("{s:s}", "resolution", "x"), &field),
                     APP_ECONFLICT);
    /* Resumed the next day at 09:30: 8 working hours later. */
    time_set_fake(local("2026-12-01", 9, 30));
    assert_int_equal(act(AGENT, id, "resume", NULL, NULL), 0);
    assert_int_equal(col_time(id, "resolve_due_at"), local("2026-12-07", 18, 0));
    assert_true(col_time(id, "resolve_due_at") > due);
    /* Resuming twice is refused. */
    assert_int_equal(act(AGENT, id, "resume", NULL, NULL), APP_ECONFLICT);
}

static int64_t notes_of(int who, const char *kind)
{
    int64_t n = 0;
    db_query_int64(c, &n, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = ?", "it",
                   users[who]->id, kind);
    return n;
}

static void warnings_and_escalations_fire_once(void **state)
{
    (void)state;
    int64_t id = open_ticket(AGENT, "repair", "phone", local("2026-11-27", 16, 0));
    time_set_fake(local("2026-11-27", 16, 30));
    assert_int_equal(act(AGENT, id, "accept", NULL, NULL), 0);
    /* Nothing is due yet. */
    assert_int_equal(ticket_sla_sweep(c, local("2026-11-30", 10, 0)), 0);
    /* The warning, once. */
    assert_int_equal(ticket_sla_sweep(c, local("2026-12-03", 17, 40)), 1);
    assert_int_equal(ticket_sla_sweep(c, local("2026-12-03", 17, 50)), 0);
    assert_int_equal(notes_of(AGENT, "ticket_sla_warning"), 1);
    /* Breach: the supervisor, once. */
    assert_int_equal(ticket_sla_sweep(c, local("2026-12-04", 18, 5)), 1);
    assert_int_equal(ticket_sla_sweep(c, local("2026-12-04", 18, 10)), 0);
    assert_int_equal(notes_of(SUP, "ticket_escalated"), 1);
    assert_int_equal(notes_of(MGR, "ticket_escalated"), 0);
    /* Long past: the manager, once. */
    assert_int_equal(ticket_sla_sweep(c, local("2026-12-10", 10, 0)), 1);
    assert_int_equal(ticket_sla_sweep(c, local("2026-12-11", 10, 0)), 0);
    assert_int_equal(notes_of(MGR, "ticket_escalated"), 1);
    int64_t level = 0;
    db_query_int64(c, &level, "SELECT escalation_level FROM tickets WHERE id = ?", "i", id);
    assert_int_equal(level, 2);
    /* A paused ticket is not chased. */
    int64_t p = open_ticket(AGENT, "repair", "phone", local("2026-11-27", 16, 0));
    time_set_fake(local("2026-11-27", 16, 30));
    assert_int_equal(act(AGENT, p, "accept", NULL, NULL), 0);
    assert_int_equal(act(AGENT, p, "pause", json_pack("{s:s}", "note", "等业主"), NULL), 0);
    assert_int_equal(ticket_sla_sweep(c, local("2026-12-20", 10, 0)), 0);
}

static void actions_follow_the_table(void **state)
{
    (void)state;
    time_set_fake(0);
    int64_t id = open_ticket(AGENT, "repair", "phone", time_now());
    const char *field = NULL;
    /* From 新建 only 受理 (and the stateless ones). */
    assert_int_equal(act(AGENT, id, "resolve", json_pack("{s:s}", "resolution", "x"), &field),
                     APP_ECONFLICT);
    assert_string_equal(field, "status");
    assert_int_equal(act(AGENT, id, "accept", NULL, NULL), 0);
    assert_int_equal(act(AGENT, id, "accept", NULL, NULL), APP_ECONFLICT);
    /* The property company may not dispatch. */
    assert_int_equal(
            act(PROP, id, "dispatch",
                json_pack("{s:s, s:s}", "dispatch_kind", "property", "dispatch_to", "物业"), NULL),
            APP_EFORBIDDEN);
    assert_int_equal(
            act(AGENT, id, "dispatch", json_pack("{s:s}", "dispatch_kind", "elsewhere"), &field),
            APP_EINVAL);
    assert_string_equal(field, "dispatch_kind");
    assert_int_equal(
            act(AGENT, id, "dispatch",
                json_pack("{s:s, s:s}", "dispatch_kind", "property", "dispatch_to", "物业维修班"),
                NULL),
            0);
    assert_string_equal(status_of(id), "processing");
    assert_int_equal(act(AGENT, id, "resolve", json_pack("{s:s}", "resolution", ""), &field),
                     APP_EINVAL);
    assert_string_equal(field, "resolution");
    assert_int_equal(act(AGENT, id, "resolve", json_pack("{s:s}", "resolution", "已修复"), NULL),
                     0);
    assert_string_equal(status_of(id), "callback");
    /* Closing needs a callback, or three failed attempts. */
    assert_int_equal(act(SUP, id, "close", NULL, &field), APP_ECONFLICT);
    assert_string_equal(field, "callback");
    for (int i = 0; i < 3; i++)
        assert_int_equal(act(SUP, id, "callback", json_pack("{s:s}", "outcome", "failed"), NULL),
                         0);
    assert_int_equal(act(SUP, id, "close", NULL, NULL), 0);
    assert_string_equal(status_of(id), "closed");
    /* Reopening is the supervisor's. */
    assert_int_equal(act(AGENT, id, "reopen", json_pack("{s:s}", "reason", "又漏了"), NULL),
                     APP_EFORBIDDEN);
    assert_int_equal(act(SUP, id, "reopen", json_pack("{s:s}", "reason", "又漏了"), NULL), 0);
    assert_string_equal(status_of(id), "processing");
    int64_t events = 0;
    db_query_int64(c, &events, "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ?", "i", id);
    assert_int_equal(events,
                     9); /* create, accept, dispatch, resolve, 3 × callback, close, reopen */
}

static void the_handler_cannot_score_and_a_low_score_reopens(void **state)
{
    (void)state;
    time_set_fake(0);
    int64_t id = open_ticket(AGENT, "repair", "phone", time_now());
    assert_int_equal(act(AGENT, id, "accept", NULL, NULL), 0);
    assert_int_equal(act(AGENT, id, "resolve", json_pack("{s:s}", "resolution", "已修复"), NULL),
                     0);
    const char *field = NULL;
    assert_int_equal(
            act(AGENT, id, "callback",
                json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", 5, "comment", "很好"),
                &field),
            APP_EFORBIDDEN);
    assert_string_equal(field, "score");
    assert_int_equal(
            act(SUP, id, "callback",
                json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", 6, "comment", "很好"),
                &field),
            APP_EINVAL);
    assert_string_equal(field, "score");
    assert_int_equal(
            act(SUP, id, "callback",
                json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", 2, "comment", "还在漏"),
                NULL),
            0);
    assert_string_equal(status_of(id), "processing");
    assert_int_equal(notes_of(SUP, "ticket_escalated"), 1);
    assert_int_equal(act(AGENT, id, "resolve", json_pack("{s:s}", "resolution", "重做防水"), NULL),
                     0);
    assert_int_equal(
            act(SUP, id, "callback",
                json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", 4, "comment", "修好了"),
                NULL),
            0);
    assert_string_equal(status_of(id), "closed");
}

static void a_parent_cannot_close_while_a_child_is_open(void **state)
{
    (void)state;
    time_set_fake(0);
    int64_t parent = open_ticket(AGENT, "repair", "phone", time_now());
    int64_t child = open_ticket(AGENT, "repair", "phone", time_now());
    const char *field = NULL;
    assert_int_equal(act(AGENT, child, "set_parent",
                         json_pack("{s:I}", "parent_id", (json_int_t)parent), NULL),
                     0);
    /* One level: the parent cannot become a child. */
    assert_int_equal(act(AGENT, parent, "set_parent",
                         json_pack("{s:I}", "parent_id", (json_int_t)child), &field),
                     APP_EINVAL);
    assert_int_equal(act(AGENT, parent, "accept", NULL, NULL), 0);
    assert_int_equal(
            act(AGENT, parent, "resolve", json_pack("{s:s}", "resolution", "总管修复"), NULL), 0);
    assert_int_equal(
            act(SUP, parent, "callback",
                json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", 5, "comment", "好"),
                &field),
            APP_ECONFLICT);
    assert_string_equal(field, "children");
    assert_string_equal(status_of(parent), "callback");
    /* A duplicate merged into the child leaves it the only child. */
    int64_t dup = open_ticket(AGENT, "repair", "phone", time_now());
    assert_int_equal(
            act(AGENT, dup, "merge", json_pack("{s:I}", "into_id", (json_int_t)child), NULL), 0);
    assert_string_equal(status_of(dup), "merged");
    assert_int_equal(act(AGENT, dup, "accept", NULL, NULL), APP_ECONFLICT);
    assert_int_equal(act(AGENT, child, "accept", NULL, NULL), 0);
    assert_int_equal(act(AGENT, child, "resolve", json_pack("{s:s}", "resolution", "已修复"), NULL),
                     0);
    assert_int_equal(
            act(SUP, child, "callback",
                json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", 4, "comment", "好"),
                NULL),
            0);
    assert_int_equal(
            act(SUP, parent, "callback",
                json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", 5, "comment", "好"),
                NULL),
            0);
    assert_string_equal(status_of(parent), "closed");
}

static void warranty_runs_from_delivery_with_the_month_end_rule(void **state)
{
    (void)state;
    json_t *w = NULL;
    /* Delivered 2024-02-29; 5 years of waterproofing end on 2029-02-28. */
    assert_int_equal(ticket_warranty(&w, c, unit_id, leak_category), 0);
    assert_string_equal(json_string_value(json_object_get(w, "end")), "2029-02-28");
    assert_string_equal(json_string_value(json_object_get(w, "status")), "under_warranty");
    json_decref(w);
    int64_t doors = insert("SELECT id FROM ticket_categories WHERE name = '门窗'");
    assert_int_equal(ticket_warranty(&w, c, unit_id, doors), 0);
    assert_string_equal(json_string_value(json_object_get(w, "end")), "2026-02-28");
    assert_string_equal(json_string_value(json_object_get(w, "status")), "expired");
    json_decref(w);
    int64_t service = insert("SELECT id FROM ticket_categories WHERE name = '物业服务'");
    assert_int_equal(ticket_warranty(&w, c, unit_id, service), 0);
    assert_string_equal(json_string_value(json_object_get(w, "status")), "no_component");
    json_decref(w);
}

static void intake_is_validated_and_changes_nothing_when_bad(void **state)
{
    (void)state;
    struct app_err err = {0};
    int64_t id = 0, before = 0, after = 0;
    db_query_int64(c, &before, "SELECT COUNT(*) FROM tickets", "");
    json_t *in = json_pack("{s:s, s:s, s:I, s:I, s:s}", "type", "repair", "channel", "hotline",
                           "unit_id", (json_int_t)unit_id, "category_id", (json_int_t)leak_category,
                           "description", "漏水");
    assert_int_equal(ticket_create(&id, NULL, c, users[AGENT], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "customer_id");
    json_object_set_new(in, "customer_id", json_integer(customer_id));
    assert_int_equal(ticket_create(&id, NULL, c, users[AGENT], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "hotline_no");
    json_object_set_new(in, "hotline_no", json_string("12345-0002"));
    assert_int_equal(ticket_create(&id, NULL, c, users[AGENT], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "hotline_deadline");
    json_object_set_new(in, "channel", json_string("fax"));
    assert_int_equal(ticket_create(&id, NULL, c, users[AGENT], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "channel");
    json_object_set_new(in, "channel", json_string("phone"));
    json_object_set_new(in, "colour", json_string("red"));
    assert_int_equal(ticket_create(&id, NULL, c, users[AGENT], in, &err), APP_EINVAL);
    assert_string_equal(err.field, "colour");
    json_decref(in);
    db_query_int64(c, &after, "SELECT COUNT(*) FROM tickets", "");
    assert_int_equal(after, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(workdays_skip_holidays_and_count_makeup_days, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(working_hours_skip_nights_lunch_and_weekends, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(calendar_import_replaces_a_year_and_checks_rows, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(sla_due_times_follow_the_policy, begin, rollback),
            cmocka_unit_test_setup_teardown(pause_stops_the_clock_and_resume_moves_the_due_time,
                                            begin, rollback),
            cmocka_unit_test_setup_teardown(warnings_and_escalations_fire_once, begin, rollback),
            cmocka_unit_test_setup_teardown(actions_follow_the_table, begin, rollback),
            cmocka_unit_test_setup_teardown(the_handler_cannot_score_and_a_low_score_reopens, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(a_parent_cannot_close_while_a_child_is_open, begin,
                                            rollback),
            cmocka_unit_test_setup_teardown(warranty_runs_from_delivery_with_the_month_end_rule,
                                            begin, rollback),
            cmocka_unit_test_setup_teardown(intake_is_validated_and_changes_nothing_when_bad, begin,
                                            rollback),
    };
    return cmocka_run_group_tests_name("ticket", tests, setup, teardown);
}
