-- Satisfaction surveys (满意度回访): templates of questions, survey requests
-- raised after signing, handover and a closed ticket or by a campaign,
-- answers recorded against the customer (usually during a callback), and
-- satisfaction and NPS by project, stage and month.

CREATE TABLE survey_templates (
    id {{ID}},
    name TEXT NOT NULL,
    trigger_on TEXT NOT NULL,
    questions_json TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

INSERT INTO survey_templates (name, trigger_on, questions_json, active, created_at, updated_at) VALUES
 ('签约满意度回访', 'signing', '[{"key":"overall","text":"您对本次签约服务的总体满意度","type":"scale","required":true},{"key":"clarity","text":"签约人员对合同条款的讲解是否清楚","type":"scale","required":true},{"key":"nps","text":"您有多大可能向亲友推荐我们的楼盘（0–10）","type":"nps","required":true},{"key":"comment","text":"其他意见和建议","type":"text"}]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('交付满意度回访', 'handover', '[{"key":"overall","text":"您对交房服务的总体满意度","type":"scale","required":true},{"key":"quality","text":"您对房屋质量的满意度","type":"scale","required":true},{"key":"process","text":"交房流程是否顺畅","type":"choice","options":["顺畅","一般","繁琐"],"required":true},{"key":"nps","text":"您有多大可能向亲友推荐我们（0–10）","type":"nps","required":true},{"key":"comment","text":"其他意见和建议","type":"text"}]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('维修回访满意度', 'ticket_closed', '[{"key":"overall","text":"您对本次维修处理的满意度","type":"scale","required":true},{"key":"timely","text":"处理是否及时","type":"scale","required":true},{"key":"nps","text":"您有多大可能向亲友推荐我们（0–10）","type":"nps"},{"key":"comment","text":"其他意见和建议","type":"text"}]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('年度业主满意度调查', 'campaign', '[{"key":"overall","text":"您对我们的总体满意度","type":"scale","required":true},{"key":"property","text":"您对物业服务的满意度","type":"scale","required":true},{"key":"nps","text":"您有多大可能向亲友推荐我们（0–10）","type":"nps","required":true},{"key":"comment","text":"其他意见和建议","type":"text"}]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

CREATE TABLE survey_responses (
    id {{ID}},
    template_id BIGINT NOT NULL REFERENCES survey_templates(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    stage TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'invited',
    invited_on TEXT NOT NULL,
    answered_at TEXT,
    answers_json TEXT,
    score_avg100 BIGINT,
    nps BIGINT,
    recorded_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (template_id, source, customer_id)
);
CREATE INDEX survey_responses_project ON survey_responses(project_id, stage, invited_on);
CREATE INDEX survey_responses_customer ON survey_responses(customer_id);

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'survey.read' AS perm UNION ALL SELECT 'survey.write') p
 WHERE r.code IN ('admin', 'manager', 'supervisor', 'agent');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, 'survey.admin' FROM roles r WHERE r.code IN ('admin', 'manager');
