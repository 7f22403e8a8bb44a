//! Anonymisation in the repository, on SQLite and on PostgreSQL: refused with a balance, and
//! otherwise a customer with a canary string in every personal field leaves no canary in any
//! table, except the as-issued invoice archive and the free text staff chose not to redact.

mod common;

use app::domain::anonymise::{find_mentions, needles, AnonymisationRecord, Redaction, Refusal, TextSource};
use app::domain::consent::ConsentChange;
use app::domain::min_side::TokenKind;
use app::forms::{ValidContactPerson, ValidCustomer};
use app::model::*;
use app::ports::{ConsentContext, CustomerLoginEvent, NewMail, NewToken, Repository};
use common::{execute, fresh_database, Backend};
use server::db::Database;
use std::sync::Arc;

const CANARY: &str = "zqxkanari";
const CANARY_PHONE: &str = "99887766";

async fn demo(backend: Backend) -> (Database, Arc<dyn Repository>, i64, i64) {
    let (db, _) = demo_at(backend).await;
    let (repo, tenant, admin) = nordlys(&db).await;
    (db, repo, tenant, admin)
}

/// The repository, the tenant Nordlys and its administrator.
async fn nordlys(db: &Database) -> (Arc<dyn Repository>, i64, i64) {
    let tenant = db.seeder().tenant_named("Nordlys Regnskap AS").await.unwrap().unwrap();
    let admin = db.repository().staff_by_email("admin@demo.no").await.unwrap().unwrap().id;
    (db.repository(), tenant, admin)
}

/// The demo database and its URL.
async fn demo_at(backend: Backend) -> (Database, String) {
    let (db, url) = fresh_database(backend).await;
    server::seed::seed_demo(db.seeder()).await.unwrap();
    (db, url)
}

async fn customer(repo: &dyn Repository, tenant: i64, number: &str) -> i64 {
    let hits = repo.search_customers(tenant, &[number.to_string()], 5, 0).await.unwrap();
    hits.iter().find(|h| h.customer_number == number).unwrap().id
}

async fn anonymise(repo: &dyn Repository, tenant: i64, customer: i64, by: i64, redactions: &[Redaction]) -> Result<AnonymisationRecord, Refusal> {
    repo.anonymise_customer(tenant, customer, Some(by), redactions, server::auth::now_ms()).await.unwrap()
}

async fn an_open_balance_refuses_and_changes_nothing(backend: Backend) {
    let (_db, repo, tenant, admin) = demo(backend).await;
    let kari = customer(repo.as_ref(), tenant, "10002").await;
    let before = repo.customer_card(tenant, kari).await.unwrap();
    assert_eq!(anonymise(repo.as_ref(), tenant, kari, admin, &[]).await, Err(Refusal::OpenBalance { ore: 125_000 }));
    let after = repo.customer_card(tenant, kari).await.unwrap();
    assert_eq!(after.customer.input, before.customer.input);
    assert_eq!(after.contact_persons, before.contact_persons);
    assert_eq!(repo.customer_invoices(tenant, kari).await.unwrap()[0].buyer_name, "Kari Nordmann");

    // Paid, it goes through, once.
    let invoice = repo.customer_invoices(tenant, kari).await.unwrap()[0].id;
    repo.record_payment(tenant, invoice, 125_000, "2026-12-04").await.unwrap();
    let record = anonymise(repo.as_ref(), tenant, kari, admin, &[]).await.unwrap();
    assert_eq!((record.contact_persons, record.invoices), (1, 1));
    assert!(record.consent_events >= 1);
    assert_eq!(anonymise(repo.as_ref(), tenant, kari, admin, &[]).await, Err(Refusal::AlreadyAnonymised));
    let card = repo.customer_card(tenant, kari).await.unwrap();
    assert_eq!(card.customer.display_name(), "Anonym");
    assert_eq!(card.contact_persons[0].input.name, "Anonym");
    // Another tenant cannot reach it.
    let fjellvik = repo.tenants_of(admin).await.unwrap().into_iter().find(|t| t.id != tenant).unwrap().id;
    assert!(matches!(repo.anonymise_customer(fjellvik, kari, Some(admin), &[], 0).await, Err(app::ports::RepoError::NotFound)));
}

