//! Tofaktorautentisering for staff: TOTP (RFC 6238, `totp-rs`: SHA-1, six digits, 30-second
//! steps, one step of clock skew either way, as every authenticator app expects), with ten
//! single-use recovery codes.
//!
//! The seed is sealed with the installation's key (the same AEAD as Hemmeligheter, bound to the
//! user), recovery codes are stored as argon2 hashes, every attempt is logged in
//! `staff_mfa_events`, and the rules (replay, throttle) are `app::domain::mfa`.

use crate::auth::{hash_off_runtime, now_ms};
use app::domain::mfa::{format_recovery_code, step_is_fresh, MfaAccepted, MfaCode, MfaEnrolment, MfaStatus, MfaThrottle};
use app::domain::mfa::{RECOVERY_ALPHABET, RECOVERY_CODES, RECOVERY_GROUP};
use app::error::ApiError;
use app::model::StaffUserId;
use app::ports::{Repository, SecretCipher, StaffMfa, TotpAd};
use async_trait::async_trait;
use rand::Rng;
use std::sync::Arc;
use totp_rs::{Builder, Secret, Totp};

/// Shown in the authenticator app above the account name.
pub const ISSUER: &str = "Samtykke";

pub struct TotpMfa {
    repo: Arc<dyn Repository>,
    cipher: Arc<dyn SecretCipher>,
    throttle: MfaThrottle,
}

impl TotpMfa {
    pub fn new(repo: Arc<dyn Repository>, cipher: Arc<dyn SecretCipher>) -> Self {
        TotpMfa { repo, cipher, throttle: MfaThrottle::default() }
    }
}

/// The TOTP of a base32 seed, as the app computes it.
pub fn totp(secret_base32: &str, account_name: &str) -> Result<Totp, ApiError> {
    let secret = Secret::try_from_base32(secret_base32).map_err(|_| ApiError::Internal)?;
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account_name)
        .build()
        .map_err(|_| ApiError::Internal)
}

/// The time step a six-digit code belongs to, now (with one step of skew), if it matches.
pub fn matching_step(secret_base32: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let t = totp(secret_base32, "").ok()?;
    t.check(code, unix_seconds).map(|step| step as i64)
}

fn unix_seconds() -> u64 {
    (now_ms() / 1000) as u64
}

/// 160 random bits, as RFC 4226 recommends.
fn new_seed() -> String {
    let bytes: [u8; 20] = rand::rngs::OsRng.gen();
    Secret::from(bytes.to_vec()).to_base32()
}

fn new_recovery_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..2 * RECOVERY_GROUP).map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char).collect()
}

fn qr_svg(url: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|_| ApiError::Internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join(" ")
}

impl TotpMfa {
    fn open_seed(&self, user: StaffUserId, sealed: &app::ports::Sealed) -> Result<String, ApiError> {
        self.cipher.open(&TotpAd { user }, sealed).map_err(|e| {
            tracing::error!(user, error = ?e, "a TOTP seed does not open");
            ApiError::Internal
        })
    }

    async fn refuse(&self, user: StaffUserId, ip: Option<&str>) -> Result<MfaAccepted, ApiError> {
        self.repo.append_mfa_event(user, "failed", now_ms(), ip).await?;
        Err(ApiError::WrongCode)
    }

    async fn check_recovery_code(&self, user: StaffUserId, code: &str, ip: Option<&str>) -> Result<MfaAccepted, ApiError> {
        let unused = self.repo.unused_recovery_codes(user).await?;
        let code = code.to_owned();
        let hashes = unused.clone();
        // argon2 per stored code, off the async workers.
        let found = tokio::task::spawn_blocking(move || {
            hashes.iter().find(|(_, hash)| crate::auth::verify_password(&code, hash)).map(|(id, _)| *id)
        })
        .await
        .map_err(|_| ApiError::Internal)?;
        match found {
            Some(id) if self.repo.use_recovery_code(id, now_ms()).await? => {
                self.repo.append_mfa_event(user, "recovery_code_used", now_ms(), ip).await?;
                Ok(MfaAccepted::RecoveryCode { left: unused.len().saturating_sub(1) as u32 })
            }
            _ => self.refuse(user, ip).await,
        }
    }
}

#[async_trait]
impl StaffMfa for TotpMfa {
    async fn status(&self, user: StaffUserId) -> Result<MfaStatus, ApiError> {
        let enrolled = self.repo.totp_of(user).await?.is_some_and(|t| t.confirmed);
        let left = if enrolled { self.repo.unused_recovery_codes(user).await?.len() as u32 } else { 0 };
        Ok(MfaStatus { enrolled, recovery_codes_left: left, required: self.repo.mfa_required_for(user).await? })
    }

