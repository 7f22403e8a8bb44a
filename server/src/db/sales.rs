//! Sales persistence (orders, invoices, the ledger, notes, tasks), written once for both
//! backends like `secrets.rs`.

/// The buyer fields of an invoice, in the order of [`INSERT_INVOICE`]'s $8..$13: the customer as
/// the card shows it now (its display name, so a company's name or a person's full name).
pub(crate) struct Buyer(pub(crate) [String; 6]);

impl From<super::CustomerRow> for Buyer {
    fn from(row: super::CustomerRow) -> Self {
        let c = app::model::Customer::from(row).input;
        Buyer([c.display_name(), c.address_line, c.postal_code, c.city, c.org_no, c.email])
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InvoiceRow {
    id: i64,
    invoice_number: String,
    kind: String,
    invoice_date: String,
    due_date: String,
    buyer_name: String,
    total_ore: i64,
    open_ore: i64,
}

impl From<InvoiceRow> for app::model::InvoiceSummary {
    fn from(r: InvoiceRow) -> Self {
        app::model::InvoiceSummary {
            id: r.id,
            invoice_number: r.invoice_number,
            credit_note: r.kind == "credit_note",
            invoice_date: r.invoice_date,
            due_date: r.due_date,
            buyer_name: r.buyer_name,
            total_ore: r.total_ore,
            open_ore: r.open_ore,
        }
    }
}

pub(crate) fn buyer_sql() -> String {
    format!("SELECT {} FROM customers WHERE tenant_id = $1 AND id = $2", super::CUSTOMER_COLUMNS)
}
pub(crate) const INSERT_INVOICE: &str = "INSERT INTO invoices (tenant_id, customer_id, order_id, invoice_number, kind, invoice_date, due_date, \
     buyer_name, buyer_address, buyer_postal_code, buyer_city, buyer_org_no, buyer_email, net_ore, vat_ore) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
pub(crate) const INSERT_LEDGER: &str = "INSERT INTO ledger_entries (tenant_id, customer_id, invoice_id, kind, entry_date, amount_ore, open_ore) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// SUM of BIGINT is NUMERIC on PostgreSQL: cast back.
pub(crate) const INVOICES: &str = "SELECT i.id, i.invoice_number, i.kind, i.invoice_date, i.due_date, i.buyer_name, \
     i.net_ore + i.vat_ore AS total_ore, \
     CAST(COALESCE((SELECT SUM(l.open_ore) FROM ledger_entries l WHERE l.invoice_id = i.id AND l.kind = i.kind), 0) AS BIGINT) AS open_ore \
     FROM invoices i WHERE i.tenant_id = $1 AND i.customer_id = $2 ORDER BY i.invoice_date, i.id";

#[derive(sqlx::FromRow)]
pub(crate) struct CopyRow {
    id: i64,
    customer_id: i64,
    seller: String,
    invoice_number: String,
    kind: String,
    invoice_date: String,
    due_date: String,
    customer_number: String,
    buyer_name: String,
    buyer_address: String,
    buyer_postal_code: String,
    buyer_city: String,
    buyer_org_no: String,
    buyer_email: String,
    net_ore: i64,
    vat_ore: i64,
}

impl CopyRow {
    pub(crate) fn copy(self, lines: Vec<(String, i64, i64, i64)>) -> (i64, app::model::InvoiceCopy) {
        let lines = lines
            .into_iter()
            .map(|(text, quantity, unit_price_ore, vat_percent)| app::model::InvoiceLine { text, quantity, unit_price_ore, vat_percent })
            .collect();
        (
            self.customer_id,
            app::model::InvoiceCopy {
                id: self.id,
                seller: self.seller,
                invoice_number: self.invoice_number,
                credit_note: self.kind == "credit_note",
                invoice_date: self.invoice_date,
                due_date: self.due_date,
                customer_number: self.customer_number,
                buyer_name: self.buyer_name,
                buyer_address: self.buyer_address,
                buyer_postal_code: self.buyer_postal_code,
                buyer_city: self.buyer_city,
                buyer_org_no: self.buyer_org_no,
                buyer_email: self.buyer_email,
                lines,
                net_ore: self.net_ore,
                vat_ore: self.vat_ore,
            },
        )
    }
}

pub(crate) const COPY: &str = "SELECT i.id, i.customer_id, t.name AS seller, i.invoice_number, i.kind, i.invoice_date, i.due_date, \
     c.customer_number, i.buyer_name, i.buyer_address, i.buyer_postal_code, i.buyer_city, i.buyer_org_no, i.buyer_email, i.net_ore, i.vat_ore \
     FROM invoices i JOIN tenants t ON t.id = i.tenant_id JOIN customers c ON c.id = i.customer_id \
     WHERE i.tenant_id = $1 AND i.id = $2";

/// VAT on a net amount, rounded to the nearest øre (half up, as invoices print it).
pub(crate) fn vat(net_ore: i64, percent: i64) -> i64 {
    (net_ore * percent + 50).div_euclid(100)
}

/// The due date fourteen days after `date` (YYYY-MM-DD); `date` itself if it does not parse.
pub(crate) fn due_date(date: &str) -> String {
    match app::domain::parse_date(date) {
        Ok(Some(d)) => (d + time::Duration::days(14)).to_string(),
        _ => date.to_string(),
    }
}

/// Implements [`app::ports::SalesRepository`] on a repository whose `write()` opens a write
/// transaction.
macro_rules! sales_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            /// Takes the customer's row lock (PostgreSQL; SQLite's write transactions are serial
            /// anyway), as anonymisation does: a sale or payment and an anonymisation of one
            /// customer queue up, so neither reads what the other is halfway through writing.
            /// `NotFound` outside the tenant.
            async fn lock_customer(conn: &mut <$db as sqlx::Database>::Connection, tenant: TenantId, customer: CustomerId) -> RepoResult<()> {
                let found: Option<i64> = sqlx::query_scalar("UPDATE customers SET version = version WHERE tenant_id = $1 AND id = $2 RETURNING id")
                    .bind(tenant)
                    .bind(customer)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(other)?;
                found.map(|_| ()).ok_or(RepoError::NotFound)
            }
        }

