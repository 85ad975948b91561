-- The scheduler inside `anjia serve` (and `anjia remind`): jobs with a
-- period, a lease in the database so that one server runs a job at a time,
-- and a log of runs an admin can read. Each job is idempotent on its own
-- (columns or rows that record what was already sent).

CREATE TABLE scheduled_jobs (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    every_seconds BIGINT NOT NULL,
    param BIGINT,
    enabled BIGINT NOT NULL DEFAULT 1,
    lease_holder TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_run_at TEXT,
    next_run_at BIGINT NOT NULL DEFAULT 0
);

INSERT INTO scheduled_jobs (code, name, every_seconds, param) VALUES
 ('approval_reminders', '审批超时提醒', 60, NULL),
 ('ticket_sla', '工单时限预警与升级', 60, NULL),
 ('warranty_expiry', '保修期届满提醒（提前天数）', 86400, 60),
 ('certificate_deadlines', '产权证办理期限提醒（提前天数）', 86400, 30),
 ('filing_deadlines', '网签备案与预告登记期限提醒（提前天数）', 86400, 7),
 ('mortgage_followups', '按揭跟进事项提醒', 86400, NULL),
 ('mortgage_weekly', '按揭周报', 604800, NULL);

CREATE TABLE job_runs (
    id {{ID}},
    job TEXT NOT NULL,
    holder TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    fired BIGINT NOT NULL DEFAULT 0,
    message TEXT
);
CREATE INDEX job_runs_job ON job_runs(job, id);

-- 竣工验收日: the contractor's warranty counts from it (DOMAIN.md §1).
ALTER TABLE projects ADD COLUMN completion_accepted_on TEXT;

-- What a job has already done, so that running it again (another server,
-- cron after a restart) never repeats a notice: one row per job and key
-- ("unit 12 roof_waterproof 2031-06-30", "certificate 7", "week 2026-11-23").
CREATE TABLE job_marks (
    job TEXT NOT NULL,
    mark TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (job, mark)
);

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'job.read' AS perm UNION ALL SELECT 'job.write' UNION ALL SELECT 'warranty.read') p
 WHERE r.code = 'admin';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, 'warranty.read' FROM roles r
 WHERE r.code IN ('manager', 'supervisor', 'agent', 'engineer', 'property', 'director');
