-- Anonymisering (issue 7): the record of each anonymisation (no personal data), the invoices as
-- issued (the bookkeeping copy, kept until the end of its retention), and the one way through
-- the append-only triggers: while an anonymisation runs, its transaction names the customer and
-- the addresses in `anonymising`, and the triggers let exactly their personal data be blanked.

CREATE TABLE anonymisations (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    by_user          INTEGER REFERENCES staff_users(id),
    at_ms            INTEGER NOT NULL,
    contact_persons  INTEGER NOT NULL,
    consent_events   INTEGER NOT NULL,
    invoices         INTEGER NOT NULL,
    redactions       INTEGER NOT NULL
);
CREATE INDEX anonymisations_tenant ON anonymisations (tenant_id, at_ms);
CREATE TRIGGER anonymisations_no_update BEFORE UPDATE ON anonymisations
BEGIN SELECT RAISE(ABORT, 'anonymisations is append-only'); END;
CREATE TRIGGER anonymisations_no_delete BEFORE DELETE ON anonymisations
BEGIN SELECT RAISE(ABORT, 'anonymisations is append-only'); END;

CREATE TABLE invoice_archive (
    invoice_id         INTEGER PRIMARY KEY REFERENCES invoices(id),
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    buyer_name         TEXT    NOT NULL,
    buyer_address      TEXT    NOT NULL,
    buyer_postal_code  TEXT    NOT NULL,
    buyer_city         TEXT    NOT NULL,
    buyer_org_no       TEXT    NOT NULL,
    buyer_email        TEXT    NOT NULL,
    archived_ms        INTEGER NOT NULL,
    -- Five years after the end of the invoice's financial year (bokføringsloven § 13).
    retain_until       TEXT    NOT NULL,
    -- The lines as issued, JSON: their text may be redacted on the invoice itself.
    lines              TEXT    NOT NULL
);
CREATE INDEX invoice_archive_retain ON invoice_archive (retain_until);

CREATE TABLE anonymising (
    tenant_id    INTEGER NOT NULL,
    customer_id  INTEGER NOT NULL,
    email        TEXT
);

DROP TRIGGER consent_events_no_update;
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
WHEN NOT (
    NEW.ip IS NULL AND NEW.user_agent IS NULL
    AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.customer_id = OLD.customer_id
    AND NEW.contact_person_id = OLD.contact_person_id AND NEW.purpose_id = OLD.purpose_id
    AND NEW.purpose_version = OLD.purpose_version AND NEW.given = OLD.given AND NEW.at_ms = OLD.at_ms
    AND NEW.actor = OLD.actor AND NEW.staff_user_id IS OLD.staff_user_id AND NEW.source = OLD.source
    AND NEW.policy_version IS OLD.policy_version
    AND EXISTS (SELECT 1 FROM anonymising a WHERE a.tenant_id = OLD.tenant_id AND a.customer_id = OLD.customer_id)
)
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;

DROP TRIGGER customer_login_events_no_update;
CREATE TRIGGER customer_login_events_no_update BEFORE UPDATE ON customer_login_events
WHEN NOT (
    NEW.email = 'anonym' AND NEW.ip IS NULL AND NEW.account_id IS NULL
    AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.outcome = OLD.outcome AND NEW.at_ms = OLD.at_ms
    AND EXISTS (SELECT 1 FROM anonymising a WHERE a.tenant_id = OLD.tenant_id AND a.email = OLD.email)
)
BEGIN SELECT RAISE(ABORT, 'customer_login_events is append-only'); END;

