//! Tofaktorautentisering (MFA) for staff: the rules, apart from the TOTP arithmetic (the
//! `totp-rs` crate, in the server) and the storage.
//!
//! - What a login needs after the password ([`after_password`]).
//! - What a typed code is: six digits from the app, or a recovery code ([`MfaCode::parse`]).
//! - A code's time step is accepted once ([`step_is_fresh`]): RFC 6238 section 5.2.
//! - Failed codes per user are counted in a window ([`MfaThrottle`]); the password's own
//!   lockout does not cover them, since a correct password resets it.

use serde::{Deserialize, Serialize};

/// What the login asks for once the password was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AfterPassword {
    /// Logged in.
    Done,
    /// The user has MFA: the code from the app (or a recovery code) comes next.
    Code,
    /// A tenant of the user requires MFA and the user has none: enrol before going on.
    Enrol,
}

pub fn after_password(enrolled: bool, required_by_a_tenant: bool) -> AfterPassword {
    match (enrolled, required_by_a_tenant) {
        (true, _) => AfterPassword::Code,
        (false, true) => AfterPassword::Enrol,
        (false, false) => AfterPassword::Done,
    }
}

/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;
/// Letters of a recovery code, without the ones people confuse (0/O, 1/l/I).
pub const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Two groups of five: 31^10, about 49 bits, each stored as an argon2 hash.
pub const RECOVERY_GROUP: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaCode {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code in its stored form: lower case, without the dash.
    Recovery(String),
}

impl MfaCode {
    /// Spaces and dashes are ignored, and case: people copy codes from paper and phones.
    pub fn parse(input: &str) -> Option<MfaCode> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_lowercase();
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Some(MfaCode::Totp(compact));
        }
        if compact.len() == 2 * RECOVERY_GROUP && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            return Some(MfaCode::Recovery(compact));
        }
        None
    }
}

/// A recovery code as it is shown and printed: "abcde-fghjk".
pub fn format_recovery_code(compact: &str) -> String {
    let (a, b) = compact.split_at(compact.len().min(RECOVERY_GROUP));
    format!("{a}-{b}")
}

/// A code is accepted only for a time step after the last one accepted, so a code seen over a
/// shoulder or replayed from a log is worthless, even inside its 30 seconds.
pub fn step_is_fresh(last_accepted: i64, step: i64) -> bool {
    step > last_accepted
}

/// Failed MFA codes per user within a window. Counted apart from password failures: a correct
/// password clears those, and whoever has the password could otherwise guess codes forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MfaThrottle {
    pub max_failures: i64,
    pub window_ms: i64,
}

impl Default for MfaThrottle {
    /// Five guesses per quarter of an hour: with three valid codes at a time, about one chance
    /// in 4,600 per day of guessing, for an attacker who already has the password.
    fn default() -> Self {
        MfaThrottle { max_failures: 5, window_ms: 15 * 60 * 1000 }
    }
}

impl MfaThrottle {
    /// Whether another attempt may be made, given the failures inside the window.
    pub fn allows(&self, failures_in_window: i64) -> bool {
        failures_in_window < self.max_failures
    }

    pub fn retry_after_minutes(&self) -> i64 {
        self.window_ms / 60_000
    }
}

/// Where an enrolled app shows the code: the QR code and the key for typing in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaEnrolment {
    /// The seed in base32, in groups of four for typing.
    pub secret: String,
    /// The otpauth:// link as an SVG QR code (no script, so the page's CSP allows it inline).
    pub qr_svg: String,
}

/// The user's own MFA, for the Tofaktor page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MfaStatus {
    pub enrolled: bool,
    pub recovery_codes_left: u32,
    /// A tenant of the user requires it.
    pub required: bool,
}

/// What a finished enrolment hands the user, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaEnrolled {
    pub recovery_codes: Vec<String>,
    /// Where to go on: the app, or the tenant choice when this enrolment was part of a login.
    pub next: String,
}

/// How a code was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaAccepted {
    Totp,
    RecoveryCode { left: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_asks_for_a_code_only_of_enrolled_users_and_enrolment_where_required() {
        assert_eq!(after_password(false, false), AfterPassword::Done);
        assert_eq!(after_password(true, false), AfterPassword::Code);
        assert_eq!(after_password(true, true), AfterPassword::Code);
        assert_eq!(after_password(false, true), AfterPassword::Enrol);
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(MfaCode::parse(" 123 456 "), Some(MfaCode::Totp("123456".into())));
        assert_eq!(MfaCode::parse("ABCDE-FGHJK"), Some(MfaCode::Recovery("abcdefghjk".into())));
        assert_eq!(MfaCode::parse("abcde fghjk"), Some(MfaCode::Recovery("abcdefghjk".into())));
        // Too short, too long, letters outside the alphabet.
        assert_eq!(MfaCode::parse("12345"), None);
        assert_eq!(MfaCode::parse("1234567"), None);
        assert_eq!(MfaCode::parse("abcde-fghjl"), None);
        assert_eq!(MfaCode::parse(""), None);
        assert_eq!(format_recovery_code("abcdefghjk"), "abcde-fghjk");
    }

    #[test]
    fn a_time_step_is_accepted_once() {
        assert!(step_is_fresh(0, 57_000_000));
        assert!(!step_is_fresh(57_000_000, 57_000_000));
        // The previous step's code (clock skew) after the current one was used: refused too.
        assert!(!step_is_fresh(57_000_000, 56_999_999));
        assert!(step_is_fresh(57_000_000, 57_000_001));
    }

    #[test]
    fn the_fifth_failure_in_the_window_stops_further_codes() {
        let t = MfaThrottle::default();
        assert!(t.allows(4));
        assert!(!t.allows(5));
        assert_eq!(t.retry_after_minutes(), 15);
    }
}
