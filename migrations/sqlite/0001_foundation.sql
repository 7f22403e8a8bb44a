-- Tenants (klienter), staff, memberships, customers and contact persons.
-- Times are unix milliseconds (UTC) in both backends, so rows compare the same everywhere.

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);

CREATE TABLE staff_users (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id    INTEGER NOT NULL REFERENCES staff_users(id),
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'staff')),
    PRIMARY KEY (user_id, tenant_id)
);

-- Evidence: appended to, never changed.
CREATE TABLE staff_login_events (
    id        INTEGER PRIMARY KEY,
    email     TEXT    NOT NULL,
    user_id   INTEGER REFERENCES staff_users(id),
    outcome   TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'wrong_password', 'unknown_email', 'locked')),
    at_ms     INTEGER NOT NULL,
    ip        TEXT
);
CREATE INDEX staff_login_events_email_at ON staff_login_events (email, at_ms);
CREATE TRIGGER staff_login_events_no_update BEFORE UPDATE ON staff_login_events
BEGIN SELECT RAISE(ABORT, 'staff_login_events is append-only'); END;
CREATE TRIGGER staff_login_events_no_delete BEFORE DELETE ON staff_login_events
BEGIN SELECT RAISE(ABORT, 'staff_login_events is append-only'); END;

CREATE TABLE customers (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
    customer_number  TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('private', 'business')),
    first_name       TEXT,
    last_name        TEXT,
    company_name     TEXT,
    org_no           TEXT,
    address_line     TEXT,
    postal_code      TEXT,
    city             TEXT,
    email            TEXT,
    phone            TEXT,
    tags             TEXT    NOT NULL DEFAULT '',
    sort_name        TEXT    NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL,
    UNIQUE (tenant_id, customer_number)
);
CREATE INDEX customers_tenant_sort ON customers (tenant_id, sort_name, id);

-- Kundesøk. The tenant is a column of the index itself ("t<id>"), so a search intersects the
-- tenant's posting list inside FTS5 instead of filtering hits afterwards. Contentless: the
-- customer row holds the text; remove_diacritics 0 keeps æ, ø and å apart from a and o.
CREATE VIRTUAL TABLE customer_search USING fts5 (
    tenant,
    document,
    content = '',
    contentless_delete = 1,
    prefix = '1 2 3',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE contact_persons (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    name         TEXT    NOT NULL,
    position     TEXT,
    email        TEXT,
    phone        TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL
);
CREATE INDEX contact_persons_customer ON contact_persons (customer_id, id);
