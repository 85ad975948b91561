-- Sales contracts (合同): subscription → signing → filing (网签备案) →
-- pre-registration (预告登记), amendments (更名, 换房, 退房/作废) through
-- the approval engine, the document checklist by buyer type.

ALTER TABLE projects ADD COLUMN filing_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE projects ADD COLUMN prereg_days BIGINT NOT NULL DEFAULT 30;

CREATE TABLE contracts (
    id {{ID}},
    no TEXT NOT NULL UNIQUE,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    buyer_names TEXT,
    total_price_fen BIGINT NOT NULL,
    deposit_fen BIGINT NOT NULL DEFAULT 0,
    payment_method TEXT NOT NULL,
    presale_permit TEXT,
    subscribed_on TEXT NOT NULL,
    signed_on TEXT,
    delivery_deadline TEXT,
    late_delivery_rate TEXT NOT NULL DEFAULT '2',
    late_delivery_grace_days BIGINT NOT NULL DEFAULT 90,
    late_payment_rate TEXT NOT NULL DEFAULT '2',
    late_payment_grace_days BIGINT NOT NULL DEFAULT 90,
    certificate_days BIGINT NOT NULL DEFAULT 365,
    filing_no TEXT,
    filed_on TEXT,
    prereg_no TEXT,
    preregistered_on TEXT,
    cancelled_on TEXT,
    cancel_reason TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- One live contract per unit, whatever the requests racing for it.
CREATE UNIQUE INDEX contracts_live_unit ON contracts(unit_id) WHERE status <> 'cancelled';
CREATE INDEX contracts_project_status ON contracts(project_id, status);

CREATE TABLE contract_buyers (
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    share_bp BIGINT NOT NULL,
    is_primary BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (contract_id, customer_id)
);
CREATE INDEX contract_buyers_customer ON contract_buyers(customer_id);

-- Which documents a buyer brings, by buyer type; project rows override the
-- defaults (project_id NULL) for the same type.
CREATE TABLE contract_doc_rules (
    id {{ID}},
    project_id BIGINT REFERENCES projects(id),
    buyer_type TEXT NOT NULL,
    doc_code TEXT NOT NULL,
    doc_name TEXT NOT NULL,
    sort BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE contract_documents (
    id {{ID}},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    doc_code TEXT NOT NULL,
    doc_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'missing',
    received_on TEXT,
    waived_by TEXT,
    waive_reason TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (contract_id, customer_id, doc_code)
);

CREATE TABLE contract_amendments (
    id {{ID}},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    kind TEXT NOT NULL,
    reason_category TEXT NOT NULL,
    comment TEXT,
    payload_json TEXT,
    approval_id BIGINT REFERENCES approval_requests(id),
    status TEXT NOT NULL DEFAULT 'pending',
    requested_by TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX contract_amendments_contract ON contract_amendments(contract_id);
-- At most one amendment waits at a time.
CREATE UNIQUE INDEX contract_amendments_one_pending ON contract_amendments(contract_id)
    WHERE status = 'pending';

INSERT INTO contract_doc_rules (project_id, buyer_type, doc_code, doc_name, sort) VALUES
 (NULL, 'local', 'id_card', '身份证', 1),
 (NULL, 'local', 'hukou_book', '户口簿', 2),
 (NULL, 'local', 'marital_proof', '结婚证或单身证明', 3),
 (NULL, 'nonlocal', 'id_card', '身份证', 1),
 (NULL, 'nonlocal', 'hukou_book', '户口簿', 2),
 (NULL, 'nonlocal', 'marital_proof', '结婚证或单身证明', 3),
 (NULL, 'nonlocal', 'social_security', '一年社保缴纳证明', 4),
 (NULL, 'nonlocal', 'tax_proof', '一年个人纳税证明', 5),
 (NULL, 'company', 'business_license', '营业执照', 1),
 (NULL, 'company', 'legal_rep_id', '法定代表人身份证明', 2),
 (NULL, 'company', 'authorization', '授权委托书', 3);

-- Amendments are approved through the engine.
INSERT INTO approval_templates (code, name, category, description, form_json, steps_json, handler, amount_field, enabled, version, created_at, updated_at) VALUES
 ('contract_cancel', '合同退房/作废', '客服', '退房或合同作废；批准后合同作废、房源恢复可售。由合同页面发起。',
  '{"fields":[{"name":"contract_no","label":"合同编号","type":"text","required":true},{"name":"unit","label":"房号","type":"text"},{"name":"reason_category","label":"原因类别","type":"enum","options":["客户原因退房","按揭未获批","合同信息错误","换房重签","其他"],"required":true},{"name":"comment","label":"说明","type":"textarea","required":true},{"name":"refund","label":"应退金额","type":"money"}]}',
  '[{"name":"客服经理审批","approver":{"type":"role","role":"manager"},"limit_hours":24},{"name":"财务审核","approver":{"type":"role","role":"finance"},"limit_hours":24},{"name":"分管领导审批","approver":{"type":"role","role":"director"},"limit_hours":48}]',
  'contract_amendment', 'refund', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('contract_rename', '合同更名', '客服', '变更买受人（更名）；批准后合同买受人更新。由合同页面发起。',
  '{"fields":[{"name":"contract_no","label":"合同编号","type":"text","required":true},{"name":"unit","label":"房号","type":"text"},{"name":"reason_category","label":"原因类别","type":"enum","options":["增加共有人","减少共有人","直系亲属间更名","其他"],"required":true},{"name":"comment","label":"说明","type":"textarea","required":true},{"name":"new_buyers","label":"新买受人","type":"text","required":true}]}',
  '[{"name":"客服经理审批","approver":{"type":"role","role":"manager"},"limit_hours":24},{"name":"分管领导审批","approver":{"type":"role","role":"director"},"limit_hours":48}]',
  'contract_amendment', NULL, 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('contract_unit_change', '合同换房', '客服', '更换房源（换房）；批准后合同改为新房源，原房源恢复可售。由合同页面发起。',
  '{"fields":[{"name":"contract_no","label":"合同编号","type":"text","required":true},{"name":"unit","label":"原房号","type":"text"},{"name":"new_unit","label":"新房号","type":"text","required":true},{"name":"reason_category","label":"原因类别","type":"enum","options":["客户要求换房","房源问题","其他"],"required":true},{"name":"comment","label":"说明","type":"textarea","required":true},{"name":"price_difference","label":"房款差额","type":"money"}]}',
  '[{"name":"客服经理审批","approver":{"type":"role","role":"manager"},"limit_hours":24},{"name":"财务审核","approver":{"type":"role","role":"finance"},"limit_hours":24},{"name":"分管领导审批","approver":{"type":"role","role":"director"},"limit_hours":48}]',
  'contract_amendment', NULL, 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'contract.read' AS perm UNION ALL SELECT 'contract.write'
  UNION ALL SELECT 'contract.sign' UNION ALL SELECT 'contract.file'
  UNION ALL SELECT 'contract.amend' UNION ALL SELECT 'contract.waive'
  UNION ALL SELECT 'contract.export') p
 WHERE r.code IN ('admin', 'manager');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'contract.read' AS perm UNION ALL SELECT 'contract.write'
  UNION ALL SELECT 'contract.sign' UNION ALL SELECT 'contract.file'
  UNION ALL SELECT 'contract.amend' UNION ALL SELECT 'contract.export') p
 WHERE r.code = 'contract';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'contract.read' AS perm UNION ALL SELECT 'contract.export') p
 WHERE r.code IN ('agent', 'mortgage', 'finance', 'director');
