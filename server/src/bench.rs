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
