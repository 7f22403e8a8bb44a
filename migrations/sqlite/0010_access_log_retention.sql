-- Innsynslogg retention: a tenant may keep its access log for a number of months. A purge
-- removes the entries older than that and records the last removed entry's seq and hash here,
-- so the remaining chain still verifies from that point. Purges are evidence too: append-only.

ALTER TABLE tenants ADD COLUMN access_log_retention_months INTEGER;

CREATE TABLE access_log_purges (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    upto_seq   INTEGER NOT NULL,
    upto_hash  TEXT    NOT NULL,
    removed    INTEGER NOT NULL,
    purged_ms  INTEGER NOT NULL
);
CREATE INDEX access_log_purges_tenant ON access_log_purges (tenant_id, upto_seq);
CREATE TRIGGER access_log_purges_no_update BEFORE UPDATE ON access_log_purges
BEGIN SELECT RAISE(ABORT, 'access_log_purges is append-only'); END;
CREATE TRIGGER access_log_purges_no_delete BEFORE DELETE ON access_log_purges
BEGIN SELECT RAISE(ABORT, 'access_log_purges is append-only'); END;

-- Entries may now be deleted, but only those a recorded purge covers.
DROP TRIGGER access_log_no_delete;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
WHEN NOT EXISTS (SELECT 1 FROM access_log_purges p WHERE p.tenant_id = OLD.tenant_id AND OLD.seq <= p.upto_seq)
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
