//! Staff password login: argon2id hashing, the lockout rule, and the login log.

use app::error::ApiError;
use app::model::StaffUserId;
use app::ports::{AccessAction, AccessActor, AccessEntry, LoginEvent, LoginOutcome, Repository, StaffAuth};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use std::sync::Arc;

/// OWASP's argon2id minimum: 19 MiB memory, two passes, one lane.
pub fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).expect("argon2 hashing").to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// How many failures within the window lock an account, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: usize,
    pub window_ms: i64,
    /// Failed logins from one address within the window, over all accounts (staff and Min
    /// Side), before that address must wait: the lock per account does not stop one address
    /// trying one password against many accounts.
    pub max_failures_per_ip: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy { max_failures: 10, window_ms: 15 * 60 * 1000, max_failures_per_ip: 50 }
    }
}

impl LockoutPolicy {
    /// The rule itself: given the failures inside the window (oldest first), when may the next
    /// attempt be made? `None` means now.
    pub fn locked_until(&self, failures_ms: &[i64]) -> Option<i64> {
        if failures_ms.len() < self.max_failures {
            return None;
        }
        // The lock lifts when enough of the failures have aged out of the window.
        let oldest_that_counts = failures_ms[failures_ms.len() - self.max_failures];
        Some(oldest_that_counts + self.window_ms)
    }

    /// The address's turn to wait, given its failures inside the window. Counted, not timed
    /// per failure, so the answer is "a window" rather than the exact minute.
    pub fn ip_throttled(&self, failures_from_ip: i64) -> Option<ApiError> {
        (failures_from_ip >= self.max_failures_per_ip).then(|| ApiError::Locked { retry_after_minutes: self.window_ms / 60_000 })
    }

    /// Refuses an attempt from an address that failed too often lately (not logged again, so a
    /// flood of attempts does not also flood the login log).
    pub async fn check_ip(&self, repo: &dyn Repository, ip: Option<&str>, now_ms: i64) -> Result<(), ApiError> {
        let Some(ip) = ip else { return Ok(()) };
        let failures = repo.failures_from_ip_since(ip, now_ms - self.window_ms).await?;
        self.ip_throttled(failures).map_or(Ok(()), Err)
    }

    /// The lock as the error the user sees: whole minutes, rounded up.
    pub fn locked(&self, failures_ms: &[i64], now_ms: i64) -> Option<ApiError> {
        let until = self.locked_until(failures_ms)?;
        Some(ApiError::Locked { retry_after_minutes: ((until - now_ms).max(0) + 59_999) / 60_000 })
    }
}

pub struct Argon2StaffAuth {
    repo: Arc<dyn Repository>,
    policy: LockoutPolicy,
    /// Verified against when the e-mail is unknown, so that answer takes as long as a real one.
    dummy_hash: String,
}

impl Argon2StaffAuth {
    pub fn new(repo: Arc<dyn Repository>, policy: LockoutPolicy) -> Self {
        Argon2StaffAuth { repo, policy, dummy_hash: hash_password("not-a-password-anyone-has") }
    }
}

/// The login name as stored (trimmed, lower case), or None for input no account can match:
/// such attempts are answered as a wrong password without touching the database.
pub fn login_name(email: &str, password: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    (!email.is_empty() && email.len() <= 254 && password.len() <= 1024).then_some(email)
}

/// argon2 takes tens of milliseconds of CPU: off the async workers.
pub async fn verify_off_runtime(password: &str, hash: String) -> Result<bool, ApiError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.map_err(|_| ApiError::Internal)
}

pub async fn hash_off_runtime(password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|_| ApiError::Internal)
}

/// The one clock of the app and the server.
pub use app::session::now_ms;

impl Argon2StaffAuth {
    /// A failed login of a known account goes into the access log of each client it works for,
    /// where that client's administrators look. An unknown address belongs to no client and is
    /// only in the login log.
    async fn log_failure(&self, event: &LoginEvent) -> Result<(), ApiError> {
        let (Some(user), false) = (event.user_id, event.outcome == LoginOutcome::Succeeded) else {
            return Ok(());
        };
        let outcome = match event.outcome {
            LoginOutcome::Locked => "locked",
            _ => "wrong_password",
        };
        for tenant in self.repo.tenants_of(user).await? {
            let entry = AccessEntry {
                tenant_id: tenant.id,
                actor: AccessActor::Staff(user),
                action: AccessAction::StaffLoginFailed,
                customer_id: None,
                object: Some(outcome.to_string()),
                ip: event.ip.clone(),
            };
            self.repo.append_access(&entry).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl StaffAuth for Argon2StaffAuth {
    async fn login(&self, email: &str, password: &str, ip: Option<String>) -> Result<StaffUserId, ApiError> {
        let email = login_name(email, password).ok_or(ApiError::WrongCredentials)?;
        let now = now_ms();
        self.policy.check_ip(self.repo.as_ref(), ip.as_deref(), now).await?;
        let failures = self.repo.failures_since(&email, now - self.policy.window_ms).await?;
        let account = self.repo.staff_by_email(&email).await?;
        let mut event = LoginEvent { email: email.clone(), user_id: account.as_ref().map(|a| a.id), outcome: LoginOutcome::Locked, at_unix_ms: now, ip };
        // Unknown e-mails lock the same way, so the lock message does not reveal which exist.
        if let Some(locked) = self.policy.locked(&failures, now) {
            self.repo.append_login_event(&event).await?;
            self.log_failure(&event).await?;
            return Err(locked);
        }
        let hash = account.as_ref().map_or(self.dummy_hash.clone(), |a| a.password_hash.clone());
        let matches = verify_off_runtime(password, hash).await?;
        event.outcome = match (&account, matches) {
            (Some(_), true) => LoginOutcome::Succeeded,
            (Some(_), false) => LoginOutcome::WrongPassword,
            (None, _) => LoginOutcome::UnknownEmail,
        };
        self.repo.append_login_event(&event).await?;
        self.log_failure(&event).await?;
        match (account, event.outcome) {
            (Some(a), LoginOutcome::Succeeded) => Ok(a.id),
            _ => Err(ApiError::WrongCredentials),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let h = hash_password("riktig hest batteri stift");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("riktig hest batteri stift", &h));
        assert!(!verify_password("feil", &h));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn an_address_waits_after_fifty_failures_in_the_window() {
        let p = LockoutPolicy::default();
        assert_eq!(p.ip_throttled(49), None);
        assert_eq!(p.ip_throttled(50), Some(ApiError::Locked { retry_after_minutes: 15 }));
    }

    #[test]
    fn the_lock_starts_at_the_tenth_failure_and_lifts_as_they_age() {
        let p = LockoutPolicy::default();
        let nine: Vec<i64> = (0..9).map(|i| i * 1000).collect();
        assert_eq!(p.locked_until(&nine), None);
        let ten: Vec<i64> = (0..10).map(|i| i * 1000).collect();
        assert_eq!(p.locked_until(&ten), Some(p.window_ms));
        let eleven: Vec<i64> = (0..11).map(|i| i * 1000).collect();
        assert_eq!(p.locked_until(&eleven), Some(1000 + p.window_ms));
    }
}
