//! Sales data on SQLite and PostgreSQL: invoices, payments and credit notes move the ledger, and
//! the ledger decides whether a customer may be anonymised (the first part of issue 7).

mod common;

use app::domain::anonymise::{eligibility, Refusal};
use app::model::{InvoiceSummary, NewSale, SaleLine};
use app::ports::RepoError;
use common::{fresh_database, Backend};
use server::db::Database;

async fn demo(backend: Backend) -> (Database, i64, i64) {
    let (db, _) = fresh_database(backend).await;
    server::seed::seed_demo(db.seeder()).await.unwrap();
    let nordlys = db.seeder().tenant_named("Nordlys Regnskap AS").await.unwrap().unwrap();
    let fjellvik = db.seeder().tenant_named("Fjellvik Sport AS").await.unwrap().unwrap();
    (db, nordlys, fjellvik)
}

async fn customer(db: &Database, tenant: i64, number: &str) -> i64 {
    let hits = db.repository().search_customers(tenant, &[number.to_string()], 5, 0).await.unwrap();
    hits.iter().find(|h| h.customer_number == number).unwrap().id
}

async fn may_anonymise(db: &Database, tenant: i64, customer: i64) -> Result<(), Refusal> {
    eligibility(&db.repository().ledger_open_amounts(tenant, customer).await.unwrap(), false)
}

async fn the_ledger_decides_who_may_be_anonymised(backend: Backend) {
    let (db, nordlys, fjellvik) = demo(backend).await;
    let repo = db.repository();
    let (ola, kari, ase) = (customer(&db, nordlys, "10001").await, customer(&db, nordlys, "10002").await, customer(&db, nordlys, "10003").await);

    // Paid in full; owes 1 000,00 + 25 % VAT; an invoice cancelled by a credit note.
    assert_eq!(may_anonymise(&db, nordlys, ola).await, Ok(()));
    assert_eq!(may_anonymise(&db, nordlys, kari).await, Err(Refusal::OpenBalance { ore: 125_000 }));
    assert_eq!(may_anonymise(&db, nordlys, ase).await, Ok(()));
    let ase_invoices: Vec<(String, bool, i64, i64)> =
        repo.customer_invoices(nordlys, ase).await.unwrap().into_iter().map(|i| (i.invoice_number, i.credit_note, i.total_ore, i.open_ore)).collect();
    assert_eq!(ase_invoices, [("1003".to_string(), false, 100_000, 100_000), ("1004".to_string(), true, -100_000, -100_000)]);

    // The invoice names the buyer as the customer was when it was issued, and falls due in 14 days.
    let kari_invoices: Vec<InvoiceSummary> = repo.customer_invoices(nordlys, kari).await.unwrap();
    assert_eq!(kari_invoices.len(), 1);
    let owed = &kari_invoices[0];
    assert_eq!((owed.buyer_name.as_str(), owed.invoice_date.as_str(), owed.due_date.as_str()), ("Kari Nordmann", "2026-11-15", "2026-11-29"));

    // A part payment leaves the rest open; the rest settles it.
    repo.record_payment(nordlys, owed.id, 50_000, "2026-12-01").await.unwrap();
    assert_eq!(may_anonymise(&db, nordlys, kari).await, Err(Refusal::OpenBalance { ore: 75_000 }));
    repo.record_payment(nordlys, owed.id, 75_000, "2026-12-02").await.unwrap();
    assert_eq!(may_anonymise(&db, nordlys, kari).await, Ok(()));
    assert_eq!(repo.customer_invoices(nordlys, kari).await.unwrap()[0].open_ore, 0);

    // Another tenant's invoice and customer are not found through this tenant.
    assert!(matches!(repo.record_payment(fjellvik, owed.id, 1, "2026-12-03").await, Err(RepoError::NotFound)));
    let sale = NewSale {
        order_number: "X-1".into(),
        invoice_number: "X-1".into(),
        date: "2026-12-03".into(),
        note: String::new(),
        lines: vec![SaleLine { text: "Test".into(), quantity: 3, unit_price_ore: 33 }],
        vat_percent: 25,
    };
    assert!(matches!(repo.record_sale(fjellvik, kari, &sale).await, Err(RepoError::NotFound)));
    // Three at 0,33: 0,99 net, 0,25 VAT (0,2475 rounded), 1,24 in all.
    let per = customer(&db, fjellvik, "10001").await;
    let id = repo.record_sale(fjellvik, per, &sale).await.unwrap();
    let invoices = repo.customer_invoices(fjellvik, per).await.unwrap();
    assert_eq!(invoices.iter().find(|i| i.id == id).map(|i| (i.total_ore, i.open_ore)), Some((124, 124)));
    assert!(repo.customer_invoices(nordlys, per).await.unwrap().is_empty());
}

both_databases!(the_ledger_decides_who_may_be_anonymised);
