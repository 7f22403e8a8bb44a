-- Consent purposes per tenant, the wording versions consents point at, the append-only
-- consent events (GDPR art. 7(1) evidence) and the current state derived from them.

CREATE TABLE consent_purposes (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
    code             TEXT    NOT NULL,
    label_nb         TEXT    NOT NULL,
    label_en         TEXT    NOT NULL,
    channel          TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'post', 'none')),
    legal_basis      TEXT    NOT NULL CHECK (legal_basis IN ('consent', 'customer_relationship', 'contract', 'legal_obligation', 'legitimate_interest')),
    active           INTEGER NOT NULL DEFAULT 1,
    sort_order       INTEGER NOT NULL,
    wording_version  INTEGER NOT NULL DEFAULT 1,
    version          INTEGER NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, code)
);

-- Published wordings: never changed, so an old consent still shows what the person agreed to.
CREATE TABLE consent_purpose_versions (
    purpose_id    INTEGER NOT NULL REFERENCES consent_purposes(id),
    version       INTEGER NOT NULL,
    wording       TEXT    NOT NULL,
    published_ms  INTEGER NOT NULL,
    published_by  INTEGER REFERENCES staff_users(id),
    PRIMARY KEY (purpose_id, version)
);
CREATE TRIGGER consent_purpose_versions_no_update BEFORE UPDATE ON consent_purpose_versions
BEGIN SELECT RAISE(ABORT, 'consent_purpose_versions is append-only'); END;
CREATE TRIGGER consent_purpose_versions_no_delete BEFORE DELETE ON consent_purpose_versions
BEGIN SELECT RAISE(ABORT, 'consent_purpose_versions is append-only'); END;

-- Saves of a customer's consents check and bump this, apart from the customer's own version,
-- so editing the address does not invalidate an open consent window.
ALTER TABLE customers ADD COLUMN consent_version INTEGER NOT NULL DEFAULT 0;

-- Evidence: appended to, never changed.
CREATE TABLE consent_events (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    customer_id        INTEGER NOT NULL REFERENCES customers(id),
    contact_person_id  INTEGER NOT NULL REFERENCES contact_persons(id),
    purpose_id         INTEGER NOT NULL,
    purpose_version    INTEGER NOT NULL,
    given              INTEGER NOT NULL CHECK (given IN (0, 1)),
    at_ms              INTEGER NOT NULL,
    actor              TEXT    NOT NULL CHECK (actor IN ('staff', 'customer')),
    staff_user_id      INTEGER REFERENCES staff_users(id),
    source             TEXT    NOT NULL CHECK (source IN ('staff_card', 'min_side', 'paper_form', 'import')),
    policy_version     INTEGER,
    ip                 TEXT,
    user_agent         TEXT,
    FOREIGN KEY (purpose_id, purpose_version) REFERENCES consent_purpose_versions (purpose_id, version),
    CHECK (actor <> 'staff' OR staff_user_id IS NOT NULL)
);
CREATE INDEX consent_events_contact ON consent_events (contact_person_id, id);
CREATE INDEX consent_events_tenant_at ON consent_events (tenant_id, at_ms);
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;

-- The last event per contact person and purpose, written in the same transaction as the event.
CREATE TABLE consent_state (
    contact_person_id  INTEGER NOT NULL REFERENCES contact_persons(id),
    purpose_id         INTEGER NOT NULL REFERENCES consent_purposes(id),
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    given              INTEGER NOT NULL CHECK (given IN (0, 1)),
    purpose_version    INTEGER NOT NULL,
    event_id           INTEGER NOT NULL REFERENCES consent_events(id),
    changed_ms         INTEGER NOT NULL,
    PRIMARY KEY (contact_person_id, purpose_id)
);
