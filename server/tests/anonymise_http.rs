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

async fn customer_id(client: &Client, number: &str) -> CustomerId {
    let page: SearchPage = client.call("search_customers", &[("query", number), ("page", "0")]).await.unwrap();
    page.hits.iter().find(|h| h.customer_number == number).unwrap().id
}

async fn preview(client: &Client, id: CustomerId) -> Result<AnonymisationPreview, ApiError> {
    client.call("load_anonymisation_preview", &[("customer_id", &id.to_string())]).await
}

async fn anonymise(client: &Client, id: CustomerId, confirm: &str, redactions: &[Redaction]) -> Result<AnonymisationRecord, ApiError> {
    client.call_json("anonymise_customer", json!({ "customer_id": id, "confirm": confirm, "redactions": redactions })).await
}

async fn a_customer_is_previewed_confirmed_and_anonymised(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    let (ola, kari) = (customer_id(&admin, "10001").await, customer_id(&admin, "10002").await);

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

    let record = anonymise(&admin, ola, " 10001 ", &[]).await.unwrap();
    // After: "Anonym" in every buyer field of a copy; the amounts as they were.
    let after: InvoiceCopy = admin.call("load_invoice_copy", &[("invoice_id", &invoice)]).await.unwrap();
    let buyer = [&after.buyer_name, &after.buyer_address, &after.buyer_postal_code, &after.buyer_city, &after.buyer_org_no, &after.buyer_email];
    assert!(buyer.iter().all(|f| f.as_str() == "Anonym"), "{after:?}");
    assert_eq!((after.net_ore + after.vat_ore, after.lines.len()), (before.net_ore + before.vat_ore, 1));
    // Another tenant's administrator does not reach the invoice.
    let fjellvik = app.staff_in("admin@demo.no", "Fjellvik Sport AS").await;
    assert_eq!(fjellvik.call::<InvoiceCopy>("load_invoice_copy", &[("invoice_id", &invoice)]).await, Err(ApiError::NotFound));
    assert_eq!((record.contact_persons, record.invoices), (1, 1));
    let card: CustomerCard = admin.call("load_customer_card", &[("id", &ola.to_string())]).await.unwrap();
    assert_eq!(card.customer.display_name(), "Anonym");
    let found: SearchPage = admin.call("search_customers", &[("query", "Nordmann"), ("page", "0")]).await.unwrap();
    assert_eq!(found.hits.iter().map(|h| h.customer_number.as_str()).collect::<Vec<_>>(), ["10002"]);
    assert_eq!(anonymise(&admin, ola, "10001", &[]).await, Err(ApiError::Conflict));

    // The access log says who anonymised which customer, and nothing more.
    let me: Me = admin.call("whoami", &[]).await.unwrap();
    let log = app.db.repository().access_entries(me.tenant.unwrap().id).await.unwrap();
    let entry = log.iter().find(|e| e.action == "customer_anonymised").unwrap();
    assert_eq!((entry.customer_id, entry.object.clone()), (Some(ola), Some(format!("record:{}", record.id))));
    assert_eq!(log.iter().filter(|e| e.action == "invoice_copy_printed").count(), 2);
}

both_databases!(a_customer_is_previewed_confirmed_and_anonymised);
