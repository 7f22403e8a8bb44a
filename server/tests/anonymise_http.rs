//! Anonymisering through the real HTTP stack, on SQLite and on PostgreSQL: the preview, the
//! refusal with the amount, the typed confirmation, redactions only where the preview found a
//! mention, the right, and the access-log entry.

mod common;

use app::domain::access::Permission;
use app::domain::anonymise::{AnonymisationPreview, AnonymisationRecord, Redaction, TextSource};
use app::domain::FieldError;
use app::error::ApiError;
use app::model::*;
use common::{Backend, Client, TestApp};
use serde_json::json;

const NORDLYS: &str = "Nordlys Regnskap AS";


async fn preview(client: &Client, id: CustomerId) -> Result<AnonymisationPreview, ApiError> {
    client.call("load_anonymisation_preview", &[("customer_id", &id.to_string())]).await
}

async fn anonymise(client: &Client, id: CustomerId, confirm: &str, redactions: &[Redaction]) -> Result<AnonymisationRecord, ApiError> {
    client.call_json("anonymise_customer", json!({ "customer_id": id, "confirm": confirm, "redactions": redactions })).await
}

async fn a_customer_is_previewed_confirmed_and_anonymised(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    let (ola, kari) = (admin.customer_id("10001").await, admin.customer_id("10002").await);

    // Kari owes: the preview says so, and so does the refusal, with the amount.
    let owing = preview(&admin, kari).await.unwrap();
    assert_eq!(owing.open_balance_ore, 125_000);
    assert_eq!(owing.contact_persons, ["Kari Nordmann"]);
    let sources: Vec<TextSource> = owing.mentions.iter().map(|m| m.mention.source).collect();
    for s in [TextSource::Note, TextSource::Task, TextSource::Order] {
        assert!(sources.contains(&s), "{s:?} in {sources:?}");
    }
    assert_eq!(anonymise(&admin, kari, "10002", &[]).await, Err(ApiError::OpenBalance { ore: 125_000 }));

    // Ola has paid. The number must be typed; a redaction must be one the preview found.
    let paid = preview(&admin, ola).await.unwrap();
    assert_eq!((paid.refusal, paid.invoices), (None, 1));
    assert!(paid.fields.contains(&"email".to_string()) && paid.fields.contains(&"phone".to_string()));
    assert_eq!(anonymise(&admin, ola, "10002", &[]).await, Err(ApiError::invalid("confirm", FieldError::Mismatch)));
    let someone_elses = Redaction { source: TextSource::Note, id: owing.mentions[0].mention.id, needle: "Kari".into() };
    assert_eq!(anonymise(&admin, ola, "10001", &[someone_elses]).await, Err(ApiError::invalid("redactions", FieldError::InvalidCode)));
    // Without the right: refused.
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    assert_eq!(preview(&staff, ola).await, Err(ApiError::MissingRight(Permission::Anonymise)));
    assert_eq!(anonymise(&staff, ola, "10001", &[]).await, Err(ApiError::MissingRight(Permission::Anonymise)));

    // Before: the invoice copy names Ola.
    let invoices: Vec<InvoiceSummary> = admin.call("load_customer_invoices", &[("customer_id", &ola.to_string())]).await.unwrap();
    let invoice = invoices[0].id.to_string();
    let before: InvoiceCopy = admin.call("load_invoice_copy", &[("invoice_id", &invoice)]).await.unwrap();
    assert_eq!((before.buyer_name.as_str(), before.buyer_city.as_str()), ("Ola Nordmann", "Oslo"));
    let pdf_path = format!("/eksport/fakturakopi.pdf?faktura={invoice}");
    let (status, pdf) = admin.pdf_text(&pdf_path).await;
    assert_eq!(status, 200);
    for expected in ["Fakturakopi", "Ola Nordmann", "Oslo", &format!("Faktura {}", before.invoice_number)] {
        assert!(pdf.contains(expected), "{expected} missing from:\n{pdf}");
    }

    let record = anonymise(&admin, ola, " 10001 ", &[]).await.unwrap();
    // After: "Anonym" in every buyer field of a copy; the amounts as they were.
    let after: InvoiceCopy = admin.call("load_invoice_copy", &[("invoice_id", &invoice)]).await.unwrap();
    let buyer = [&after.buyer_name, &after.buyer_address, &after.buyer_postal_code, &after.buyer_city, &after.buyer_org_no, &after.buyer_email];
    assert!(buyer.iter().all(|f| f.as_str() == "Anonym"), "{after:?}");
    assert_eq!((after.net_ore + after.vat_ore, after.lines.len()), (before.net_ore + before.vat_ore, 1));
    let (_, pdf) = admin.pdf_text(&pdf_path).await;
    assert!(pdf.contains("Anonym") && !pdf.contains("Nordmann") && !pdf.contains("Oslo"), "{pdf}");
    // The total as printed; a reader may turn the no-break space between thousands into a space.
    let total = app::domain::anonymise::format_nok(after.net_ore + after.vat_ore).replace('\u{a0}', " ");
    assert!(pdf.replace('\u{a0}', " ").contains(&format!("{total} kr")), "{total} missing from:\n{pdf}");
    // Another tenant's administrator does not reach the invoice.
    let fjellvik = app.staff_in("admin@demo.no", "Fjellvik Sport AS").await;
    assert_eq!(fjellvik.call::<InvoiceCopy>("load_invoice_copy", &[("invoice_id", &invoice)]).await, Err(ApiError::NotFound));
    assert_eq!(fjellvik.pdf_text(&pdf_path).await, (404, String::new()));
    assert_eq!(app.client().pdf_text(&pdf_path).await, (401, String::new()));
    assert_eq!((record.contact_persons, record.invoices), (1, 1));
    let card: CustomerCard = admin.call("load_customer_card", &[("id", &ola.to_string())]).await.unwrap();
    assert_eq!(card.customer.display_name(), "Anonym");
    let found: SearchPage = admin.call("search_customers", &[("query", "Nordmann"), ("page", "0")]).await.unwrap();
    assert_eq!(found.hits.iter().map(|h| h.customer_number.as_str()).collect::<Vec<_>>(), ["10002"]);
    assert_eq!(anonymise(&admin, ola, "10001", &[]).await, Err(ApiError::Conflict));

    // The archive keeps the invoice as issued, for the bookkeeping right only.
    let archive: Vec<ArchivedInvoice> = admin.call("load_invoice_archive", &[]).await.unwrap();
    let archived = archive.iter().find(|a| a.id == invoices[0].id).unwrap();
    assert_eq!((archived.buyer_name.as_str(), archived.customer_number.as_str()), ("Ola Nordmann", "10001"));
    let issued: InvoiceCopy = admin.call("load_archived_invoice", &[("invoice_id", &invoice)]).await.unwrap();
    assert_eq!((issued.buyer_name.as_str(), issued.buyer_city.as_str(), issued.net_ore), ("Ola Nordmann", "Oslo", before.net_ore));
    assert_eq!(staff.call::<Vec<ArchivedInvoice>>("load_invoice_archive", &[]).await, Err(ApiError::MissingRight(Permission::Bookkeeping)));
    assert_eq!(staff.call::<InvoiceCopy>("load_archived_invoice", &[("invoice_id", &invoice)]).await, Err(ApiError::MissingRight(Permission::Bookkeeping)));
    assert_eq!(fjellvik.call::<InvoiceCopy>("load_archived_invoice", &[("invoice_id", &invoice)]).await, Err(ApiError::NotFound));

    // The access log says who anonymised which customer, and nothing more.
    let me: Me = admin.call("whoami", &[]).await.unwrap();
    let log = app.db.repository().access_entries(me.tenant.unwrap().id).await.unwrap();
    let entry = log.iter().find(|e| e.action == "customer_anonymised").unwrap();
    assert_eq!((entry.customer_id, entry.object.clone()), (Some(ola), Some(format!("record:{}", record.id))));
    // Two copies on screen, two as PDF.
    assert_eq!(log.iter().filter(|e| e.action == "invoice_copy_printed").count(), 4);
    let read = log.iter().find(|e| e.action == "invoice_archive_read").unwrap();
    assert_eq!((read.customer_id, read.object.clone()), (Some(ola), Some(format!("invoice:{invoice}"))));
}

