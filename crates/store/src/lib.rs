//! Storage of roombridge: rooms, users, API tokens, bookings with their
//! history, and the outbox the sync engine reads, on SQLite or PostgreSQL
//! through sqlx.
//!
//! [`Store`] is the whole public surface. Every booking change runs in one
//! transaction that also appends the history entry and, for changes made in
//! roombridge, the outbox record. Conflict checks serialize per room: on
//! SQLite the transaction takes the database write lock up front
//! (`BEGIN IMMEDIATE`), on PostgreSQL it locks the room's row. No exclusion
//! constraint is used, because bookings read from Exchange may overlap.

/// Column list of the `bookings` table in the order that inserts bind it.
macro_rules! booking_columns {
    () => {
        "id, room, organizer, subject, body, start_at, end_at, time_zone, all_day, attendees, \
         origin, status, declined_reason, deleted_at, version, exchange_uid, \
         exchange_recurrence_id, organizer_item_id, organizer_change_key, room_item_id, \
         room_change_key, exchange_last_modified, created_at, updated_at"
    };
}

mod codec;
mod dispatch;
mod error;
mod migrations;
// The query modules under `sql/` are compiled once for each database, so
// that each copy is type-checked against its own sqlx driver.
#[allow(
    clippy::duplicate_mod,
    reason = "each query module is compiled once per database on purpose"
)]
mod postgres;
mod sqlite;
mod store;
mod sync;
mod token;

pub use error::StoreError;
pub use store::{
    BookingFilter, DEFAULT_LIST_LIMIT, ExternalUpsert, OUTBOX_LEASE, RoomsVersion, Store,
};
pub use sync::{
    AppliedChange, RoomItem, RoomSyncCommit, RoomSyncLock, RoomSyncOutcome, RoomSyncState,
};
pub use token::{MIN_TOKEN_ID_CHARS, TOKEN_ID_CHARS, TOKEN_PREFIX, TokenInfo};

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
