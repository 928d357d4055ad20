//! SyncFolderItems sync states: opaque, tamper-evident tokens.
//!
//! A state carries the mailbox, the folder, the change sequence number the
//! client has seen and the time it was issued, followed by an HMAC-SHA256
//! over those fields with a key drawn at start-up. A state that was altered,
//! issued by another process (or before a key rotation), or is older than
//! the maximum age fails verification, and the caller returns
//! ErrorInvalidSyncStateData.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;

use crate::model::Folder;

type HmacSha256 = Hmac<Sha256>;

/// The fields a sync state carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyncPosition {
    pub(crate) mailbox: String,
    pub(crate) folder: Folder,
    pub(crate) seq: u64,
    pub(crate) issued: Timestamp,
}

/// Issues and verifies sync states with one secret key.
pub(crate) struct SyncStateKey {
    key: [u8; 32],
    max_age: SignedDuration,
}

impl std::fmt::Debug for SyncStateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncStateKey")
            .field("key", &"<redacted>")
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl SyncStateKey {
    /// Creates a key drawn from the operating system's random source.
    pub(crate) fn random(max_age: SignedDuration) -> SyncStateKey {
        SyncStateKey {
            key: rand::random(),
            max_age,
        }
    }

    /// Encodes a position into a sync state.
    pub(crate) fn issue(&self, position: &SyncPosition) -> String {
        let payload = format!(
            "v1\n{}\n{}\n{}\n{}",
            position.mailbox,
            position.folder.distinguished_id(),
            position.seq,
            position.issued.as_second()
        );
        let mut bytes = payload.into_bytes();
        let tag = self.mac(&bytes);
        bytes.extend_from_slice(&tag);
        STANDARD.encode(bytes)
    }

    /// Decodes and verifies a sync state issued for `mailbox` and `folder`.
    pub(crate) fn verify(
        &self,
        state: &str,
        mailbox: &str,
        folder: Folder,
        now: Timestamp,
    ) -> Option<SyncPosition> {
        let bytes = STANDARD.decode(state.trim()).ok()?;
        let split = bytes.len().checked_sub(32)?;
        let (payload, tag) = bytes.split_at(split);
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(payload);
        mac.verify_slice(tag).ok()?;
        let text = std::str::from_utf8(payload).ok()?;
        let mut fields = text.split('\n');
        if fields.next()? != "v1" {
            return None;
        }
        let position = SyncPosition {
            mailbox: fields.next()?.to_string(),
            folder: Folder::from_distinguished_id(fields.next()?)?,
            seq: fields.next()?.parse().ok()?,
            issued: Timestamp::from_second(fields.next()?.parse().ok()?).ok()?,
        };
        let expired = now.duration_since(position.issued) > self.max_age;
        let matches = position.mailbox == mailbox && position.folder == folder;
        (matches && !expired).then_some(position)
    }

    fn mac(&self, payload: &[u8]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(payload);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position() -> SyncPosition {
        SyncPosition {
            mailbox: "room@example.com".into(),
            folder: Folder::Calendar,
            seq: 42,
            issued: Timestamp::from_second(1_900_000_000).unwrap(),
        }
    }

    #[test]
    fn round_trips() {
        let key = SyncStateKey::random(SignedDuration::from_hours(1));
        let state = key.issue(&position());
        let now = position().issued;
        assert_eq!(
            key.verify(&state, "room@example.com", Folder::Calendar, now),
            Some(position())
        );
    }

    #[test]
    fn rejects_tampering_other_keys_other_folders_and_age() {
        let key = SyncStateKey::random(SignedDuration::from_hours(1));
        let state = key.issue(&position());
        let now = position().issued;
        let mut bytes = STANDARD.decode(&state).unwrap();
        bytes[10] ^= 1;
        assert_eq!(
            key.verify(
                &STANDARD.encode(bytes),
                "room@example.com",
                Folder::Calendar,
                now
            ),
            None
        );
        let other = SyncStateKey::random(SignedDuration::from_hours(1));
        assert_eq!(
            other.verify(&state, "room@example.com", Folder::Calendar, now),
            None
        );
        assert_eq!(
            key.verify(&state, "room@example.com", Folder::Inbox, now),
            None
        );
        let later = now.checked_add(SignedDuration::from_hours(2)).unwrap();
        assert_eq!(
            key.verify(&state, "room@example.com", Folder::Calendar, later),
            None
        );
    }
}
