-- Counters for human-readable numbers (合同 HT-P001-00012, 审批 SP20261128-0003):
-- one row per series, incremented with UPDATE … RETURNING, so two servers
-- (or two transactions) never hand out the same number.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