both_databases!(a_customer_is_previewed_confirmed_and_anonymised);

/// Automatisk anonymisering: the rule is checked beside its field, needs its rights, previews
/// whom it reaches (quiet long enough, nothing owed), and runs in batches until none is left.
async fn the_retention_rule_is_saved_previewed_and_run_in_batches(backend: Backend) {
    use app::domain::anonymise::InactivityYears;
    let app = TestApp::spawn(backend).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    let me: Me = admin.call("whoami", &[]).await.unwrap();
    let tenant = me.tenant.unwrap().id;
    assert_eq!(admin.call::<Option<u32>>("load_retention_rule", &[]).await, Ok(None));
    assert_eq!(admin.call::<RetentionBatch>("run_retention_batch", &[]).await, Err(ApiError::invalid("years", FieldError::Required)));
    let out_of_range = FieldError::OutOfRange { min: InactivityYears::MIN, max: InactivityYears::MAX };
    assert_eq!(admin.call::<Option<u32>>("save_retention_rule", &[("years", "31")]).await, Err(ApiError::invalid("years", out_of_range)));
    assert_eq!(admin.call::<RetentionPreview>("preview_retention_rule", &[("years", "fem")]).await, Err(ApiError::invalid("years", out_of_range)));
    assert_eq!(staff.call::<Option<u32>>("save_retention_rule", &[("years", "5")]).await, Err(ApiError::MissingRight(Permission::Anonymise)));

    // Beside the demo's three quiet customers, 27 more, and one quiet customer who still owes.
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
    let batch: Vec<_> = (0..28).map(|n| server::seed::generated_customer(&mut rng, 60_000 + n)).collect();
    app.db.seeder().insert_customers(tenant, &batch).await.unwrap();
    for table in ["customers", "contact_persons"] {
        let sql = format!(
            "UPDATE {table} SET created_ms = 1500000000000, updated_ms = 1500000000000 WHERE tenant_id = {tenant} AND {} IN \
             (SELECT id FROM customers WHERE tenant_id = {tenant} AND customer_number LIKE '600%')",
            if table == "customers" { "id" } else { "customer_id" }
        );
        common::execute(&app.db, &sql).await.unwrap();
    }
    let owing = admin.customer_id("60027").await;
    let sale = NewSale {
        order_number: "O-60027".into(),
        invoice_number: "60027".into(),
        date: "2017-05-01".into(),
        note: String::new(),
        lines: vec![SaleLine { text: "Ubetalt".into(), quantity: 1, unit_price_ore: 10_000 }],
        vat_percent: 25,
    };
    app.db.repository().record_sale(tenant, owing, &sale).await.unwrap();

    let preview: RetentionPreview = admin.call("preview_retention_rule", &[("years", "5")]).await.unwrap();
    assert_eq!((preview.years, preview.count, preview.first.len()), (5, 30, 20));
    assert!(!preview.first.iter().any(|c| c.customer_number == "60027"), "{preview:?}");
    let sigrid = preview.first.iter().find(|c| c.customer_number == "50001").unwrap();
    assert_eq!(sigrid.name, "Sigrid Sovesen");
    // Ten years reaches only those quiet since before 2017.
    let ten: RetentionPreview = admin.call("preview_retention_rule", &[("years", "10")]).await.unwrap();
    assert_eq!(ten.count, 0);

    assert_eq!(admin.call::<Option<u32>>("save_retention_rule", &[("years", " 5 ")]).await, Ok(Some(5)));
    assert_eq!(staff.call::<RetentionBatch>("run_retention_batch", &[]).await, Err(ApiError::MissingRight(Permission::Anonymise)));
    let first: RetentionBatch = admin.call("run_retention_batch", &[]).await.unwrap();
    assert_eq!((first.anonymised, first.skipped, first.remaining), (25, 0, 5));
    let second: RetentionBatch = admin.call("run_retention_batch", &[]).await.unwrap();
    assert_eq!((second.anonymised, second.remaining), (5, 0));
    let card: CustomerCard = admin.call("load_customer_card", &[("id", &sigrid.id.to_string())]).await.unwrap();
    assert_eq!(card.customer.display_name(), "Anonym");
    let card: CustomerCard = admin.call("load_customer_card", &[("id", &owing.to_string())]).await.unwrap();
    assert_ne!(card.customer.display_name(), "Anonym");

    let log = app.db.repository().access_entries(tenant).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "customer_anonymised" && e.object.as_deref().is_some_and(|o| o.ends_with("rule:5y"))).count(), 30);
    assert!(log.iter().any(|e| e.action == "client_settings_changed" && e.object.as_deref() == Some("anonymise_after_years:5")));
    // Emptied, the rule is gone.
    assert_eq!(admin.call::<Option<u32>>("save_retention_rule", &[("years", "")]).await, Ok(None));
    assert_eq!(admin.call::<Option<u32>>("load_retention_rule", &[]).await, Ok(None));
}

