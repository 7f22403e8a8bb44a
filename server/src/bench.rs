//! The bare search handler the benchmark compares Kundesøk against: the same repository query
//! over HTTP, without sessions, Leptos or the server-function layer.

use app::model::{CustomerHit, TenantId, SEARCH_PAGE_SIZE};
use app::ports::Repository;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

#[derive(serde::Deserialize)]
pub struct BareQuery {
    tenant: TenantId,
    q: String,
}

async fn bare_search(State(repo): State<Arc<dyn Repository>>, Query(query): Query<BareQuery>) -> Result<Json<Vec<CustomerHit>>, axum::http::StatusCode> {
    let terms = app::domain::search_terms(&query.q);
    repo.search_customers(query.tenant, &terms, SEARCH_PAGE_SIZE + 1, 0)
        .await
        .map(Json)
        .map_err(|_| axum::http::StatusCode::INTERNAL_SERVER_ERROR)
}

pub fn bare_router(repo: Arc<dyn Repository>) -> Router {
    Router::new().route("/bare/search", get(bare_search)).with_state(repo)
}

/// Consent saves per second through [`Repository::save_consents`] beside a raw sqlx
/// transaction doing the same writes, on one database in one run (docs/BENCHMARKS.md).
pub mod consent_saves {
    use crate::db::consent::{BUMP_CONSENT_VERSION, INSERT_EVENT, UPSERT_STATE};
    use crate::db::Database;
    use app::forms::{ValidContactPerson, ValidCustomer};
    use app::model::*;
    use app::ports::{ConsentContext, RepoError};
    use std::time::{Duration, Instant};

    pub struct Figures {
        pub app_per_sec: f64,
        pub raw_per_sec: f64,
    }

    /// One customer with one contact person per writer, in a tenant of its own.
    async fn setup(db: &Database, writers: usize) -> Result<(TenantId, StaffUserId, Vec<(CustomerId, ContactPersonId)>, PurposeId), RepoError> {
        let seed = db.seeder();
        let tenant = seed.create_tenant(&format!("Benchmark {}", crate::auth::now_ms())).await?;
        let staff = seed.ensure_staff("bench@demo.no", "Benchmark", "-").await?;
        let batch: Vec<_> = (0..writers * 2)
            .map(|i| {
                let c = CustomerInput {
                    customer_number: format!("B{i}"),
                    first_name: "Bench".into(),
                    last_name: format!("Kunde {i}"),
                    ..Default::default()
                };
                let p = ContactPersonInput { name: format!("Bench Kontakt {i}"), ..Default::default() };
                (ValidCustomer::parse(&c).expect("valid"), vec![ValidContactPerson::parse(&p).expect("valid")])
            })
            .collect();
        seed.insert_customers(tenant, &batch).await?;
        let repo = db.repository();
        let mut pairs = Vec::new();
        for hit in repo.search_customers(tenant, &[], (writers * 2) as u32, 0).await? {
            let card = repo.customer_card(tenant, hit.id).await?;
            pairs.push((hit.id, card.contact_persons[0].id));
        }
        let purpose = repo.consent_purposes(tenant).await?[0].id;
        Ok((tenant, staff, pairs, purpose))
    }

