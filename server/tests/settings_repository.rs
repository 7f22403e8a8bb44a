//! Klientinnstillinger (tab "Samtykke") persistence, run against SQLite and PostgreSQL alike.

mod common;

use app::domain::settings::{ConsentSettingsInput, RecipientInput, RecipientRole, ValidConsentSettings};
use app::forms::{ValidContactPerson, ValidCustomer};
use app::model::*;
use app::ports::{ConsentContext, ConsentEventFilter, RepoError};
use common::{fresh_database, Backend};
use server::db::Database;

fn valid(url: &str, recipients: &[&str], controller: &str) -> ValidConsentSettings {
    ValidConsentSettings::parse(&ConsentSettingsInput {
        policy_url: url.into(),
        controller_name: controller.into(),
        controller_org_no: "923609016".into(),
        controller_address: "Storgata 1, 0155 Oslo".into(),
        privacy_email: "personvern@nordlys.example.no".into(),
        recipients: recipients
            .iter()
            .map(|n| RecipientInput {
                name: (*n).into(),
                role: Some(RecipientRole::Processor),
                purpose: "Regnskap".into(),
                country: "Norge".into(),
                dpa_date: "2026-01-15".into(),
            })
            .collect(),
    })
    .unwrap()
}

async fn saves_publish_a_version_only_when_the_policy_or_recipients_change(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let seed = db.seeder();
    let tenant = seed.create_tenant("A").await.unwrap();
    let other = seed.create_tenant("B").await.unwrap();
    let admin = seed.ensure_staff("ada@a.no", "Ada Admin", "-").await.unwrap();
    let repo = db.repository();

    let empty = repo.consent_settings(tenant).await.unwrap();
    assert_eq!((empty.version, empty.published.is_none(), empty.input.recipients.len()), (0, true, 0));

    let first = repo.save_consent_settings(tenant, admin, 0, &valid("https://a.no/personvern", &["Posten Norge AS", "Regnskap AS"], "A AS")).await.unwrap();
    assert_eq!((first.version, first.policy_version), (1, Some(1)));
    let loaded = repo.consent_settings(tenant).await.unwrap();
    assert_eq!(loaded.input.policy_url, "https://a.no/personvern");
    assert_eq!(loaded.input.recipients.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Posten Norge AS", "Regnskap AS"]);
    assert_eq!(loaded.input.recipients[0].dpa_date, "2026-01-15");
    assert_eq!(loaded.input.recipients[0].role, Some(RecipientRole::Processor));
    assert_eq!(loaded.input.controller_org_no, "923609016");
    let published = loaded.published.unwrap();
    assert_eq!((published.version, published.published_by.as_deref()), (1, Some("Ada Admin")));

    // The controller's name alone is no new version.
    let renamed = repo.save_consent_settings(tenant, admin, 1, &valid("https://a.no/personvern", &["Posten Norge AS", "Regnskap AS"], "A Nytt AS")).await.unwrap();
    assert_eq!((renamed.version, renamed.policy_version), (2, Some(1)));
    // A recipient less is.
    let fewer = repo.save_consent_settings(tenant, admin, 2, &valid("https://a.no/personvern", &["Posten Norge AS"], "A Nytt AS")).await.unwrap();
    assert_eq!(fewer.policy_version, Some(2));
    assert_eq!(repo.consent_settings(tenant).await.unwrap().input.recipients.len(), 1);

    // A save on top of an older load is refused, and so is a first save when one exists.
    for stale in [1, 0] {
        let result = repo.save_consent_settings(tenant, admin, stale, &valid("https://a.no/annet", &[], "X")).await;
        assert!(matches!(result, Err(RepoError::Stale)), "expected version {stale}");
    }
    assert_eq!(repo.consent_settings(tenant).await.unwrap().input.policy_url, "https://a.no/personvern");

    // The other tenant has its own, empty settings.
    assert_eq!(repo.consent_settings(other).await.unwrap().version, 0);

    // Published versions are evidence: never rewritten.
    for sql in ["UPDATE privacy_policy_versions SET policy_url = 'x'", "DELETE FROM privacy_policy_recipients"] {
        let refused = match &db {
            Database::Sqlite(r) => sqlx::query(sql).execute(&r.pool).await.is_err(),
            Database::Postgres(r) => sqlx::query(sql).execute(&r.pool).await.is_err(),
        };
        assert!(refused, "{sql} must be refused");
    }
}

async fn consent_events_record_the_policy_version_in_force(backend: Backend) {
    let (db, _) = fresh_database(backend).await;
    let seed = db.seeder();
    let tenant = seed.create_tenant("A").await.unwrap();
    let admin = seed.ensure_staff("ada@a.no", "Ada Admin", "-").await.unwrap();
    let customer = ValidCustomer::parse(&CustomerInput {
        customer_number: "1".into(),
        first_name: "Ola".into(),
        last_name: "Nordmann".into(),
        ..Default::default()
    })
    .unwrap();
    let contact = ValidContactPerson::parse(&ContactPersonInput { name: "Ola Nordmann".into(), ..Default::default() }).unwrap();
    seed.insert_customers(tenant, &[(customer, vec![contact])]).await.unwrap();
    let repo = db.repository();
    let customer = repo.search_customers(tenant, &[], 1, 0).await.unwrap()[0].id;
    let grid = repo.customer_consents(tenant, customer).await.unwrap();
    let (cp, purpose) = (grid.contact_persons[0].0, grid.purposes[0].id);
    let by = ConsentContext { actor: ConsentActor::Staff, staff_user: Some(admin), source: ConsentSource::StaffCard, ip: None, user_agent: None };
    let change = |given| [ConsentChange { contact_person_id: cp, purpose_id: purpose, given }];

    let v = repo.save_consents(tenant, customer, 0, &change(true), &by).await.unwrap();
    repo.save_consent_settings(tenant, admin, 0, &valid("https://a.no/p", &["Posten"], "A AS")).await.unwrap();
    let v = repo.save_consents(tenant, customer, v, &change(false), &by).await.unwrap();
    repo.save_consent_settings(tenant, admin, 1, &valid("https://a.no/p2", &["Posten"], "A AS")).await.unwrap();
    repo.save_consents(tenant, customer, v, &change(true), &by).await.unwrap();

    let events = repo.consent_events(tenant, &ConsentEventFilter::default()).await.unwrap();
    assert_eq!(events.iter().map(|e| e.policy_version).collect::<Vec<_>>(), [None, Some(1), Some(2)]);
}

both_databases!(
    saves_publish_a_version_only_when_the_policy_or_recipients_change,
    consent_events_record_the_policy_version_in_force,
);