        #[async_trait::async_trait]
        impl app::ports::SalesRepository for $repo {
            async fn record_sale(&self, tenant: TenantId, customer: CustomerId, sale: &NewSale) -> RepoResult<InvoiceId> {
                let mut tx = self.write().await?;
                Self::lock_customer(&mut *tx, tenant, customer).await?;
                let buyer: Option<CustomerRow> =
                    sqlx::query_as(&sales::buyer_sql()).bind(tenant).bind(customer).fetch_optional(&mut *tx).await.map_err(other)?;
                let sales::Buyer(buyer) = buyer.ok_or(RepoError::NotFound)?.into();
                let order: i64 = sqlx::query_scalar(
                    "INSERT INTO orders (tenant_id, customer_id, order_number, order_date, note) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(tenant)
                .bind(customer)
                .bind(&sale.order_number)
                .bind(&sale.date)
                .bind(&sale.note)
                .fetch_one(&mut *tx)
                .await
                .map_err(other)?;
                for (i, line) in sale.lines.iter().enumerate() {
                    sqlx::query("INSERT INTO order_lines (order_id, line_no, text, quantity, unit_price_ore) VALUES ($1, $2, $3, $4, $5)")
                        .bind(order)
                        .bind(i as i64 + 1)
                        .bind(&line.text)
                        .bind(line.quantity)
                        .bind(line.unit_price_ore)
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                }
                let net: i64 = sale.lines.iter().map(|l| l.quantity * l.unit_price_ore).sum();
                let vat = sales::vat(net, sale.vat_percent);
                let mut insert = sqlx::query_scalar(sales::INSERT_INVOICE)
                    .bind(tenant)
                    .bind(customer)
                    .bind(Some(order))
                    .bind(&sale.invoice_number)
                    .bind("invoice")
                    .bind(&sale.date)
                    .bind(sales::due_date(&sale.date));
                for field in &buyer {
                    insert = insert.bind(field);
                }
                let invoice: i64 = insert.bind(net).bind(vat).fetch_one(&mut *tx).await.map_err(other)?;
                for (i, line) in sale.lines.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO invoice_lines (invoice_id, line_no, text, quantity, unit_price_ore, vat_percent) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(invoice)
                    .bind(i as i64 + 1)
                    .bind(&line.text)
                    .bind(line.quantity)
                    .bind(line.unit_price_ore)
                    .bind(sale.vat_percent)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                }
                sqlx::query(sales::INSERT_LEDGER)
                    .bind(tenant)
                    .bind(customer)
                    .bind(Some(invoice))
                    .bind("invoice")
                    .bind(&sale.date)
                    .bind(net + vat)
                    .bind(net + vat)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(invoice)
            }

