//! Bookings read from Exchange: stored without a conflict check, because
//! Exchange already accepted them, and without an outbox record, because
//! Exchange already has them.

use jiff::Timestamp;
use roombridge_domain::{
    Actor, Booking, BookingStatus, ExchangeChange, ExternalBooking, HistoryAction, Origin,
};
use uuid::Uuid;

use super::bookings::{append_history, fetch, insert, lock_room, overwrite, write_exchange_link};
use super::{Db, rows};
use crate::codec::optional_micros;
use crate::{ExternalUpsert, StoreError};

type Connection = <Db as sqlx::Database>::Connection;

pub(crate) async fn find_by_exchange_id(
    conn: &mut Connection,
    room: &str,
    uid: &str,
    recurrence_id: Option<Timestamp>,
) -> Result<Option<Booking>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        booking_columns!(),
        " FROM bookings WHERE exchange_uid = $1 \
         AND exchange_recurrence_id IS NOT DISTINCT FROM $2 AND room = $3 \
         ORDER BY created_at LIMIT 1"
    ))
    .bind(uid)
    .bind(optional_micros(recurrence_id))
    .bind(room)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(rows::booking).transpose()
}

pub(crate) async fn upsert(
    conn: &mut Connection,
    external: ExternalBooking,
    now: Timestamp,
) -> Result<ExternalUpsert, StoreError> {
    let Some(uid) = external.exchange.uid.clone() else {
        return Err(StoreError::invalid(
            "exchange.uid",
            "missing UID: an external booking needs the meeting's iCalendar UID".to_owned(),
        ));
    };
    if !lock_room(conn, &external.room).await? {
        return Err(StoreError::not_found("room", &external.room));
    }

    let existing =
        find_by_exchange_id(conn, &external.room, &uid, external.exchange.recurrence_id).await?;
    let actor = Actor::exchange();
    let Some(existing) = existing else {
        let booking = new_booking(external, now);
        insert(conn, &booking).await?;
        record(conn, None, &booking, HistoryAction::Created, &actor).await?;
        return Ok(ExternalUpsert::Created(booking));
    };
    if existing.origin == Origin::Internal {
        return Ok(ExternalUpsert::Internal(existing));
    }

    // Lock the row so that a concurrent upsert of the same item waits.
    let current = fetch(conn, existing.id, true).await?.unwrap_or(existing);
    let mut updated = current.clone();
    updated.organizer = external.organizer;
    updated.subject = external.subject;
    updated.body = external.body;
    updated.start = external.start;
    updated.end = external.end;
    updated.time_zone = external.time_zone;
    updated.all_day = external.all_day;
    updated.attendees = external.attendees;
    updated.status = external.status;

    let link_changed = updated.exchange != external.exchange;
    if link_changed {
        write_exchange_link(conn, current.id, &external.exchange).await?;
        updated.exchange = external.exchange;
    }
    if updated.changes_since(Some(&current)).is_empty() {
        return Ok(ExternalUpsert::Unchanged(updated));
    }

    updated.version += 1;
    updated.updated_at = now;
    overwrite(conn, &updated).await?;
    record(
        conn,
        Some(&current),
        &updated,
        HistoryAction::Updated,
        &actor,
    )
    .await?;
    Ok(ExternalUpsert::Updated(updated))
}

pub(crate) async fn apply_change(
    conn: &mut Connection,
    id: Uuid,
    change: &ExchangeChange,
    now: Timestamp,
) -> Result<Booking, StoreError> {
    let current = fetch(conn, id, true)
        .await?
        .ok_or_else(|| StoreError::not_found("booking", id))?;
    let mut changed = change.patch.merge(&current);
    if let Some(status) = change.status {
        changed.status = status;
        changed.declined_reason = match status {
            BookingStatus::Declined => change.declined_reason.clone(),
            _ => None,
        };
    }
    if let Some(link) = &change.link
        && *link != current.exchange
    {
        write_exchange_link(conn, id, link).await?;
        changed.exchange = link.clone();
    }
    if changed.changes_since(Some(&current)).is_empty() {
        return Ok(changed);
    }

    changed.version += 1;
    changed.updated_at = now;
    overwrite(conn, &changed).await?;
    record(
        conn,
        Some(&current),
        &changed,
        HistoryAction::Updated,
        &Actor::exchange(),
    )
    .await?;
    Ok(changed)
}

async fn record(
    conn: &mut Connection,
    before: Option<&Booking>,
    after: &Booking,
    action: HistoryAction,
    actor: &Actor,
) -> Result<(), StoreError> {
    let entry = roombridge_domain::HistoryEntry {
        booking_id: after.id,
        at: after.updated_at,
        actor: actor.name.clone(),
        side: actor.side,
        action,
        version: after.version,
        changes: after.changes_since(before),
    };
    append_history(conn, &entry).await
}

fn new_booking(external: ExternalBooking, now: Timestamp) -> Booking {
    Booking {
        id: Uuid::now_v7(),
        room: external.room,
        organizer: external.organizer,
        subject: external.subject,
        body: external.body,
        start: external.start,
        end: external.end,
        time_zone: external.time_zone,
        all_day: external.all_day,
        attendees: external.attendees,
        origin: Origin::External,
        status: external.status,
        declined_reason: None,
        deleted_at: None,
        version: 1,
        exchange: external.exchange,
        created_at: now,
        updated_at: now,
    }
}