/// Every text of every table, as one lower-case string per row, with the table's name.
async fn every_row(db: &Database) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match db {
        Database::Sqlite(r) => {
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    .fetch_all(&r.pool)
                    .await
                    .unwrap();
            for t in tables {
                use sqlx::{Row, ValueRef};
                let rows = sqlx::query(&format!("SELECT * FROM \"{t}\"")).fetch_all(&r.pool).await.unwrap();
                for row in rows {
                    let mut text = String::new();
                    for (i, _) in row.columns().iter().enumerate() {
                        let raw = row.try_get_raw(i).unwrap();
                        if raw.is_null() {
                            continue;
                        }
                        if let Ok(s) = row.try_get::<String, _>(i) {
                            text.push_str(&s);
                        } else if let Ok(b) = row.try_get::<Vec<u8>, _>(i) {
                            text.push_str(&String::from_utf8_lossy(&b));
                        }
                        text.push('|');
                    }
                    out.push((t.clone(), text.to_lowercase()));
                }
            }
        }
        Database::Postgres(r) => {
            let tables: Vec<String> = sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'").fetch_all(&r.pool).await.unwrap();
            for t in tables {
                let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT row_to_json(x)::text FROM \"{t}\" x")).fetch_all(&r.pool).await.unwrap();
                out.extend(rows.into_iter().map(|row| (t.clone(), row.to_lowercase())));
            }
        }
    }
    out
}