    pub async fn run(db: &Database, writers: usize, seconds: u64) -> anyhow::Result<Figures> {
        let (tenant, staff, pairs, purpose) = setup(db, writers).await?;
        let (app_pairs, raw_pairs) = pairs.split_at(writers);
        let duration = Duration::from_secs(seconds);

        let started = Instant::now();
        let mut tasks = Vec::new();
        for &(customer, contact) in app_pairs {
            let repo = db.repository();
            tasks.push(tokio::spawn(async move {
                let by = ConsentContext {
                    actor: ConsentActor::Staff,
                    staff_user: Some(staff),
                    source: ConsentSource::StaffCard,
                    ip: Some("127.0.0.1".into()),
                    user_agent: Some("bench".into()),
                };
                let (mut version, mut saves, mut given) = (0, 0u64, true);
                while started.elapsed() < duration {
                    let change = ConsentChange { contact_person_id: contact, purpose_id: purpose, given };
                    version = repo.save_consents(tenant, customer, version, &[change], &by).await?;
                    saves += 1;
                    given = !given;
                }
                Ok::<u64, RepoError>(saves)
            }));
        }
        let mut app_saves = 0;
        for t in tasks {
            app_saves += t.await??;
        }
        let app_per_sec = app_saves as f64 / started.elapsed().as_secs_f64();

        let started = Instant::now();
        let mut tasks = Vec::new();
        for &(customer, contact) in raw_pairs {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let (mut version, mut saves, mut given) = (0i64, 0u64, true);
                while started.elapsed() < duration {
                    version = raw_save(&db, tenant, customer, contact, purpose, staff, version, given).await?;
                    saves += 1;
                    given = !given;
                }
                Ok::<u64, sqlx::Error>(saves)
            }));
        }
        let mut raw_saves = 0;
        for t in tasks {
            raw_saves += t.await??;
        }
        let raw_per_sec = raw_saves as f64 / started.elapsed().as_secs_f64();
        Ok(Figures { app_per_sec, raw_per_sec })
    }

    /// The same three writes, with nothing read or checked first.
    #[allow(clippy::too_many_arguments)]
    async fn raw_save(
        db: &Database,
        tenant: TenantId,
        customer: CustomerId,
        contact: ContactPersonId,
        purpose: PurposeId,
        staff: StaffUserId,
        version: i64,
        given: bool,
    ) -> Result<i64, sqlx::Error> {
        macro_rules! writes {
            ($tx:expr) => {{
                let mut tx = $tx;
                let new_version: i64 = sqlx::query_scalar(BUMP_CONSENT_VERSION)
                    .bind(tenant)
                    .bind(customer)
                    .bind(version)
                    .fetch_one(&mut *tx)
                    .await?;
                let event: i64 = sqlx::query_scalar(INSERT_EVENT)
                    .bind(tenant)
                    .bind(customer)
                    .bind(contact)
                    .bind(purpose)
                    .bind(1i64)
                    .bind(given)
                    .bind(crate::auth::now_ms())
                    .bind("staff")
                    .bind(staff)
                    .bind("staff_card")
                    .bind("127.0.0.1")
                    .bind("bench")
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(UPSERT_STATE)
                    .bind(contact)
                    .bind(purpose)
                    .bind(tenant)
                    .bind(given)
                    .bind(1i64)
                    .bind(event)
                    .bind(crate::auth::now_ms())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(new_version)
            }};
        }
        match db {
            Database::Sqlite(r) => writes!(r.pool.begin_with("BEGIN IMMEDIATE").await?),
            Database::Postgres(r) => writes!(r.pool.begin().await?),
        }
    }
}

/// Anonymisering timed (docs/BENCHMARKS.md): one customer with many contact persons through
/// [`Repository::anonymise_customer`] beside a raw sqlx transaction with the same effects, and
/// the retention rule over a tenant of quiet customers.
pub mod anonymisation {
    use crate::db::anonymise::ANONYMOUS_CUSTOMER;
    use crate::db::Database;
    use app::domain::anonymise::{InactivityYears, ANONYMOUS};
    use app::domain::consent::ConsentChange;
    use app::forms::{ValidContactPerson, ValidCustomer};
    use app::model::*;
    use app::ports::{ConsentContext, RepoError};
    use std::time::Instant;

    /// Milliseconds per anonymisation, each path.
    pub struct Figures {
        pub app_ms: Vec<f64>,
        pub raw_ms: Vec<f64>,
    }

    /// The value at `q` (0..=1) of sorted samples.
    pub fn quantile(sorted: &[f64], q: f64) -> f64 {
        if sorted.is_empty() {
            return f64::NAN;
        }
        sorted[((sorted.len() - 1) as f64 * q).round() as usize]
    }

