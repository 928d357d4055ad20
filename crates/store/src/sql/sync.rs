//! State of the sync engine: per-room cursors, the items each room
//! calendar holds, the last agreed field values per booking, and the
//! commit that applies one room's read in a single transaction.

use std::collections::HashMap;

use jiff::Timestamp;
use roombridge_domain::{Booking, FieldChange, HistoryAction, HistoryEntry, OutboxRecord};
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::bookings::ROWS_PER_INSERT;
use super::bookings::{append_history, fetch};
use super::external::{apply_change, upsert_all};
use super::{Db, rows};
use crate::StoreError;
use crate::codec::{from_json, micros, optional_micros, optional_timestamp, timestamp, to_json};
use crate::sync::{AppliedChange, RoomItem, RoomSyncCommit, RoomSyncOutcome, RoomSyncState};

type Connection = <Db as sqlx::Database>::Connection;

pub(crate) async fn state(
    conn: &mut Connection,
    room: &str,
) -> Result<Option<RoomSyncState>, StoreError> {
    let row = sqlx::query(
        "SELECT room, cursor, window_start, window_end, synced_at FROM room_sync_states \
         WHERE room = $1",
    )
    .bind(room)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let window_start = optional_timestamp("window_start", row.try_get("window_start")?)?;
    let window_end = optional_timestamp("window_end", row.try_get("window_end")?)?;
    Ok(Some(RoomSyncState {
        room: row.try_get("room")?,
        cursor: row.try_get("cursor")?,
        window: window_start.zip(window_end),
        synced_at: timestamp("synced_at", row.try_get("synced_at")?)?,
    }))
}

pub(crate) async fn items(conn: &mut Connection, room: &str) -> Result<Vec<RoomItem>, StoreError> {
    let rows = sqlx::query(
        "SELECT item_id, uid, is_series FROM room_items WHERE room = $1 ORDER BY item_id",
    )
    .bind(room)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RoomItem {
                item_id: row.try_get("item_id")?,
                uid: row.try_get("uid")?,
                is_series: row.try_get("is_series")?,
            })
        })
        .collect()
}

pub(crate) async fn bookings_by_uid(
    conn: &mut Connection,
    room: &str,
    uid: &str,
) -> Result<Vec<Booking>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        booking_columns!(),
        " FROM bookings WHERE room = $1 AND exchange_uid = $2 ORDER BY start_at, id"
    ))
    .bind(room)
    .bind(uid)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(rows::booking).collect()
}

pub(crate) async fn internal_by_uid(
    conn: &mut Connection,
    uid: &str,
    recurrence_id: Option<Timestamp>,
) -> Result<Option<Booking>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        booking_columns!(),
        " FROM bookings WHERE exchange_uid = $1 \
         AND exchange_recurrence_id IS NOT DISTINCT FROM $2 AND origin = 'internal' \
         ORDER BY created_at LIMIT 1"
    ))
    .bind(uid)
    .bind(optional_micros(recurrence_id))
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(rows::booking).transpose()
}

/// UIDs per lookup statement.
const UIDS_PER_QUERY: usize = 500;

/// Lists the bookings made in roombridge whose meeting has one of `uids`,
/// in any room, oldest first.
pub(crate) async fn internal_by_uids(
    conn: &mut Connection,
    uids: &[String],
) -> Result<Vec<Booking>, StoreError> {
    let mut found = Vec::new();
    for chunk in uids.chunks(UIDS_PER_QUERY) {
        let mut query: QueryBuilder<Db> = QueryBuilder::new(concat!(
            "SELECT ",
            booking_columns!(),
            " FROM bookings WHERE origin = 'internal' AND exchange_uid IN ("
        ));
        let mut list = query.separated(", ");
        for uid in chunk {
            list.push_bind(uid);
        }
        query.push(") ORDER BY created_at, id");
        let rows = query.build().fetch_all(&mut *conn).await?;
        for row in &rows {
            found.push(rows::booking(row)?);
        }
    }
    Ok(found)
}

