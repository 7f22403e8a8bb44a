//! Anonymisering's one transaction, written once for both backends; each backend supplies
//! `unindex_customer` (FTS5 row or tsvector). Which fields go and why: docs/DECISIONS.md.

use app::domain::anonymise::{Redaction, TextSource, ANONYMOUS};

#[derive(sqlx::FromRow)]
pub(crate) struct FreeTextRow {
    source: String,
    id: i64,
    customer_id: i64,
    text: String,
}

impl FreeTextRow {
    pub(crate) fn free_text(self) -> Option<app::domain::anonymise::FreeText> {
        Some(app::domain::anonymise::FreeText { source: TextSource::parse(&self.source)?, id: self.id, customer_id: self.customer_id, text: self.text })
    }
}

pub(crate) const FREE_TEXTS: &str = "SELECT 'note' AS source, id, customer_id, text FROM customer_notes WHERE tenant_id = $1 \
     UNION ALL SELECT 'task' AS source, id, customer_id, text FROM customer_tasks WHERE tenant_id = $1 \
     UNION ALL SELECT 'order' AS source, id, customer_id, note AS text FROM orders WHERE tenant_id = $1 AND note <> '' \
     UNION ALL SELECT 'order_line' AS source, l.id, o.customer_id, l.text FROM order_lines l JOIN orders o ON o.id = l.order_id \
     WHERE o.tenant_id = $1 \
     UNION ALL SELECT 'invoice_line' AS source, l.id, i.customer_id, l.text FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
     WHERE i.tenant_id = $1";

/// Names in `anonymising` every address the customer could be reached or log in at, lower
/// case: one statement however many contact persons there are.
pub(crate) const NAME_EMAILS: &str = "INSERT INTO anonymising (tenant_id, customer_id, email) \
     SELECT c.tenant_id, c.id, m.email FROM customers c, \
     (SELECT LOWER(email) AS email FROM customers WHERE tenant_id = $1 AND id = $2 AND email IS NOT NULL \
      UNION SELECT LOWER(email) AS email FROM contact_persons WHERE tenant_id = $1 AND customer_id = $2 AND email IS NOT NULL \
      UNION SELECT a.email AS email FROM customer_accounts a JOIN contact_persons p ON p.id = a.contact_person_id \
      WHERE p.tenant_id = $1 AND p.customer_id = $2) m \
     WHERE c.tenant_id = $1 AND c.id = $2";

pub(crate) const ACCOUNTS: &str = "SELECT a.id FROM customer_accounts a JOIN contact_persons p ON p.id = a.contact_person_id AND a.closed_ms IS NULL \
     WHERE p.tenant_id = $1 AND p.customer_id = $2";

/// Where a redaction's text lives: (select, update), both scoped by tenant ($1) and row ($2).
pub(crate) fn text_sql(source: TextSource) -> (&'static str, &'static str) {
    match source {
        TextSource::Note => (
            "SELECT text FROM customer_notes WHERE tenant_id = $1 AND id = $2",
            "UPDATE customer_notes SET text = $3 WHERE tenant_id = $1 AND id = $2",
        ),
        TextSource::Task => (
            "SELECT text FROM customer_tasks WHERE tenant_id = $1 AND id = $2",
            "UPDATE customer_tasks SET text = $3 WHERE tenant_id = $1 AND id = $2",
        ),
        TextSource::Order => ("SELECT note FROM orders WHERE tenant_id = $1 AND id = $2", "UPDATE orders SET note = $3 WHERE tenant_id = $1 AND id = $2"),
        TextSource::OrderLine => (
            "SELECT l.text FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.tenant_id = $1 AND l.id = $2",
            "UPDATE order_lines SET text = $3 WHERE id = $2 AND order_id IN (SELECT id FROM orders WHERE tenant_id = $1)",
        ),
        TextSource::InvoiceLine => (
            "SELECT l.text FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.tenant_id = $1 AND l.id = $2",
            "UPDATE invoice_lines SET text = $3 WHERE id = $2 AND invoice_id IN (SELECT id FROM invoices WHERE tenant_id = $1)",
        ),
    }
}

