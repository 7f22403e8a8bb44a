//! The access log (Innsynslogg), on SQLite and on PostgreSQL: what staff and customers do leaves
//! a chained trail, and altering, removing or reordering entries is found by the verify command.

mod common;

use app::model::*;
use app::ports::{AccessAction, AccessActor, AccessEntry};
use common::{Backend, Client, TestApp, DEMO_PASSWORD};
use server::access_log::{verify_tenant, BrokenLink};
use server::db::Database;

async fn staff(app: &TestApp) -> Client {
    let client = app.client();
    client.login("ansatt@demo.no", DEMO_PASSWORD).await.unwrap();
    client
}

async fn nordlys(client: &Client) -> TenantId {
    let me: Me = client.call("whoami", &[]).await.unwrap();
    me.tenant.unwrap().id
}

async fn actions_leave_a_chained_trail_with_who_and_where(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = staff(&app).await;
    let tenant = nordlys(&client).await;
    let page: SearchPage = client.call("search_customers", &[("query", "10002"), ("page", "0")]).await.unwrap();
    let kari = page.hits[0].id;
    let _: CustomerCard = client.call("load_customer_card", &[("id", &kari.to_string())]).await.unwrap();
    let csv = client.http.get(format!("{}/eksport/samtykkehendelser.csv?fra=2026-01-01", client.base)).send().await.unwrap();
    assert_eq!(csv.status(), 200);

    let repo = app.db.repository();
    let entries = repo.access_entries(tenant).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["staff_login", "customer_card_viewed", "consent_events_exported"]);
    let card = &entries[1];
    assert_eq!((card.actor.as_str(), card.customer_id, card.ip.as_deref()), ("staff", Some(kari), Some("127.0.0.1")));
    assert!(card.staff_user_id.is_some());
    assert_eq!(entries[2].object.as_deref(), Some("fra=2026-01-01 til= formal="));
    assert_eq!(verify_tenant(repo.as_ref(), tenant).await.unwrap(), Ok(3));
    // A search reads no customer's card, and the other tenant's log is empty.
    let other = tenant + 1;
    assert!(repo.access_entries(other).await.unwrap().is_empty());
}

