//! What a sync run did, per room and for the outbox.

use serde::Serialize;

/// Result of syncing one room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoomReport {
    /// Room mailbox address.
    pub room: String,
    /// Bookings stored for the first time.
    pub created: u32,
    /// Bookings whose fields changed.
    pub updated: u32,
    /// Bookings marked cancelled.
    pub cancelled: u32,
    /// Bookings the room declined.
    pub declined: u32,
    /// Errors; a room with errors committed nothing from this run.
    pub errors: Vec<String>,
    /// Requests sent to Exchange, the EWS client's own retries left out.
    // NOTE: reads that return nothing to look up count the follow-up
    // `GetItem` they skip, so this may run one or two high.
    pub requests: u32,
    /// Whether the calendar was read from the beginning (first sync or an
    /// invalid cursor) instead of incrementally.
    pub full_read: bool,
    /// Whether the run was skipped because another instance was syncing
    /// the room.
    pub skipped: bool,
    /// Wall-clock duration in milliseconds.
    pub duration_ms: u64,
}

impl RoomReport {
    /// Returns whether the run changed any booking.
    pub fn changed_anything(&self) -> bool {
        self.created + self.updated + self.cancelled + self.declined > 0
    }
}

/// Result of one pass over the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxReport {
    /// Records pushed to Exchange.
    pub pushed: u32,
    /// Records that failed and will be retried.
    pub failed: u32,
    /// Records parked after failing too often.
    pub parked: u32,
    /// Requests sent to Exchange.
    pub requests: u32,
    /// One line per failed or parked record.
    pub errors: Vec<String>,
}

/// Result of a sync run over rooms and the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// One report per room, in address order.
    pub rooms: Vec<RoomReport>,
    /// The outbox pass that ran before the rooms were read.
    pub outbox: OutboxReport,
    /// Wall-clock duration in milliseconds.
    pub duration_ms: u64,
}
