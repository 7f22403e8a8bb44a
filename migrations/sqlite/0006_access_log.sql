-- Innsynslogg: who did what to which customer, when and from where. Append-only, and chained
-- per tenant: each entry's hash covers the previous entry's hash, so an entry altered, removed
-- or moved (even by someone who can bypass the triggers) breaks the chain at that point.

CREATE TABLE access_log (
    id                   INTEGER PRIMARY KEY,
    tenant_id            INTEGER NOT NULL REFERENCES tenants(id),
    -- 1, 2, 3, … within the tenant: a gap is a removed entry.
    seq                  INTEGER NOT NULL,
    at_ms                INTEGER NOT NULL,
    actor                TEXT    NOT NULL CHECK (actor IN ('staff', 'customer')),
    staff_user_id        INTEGER REFERENCES staff_users(id),
    customer_account_id  INTEGER REFERENCES customer_accounts(id),
    action               TEXT    NOT NULL,
    customer_id          INTEGER REFERENCES customers(id),
    object               TEXT,
    ip                   TEXT,
    prev_hash            TEXT    NOT NULL,
    hash                 TEXT    NOT NULL,
    UNIQUE (tenant_id, seq)
);
CREATE INDEX access_log_tenant_at ON access_log (tenant_id, at_ms);
CREATE INDEX access_log_customer ON access_log (customer_id, id);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;

-- The newest entry per tenant. Appends lock this row, so entries of one tenant are chained one
-- after the other even with several app servers; verification compares the chain's end with it.
CREATE TABLE access_log_heads (
    tenant_id  INTEGER PRIMARY KEY REFERENCES tenants(id),
    seq        INTEGER NOT NULL,
    hash       TEXT    NOT NULL
);

-- Login throttling counts failures per address across both login logs.
CREATE INDEX staff_login_events_ip_at ON staff_login_events (ip, at_ms);
CREATE INDEX customer_login_events_ip_at ON customer_login_events (ip, at_ms);