    async fn begin_enrolment(&self, user: StaffUserId, account_name: &str) -> Result<MfaEnrolment, ApiError> {
        let seed = new_seed();
        let sealed = self.cipher.seal(&TotpAd { user }, &seed);
        if !self.repo.set_pending_totp(user, &sealed).await? {
            return Err(ApiError::Conflict);
        }
        let url = totp(&seed, account_name)?.to_url().map_err(|_| ApiError::Internal)?;
        Ok(MfaEnrolment { secret: grouped(&seed), qr_svg: qr_svg(&url)? })
    }

    async fn confirm_enrolment(&self, user: StaffUserId, code: &str, ip: Option<String>) -> Result<Vec<String>, ApiError> {
        let pending = self.repo.totp_of(user).await?.filter(|t| !t.confirmed).ok_or(ApiError::Conflict)?;
        let Some(MfaCode::Totp(code)) = MfaCode::parse(code) else {
            return Err(ApiError::WrongCode);
        };
        let seed = self.open_seed(user, &pending.sealed)?;
        let step = matching_step(&seed, &code, unix_seconds()).ok_or(ApiError::WrongCode)?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let mut hashes = Vec::with_capacity(codes.len());
        for c in &codes {
            hashes.push(hash_off_runtime(c).await?);
        }
        if !self.repo.confirm_totp(user, step, &hashes, now_ms()).await? {
            return Err(ApiError::Conflict);
        }
        self.repo.append_mfa_event(user, "enrolled", now_ms(), ip.as_deref()).await?;
        Ok(codes.iter().map(|c| format_recovery_code(c)).collect())
    }

    async fn verify(&self, user: StaffUserId, code: &str, ip: Option<String>) -> Result<MfaAccepted, ApiError> {
        let ip = ip.as_deref();
        let failures = self.repo.mfa_failures_since(user, now_ms() - self.throttle.window_ms).await?;
        if !self.throttle.allows(failures) {
            self.repo.append_mfa_event(user, "locked", now_ms(), ip).await?;
            return Err(ApiError::Locked { retry_after_minutes: self.throttle.retry_after_minutes() });
        }
        let stored = self.repo.totp_of(user).await?.filter(|t| t.confirmed).ok_or(ApiError::NotLoggedIn)?;
        match MfaCode::parse(code) {
            Some(MfaCode::Totp(code)) => {
                let seed = self.open_seed(user, &stored.sealed)?;
                let fresh = matching_step(&seed, &code, unix_seconds()).filter(|step| step_is_fresh(stored.last_step, *step));
                match fresh {
                    // The row decides, so a code raced through two servers is still accepted once.
                    Some(step) if self.repo.use_totp_step(user, step).await? => {
                        self.repo.append_mfa_event(user, "succeeded", now_ms(), ip).await?;
                        Ok(MfaAccepted::Totp)
                    }
                    _ => self.refuse(user, ip).await,
                }
            }
            Some(MfaCode::Recovery(code)) => self.check_recovery_code(user, &code, ip).await,
            None => self.refuse(user, ip).await,
        }
    }

    async fn reset(&self, user: StaffUserId, ip: Option<String>) -> Result<(), ApiError> {
        self.repo.remove_mfa(user).await?;
        self.repo.append_mfa_event(user, "reset", now_ms(), ip.as_deref()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the seed "12345678901234567890" at T = 59 s gives 94287082;
    /// six digits are its last six.
    #[test]
    fn codes_match_the_rfc_test_vector() {
        let seed = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(matching_step(&seed, "287082", 59), Some(1));
        // One step of skew either way, no more.
        assert_eq!(matching_step(&seed, "287082", 89), Some(1));
        assert_eq!(matching_step(&seed, "287082", 120), None);
        assert_eq!(matching_step(&seed, "287083", 59), None);
    }

    #[test]
    fn recovery_codes_are_random_and_parse_back() {
        let a = new_recovery_code();
        assert_ne!(a, new_recovery_code());
        assert_eq!(MfaCode::parse(&format_recovery_code(&a)), Some(MfaCode::Recovery(a)));
        assert_eq!(Secret::try_from_base32(new_seed().as_str()).unwrap().len(), 20);
    }

    #[test]
    fn the_qr_code_is_an_svg_of_the_otpauth_link() {
        let seed = new_seed();
        let url = totp(&seed, "ada@example.no").unwrap().to_url().unwrap();
        assert!(url.starts_with("otpauth://totp/Samtykke:ada%40example.no?"), "{url}");
        assert!(url.contains(&format!("secret={seed}")));
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg") && !svg.contains("<script"));
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
