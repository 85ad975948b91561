-- anjia foundation: organisation, users and roles, sessions, audit trail,
-- and the master data every module hangs off (projects, buildings, units,
-- customers). Portable SQL: {{ID}} is the backend's auto-increment key.

CREATE TABLE companies (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    uscc TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE projects (
    id {{ID}},
    company_id BIGINT REFERENCES companies(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT,
    address TEXT,
    presale_permits TEXT,
    status TEXT NOT NULL DEFAULT 'selling',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE buildings (
    id {{ID}},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    floors BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, code)
);
CREATE INDEX buildings_project ON buildings(project_id);

CREATE TABLE units (
    id {{ID}},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    building_id BIGINT NOT NULL REFERENCES buildings(id),
    room_code TEXT NOT NULL,
    unit_no TEXT NOT NULL,
    floor BIGINT NOT NULL,
    room TEXT NOT NULL,
    layout TEXT,
    usage TEXT NOT NULL DEFAULT 'residential',
    contract_area_dm2 BIGINT,
    measured_area_dm2 BIGINT,
    list_price_fen BIGINT,
    status TEXT NOT NULL DEFAULT 'unsold',
    created_at TEXT NOT NULL,
    UNIQUE (project_id, room_code)
);
CREATE INDEX units_building ON units(building_id);

CREATE TABLE customers (
    id {{ID}},
    kind TEXT NOT NULL DEFAULT 'person',
    name TEXT NOT NULL,
    gender TEXT,
    hukou TEXT,
    marital TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX customers_name ON customers(name);

CREATE TABLE unit_owners (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    share_bp BIGINT NOT NULL DEFAULT 10000,
    is_primary BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (unit_id, customer_id)
);
CREATE INDEX unit_owners_customer ON unit_owners(customer_id);

CREATE TABLE roles (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT,
    builtin BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE role_permissions (
    role_id BIGINT NOT NULL REFERENCES roles(id),
    perm TEXT NOT NULL,
    PRIMARY KEY (role_id, perm)
);

CREATE TABLE users (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    department TEXT,
    email TEXT,
    role_id BIGINT NOT NULL REFERENCES roles(id),
    status TEXT NOT NULL DEFAULT 'active',
    all_projects BIGINT NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_login_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_projects (
    user_id BIGINT NOT NULL REFERENCES users(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    PRIMARY KEY (user_id, project_id)
);
CREATE INDEX user_projects_project ON user_projects(project_id);

-- Sessions live here so several servers share them. Only a hash of the
-- token is stored; times are epoch seconds.
CREATE TABLE sessions (
    id {{ID}},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Append-only, hash-chained: hash = MAC(prev_hash | fields). audit_head holds
-- the chain's tip and is updated by every append, which also serialises
-- appenders on backends without a database-wide write lock.
CREATE TABLE audit_log (
    id {{ID}},
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_user ON audit_log(user_id);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');

-- Built-in roles (岗位). Permissions are declared in src/domain/rbac.c.
INSERT INTO roles (code, name, name_en, builtin, created_at, updated_at) VALUES
 ('admin',    '系统管理员', 'Administrator',        1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('agent',    '客服专员',   'CS agent',             1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('contract', '签约专员',   'Contract clerk',       1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('mortgage', '按揭专员',   'Mortgage clerk',       1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('manager',  '客服经理',   'CS manager',           1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('engineer', '工程部',     'Engineering',          1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('finance',  '财务部',     'Finance',              1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 ('property', '物业公司',   'Property management',  1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'user.read' AS perm UNION ALL SELECT 'user.write' UNION ALL SELECT 'user.export'
  UNION ALL SELECT 'role.read' UNION ALL SELECT 'role.write'
  UNION ALL SELECT 'project.read' UNION ALL SELECT 'project.write' UNION ALL SELECT 'project.export'
  UNION ALL SELECT 'building.read' UNION ALL SELECT 'building.export'
  UNION ALL SELECT 'unit.read' UNION ALL SELECT 'unit.export'
  UNION ALL SELECT 'customer.read' UNION ALL SELECT 'customer.export'
  UNION ALL SELECT 'audit.read' UNION ALL SELECT 'audit.export') p
 WHERE r.code = 'admin';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'user.read' AS perm UNION ALL SELECT 'role.read'
  UNION ALL SELECT 'project.read' UNION ALL SELECT 'project.export'
  UNION ALL SELECT 'building.read' UNION ALL SELECT 'building.export'
  UNION ALL SELECT 'unit.read' UNION ALL SELECT 'unit.export'
  UNION ALL SELECT 'customer.read' UNION ALL SELECT 'customer.export'
  UNION ALL SELECT 'audit.read') p
 WHERE r.code = 'manager';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'project.read' AS perm UNION ALL SELECT 'building.read'
  UNION ALL SELECT 'unit.read' UNION ALL SELECT 'unit.export'
  UNION ALL SELECT 'customer.read' UNION ALL SELECT 'customer.export') p
 WHERE r.code IN ('agent', 'contract', 'mortgage', 'finance');

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'project.read' AS perm UNION ALL SELECT 'building.read'
  UNION ALL SELECT 'unit.read') p
 WHERE r.code = 'engineer';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'project.read' AS perm UNION ALL SELECT 'building.read'
  UNION ALL SELECT 'unit.read' UNION ALL SELECT 'customer.read') p
 WHERE r.code = 'property';
