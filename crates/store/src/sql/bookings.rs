//! Booking reads and the writes made in roombridge: create, update and
//! delete, each with its history entry and outbox record in the caller's
//! transaction.

use jiff::Timestamp;
use roombridge_domain::{
    Actor, Attendee, Booking, BookingStatus, BusyInterval, ExchangeLink, FieldError, HistoryAction,
    HistoryEntry, NewBooking, Origin, OutboxKind, normalize_address,
};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{Db, POSTGRES, rows};
use crate::codec::{micros, optional_micros, to_json};
use crate::store::Update;
use crate::{BookingFilter, StoreError};

type Connection = <Db as sqlx::Database>::Connection;

const SELECT_BY_ID: &str = concat!(
    "SELECT ",
    booking_columns!(),
    " FROM bookings WHERE id = $1"
);

const SELECT_BY_ID_FOR_UPDATE: &str = concat!(
    "SELECT ",
    booking_columns!(),
    " FROM bookings WHERE id = $1 FOR UPDATE"
);

/// Blocking bookings of one room that overlap `[$2, $3)`, except booking
/// `$4`. The `end_at > $2` bound comes first so the `(room, end_at)` index
/// serves it.
const SELECT_CONFLICTS: &str = concat!(
    "SELECT ",
    booking_columns!(),
    " FROM bookings WHERE room = $1 AND end_at > $2 AND start_at < $3 AND id <> $4 \
     AND deleted_at IS NULL AND status IN ('confirmed', 'tentative') ORDER BY start_at, id"
);

