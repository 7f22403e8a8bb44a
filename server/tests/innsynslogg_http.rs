//! The Innsynslogg view through the real HTTP stack, on SQLite and on PostgreSQL: its filters,
//! paging, the CSV export (itself logged), and the retention period with the purge that keeps
//! the chain verifiable.

mod common;

use app::domain::FieldError;
use app::error::ApiError;
use app::model::*;
use common::{Backend, Client, TestApp};
use serde_json::{json, Value};
use server::access_log::{purge_expired, verify_tenant};

const NORDLYS: &str = "Nordlys Regnskap AS";


async fn open_card(client: &Client, number: &str) {
    let id = client.customer_id(number).await;
    let _: CustomerCard = client.call("load_customer_card", &[("id", &id.to_string())]).await.unwrap();
}

async fn log(client: &Client, filter: Value, before: Option<i64>) -> Result<AccessLogPage, ApiError> {
    client.call_json("load_access_log", json!({ "filter": filter, "before": before })).await
}

async fn set(client: &Client, months: &str) -> Result<(), ApiError> {
    client.call("set_access_log_retention", &[("months", months)]).await
}

fn today() -> String {
    let now = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", now.year(), now.month() as u8, now.day())
}

async fn the_log_is_filtered_by_user_customer_action_and_period(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    open_card(&admin, "10001").await;
    open_card(&admin, "10002").await;
    open_card(&staff, "10001").await;

    let all = log(&admin, json!({}), None).await.unwrap();
    // Newest first, with names resolved.
    assert!(all.rows.windows(2).all(|w| w[0].seq > w[1].seq));
    assert_eq!(all.retention_months, None);
    let me: Me = staff.call("whoami", &[]).await.unwrap();
    assert!(all.staff.contains(&(me.user_id, me.name.clone())));

    let by_user = log(&admin, json!({ "user": me.user_id }), None).await.unwrap();
    let actions: Vec<&str> = by_user.rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["customer_card_viewed", "staff_login"]);
    assert!(by_user.rows.iter().all(|r| r.who == me.name && !r.by_customer));

    let about_ola = log(&admin, json!({ "customer_number": "10001", "action": "customer_card_viewed" }), None).await.unwrap();
    assert_eq!(about_ola.rows.len(), 2);
    assert!(about_ola.rows.iter().all(|r| r.customer.as_deref().is_some_and(|c| c.starts_with("10001 "))));

    let cards_today = log(&admin, json!({ "action": "customer_card_viewed", "from": today(), "to": today() }), None).await.unwrap();
    assert_eq!(cards_today.rows.len(), 3);
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1)).date();
    let later = format!("{:04}-{:02}-{:02}", tomorrow.year(), tomorrow.month() as u8, tomorrow.day());
    assert!(log(&admin, json!({ "from": later }), None).await.unwrap().rows.is_empty());

    // Paging: the next page starts below the last seq shown.
    let older = log(&admin, json!({}), Some(all.rows[1].seq)).await.unwrap();
    assert_eq!(older.rows.first().map(|r| r.seq), all.rows.get(2).map(|r| r.seq));

    // Bad input names its field.
    assert_eq!(log(&admin, json!({ "from": "1. desember" }), None).await.unwrap_err(), ApiError::invalid("from", FieldError::InvalidDate));
    assert_eq!(log(&admin, json!({ "action": "drop_table" }), None).await.unwrap_err(), ApiError::invalid("action", FieldError::InvalidCode));
    // Without the Innsynslogg right: refused.
    assert_eq!(log(&staff, json!({}), None).await.unwrap_err(), ApiError::MissingRight(app::domain::access::Permission::AccessLog));
}

async fn the_export_holds_the_filtered_entries_and_is_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    open_card(&admin, "10002").await;
    let response = admin.http.get(format!("{}/eksport/innsynslogg.csv?handling=customer_card_viewed", admin.base)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let body = response.text().await.unwrap();
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("seq,at_utc,who,actor,action,customer_id,customer,details,ip"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1, "{body}");
    assert!(rows[0].contains("customer_card_viewed") && rows[0].contains("10002 Kari"), "{body}");

    let bad = admin.http.get(format!("{}/eksport/innsynslogg.csv?fra=igår", admin.base)).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    let refused = staff.http.get(format!("{}/eksport/innsynslogg.csv", staff.base)).send().await.unwrap();
    assert_eq!(refused.status(), 403);

    let exported = log(&admin, json!({ "action": "access_log_exported" }), None).await.unwrap();
    assert_eq!(exported.rows.len(), 1);
    assert_eq!(exported.rows[0].object.as_deref(), Some("bruker= kunde= handling=customer_card_viewed fra= til= rader=1"));
}

async fn a_retention_period_purges_old_entries_and_the_chain_still_holds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    open_card(&admin, "10001").await;
    let me: Me = admin.call("whoami", &[]).await.unwrap();
    let tenant = me.tenant.unwrap().id;

    // Administrators only, within the allowed range.
    assert!(set(&staff, "12").await.is_err());
    assert_eq!(set(&admin, "3").await, Err(ApiError::invalid("retention", FieldError::OutOfRange { min: 6, max: 120 })));
    set(&admin, "12").await.unwrap();
    assert_eq!(log(&admin, json!({}), None).await.unwrap().retention_months, Some(12));

    let repo = app.db.repository();
    let before = repo.access_entries(tenant).await.unwrap();
    assert!(before.len() >= 4);
    // Nothing is twelve months old yet.
    let now = server::auth::now_ms();
    assert!(purge_expired(repo.as_ref(), now).await.unwrap().is_empty());
    // Thirteen months on, everything is, but the newest entry stays to anchor the head.
    let later = now + 13 * 31 * 24 * 60 * 60 * 1000;
    let purged = purge_expired(repo.as_ref(), later).await.unwrap();
    assert_eq!(purged, vec![(tenant, before.len() - 1)]);
    let after = repo.access_entries(tenant).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].seq, before.last().unwrap().seq);
    assert_eq!(verify_tenant(repo.as_ref(), tenant).await.unwrap(), Ok(1));
    // New entries chain on; the log still verifies, and the purge is on record.
    open_card(&admin, "10002").await;
    assert_eq!(verify_tenant(repo.as_ref(), tenant).await.unwrap(), Ok(2));
    assert_eq!(repo.access_log_anchor(tenant).await.unwrap().map(|(seq, _)| seq), Some(before.last().unwrap().seq - 1));

    // Entries the purge does not cover still cannot be deleted.
    let delete = format!("DELETE FROM access_log WHERE tenant_id = {tenant}");
    let refused = match &app.db {
        server::db::Database::Sqlite(r) => sqlx::query(&delete).execute(&r.pool).await.is_err(),
        server::db::Database::Postgres(r) => sqlx::query(&delete).execute(&r.pool).await.is_err(),
    };
    assert!(refused, "the trigger let a delete of unpurged entries through");
    assert_eq!(repo.access_entries(tenant).await.unwrap().len(), 2);
}

both_databases!(
    the_log_is_filtered_by_user_customer_action_and_period,
    the_export_holds_the_filtered_entries_and_is_logged,
    a_retention_period_purges_old_entries_and_the_chain_still_holds,
);
