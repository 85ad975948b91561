-- Master data: customers with sealed personal data (ID numbers, phones, bank
-- accounts: <field>_enc sealed, _idx blind index, _mask shown, _tail last-4
-- index for phones), pinyin initials for search, a home project, the
-- customer timeline, merges (for undo) and import jobs.

ALTER TABLE customers ADD COLUMN project_id BIGINT REFERENCES projects(id);
ALTER TABLE customers ADD COLUMN id_type TEXT;
ALTER TABLE customers ADD COLUMN id_number_enc TEXT;
ALTER TABLE customers ADD COLUMN id_number_idx TEXT;
ALTER TABLE customers ADD COLUMN id_number_mask TEXT;
ALTER TABLE customers ADD COLUMN phone_enc TEXT;
ALTER TABLE customers ADD COLUMN phone_idx TEXT;
ALTER TABLE customers ADD COLUMN phone_mask TEXT;
ALTER TABLE customers ADD COLUMN phone_tail TEXT;
ALTER TABLE customers ADD COLUMN phone2_enc TEXT;
ALTER TABLE customers ADD COLUMN phone2_idx TEXT;
ALTER TABLE customers ADD COLUMN phone2_mask TEXT;
ALTER TABLE customers ADD COLUMN phone2_tail TEXT;
ALTER TABLE customers ADD COLUMN bank_name TEXT;
ALTER TABLE customers ADD COLUMN bank_account_enc TEXT;
ALTER TABLE customers ADD COLUMN bank_account_idx TEXT;
ALTER TABLE customers ADD COLUMN bank_account_mask TEXT;
ALTER TABLE customers ADD COLUMN address TEXT;
ALTER TABLE customers ADD COLUMN uscc TEXT;
ALTER TABLE customers ADD COLUMN name_initials TEXT;
ALTER TABLE customers ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE customers ADD COLUMN merged_into BIGINT;
ALTER TABLE customers ADD COLUMN note TEXT;

CREATE INDEX customers_id_number ON customers(id_number_idx);
CREATE INDEX customers_phone ON customers(phone_idx);
CREATE INDEX customers_phone_tail ON customers(phone_tail);
CREATE INDEX customers_phone2 ON customers(phone2_idx);
CREATE INDEX customers_phone2_tail ON customers(phone2_tail);
CREATE INDEX customers_initials ON customers(name_initials);
CREATE INDEX customers_project ON customers(project_id);
CREATE INDEX units_room ON units(room_code);
CREATE INDEX units_project_status ON units(project_id, status);

ALTER TABLE buildings ADD COLUMN units_per_floor BIGINT;
ALTER TABLE buildings ADD COLUMN rooms_per_unit BIGINT;

-- One timeline per customer; modules add events through customer_event_add().
CREATE TABLE customer_events (
    id {{ID}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    entity TEXT,
    entity_id BIGINT,
    user_id BIGINT,
    username TEXT
);
CREATE INDEX customer_events_customer ON customer_events(customer_id, at);

-- A merge keeps what it moved, so an administrator can undo it.
CREATE TABLE customer_merges (
    id {{ID}},
    kept_id BIGINT NOT NULL REFERENCES customers(id),
    merged_id BIGINT NOT NULL REFERENCES customers(id),
    moved_json TEXT NOT NULL,
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT,
    undone_at TEXT,
    undone_by TEXT
);

-- Imports run as jobs so a browser can follow a large file's progress.
CREATE TABLE import_jobs (
    id {{ID}},
    kind TEXT NOT NULL,
    file_name TEXT,
    dry_run BIGINT NOT NULL,
    status TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    bad BIGINT NOT NULL DEFAULT 0,
    errors_json TEXT,
    columns_json TEXT,
    message TEXT,
    user_id BIGINT,
    username TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'building.write' AS perm UNION ALL SELECT 'unit.write'
  UNION ALL SELECT 'customer.write' UNION ALL SELECT 'customer.merge'
  UNION ALL SELECT 'customer.merge_undo' UNION ALL SELECT 'customer.import'
  UNION ALL SELECT 'company.read' UNION ALL SELECT 'company.write') p
 WHERE r.code = 'admin';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'building.write' AS perm UNION ALL SELECT 'unit.write'
  UNION ALL SELECT 'customer.write' UNION ALL SELECT 'customer.merge'
  UNION ALL SELECT 'customer.import' UNION ALL SELECT 'customer.privacy'
  UNION ALL SELECT 'customer.pii_id' UNION ALL SELECT 'customer.pii_phone'
  UNION ALL SELECT 'customer.pii_account' UNION ALL SELECT 'company.read') p
 WHERE r.code = 'manager';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'customer.write' AS perm UNION ALL SELECT 'customer.pii_phone') p
 WHERE r.code = 'agent';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'customer.write' AS perm UNION ALL SELECT 'customer.pii_id'
  UNION ALL SELECT 'customer.pii_phone') p
 WHERE r.code = 'contract';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, p.perm FROM roles r, (
  SELECT 'customer.write' AS perm UNION ALL SELECT 'customer.pii_id'
  UNION ALL SELECT 'customer.pii_phone' UNION ALL SELECT 'customer.pii_account') p
 WHERE r.code = 'mortgage';

INSERT INTO role_permissions (role_id, perm)
 SELECT r.id, 'customer.pii_account' FROM roles r WHERE r.code = 'finance';
