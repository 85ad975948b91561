/*
 * scheduler.c - leases, the run log, and the jobs.
 */
#include "scheduler.h"

#include <string.h>

#include "approval.h"
#include "calc.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "customer.h"
#include "notify.h"
#include "outbox.h"
#include "query.h"
#include "ticket.h"
#include "warranty.h"

#define LEASE_SECONDS 300

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

int scheduler_mark(struct db_conn *c, const char *job, const char *mark)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc =
            db_run(c, "INSERT INTO job_marks (job, mark, at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                   "ttt", job, mark, at);
    return rc < 0 ? rc : rc > 0;
}

static void day_of(char out[11], int64_t now)
{
    int64_t local = now + 8 * 3600;
    date_from_days(out, local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
}

/*---- Jobs ----*/

static int job_approvals(struct db_conn *c, int64_t now, int64_t param)
{
    (void)param;
    return approval_remind_overdue(c, now);
}

static int job_ticket_sla(struct db_conn *c, int64_t now, int64_t param)
{
    (void)param;
    return ticket_sla_sweep(c, now);
}

/* Owners hear param days before a component's warranty ends (DOMAIN.md
 * §1: 质保期届满前公示和排查), so they can still report problems. */
static int job_warranty(struct db_conn *c, int64_t now, int64_t param)
{
    char today[11], until[11];
    day_of(today, now);
    date_add_days(until, today, param > 0 ? param : 60);
    json_t *units = NULL;
    struct db_params p = {0};
    int rc = query_rows(&units, c,
                        "SELECT id, project_id, room_code, delivered_on FROM units WHERE"
                        " delivered_on IS NOT NULL ORDER BY project_id, id",
                        &p);
    if (rc < 0)
        return rc;
    json_t *periods = NULL;
    int64_t periods_of = -1;
    int fired = 0;
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        if (row_int(u, "project_id") != periods_of) {
            json_decref(periods);
            periods = NULL;
            periods_of = row_int(u, "project_id");
            if ((rc = warranty_periods_for(&periods, c, periods_of)) < 0)
                break;
        }
        size_t j;
        json_t *w;
        json_array_foreach(periods, j, w)
        {
            char end[11], mark[96];
            if (calc_period_end(end, row_str(u, "delivered_on"), (int)row_int(w, "years"),
                                (int)row_int(w, "months")) < 0 ||
                strcmp(end, today) < 0 || strcmp(end, until) > 0)
                continue;
            snprintf(mark, sizeof(mark), "unit %lld %s %s", (long long)row_int(u, "id"),
                     row_str(w, "component"), end);
            rc = scheduler_mark(c, "warranty_expiry", mark);
            if (rc <= 0)
                break;
            char title[300];
            snprintf(title, sizeof(title),
                     "保修期届满提醒：%s %s 保修期至 %s，如有问题请在此前报修",
                     row_str(u, "room_code"), row_str(w, "name"), end);
            json_t *owners = NULL;
            struct db_params q = {0};
            db_params_int(&q, row_int(u, "id"));
            rc = query_rows(&owners, c,
                            "SELECT o.customer_id, c.email FROM unit_owners o JOIN customers c ON"
                            " c.id = o.customer_id WHERE o.unit_id = ?",
                            &q);
            db_params_free(&q);
            size_t k;
            json_t *o;
            json_array_foreach(owners, k, o)
            {
                if (rc < 0)
                    break;
                rc = customer_event_add(c, row_int(o, "customer_id"), "warranty", title, "units",
                                        row_int(u, "id"), NULL);
                /* A service notice: by SMS, and by email where there is one. */
                if (rc >= 0)
                    rc = outbox_enqueue(c, "sms", "service", row_int(o, "customer_id"),
                                        row_int(u, "project_id"), "保修期届满提醒", title,
                                        "warranty_expiry");
                if (rc >= 0 && row_str(o, "email") && *row_str(o, "email"))
                    rc = outbox_enqueue(c, "email", "service", row_int(o, "customer_id"),
                                        row_int(u, "project_id"), "保修期届满提醒", title,
                                        "warranty_expiry");
            }
            json_decref(owners);
            if (rc < 0)
                break;
            fired++;
        }
        if (rc < 0)
            break;
    }
    json_decref(periods);
    json_decref(units);
    return rc < 0 ? rc : fired;
}

