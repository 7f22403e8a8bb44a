//! The repository contract, run against SQLite and PostgreSQL alike.

mod common;

use app::forms::{ValidContactPerson, ValidCustomer};
use app::model::{ContactPersonInput, CustomerInput, CustomerKind};
use app::ports::{LoginEvent, LoginOutcome, RepoError};
use common::{fresh_database, Backend};
use server::db::Database;

fn person(number: &str, first: &str, last: &str, email: &str, phone: &str) -> ValidCustomer {
    ValidCustomer::parse(&CustomerInput {
        kind: CustomerKind::Private,
        customer_number: number.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        phone: phone.into(),
        ..Default::default()
    })
    .unwrap()
}

fn company(number: &str, name: &str, org_no: &str) -> ValidCustomer {
    ValidCustomer::parse(&CustomerInput {
        kind: CustomerKind::Business,
        customer_number: number.into(),
        company_name: name.into(),
        org_no: org_no.into(),
        ..Default::default()
    })
    .unwrap()
}

fn terms(q: &str) -> Vec<String> {
    app::domain::search_terms(q)
}

async fn numbers(db: &Database, tenant: i64, q: &str) -> Vec<String> {
    db.repository()
        .search_customers(tenant, &terms(q), 50, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.customer_number)
        .collect()
}

async fn search_matches_prefixes_of_every_field_within_the_tenant(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let seed = db.seeder();
    let a = seed.create_tenant("A").await.unwrap();
    let b = seed.create_tenant("B").await.unwrap();
    seed.insert_customers(
        a,
        &[
            (person("1001", "Ola", "Nordmann", "ola@example.no", "912 34 567"), vec![]),
            (person("1002", "Åse", "Ødegård", "ase@fjord.no", "+46 70 123 45 67"), vec![]),
            (person("1003", "Aase", "Odegard", "", ""), vec![]),
            (company("2001", "Ærlig Bakeri AS", "923609016"), vec![]),
        ],
    )
    .await
    .unwrap();
    seed.insert_customers(b, &[(person("1001", "Ola", "Nordmann", "ola@b.no", "912 34 567"), vec![])]).await.unwrap();

    assert_eq!(numbers(&db, a, "nord").await, ["1001"]);
    assert_eq!(numbers(&db, a, "NORDMANN ola").await, ["1001"]);
    assert_eq!(numbers(&db, a, "1002").await, ["1002"]);
    assert_eq!(numbers(&db, a, "9123").await, ["1001"]);
    assert_eq!(numbers(&db, a, "912 34 5").await, ["1001"]);
    assert_eq!(numbers(&db, a, "ase@fj").await, ["1002"]);
    assert_eq!(numbers(&db, a, "92360").await, ["2001"]);
    assert_eq!(numbers(&db, a, "ærl").await, ["2001"]);
    // å, ø and æ are letters of their own in Norwegian, not accented a, o and ae.
    assert_eq!(numbers(&db, a, "ødeg").await, ["1002"]);
    assert_eq!(numbers(&db, a, "odeg").await, ["1003"]);
    assert_eq!(numbers(&db, a, "Å").await, ["1002"]);
    assert!(numbers(&db, a, "finnesikke").await.is_empty());
    // The other tenant's Ola is never among A's hits, and the reverse.
    assert_eq!(numbers(&db, b, "ola").await, ["1001"]);
    assert_eq!(numbers(&db, b, "").await.len(), 1);
    assert_eq!(numbers(&db, a, "").await.len(), 4);
}

async fn search_pages_in_name_order(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let t = db.seeder().create_tenant("T").await.unwrap();
    let batch: Vec<_> = (0..25).map(|i| (person(&format!("{}", 100 + i), "Test", &format!("Hansen{:02}", 24 - i), "", ""), vec![])).collect();
    db.seeder().insert_customers(t, &batch).await.unwrap();
    let repo = db.repository();
    let first = repo.search_customers(t, &terms("hansen"), 10, 0).await.unwrap();
    let third = repo.search_customers(t, &terms("hansen"), 10, 20).await.unwrap();
    assert_eq!(first.len(), 10);
    assert_eq!(third.len(), 5);
    assert_eq!(first[0].display_name, "Test Hansen00");
    assert_eq!(third[4].display_name, "Test Hansen24");
}

async fn updates_check_the_version_and_reindex(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let t = db.seeder().create_tenant("T").await.unwrap();
    let other = db.seeder().create_tenant("U").await.unwrap();
    let repo = db.repository();
    let id = repo.create_customer(t, &person("1", "Kari", "Nordmann", "", "")).await.unwrap();
    let v2 = repo.update_customer(t, id, 1, &person("1", "Kari", "Sørby", "", "")).await.unwrap();
    assert_eq!(v2, 2);
    assert!(matches!(repo.update_customer(t, id, 1, &person("1", "Kari", "Berg", "", "")).await, Err(RepoError::Stale)));
    assert!(matches!(repo.update_customer(other, id, 2, &person("1", "X", "Y", "", "")).await, Err(RepoError::NotFound)));
    assert_eq!(repo.customer_card(t, id).await.unwrap().customer.input.last_name, "Sørby");
    // The search index follows the edit, also back and forth.
    assert_eq!(numbers(&db, t, "sørb").await, ["1"]);
    assert!(numbers(&db, t, "nordmann").await.is_empty());
    let v3 = repo.update_customer(t, id, 2, &person("1", "Kari", "Nordmann", "", "")).await.unwrap();
    repo.update_customer(t, id, v3, &person("1", "Kari", "Sørby", "kari@sorby.no", "")).await.unwrap();
    assert_eq!(numbers(&db, t, "sørb").await, ["1"]);
    assert_eq!(numbers(&db, t, "kari@sorby").await, ["1"]);
    assert!(numbers(&db, t, "nordmann").await.is_empty());
    if let Database::Sqlite(r) = &db {
        // What the index holds agrees with itself after the deletes.
        sqlx::query("INSERT INTO customer_search (customer_search, rank) VALUES ('integrity-check', 0)").execute(&r.pool).await.unwrap();
    }

    repo.create_customer(t, &person("2", "Per", "Berg", "", "")).await.unwrap();
    assert!(matches!(repo.create_customer(t, &person("2", "Pål", "Berg", "", "")).await, Err(RepoError::Duplicate("customer_number"))));
    assert!(repo.create_customer(other, &person("2", "Pål", "Berg", "", "")).await.is_ok(), "numbers are unique per tenant only");
}

