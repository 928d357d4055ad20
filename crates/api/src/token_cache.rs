//! A short-lived cache of authenticated tokens, so that a client sending
//! many requests costs one token lookup in the database per minute rather
//! than one per request.
//!
//! Entries are keyed by the SHA-256 of the token, so the cache never stores
//! a token itself. Only successful lookups are cached: an unknown token is
//! looked up every time, which keeps guessed tokens from filling memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use roombridge_domain::User;
use sha2::{Digest, Sha256};

/// Lifetime of a cached lookup. A token removed from the
/// database keeps working on this instance for at most this long.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(60);

/// Maximum number of cached tokens; the cache is emptied when it is full.
const MAX_ENTRIES: usize = 10_000;

/// Users of recently authenticated tokens.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<[u8; 32], (User, Instant)>>,
}

impl TokenCache {
    /// Returns the user of `token` when it was authenticated less than
    /// [`TOKEN_CACHE_TTL`] ago.
    pub(crate) fn get(&self, token: &str) -> Option<User> {
        let key = key(token);
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match entries.get(&key) {
            Some((user, stored)) if stored.elapsed() < TOKEN_CACHE_TTL => Some(user.clone()),
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Remembers that `token` belongs to `user`.
    pub(crate) fn insert(&self, token: &str, user: &User) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key(token), (user.clone(), Instant::now()));
    }
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> User {
        User {
            address: "alice@example.com".to_owned(),
            display_name: "Alice".to_owned(),
        }
    }

    #[test]
    fn cached_user_returned() {
        let cache = TokenCache::default();
        assert_eq!(cache.get("rb_token"), None);
        cache.insert("rb_token", &alice());
        assert_eq!(cache.get("rb_token"), Some(alice()));
        assert_eq!(cache.get("rb_other"), None);
    }

    #[test]
    fn expired_entry_dropped() {
        let cache = TokenCache::default();
        let old = Instant::now().checked_sub(TOKEN_CACHE_TTL + Duration::from_secs(1));
        let Some(old) = old else { return };
        cache
            .entries
            .lock()
            .unwrap()
            .insert(key("rb_token"), (alice(), old));
        assert_eq!(cache.get("rb_token"), None);
        assert!(cache.entries.lock().unwrap().is_empty());
    }

    #[test]
    fn full_cache_starts_over() {
        let cache = TokenCache::default();
        for index in 0..MAX_ENTRIES {
            cache.insert(&format!("rb_{index}"), &alice());
        }
        cache.insert("rb_last", &alice());
        assert_eq!(cache.entries.lock().unwrap().len(), 1);
        assert_eq!(cache.get("rb_last"), Some(alice()));
    }
}
