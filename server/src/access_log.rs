//! The access log's chain (Innsynslogg): how an entry's hash is computed, and how a tenant's
//! chain is checked. Plain functions; the repositories call [`entry_hash`] when they append, and
//! `samtykke verify-access-log` calls [`verify_tenant`].

use app::ports::{Repository, StoredAccessEntry};
use app::model::TenantId;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of a tenant's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every stored column but the hashes, in a fixed order: JSON with named fields, so no two
/// different entries can serialise alike (as naive concatenation of strings could).
#[derive(Serialize)]
struct Canonical<'a> {
    tenant_id: i64,
    seq: i64,
    at_ms: i64,
    actor: &'a str,
    staff_user_id: Option<i64>,
    customer_account_id: Option<i64>,
    action: &'a str,
    customer_id: Option<i64>,
    object: Option<&'a str>,
    ip: Option<&'a str>,
}

/// SHA-256 over the previous entry's hash and this entry's content, hex.
pub fn entry_hash(e: &StoredAccessEntry) -> String {
    let canonical = Canonical {
        tenant_id: e.tenant_id,
        seq: e.seq,
        at_ms: e.at_ms,
        actor: &e.actor,
        staff_user_id: e.staff_user_id,
        customer_account_id: e.customer_account_id,
        action: &e.action,
        customer_id: e.customer_id,
        object: e.object.as_deref(),
        ip: e.ip.as_deref(),
    };
    let json = serde_json::to_string(&canonical).expect("plain data serialises");
    let mut hasher = Sha256::new();
    hasher.update(e.prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(json.as_bytes());
    format!("{:x}", hasher.finalize())
}

/// Where and why a chain stops holding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokenLink {
    /// The entry with this number is missing (removed, or moved elsewhere).
    Missing { seq: i64 },
    /// The entry does not point at the entry before it.
    Relinked { seq: i64 },
    /// The entry's content no longer matches its hash.
    Altered { seq: i64 },
    /// The head says the chain is longer than it is: entries at its end were removed.
    Truncated { expected_last: i64, found_last: i64 },
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BrokenLink::Missing { seq } => write!(f, "entry {seq} is missing"),
            BrokenLink::Relinked { seq } => write!(f, "entry {seq} does not follow entry {}", seq - 1),
            BrokenLink::Altered { seq } => write!(f, "entry {seq} was altered"),
            BrokenLink::Truncated { expected_last, found_last } => {
                write!(f, "the log ends at entry {found_last}, but entry {expected_last} was written")
            }
        }
    }
}

/// Checks a tenant's entries (in `seq` order) against each other and against the head. Answers
/// how many entries hold, or the first broken link. After a retention purge the chain starts at
/// `anchor`, the (seq, hash) of the last entry the purge removed, instead of at the genesis.
pub fn verify_chain(entries: &[StoredAccessEntry], head: Option<&(i64, String)>, anchor: Option<&(i64, String)>) -> Result<usize, BrokenLink> {
    let (start, mut prev_hash) = anchor.cloned().unwrap_or((0, GENESIS.to_string()));
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = start + i as i64 + 1;
        if e.seq != expected_seq {
            return Err(BrokenLink::Missing { seq: expected_seq });
        }
        if e.prev_hash != prev_hash {
            return Err(BrokenLink::Relinked { seq: e.seq });
        }
        if entry_hash(e) != e.hash {
            return Err(BrokenLink::Altered { seq: e.seq });
        }
        prev_hash = e.hash.clone();
    }
    let found_last = start + entries.len() as i64;
    match head {
        Some((expected_last, hash)) if *expected_last != found_last || (found_last > start && *hash != prev_hash) => {
            if *expected_last > found_last {
                Err(BrokenLink::Truncated { expected_last: *expected_last, found_last })
            } else {
                Err(BrokenLink::Altered { seq: found_last })
            }
        }
        None if found_last > 0 => Err(BrokenLink::Truncated { expected_last: 0, found_last }),
        _ => Ok(entries.len()),
    }
}

/// What `samtykke verify-access-log` runs for one tenant.
pub async fn verify_tenant(repo: &dyn Repository, tenant: TenantId) -> anyhow::Result<Result<usize, BrokenLink>> {
    let entries = repo.access_entries(tenant).await?;
    let head = repo.access_log_head(tenant).await?;
    let anchor = repo.access_log_anchor(tenant).await?;
    Ok(verify_chain(&entries, head.as_ref(), anchor.as_ref()))
}

