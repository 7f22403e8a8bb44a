-- Min Side: one customer account per invited contact person, the single-use links that set its
-- password (stored only as hashes), its login log, and the mail outbox.

CREATE TABLE customer_accounts (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    contact_person_id  INTEGER NOT NULL UNIQUE REFERENCES contact_persons(id),
    -- Lower case; the address the invitation went to, which is the login name.
    email              TEXT    NOT NULL,
    -- NULL until the invitation has been used.
    password_hash      TEXT,
    created_ms         INTEGER NOT NULL,
    password_set_ms    INTEGER,
    UNIQUE (tenant_id, email)
);

CREATE TABLE customer_tokens (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('invitation', 'password_reset')),
    -- SHA-256 of the token, hex: a copy of the database does not let anyone use a link.
    token_hash  TEXT    NOT NULL UNIQUE,
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    used_ms     INTEGER
);
CREATE INDEX customer_tokens_account ON customer_tokens (account_id);

-- Evidence: appended to, never changed.
CREATE TABLE customer_login_events (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    email       TEXT    NOT NULL,
    account_id  INTEGER REFERENCES customer_accounts(id),
    outcome     TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'wrong_password', 'unknown_email', 'locked', 'password_set')),
    at_ms       INTEGER NOT NULL,
    ip          TEXT
);
CREATE INDEX customer_login_events_email_at ON customer_login_events (tenant_id, email, at_ms);
CREATE INDEX customer_login_events_account ON customer_login_events (account_id, id);
CREATE TRIGGER customer_login_events_no_update BEFORE UPDATE ON customer_login_events
BEGIN SELECT RAISE(ABORT, 'customer_login_events is append-only'); END;
CREATE TRIGGER customer_login_events_no_delete BEFORE DELETE ON customer_login_events
BEGIN SELECT RAISE(ABORT, 'customer_login_events is append-only'); END;

-- Mail waits here until a sender has delivered it (SMTP), or an operator reads it
-- (`samtykke outbox`) where no SMTP server is configured.
CREATE TABLE mail_outbox (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    to_address  TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    -- A sender claims a mail before sending, so two app servers never send it twice.
    claimed_ms  INTEGER,
    sent_ms     INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_outbox_unsent ON mail_outbox (sent_ms, id);
