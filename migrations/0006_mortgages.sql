-- Mortgages and collections (按揭/回款): banks and branches, a loan per
-- contract with its stage history (so any past week's report can be
-- reproduced), missing papers and follow-ups; receivables, receipts and the
-- dunning log.

CREATE TABLE banks (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT 'commercial',
    insurance_product TEXT,
    note TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE bank_branches (
    id {{ID}},
    bank_id BIGINT NOT NULL REFERENCES banks(id),
    name TEXT NOT NULL,
    address TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (bank_id, name)
);

CREATE TABLE loans (
    id {{ID}},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    loan_type TEXT NOT NULL,
    bank_id BIGINT NOT NULL REFERENCES banks(id),
    branch_id BIGINT REFERENCES bank_branches(id),
    commercial_fen BIGINT NOT NULL DEFAULT 0,
    commercial_rate TEXT,
    commercial_months BIGINT,
    provident_fen BIGINT NOT NULL DEFAULT 0,
    provident_rate TEXT,
    provident_months BIGINT,
    amount_fen BIGINT NOT NULL,
    stage TEXT NOT NULL,
    stage_since TEXT NOT NULL,
    refuse_reason TEXT,
    disbursed_fen BIGINT,
    disbursed_on TEXT,
    next_action TEXT,
    next_action_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- One live application per contract; a refused one may be followed by another.
CREATE UNIQUE INDEX loans_live_contract ON loans(contract_id) WHERE stage <> 'refused';
CREATE INDEX loans_bank_stage ON loans(bank_id, stage);

CREATE TABLE loan_stages (
    id {{ID}},
    loan_id BIGINT NOT NULL REFERENCES loans(id),
    stage TEXT NOT NULL,
    on_date TEXT NOT NULL,
    username TEXT,
    note TEXT
);
CREATE INDEX loan_stages_loan ON loan_stages(loan_id, on_date);

CREATE TABLE loan_documents (
    id {{ID}},
    loan_id BIGINT NOT NULL REFERENCES loans(id),
    doc_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'missing',
    updated_at TEXT NOT NULL
);
CREATE INDEX loan_documents_loan ON loan_documents(loan_id);

CREATE TABLE loan_followups (
    id {{ID}},
    loan_id BIGINT NOT NULL REFERENCES loans(id),
    at TEXT NOT NULL,
    username TEXT,
    note TEXT NOT NULL,
    next_action TEXT,
    next_action_on TEXT
);
CREATE INDEX loan_followups_loan ON loan_followups(loan_id);

ALTER TABLE contracts ADD COLUMN follow_up TEXT;

CREATE TABLE receivables (
    id {{ID}},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    received_fen BIGINT NOT NULL DEFAULT 0,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX receivables_contract ON receivables(contract_id);
CREATE INDEX receivables_due ON receivables(project_id, due_on);

CREATE TABLE receipts (
    id {{ID}},
    receivable_id BIGINT NOT NULL REFERENCES receivables(id),
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    amount_fen BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    voucher_no TEXT NOT NULL UNIQUE,
    method TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX receipts_receivable ON receipts(receivable_id, received_on);

CREATE TABLE dunning_logs (
    id {{ID}},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    receivable_id BIGINT REFERENCES receivables(id),
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    next_on TEXT,
    username TEXT
);
CREATE INDEX dunning_logs_contract ON dunning_logs(contract_id);

INSERT INTO banks (name, kind, insurance_product, created_at) VALUES
 ('中国农业银行', 'commercial', '房贷综合保险（财产险）', '2026-01-01T00:00:00Z'),
 ('中国建设银行', 'commercial', '个人住房贷款抵押房屋保险', '2026-01-01T00:00:00Z'),
 ('农村商业银行', 'rural', '家庭财产综合险', '2026-01-01T00:00:00Z'),
 ('住房公积金管理中心', 'provident', NULL, '2026-01-01T00:00:00Z');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'loan.read' AS perm UNION ALL SELECT 'loan.write' UNION ALL SELECT 'loan.export'
  UNION ALL SELECT 'bank.read' UNION ALL SELECT 'bank.write'
  UNION ALL SELECT 'receivable.read' UNION ALL SELECT 'receivable.write'
  UNION ALL SELECT 'receivable.export' UNION ALL SELECT 'receipt.write') p
 WHERE r.code IN ('admin', 'manager');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'loan.read' AS perm UNION ALL SELECT 'loan.write' UNION ALL SELECT 'loan.export'
  UNION ALL SELECT 'bank.read' UNION ALL SELECT 'bank.write'
  UNION ALL SELECT 'receivable.read' UNION ALL SELECT 'receivable.write'
  UNION ALL SELECT 'receivable.export') p
 WHERE r.code = 'mortgage';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'loan.read' AS perm UNION ALL SELECT 'bank.read'
  UNION ALL SELECT 'receivable.read' UNION ALL SELECT 'receivable.write'
  UNION ALL SELECT 'receivable.export' UNION ALL SELECT 'receipt.write'
  UNION ALL SELECT 'loan.export') p
 WHERE r.code = 'finance';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'loan.read' AS perm UNION ALL SELECT 'bank.read'
  UNION ALL SELECT 'receivable.read') p
 WHERE r.code IN ('agent', 'contract', 'director');