/// Statements an attacker with write access to the database would run: first the triggers
/// that refuse changes go, then the rows are changed.
async fn tamper(db: &Database, statements: &[String]) {
    let drops: &[&str] = match db {
        Database::Sqlite(_) => &["DROP TRIGGER access_log_no_update", "DROP TRIGGER access_log_no_delete"],
        Database::Postgres(_) => &["DROP TRIGGER access_log_append_only ON access_log", "DROP TRIGGER access_log_no_delete ON access_log"],
    };
    for sql in drops.iter().map(|s| s.to_string()).chain(statements.iter().cloned()) {
        match db {
            Database::Sqlite(r) => sqlx::query(&sql).execute(&r.pool).await.map(|_| ()),
            Database::Postgres(r) => sqlx::query(&sql).execute(&r.pool).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

async fn five_entries(backend: Backend) -> (TestApp, TenantId) {
    let app = TestApp::spawn(backend).await;
    let tenant = nordlys(&staff(&app).await).await;
    let repo = app.db.repository();
    let user = repo.staff_by_email("ansatt@demo.no").await.unwrap().unwrap().id;
    // The login above is entry 1.
    for customer in 1..=4 {
        let entry = AccessEntry {
            tenant_id: tenant,
            actor: AccessActor::Staff(user),
            action: AccessAction::CustomerCardViewed,
            customer_id: Some(customer),
            object: None,
            ip: Some("10.1.1.1".into()),
        };
        repo.append_access(&entry).await.unwrap();
    }
    assert_eq!(verify_tenant(repo.as_ref(), tenant).await.unwrap(), Ok(5));
    (app, tenant)
}

fn verify_command(app: &TestApp) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["verify-access-log"])
        .env("DATABASE_URL", &app.url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn the_log_refuses_changes_and_the_verify_command_names_the_first_broken_link(backend: Backend) {
    // Untouched, and the triggers refuse an ordinary change.
    let (app, tenant) = five_entries(backend).await;
    let (ok, out) = verify_command(&app);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("tenant {tenant}: 5 entries, the chain holds")), "{out}");
    let update = format!("UPDATE access_log SET ip = '192.0.2.1' WHERE tenant_id = {tenant} AND seq = 3");
    let refused = match &app.db {
        Database::Sqlite(r) => sqlx::query(&update).execute(&r.pool).await.is_err(),
        Database::Postgres(r) => sqlx::query(&update).execute(&r.pool).await.is_err(),
    };
    assert!(refused, "the append-only trigger lets an update through");

    // Altered.
    tamper(&app.db, &[update]).await;
    assert_eq!(verify_tenant(app.db.repository().as_ref(), tenant).await.unwrap(), Err(BrokenLink::Altered { seq: 3 }));
    let (ok, out) = verify_command(&app);
    assert!(!ok);
    assert!(out.contains(&format!("tenant {tenant}: BROKEN: entry 3 was altered")), "{out}");

    // Deleted.
    let (app, tenant) = five_entries(backend).await;
    tamper(&app.db, &[format!("DELETE FROM access_log WHERE tenant_id = {tenant} AND seq = 2")]).await;
    assert_eq!(verify_tenant(app.db.repository().as_ref(), tenant).await.unwrap(), Err(BrokenLink::Missing { seq: 2 }));
    assert!(verify_command(&app).1.contains("BROKEN: entry 2 is missing"));

    // The newest deleted: the head still remembers it.
    let (app, tenant) = five_entries(backend).await;
    tamper(&app.db, &[format!("DELETE FROM access_log WHERE tenant_id = {tenant} AND seq = 5")]).await;
    assert_eq!(
        verify_tenant(app.db.repository().as_ref(), tenant).await.unwrap(),
        Err(BrokenLink::Truncated { expected_last: 5, found_last: 4 })
    );

    // Reordered: entries 2 and 3 swap numbers.
    let (app, tenant) = five_entries(backend).await;
    tamper(
        &app.db,
        &[
            format!("UPDATE access_log SET seq = -2 WHERE tenant_id = {tenant} AND seq = 2"),
            format!("UPDATE access_log SET seq = 2 WHERE tenant_id = {tenant} AND seq = 3"),
            format!("UPDATE access_log SET seq = 3 WHERE tenant_id = {tenant} AND seq = -2"),
        ],
    )
    .await;
    assert_eq!(verify_tenant(app.db.repository().as_ref(), tenant).await.unwrap(), Err(BrokenLink::Relinked { seq: 2 }));
    assert!(verify_command(&app).1.contains("BROKEN: entry 2 does not follow entry 1"));
}

async fn concurrent_appends_make_one_unbroken_chain(backend: Backend) {
    let (app, tenant) = five_entries(backend).await;
    let repo = app.db.repository();
    let appends: Vec<_> = (0..40)
        .map(|i| {
            let repo = repo.clone();
            tokio::spawn(async move {
                let entry = AccessEntry {
                    tenant_id: tenant,
                    actor: AccessActor::Staff(1),
                    action: AccessAction::CustomerCardViewed,
                    customer_id: None,
                    object: Some(format!("n{i}")),
                    ip: None,
                };
                repo.append_access(&entry).await.unwrap();
            })
        })
        .collect();
    for a in appends {
        a.await.unwrap();
    }
    assert_eq!(verify_tenant(repo.as_ref(), tenant).await.unwrap(), Ok(45));
}

both_databases!(
    actions_leave_a_chained_trail_with_who_and_where,
    the_log_refuses_changes_and_the_verify_command_names_the_first_broken_link,
    concurrent_appends_make_one_unbroken_chain,
);