/// `anonymise-inactive` as the daily timer runs it: every client's rule, no user.
fn anonymise_inactive_command(app: &TestApp, dry_run: bool) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command.arg("anonymise-inactive").env("DATABASE_URL", &app.url).env("RUST_LOG", "error");
    if dry_run {
        command.arg("--dry-run");
    }
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn the_command_runs_each_clients_rule_without_a_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert!(anonymise_inactive_command(&app, true).contains("No client has a retention rule"));
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    admin.call::<Option<u32>>("save_retention_rule", &[("years", "5")]).await.unwrap();
    let tenant: Me = admin.call("whoami", &[]).await.unwrap();
    let tenant = tenant.tenant.unwrap().id;

    let dry = anonymise_inactive_command(&app, true);
    assert!(dry.contains(&format!("tenant {tenant}: 3 customers with no activity since")), "{dry}");
    assert_eq!(common::count(&app.db, "SELECT COUNT(*) FROM anonymisations").await, 0, "a dry run changes nothing");

    let run = anonymise_inactive_command(&app, false);
    assert!(run.contains(&format!("tenant {tenant}: anonymised 3 customers inactive since")), "{run}");
    let by_nobody = format!(
        "SELECT COUNT(*) FROM anonymisations a JOIN customers c ON c.id = a.customer_id \
         WHERE a.tenant_id = {tenant} AND a.by_user IS NULL AND c.customer_number IN ('50001', '50002', '50003')"
    );
    assert_eq!(common::count(&app.db, &by_nobody).await, 3);
    // The next day's run finds nobody left.
    assert!(anonymise_inactive_command(&app, false).contains(&format!("tenant {tenant}: anonymised 0 customers")));
    assert!(anonymise_inactive_command(&app, true).contains(&format!("tenant {tenant}: 0 customers")));
}

both_databases!(the_retention_rule_is_saved_previewed_and_run_in_batches, the_command_runs_each_clients_rule_without_a_user);