/// The redactions to apply, one per text and needle.
pub(crate) fn distinct(redactions: &[Redaction]) -> Vec<&Redaction> {
    let mut out: Vec<&Redaction> = Vec::new();
    for r in redactions {
        if !out.iter().any(|o| o == &r) {
            out.push(r);
        }
    }
    out
}

pub(crate) const ANONYMOUS_CUSTOMER: &str = "UPDATE customers SET \
     first_name = CASE WHEN kind = 'private' THEN $3 ELSE NULL END, last_name = NULL, \
     company_name = CASE WHEN kind = 'business' THEN $3 ELSE NULL END, \
     org_no = CASE WHEN kind = 'business' THEN org_no ELSE NULL END, \
     address_line = NULL, postal_code = NULL, city = NULL, email = NULL, phone = NULL, tags = '', \
     sort_name = 'anonym', anonymised_ms = $4, updated_ms = $4 WHERE tenant_id = $1 AND id = $2";

/// An invoice line as issued: read from `invoice_lines`, kept in the archive as JSON (so the
/// archive is one row per invoice), and read back from there.
#[derive(sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub(crate) struct ArchivedLine {
    line_no: i64,
    text: String,
    quantity: i64,
    unit_price_ore: i64,
    vat_percent: i64,
}

pub(crate) const ISSUED_LINES: &str =
    "SELECT line_no, text, quantity, unit_price_ore, vat_percent FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no";

pub(crate) fn lines_json(lines: &[ArchivedLine]) -> String {
    serde_json::to_string(lines).expect("plain fields serialise")
}

/// The lines of an archived invoice, from [`lines_json`], as [`super::sales::CopyRow::copy`] takes them.
pub(crate) fn lines_from_json(json: &str) -> app::ports::RepoResult<Vec<(String, i64, i64, i64)>> {
    let lines: Vec<ArchivedLine> = serde_json::from_str(json).map_err(|e| app::ports::RepoError::Other(Box::new(e)))?;
    Ok(lines.into_iter().map(|l| (l.text, l.quantity, l.unit_price_ore, l.vat_percent)).collect())
}

#[derive(sqlx::FromRow)]
pub(crate) struct ArchiveRow {
    id: i64,
    invoice_number: String,
    kind: String,
    invoice_date: String,
    customer_number: String,
    buyer_name: String,
    archived_ms: i64,
    retain_until: String,
}

impl From<ArchiveRow> for app::model::ArchivedInvoice {
    fn from(r: ArchiveRow) -> Self {
        app::model::ArchivedInvoice {
            id: r.id,
            invoice_number: r.invoice_number,
            credit_note: r.kind == "credit_note",
            invoice_date: r.invoice_date,
            customer_number: r.customer_number,
            buyer_name: r.buyer_name,
            archived_ms: r.archived_ms,
            retain_until: r.retain_until,
        }
    }
}

pub(crate) const ARCHIVE: &str = "SELECT i.id, i.invoice_number, i.kind, i.invoice_date, c.customer_number, a.buyer_name, a.archived_ms, a.retain_until \
     FROM invoice_archive a JOIN invoices i ON i.id = a.invoice_id JOIN customers c ON c.id = i.customer_id \
     WHERE a.tenant_id = $1 ORDER BY i.invoice_date DESC, i.id DESC";

/// [`super::sales::COPY`] with the buyer as issued, from the archive.
pub(crate) const ARCHIVED_COPY: &str = "SELECT i.id, i.customer_id, t.name AS seller, i.invoice_number, i.kind, i.invoice_date, i.due_date, \
     c.customer_number, a.buyer_name, a.buyer_address, a.buyer_postal_code, a.buyer_city, a.buyer_org_no, a.buyer_email, i.net_ore, i.vat_ore \
     FROM invoice_archive a JOIN invoices i ON i.id = a.invoice_id JOIN tenants t ON t.id = i.tenant_id JOIN customers c ON c.id = i.customer_id \
     WHERE a.tenant_id = $1 AND a.invoice_id = $2";

