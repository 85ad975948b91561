/*
 * scheduler.h - the jobs `anjia serve` runs on its own and `anjia remind`
 * runs for cron: approval reminders, ticket SLA warnings and escalations,
 * warranty-expiry notices, certificate and filing deadlines, mortgage
 * follow-ups, the weekly mortgage report.
 *
 * A job runs only under its lease in scheduled_jobs (one server at a time,
 * whatever the number sharing the database), each run is logged in
 * job_runs, and every notice a job sends is first claimed in job_marks, so
 * running a job again never sends it twice.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* Run the jobs that are due at now (force: every enabled job, as `anjia
 * remind` does). holder names this server in leases and the log. Returns
 * how many notices fired, or -1 when a job failed (logged, others still
 * run). */
int scheduler_run(struct db *db, int64_t now, const char *holder, int force);

/* Claim a job's mark: 1 when new (go ahead and send), 0 when already
 * there, < 0 on failure. In the caller's transaction. */
int scheduler_mark(struct db_conn *c, const char *job, const char *mark);

#endif
