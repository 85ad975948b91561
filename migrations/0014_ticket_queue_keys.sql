-- The ticket queues page by (resolve_due_at, id): with the id in the two
-- queue indexes the page's keys come from the index alone on either backend
-- (SQLite keeps the rowid in every index already; PostgreSQL does not), and
-- only the forty rows shown are read from the table.
DROP INDEX tickets_assignee;
CREATE INDEX tickets_assignee ON tickets(assignee_id, status, project_id, resolve_due_at, id);
DROP INDEX tickets_project;
CREATE INDEX tickets_project ON tickets(project_id, status, resolve_due_at, paused_at, id);
