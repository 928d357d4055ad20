//! API tokens: generation and hashing.
//!
//! A token is 32 bytes from the operating system's random source, written
//! as `rb_` plus unpadded base64url. Only its SHA-256 hash is stored. A fast
//! hash is right here, unlike for passwords: with 256 random bits there is
//! nothing to guess, so a slow key-derivation function would add cost to
//! every request and no protection.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::StoreError;

/// Prefix that marks a roombridge API token, so it is recognisable in
/// secret scanners and configuration.
pub const TOKEN_PREFIX: &str = "rb_";

pub(crate) fn generate() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    OsRng.try_fill_bytes(&mut bytes).map_err(|error| {
        StoreError::Database(format!("failed to read the system random source: {error}"))
    })?;
    Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

pub(crate) fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_differ() {
        let first = generate().unwrap();
        let second = generate().unwrap();
        assert_ne!(first, second);
        assert!(first.starts_with(TOKEN_PREFIX));
        assert_eq!(first.len(), TOKEN_PREFIX.len() + 43);
    }

    #[test]
    fn hash_is_hex_sha256() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
