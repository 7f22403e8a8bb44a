//! Consent persistence, run against SQLite and PostgreSQL alike.

mod common;

use app::domain::consent::{current_state, ConsentFact, ValidPurpose};
use app::forms::{ValidContactPerson, ValidCustomer};
use app::model::*;
use app::ports::{ConsentContext, ConsentEventFilter, RepoError, Repository};
use common::{fresh_database, Backend};
use server::db::Database;
use std::sync::Arc;

struct Fixture {
    db: Database,
    repo: Arc<dyn Repository>,
    tenant: TenantId,
    other_tenant: TenantId,
    staff: StaffUserId,
    customer: CustomerId,
    contacts: Vec<ContactPersonId>,
}

fn customer(number: &str) -> ValidCustomer {
    ValidCustomer::parse(&CustomerInput {
        kind: CustomerKind::Private,
        customer_number: number.into(),
        first_name: "Ola".into(),
        last_name: "Nordmann".into(),
        ..Default::default()
    })
    .unwrap()
}

fn contact(name: &str) -> ValidContactPerson {
    ValidContactPerson::parse(&ContactPersonInput { name: name.into(), ..Default::default() }).unwrap()
}

async fn fixture(backend: Backend) -> Fixture {
    let (db, _) = fresh_database(backend).await;
    let seed = db.seeder();
    let tenant = seed.create_tenant("A").await.unwrap();
    let other_tenant = seed.create_tenant("B").await.unwrap();
    let staff = seed.ensure_staff("kari@a.no", "Kari Saksbehandler", "hash").await.unwrap();
    seed.insert_customers(tenant, &[(customer("1"), vec![contact("Ola Nordmann"), contact("Kari Nordmann")])]).await.unwrap();
    seed.insert_customers(other_tenant, &[(customer("1"), vec![contact("Per i B")])]).await.unwrap();
    let repo = db.repository();
    let customer = repo.search_customers(tenant, &[], 1, 0).await.unwrap()[0].id;
    let contacts = repo.customer_card(tenant, customer).await.unwrap().contact_persons.iter().map(|c| c.id).collect();
    Fixture { db, repo, tenant, other_tenant, staff, customer, contacts }
}

impl Fixture {
    fn by(&self) -> ConsentContext {
        ConsentContext {
            actor: ConsentActor::Staff,
            staff_user: Some(self.staff),
            source: ConsentSource::StaffCard,
            ip: Some("192.0.2.7".into()),
            user_agent: Some("Testleser/1.0".into()),
        }
    }

    async fn purpose(&self, code: &str) -> ConsentPurpose {
        self.repo.consent_purposes(self.tenant).await.unwrap().into_iter().find(|p| p.input.code == code).unwrap()
    }

    async fn version(&self) -> i64 {
        self.repo.customer_consents(self.tenant, self.customer).await.unwrap().consent_version
    }

    async fn save(&self, version: i64, changes: &[(ContactPersonId, PurposeId, bool)]) -> Result<i64, RepoError> {
        let changes: Vec<ConsentChange> = changes
            .iter()
            .map(|&(contact_person_id, purpose_id, given)| ConsentChange { contact_person_id, purpose_id, given })
            .collect();
        self.repo.save_consents(self.tenant, self.customer, version, &changes, &self.by()).await
    }

    async fn events(&self) -> Vec<ConsentEventView> {
        self.repo.consent_events(self.tenant, &ConsentEventFilter::default()).await.unwrap()
    }
}

fn edit(p: &ConsentPurpose, f: impl FnOnce(&mut PurposeInput)) -> ValidPurpose {
    let mut input = p.input.clone();
    f(&mut input);
    ValidPurpose::parse(&input).unwrap()
}

async fn a_new_tenant_starts_with_the_default_purposes(backend: Backend) {
    let f = fixture(backend).await;
    let purposes = f.repo.consent_purposes(f.tenant).await.unwrap();
    let codes: Vec<&str> = purposes.iter().map(|p| p.input.code.as_str()).collect();
    assert_eq!(codes, ["nyhetsbrev-epost", "tilbud-sms", "telefonsalg", "reklame-post"]);
    assert!(purposes.iter().all(|p| p.input.active && p.wording_version == 1 && !p.input.wording.is_empty()));
    assert_eq!(purposes[1].input.channel, Channel::Sms);
    // Each tenant has its own rows.
    let other = f.repo.consent_purposes(f.other_tenant).await.unwrap();
    assert_eq!(other.len(), 4);
    assert!(other.iter().all(|o| purposes.iter().all(|p| p.id != o.id)));
}