            async fn record_payment(&self, tenant: TenantId, invoice: InvoiceId, amount_ore: i64, date: &str) -> RepoResult<()> {
                let mut tx = self.write().await?;
                let owner: Option<i64> =
                    sqlx::query_scalar("SELECT customer_id FROM invoices WHERE tenant_id = $1 AND id = $2").bind(tenant).bind(invoice).fetch_optional(&mut *tx).await.map_err(other)?;
                Self::lock_customer(&mut *tx, tenant, owner.ok_or(RepoError::NotFound)?).await?;
                let customer: Option<i64> = sqlx::query_scalar(
                    "UPDATE ledger_entries SET open_ore = open_ore - $3 WHERE tenant_id = $1 AND invoice_id = $2 AND kind = 'invoice' RETURNING customer_id",
                )
                .bind(tenant)
                .bind(invoice)
                .bind(amount_ore)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
                let customer = customer.ok_or(RepoError::NotFound)?;
                sqlx::query(sales::INSERT_LEDGER)
                    .bind(tenant)
                    .bind(customer)
                    .bind(Some(invoice))
                    .bind("payment")
                    .bind(date)
                    .bind(-amount_ore)
                    .bind(0_i64)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn record_credit_note(&self, tenant: TenantId, invoice: InvoiceId, number: &str, date: &str) -> RepoResult<InvoiceId> {
                let mut tx = self.write().await?;
                let original: Option<(i64, i64, i64)> =
                    sqlx::query_as("SELECT customer_id, net_ore, vat_ore FROM invoices WHERE tenant_id = $1 AND id = $2 AND kind = 'invoice'")
                        .bind(tenant)
                        .bind(invoice)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(other)?;
                let (customer, net, vat) = original.ok_or(RepoError::NotFound)?;
                Self::lock_customer(&mut *tx, tenant, customer).await?;
                let buyer: CustomerRow = sqlx::query_as(&sales::buyer_sql()).bind(tenant).bind(customer).fetch_one(&mut *tx).await.map_err(other)?;
                let sales::Buyer(buyer) = buyer.into();
                let mut insert = sqlx::query_scalar(sales::INSERT_INVOICE)
                    .bind(tenant)
                    .bind(customer)
                    .bind(None::<i64>)
                    .bind(number)
                    .bind("credit_note")
                    .bind(date)
                    .bind(date);
                for field in &buyer {
                    insert = insert.bind(field);
                }
                let credit: i64 = insert.bind(-net).bind(-vat).fetch_one(&mut *tx).await.map_err(other)?;
                sqlx::query(sales::INSERT_LEDGER)
                    .bind(tenant)
                    .bind(customer)
                    .bind(Some(credit))
                    .bind("credit_note")
                    .bind(date)
                    .bind(-(net + vat))
                    .bind(-(net + vat))
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(credit)
            }

            async fn ledger_open_amounts(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<i64>> {
                sqlx::query_scalar("SELECT open_ore FROM ledger_entries WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id")
                    .bind(tenant)
                    .bind(customer)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)
            }

            async fn customer_invoices(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<InvoiceSummary>> {
                let rows: Vec<sales::InvoiceRow> =
                    sqlx::query_as(sales::INVOICES).bind(tenant).bind(customer).fetch_all(&self.pool).await.map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn invoice_copy(&self, tenant: TenantId, invoice: InvoiceId) -> RepoResult<(CustomerId, InvoiceCopy)> {
                let mut conn = self.pool.acquire().await.map_err(other)?;
                let row: Option<sales::CopyRow> = sqlx::query_as(sales::COPY).bind(tenant).bind(invoice).fetch_optional(&mut *conn).await.map_err(other)?;
                let row = row.ok_or(RepoError::NotFound)?;
                let lines: Vec<(String, i64, i64, i64)> =
                    sqlx::query_as("SELECT text, quantity, unit_price_ore, vat_percent FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no")
                        .bind(invoice)
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(other)?;
                Ok(row.copy(lines))
            }

            async fn add_customer_note(&self, tenant: TenantId, customer: CustomerId, text: &str, by: Option<StaffUserId>) -> RepoResult<i64> {
                sqlx::query_scalar("INSERT INTO customer_notes (tenant_id, customer_id, text, created_ms, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(tenant)
                    .bind(customer)
                    .bind(text)
                    .bind(now_ms())
                    .bind(by)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)
            }

            async fn add_customer_task(&self, tenant: TenantId, customer: CustomerId, text: &str, due_date: Option<&str>) -> RepoResult<i64> {
                sqlx::query_scalar("INSERT INTO customer_tasks (tenant_id, customer_id, text, due_date) VALUES ($1, $2, $3, $4) RETURNING id")
                    .bind(tenant)
                    .bind(customer)
                    .bind(text)
                    .bind(due_date)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)
            }
        }
    };
}

pub(crate) use sales_store;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_rounds_to_the_nearest_ore_and_invoices_fall_due_in_fourteen_days() {
        assert_eq!(vat(100_000, 25), 25_000);
        assert_eq!(vat(99, 25), 25); // 24.75 øre
        assert_eq!(vat(98, 25), 25); // 24.5 øre, half up
        assert_eq!(vat(97, 25), 24); // 24.25 øre
        assert_eq!(due_date("2026-12-20"), "2027-01-03");
    }
}
