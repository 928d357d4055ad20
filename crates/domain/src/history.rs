//! The change history of a booking.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The side a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// Made in roombridge, through the API or the command line.
    Internal,
    /// Read from Exchange by the sync engine.
    Exchange,
}

impl Side {
    /// Returns the name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Internal => "internal",
            Side::Exchange => "exchange",
        }
    }

    /// Parses the name returned by [`Side::as_str`].
    pub fn parse(value: &str) -> Option<Side> {
        match value {
            "internal" => Some(Side::Internal),
            "exchange" => Some(Side::Exchange),
            _ => None,
        }
    }
}

/// Author of a change, recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Mailbox address of the user, or `sync` for the sync engine.
    pub name: String,
    /// The side the change comes from.
    pub side: Side,
}

impl Actor {
    /// Returns the actor for a change a roombridge user makes.
    pub fn user(address: impl Into<String>) -> Actor {
        Actor {
            name: address.into(),
            side: Side::Internal,
        }
    }

    /// Returns the actor for a change the sync engine read from Exchange.
    pub fn exchange() -> Actor {
        Actor {
            name: "sync".to_owned(),
            side: Side::Exchange,
        }
    }
}

/// Kind of change a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryAction {
    /// The booking was created.
    Created,
    /// Fields of the booking changed.
    Updated,
    /// The booking was deleted in roombridge.
    Deleted,
}

impl HistoryAction {
    /// Returns the name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryAction::Created => "created",
            HistoryAction::Updated => "updated",
            HistoryAction::Deleted => "deleted",
        }
    }

    /// Parses the name returned by [`HistoryAction::as_str`].
    pub fn parse(value: &str) -> Option<HistoryAction> {
        match value {
            "created" => Some(HistoryAction::Created),
            "updated" => Some(HistoryAction::Updated),
            "deleted" => Some(HistoryAction::Deleted),
            _ => None,
        }
    }
}

/// One field's value before and after a change, as JSON. `from` is null
/// for a created booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Field name as in the booking's JSON form, such as `start`.
    pub field: String,
    /// Value before the change.
    pub from: serde_json::Value,
    /// Value after the change.
    pub to: serde_json::Value,
}

/// One change to a booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The booking that changed.
    pub booking_id: Uuid,
    /// When the change was stored.
    pub at: Timestamp,
    /// Author of the change.
    pub actor: String,
    /// The side the change came from.
    pub side: Side,
    /// What happened.
    pub action: HistoryAction,
    /// Booking version after the change.
    pub version: i64,
    /// Fields that changed.
    pub changes: Vec<FieldChange>,
}

/// Booking fields that the history tracks, by their JSON names. The version
/// and the stored-at times change with every write, and the Exchange link is
/// bookkeeping of the sync engine, so they are left out.
const TRACKED_FIELDS: &[&str] = &[
    "room",
    "organizer",
    "subject",
    "body",
    "start",
    "end",
    "time_zone",
    "all_day",
    "attendees",
    "origin",
    "status",
    "declined_reason",
    "deleted_at",
];

impl crate::Booking {
    /// Lists the tracked fields that differ between `before` and `self`.
    /// With no `before`, lists every tracked field as set from null.
    pub fn changes_since(&self, before: Option<&crate::Booking>) -> Vec<FieldChange> {
        let after = to_json_object(self);
        let before = before.map(to_json_object).unwrap_or_default();
        let null = serde_json::Value::Null;

        TRACKED_FIELDS
            .iter()
            .filter_map(|field| {
                let from = before.get(*field).unwrap_or(&null);
                let to = after.get(*field).unwrap_or(&null);
                (from != to).then(|| FieldChange {
                    field: (*field).to_owned(),
                    from: from.clone(),
                    to: to.clone(),
                })
            })
            .collect()
    }
}

fn to_json_object(booking: &crate::Booking) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(booking) {
        Ok(serde_json::Value::Object(map)) => map,
        // OK because a struct with named fields always serializes to an object.
        _ => serde_json::Map::new(),
    }
}
