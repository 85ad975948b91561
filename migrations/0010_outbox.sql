-- Outbound messages (发送队列): email over SMTP, SMS through the gateway,
-- printed letters. Queued by modules and jobs, sent by the scheduler's
-- outbox job with retries; marketing needs the customer's consent
-- (个人信息保护法 第13条; DOMAIN.md §7), service notices do not.

ALTER TABLE customers ADD COLUMN email TEXT;
ALTER TABLE customers ADD COLUMN marketing_consent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN marketing_consent_at TEXT;

CREATE TABLE outbox (
    id {{ID}},
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    customer_id BIGINT REFERENCES customers(id),
    project_id BIGINT REFERENCES projects(id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    source TEXT,
    -- Files that go with an email: the attachments of this record.
    attach_entity TEXT,
    attach_id BIGINT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_customer ON outbox(customer_id);

INSERT INTO scheduled_jobs (code, name, every_seconds, param) VALUES
 ('outbox', '发送邮件与短信', 60, NULL);

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, 'outbox.read' FROM roles r WHERE r.code IN ('admin', 'manager', 'supervisor');