async fn the_canary_customer_leaves_no_trace_but_the_archive_and_unredacted_text(backend: Backend) {
    let (db, url) = demo_at(backend).await;
    let (repo, tenant, admin) = nordlys(&db).await;
    let input = CustomerInput {
        kind: CustomerKind::Private,
        customer_number: "77001".into(),
        first_name: format!("{CANARY}fornavn"),
        last_name: format!("{CANARY}etternavn"),
        address_line: format!("{CANARY}veien 1"),
        postal_code: "0150".into(),
        city: format!("{CANARY}by"),
        email: format!("{CANARY}@example.no"),
        phone: format!("+47 {CANARY_PHONE}"),
        tags: format!("{CANARY}-tag"),
        ..Default::default()
    };
    let id = repo.create_customer(tenant, &ValidCustomer::parse(&input).unwrap()).await.unwrap();
    let contact_input = ContactPersonInput {
        name: format!("{CANARY}kontakt Person"),
        position: format!("{CANARY}stilling"),
        email: format!("kontakt.{CANARY}@example.no"),
        phone: "99887755".into(),
    };
    let contact = repo.create_contact_person(tenant, id, &ValidContactPerson::parse(&contact_input).unwrap()).await.unwrap();

    // Consent given on Min Side from a browser that names itself with the canary.
    let consents = repo.customer_consents(tenant, id).await.unwrap();
    let change = ConsentChange { contact_person_id: contact, purpose_id: consents.purposes[0].id, given: true };
    let by = ConsentContext {
        actor: ConsentActor::Customer,
        staff_user: None,
        source: ConsentSource::MinSide,
        ip: Some("203.0.113.77".into()),
        user_agent: Some(format!("{CANARY}-browser")),
    };
    repo.save_consents(tenant, id, consents.consent_version, &[change], &by).await.unwrap();
    // A Min Side account with a link, a mail and login events.
    let email = contact_input.email.to_lowercase();
    let token = NewToken { kind: TokenKind::Invitation, hash: format!("{CANARY}hash"), expires_ms: i64::MAX };
    let mail = NewMail { to: email.clone(), subject: "Min Side".into(), body: format!("Hei {CANARY}kontakt") };
    repo.issue_invitation(tenant, contact, &email, &token, &mail).await.unwrap();
    let account = repo.customer_account_by_email(tenant, &email).await.unwrap().unwrap().0;
    for outcome in ["wrong_password", "password_set"] {
        let event = CustomerLoginEvent { tenant_id: tenant, email: email.clone(), account_id: Some(account.id), outcome, at_unix_ms: 1, ip: Some("203.0.113.78".into()) };
        repo.append_customer_login_event(&event).await.unwrap();
    }
    // A secret, a paid invoice, an order and notes that name the customer.
    repo.create_secret(tenant, id, &format!("{CANARY}-kode"), &[], admin, &|_| app::ports::Sealed {
        key_id: "k".into(),
        nonce: vec![0; 24],
        ciphertext: b"opaque".to_vec(),
    })
    .await
    .unwrap();
    let sale = NewSale {
        order_number: "O-77001".into(),
        invoice_number: "77001".into(),
        date: "2026-03-01".into(),
        note: format!("Leveres til {CANARY}fornavn"),
        lines: vec![SaleLine { text: format!("Pakke til {CANARY}fornavn {CANARY}etternavn"), quantity: 1, unit_price_ore: 10_000 }],
        vat_percent: 25,
    };
    let invoice = repo.record_sale(tenant, id, &sale).await.unwrap();
    repo.record_payment(tenant, invoice, 12_500, "2026-03-10").await.unwrap();
    let redacted_note = repo.add_customer_note(tenant, id, &format!("{CANARY}fornavn ringte, tlf {CANARY_PHONE}"), Some(admin)).await.unwrap();
    let kept_note = repo.add_customer_note(tenant, id, &format!("Snakket med {CANARY}fornavn om noe annet"), Some(admin)).await.unwrap();
    let task = repo.add_customer_task(tenant, id, &format!("Følg opp {CANARY}etternavn"), None).await.unwrap();

    // The preview's mentions: every free text that names the customer.
    let n = needles(
        [input.first_name.as_str(), input.last_name.as_str(), contact_input.name.as_str()],
        [input.email.as_str(), contact_input.email.as_str()],
        [input.phone.as_str(), contact_input.phone.as_str()],
    );
    let mentions = find_mentions(&n, &repo.tenant_free_texts(tenant).await.unwrap());
    let places: Vec<(TextSource, i64)> = mentions.iter().map(|m| (m.source, m.id)).collect();
    assert!(places.contains(&(TextSource::Note, redacted_note)) && places.contains(&(TextSource::Note, kept_note)));
    assert!(places.contains(&(TextSource::Task, task)));
    for source in [TextSource::Order, TextSource::OrderLine, TextSource::InvoiceLine] {
        assert!(places.iter().any(|(s, _)| *s == source), "{source:?} in {places:?}");
    }
    // Staff redact every mention but those in one note.
    let redactions: Vec<Redaction> =
        mentions.iter().filter(|m| !(m.source == TextSource::Note && m.id == kept_note)).map(|m| Redaction { source: m.source, id: m.id, needle: m.needle.clone() }).collect();
    let before = every_row(&db).await.into_iter().filter(|(_, row)| row.contains(CANARY)).count();
    assert!(before >= 10, "the setup should spread the canary, found it in {before} rows");

    let record = anonymise(repo.as_ref(), tenant, id, admin, &redactions).await.unwrap();
    assert_eq!((record.contact_persons, record.consent_events, record.invoices), (1, 1, 1));
    assert_eq!(record.redactions, redactions.len() as i64);

    let left: Vec<(String, String)> = every_row(&db).await.into_iter().filter(|(_, row)| row.contains(CANARY) || row.contains(CANARY_PHONE)).collect();
    let tables: Vec<&str> = left.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tables.iter().filter(|t| **t == "invoice_archive").count(), 1, "{left:#?}");
    assert_eq!(tables.iter().filter(|t| **t == "customer_notes").count(), 1, "{left:#?}");
    assert_eq!(left.len(), 2, "canary left in: {left:#?}");
    assert!(left.iter().any(|(t, row)| t == "customer_notes" && row.contains("snakket med")));

    // What the card, the search and an invoice copy show now.
    let card = repo.customer_card(tenant, id).await.unwrap();
    assert_eq!(card.customer.input.first_name, "Anonym");
    assert_eq!((card.customer.input.email.as_str(), card.customer.input.phone.as_str(), card.customer.input.city.as_str()), ("", "", ""));
    assert!(repo.search_customers(tenant, &["77001".to_string()], 5, 0).await.unwrap().is_empty());
    assert!(repo.search_customers(tenant, &[CANARY.to_string()], 5, 0).await.unwrap().is_empty());
    assert_eq!(repo.customer_invoices(tenant, id).await.unwrap()[0].buyer_name, "Anonym");
    assert!(repo.customer_account(account.id).await.unwrap().is_none());
    // The consent history keeps its dates and counts.
    let events = repo.consent_events(tenant, &Default::default()).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.customer_number == "77001").count(), 1);

    // SQLite: not a byte of the file still holds what went, once the WAL is checkpointed into
    // it (deleted and overwritten content is zeroed: `secure_delete`). The archive and the
    // note kept hold the first and last name, so the check is for what only those fields
    // that went ever held.
    repo.search_index_settled().await.unwrap();
    if let Database::Sqlite(r) = &db {
        sqlx::query("INSERT INTO customer_search (customer_search, rank) VALUES ('integrity-check', 0)").execute(&r.pool).await.unwrap();
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&r.pool).await.unwrap();
        assert_eq!(busy, 0, "the checkpoint could not finish");
        let path = url.strip_prefix("sqlite://").unwrap();
        let mut bytes = std::fs::read(path).unwrap();
        bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
        let gone = [
            format!("{CANARY}-tag"),
            format!("{CANARY}stilling"),
            format!("{CANARY}kontakt"),
            format!("{CANARY}-browser"),
            format!("{CANARY}-kode"),
            format!("{CANARY}hash"),
            format!("{CANARY}fornavn ringte"),
            format!("Følg opp {CANARY}"),
            CANARY_PHONE.to_string(),
        ];
        let found: Vec<&String> = gone.iter().filter(|g| bytes.windows(g.len()).any(|w| w == g.as_bytes())).collect();
        assert!(found.is_empty(), "still in the database file: {found:?}");
        // The check can fail: what was kept (the archived address) is found.
        let kept = format!("{CANARY}veien");
        assert!(bytes.windows(kept.len()).any(|w| w == kept.as_bytes()));
    }
}