/// Customers of tenant $1, not anonymised, with a zero balance and no activity since the cutoff
/// ($2 in Unix ms, $3 the same day as YYYY-MM-DD): no change to the card or a contact person,
/// no order, invoice or ledger entry (a payment), no consent change and no note since.
pub(crate) const INACTIVE: &str = "c.tenant_id = $1 AND c.anonymised_ms IS NULL AND c.updated_ms < $2 \
     AND NOT EXISTS (SELECT 1 FROM contact_persons p WHERE p.customer_id = c.id AND p.updated_ms >= $2) \
     AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = $1 AND o.customer_id = c.id AND o.order_date >= $3) \
     AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.tenant_id = $1 AND i.customer_id = c.id AND i.invoice_date >= $3) \
     AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.tenant_id = $1 AND l.customer_id = c.id AND l.entry_date >= $3) \
     AND NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.customer_id = c.id AND e.at_ms >= $2) \
     AND NOT EXISTS (SELECT 1 FROM customer_notes n WHERE n.tenant_id = $1 AND n.customer_id = c.id AND n.created_ms >= $2) \
     AND COALESCE((SELECT SUM(l.open_ore) FROM ledger_entries l WHERE l.tenant_id = $1 AND l.customer_id = c.id), 0) = 0";

pub(crate) fn anonymous() -> &'static str {
    ANONYMOUS
}

