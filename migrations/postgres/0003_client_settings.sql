-- Klientinnstillinger, tab "Samtykke": the controller's identity (edited in place) and the
-- published versions of what a person is told (the privacy-policy link and the recipients),
-- which consent events point at.

CREATE TABLE tenant_consent_settings (
    tenant_id           BIGINT NOT NULL PRIMARY KEY REFERENCES tenants(id),
    controller_name     TEXT,
    controller_org_no   TEXT,
    controller_address  TEXT,
    privacy_email       TEXT,
    version             BIGINT NOT NULL,
    updated_ms          BIGINT NOT NULL,
    updated_by          BIGINT REFERENCES staff_users(id)
);

CREATE TABLE privacy_policy_versions (
    tenant_id     BIGINT NOT NULL REFERENCES tenants(id),
    version       BIGINT NOT NULL,
    policy_url    TEXT,
    published_ms  BIGINT NOT NULL,
    published_by  BIGINT REFERENCES staff_users(id),
    PRIMARY KEY (tenant_id, version)
);

CREATE TABLE privacy_policy_recipients (
    tenant_id  BIGINT NOT NULL,
    version    BIGINT NOT NULL,
    position   BIGINT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT CHECK (role IN ('processor', 'sub_processor', 'independent_controller')),
    purpose    TEXT,
    country    TEXT,
    dpa_date   TEXT,
    PRIMARY KEY (tenant_id, version, position),
    FOREIGN KEY (tenant_id, version) REFERENCES privacy_policy_versions (tenant_id, version)
);

CREATE TRIGGER privacy_policy_versions_append_only BEFORE UPDATE OR DELETE ON privacy_policy_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER privacy_policy_recipients_append_only BEFORE UPDATE OR DELETE ON privacy_policy_recipients
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