pub(crate) async fn snapshot(
    conn: &mut Connection,
    booking_id: Uuid,
) -> Result<Option<serde_json::Value>, StoreError> {
    let row = sqlx::query("SELECT snapshot FROM sync_snapshots WHERE booking_id = $1")
        .bind(booking_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let text: String = row.try_get("snapshot")?;
    from_json("snapshot", &text).map(Some)
}

pub(crate) async fn write_snapshot(
    conn: &mut Connection,
    booking_id: Uuid,
    snapshot: &serde_json::Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sync_snapshots (booking_id, snapshot, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (booking_id) DO UPDATE SET snapshot = excluded.snapshot, \
         updated_at = excluded.updated_at",
    )
    .bind(booking_id)
    .bind(to_json(snapshot)?)
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn reset_cursor(conn: &mut Connection, room: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE room_sync_states SET cursor = NULL WHERE room = $1")
        .bind(room)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn list_outbox(
    conn: &mut Connection,
    state: Option<&str>,
    limit: u32,
) -> Result<Vec<OutboxRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, booking_id, kind, booking_version, previous_room, state, attempts, \
         last_error, next_attempt_at, claimed_until, created_at FROM outbox \
         WHERE ($1 IS NULL OR state = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(state)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(rows::outbox_record).collect()
}

pub(crate) async fn count_outbox(conn: &mut Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS records FROM outbox GROUP BY state")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("state")?, row.try_get("records")?)))
        .collect()
}

/// Returns parked records whose last attempt is older than `$1` to the
/// queue, due at once.
pub(crate) async fn release_parked(
    conn: &mut Connection,
    parked_before: Timestamp,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let result = sqlx::query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = $2 \
         WHERE state = 'parked' AND next_attempt_at <= $1",
    )
    .bind(micros(parked_before))
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}

pub(crate) async fn commit(
    conn: &mut Connection,
    commit: RoomSyncCommit,
    now: Timestamp,
) -> Result<RoomSyncOutcome, StoreError> {
    let mut outcome = RoomSyncOutcome {
        external: upsert_all(conn, commit.external, now).await?,
        ..RoomSyncOutcome::default()
    };
    for applied in commit.changes {
        let changed = apply_one(conn, applied, now).await?;
        outcome.changed.extend(changed);
    }
    write_items(
        conn,
        &commit.room,
        commit.replace_items,
        &commit.items_seen,
        &commit.items_removed,
    )
    .await?;
    let (window_start, window_end) = commit.window.unzip();
    sqlx::query(
        "INSERT INTO room_sync_states (room, cursor, window_start, window_end, synced_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room) DO UPDATE SET cursor = excluded.cursor, \
         window_start = excluded.window_start, window_end = excluded.window_end, \
         synced_at = excluded.synced_at",
    )
    .bind(&commit.room)
    .bind(&commit.cursor)
    .bind(optional_micros(window_start))
    .bind(optional_micros(window_end))
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(outcome)
}

/// Applies one change and returns the booking before and after it, or
/// `None` when the booking no longer exists.
async fn apply_one(
    conn: &mut Connection,
    applied: AppliedChange,
    now: Timestamp,
) -> Result<Option<(Booking, Booking)>, StoreError> {
    let Some(before) = fetch(conn, applied.booking_id, false).await? else {
        return Ok(None);
    };
    let after = apply_change(conn, applied.booking_id, &applied.change, now).await?;
    if let Some(decision) = &applied.decision {
        let entry = HistoryEntry {
            booking_id: after.id,
            at: now,
            actor: "sync".to_owned(),
            side: roombridge_domain::Side::Exchange,
            action: HistoryAction::Updated,
            version: after.version,
            changes: vec![FieldChange {
                field: "conflict_resolution".to_owned(),
                from: serde_json::Value::Null,
                to: decision.clone(),
            }],
        };
        append_history(conn, &entry).await?;
    }
    if let Some(snapshot) = &applied.snapshot {
        write_snapshot(conn, applied.booking_id, snapshot, now).await?;
    }
    Ok(Some((before, after)))
}

async fn write_items(
    conn: &mut Connection,
    room: &str,
    replace: bool,
    seen: &[RoomItem],
    removed: &[String],
) -> Result<(), StoreError> {
    if replace {
        sqlx::query("DELETE FROM room_items WHERE room = $1")
            .bind(room)
            .execute(&mut *conn)
            .await?;
    }
    for chunk in removed.chunks(ROWS_PER_INSERT) {
        let mut query: QueryBuilder<Db> = QueryBuilder::new("DELETE FROM room_items WHERE room = ");
        query.push_bind(room).push(" AND item_id IN (");
        let mut list = query.separated(", ");
        for item_id in chunk {
            list.push_bind(item_id);
        }
        query.push(")");
        query.build().execute(&mut *conn).await?;
    }
    // One statement may not name the same row twice in `ON CONFLICT DO
    // UPDATE` on PostgreSQL, so only the last report of an item is written.
    let mut last_index: HashMap<&str, usize> = HashMap::with_capacity(seen.len());
    for (index, item) in seen.iter().enumerate() {
        last_index.insert(item.item_id.as_str(), index);
    }
    let items: Vec<&RoomItem> = seen
        .iter()
        .enumerate()
        .filter(|(index, item)| last_index.get(item.item_id.as_str()) == Some(index))
        .map(|(_, item)| item)
        .collect();
    for chunk in items.chunks(ROWS_PER_INSERT) {
        let mut query: QueryBuilder<Db> =
            QueryBuilder::new("INSERT INTO room_items (room, item_id, uid, is_series) ");
        query.push_values(chunk, |mut row, item| {
            row.push_bind(room)
                .push_bind(&item.item_id)
                .push_bind(&item.uid)
                .push_bind(item.is_series);
        });
        query.push(
            " ON CONFLICT (room, item_id) DO UPDATE SET uid = excluded.uid, \
             is_series = excluded.is_series",
        );
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}
