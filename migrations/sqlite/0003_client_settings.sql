-- Klientinnstillinger, tab "Samtykke": the controller's identity (edited in place) and the
-- published versions of what a person is told (the privacy-policy link and the recipients),
-- which consent events point at.

CREATE TABLE tenant_consent_settings (
    tenant_id           INTEGER NOT NULL PRIMARY KEY REFERENCES tenants(id),
    controller_name     TEXT,
    controller_org_no   TEXT,
    controller_address  TEXT,
    privacy_email       TEXT,
    version             INTEGER NOT NULL,
    updated_ms          INTEGER NOT NULL,
    updated_by          INTEGER REFERENCES staff_users(id)
);

CREATE TABLE privacy_policy_versions (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    version       INTEGER NOT NULL,
    policy_url    TEXT,
    published_ms  INTEGER NOT NULL,
    published_by  INTEGER REFERENCES staff_users(id),
    PRIMARY KEY (tenant_id, version)
);

CREATE TABLE privacy_policy_recipients (
    tenant_id  INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT CHECK (role IN ('processor', 'sub_processor', 'independent_controller')),
    purpose    TEXT,
    country    TEXT,
    dpa_date   TEXT,
    PRIMARY KEY (tenant_id, version, position),
    FOREIGN KEY (tenant_id, version) REFERENCES privacy_policy_versions (tenant_id, version)
);

CREATE TRIGGER privacy_policy_versions_no_update BEFORE UPDATE ON privacy_policy_versions
BEGIN SELECT RAISE(ABORT, 'privacy_policy_versions is append-only'); END;
CREATE TRIGGER privacy_policy_versions_no_delete BEFORE DELETE ON privacy_policy_versions
BEGIN SELECT RAISE(ABORT, 'privacy_policy_versions is append-only'); END;
CREATE TRIGGER privacy_policy_recipients_no_update BEFORE UPDATE ON privacy_policy_recipients
BEGIN SELECT RAISE(ABORT, 'privacy_policy_recipients is append-only'); END;
CREATE TRIGGER privacy_policy_recipients_no_delete BEFORE DELETE ON privacy_policy_recipients
BEGIN SELECT RAISE(ABORT, 'privacy_policy_recipients is append-only'); END;