/* Certificates not issued within param days of their due date (delivery +
 * the contract's certificate_days): the contract clerks are told once. */
static int job_certificates(struct db_conn *c, int64_t now, int64_t param)
{
    char today[11];
    day_of(today, now);
    json_t *rows = NULL;
    struct db_params p = {0};
    int rc = query_rows(&rows, c,
                        "SELECT k.id, k.project_id, c.no, c.certificate_days, u.room_code,"
                        " u.delivered_on FROM certificates k JOIN contracts c ON c.id ="
                        " k.contract_id JOIN units u ON u.id = k.unit_id WHERE k.status IN"
                        " ('collecting', 'submitted') AND u.delivered_on IS NOT NULL",
                        &p);
    if (rc < 0)
        return rc;
    int fired = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        char due[11], mark[48];
        int64_t left = 0;
        if (date_add_days(due, row_str(r, "delivered_on"), row_int(r, "certificate_days")) < 0)
            continue;
        date_diff_days(&left, today, due);
        if (left > param)
            continue;
        snprintf(mark, sizeof(mark), "certificate %lld", (long long)row_int(r, "id"));
        if ((rc = scheduler_mark(c, "certificate_deadlines", mark)) < 0)
            break;
        if (rc == 0)
            continue;
        char title[200];
        snprintf(title, sizeof(title), "产权证办理%s：%s（合同 %s）期限 %s",
                 left < 0 ? "已逾期" : "临近期限", row_str(r, "room_code"), row_str(r, "no"), due);
        if ((rc = notify_role(c, "contract", row_int(r, "project_id"), "certificate_deadline",
                              title, "#/list/certificates")) < 0)
            break;
        fired++;
    }
    json_decref(rows);
    return rc < 0 ? rc : fired;
}

/* Filing (网签备案) and pre-registration (预告登记) due within param days. */
static int job_filing(struct db_conn *c, int64_t now, int64_t param)
{
    char today[11];
    day_of(today, now);
    json_t *rows = NULL;
    struct db_params p = {0};
    int rc = query_rows(&rows, c,
                        "SELECT c.id, c.no, c.project_id, c.status, c.signed_on, c.filed_on,"
                        " p.filing_days, p.prereg_days FROM contracts c JOIN projects p ON p.id ="
                        " c.project_id WHERE c.status IN ('signed', 'filed')",
                        &p);
    if (rc < 0)
        return rc;
    int fired = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int filing = strcmp(row_str(r, "status"), "signed") == 0;
        const char *from = row_str(r, filing ? "signed_on" : "filed_on");
        char due[11], mark[64];
        int64_t left = 0;
        if (from == NULL ||
            date_add_days(due, from, row_int(r, filing ? "filing_days" : "prereg_days")) < 0)
            continue;
        date_diff_days(&left, today, due);
        if (left > param)
            continue;
        snprintf(mark, sizeof(mark), "%s %lld", filing ? "filing" : "prereg",
                 (long long)row_int(r, "id"));
        if ((rc = scheduler_mark(c, "filing_deadlines", mark)) < 0)
            break;
        if (rc == 0)
            continue;
        char title[200], link[48];
        snprintf(title, sizeof(title), "%s%s：合同 %s 期限 %s", filing ? "网签备案" : "预告登记",
                 left < 0 ? "已逾期" : "临近期限", row_str(r, "no"), due);
        snprintf(link, sizeof(link), "#/contract/%lld", (long long)row_int(r, "id"));
        if ((rc = notify_role(c, "contract", row_int(r, "project_id"), "filing_deadline", title,
                              link)) < 0)
            break;
        fired++;
    }
    json_decref(rows);
    return rc < 0 ? rc : fired;
}