async fn saves_append_events_and_the_state_follows_from_them(backend: Backend) {
    let f = fixture(backend).await;
    let (ola, kari) = (f.contacts[0], f.contacts[1]);
    let news = f.purpose("nyhetsbrev-epost").await.id;
    let sms = f.purpose("tilbud-sms").await.id;

    let start = f.repo.customer_consents(f.tenant, f.customer).await.unwrap();
    assert_eq!((start.consent_version, start.standings.len(), start.purposes.len()), (0, 0, 4));
    assert_eq!(start.contact_persons.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), ["Ola Nordmann", "Kari Nordmann"]);

    let v1 = f.save(0, &[(ola, news, true), (kari, sms, true)]).await.unwrap();
    assert_eq!(v1, 1);
    let v2 = f.save(v1, &[(ola, news, false)]).await.unwrap();
    // A save against the version before is refused and writes nothing.
    assert!(matches!(f.save(v1, &[(ola, sms, true)]).await, Err(RepoError::Stale)));
    // Withdrawing what is withdrawn, or what was never asked, is no event.
    let v3 = f.save(v2, &[(ola, news, false), (kari, news, false)]).await.unwrap();
    assert_eq!(v3, 3);

    let events = f.events().await;
    assert_eq!(
        events.iter().map(|e| (e.contact_person_id, e.purpose_id, e.given)).collect::<Vec<_>>(),
        [(ola, news, true), (kari, sms, true), (ola, news, false)]
    );
    let e = &events[2];
    assert_eq!((e.actor, e.source), (ConsentActor::Staff, ConsentSource::StaffCard));
    assert_eq!(e.staff_name.as_deref(), Some("Kari Saksbehandler"));
    assert_eq!((e.ip.as_deref(), e.user_agent.as_deref()), (Some("192.0.2.7"), Some("Testleser/1.0")));
    assert_eq!((e.purpose_code.as_str(), e.purpose_version, e.customer_number.as_str()), ("nyhetsbrev-epost", 1, "1"));

    // The current-state table says exactly what the events say.
    let derived = current_state(events.iter().map(|e| ConsentFact { cell: (e.contact_person_id, e.purpose_id), given: e.given }));
    let now = f.repo.customer_consents(f.tenant, f.customer).await.unwrap();
    assert_eq!(now.marks(), derived);
    assert_eq!(now.mark(ola, news), ConsentMark::Withdrawn);
    assert_eq!(now.mark(kari, sms), ConsentMark::Given);
    assert_eq!(now.mark(kari, news), ConsentMark::NeverAsked);
    assert_eq!(now.consent_version, 3);

    // History of one contact person only.
    let filter = ConsentEventFilter { contact_person: Some(kari), ..Default::default() };
    assert_eq!(f.repo.consent_events(f.tenant, &filter).await.unwrap().len(), 1);
    let filter = ConsentEventFilter { purpose: Some(news), ..Default::default() };
    assert_eq!(f.repo.consent_events(f.tenant, &filter).await.unwrap().len(), 2);
    let filter = ConsentEventFilter { to_ms: Some(events[0].at_ms), ..Default::default() };
    assert!(f.repo.consent_events(f.tenant, &filter).await.unwrap().is_empty());
    let filter = ConsentEventFilter { from_ms: Some(events[0].at_ms), ..Default::default() };
    assert_eq!(f.repo.consent_events(f.tenant, &filter).await.unwrap().len(), 3);
}

async fn a_new_wording_is_a_new_version_and_old_consents_keep_theirs(backend: Backend) {
    let f = fixture(backend).await;
    let (ola, kari) = (f.contacts[0], f.contacts[1]);
    let news = f.purpose("nyhetsbrev-epost").await;
    let v = f.save(0, &[(ola, news.id, true)]).await.unwrap();

    let reworded = edit(&news, |p| p.wording = "Ny tekst om nyhetsbrev.".into());
    let (_, edit_version) = f.repo.save_consent_purpose(f.tenant, f.staff, Some(news.id), news.version, &reworded).await.unwrap();
    let after = f.purpose("nyhetsbrev-epost").await;
    assert_eq!((after.version, after.wording_version, after.input.wording.as_str()), (edit_version, 2, "Ny tekst om nyhetsbrev."));

    // A label change alone publishes no new wording.
    let relabelled = edit(&after, |p| p.label_en = "E-mail newsletter".into());
    f.repo.save_consent_purpose(f.tenant, f.staff, Some(news.id), after.version, &relabelled).await.unwrap();
    let after = f.purpose("nyhetsbrev-epost").await;
    assert_eq!((after.wording_version, after.input.label_en.as_str()), (2, "E-mail newsletter"));

    // A stale edit and a taken code are refused.
    assert!(matches!(
        f.repo.save_consent_purpose(f.tenant, f.staff, Some(news.id), news.version, &reworded).await,
        Err(RepoError::Stale)
    ));
    let clash = edit(&after, |p| p.code = "tilbud-sms".into());
    assert!(matches!(
        f.repo.save_consent_purpose(f.tenant, f.staff, Some(news.id), after.version, &clash).await,
        Err(RepoError::Duplicate("code"))
    ));

    f.save(v, &[(kari, news.id, true)]).await.unwrap();
    let now = f.repo.customer_consents(f.tenant, f.customer).await.unwrap();
    let version_of = |cp| now.standings.iter().find(|s| s.contact_person_id == cp).unwrap().purpose_version;
    assert_eq!((version_of(ola), version_of(kari)), (1, 2), "Ola agreed to the first wording, Kari to the second");
    let events = f.events().await;
    assert_eq!(events.iter().map(|e| e.purpose_version).collect::<Vec<_>>(), [1, 2]);

    // A new purpose starts at version 1, last in order.
    let new = ValidPurpose::parse(&PurposeInput {
        code: "arrangementer".into(),
        label_nb: "Invitasjoner".into(),
        label_en: "Invitations".into(),
        wording: "Jeg vil bli invitert til arrangementer.".into(),
        channel: Channel::Email,
        legal_basis: LegalBasis::Consent,
        active: true,
    })
    .unwrap();
    let (id, version) = f.repo.save_consent_purpose(f.tenant, f.staff, None, 0, &new).await.unwrap();
    let all = f.repo.consent_purposes(f.tenant).await.unwrap();
    assert_eq!((all.last().unwrap().id, version, all.last().unwrap().wording_version), (id, 1, 1));
}