/// The instant `months` calendar months before `now_ms` (the day clamped to the month's end).
pub fn months_before(now_ms: i64, months: u32) -> i64 {
    let now = time::OffsetDateTime::from_unix_timestamp(now_ms / 1000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let total = now.year() * 12 + (now.month() as i32 - 1) - months as i32;
    let (year, month) = (total.div_euclid(12), time::Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(time::Month::January));
    let day = now.day().min(month.length(year));
    let date = time::Date::from_calendar_date(year, month, day).unwrap_or(now.date());
    now.replace_date(date).unix_timestamp() * 1000
}

/// What `samtykke purge-access-log` does: for every tenant with a retention period, removes the
/// entries older than it. Answers (tenant, entries removed) for each tenant that lost any.
pub async fn purge_expired(repo: &dyn Repository, now_ms: i64) -> anyhow::Result<Vec<(TenantId, usize)>> {
    let mut purged = Vec::new();
    for tenant in repo.access_log_tenants().await? {
        let Some(months) = repo.access_log_retention(tenant).await? else { continue };
        let removed = repo.purge_access_log(tenant, months_before(now_ms, months), now_ms).await?;
        if removed > 0 {
            purged.push((tenant, removed));
        }
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredAccessEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = StoredAccessEntry {
                    tenant_id: 7,
                    seq,
                    at_ms: 1_000 * seq,
                    actor: "staff".into(),
                    staff_user_id: Some(3),
                    customer_account_id: None,
                    action: "customer_card_viewed".into(),
                    customer_id: Some(40 + seq),
                    object: None,
                    ip: Some("10.0.0.1".into()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn head(c: &[StoredAccessEntry]) -> Option<(i64, String)> {
        c.last().map(|e| (e.seq, e.hash.clone()))
    }

    #[test]
    fn an_untouched_chain_holds() {
        let c = chain(5);
        assert_eq!(verify_chain(&c, head(&c).as_ref(), None), Ok(5));
        assert_eq!(verify_chain(&[], None, None), Ok(0));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].customer_id = Some(99);
        assert_eq!(verify_chain(&c, h.as_ref(), None), Err(BrokenLink::Altered { seq: 3 }));
    }

    #[test]
    fn a_rehashed_alteration_breaks_the_next_link() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].ip = Some("192.0.2.1".into());
        c[2].hash = entry_hash(&c[2]);
        assert_eq!(verify_chain(&c, h.as_ref(), None), Err(BrokenLink::Relinked { seq: 4 }));
    }

    #[test]
    fn a_removed_entry_is_named_and_so_is_a_cut_end() {
        let mut c = chain(5);
        let h = head(&c);
        c.remove(1);
        assert_eq!(verify_chain(&c, h.as_ref(), None), Err(BrokenLink::Missing { seq: 2 }));
        let mut c = chain(5);
        c.pop();
        assert_eq!(verify_chain(&c, h.as_ref(), None), Err(BrokenLink::Truncated { expected_last: 5, found_last: 4 }));
    }

    #[test]
    fn swapped_entries_are_found() {
        let mut c = chain(5);
        let h = head(&c);
        // Two entries trade places, each keeping its number: the order of events is rewritten.
        let (a, b) = (c[1].clone(), c[2].clone());
        c[1] = StoredAccessEntry { seq: 2, ..b };
        c[2] = StoredAccessEntry { seq: 3, ..a };
        assert_eq!(verify_chain(&c, h.as_ref(), None), Err(BrokenLink::Relinked { seq: 2 }));
    }

    #[test]
    fn after_a_purge_the_chain_verifies_from_its_anchor() {
        let c = chain(5);
        let h = head(&c);
        let anchor = (2, c[1].hash.clone());
        assert_eq!(verify_chain(&c[2..], h.as_ref(), Some(&anchor)), Ok(3));
        // Without the anchor the remaining entries do not start a chain.
        assert_eq!(verify_chain(&c[2..], h.as_ref(), None), Err(BrokenLink::Missing { seq: 1 }));
        // An anchor that does not match the removed entry: the first kept entry does not follow it.
        let forged = (2, c[0].hash.clone());
        assert_eq!(verify_chain(&c[2..], h.as_ref(), Some(&forged)), Err(BrokenLink::Relinked { seq: 3 }));
        // One more entry removed than the anchor covers.
        assert_eq!(verify_chain(&c[3..], h.as_ref(), Some(&anchor)), Err(BrokenLink::Missing { seq: 3 }));
    }

    #[test]
    fn months_are_calendar_months() {
        let at = |y, m, d| time::Date::from_calendar_date(y, m, d).unwrap().midnight().assume_utc().unix_timestamp() * 1000;
        use time::Month::*;
        assert_eq!(months_before(at(2026, December, 5), 6), at(2026, June, 5));
        assert_eq!(months_before(at(2026, March, 31), 1), at(2026, February, 28));
        assert_eq!(months_before(at(2026, January, 15), 13), at(2024, December, 15));
    }
}
