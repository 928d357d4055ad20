//! What the sync engine stores besides bookings: each room's change-feed
//! cursor, the items of each room calendar, the field values roombridge and
//! Exchange last agreed on, and the single-transaction commit of a room's
//! read. PostgreSQL instances also coordinate room runs through advisory
//! locks here.

use jiff::Timestamp;
use roombridge_domain::{Booking, ExchangeChange, ExternalBooking, OutboxRecord, OutboxState};
use uuid::Uuid;

use crate::codec::{self, truncate};
use crate::dispatch::{read_only, write_transaction};
use crate::store::Backend;
use crate::{ExternalUpsert, Store, StoreError};

/// A room's position in its calendar's change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSyncState {
    /// Room mailbox address.
    pub room: String,
    /// Opaque cursor of the change feed; `None` reads the calendar anew.
    pub cursor: Option<String>,
    /// Window whose recurring meetings were expanded into occurrences last.
    pub window: Option<(Timestamp, Timestamp)>,
    /// When the room's last read was committed.
    pub synced_at: Timestamp,
}

/// One item of a room calendar as the change feed reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomItem {
    /// Item id of the room's copy.
    pub item_id: String,
    /// iCalendar UID of the meeting.
    pub uid: String,
    /// Whether the item is the master of a recurring series.
    pub is_series: bool,
}

/// A change read from Exchange for a known booking, with the values to
/// remember as agreed and, after a two-sided edit, the decision taken.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedChange {
    /// The booking.
    pub booking_id: Uuid,
    /// What changed.
    pub change: ExchangeChange,
    /// Field values both sides hold after the change, stored as the new
    /// base of echo suppression.
    pub snapshot: Option<serde_json::Value>,
    /// Conflict decision, appended to the booking's history.
    pub decision: Option<serde_json::Value>,
}

/// Everything one complete read of a room calendar changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomSyncCommit {
    /// Room mailbox address.
    pub room: String,
    /// Cursor to continue from next time.
    pub cursor: Option<String>,
    /// Window whose recurring meetings were expanded.
    pub window: Option<(Timestamp, Timestamp)>,
    /// Whether `items_seen` lists the whole calendar, replacing what was
    /// stored (after a full re-read).
    pub replace_items: bool,
    /// Items created or updated.
    pub items_seen: Vec<RoomItem>,
    /// Item ids deleted.
    pub items_removed: Vec<String>,
    /// Bookings roombridge did not create, created or updated.
    pub external: Vec<ExternalBooking>,
    /// Changes to known bookings.
    pub changes: Vec<AppliedChange>,
}

/// What [`Store::commit_room_sync`] changed.
#[derive(Debug, Clone, Default)]
pub struct RoomSyncOutcome {
    /// Outcome of each external booking, in commit order.
    pub external: Vec<ExternalUpsert>,
    /// Each changed booking before and after the change.
    pub changed: Vec<(Booking, Booking)>,
}

/// A held right to sync one room. On PostgreSQL it is a transaction that
/// holds an advisory lock, released when the guard is dropped or
/// [`RoomSyncLock::release`]d, so instances sharing the database never sync
/// the same room at once. On SQLite, a single-instance database, it holds
/// nothing.
#[derive(Debug)]
pub struct RoomSyncLock {
    transaction: Option<sqlx::Transaction<'static, sqlx::Postgres>>,
}

impl RoomSyncLock {
    /// Releases the lock.
    pub async fn release(self) {
        if let Some(transaction) = self.transaction {
            // A failed rollback closes the connection, which also releases
            // the lock.
            let _ = transaction.rollback().await;
        }
    }
}