/// Implements [`app::ports::AnonymisationRepository`] on a repository whose `write()` opens a
/// write transaction and which has `unindex_customer`.
macro_rules! anonymise_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            /// Runs a statement whose only parameters are the tenant ($1) and customer ($2);
            /// answers the rows it touched.
            async fn for_customer(conn: &mut <$db as sqlx::Database>::Connection, sql: &str, tenant: TenantId, customer: CustomerId) -> RepoResult<u64> {
                Ok(sqlx::query(sql).bind(tenant).bind(customer).execute(&mut *conn).await.map_err(other)?.rows_affected())
            }

            /// One customer's anonymisation, in its own transaction.
            async fn anonymise_one(
                &self,
                tenant: TenantId,
                customer: CustomerId,
                by: Option<StaffUserId>,
                redactions: &[app::domain::anonymise::Redaction],
                now_ms: i64,
            ) -> RepoResult<Result<app::domain::anonymise::AnonymisationRecord, app::domain::anonymise::Refusal>> {
                let mut tx = self.write().await?;
                // The customer's row lock first: a sale recorded meanwhile waits for this
                // transaction, or this one for it, so the balance below is the final one.
                let locked: Option<(Option<i64>,)> =
                    sqlx::query_as("UPDATE customers SET version = version + 1 WHERE tenant_id = $1 AND id = $2 RETURNING anonymised_ms")
                        .bind(tenant)
                        .bind(customer)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(other)?;
                let (anonymised,) = locked.ok_or(RepoError::NotFound)?;
                let open: Vec<i64> = sqlx::query_scalar("SELECT open_ore FROM ledger_entries WHERE tenant_id = $1 AND customer_id = $2")
                    .bind(tenant)
                    .bind(customer)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(other)?;
                if let Err(refusal) = app::domain::anonymise::eligibility(&open, anonymised.is_some()) {
                    return Ok(Err(refusal));
                }

                // Name what the append-only triggers may let through, for this transaction only.
                Self::for_customer(&mut tx, "INSERT INTO anonymising (tenant_id, customer_id, email) VALUES ($1, $2, NULL)", tenant, customer).await?;
                Self::for_customer(&mut tx, anonymise::NAME_EMAILS, tenant, customer).await?;
                let consent_events = Self::for_customer(&mut tx, "UPDATE consent_events SET ip = NULL, user_agent = NULL WHERE tenant_id = $1 AND customer_id = $2", tenant, customer).await? as i64;
                Self::for_customer(&mut tx, "UPDATE customer_login_events SET email = 'anonym', ip = NULL, account_id = NULL WHERE tenant_id = $1 \
                     AND email IN (SELECT email FROM anonymising WHERE tenant_id = $1 AND customer_id = $2 AND email IS NOT NULL)", tenant, customer).await?;
                let accounts: Vec<i64> = sqlx::query_scalar(anonymise::ACCOUNTS).bind(tenant).bind(customer).fetch_all(&mut *tx).await.map_err(other)?;
                for account in &accounts {
                    // Logged in somewhere right now: that session ends with the account.
                    sqlx::query(&format!(
                        "DELETE FROM {} WHERE id IN (SELECT session_id FROM customer_sessions WHERE account_id = $1)",
                        Self::SESSION_TABLE
                    ))
                    .bind(account)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                    sqlx::query("DELETE FROM customer_sessions WHERE account_id = $1").bind(account).execute(&mut *tx).await.map_err(other)?;
                    sqlx::query("DELETE FROM customer_tokens WHERE account_id = $1").bind(account).execute(&mut *tx).await.map_err(other)?;
                    // Closed, not deleted: the access log's entries name the account by its id (a
                    // foreign key the hash chain keeps), so a numbered stub without the address,
                    // password or contact stays.
                    sqlx::query(
                        "UPDATE customer_accounts SET email = 'anonymisert-' || id, password_hash = NULL, password_set_ms = NULL, closed_ms = $2 \
                         WHERE id = $1",
                    )
                    .bind(account)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                }
                Self::for_customer(&mut tx, "DELETE FROM mail_outbox WHERE tenant_id = $1 AND LOWER(to_address) IN \
                     (SELECT email FROM anonymising WHERE tenant_id = $1 AND customer_id = $2 AND email IS NOT NULL)", tenant, customer).await?;
                Self::for_customer(&mut tx, "DELETE FROM customer_secret_groups WHERE secret_id IN (SELECT id FROM customer_secrets WHERE tenant_id = $1 AND customer_id = $2)", tenant, customer).await?;
                Self::for_customer(&mut tx, "DELETE FROM customer_secrets WHERE tenant_id = $1 AND customer_id = $2", tenant, customer).await?;

                // Invoices: the as-issued buyer to the archive, "Anonym" on every copy from now.
                let issued: Vec<(i64, String, String, String, String, String, String, String)> = sqlx::query_as(
                    "SELECT id, invoice_date, buyer_name, buyer_address, buyer_postal_code, buyer_city, buyer_org_no, buyer_email \
                     FROM invoices WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id",
                )
                .bind(tenant)
                .bind(customer)
                .fetch_all(&mut *tx)
                .await
                .map_err(other)?;
                for (id, date, name, address, postal, city, org_no, email) in &issued {
                    let until = app::domain::anonymise::retain_until(date).unwrap_or_else(|| "9999-12-31".into());
                    // The lines as issued too: their text may be redacted below.
                    let lines: Vec<anonymise::ArchivedLine> = sqlx::query_as(anonymise::ISSUED_LINES).bind(id).fetch_all(&mut *tx).await.map_err(other)?;
                    let lines = anonymise::lines_json(&lines);
                    sqlx::query(
                        "INSERT INTO invoice_archive (invoice_id, tenant_id, buyer_name, buyer_address, buyer_postal_code, buyer_city, \
                         buyer_org_no, buyer_email, archived_ms, retain_until, lines) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(id)
                    .bind(tenant)
                    .bind(name)
                    .bind(address)
                    .bind(postal)
                    .bind(city)
                    .bind(org_no)
                    .bind(email)
                    .bind(now_ms)
                    .bind(until)
                    .bind(lines)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                }
                sqlx::query(
                    "UPDATE invoices SET buyer_name = $3, buyer_address = $3, buyer_postal_code = $3, buyer_city = $3, \
                     buyer_org_no = $3, buyer_email = $3 WHERE tenant_id = $1 AND customer_id = $2",
                )
                .bind(tenant)
                .bind(customer)
                .bind(anonymise::anonymous())
                .execute(&mut *tx)
                .await
                .map_err(other)?;

                let redactions = anonymise::distinct(redactions);
                for r in &redactions {
                    let (select, update) = anonymise::text_sql(r.source);
                    let text: Option<String> = sqlx::query_scalar(select).bind(tenant).bind(r.id).fetch_optional(&mut *tx).await.map_err(other)?;
                    let text = text.ok_or(RepoError::NotFound)?;
                    let redacted = app::domain::anonymise::redact(&text, &r.needle);
                    sqlx::query(update).bind(tenant).bind(r.id).bind(redacted).execute(&mut *tx).await.map_err(other)?;
                }

                let contact_persons = sqlx::query(
                    "UPDATE contact_persons SET name = $3, position = NULL, email = NULL, phone = NULL, version = version + 1, updated_ms = $4 \
                     WHERE tenant_id = $1 AND customer_id = $2",
                )
                .bind(tenant)
                .bind(customer)
                .bind(anonymise::anonymous())
                .bind(now_ms)
                .execute(&mut *tx)
                .await
                .map_err(other)?
                .rows_affected() as i64;
                sqlx::query(anonymise::ANONYMOUS_CUSTOMER)
                    .bind(tenant)
                    .bind(customer)
                    .bind(anonymise::anonymous())
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                Self::unindex_customer(&mut *tx, customer).await?;
                Self::for_customer(&mut tx, "DELETE FROM anonymising WHERE tenant_id = $1 AND customer_id = $2", tenant, customer).await?;
                let record = app::domain::anonymise::AnonymisationRecord {
                    id: 0,
                    at_ms: now_ms,
                    contact_persons,
                    consent_events,
                    invoices: issued.len() as i64,
                    redactions: redactions.len() as i64,
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO anonymisations (tenant_id, customer_id, by_user, at_ms, contact_persons, consent_events, invoices, redactions) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(tenant)
                .bind(customer)
                .bind(by)
                .bind(now_ms)
                .bind(record.contact_persons)
                .bind(record.consent_events)
                .bind(record.invoices)
                .bind(record.redactions)
                .fetch_one(&mut *tx)
                .await
                .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(Ok(app::domain::anonymise::AnonymisationRecord { id, ..record }))
            }
        }

        #[async_trait::async_trait]
        impl app::ports::AnonymisationRepository for $repo {
            async fn anonymised_at(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Option<i64>> {
                let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT anonymised_ms FROM customers WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant)
                    .bind(customer)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                row.map(|(at,)| at).ok_or(RepoError::NotFound)
            }

            async fn tenant_free_texts(&self, tenant: TenantId) -> RepoResult<Vec<app::domain::anonymise::FreeText>> {
                let rows: Vec<anonymise::FreeTextRow> = sqlx::query_as(anonymise::FREE_TEXTS).bind(tenant).fetch_all(&self.pool).await.map_err(other)?;
                Ok(rows.into_iter().filter_map(anonymise::FreeTextRow::free_text).collect())
            }

            async fn anonymise_customer(
                &self,
                tenant: TenantId,
                customer: CustomerId,
                by: Option<StaffUserId>,
                redactions: &[app::domain::anonymise::Redaction],
                now_ms: i64,
            ) -> RepoResult<Result<app::domain::anonymise::AnonymisationRecord, app::domain::anonymise::Refusal>> {
                let outcome = self.anonymise_one(tenant, customer, by, redactions, now_ms).await?;
                if outcome.is_ok() {
                    self.after_unindex();
                }
                Ok(outcome)
            }

            async fn anonymise_customers(
                &self,
                tenant: TenantId,
                customers: &[CustomerId],
                by: Option<StaffUserId>,
                now_ms: i64,
            ) -> RepoResult<Vec<Result<app::domain::anonymise::AnonymisationRecord, app::domain::anonymise::Refusal>>> {
                let mut out = Vec::with_capacity(customers.len());
                for customer in customers {
                    out.push(self.anonymise_one(tenant, *customer, by, &[], now_ms).await?);
                }
                // One compaction for the batch, finished before the batch answers.
                self.after_unindex();
                self.index_settled().await;
                Ok(out)
            }

            async fn inactivity_years(&self, tenant: TenantId) -> RepoResult<Option<u32>> {
                let years: Option<i64> = sqlx::query_scalar("SELECT anonymise_after_years FROM tenants WHERE id = $1")
                    .bind(tenant)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(years.map(|y| y as u32))
            }

            async fn set_inactivity_years(&self, tenant: TenantId, years: Option<u32>) -> RepoResult<()> {
                sqlx::query("UPDATE tenants SET anonymise_after_years = $2 WHERE id = $1")
                    .bind(tenant)
                    .bind(years.map(i64::from))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }

            async fn tenants_with_inactivity_rule(&self) -> RepoResult<Vec<(TenantId, u32)>> {
                let rows: Vec<(TenantId, i64)> =
                    sqlx::query_as("SELECT id, anonymise_after_years FROM tenants WHERE anonymise_after_years IS NOT NULL ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                Ok(rows.into_iter().map(|(t, y)| (t, y as u32)).collect())
            }

            async fn inactive_customers(&self, tenant: TenantId, cutoff: &app::domain::anonymise::Cutoff, limit: u32) -> RepoResult<Vec<app::model::InactiveCustomer>> {
                let rows: Vec<super::CustomerRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM customers c WHERE {} ORDER BY c.id LIMIT $4",
                    super::CUSTOMER_COLUMNS,
                    anonymise::INACTIVE
                ))
                .bind(tenant)
                .bind(cutoff.ms)
                .bind(&cutoff.date)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(other)?;
                Ok(rows
                    .into_iter()
                    .map(|row| {
                        let c = Customer::from(row);
                        app::model::InactiveCustomer { id: c.id, name: c.display_name(), customer_number: c.input.customer_number }
                    })
                    .collect())
            }

            async fn count_inactive_customers(&self, tenant: TenantId, cutoff: &app::domain::anonymise::Cutoff) -> RepoResult<i64> {
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customers c WHERE {}", anonymise::INACTIVE))
                    .bind(tenant)
                    .bind(cutoff.ms)
                    .bind(&cutoff.date)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)
            }

            async fn search_index_settled(&self) -> RepoResult<()> {
                self.index_settled().await;
                Ok(())
            }

            async fn invoice_archive(&self, tenant: TenantId) -> RepoResult<Vec<app::model::ArchivedInvoice>> {
                let rows: Vec<anonymise::ArchiveRow> = sqlx::query_as(anonymise::ARCHIVE).bind(tenant).fetch_all(&self.pool).await.map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn archived_invoice_copy(&self, tenant: TenantId, invoice: InvoiceId) -> RepoResult<(CustomerId, app::model::InvoiceCopy)> {
                let mut conn = self.pool.acquire().await.map_err(other)?;
                let row: Option<sales::CopyRow> =
                    sqlx::query_as(anonymise::ARCHIVED_COPY).bind(tenant).bind(invoice).fetch_optional(&mut *conn).await.map_err(other)?;
                let row = row.ok_or(RepoError::NotFound)?;
                let lines: String = sqlx::query_scalar("SELECT lines FROM invoice_archive WHERE tenant_id = $1 AND invoice_id = $2")
                    .bind(tenant)
                    .bind(invoice)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(other)?;
                Ok(row.copy(anonymise::lines_from_json(&lines)?))
            }

            async fn purge_invoice_archive(&self, today: &str, now_ms: i64) -> RepoResult<Vec<(TenantId, u64)>> {
                let mut tx = self.write().await?;
                let counts: Vec<(TenantId, i64)> = sqlx::query_as(
                    "SELECT tenant_id, COUNT(*) FROM invoice_archive WHERE retain_until < $1 GROUP BY tenant_id ORDER BY tenant_id",
                )
                .bind(today)
                .fetch_all(&mut *tx)
                .await
                .map_err(other)?;
                for (tenant, invoices) in &counts {
                    sqlx::query("INSERT INTO invoice_archive_purges (tenant_id, at_ms, before_date, invoices) VALUES ($1, $2, $3, $4)")
                        .bind(tenant)
                        .bind(now_ms)
                        .bind(today)
                        .bind(invoices)
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                }
                sqlx::query("DELETE FROM invoice_archive WHERE retain_until < $1").bind(today).execute(&mut *tx).await.map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(counts.into_iter().map(|(t, n)| (t, n as u64)).collect())
            }
        }
    };
}

pub(crate) use anonymise_store;
