-- Owner newsletters (客户通讯): news of construction progress and of the
-- community, composed once, sent to the owners of a project, a building or
-- a delivery batch through the outbox; every recipient recorded.

CREATE TABLE newsletters (
    id {{ID}},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'service',
    status TEXT NOT NULL DEFAULT 'draft',
    target TEXT,
    sent_at TEXT,
    sent_by TEXT,
    recipients BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE newsletter_recipients (
    newsletter_id BIGINT NOT NULL REFERENCES newsletters(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    channels TEXT NOT NULL,
    PRIMARY KEY (newsletter_id, customer_id)
);
CREATE INDEX newsletter_recipients_customer ON newsletter_recipients(customer_id);

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'newsletter.read' AS perm UNION ALL SELECT 'newsletter.write') p
 WHERE r.code IN ('admin', 'manager', 'supervisor');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, 'outbox.print' FROM roles r WHERE r.code IN ('admin', 'manager', 'supervisor');