/* The latest follow-up of each open loan whose next action is due. */
static int job_followups(struct db_conn *c, int64_t now, int64_t param)
{
    (void)param;
    char today[11];
    day_of(today, now);
    json_t *rows = NULL;
    struct db_params p = {0};
    db_params_text(&p, today);
    int rc = query_rows(&rows, c,
                        "SELECT f.id, f.loan_id, f.next_action, f.next_action_on, l.project_id,"
                        " (SELECT no FROM contracts WHERE id = l.contract_id) AS contract_no FROM"
                        " loan_followups f JOIN loans l ON l.id = f.loan_id WHERE"
                        " f.next_action_on IS NOT NULL AND f.next_action_on <= ? AND f.id = (SELECT"
                        " MAX(g.id) FROM loan_followups g WHERE g.loan_id = f.loan_id) AND l.stage"
                        " NOT IN ('disbursed', 'refused')",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    int fired = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        char mark[48];
        snprintf(mark, sizeof(mark), "followup %lld", (long long)row_int(r, "id"));
        if ((rc = scheduler_mark(c, "mortgage_followups", mark)) < 0)
            break;
        if (rc == 0)
            continue;
        char title[400], link[48];
        snprintf(title, sizeof(title), "按揭跟进到期（%s）：合同 %s %s",
                 row_str(r, "next_action_on"),
                 row_str(r, "contract_no") ? row_str(r, "contract_no") : "",
                 row_str(r, "next_action") ? row_str(r, "next_action") : "");
        snprintf(link, sizeof(link), "#/loan/%lld", (long long)row_int(r, "loan_id"));
        if ((rc = notify_role(c, "mortgage", row_int(r, "project_id"), "loan_followup", title,
                              link)) < 0)
            break;
        fired++;
    }
    json_decref(rows);
    return rc < 0 ? rc : fired;
}

/* Monday morning: last week's mortgage report is ready for the managers. */
static int job_weekly(struct db_conn *c, int64_t now, int64_t param)
{
    (void)param;
    char today[11], monday[11];
    day_of(today, now);
    int y, m, d;
    date_parse(&y, &m, &d, today);
    int64_t days = date_to_days(y, m, d);
    int64_t weekday = ((days % 7) + 7 + 3) % 7; /* 0 = Monday */
    date_from_days(monday, days - weekday - 7); /* last week's Monday */
    char mark[32];
    snprintf(mark, sizeof(mark), "week %s", monday);
    int rc = scheduler_mark(c, "mortgage_weekly", mark);
    if (rc <= 0)
        return rc;
    char title[120], link[64];
    snprintf(title, sizeof(title), "按揭周报（%s 起一周）已生成", monday);
    snprintf(link, sizeof(link), "#/mortgage/weekly?week=%s", monday);
    rc = notify_role(c, "manager", 0, "mortgage_weekly", title, link);
    return rc < 0 ? rc : 1;
}

/* A job runs in one transaction (run), or manages its own when it talks
 * to the outside world and must not hold the database meanwhile (run_db). */
static const struct {
    const char *code;
    int (*run)(struct db_conn *c, int64_t now, int64_t param);
    int (*run_db)(struct db *db, int64_t now, int64_t param);
} jobs[] = {
        {"approval_reminders", job_approvals, NULL},
        {"ticket_sla", job_ticket_sla, NULL},
        {"warranty_expiry", job_warranty, NULL},
        {"certificate_deadlines", job_certificates, NULL},
        {"filing_deadlines", job_filing, NULL},
        {"mortgage_followups", job_followups, NULL},
        {"mortgage_weekly", job_weekly, NULL},
        /* Last: what the others queued goes out in the same pass. */
        {"outbox", NULL, outbox_send_due},
};

/*---- Running ----*/

