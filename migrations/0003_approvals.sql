-- Approval engine: templates (forms and routes as data), requests, tasks per
-- approver, history, delegations; attachments for any record; and the
-- registers the office flows feed (fixed assets, office supplies, employee
-- loans, seal use) plus the sales-office duty logs.

CREATE TABLE departments (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    head_user_id BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);

ALTER TABLE projects ADD COLUMN manager_user_id BIGINT REFERENCES users(id);

CREATE TABLE approval_templates (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT,
    form_json TEXT NOT NULL,
    steps_json TEXT NOT NULL,
    handler TEXT,
    amount_field TEXT,
    enabled BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE approval_requests (
    id {{ID}},
    no TEXT NOT NULL UNIQUE,
    template_id BIGINT NOT NULL REFERENCES approval_templates(id),
    template_code TEXT NOT NULL,
    template_name TEXT NOT NULL,
    template_version BIGINT NOT NULL,
    form_json TEXT NOT NULL,
    steps_json TEXT NOT NULL,
    handler TEXT,
    title TEXT NOT NULL,
    applicant_id BIGINT NOT NULL REFERENCES users(id),
    applicant_name TEXT NOT NULL,
    department TEXT,
    project_id BIGINT REFERENCES projects(id),
    data_json TEXT NOT NULL,
    amount_fen BIGINT,
    status TEXT NOT NULL,
    round BIGINT NOT NULL DEFAULT 0,
    step_index BIGINT NOT NULL DEFAULT -1,
    step_name TEXT,
    origin_entity TEXT,
    origin_id BIGINT,
    submitted_at TEXT,
    decided_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX approval_requests_applicant ON approval_requests(applicant_id, status);
CREATE INDEX approval_requests_origin ON approval_requests(origin_entity, origin_id);

CREATE TABLE approval_tasks (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    step_index BIGINT NOT NULL,
    step_name TEXT NOT NULL,
    round BIGINT NOT NULL,
    approver_id BIGINT NOT NULL REFERENCES users(id),
    approver_name TEXT NOT NULL,
    delegated_from BIGINT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    due_at BIGINT,
    reminded_at TEXT,
    acted_at TEXT,
    comment TEXT
);
CREATE INDEX approval_tasks_approver ON approval_tasks(approver_id, status);
CREATE INDEX approval_tasks_request ON approval_tasks(request_id, step_index);
CREATE INDEX approval_tasks_due ON approval_tasks(status, due_at);

CREATE TABLE approval_history (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT,
    display_name TEXT,
    action TEXT NOT NULL,
    step_index BIGINT,
    step_name TEXT,
    comment TEXT,
    detail_json TEXT
);
CREATE INDEX approval_history_request ON approval_history(request_id, id);

CREATE TABLE approval_delegations (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    delegate_id BIGINT NOT NULL REFERENCES users(id),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    note TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL
);
CREATE INDEX approval_delegations_user ON approval_delegations(user_id, status);

-- In-app notices (reminders of waiting approvals …).
CREATE TABLE notifications (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);

-- Files attached to any record; content kept base64 in the database so
-- every server of a group installation sees them.
CREATE TABLE attachments (
    id {{ID}},
    owner_entity TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data_b64 TEXT NOT NULL,
    uploaded_by BIGINT,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_entity, owner_id);

-- Registers behind the flows.
CREATE TABLE fixed_assets (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT,
    spec TEXT,
    unit_price_fen BIGINT,
    location TEXT,
    custodian TEXT,
    status TEXT NOT NULL DEFAULT 'in_use',
    purchased_at TEXT,
    purchase_request_id BIGINT REFERENCES approval_requests(id),
    scrapped_at TEXT,
    scrap_request_id BIGINT REFERENCES approval_requests(id),
    note TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE office_supplies (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    unit TEXT NOT NULL,
    stock BIGINT NOT NULL DEFAULT 0,
    min_stock BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE supply_moves (
    id {{ID}},
    supply_id BIGINT NOT NULL REFERENCES office_supplies(id),
    qty BIGINT NOT NULL,
    request_id BIGINT REFERENCES approval_requests(id),
    at TEXT NOT NULL,
    note TEXT
);
CREATE INDEX supply_moves_supply ON supply_moves(supply_id);

CREATE TABLE employee_loans (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    borrower TEXT NOT NULL,
    purpose TEXT,
    amount_fen BIGINT NOT NULL,
    repaid_fen BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'outstanding',
    due_date TEXT,
    created_at TEXT NOT NULL,
    settled_at TEXT
);
CREATE INDEX employee_loans_user ON employee_loans(user_id, status);

CREATE TABLE loan_repayments (
    id {{ID}},
    loan_id BIGINT NOT NULL REFERENCES employee_loans(id),
    amount_fen BIGINT NOT NULL,
    kind TEXT NOT NULL,
    request_id BIGINT REFERENCES approval_requests(id),
    at TEXT NOT NULL,
    note TEXT
);

CREATE TABLE seal_uses (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    seal TEXT NOT NULL,
    document TEXT NOT NULL,
    copies BIGINT NOT NULL,
    applicant TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    stamped_by TEXT,
    stamped_at TEXT,
    note TEXT
);

CREATE TABLE duty_logs (
    id {{ID}},
    project_id BIGINT REFERENCES projects(id),
    kind TEXT NOT NULL,
    duty_date TEXT NOT NULL,
    shift TEXT NOT NULL,
    staff TEXT NOT NULL,
    patrols BIGINT,
    findings TEXT,
    handling TEXT,
    status TEXT NOT NULL DEFAULT 'normal',
    recorded_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX duty_logs_date ON duty_logs(duty_date);

-- 分管领导: the company leader who signs off large amounts.
INSERT INTO roles (code, name, name_en, builtin, created_at, updated_at) VALUES
 ('director', '分管领导', 'Director', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO departments (name, created_at) VALUES
 ('客服部', '2026-01-01T00:00:00Z'), ('财务部', '2026-01-01T00:00:00Z'),
 ('工程部', '2026-01-01T00:00:00Z'), ('物业公司', '2026-01-01T00:00:00Z'),
 ('公司领导', '2026-01-01T00:00:00Z');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'approval.use' AS perm UNION ALL SELECT 'approval.read_all'
  UNION ALL SELECT 'register.read'
  UNION ALL SELECT 'project.read' UNION ALL SELECT 'building.read'
  UNION ALL SELECT 'unit.read' UNION ALL SELECT 'customer.read') p
 WHERE r.code = 'director';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'approval.use' AS perm UNION ALL SELECT 'approval.admin'
  UNION ALL SELECT 'approval.read_all'
  UNION ALL SELECT 'department.read' UNION ALL SELECT 'department.write'
  UNION ALL SELECT 'register.read' UNION ALL SELECT 'register.write'
  UNION ALL SELECT 'duty.read' UNION ALL SELECT 'duty.write') p
 WHERE r.code = 'admin';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'approval.use' AS perm UNION ALL SELECT 'approval.read_all'
  UNION ALL SELECT 'department.read' UNION ALL SELECT 'register.read'
  UNION ALL SELECT 'duty.read' UNION ALL SELECT 'duty.write') p
 WHERE r.code = 'manager';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'approval.use' AS perm UNION ALL SELECT 'approval.read_all'
  UNION ALL SELECT 'register.read' UNION ALL SELECT 'register.write') p
 WHERE r.code = 'finance';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'approval.use' AS perm UNION ALL SELECT 'duty.read'
  UNION ALL SELECT 'duty.write') p
 WHERE r.code IN ('agent', 'contract', 'mortgage');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, 'approval.use' FROM roles r WHERE r.code IN ('engineer', 'property');
