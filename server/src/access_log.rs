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
/// how many entries hold, or the first broken link.
pub fn verify_chain(entries: &[StoredAccessEntry], head: Option<&(i64, String)>) -> Result<usize, BrokenLink> {
    let mut prev_hash = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i as i64 + 1;
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
    let found_last = entries.len() as i64;
    match head {
        Some((expected_last, hash)) if *expected_last != found_last || (found_last > 0 && *hash != prev_hash) => {
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
    Ok(verify_chain(&entries, head.as_ref()))
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
        assert_eq!(verify_chain(&c, head(&c).as_ref()), Ok(5));
        assert_eq!(verify_chain(&[], None), Ok(0));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].customer_id = Some(99);
        assert_eq!(verify_chain(&c, h.as_ref()), Err(BrokenLink::Altered { seq: 3 }));
    }

    #[test]
    fn a_rehashed_alteration_breaks_the_next_link() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].ip = Some("192.0.2.1".into());
        c[2].hash = entry_hash(&c[2]);
        assert_eq!(verify_chain(&c, h.as_ref()), Err(BrokenLink::Relinked { seq: 4 }));
    }

    #[test]
    fn a_removed_entry_is_named_and_so_is_a_cut_end() {
        let mut c = chain(5);
        let h = head(&c);
        c.remove(1);
        assert_eq!(verify_chain(&c, h.as_ref()), Err(BrokenLink::Missing { seq: 2 }));
        let mut c = chain(5);
        c.pop();
        assert_eq!(verify_chain(&c, h.as_ref()), Err(BrokenLink::Truncated { expected_last: 5, found_last: 4 }));
    }

    #[test]
    fn swapped_entries_are_found() {
        let mut c = chain(5);
        let h = head(&c);
        // Two entries trade places, each keeping its number: the order of events is rewritten.
        let (a, b) = (c[1].clone(), c[2].clone());
        c[1] = StoredAccessEntry { seq: 2, ..b };
        c[2] = StoredAccessEntry { seq: 3, ..a };
        assert_eq!(verify_chain(&c, h.as_ref()), Err(BrokenLink::Relinked { seq: 2 }));
    }
}
