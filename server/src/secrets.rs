//! Hemmeligheter: secret values on the customer card, encrypted at rest.
//!
//! XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) with a random 24-byte nonce per value,
//! under one key per installation that is read from `SAMTYKKE_SECRET_KEY_FILE` (a file holding
//! the key in base64) or `SAMTYKKE_SECRET_KEY` (the base64 itself), never from the database.
//! The tenant, customer and secret id are the associated data, so a value copied to another
//! row, customer or tenant no longer opens. Every value carries the id of the key that sealed
//! it; `rotate-secret-key` re-seals them all under a new key in one transaction.

use app::ports::{AssociatedData, SecretCipher, SecretOpenError, Sealed};
#[cfg(test)]
use app::ports::SecretAd;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

pub const KEY_ENV: &str = "SAMTYKKE_SECRET_KEY";
pub const KEY_FILE_ENV: &str = "SAMTYKKE_SECRET_KEY_FILE";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no key for secrets: set {KEY_FILE_ENV} to a key file (make one with `server generate-secret-key`) or {KEY_ENV} to the key in base64")]
    Missing,
    #[error("the key for secrets is not 32 bytes in base64")]
    Malformed,
    #[error("cannot read the key file {0}: {1}")]
    Unreadable(String, std::io::Error),
}

/// The installation's key. Its bytes are never printed; `id` names it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.id())
    }
}

impl SecretKey {
    pub fn generate() -> Self {
        SecretKey(XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|_| KeyError::Malformed)?;
        Ok(SecretKey(bytes.try_into().map_err(|_| KeyError::Malformed)?))
    }

    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Lower-case hex, as SQLCipher takes a raw key.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_file(path: &str) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::Unreadable(path.to_string(), e))?;
        Self::from_base64(&text)
    }

    /// The key named by the environment: the file first, then the variable.
    pub fn from_env() -> Result<Self, KeyError> {
        if let Ok(path) = std::env::var(KEY_FILE_ENV) {
            return Self::from_file(&path);
        }
        match std::env::var(KEY_ENV) {
            Ok(text) => Self::from_base64(&text),
            Err(_) => Err(KeyError::Missing),
        }
    }

    /// A short, stable name for the key (the start of its SHA-256), stored with every value.
    pub fn id(&self) -> String {
        let digest = Sha256::digest(self.0);
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// [`SecretCipher`] with XChaCha20-Poly1305.
pub struct XChaChaSecrets {
    key_id: String,
    cipher: XChaCha20Poly1305,
}

impl XChaChaSecrets {
    pub fn new(key: &SecretKey) -> Self {
        XChaChaSecrets { key_id: key.id(), cipher: XChaCha20Poly1305::new(&key.0.into()) }
    }
}

impl SecretCipher for XChaChaSecrets {
    fn seal(&self, ad: &dyn AssociatedData, plaintext: &str) -> Sealed {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = ad.bytes();
        let ciphertext = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: &aad })
            .expect("XChaCha20-Poly1305 encrypts any length a secret can have");
        Sealed { key_id: self.key_id.clone(), nonce: nonce.to_vec(), ciphertext }
    }

    fn open(&self, ad: &dyn AssociatedData, sealed: &Sealed) -> Result<String, SecretOpenError> {
        if sealed.key_id != self.key_id {
            return Err(SecretOpenError::OtherKey);
        }
        if sealed.nonce.len() != 24 {
            return Err(SecretOpenError::Tampered);
        }
        let aad = ad.bytes();
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &aad })
            .map_err(|_| SecretOpenError::Tampered)?;
        String::from_utf8(plain).map_err(|_| SecretOpenError::Tampered)
    }
}

/// Key rotation: opens every sealed value (secrets and TOTP seeds) with `old` and seals it under
/// `new`, in one transaction. Answers how many values were re-sealed.
pub async fn rotate(repo: &dyn app::ports::Repository, old: &SecretKey, new: &SecretKey) -> Result<usize, app::ports::RepoError> {
    let (old, new) = (XChaChaSecrets::new(old), XChaChaSecrets::new(new));
    repo.reseal_all(&|ad, sealed| old.open(ad, &sealed).map(|value| new.seal(ad, &value))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad(secret: i64) -> SecretAd {
        SecretAd { tenant: 1, customer: 2, secret }
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_and_place_only() {
        let key = SecretKey::generate();
        let box_ = XChaChaSecrets::new(&key);
        let sealed = box_.seal(&ad(3), "portkode 4711");
        assert!(!sealed.ciphertext.windows(4).any(|w| w == b"4711"));
        assert_eq!(box_.open(&ad(3), &sealed).unwrap(), "portkode 4711");
        // Moved to another secret, customer or tenant: refused.
        assert_eq!(box_.open(&ad(4), &sealed), Err(SecretOpenError::Tampered));
        assert_eq!(box_.open(&SecretAd { tenant: 9, customer: 2, secret: 3 }, &sealed), Err(SecretOpenError::Tampered));
        // A flipped bit: refused.
        let mut bent = sealed.clone();
        bent.ciphertext[0] ^= 1;
        assert_eq!(box_.open(&ad(3), &bent), Err(SecretOpenError::Tampered));
        // Another key: named as such, so an operator knows a rotation is half done.
        let other = XChaChaSecrets::new(&SecretKey::generate());
        assert_eq!(other.open(&ad(3), &sealed), Err(SecretOpenError::OtherKey));
    }

    #[test]
    fn two_seals_of_one_value_differ() {
        let box_ = XChaChaSecrets::new(&SecretKey::generate());
        assert_ne!(box_.seal(&ad(1), "x").ciphertext, box_.seal(&ad(1), "x").ciphertext);
    }

    #[test]
    fn keys_round_trip_through_base64_and_never_print() {
        let key = SecretKey::generate();
        let back = SecretKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(back.id(), key.id());
        assert!(!format!("{key:?}").contains(&key.to_base64()));
        assert!(matches!(SecretKey::from_base64("kort"), Err(KeyError::Malformed)));
    }
}
