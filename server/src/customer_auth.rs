//! Min Side passwords: the password rules, single-use link tokens, login with lockout, and the
//! customer login log. Hashing and lockout are the staff login's (`auth`).

use crate::auth::{hash_off_runtime, hash_password, login_name, now_ms, verify_off_runtime, LockoutPolicy};
use app::domain::min_side::check_password_length;
use app::domain::FieldError;
use app::error::ApiError;
use app::model::TenantId;
use app::ports::{CustomerAccountRef, CustomerAuth, CustomerLoginEvent, Repository};
use async_trait::async_trait;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Words Norwegian passwords are commonly built from, which zxcvbn's English lists miss. They are
/// passed to zxcvbn as extra dictionary words, so "Passord12345" is as weak as "Password12345".
const NORWEGIAN_WORDS: &[&str] = &[
    "passord", "hemmelig", "sommer", "vinter", "høst", "vår", "norge", "oslo", "bergen", "trondheim",
    "stavanger", "kjæreste", "elsker", "fotball", "rosenborg", "brann", "vålerenga", "hallo", "hei",
    "velkommen", "jegelskerdeg", "mamma", "pappa", "hund", "katt", "qwertyuiopå", "min side", "minside",
];

/// The password rules on top of the length: refused when zxcvbn estimates fewer than 10^10
/// guesses (its score 3 or lower than that), which covers every password on its common-password
/// list (30 000 entries, with l33t, reversed and capitalised variants), repeats and keyboard
/// walks. `personal` adds the customer's own e-mail and name to the dictionary.
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), FieldError> {
    check_password_length(password)?;
    let mut words: Vec<&str> = NORWEGIAN_WORDS.to_vec();
    words.extend_from_slice(personal);
    if zxcvbn::zxcvbn(password, &words).score() < zxcvbn::Score::Three {
        return Err(FieldError::CommonPassword);
    }
    Ok(())
}

/// 32 random bytes from the OS, URL-safe: what goes into the link.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token. A plain hash is enough: the token has 256 bits of
/// randomness, so there is nothing to guess that a slow hash would protect.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

pub struct Argon2CustomerAuth {
    repo: Arc<dyn Repository>,
    policy: LockoutPolicy,
    dummy_hash: String,
}

impl Argon2CustomerAuth {
    pub fn new(repo: Arc<dyn Repository>, policy: LockoutPolicy) -> Self {
        Argon2CustomerAuth { repo, policy, dummy_hash: hash_password("not-a-password-anyone-has") }
    }

    async fn log(&self, tenant: TenantId, email: &str, account: Option<i64>, outcome: &'static str, ip: Option<String>) -> Result<(), ApiError> {
        let event = CustomerLoginEvent { tenant_id: tenant, email: email.into(), account_id: account, outcome, at_unix_ms: now_ms(), ip };
        Ok(self.repo.append_customer_login_event(&event).await?)
    }
}

#[async_trait]
impl CustomerAuth for Argon2CustomerAuth {
    async fn login(&self, tenant: TenantId, email: &str, password: &str, ip: Option<String>) -> Result<CustomerAccountRef, ApiError> {
        let email = login_name(email, password).ok_or(ApiError::WrongCredentials)?;
        let now = now_ms();
        self.policy.check_ip(self.repo.as_ref(), ip.as_deref(), now).await?;
        let failures = self.repo.customer_failures_since(tenant, &email, now - self.policy.window_ms).await?;
        let found = self.repo.customer_account_by_email(tenant, &email).await?;
        let account_id = found.as_ref().map(|(a, _)| a.id);
        if let Some(locked) = self.policy.locked(&failures, now) {
            self.log(tenant, &email, account_id, "locked", ip).await?;
            return Err(locked);
        }
        // An account whose invitation is unused has no password: it answers like a wrong one.
        let hash = found.as_ref().and_then(|(_, h)| h.clone());
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let matches = verify_off_runtime(password, hash).await?;
        match (found, known && matches) {
            (Some((account, _)), true) => {
                self.log(tenant, &email, Some(account.id), "succeeded", ip).await?;
                Ok(account)
            }
            (Some((account, _)), false) => {
                self.log(tenant, &email, Some(account.id), "wrong_password", ip).await?;
                Err(ApiError::WrongCredentials)
            }
            (None, _) => {
                self.log(tenant, &email, None, "unknown_email", ip).await?;
                Err(ApiError::WrongCredentials)
            }
        }
    }

    async fn set_password(&self, token: &str, password: &str, ip: Option<String>) -> Result<CustomerAccountRef, ApiError> {
        // The rules first, so a refused password leaves the link usable for the next try.
        check_new_password(password, &[]).map_err(|e| ApiError::invalid("password", e))?;
        if token.is_empty() || token.len() > 100 {
            return Err(ApiError::LinkInvalid);
        }
        let hash = hash_off_runtime(password).await?;
        let account = self.repo.use_token(&token_hash(token), &hash, now_ms()).await?.ok_or(ApiError::LinkInvalid)?;
        self.log(account.tenant_id, &account.email, Some(account.id), "password_set", ip).await?;
        Ok(account)
    }

    fn new_token(&self) -> (String, String) {
        let token = new_token();
        let hash = token_hash(&token);
        (token, hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_even_when_long_enough() {
        for weak in ["passwordpassword", "qwertyuiopasdf", "123456789012", "Passord12345", "passordpassord", "P@ssw0rd1234"] {
            assert_eq!(check_new_password(weak, &[]), Err(FieldError::CommonPassword), "{weak}");
        }
    }

    #[test]
    fn a_long_uncommon_passphrase_is_accepted() {
        assert_eq!(check_new_password("blåbær syltetøy under fjellet", &[]), Ok(()));
        assert_eq!(check_new_password("kort", &[]), Err(FieldError::TooShort { min: 12 }));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a.clone()));
    }
}
