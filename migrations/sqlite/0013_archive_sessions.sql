-- The invoice archive (issue 7): read with its own right, Regnskap ('bookkeeping'); never
-- changed; an invoice leaves it only once its retention has ended, by purge-invoice-archive,
-- whose every run per tenant is recorded. Then Min Side sessions by account, and the
-- tenant's retention rule.

-- SQLite cannot alter a CHECK: the rights table is rebuilt with the new right allowed.
CREATE TABLE access_group_rights_new (
    group_id    INTEGER NOT NULL REFERENCES access_groups(id) ON DELETE CASCADE,
    permission  TEXT    NOT NULL CHECK (permission IN ('customer_read', 'customer_write', 'consent_read', 'consent_write',
                    'anonymise', 'secrets', 'reports', 'client_settings', 'access_control', 'access_log', 'bookkeeping')),
    PRIMARY KEY (group_id, permission)
);
INSERT INTO access_group_rights_new (group_id, permission) SELECT group_id, permission FROM access_group_rights;
DROP TABLE access_group_rights;
ALTER TABLE access_group_rights_new RENAME TO access_group_rights;

CREATE TRIGGER invoice_archive_no_update BEFORE UPDATE ON invoice_archive
BEGIN SELECT RAISE(ABORT, 'invoice_archive is never changed'); END;
-- The last day to keep is retain_until; from the day after, the copy may go.
CREATE TRIGGER invoice_archive_kept BEFORE DELETE ON invoice_archive
WHEN OLD.retain_until >= date('now')
BEGIN SELECT RAISE(ABORT, 'invoice_archive: retention has not ended'); END;

CREATE TABLE invoice_archive_purges (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    at_ms        INTEGER NOT NULL,
    -- Every archived invoice whose retention ended before this day was removed.
    before_date  TEXT    NOT NULL,
    invoices     INTEGER NOT NULL
);
CREATE TRIGGER invoice_archive_purges_no_update BEFORE UPDATE ON invoice_archive_purges
BEGIN SELECT RAISE(ABORT, 'invoice_archive_purges is append-only'); END;
CREATE TRIGGER invoice_archive_purges_no_delete BEFORE DELETE ON invoice_archive_purges
BEGIN SELECT RAISE(ABORT, 'invoice_archive_purges is append-only'); END;

-- Which sessions a Min Side customer logged in on, so that anonymising the customer can end
-- them with the account (the session store keeps its records opaque). No personal data.
CREATE TABLE customer_sessions (
    session_id  TEXT    PRIMARY KEY,
    account_id  INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX customer_sessions_account ON customer_sessions (account_id);
-- An anonymised customer's Min Side account is closed: no address, password or links, only its
-- id, which the access log's entries (and their hash chain) refer to.
ALTER TABLE customer_accounts ADD COLUMN closed_ms INTEGER;

-- The retention rule (Automatisk anonymisering): customers with no activity for this many
-- years and a zero balance are anonymised by the command anonymise-inactive or from the page. NULL: no rule.
ALTER TABLE tenants ADD COLUMN anonymise_after_years INTEGER CHECK (anonymise_after_years BETWEEN 1 AND 30);
-- The rule asks, per customer, for consent changes since a day.
CREATE INDEX consent_events_customer_at ON consent_events (customer_id, at_ms);