    /// `count` customers with `contacts` contact persons each, every contact with a consent
    /// given, a paid invoice and a note, among `background` ordinary customers (the search index
    /// the anonymisation compacts is that big).
    async fn setup(db: &Database, count: usize, contacts: usize, background: u64) -> Result<(TenantId, StaffUserId, Vec<CustomerId>), RepoError> {
        let seed = db.seeder();
        let repo = db.repository();
        let tenant = seed.create_tenant(&format!("Benchmark {}", crate::auth::now_ms())).await?;
        let staff = seed.ensure_staff("bench@demo.no", "Benchmark", "-").await?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(50);
        for start in (0..background).step_by(1000) {
            let batch: Vec<_> = (start..(start + 1000).min(background)).map(|n| crate::seed::generated_customer(&mut rng, 100_000 + n)).collect();
            seed.insert_customers(tenant, &batch).await?;
        }
        let by = ConsentContext { actor: ConsentActor::Staff, staff_user: Some(staff), source: ConsentSource::StaffCard, ip: Some("127.0.0.1".into()), user_agent: Some("bench".into()) };
        let mut ids = Vec::new();
        for i in 0..count {
            let number = format!("{}", 900_000 + i);
            let c = CustomerInput { customer_number: number.clone(), first_name: "Bench".into(), last_name: format!("Kunde{i}"), email: format!("bench{i}@example.no"), city: "Oslo".into(), ..Default::default() };
            let people: Vec<_> = (0..contacts)
                .map(|k| {
                    let p = ContactPersonInput { name: format!("Kontakt{k} Kunde{i}"), email: format!("k{k}.bench{i}@example.no"), phone: format!("9{:07}", i * 100 + k), ..Default::default() };
                    ValidContactPerson::parse(&p).expect("valid")
                })
                .collect();
            seed.insert_customers(tenant, &[(ValidCustomer::parse(&c).expect("valid"), people)]).await?;
            let id = repo.search_customers(tenant, &[number.clone()], 5, 0).await?.into_iter().find(|h| h.customer_number == number).ok_or(RepoError::NotFound)?.id;
            let consents = repo.customer_consents(tenant, id).await?;
            let purpose = consents.purposes[0].id;
            let changes: Vec<_> = consents.contact_persons.iter().map(|(cp, _)| ConsentChange { contact_person_id: *cp, purpose_id: purpose, given: true }).collect();
            repo.save_consents(tenant, id, consents.consent_version, &changes, &by).await?;
            let sale = NewSale {
                order_number: format!("O-{number}"),
                invoice_number: number.clone(),
                date: "2026-01-15".into(),
                note: String::new(),
                lines: vec![SaleLine { text: "Tjenester".into(), quantity: 1, unit_price_ore: 10_000 }],
                vat_percent: 25,
            };
            let invoice = repo.record_sale(tenant, id, &sale).await?;
            repo.record_payment(tenant, invoice, 12_500, "2026-01-30").await?;
            repo.add_customer_note(tenant, id, &format!("Ringte Kunde{i}"), Some(staff)).await?;
            ids.push(id);
        }
        Ok((tenant, staff, ids))
    }

    /// `runs` customers anonymised each way, alternating, so both see the same database.
    pub async fn single(db: &Database, runs: usize, contacts: usize, background: u64) -> anyhow::Result<Figures> {
        let (tenant, staff, ids) = setup(db, runs * 2, contacts, background).await?;
        let repo = db.repository();
        let mut figures = Figures { app_ms: Vec::new(), raw_ms: Vec::new() };
        for pair in ids.chunks(2) {
            let started = Instant::now();
            repo.anonymise_customer(tenant, pair[0], Some(staff), &[], crate::auth::now_ms()).await?.map_err(|r| anyhow::anyhow!("{r:?}"))?;
            figures.app_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            // The search index's compaction runs after the answer (SQLite); neither path is
            // timed with it, and neither waits for the other's.
            repo.search_index_settled().await?;
            let started = Instant::now();
            raw_anonymise(db, tenant, pair[1], staff).await?;
            figures.raw_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            if let Database::Sqlite(r) = db {
                crate::db::sqlite::compact_search_index(&r.pool).await?;
            }
        }
        figures.app_ms.sort_by(f64::total_cmp);
        figures.raw_ms.sort_by(f64::total_cmp);
        Ok(figures)
    }

