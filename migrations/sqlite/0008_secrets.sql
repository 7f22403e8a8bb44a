-- Hemmeligheter: labelled secret values on the customer card, each visible to the members of
-- the access groups it names (and the tenant's administrators). The value is stored only
-- sealed (XChaCha20-Poly1305, key outside the database; see server/src/secrets.rs).

CREATE TABLE customer_secrets (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    label        TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    nonce        BLOB    NOT NULL,
    ciphertext   BLOB    NOT NULL,
    version      INTEGER NOT NULL,
    created_ms   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES staff_users(id)
);
CREATE INDEX customer_secrets_customer ON customer_secrets (tenant_id, customer_id);

CREATE TABLE customer_secret_groups (
    secret_id  INTEGER NOT NULL REFERENCES customer_secrets(id) ON DELETE CASCADE,
    group_id   INTEGER NOT NULL REFERENCES access_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (secret_id, group_id)
);
