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

/// Number of hex digits of a token's hash that name it in listings.
pub const TOKEN_ID_CHARS: usize = 12;

/// Minimum number of hex digits of a token id that `revoke_token` accepts.
pub const MIN_TOKEN_ID_CHARS: usize = 8;

/// Returns the id shown for a token: the start of its hash, which reveals
/// nothing about the token itself.
pub(crate) fn id_of_hash(hash: &str) -> String {
    hash.chars().take(TOKEN_ID_CHARS).collect()
}

/// An API token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The first [`TOKEN_ID_CHARS`] hex digits of the token's SHA-256 hash.
    pub id: String,
    /// The user the token authenticates as.
    pub user_address: String,
    /// When the token was created.
    pub created_at: jiff::Timestamp,
    /// When the token stops working; `None` when it works until revoked.
    pub expires_at: Option<jiff::Timestamp>,
}

/// Converts the argument of `token revoke` into the hash prefix to match.
/// A token (with its prefix) is hashed, and an id must be 8 to 64 hex digits.
pub(crate) fn revocation_prefix(argument: &str) -> Result<String, StoreError> {
    let argument = argument.trim();
    if argument.starts_with(TOKEN_PREFIX) {
        return Ok(hash(argument));
    }
    let id = argument.to_ascii_lowercase();
    let hex = id.chars().all(|c| c.is_ascii_hexdigit());
    if !hex || !(MIN_TOKEN_ID_CHARS..=64).contains(&id.len()) {
        return Err(StoreError::invalid(
            "id",
            format!(
                "expected a token id of {MIN_TOKEN_ID_CHARS} to 64 hex digits as \
                 `roombridge token list` shows it, or the token itself, but found `{argument}`"
            ),
        ));
    }
    Ok(id)
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
    fn revocation_prefix_checks_ids() {
        let token = generate().unwrap();
        assert_eq!(revocation_prefix(&token).unwrap(), hash(&token));
        assert_eq!(revocation_prefix(" ABCDEF012345 ").unwrap(), "abcdef012345");
        for bad in ["abc", "abcdefg_", "%%%%%%%%", "abcdef01'--"] {
            let error = revocation_prefix(bad).unwrap_err().to_string();
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
    }

    #[test]
    fn hash_is_hex_sha256() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
