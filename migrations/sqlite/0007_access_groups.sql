-- Tilgangsstyring: access groups with rights per module, and their members. A tenant's
-- administrators (memberships.role = 'admin') hold every right without a group.

CREATE TABLE access_groups (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    name       TEXT    NOT NULL,
    -- The name in lower case (Unicode-aware, from the app): unique per tenant regardless of case.
    name_key   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    UNIQUE (tenant_id, name_key)
);

CREATE TABLE access_group_rights (
    group_id    INTEGER NOT NULL REFERENCES access_groups(id) ON DELETE CASCADE,
    permission  TEXT    NOT NULL CHECK (permission IN ('customer_read', 'customer_write', 'consent_read', 'consent_write',
                    'anonymise', 'secrets', 'reports', 'client_settings', 'access_control', 'access_log')),
    PRIMARY KEY (group_id, permission)
);

CREATE TABLE access_group_members (
    group_id  INTEGER NOT NULL REFERENCES access_groups(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES staff_users(id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX access_group_members_user ON access_group_members (user_id);

-- Until now every member read and changed customers and consents. Existing tenants keep that
-- as a group their members start in; administrators decide from here.
INSERT INTO access_groups (tenant_id, name, name_key, version)
    SELECT id, 'Alle ansatte', 'alle ansatte', 1 FROM tenants;
INSERT INTO access_group_rights (group_id, permission)
    SELECT g.id, p.permission FROM access_groups g
    CROSS JOIN (SELECT 'customer_read' AS permission UNION ALL SELECT 'customer_write'
                UNION ALL SELECT 'consent_read' UNION ALL SELECT 'consent_write' UNION ALL SELECT 'reports') p;
INSERT INTO access_group_members (group_id, user_id)
    SELECT g.id, m.user_id FROM access_groups g JOIN memberships m ON m.tenant_id = g.tenant_id WHERE m.role = 'staff';
