//! The tenants' retention rule (Automatisk anonymisering) as the command `anonymise-inactive`
//! runs it: per tenant, in batches, each customer in its own transaction. The command's
//! anonymisations are recorded in `anonymisations` without a user (the page's carry the user
//! who ran it, and are in the access log too).

use app::domain::anonymise::InactivityYears;
use app::model::TenantId;
use app::ports::Repository;

/// What one tenant's run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RuleRun {
    pub anonymised: u64,
    /// Refused after all: a sale or payment came in after the customer was picked.
    pub skipped: u64,
}

/// Runs `years` for `tenant` until no customer it reaches is left; `progress(done, total)`
/// after each batch, `total` as counted at the start.
pub async fn run_rule(
    repo: &dyn Repository,
    tenant: TenantId,
    years: InactivityYears,
    now_ms: i64,
    batch: u32,
    mut progress: impl FnMut(u64, i64),
) -> anyhow::Result<RuleRun> {
    let cutoff = years.cutoff_at(now_ms);
    let total = repo.count_inactive_customers(tenant, &cutoff).await?;
    let mut run = RuleRun::default();
    loop {
        let outcomes = app::api::anonymise_next_inactive(repo, tenant, &cutoff, batch, None, now_ms).await?;
        if outcomes.is_empty() {
            break;
        }
        let anonymised = outcomes.iter().filter(|(_, o)| o.is_ok()).count() as u64;
        run.anonymised += anonymised;
        run.skipped += outcomes.len() as u64 - anonymised;
        progress(run.anonymised, total);
        // Only refusals: those customers are no longer reached, but do not spin on a race.
        if anonymised == 0 {
            break;
        }
    }
    Ok(run)
}

/// The rule of every tenant that has one (or of `only`), as stored.
pub async fn rules(repo: &dyn Repository, only: Option<TenantId>) -> anyhow::Result<Vec<(TenantId, InactivityYears)>> {
    Ok(repo
        .tenants_with_inactivity_rule()
        .await?
        .into_iter()
        .filter(|(t, _)| only.is_none_or(|o| o == *t))
        .filter_map(|(t, y)| InactivityYears::new(y).map(|y| (t, y)))
        .collect())
}