    /// The same effects in as few set-based statements as SQL allows, nothing read or checked
    /// first (no balance check, no archived lines, no account or mail clean-up: the demo
    /// customers have none).
    async fn raw_anonymise(db: &Database, tenant: TenantId, customer: CustomerId, staff: StaffUserId) -> Result<(), sqlx::Error> {
        const ARCHIVE: &str = "INSERT INTO invoice_archive (invoice_id, tenant_id, buyer_name, buyer_address, buyer_postal_code, buyer_city, \
             buyer_org_no, buyer_email, archived_ms, retain_until, lines) SELECT id, tenant_id, buyer_name, buyer_address, buyer_postal_code, \
             buyer_city, buyer_org_no, buyer_email, $3, '2031-12-31', '[]' FROM invoices WHERE tenant_id = $1 AND customer_id = $2";
        macro_rules! writes {
            ($tx:expr, $unindex:expr, $compact:expr) => {{
                let mut tx = $tx;
                let now = crate::auth::now_ms();
                let both = |sql: &'static str| sqlx::query(sql).bind(tenant).bind(customer);
                both("INSERT INTO anonymising (tenant_id, customer_id, email) VALUES ($1, $2, NULL)").execute(&mut *tx).await?;
                both("UPDATE consent_events SET ip = NULL, user_agent = NULL WHERE tenant_id = $1 AND customer_id = $2").execute(&mut *tx).await?;
                both("DELETE FROM customer_secrets WHERE tenant_id = $1 AND customer_id = $2").execute(&mut *tx).await?;
                both(ARCHIVE).bind(now).execute(&mut *tx).await?;
                both("UPDATE invoices SET buyer_name = $3, buyer_address = $3, buyer_postal_code = $3, buyer_city = $3, buyer_org_no = $3, buyer_email = $3 \
                      WHERE tenant_id = $1 AND customer_id = $2").bind(ANONYMOUS).execute(&mut *tx).await?;
                both("UPDATE contact_persons SET name = $3, position = NULL, email = NULL, phone = NULL, version = version + 1, updated_ms = $4 \
                      WHERE tenant_id = $1 AND customer_id = $2").bind(ANONYMOUS).bind(now).execute(&mut *tx).await?;
                both(ANONYMOUS_CUSTOMER).bind(ANONYMOUS).bind(now).execute(&mut *tx).await?;
                sqlx::query($unindex).bind(customer).execute(&mut *tx).await?;
                let compact: Option<&str> = $compact;
                if let Some(sql) = compact {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                both("DELETE FROM anonymising WHERE tenant_id = $1 AND customer_id = $2").execute(&mut *tx).await?;
                both("INSERT INTO anonymisations (tenant_id, customer_id, by_user, at_ms, contact_persons, consent_events, invoices, redactions) \
                      VALUES ($1, $2, $3, $4, 0, 0, 0, 0)").bind(staff).bind(now).execute(&mut *tx).await?;
                tx.commit().await
            }};
        }
        match db {
            Database::Sqlite(r) => writes!(
                r.pool.begin_with("BEGIN IMMEDIATE").await?,
                "DELETE FROM customer_search WHERE rowid = $1",
                None
            ),
            Database::Postgres(r) => writes!(r.pool.begin().await?, "UPDATE customers SET search_vector = ''::tsvector WHERE id = $1", None),
        }
    }

    /// The retention rule over `customers` customers quiet since 2019 (one contact person each,
    /// nothing owed): seconds taken, and how many it anonymised.
    pub async fn bulk(db: &Database, customers: u64) -> anyhow::Result<(f64, u64)> {
        let seed = db.seeder();
        let repo = db.repository();
        let tenant = seed.create_tenant(&format!("Benchmark bulk {}", crate::auth::now_ms())).await?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(100);
        for start in (0..customers).step_by(1000) {
            let batch: Vec<_> = (start..(start + 1000).min(customers)).map(|n| crate::seed::generated_customer(&mut rng, 200_000 + n)).collect();
            seed.insert_customers(tenant, &batch).await?;
        }
        seed.backdate_customers(tenant, None, 1_559_347_200_000).await?;
        let years = InactivityYears::new(5).expect("in range");
        let started = Instant::now();
        let run = crate::retention::run_rule(repo.as_ref(), tenant, years, crate::auth::now_ms(), 500, |done, total| {
            if done % 10_000 < 500 {
                eprintln!("{done} of {total}");
            }
        })
        .await?;
        Ok((started.elapsed().as_secs_f64(), run.anonymised))
    }
}
