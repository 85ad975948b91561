-- Tickets (工单): complaints, repairs, consultations, suggestions and
-- compensation claims with SLAs on the working-day calendar, callbacks,
-- compensation through the approval engine, defect cases. See docs/tickets.md.

-- Holidays and make-up working days (调休上班). A date not listed is a
-- working day from Monday to Friday.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT,
    updated_at TEXT NOT NULL
);

-- The State Council's notices for 2024, 2025 and 2026.
INSERT INTO calendar_days (day, kind, name, updated_at) VALUES
 ('2024-01-01','holiday','元旦','2026-01-01T00:00:00Z'),
 ('2024-02-04','workday','春节调休','2026-01-01T00:00:00Z'),
 ('2024-02-10','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-11','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-12','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-13','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-14','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-15','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-16','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-17','holiday','春节','2026-01-01T00:00:00Z'),
 ('2024-02-18','workday','春节调休','2026-01-01T00:00:00Z'),
 ('2024-04-04','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2024-04-05','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2024-04-06','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2024-04-07','workday','清明节调休','2026-01-01T00:00:00Z'),
 ('2024-04-28','workday','劳动节调休','2026-01-01T00:00:00Z'),
 ('2024-05-01','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2024-05-02','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2024-05-03','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2024-05-04','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2024-05-05','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2024-05-11','workday','劳动节调休','2026-01-01T00:00:00Z'),
 ('2024-06-10','holiday','端午节','2026-01-01T00:00:00Z'),
 ('2024-09-14','workday','中秋节调休','2026-01-01T00:00:00Z'),
 ('2024-09-15','holiday','中秋节','2026-01-01T00:00:00Z'),
 ('2024-09-16','holiday','中秋节','2026-01-01T00:00:00Z'),
 ('2024-09-17','holiday','中秋节','2026-01-01T00:00:00Z'),
 ('2024-09-29','workday','国庆节调休','2026-01-01T00:00:00Z'),
 ('2024-10-01','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2024-10-02','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2024-10-03','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2024-10-04','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2024-10-05','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2024-10-06','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2024-10-07','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2024-10-12','workday','国庆节调休','2026-01-01T00:00:00Z'),
 ('2025-01-01','holiday','元旦','2026-01-01T00:00:00Z'),
 ('2025-01-26','workday','春节调休','2026-01-01T00:00:00Z'),
 ('2025-01-28','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-01-29','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-01-30','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-01-31','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-02-01','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-02-02','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-02-03','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-02-04','holiday','春节','2026-01-01T00:00:00Z'),
 ('2025-02-08','workday','春节调休','2026-01-01T00:00:00Z'),
 ('2025-04-04','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2025-04-05','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2025-04-06','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2025-04-27','workday','劳动节调休','2026-01-01T00:00:00Z'),
 ('2025-05-01','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2025-05-02','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2025-05-03','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2025-05-04','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2025-05-05','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2025-05-31','holiday','端午节','2026-01-01T00:00:00Z'),
 ('2025-06-01','holiday','端午节','2026-01-01T00:00:00Z'),
 ('2025-06-02','holiday','端午节','2026-01-01T00:00:00Z'),
 ('2025-09-28','workday','国庆节调休','2026-01-01T00:00:00Z'),
 ('2025-10-01','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-02','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-03','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-04','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-05','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-06','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-07','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-08','holiday','国庆节、中秋节','2026-01-01T00:00:00Z'),
 ('2025-10-11','workday','国庆节调休','2026-01-01T00:00:00Z'),
 ('2026-01-01','holiday','元旦','2026-01-01T00:00:00Z'),
 ('2026-01-02','holiday','元旦','2026-01-01T00:00:00Z'),
 ('2026-01-03','holiday','元旦','2026-01-01T00:00:00Z'),
 ('2026-01-04','workday','元旦调休','2026-01-01T00:00:00Z'),
 ('2026-02-14','workday','春节调休','2026-01-01T00:00:00Z'),
 ('2026-02-15','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-16','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-17','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-18','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-19','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-20','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-21','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-22','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-23','holiday','春节','2026-01-01T00:00:00Z'),
 ('2026-02-28','workday','春节调休','2026-01-01T00:00:00Z'),
 ('2026-04-04','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2026-04-05','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2026-04-06','holiday','清明节','2026-01-01T00:00:00Z'),
 ('2026-05-01','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2026-05-02','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2026-05-03','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2026-05-04','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2026-05-05','holiday','劳动节','2026-01-01T00:00:00Z'),
 ('2026-05-09','workday','劳动节调休','2026-01-01T00:00:00Z'),
 ('2026-06-19','holiday','端午节','2026-01-01T00:00:00Z'),
 ('2026-06-20','holiday','端午节','2026-01-01T00:00:00Z'),
 ('2026-06-21','holiday','端午节','2026-01-01T00:00:00Z'),
 ('2026-09-20','workday','国庆节调休','2026-01-01T00:00:00Z'),
 ('2026-09-25','holiday','中秋节','2026-01-01T00:00:00Z'),
 ('2026-09-26','holiday','中秋节','2026-01-01T00:00:00Z'),
 ('2026-09-27','holiday','中秋节','2026-01-01T00:00:00Z'),
 ('2026-10-01','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2026-10-02','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2026-10-03','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2026-10-04','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2026-10-05','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2026-10-06','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2026-10-07','holiday','国庆节','2026-01-01T00:00:00Z'),
 ('2026-10-10','workday','国庆节调休','2026-01-01T00:00:00Z');

