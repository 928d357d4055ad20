//! Outbox records: booking changes waiting to be pushed to Exchange.
//!
//! The store writes an outbox record in the same transaction as the booking
//! change, so a change that is stored is never lost on its way to Exchange.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Kind of work the sync engine has to do in Exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutboxKind {
    /// Create the meeting and invite the room.
    Create,
    /// Update the meeting to the booking's current state.
    Update,
    /// Cancel the meeting.
    Delete,
}

impl OutboxKind {
    /// Returns the name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Create => "create",
            OutboxKind::Update => "update",
            OutboxKind::Delete => "delete",
        }
    }

    /// Parses the name returned by [`OutboxKind::as_str`].
    pub fn parse(value: &str) -> Option<OutboxKind> {
        match value {
            "create" => Some(OutboxKind::Create),
            "update" => Some(OutboxKind::Update),
            "delete" => Some(OutboxKind::Delete),
            _ => None,
        }
    }
}

/// Processing state of an outbox record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutboxState {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a sync engine instance until its lease ends.
    Claimed,
    /// Pushed to Exchange.
    Done,
    /// Given up on; waits for an operator.
    Parked,
}

impl OutboxState {
    /// Returns the name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Claimed => "claimed",
            OutboxState::Done => "done",
            OutboxState::Parked => "parked",
        }
    }

    /// Parses the name returned by [`OutboxState::as_str`].
    pub fn parse(value: &str) -> Option<OutboxState> {
        match value {
            "pending" => Some(OutboxState::Pending),
            "claimed" => Some(OutboxState::Claimed),
            "done" => Some(OutboxState::Done),
            "parked" => Some(OutboxState::Parked),
            _ => None,
        }
    }
}

/// A booking change waiting to be pushed to Exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRecord {
    /// Sequence number; records of one booking are processed in this order.
    pub id: i64,
    /// The booking that changed.
    pub booking_id: Uuid,
    /// Work to do in Exchange.
    pub kind: OutboxKind,
    /// Booking version the change produced.
    pub booking_version: i64,
    /// Room the booking left, when the change moved it to another room.
    pub previous_room: Option<String>,
    /// Processing state.
    pub state: OutboxState,
    /// Number of times the record was claimed.
    pub attempts: i64,
    /// Error of the last failed attempt.
    pub last_error: Option<String>,
    /// Earliest time of the next attempt.
    pub next_attempt_at: Timestamp,
    /// End of the current claim; another instance may take the record over
    /// after it.
    pub claimed_until: Option<Timestamp>,
    /// When the change was stored.
    pub created_at: Timestamp,
}