async fn consent_stays_inside_its_tenant_and_customer(backend: Backend) {
    let f = fixture(backend).await;
    let news = f.purpose("nyhetsbrev-epost").await.id;
    let b_customer = f.repo.search_customers(f.other_tenant, &[], 1, 0).await.unwrap()[0].id;
    let b_contact = f.repo.customer_card(f.other_tenant, b_customer).await.unwrap().contact_persons[0].id;

    assert!(matches!(f.repo.customer_consents(f.tenant, b_customer).await, Err(RepoError::NotFound)));
    let change = [ConsentChange { contact_person_id: b_contact, purpose_id: news, given: true }];
    assert!(matches!(f.repo.save_consents(f.tenant, b_customer, 0, &change, &f.by()).await, Err(RepoError::NotFound)));
    // Another tenant's contact person, or another tenant's purpose, inside an own customer's save:
    // refused as a whole, and the version is not bumped.
    assert!(matches!(f.save(0, &[(f.contacts[0], news, true), (b_contact, news, true)]).await, Err(RepoError::NotFound)));
    let b_news = f.repo.consent_purposes(f.other_tenant).await.unwrap()[0].id;
    assert!(matches!(f.save(0, &[(f.contacts[0], b_news, true)]).await, Err(RepoError::NotFound)));
    assert_eq!(f.version().await, 0);
    assert!(f.events().await.is_empty());

    // An inactive purpose takes no new consents and leaves the grid.
    let sms = f.purpose("tilbud-sms").await;
    let retired = edit(&sms, |p| p.active = false);
    f.repo.save_consent_purpose(f.tenant, f.staff, Some(sms.id), sms.version, &retired).await.unwrap();
    assert!(matches!(f.save(0, &[(f.contacts[0], sms.id, true)]).await, Err(RepoError::NotFound)));
    let grid = f.repo.customer_consents(f.tenant, f.customer).await.unwrap();
    assert!(grid.purposes.iter().all(|p| p.id != sms.id));

    // Tenant B's events do not include A's.
    f.save(0, &[(f.contacts[0], news, true)]).await.unwrap();
    assert_eq!(f.events().await.len(), 1);
    assert!(f.repo.consent_events(f.other_tenant, &ConsentEventFilter::default()).await.unwrap().is_empty());
}

async fn consent_events_and_wordings_cannot_be_rewritten(backend: Backend) {
    let f = fixture(backend).await;
    let news = f.purpose("nyhetsbrev-epost").await.id;
    f.save(0, &[(f.contacts[0], news, true)]).await.unwrap();
    let statements = [
        "UPDATE consent_events SET given = NOT given",
        "DELETE FROM consent_events",
        "UPDATE consent_purpose_versions SET wording = 'annet'",
        "DELETE FROM consent_purpose_versions",
    ];
    for sql in statements {
        let refused = match &f.db {
            Database::Sqlite(r) => sqlx::query(sql).execute(&r.pool).await.is_err(),
            Database::Postgres(r) => sqlx::query(sql).execute(&r.pool).await.is_err(),
        };
        assert!(refused, "{sql} must be refused");
    }
    assert_eq!(f.events().await.len(), 1);
}

both_databases!(
    a_new_tenant_starts_with_the_default_purposes,
    saves_append_events_and_the_state_follows_from_them,
    a_new_wording_is_a_new_version_and_old_consents_keep_theirs,
    consent_stays_inside_its_tenant_and_customer,
    consent_events_and_wordings_cannot_be_rewritten,
);
