-- Sales data, the least that anonymisation (issue 7) needs: orders with their free text,
-- invoices with the buyer as printed, the customer ledger (reskontro), notes and tasks on the
-- customer. Amounts are whole øre; dates are ISO days (YYYY-MM-DD), the same on both backends.

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    customer_id   INTEGER NOT NULL REFERENCES customers(id),
    order_number  TEXT    NOT NULL,
    order_date    TEXT    NOT NULL,
    note          TEXT    NOT NULL DEFAULT '',
    UNIQUE (tenant_id, order_number)
);
CREATE INDEX orders_customer ON orders (tenant_id, customer_id);

CREATE TABLE order_lines (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    line_no         INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    quantity        INTEGER NOT NULL,
    unit_price_ore  INTEGER NOT NULL,
    UNIQUE (order_id, line_no)
);

CREATE TABLE invoices (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    customer_id        INTEGER NOT NULL REFERENCES customers(id),
    order_id           INTEGER REFERENCES orders(id),
    invoice_number     TEXT    NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    invoice_date       TEXT    NOT NULL,
    due_date           TEXT    NOT NULL,
    -- The buyer as a copy prints it: as issued, and "Anonym" once the customer is anonymised.
    buyer_name         TEXT    NOT NULL,
    buyer_address      TEXT    NOT NULL DEFAULT '',
    buyer_postal_code  TEXT    NOT NULL DEFAULT '',
    buyer_city         TEXT    NOT NULL DEFAULT '',
    buyer_org_no       TEXT    NOT NULL DEFAULT '',
    buyer_email        TEXT    NOT NULL DEFAULT '',
    net_ore            INTEGER NOT NULL,
    vat_ore            INTEGER NOT NULL,
    UNIQUE (tenant_id, invoice_number)
);
CREATE INDEX invoices_customer ON invoices (tenant_id, customer_id);

CREATE TABLE invoice_lines (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices(id),
    line_no         INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    quantity        INTEGER NOT NULL,
    unit_price_ore  INTEGER NOT NULL,
    vat_percent     INTEGER NOT NULL,
    UNIQUE (invoice_id, line_no)
);

-- Reskontro: invoices and credit notes with what is still open of each, and payments.
CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    invoice_id   INTEGER REFERENCES invoices(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'payment')),
    entry_date   TEXT    NOT NULL,
    amount_ore   INTEGER NOT NULL,
    open_ore     INTEGER NOT NULL
);
CREATE INDEX ledger_entries_customer ON ledger_entries (tenant_id, customer_id);

CREATE TABLE customer_notes (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    text         TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES staff_users(id)
);
CREATE INDEX customer_notes_customer ON customer_notes (tenant_id, customer_id);

CREATE TABLE customer_tasks (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    text         TEXT    NOT NULL,
    due_date     TEXT,
    done         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX customer_tasks_customer ON customer_tasks (tenant_id, customer_id);

-- Set when the customer was anonymised; it cannot be undone.
ALTER TABLE customers ADD COLUMN anonymised_ms INTEGER;
