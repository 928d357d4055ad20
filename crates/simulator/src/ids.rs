//! ItemId, ChangeKey and FolderId encoding.
//!
//! Ids are opaque base64 strings to clients, as on Exchange. Inside they
//! carry the item number (and, for an occurrence, its original start), so
//! any id the simulator handed out resolves without a lookup table.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;

use crate::model::{Folder, Item};

const ITEM_TAG: &[u8; 4] = b"RBI1";
const OCCURRENCE_TAG: &[u8; 4] = b"RBO1";
const FOLDER_TAG: &[u8; 4] = b"RBF1";

/// A decoded ItemId: an item, or one occurrence of a series master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ItemRef {
    pub(crate) number: u64,
    pub(crate) occurrence: Option<Timestamp>,
}

/// Returns the ItemId of a stored item or of a synthesized occurrence.
pub(crate) fn item_id(item: &Item) -> String {
    let occurrence = item
        .calendar
        .as_ref()
        .and_then(|calendar| calendar.recurrence_id);
    match occurrence {
        Some(original) if item.kind == crate::model::ItemKind::CalendarItem => {
            let mut bytes = OCCURRENCE_TAG.to_vec();
            bytes.extend_from_slice(&item.number.to_be_bytes());
            bytes.extend_from_slice(&original.as_second().to_be_bytes());
            STANDARD.encode(bytes)
        }
        _ => item_id_for_number(item.number),
    }
}

/// Returns the ItemId of the stored item with this number.
pub(crate) fn item_id_for_number(number: u64) -> String {
    let mut bytes = ITEM_TAG.to_vec();
    bytes.extend_from_slice(&number.to_be_bytes());
    STANDARD.encode(bytes)
}

/// Returns the ChangeKey for an item's current version.
pub(crate) fn change_key(item: &Item) -> String {
    let mut bytes = b"CK".to_vec();
    bytes.extend_from_slice(&item.number.to_be_bytes());
    bytes.extend_from_slice(&item.version.to_be_bytes());
    STANDARD.encode(bytes)
}

/// Decodes an ItemId, or returns `None` when it is malformed.
pub(crate) fn parse_item_id(id: &str) -> Option<ItemRef> {
    let bytes = STANDARD.decode(id.trim()).ok()?;
    let (tag, rest) = bytes.split_at_checked(4)?;
    if tag == ITEM_TAG && rest.len() == 8 {
        return Some(ItemRef {
            number: u64::from_be_bytes(rest.try_into().ok()?),
            occurrence: None,
        });
    }
    if tag == OCCURRENCE_TAG && rest.len() == 16 {
        let number = u64::from_be_bytes(rest[..8].try_into().ok()?);
        let seconds = i64::from_be_bytes(rest[8..].try_into().ok()?);
        return Some(ItemRef {
            number,
            occurrence: Some(Timestamp::from_second(seconds).ok()?),
        });
    }
    None
}

/// Returns the FolderId of a mailbox folder.
pub(crate) fn folder_id(mailbox: &str, folder: Folder) -> String {
    let mut bytes = FOLDER_TAG.to_vec();
    bytes.push(
        Folder::ALL
            .iter()
            .position(|candidate| *candidate == folder)
            .unwrap_or(0) as u8,
    );
    bytes.extend_from_slice(mailbox.as_bytes());
    STANDARD.encode(bytes)
}

/// Returns the folder ChangeKey (folders never change in the simulator).
pub(crate) fn folder_change_key() -> &'static str {
    "AQAAAA=="
}

/// Decodes a FolderId into mailbox address and folder.
pub(crate) fn parse_folder_id(id: &str) -> Option<(String, Folder)> {
    let bytes = STANDARD.decode(id.trim()).ok()?;
    let (tag, rest) = bytes.split_at_checked(4)?;
    if tag != FOLDER_TAG || rest.is_empty() {
        return None;
    }
    let folder = *Folder::ALL.get(usize::from(rest[0]))?;
    let mailbox = String::from_utf8(rest[1..].to_vec()).ok()?;
    Some((mailbox, folder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_ids_round_trip() {
        let id = folder_id("alice@example.com", Folder::Calendar);
        assert_eq!(
            parse_folder_id(&id),
            Some(("alice@example.com".to_string(), Folder::Calendar))
        );
        assert_eq!(parse_folder_id("AAMkA"), None);
    }

    #[test]
    fn malformed_item_ids_are_rejected() {
        assert_eq!(parse_item_id("DUMMY"), None);
        assert_eq!(parse_item_id(""), None);
    }
}