/// Locks the room row until the transaction ends, so conflict checks for
/// one room run one at a time, and returns whether the room exists. SQLite
/// needs no row lock because the transaction holds the database's write
/// lock from its start (`BEGIN IMMEDIATE`).
pub(crate) async fn lock_room(conn: &mut Connection, room: &str) -> Result<bool, StoreError> {
    let sql = if POSTGRES {
        "SELECT address FROM rooms WHERE address = $1 FOR UPDATE"
    } else {
        "SELECT address FROM rooms WHERE address = $1"
    };
    let row = sqlx::query(sql)
        .bind(room)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn fetch(
    conn: &mut Connection,
    id: Uuid,
    for_update: bool,
) -> Result<Option<Booking>, StoreError> {
    let sql = if POSTGRES && for_update {
        SELECT_BY_ID_FOR_UPDATE
    } else {
        SELECT_BY_ID
    };
    let row = sqlx::query(sql).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(rows::booking).transpose()
}

pub(crate) async fn conflicts(
    conn: &mut Connection,
    room: &str,
    start: Timestamp,
    end: Timestamp,
    except: Uuid,
) -> Result<Vec<Booking>, StoreError> {
    let rows = sqlx::query(SELECT_CONFLICTS)
        .bind(room)
        .bind(micros(start))
        .bind(micros(end))
        .bind(except)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(rows::booking).collect()
}

type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// Binds every column of `booking` in [`booking_columns!`] order as `$1` to
/// `$24`.
fn bind_columns<'q>(query: Query<'q>, booking: &'q Booking, attendees: String) -> Query<'q> {
    query
        .bind(booking.id)
        .bind(&booking.room)
        .bind(&booking.organizer)
        .bind(&booking.subject)
        .bind(&booking.body)
        .bind(micros(booking.start))
        .bind(micros(booking.end))
        .bind(&booking.time_zone)
        .bind(booking.all_day)
        .bind(attendees)
        .bind(booking.origin.as_str())
        .bind(booking.status.as_str())
        .bind(&booking.declined_reason)
        .bind(optional_micros(booking.deleted_at))
        .bind(booking.version)
        .bind(&booking.exchange.uid)
        .bind(optional_micros(booking.exchange.recurrence_id))
        .bind(&booking.exchange.organizer_item_id)
        .bind(&booking.exchange.organizer_change_key)
        .bind(&booking.exchange.room_item_id)
        .bind(&booking.exchange.room_change_key)
        .bind(optional_micros(booking.exchange.last_modified))
        .bind(micros(booking.created_at))
        .bind(micros(booking.updated_at))
}

/// Rows per multi-row `INSERT`. A booking binds 24 values, so one statement
/// binds at most 2,400, far below the bind limits of SQLite (32,766) and
/// PostgreSQL (65,535).
pub(crate) const ROWS_PER_INSERT: usize = 100;

/// Inserts `bookings` with one multi-row statement per [`ROWS_PER_INSERT`].
pub(crate) async fn insert_many(
    conn: &mut Connection,
    bookings: &[Booking],
) -> Result<(), StoreError> {
    for chunk in bookings.chunks(ROWS_PER_INSERT) {
        let attendees = chunk
            .iter()
            .map(|booking| to_json(&booking.attendees))
            .collect::<Result<Vec<_>, _>>()?;
        let mut query: QueryBuilder<Db> =
            QueryBuilder::new(concat!("INSERT INTO bookings (", booking_columns!(), ") "));
        query.push_values(
            chunk.iter().zip(&attendees),
            |mut row, (booking, attendees)| {
                row.push_bind(booking.id)
                    .push_bind(&booking.room)
                    .push_bind(&booking.organizer)
                    .push_bind(&booking.subject)
                    .push_bind(&booking.body)
                    .push_bind(micros(booking.start))
                    .push_bind(micros(booking.end))
                    .push_bind(&booking.time_zone)
                    .push_bind(booking.all_day)
                    .push_bind(attendees)
                    .push_bind(booking.origin.as_str())
                    .push_bind(booking.status.as_str())
                    .push_bind(&booking.declined_reason)
                    .push_bind(optional_micros(booking.deleted_at))
                    .push_bind(booking.version)
                    .push_bind(&booking.exchange.uid)
                    .push_bind(optional_micros(booking.exchange.recurrence_id))
                    .push_bind(&booking.exchange.organizer_item_id)
                    .push_bind(&booking.exchange.organizer_change_key)
                    .push_bind(&booking.exchange.room_item_id)
                    .push_bind(&booking.exchange.room_change_key)
                    .push_bind(optional_micros(booking.exchange.last_modified))
                    .push_bind(micros(booking.created_at))
                    .push_bind(micros(booking.updated_at));
            },
        );
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts a blocking `booking` unless a blocking booking of its room
/// overlaps it, in one statement, and returns whether it was inserted.
async fn insert_if_free(conn: &mut Connection, booking: &Booking) -> Result<bool, StoreError> {
    let query = sqlx::query(concat!(
        "INSERT INTO bookings (",
        booking_columns!(),
        ") SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $24 WHERE NOT EXISTS (SELECT 1 FROM bookings \
         WHERE room = $2 AND end_at > $6 AND start_at < $7 AND deleted_at IS NULL \
         AND status IN ('confirmed', 'tentative'))"
    ));
    let result = bind_columns(query, booking, to_json(&booking.attendees)?)
        .execute(&mut *conn)
        .await;
    match result {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(sqlx::Error::Database(error))
            if error.kind() == sqlx::error::ErrorKind::ForeignKeyViolation =>
        {
            Err(unknown_room(&booking.room))
        }
        Err(error) => Err(error.into()),
    }
}

/// Writes every mutable column of `booking` to its row.
pub(crate) async fn overwrite(conn: &mut Connection, booking: &Booking) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE bookings SET room = $2, organizer = $3, subject = $4, body = $5, \
         start_at = $6, end_at = $7, time_zone = $8, all_day = $9, attendees = $10, \
         status = $11, declined_reason = $12, deleted_at = $13, version = $14, \
         updated_at = $15 WHERE id = $1",
    )
    .bind(booking.id)
    .bind(&booking.room)
    .bind(&booking.organizer)
    .bind(&booking.subject)
    .bind(&booking.body)
    .bind(micros(booking.start))
    .bind(micros(booking.end))
    .bind(&booking.time_zone)
    .bind(booking.all_day)
    .bind(to_json(&booking.attendees)?)
    .bind(booking.status.as_str())
    .bind(&booking.declined_reason)
    .bind(optional_micros(booking.deleted_at))
    .bind(booking.version)
    .bind(micros(booking.updated_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn write_exchange_link(
    conn: &mut Connection,
    id: Uuid,
    link: &ExchangeLink,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE bookings SET exchange_uid = $2, exchange_recurrence_id = $3, \
         organizer_item_id = $4, organizer_change_key = $5, room_item_id = $6, \
         room_change_key = $7, exchange_last_modified = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(&link.uid)
    .bind(optional_micros(link.recurrence_id))
    .bind(&link.organizer_item_id)
    .bind(&link.organizer_change_key)
    .bind(&link.room_item_id)
    .bind(&link.room_change_key)
    .bind(optional_micros(link.last_modified))
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub(crate) async fn append_history(
    conn: &mut Connection,
    entry: &HistoryEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO booking_history (booking_id, at, actor, side, action, version, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.booking_id)
    .bind(micros(entry.at))
    .bind(&entry.actor)
    .bind(entry.side.as_str())
    .bind(entry.action.as_str())
    .bind(entry.version)
    .bind(to_json(&entry.changes)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends `entries` in order with one multi-row statement per
/// [`ROWS_PER_INSERT`].
pub(crate) async fn append_history_many(
    conn: &mut Connection,
    entries: &[HistoryEntry],
) -> Result<(), StoreError> {
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let changes = chunk
            .iter()
            .map(|entry| to_json(&entry.changes))
            .collect::<Result<Vec<_>, _>>()?;
        let mut query: QueryBuilder<Db> = QueryBuilder::new(
            "INSERT INTO booking_history (booking_id, at, actor, side, action, version, changes) ",
        );
        query.push_values(chunk.iter().zip(&changes), |mut row, (entry, changes)| {
            row.push_bind(entry.booking_id)
                .push_bind(micros(entry.at))
                .push_bind(&entry.actor)
                .push_bind(entry.side.as_str())
                .push_bind(entry.action.as_str())
                .push_bind(entry.version)
                .push_bind(changes);
        });
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) async fn history(
    conn: &mut Connection,
    booking_id: Uuid,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT booking_id, at, actor, side, action, version, changes FROM booking_history \
         WHERE booking_id = $1 ORDER BY id",
    )
    .bind(booking_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(rows::history_entry).collect()
}

async fn enqueue(
    conn: &mut Connection,
    booking: &Booking,
    kind: OutboxKind,
    previous_room: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (booking_id, kind, booking_version, previous_room, state, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
    )
    .bind(booking.id)
    .bind(kind.as_str())
    .bind(booking.version)
    .bind(previous_room)
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a change in the history and, for changes made in roombridge, in
/// the outbox.
async fn record_change(
    conn: &mut Connection,
    before: Option<&Booking>,
    after: &Booking,
    action: HistoryAction,
    actor: &Actor,
) -> Result<(), StoreError> {
    let entry = HistoryEntry {
        booking_id: after.id,
        at: after.updated_at,
        actor: actor.name.clone(),
        side: actor.side,
        action,
        version: after.version,
        changes: after.changes_since(before),
    };
    append_history(conn, &entry).await?;
    if after.origin == Origin::External {
        return Ok(());
    }

    let kind = match action {
        HistoryAction::Created => OutboxKind::Create,
        HistoryAction::Updated => OutboxKind::Update,
        HistoryAction::Deleted => OutboxKind::Delete,
    };
    let previous_room = before
        .map(|before| before.room.as_str())
        .filter(|room| *room != after.room);
    enqueue(conn, after, kind, previous_room, after.updated_at).await
}

fn unknown_room(room: &str) -> StoreError {
    StoreError::invalid("room", crate::error::unknown_room_message(room))
}

/// Rejects attendees that are rooms known to roombridge. Exchange books a
/// room mailbox that is invited like a person, which would pass by this
/// store's conflict check for that room.
async fn check_attendee_rooms(
    conn: &mut Connection,
    attendees: &[Attendee],
) -> Result<(), StoreError> {
    if attendees.is_empty() {
        return Ok(());
    }
    let rooms: Vec<String> = sqlx::query_scalar("SELECT address FROM rooms")
        .fetch_all(&mut *conn)
        .await?;
    let errors: Vec<FieldError> = attendees
        .iter()
        .enumerate()
        .filter(|(_, attendee)| rooms.contains(&normalize_address(&attendee.address)))
        .map(|(index, attendee)| {
            FieldError::new(
                format!("attendees[{index}].address"),
                format!(
                    "`{}` is a room; book each room with a booking of its own \
                     instead of inviting it",
                    attendee.address
                ),
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

pub(crate) async fn create(
    conn: &mut Connection,
    request: NewBooking,
    actor: &Actor,
    now: Timestamp,
) -> Result<Booking, StoreError> {
    // SQLite's `BEGIN IMMEDIATE` already serializes writers, and its
    // foreign key on `room` rejects an unknown room, so only PostgreSQL
    // needs the room lock first.
    if POSTGRES && !lock_room(conn, &request.room).await? {
        return Err(unknown_room(&request.room));
    }
    check_attendee_rooms(conn, &request.attendees).await?;

    let booking = Booking {
        id: Uuid::now_v7(),
        room: request.room,
        organizer: request.organizer,
        subject: request.subject,
        body: request.body,
        start: request.start,
        end: request.end,
        time_zone: request.time_zone,
        all_day: request.all_day,
        attendees: request.attendees,
        origin: Origin::Internal,
        status: BookingStatus::Confirmed,
        declined_reason: None,
        deleted_at: None,
        version: 1,
        exchange: ExchangeLink::default(),
        created_at: now,
        updated_at: now,
    };
    if !insert_if_free(conn, &booking).await? {
        let taken = conflicts(conn, &booking.room, booking.start, booking.end, booking.id).await?;
        return Err(StoreError::Conflict(taken));
    }
    record_change(conn, None, &booking, HistoryAction::Created, actor).await?;
    Ok(booking)
}

/// Checks that `booking` may be changed in roombridge at `expected_version`.
fn check_editable(booking: &Booking, expected_version: Option<i64>) -> Result<(), StoreError> {
    if booking.origin == Origin::External {
        return Err(StoreError::External { id: booking.id });
    }
    if booking.deleted_at.is_some() {
        return Err(StoreError::Deleted { id: booking.id });
    }
    match expected_version {
        Some(expected) if expected != booking.version => Err(StoreError::StaleVersion {
            current: booking.version,
        }),
        _ => Ok(()),
    }
}

pub(crate) async fn update(
    conn: &mut Connection,
    update: Update<'_>,
) -> Result<Booking, StoreError> {
    let not_found = || StoreError::not_found("booking", update.id);

    // The unlocked read rejects stale and invalid requests early and determines
    // which rooms to lock. Rooms are locked before the booking row, in
    // address order, the order every writer uses, so that two transactions
    // never wait for each other's locks.
    let unlocked = fetch(conn, update.id, false).await?.ok_or_else(not_found)?;
    check_editable(&unlocked, Some(update.expected_version))?;
    let draft = patched(&unlocked, &update)?;
    let mut rooms = vec![unlocked.room.clone(), draft.room.clone()];
    rooms.sort();
    rooms.dedup();
    for room in &rooms {
        if !lock_room(conn, room).await? && *room == draft.room {
            return Err(unknown_room(room));
        }
    }

    let current = fetch(conn, update.id, true).await?.ok_or_else(not_found)?;
    check_editable(&current, Some(update.expected_version))?;
    let mut patched = patched(&current, &update)?;
    if patched.changes_since(Some(&current)).is_empty() {
        return Ok(current);
    }
    if update.patch.attendees.is_some() || patched.room != current.room {
        check_attendee_rooms(conn, &patched.attendees).await?;
    }
    if patched.blocks() {
        let taken = conflicts(conn, &patched.room, patched.start, patched.end, patched.id).await?;
        if !taken.is_empty() {
            return Err(StoreError::Conflict(taken));
        }
    }

    patched.version += 1;
    patched.updated_at = update.now;
    overwrite(conn, &patched).await?;
    record_change(
        conn,
        Some(&current),
        &patched,
        HistoryAction::Updated,
        update.actor,
    )
    .await?;
    Ok(patched)
}

/// Applies the update's patch to `booking`. A declined booking that moves
/// to another time or room is requested again, so it becomes confirmed and
/// goes through the conflict check.
fn patched(booking: &Booking, update: &Update<'_>) -> Result<Booking, StoreError> {
    let mut patched = update
        .patch
        .apply(booking, update.limits)
        .map_err(StoreError::Invalid)?;
    let moved = patched.room != booking.room
        || patched.start != booking.start
        || patched.end != booking.end;
    if booking.status == BookingStatus::Declined && moved {
        patched.status = BookingStatus::Confirmed;
        patched.declined_reason = None;
    }
    Ok(patched)
}

pub(crate) async fn delete(
    conn: &mut Connection,
    id: Uuid,
    expected_version: Option<i64>,
    actor: &Actor,
    now: Timestamp,
) -> Result<Booking, StoreError> {
    let current = fetch(conn, id, true)
        .await?
        .ok_or_else(|| StoreError::not_found("booking", id))?;
    if current.deleted_at.is_some() && current.origin == Origin::Internal {
        // Deleting twice changes nothing, so a retried request succeeds.
        return Ok(current);
    }
    check_editable(&current, expected_version)?;

    let mut deleted = current.clone();
    deleted.deleted_at = Some(now);
    deleted.version += 1;
    deleted.updated_at = now;
    overwrite(conn, &deleted).await?;
    record_change(
        conn,
        Some(&current),
        &deleted,
        HistoryAction::Deleted,
        actor,
    )
    .await?;
    Ok(deleted)
}

pub(crate) async fn in_room(
    conn: &mut Connection,
    room: &str,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Booking>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        booking_columns!(),
        " FROM bookings WHERE room = $1 AND end_at > $2 AND start_at < $3 \
         AND deleted_at IS NULL ORDER BY start_at, id"
    ))
    .bind(room)
    .bind(micros(from))
    .bind(micros(to))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(rows::booking).collect()
}

pub(crate) async fn busy(
    conn: &mut Connection,
    room: &str,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<BusyInterval>, StoreError> {
    let bookings = conflicts(conn, room, from, to, Uuid::nil()).await?;
    Ok(bookings
        .into_iter()
        .map(|booking| BusyInterval {
            start: booking.start,
            end: booking.end,
            booking_id: booking.id,
            origin: booking.origin,
            status: booking.status,
        })
        .collect())
}

pub(crate) async fn list(
    conn: &mut Connection,
    filter: &BookingFilter,
) -> Result<Vec<Booking>, StoreError> {
    let mut query: QueryBuilder<Db> = QueryBuilder::new(concat!(
        "SELECT ",
        booking_columns!(),
        " FROM bookings WHERE 1 = 1"
    ));
    if let Some(room) = &filter.room {
        query.push(" AND room = ").push_bind(room.clone());
    }
    if let Some(organizer) = &filter.organizer {
        query.push(" AND organizer = ").push_bind(organizer.clone());
    }
    if let Some(origin) = filter.origin {
        query.push(" AND origin = ").push_bind(origin.as_str());
    }
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(from) = filter.from {
        query.push(" AND end_at > ").push_bind(micros(from));
    }
    if let Some(to) = filter.to {
        query.push(" AND start_at < ").push_bind(micros(to));
    }
    if !filter.include_deleted {
        query.push(" AND deleted_at IS NULL");
    }
    query.push(" ORDER BY start_at, id LIMIT ");
    query.push_bind(i64::from(filter.limit.unwrap_or(crate::DEFAULT_LIST_LIMIT)));

    let rows = query.build().fetch_all(&mut *conn).await?;
    rows.iter().map(rows::booking).collect()
}
