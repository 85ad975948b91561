-- Handover (交房) and property certificates (产权证): delivery batches,
-- appointment slots, move-in notices and their mailing, inspections and
-- defects, area true-up, the handover record. See docs/handover.md.

CREATE TABLE delivery_batches (
    id {{ID}},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    planned_start TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'planning',
    team TEXT,
    documents_text TEXT,
    fees_text TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX delivery_batches_project ON delivery_batches(project_id);

CREATE TABLE batch_buildings (
    batch_id BIGINT NOT NULL REFERENCES delivery_batches(id),
    building_id BIGINT NOT NULL REFERENCES buildings(id),
    PRIMARY KEY (batch_id, building_id)
);

CREATE TABLE batch_slots (
    id {{ID}},
    batch_id BIGINT NOT NULL REFERENCES delivery_batches(id),
    day TEXT NOT NULL,
    time_from TEXT NOT NULL,
    time_to TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX batch_slots_batch ON batch_slots(batch_id, day);

CREATE TABLE handovers (
    id {{ID}},
    batch_id BIGINT NOT NULL REFERENCES delivery_batches(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    customer_id BIGINT REFERENCES customers(id),
    status TEXT NOT NULL DEFAULT 'pending',
    slot_id BIGINT REFERENCES batch_slots(id),
    mail_status TEXT NOT NULL DEFAULT 'none',
    tracking_no TEXT,
    mailed_on TEXT,
    mail_delivered_on TEXT,
    notified_at TEXT,
    inspected_on TEXT,
    keys BIGINT,
    water_reading TEXT,
    electricity_reading TEXT,
    gas_reading TEXT,
    documents TEXT,
    signed_by TEXT,
    delivered_on TEXT,
    refused_reason TEXT,
    refused_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX handovers_batch ON handovers(batch_id, status);
CREATE INDEX handovers_unit ON handovers(unit_id);
CREATE INDEX handovers_slot ON handovers(slot_id);

CREATE TABLE handover_mailings (
    id {{ID}},
    handover_id BIGINT NOT NULL REFERENCES handovers(id),
    status TEXT NOT NULL,
    tracking_no TEXT,
    on_day TEXT NOT NULL,
    user_name TEXT,
    at TEXT NOT NULL
);
CREATE INDEX handover_mailings_handover ON handover_mailings(handover_id);

CREATE TABLE inspections (
    id {{ID}},
    handover_id BIGINT NOT NULL REFERENCES handovers(id),
    kind TEXT NOT NULL,
    on_day TEXT NOT NULL,
    inspector TEXT,
    note TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX inspections_handover ON inspections(handover_id);

CREATE TABLE inspection_defects (
    id {{ID}},
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    handover_id BIGINT NOT NULL REFERENCES handovers(id),
    batch_id BIGINT NOT NULL REFERENCES delivery_batches(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    room TEXT,
    part TEXT,
    category_id BIGINT REFERENCES ticket_categories(id),
    description TEXT NOT NULL,
    severity TEXT NOT NULL DEFAULT 'normal',
    contractor_id BIGINT REFERENCES contractors(id),
    due_date TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    rectified_on TEXT,
    verified_on TEXT,
    ticket_id BIGINT REFERENCES tickets(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspection_defects_batch ON inspection_defects(batch_id, status);
CREATE INDEX inspection_defects_handover ON inspection_defects(handover_id);

CREATE TABLE true_ups (
    id {{ID}},
    handover_id BIGINT NOT NULL UNIQUE REFERENCES handovers(id),
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    contract_area_dm2 BIGINT NOT NULL,
    measured_area_dm2 BIGINT NOT NULL,
    unit_price_fen BIGINT NOT NULL,
    ratio_bp BIGINT NOT NULL,
    may_terminate BIGINT NOT NULL,
    buyer_pays_fen BIGINT NOT NULL,
    developer_absorbs_fen BIGINT NOT NULL,
    refund_fen BIGINT NOT NULL,
    receivable_id BIGINT REFERENCES receivables(id),
    created_at TEXT NOT NULL
);

CREATE TABLE certificates (
    id {{ID}},
    contract_id BIGINT NOT NULL UNIQUE REFERENCES contracts(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL DEFAULT 'collecting',
    collecting_on TEXT,
    submitted_on TEXT,
    issued_on TEXT,
    collected_on TEXT,
    certificate_no TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX certificates_project ON certificates(project_id, status);

CREATE TABLE notice_templates (
    id {{ID}},
    project_id BIGINT UNIQUE REFERENCES projects(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

INSERT INTO notice_templates (project_id, title, body, created_at, updated_at) VALUES
 (NULL, '{project}入住通知书',
  '尊敬的{name}业主：

您好！您购买的{project}{unit}房屋已具备交付条件。请您于{date} {time}携带以下资料前来办理入住手续：

{documents}

需缴纳的费用：
{fees}

{true_up}

如您不能按时前来，请致电客服中心{phone}另行预约。我们将竭诚为您服务。

特此通知。',
  '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'handover.read' AS perm UNION ALL SELECT 'handover.write' UNION ALL SELECT 'handover.export'
  UNION ALL SELECT 'inspection.write' UNION ALL SELECT 'certificate.read'
  UNION ALL SELECT 'certificate.write') p
 WHERE r.code IN ('admin', 'manager', 'supervisor', 'agent');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'handover.read' AS perm UNION ALL SELECT 'inspection.write') p
 WHERE r.code = 'engineer';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'handover.read' AS perm UNION ALL SELECT 'handover.export') p
 WHERE r.code IN ('property', 'finance', 'director');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'certificate.read' AS perm UNION ALL SELECT 'certificate.write') p
 WHERE r.code = 'contract';