impl Store {
    /// Returns the room's sync state, if it was ever synced.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn room_sync_state(&self, room: &str) -> Result<Option<RoomSyncState>, StoreError> {
        let room = roombridge_domain::normalize_address(room);
        read_only!(self, sync::state(&room))
    }

    /// Lists the stored items of a room calendar.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn room_items(&self, room: &str) -> Result<Vec<RoomItem>, StoreError> {
        let room = roombridge_domain::normalize_address(room);
        read_only!(self, sync::items(&room))
    }

    /// Lists a room's bookings whose meeting has this UID, every
    /// occurrence and status included, ordered by start.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn bookings_by_uid(&self, room: &str, uid: &str) -> Result<Vec<Booking>, StoreError> {
        let room = roombridge_domain::normalize_address(room);
        read_only!(self, sync::bookings_by_uid(&room, uid))
    }

    /// Returns the booking made in roombridge whose meeting has this UID
    /// and recurrence id, in whichever room it is now.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn internal_booking_by_uid(
        &self,
        uid: &str,
        recurrence_id: Option<Timestamp>,
    ) -> Result<Option<Booking>, StoreError> {
        let recurrence_id = recurrence_id.map(truncate);
        read_only!(self, sync::internal_by_uid(uid, recurrence_id))
    }

    /// Lists the bookings made in roombridge whose meeting has one of
    /// `uids`, in any room and every occurrence, the oldest created first.
    /// Looks up many meetings with a few queries where
    /// [`Store::internal_booking_by_uid`] takes one per meeting.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn internal_bookings_by_uids(
        &self,
        uids: &[String],
    ) -> Result<Vec<Booking>, StoreError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        read_only!(self, sync::internal_by_uids(uids))
    }

    /// Forgets the room's cursor, so its next read starts from scratch.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn reset_room_cursor(&self, room: &str) -> Result<(), StoreError> {
        let room = roombridge_domain::normalize_address(room);
        write_transaction!(self, sync::reset_cursor(&room))
    }

    /// Returns the field values roombridge and Exchange last agreed on for
    /// a booking.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn sync_snapshot(&self, id: Uuid) -> Result<Option<serde_json::Value>, StoreError> {
        read_only!(self, sync::snapshot(id))
    }

    /// Stores the field values roombridge and Exchange agree on for a
    /// booking, after a push.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the write fails.
    pub async fn set_sync_snapshot(
        &self,
        id: Uuid,
        snapshot: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = codec::now();
        write_transaction!(self, sync::write_snapshot(id, snapshot, now))
    }

    /// Applies everything one complete read of a room calendar found, and
    /// the room's new cursor, in one transaction: either all of it is
    /// stored or none.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] for an unknown room or booking and
    /// [`StoreError::Invalid`] for an external booking without a UID.
    pub async fn commit_room_sync(
        &self,
        commit: RoomSyncCommit,
    ) -> Result<RoomSyncOutcome, StoreError> {
        let commit = normalize_commit(commit);
        let now = codec::now();
        write_transaction!(self, sync::commit(commit, now))
    }

    /// Lists outbox records, newest first, of one state or of all.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn list_outbox(
        &self,
        state: Option<OutboxState>,
        limit: u32,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let state = state.map(OutboxState::as_str);
        read_only!(self, sync::list_outbox(state, limit))
    }

    /// Counts outbox records per state name.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn count_outbox(&self) -> Result<Vec<(String, i64)>, StoreError> {
        read_only!(self, sync::count_outbox())
    }

    /// Returns parked records whose last attempt was before `parked_before`
    /// to the queue, due at once, and returns how many.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the write fails.
    pub async fn release_parked_outbox(&self, parked_before: Timestamp) -> Result<u64, StoreError> {
        let now = codec::now();
        write_transaction!(self, sync::release_parked(parked_before, now))
    }

    /// Takes the right to sync one room, or returns `None` while another
    /// instance sharing the PostgreSQL database holds it.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the lock query fails.
    pub async fn try_lock_room_sync(&self, room: &str) -> Result<Option<RoomSyncLock>, StoreError> {
        let Backend::Postgres { pool } = &self.backend else {
            return Ok(Some(RoomSyncLock { transaction: None }));
        };
        let mut transaction = pool.begin().await?;
        let room = roombridge_domain::normalize_address(room);
        let locked: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_xact_lock(hashtextextended('roombridge.sync:' || $1, 0))",
        )
        .bind(&room)
        .fetch_one(&mut *transaction)
        .await?;
        if locked {
            Ok(Some(RoomSyncLock {
                transaction: Some(transaction),
            }))
        } else {
            let _ = transaction.rollback().await;
            Ok(None)
        }
    }
}

/// Normalizes addresses and truncates instants as the other writes do, so
/// a value written equals the one read back.
fn normalize_commit(mut commit: RoomSyncCommit) -> RoomSyncCommit {
    commit.room = roombridge_domain::normalize_address(&commit.room);
    commit.window = commit
        .window
        .map(|(from, to)| (truncate(from), truncate(to)));
    for external in &mut commit.external {
        external.room = roombridge_domain::normalize_address(&external.room);
        external.organizer = roombridge_domain::normalize_address(&external.organizer);
        external.start = truncate(external.start);
        external.end = truncate(external.end);
        external.exchange.recurrence_id = external.exchange.recurrence_id.map(truncate);
        external.exchange.last_modified = external.exchange.last_modified.map(truncate);
    }
    for applied in &mut commit.changes {
        applied.change.patch.start = applied.change.patch.start.map(truncate);
        applied.change.patch.end = applied.change.patch.end.map(truncate);
    }
    commit
}