/* Take the job's lease if it is free (or expired) and the job is due. */
static int
acquire(struct db *db, const char *code, int64_t now, const char *holder, int force, int64_t *param)
{
    struct db_conn *c = db_acquire(db);
    int rc = db_begin(c, 1);
    json_t *row = NULL;
    if (rc == 0) {
        struct db_params p = {0};
        db_params_text(&p, code);
        rc = query_row(&row, c, "SELECT * FROM scheduled_jobs WHERE code = ?", &p);
        db_params_free(&p);
    }
    int got = 0;
    if (rc == 0 && row_int(row, "enabled") && (force || row_int(row, "next_run_at") <= now)) {
        /* Due again in the UPDATE itself: another server may have read the
         * same due row, run the job and released the lease since. */
        rc = db_run(c,
                    "UPDATE scheduled_jobs SET lease_holder = ?, lease_until = ? WHERE code = ? AND"
                    " lease_until < ? AND (? = 1 OR next_run_at <= ?)",
                    "titiii", holder, now + LEASE_SECONDS, code, now, (int64_t)(force != 0), now);
        got = rc > 0;
        *param = row_int(row, "param");
    }
    json_decref(row);
    if (rc >= 0 && db_in_tx(c))
        rc = db_commit(c);
    if (db_in_tx(c))
        db_rollback(c);
    db_release(c);
    return rc < 0 ? rc : got;
}

/* Log the run and release the lease. The next run counts from the wall
 * clock, not from the instant the jobs were evaluated at: `remind --now`
 * replaying a later day must not hold the servers' own schedule back. */
static void finish(struct db *db,
                   const char *code,
                   const char *holder,
                   int64_t started,
                   int fired,
                   const char *status,
                   struct db_conn *c)
{
    char s[32], f[32];
    time_format_iso(s, sizeof(s), started);
    time_now_iso(f, sizeof(f));
    int own = c == NULL;
    if (own) {
        c = db_acquire(db);
        if (db_begin(c, 1) < 0) {
            db_release(c);
            return;
        }
    }
    int rc = db_run(c,
                    "INSERT INTO job_runs (job, holder, started_at, finished_at, status, fired)"
                    " VALUES (?,?,?,?,?,?)",
                    "ttttti", code, holder, s, f, status, (int64_t)fired);
    if (rc >= 0)
        rc = db_run(c,
                    "UPDATE scheduled_jobs SET lease_holder = NULL, lease_until = 0, last_run_at ="
                    " ?, next_run_at = ? + every_seconds WHERE code = ? AND lease_holder = ?",
                    "titt", s, time_now(), code, holder);
    if (own) {
        if (rc >= 0)
            db_commit(c);
        else
            db_rollback(c);
        db_release(c);
    }
}

int scheduler_run(struct db *db, int64_t now, const char *holder, int force)
{
    int total = 0, failed = 0;
    for (size_t i = 0; i < ARRAY_LEN(jobs); i++) {
        int64_t param = 0;
        int got = acquire(db, jobs[i].code, now, holder, force, &param);
        if (got <= 0) {
            failed |= got < 0;
            continue;
        }
        int64_t started = time_now();
        if (jobs[i].run_db) {
            int sent = jobs[i].run_db(db, now, param);
            finish(db, jobs[i].code, holder, started, sent < 0 ? 0 : sent,
                   sent < 0 ? "failed" : "ok", NULL);
            if (sent < 0) {
                log_error("scheduler: job %s failed", jobs[i].code);
                failed = 1;
            } else {
                total += sent;
            }
            continue;
        }
        struct db_conn *c = db_acquire(db);
        int n = db_begin(c, 1);
        if (n == 0)
            n = jobs[i].run(c, now, param);
        if (n >= 0) {
            /* The run, its log and the lease's release commit together. */
            finish(db, jobs[i].code, holder, started, n, "ok", c);
            if (db_commit(c) < 0)
                n = -1;
        }
        if (db_in_tx(c))
            db_rollback(c);
        db_release(c);
        if (n < 0) {
            log_error("scheduler: job %s failed", jobs[i].code);
            finish(db, jobs[i].code, holder, started, 0, "failed", NULL);
            failed = 1;
        } else {
            if (n > 0)
                log_info("scheduler: %s fired %d", jobs[i].code, n);
            total += n;
        }
    }
    return failed ? -1 : total;
}