async fn contact_persons_belong_to_a_customer_of_the_tenant(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let t = db.seeder().create_tenant("T").await.unwrap();
    let other = db.seeder().create_tenant("U").await.unwrap();
    let repo = db.repository();
    let customer = repo.create_customer(t, &company("1", "Fjord AS", "923609016")).await.unwrap();
    let contact = |name: &str| ValidContactPerson::parse(&ContactPersonInput { name: name.into(), ..Default::default() }).unwrap();
    let id = repo.create_contact_person(t, customer, &contact("Ingrid")).await.unwrap();
    assert!(matches!(repo.create_contact_person(other, customer, &contact("Inntrenger")).await, Err(RepoError::NotFound)));
    assert_eq!(repo.update_contact_person(t, id, 1, &contact("Ingrid Berg")).await.unwrap(), 2);
    assert!(matches!(repo.update_contact_person(t, id, 1, &contact("Gammel")).await, Err(RepoError::Stale)));
    assert!(matches!(repo.update_contact_person(other, id, 2, &contact("Inntrenger")).await, Err(RepoError::NotFound)));
    let card = repo.customer_card(t, customer).await.unwrap();
    assert_eq!(card.contact_persons.len(), 1);
    assert_eq!(card.contact_persons[0].input.name, "Ingrid Berg");
    assert!(matches!(repo.customer_card(other, customer).await, Err(RepoError::NotFound)));
}

async fn the_login_log_counts_failures_since_the_last_success_and_cannot_be_rewritten(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let repo = db.repository();
    let event = |outcome, at| LoginEvent { email: "a@b.no".into(), user_id: None, outcome, at_unix_ms: at, ip: Some("127.0.0.1".into()) };
    for (outcome, at) in [
        (LoginOutcome::WrongPassword, 100),
        (LoginOutcome::Succeeded, 200),
        (LoginOutcome::WrongPassword, 300),
        (LoginOutcome::Locked, 350),
        (LoginOutcome::UnknownEmail, 400),
    ] {
        repo.append_login_event(&event(outcome, at)).await.unwrap();
    }
    assert_eq!(repo.failures_since("a@b.no", 0).await.unwrap(), [300, 400]);
    assert_eq!(repo.failures_since("a@b.no", 350).await.unwrap(), [400]);
    assert!(repo.failures_since("other@b.no", 0).await.unwrap().is_empty());

    let (update, delete) = match &db {
        Database::Sqlite(r) => (
            sqlx::query("UPDATE staff_login_events SET outcome = 'succeeded'").execute(&r.pool).await.is_err(),
            sqlx::query("DELETE FROM staff_login_events").execute(&r.pool).await.is_err(),
        ),
        Database::Postgres(r) => (
            sqlx::query("UPDATE staff_login_events SET outcome = 'succeeded'").execute(&r.pool).await.is_err(),
            sqlx::query("DELETE FROM staff_login_events").execute(&r.pool).await.is_err(),
        ),
    };
    assert!(update && delete, "the login log is append-only");
}

async fn sqlite_runs_wal_with_full_sync(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    if let Database::Sqlite(r) = &db {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&r.pool).await.unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&r.pool).await.unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2));
    }
}

async fn concurrent_writers_wait_instead_of_failing(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let t = db.seeder().create_tenant("T").await.unwrap();
    let repo = db.repository();
    let writers = (0..16).map(|i| {
        let repo = repo.clone();
        tokio::spawn(async move { repo.create_customer(t, &person(&format!("{i}"), "Sam", "Tidig", "", "")).await })
    });
    for w in writers {
        w.await.unwrap().unwrap();
    }
    assert_eq!(db.seeder().customer_count(t).await.unwrap(), 16);
}

async fn a_membership_is_read_for_one_tenant_only(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let seed = db.seeder();
    let a = seed.create_tenant("A").await.unwrap();
    let b = seed.create_tenant("B").await.unwrap();
    let user = seed.ensure_staff("kari@a.no", "Kari", "hash").await.unwrap();
    seed.add_membership(user, a, app::model::Role::Admin).await.unwrap();
    let repo = db.repository();
    let found = repo.membership(user, a).await.unwrap().expect("member of A");
    assert_eq!((found.id, found.name.as_str(), found.role), (a, "A", app::model::Role::Admin));
    assert!(repo.membership(user, b).await.unwrap().is_none());
}

both_databases!(
    a_membership_is_read_for_one_tenant_only,
    search_matches_prefixes_of_every_field_within_the_tenant,
    search_pages_in_name_order,
    updates_check_the_version_and_reindex,
    contact_persons_belong_to_a_customer_of_the_tenant,
    the_login_log_counts_failures_since_the_last_success_and_cannot_be_rewritten,
    sqlite_runs_wal_with_full_sync,
    concurrent_writers_wait_instead_of_failing,
);