both_databases!(an_open_balance_refuses_and_changes_nothing, the_canary_customer_leaves_no_trace_but_the_archive_and_unredacted_text);

/// The archive keeps the invoices as issued, unchangeable, until the end of their retention;
/// the purge removes exactly those whose retention has ended, and records that it did.
async fn the_archive_keeps_invoices_as_issued_until_their_retention_ends(backend: Backend) {
    let (db, repo, tenant, admin) = demo(backend).await;
    let input = CustomerInput {
        kind: CustomerKind::Private,
        customer_number: "78001".into(),
        first_name: "Gunnar".into(),
        last_name: "Gammelkunde".into(),
        address_line: "Arkivveien 5".into(),
        postal_code: "5003".into(),
        city: "Bergen".into(),
        ..Default::default()
    };
    let id = repo.create_customer(tenant, &ValidCustomer::parse(&input).unwrap()).await.unwrap();
    let mut invoices = Vec::new();
    for (number, date) in [("78001", "2019-05-01"), ("78002", "2025-02-01")] {
        let sale = NewSale {
            order_number: format!("O-{number}"),
            invoice_number: number.into(),
            date: date.into(),
            note: String::new(),
            lines: vec![SaleLine { text: "Ski til Gunnar Gammelkunde".into(), quantity: 2, unit_price_ore: 50_000 }],
            vat_percent: 25,
        };
        let invoice = repo.record_sale(tenant, id, &sale).await.unwrap();
        repo.record_payment(tenant, invoice, 125_000, date).await.unwrap();
        invoices.push(invoice);
    }
    // The line names the customer; staff redact it on the invoice, the archive keeps it.
    let line = repo.tenant_free_texts(tenant).await.unwrap().into_iter().find(|t| t.source == TextSource::InvoiceLine && t.customer_id == id).unwrap();
    let redaction = Redaction { source: TextSource::InvoiceLine, id: line.id, needle: "Gunnar Gammelkunde".into() };
    assert!(repo.invoice_archive(tenant).await.unwrap().is_empty());
    anonymise(repo.as_ref(), tenant, id, admin, &[redaction]).await.unwrap();

    let archive = repo.invoice_archive(tenant).await.unwrap();
    let listed: Vec<(&str, &str, &str)> = archive.iter().map(|a| (a.invoice_number.as_str(), a.buyer_name.as_str(), a.retain_until.as_str())).collect();
    assert_eq!(listed, [("78002", "Gunnar Gammelkunde", "2030-12-31"), ("78001", "Gunnar Gammelkunde", "2024-12-31")]);
    let (customer, issued) = repo.archived_invoice_copy(tenant, invoices[0]).await.unwrap();
    assert_eq!((customer, issued.customer_number.as_str(), issued.buyer_address.as_str(), issued.buyer_city.as_str()), (id, "78001", "Arkivveien 5", "Bergen"));
    assert_eq!(issued.lines[0].text, "Ski til Gunnar Gammelkunde");
    assert_eq!((issued.net_ore, issued.vat_ore), (100_000, 25_000));
    // The copy staff print from the card is anonymous, its line redacted.
    let (_, now) = repo.invoice_copy(tenant, invoices[0]).await.unwrap();
    assert_eq!((now.buyer_name.as_str(), now.lines[0].text.contains("Gammelkunde")), ("Anonym", false));
    // Another tenant has no such archived invoice.
    let fjellvik = repo.tenants_of(admin).await.unwrap().into_iter().find(|t| t.id != tenant).unwrap().id;
    assert!(matches!(repo.archived_invoice_copy(fjellvik, invoices[0]).await, Err(app::ports::RepoError::NotFound)));
    assert!(repo.invoice_archive(fjellvik).await.unwrap().is_empty());

    // The database itself refuses to change an archived invoice or to drop one still kept.
    assert!(execute(&db, "UPDATE invoice_archive SET buyer_name = 'X'").await.is_err());
    assert!(execute(&db, &format!("DELETE FROM invoice_archive WHERE invoice_id = {}", invoices[1])).await.is_err());

    let today = app::domain::utc_date(server::auth::now_ms());
    assert_eq!(repo.purge_invoice_archive(&today, server::auth::now_ms()).await.unwrap(), [(tenant, 1)]);
    let left: Vec<String> = repo.invoice_archive(tenant).await.unwrap().into_iter().map(|a| a.invoice_number).collect();
    assert_eq!(left, ["78002"]);
    assert!(matches!(repo.archived_invoice_copy(tenant, invoices[0]).await, Err(app::ports::RepoError::NotFound)));
    // The invoice itself stays in the books, anonymous.
    assert_eq!(repo.invoice_copy(tenant, invoices[0]).await.unwrap().1.buyer_name, "Anonym");
    assert!(repo.purge_invoice_archive(&today, server::auth::now_ms()).await.unwrap().is_empty());
    // Each purge is recorded, and the record stays.
    assert!(execute(&db, "DELETE FROM invoice_archive_purges").await.is_err());
    assert_eq!(execute(&db, &format!("UPDATE tenants SET name = name WHERE id = {tenant} AND EXISTS (SELECT 1 FROM invoice_archive_purges WHERE invoices = 1)")).await.unwrap(), 1);
}

