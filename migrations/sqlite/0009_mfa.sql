-- Tofaktorautentisering (MFA) for staff: a TOTP seed per user, sealed like Hemmeligheter (the
-- key is outside the database), ten single-use recovery codes stored as argon2 hashes, and an
-- append-only log of MFA attempts that the rate limit counts.

CREATE TABLE staff_totp (
    user_id       INTEGER PRIMARY KEY REFERENCES staff_users(id),
    key_id        TEXT    NOT NULL,
    nonce         BLOB    NOT NULL,
    ciphertext    BLOB    NOT NULL,
    -- NULL while enrolment waits for its first code.
    confirmed_ms  INTEGER,
    -- The newest time step a code was accepted for: a code is never accepted twice (RFC 6238 5.2).
    last_step     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE staff_recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES staff_users(id),
    code_hash  TEXT    NOT NULL,
    used_ms    INTEGER
);
CREATE INDEX staff_recovery_codes_user ON staff_recovery_codes (user_id);

CREATE TABLE staff_mfa_events (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES staff_users(id),
    outcome  TEXT    NOT NULL CHECK (outcome IN ('enrolled', 'succeeded', 'recovery_code_used', 'failed', 'locked', 'reset')),
    at_ms    INTEGER NOT NULL,
    ip       TEXT
);
CREATE INDEX staff_mfa_events_user_at ON staff_mfa_events (user_id, at_ms);
CREATE TRIGGER staff_mfa_events_no_update BEFORE UPDATE ON staff_mfa_events
BEGIN SELECT RAISE(ABORT, 'staff_mfa_events is append-only'); END;
CREATE TRIGGER staff_mfa_events_no_delete BEFORE DELETE ON staff_mfa_events
BEGIN SELECT RAISE(ABORT, 'staff_mfa_events is append-only'); END;

-- "Krev tofaktor for alle ansatte": a member of such a tenant enrols at the next login.
ALTER TABLE tenants ADD COLUMN require_mfa INTEGER NOT NULL DEFAULT 0;