-- Warranty by component (DOMAIN.md §1): defaults with project_id NULL,
-- a project's own rows override them. Heating and cooling count seasons;
-- two seasons are kept as two years.
CREATE TABLE warranty_periods (
    id {{ID}},
    project_id BIGINT REFERENCES projects(id),
    component TEXT NOT NULL,
    name TEXT NOT NULL,
    years BIGINT NOT NULL DEFAULT 0,
    months BIGINT NOT NULL DEFAULT 0,
    basis TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX warranty_periods_key ON warranty_periods(component, project_id);

INSERT INTO warranty_periods (project_id, component, name, years, months, basis, created_at) VALUES
 (NULL, 'structure', '地基基础和主体结构', 50, 0, '建设工程质量管理条例 第40条：设计文件规定的合理使用年限', '2026-01-01T00:00:00Z'),
 (NULL, 'roof_waterproof', '屋面防水', 5, 0, '建设工程质量管理条例 第40条', '2026-01-01T00:00:00Z'),
 (NULL, 'wet_room_waterproof', '卫生间、房间防水', 5, 0, '建设工程质量管理条例 第40条', '2026-01-01T00:00:00Z'),
 (NULL, 'facade_leak', '外墙面防渗漏', 5, 0, '建设工程质量管理条例 第40条', '2026-01-01T00:00:00Z'),
 (NULL, 'heating_cooling', '供热与供冷系统', 2, 0, '建设工程质量管理条例 第40条：2个采暖期、供冷期', '2026-01-01T00:00:00Z'),
 (NULL, 'electrical', '电气管线', 2, 0, '建设工程质量管理条例 第40条', '2026-01-01T00:00:00Z'),
 (NULL, 'plumbing', '给排水管道', 2, 0, '建设工程质量管理条例 第40条', '2026-01-01T00:00:00Z'),
 (NULL, 'equipment', '设备安装', 2, 0, '建设工程质量管理条例 第40条', '2026-01-01T00:00:00Z'),
 (NULL, 'decoration', '装修工程', 2, 0, '建设工程质量管理条例 第40条', '2026-01-01T00:00:00Z'),
 (NULL, 'doors_windows', '门窗', 2, 0, '建设工程质量管理条例 第40条（装修工程）', '2026-01-01T00:00:00Z');

-- The start of the owner's warranty (交付之日); set by handover.
ALTER TABLE units ADD COLUMN delivered_on TEXT;

CREATE TABLE ticket_categories (
    id {{ID}},
    parent_id BIGINT REFERENCES ticket_categories(id),
    name TEXT NOT NULL,
    component TEXT,
    sort BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

INSERT INTO ticket_categories (parent_id, name, component, sort, created_at) VALUES
 (NULL, '渗漏', 'wet_room_waterproof', 10, '2026-01-01T00:00:00Z'),
 (NULL, '裂缝', 'decoration', 20, '2026-01-01T00:00:00Z'),
 (NULL, '门窗', 'doors_windows', 30, '2026-01-01T00:00:00Z'),
 (NULL, '水电', 'plumbing', 40, '2026-01-01T00:00:00Z'),
 (NULL, '公共区域', NULL, 50, '2026-01-01T00:00:00Z'),
 (NULL, '物业服务', NULL, 60, '2026-01-01T00:00:00Z'),
 (NULL, '销售承诺', NULL, 70, '2026-01-01T00:00:00Z'),
 (NULL, '交付延期', NULL, 80, '2026-01-01T00:00:00Z'),
 (NULL, '产权办理', NULL, 90, '2026-01-01T00:00:00Z'),
 (NULL, '供暖制冷', 'heating_cooling', 100, '2026-01-01T00:00:00Z'),
 (NULL, '装修', 'decoration', 110, '2026-01-01T00:00:00Z'),
 (NULL, '其他', NULL, 990, '2026-01-01T00:00:00Z');

INSERT INTO ticket_categories (parent_id, name, component, sort, created_at)
 SELECT p.id, c.name, c.component, c.sort, '2026-01-01T00:00:00Z' FROM ticket_categories p, (
  SELECT '渗漏' AS parent, '屋面渗漏' AS name, 'roof_waterproof' AS component, 11 AS sort
  UNION ALL SELECT '渗漏', '卫生间渗漏', 'wet_room_waterproof', 12
  UNION ALL SELECT '渗漏', '外墙渗漏', 'facade_leak', 13
  UNION ALL SELECT '渗漏', '门窗渗漏', 'doors_windows', 14
  UNION ALL SELECT '裂缝', '墙面裂缝', 'decoration', 21
  UNION ALL SELECT '裂缝', '结构裂缝', 'structure', 22
  UNION ALL SELECT '水电', '给排水', 'plumbing', 41
  UNION ALL SELECT '水电', '电气', 'electrical', 42
  UNION ALL SELECT '水电', '管道堵塞', 'plumbing', 43) c
 WHERE p.name = c.parent AND p.parent_id IS NULL;

-- Targets by type × severity × channel; NULL matches anything, the most
-- specific active row wins. Units: work_hours, work_days, calendar_days,
-- hours (wall clock).
CREATE TABLE sla_policies (
    id {{ID}},
    name TEXT NOT NULL,
    type TEXT,
    severity TEXT,
    channel TEXT,
    response_amount BIGINT NOT NULL,
    response_unit TEXT NOT NULL,
    resolve_amount BIGINT NOT NULL,
    resolve_unit TEXT NOT NULL,
    warn_percent BIGINT NOT NULL DEFAULT 80,
    active BIGINT NOT NULL DEFAULT 1,
    note TEXT,
    created_at TEXT NOT NULL
);

-- DOMAIN.md §8 practice: emergencies on site within 2 h, urgent repairs
-- answered in 4 h, ordinary repairs in 3–5 working days, complaints within
-- the 13 working days a bureau allows, 12345 within 3 working days.
INSERT INTO sla_policies (name, type, severity, channel, response_amount, response_unit, resolve_amount, resolve_unit, warn_percent, note, created_at) VALUES
 ('默认', NULL, NULL, NULL, 8, 'work_hours', 5, 'work_days', 80, '首次联系不超过一个工作日', '2026-01-01T00:00:00Z'),
 ('紧急事项', NULL, 'urgent', NULL, 2, 'hours', 1, 'calendar_days', 75, '爆管、燃气、困梯等：2小时内到场', '2026-01-01T00:00:00Z'),
 ('重要报修', 'repair', 'high', NULL, 4, 'work_hours', 3, 'work_days', 80, NULL, '2026-01-01T00:00:00Z'),
 ('一般报修', 'repair', 'normal', NULL, 8, 'work_hours', 5, 'work_days', 80, NULL, '2026-01-01T00:00:00Z'),
 ('投诉', 'complaint', NULL, NULL, 8, 'work_hours', 13, 'work_days', 80, NULL, '2026-01-01T00:00:00Z'),
 ('咨询', 'consult', NULL, NULL, 4, 'work_hours', 3, 'work_days', 80, NULL, '2026-01-01T00:00:00Z'),
 ('建议', 'suggestion', NULL, NULL, 8, 'work_hours', 5, 'work_days', 80, NULL, '2026-01-01T00:00:00Z'),
 ('赔付', 'compensation', NULL, NULL, 8, 'work_hours', 15, 'work_days', 80, NULL, '2026-01-01T00:00:00Z'),
 ('12345热线', NULL, NULL, 'hotline', 2, 'work_hours', 3, 'work_days', 70, '以热线派单时限为准', '2026-01-01T00:00:00Z');

CREATE TABLE contractors (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    uscc TEXT,
    trade TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    note TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE defect_cases (
    id {{ID}},
    no TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    building_id BIGINT REFERENCES buildings(id),
    category_id BIGINT REFERENCES ticket_categories(id),
    contractor_id BIGINT REFERENCES contractors(id),
    root_cause TEXT,
    fix TEXT,
    cost_fen BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open',
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX defect_cases_project ON defect_cases(project_id);

CREATE TABLE tickets (
    id {{ID}},
    no TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    channel TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    building_id BIGINT REFERENCES buildings(id),
    unit_id BIGINT REFERENCES units(id),
    customer_id BIGINT REFERENCES customers(id),
    caller_name TEXT,
    caller_phone_enc TEXT,
    caller_phone_idx TEXT,
    caller_phone_mask TEXT,
    caller_phone_tail TEXT,
    category_id BIGINT NOT NULL REFERENCES ticket_categories(id),
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT,
    status TEXT NOT NULL,
    assignee_id BIGINT REFERENCES users(id),
    dispatch_kind TEXT,
    dispatch_to TEXT,
    contractor_id BIGINT REFERENCES contractors(id),
    work_order_no TEXT,
    dispatch_due TEXT,
    hotline_no TEXT,
    hotline_deadline TEXT,
    parent_id BIGINT REFERENCES tickets(id),
    merged_into_id BIGINT REFERENCES tickets(id),
    sla_policy_id BIGINT REFERENCES sla_policies(id),
    sla_clock TEXT NOT NULL DEFAULT 'work',
    response_due_at TEXT,
    resolve_due_at TEXT,
    warn_at TEXT,
    escalate2_at TEXT,
    responded_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    paused_at TEXT,
    warned_at TEXT,
    escalated1_at TEXT,
    escalated2_at TEXT,
    escalation_level BIGINT NOT NULL DEFAULT 0,
    -- The next warning or escalation due (NULL: none, or not running).
    next_sla_at TEXT,
    resolution TEXT,
    callback_required BIGINT NOT NULL DEFAULT 1,
    callback_failures BIGINT NOT NULL DEFAULT 0,
    satisfaction BIGINT,
    callback_comment TEXT,
    reopen_count BIGINT NOT NULL DEFAULT 0,
    is_defect BIGINT NOT NULL DEFAULT 0,
    defect_case_id BIGINT REFERENCES defect_cases(id),
    created_by BIGINT REFERENCES users(id),
    opened_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- "My open tickets", "overdue in project X", a customer's and a unit's
-- tickets, children of a parent, clusters by building and category.
CREATE INDEX tickets_assignee ON tickets(assignee_id, status, project_id, resolve_due_at);
CREATE INDEX tickets_project ON tickets(project_id, status, resolve_due_at, paused_at);
CREATE INDEX tickets_customer ON tickets(customer_id);
CREATE INDEX tickets_unit ON tickets(unit_id);
CREATE INDEX tickets_parent ON tickets(parent_id);
CREATE INDEX tickets_merged ON tickets(merged_into_id);
CREATE INDEX tickets_building ON tickets(building_id, category_id, created_at);
CREATE INDEX tickets_opened ON tickets(project_id, opened_on);
CREATE INDEX tickets_open ON tickets(status, resolve_due_at, paused_at, escalation_level);
CREATE INDEX tickets_next_sla ON tickets(next_sla_at);
CREATE INDEX tickets_created ON tickets(created_at);
-- The dashboard reads the period's tickets from this index alone.
CREATE INDEX tickets_report ON tickets(opened_on, project_id, type, status, category_id,
    resolved_at, resolve_due_at, satisfaction);
CREATE INDEX tickets_defect_case ON tickets(defect_case_id);

CREATE TABLE ticket_events (
    id {{ID}},
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    at TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    user_name TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id);

CREATE TABLE ticket_callbacks (
    id {{ID}},
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    at TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    user_name TEXT,
    outcome TEXT NOT NULL,
    score BIGINT,
    comment TEXT
);
CREATE INDEX ticket_callbacks_ticket ON ticket_callbacks(ticket_id);

CREATE TABLE compensations (
    id {{ID}},
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    customer_id BIGINT REFERENCES customers(id),
    amount_fen BIGINT NOT NULL,
    reason_category TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    approval_id BIGINT REFERENCES approval_requests(id),
    paid_fen BIGINT,
    paid_on TEXT,
    payment_ref TEXT,
    paid_by TEXT,
    requested_by TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX compensations_ticket ON compensations(ticket_id);

-- Compensation approvals: the chain grows with the amount.
INSERT INTO approval_templates (code, name, category, description, form_json, steps_json, handler, amount_field, enabled, version, created_at, updated_at) VALUES
 ('compensation', '客户赔付审批', '客服', '工单赔付；批准后由财务登记付款。由工单页面发起。',
  '{"fields":[{"name":"ticket_no","label":"工单编号","type":"text","required":true},{"name":"customer","label":"客户","type":"text"},{"name":"unit","label":"房号","type":"text"},{"name":"reason_category","label":"赔付原因类别","type":"enum","options":["维修延误","财产损失","交付延期","销售承诺未兑现","服务过失","其他"],"required":true},{"name":"reason","label":"赔付说明","type":"textarea","required":true},{"name":"amount","label":"赔付金额","type":"money","required":true}]}',
  '[{"name":"客服经理审批","approver":{"type":"role","role":"manager"},"limit_hours":24},{"name":"财务审核","approver":{"type":"role","role":"finance"},"limit_hours":24,"when":{"field":"amount","op":">","value":500000}},{"name":"分管领导审批","approver":{"type":"role","role":"director"},"limit_hours":48,"when":{"field":"amount","op":">","value":2000000}}]',
  'ticket_compensation', 'amount', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO roles (code, name, name_en, builtin, created_at, updated_at) VALUES
 ('supervisor', '客服主管', 'CS supervisor', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

-- The supervisor sees what an agent sees.
INSERT INTO role_permissions (role_id, perm)
 SELECT (SELECT id FROM roles WHERE code = 'supervisor'), rp.perm FROM role_permissions rp
 WHERE rp.role_id = (SELECT id FROM roles WHERE code = 'agent');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'ticket.read' AS perm UNION ALL SELECT 'ticket.write' UNION ALL SELECT 'ticket.dispatch'
  UNION ALL SELECT 'ticket.callback' UNION ALL SELECT 'ticket.supervise' UNION ALL SELECT 'ticket.export'
  UNION ALL SELECT 'ticket.admin' UNION ALL SELECT 'compensation.read' UNION ALL SELECT 'compensation.write'
  UNION ALL SELECT 'defect.read' UNION ALL SELECT 'defect.write'
  UNION ALL SELECT 'contractor.read' UNION ALL SELECT 'contractor.write') p
 WHERE r.code IN ('admin', 'manager');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'ticket.read' AS perm UNION ALL SELECT 'ticket.write' UNION ALL SELECT 'ticket.dispatch'
  UNION ALL SELECT 'ticket.callback' UNION ALL SELECT 'ticket.supervise' UNION ALL SELECT 'ticket.export'
  UNION ALL SELECT 'compensation.read' UNION ALL SELECT 'compensation.write'
  UNION ALL SELECT 'defect.read' UNION ALL SELECT 'defect.write' UNION ALL SELECT 'contractor.read') p
 WHERE r.code = 'supervisor';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'ticket.read' AS perm UNION ALL SELECT 'ticket.write' UNION ALL SELECT 'ticket.dispatch'
  UNION ALL SELECT 'ticket.callback' UNION ALL SELECT 'ticket.export'
  UNION ALL SELECT 'compensation.read' UNION ALL SELECT 'compensation.write'
  UNION ALL SELECT 'defect.read' UNION ALL SELECT 'contractor.read') p
 WHERE r.code = 'agent';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'ticket.read' AS perm UNION ALL SELECT 'ticket.write'
  UNION ALL SELECT 'defect.read' UNION ALL SELECT 'defect.write'
  UNION ALL SELECT 'contractor.read' UNION ALL SELECT 'contractor.write') p
 WHERE r.code = 'engineer';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'ticket.read' AS perm UNION ALL SELECT 'ticket.write' UNION ALL SELECT 'contractor.read') p
 WHERE r.code = 'property';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'compensation.read' AS perm UNION ALL SELECT 'compensation.pay') p
 WHERE r.code = 'finance';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'ticket.read' AS perm UNION ALL SELECT 'compensation.read' UNION ALL SELECT 'defect.read') p
 WHERE r.code = 'director';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'calendar.admin' AS perm UNION ALL SELECT 'compensation.pay') p
 WHERE r.code = 'admin';