both_databases!(the_archive_keeps_invoices_as_issued_until_their_retention_ends);

/// A sale recorded while the customer is being anonymised: either the sale comes first (and the
/// anonymisation is refused for the new balance) or the anonymisation does (and the invoice is to
/// "Anonym"). Never an anonymised customer with an invoice that names them.
async fn a_sale_racing_an_anonymisation_never_leaves_it_half_done(backend: Backend) {
    let (_db, repo, tenant, admin) = demo(backend).await;
    let mut outcomes = (0, 0);
    for round in 0..12 {
        let input = CustomerInput {
            kind: CustomerKind::Private,
            customer_number: format!("8800{round}"),
            first_name: "Rask".into(),
            last_name: format!("Kappløper{round}"),
            ..Default::default()
        };
        let id = repo.create_customer(tenant, &ValidCustomer::parse(&input).unwrap()).await.unwrap();
        let sale = NewSale {
            order_number: format!("R-{round}"),
            invoice_number: format!("R-{round}"),
            date: "2026-12-05".into(),
            note: String::new(),
            lines: vec![SaleLine { text: "Vare".into(), quantity: 1, unit_price_ore: 1_000 }],
            vat_percent: 25,
        };
        let (a, s) = (repo.clone(), repo.clone());
        let anonymising = tokio::spawn(async move { a.anonymise_customer(tenant, id, Some(admin), &[], server::auth::now_ms()).await.unwrap() });
        let selling = tokio::spawn(async move { s.record_sale(tenant, id, &sale).await.unwrap() });
        let (anonymised, _) = (anonymising.await.unwrap(), selling.await.unwrap());
        let card = repo.customer_card(tenant, id).await.unwrap();
        let invoice = &repo.customer_invoices(tenant, id).await.unwrap()[0];
        match anonymised {
            Ok(_) => {
                outcomes.0 += 1;
                assert_eq!((card.customer.input.first_name.as_str(), card.customer.input.last_name.as_str()), ("Anonym", ""));
                assert_eq!(invoice.buyer_name, "Anonym", "round {round}: an invoice names an anonymised customer");
            }
            Err(Refusal::OpenBalance { ore: 1_250 }) => {
                outcomes.1 += 1;
                assert_eq!(card.customer.input.last_name, format!("Kappløper{round}"));
                assert_eq!(invoice.buyer_name, format!("Rask Kappløper{round}"));
            }
            Err(other) => panic!("round {round}: {other:?}"),
        }
    }
    assert_eq!(outcomes.0 + outcomes.1, 12);
}

both_databases!(a_sale_racing_an_anonymisation_never_leaves_it_half_done);
