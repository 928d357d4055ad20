//! Bookings read from Exchange: stored without a conflict check, because
//! Exchange already accepted them, and without an outbox record, because
//! Exchange already has them.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use roombridge_domain::{
    Actor, Booking, BookingStatus, ExchangeChange, ExchangeLink, ExternalBooking, HistoryAction,
    HistoryEntry, Origin,
};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::bookings::{
    append_history, append_history_many, fetch, insert_many, lock_room, overwrite,
    write_exchange_link,
};
use super::{Db, POSTGRES, rows};
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

/// UIDs per lookup statement.
const UIDS_PER_QUERY: usize = 500;

/// Lists the bookings of `room` whose meeting has one of `uids`, oldest
/// first. On PostgreSQL the rows stay locked until the transaction ends, so
/// a concurrent upsert of the same items waits.
pub(crate) async fn find_by_uids(
    conn: &mut Connection,
    room: &str,
    uids: &[&str],
) -> Result<Vec<Booking>, StoreError> {
    let mut found = Vec::new();
    for chunk in uids.chunks(UIDS_PER_QUERY) {
        let mut query: QueryBuilder<Db> = QueryBuilder::new(concat!(
            "SELECT ",
            booking_columns!(),
            " FROM bookings WHERE room = "
        ));
        query.push_bind(room).push(" AND exchange_uid IN (");
        let mut list = query.separated(", ");
        for uid in chunk {
            list.push_bind(*uid);
        }
        query.push(") ORDER BY created_at, id");
        if POSTGRES {
            query.push(" FOR UPDATE");
        }
        let rows = query.build().fetch_all(&mut *conn).await?;
        for row in &rows {
            found.push(rows::booking(row)?);
        }
    }
    Ok(found)
}

pub(crate) async fn upsert(
    conn: &mut Connection,
    external: ExternalBooking,
    now: Timestamp,
) -> Result<ExternalUpsert, StoreError> {
    let mut outcomes = upsert_all(conn, vec![external], now).await?;
    outcomes
        .pop()
        .ok_or_else(|| StoreError::Database("an upsert of one booking returned nothing".into()))
}

/// Key of a booking among the copies of one room: UID and recurrence id in
/// microseconds.
type ExchangeKey = (String, Option<i64>);

/// Stores the bookings read from Exchange, each matched to an earlier copy
/// by room, UID and recurrence id, and returns the outcome of each in
/// order. Existing bookings are read with one query per room and new ones
/// inserted with multi-row statements.
pub(crate) async fn upsert_all(
    conn: &mut Connection,
    externals: Vec<ExternalBooking>,
    now: Timestamp,
) -> Result<Vec<ExternalUpsert>, StoreError> {
    if externals
        .iter()
        .any(|external| external.exchange.uid.is_none())
    {
        return Err(StoreError::invalid(
            "exchange.uid",
            "missing UID: an external booking needs the meeting's iCalendar UID".to_owned(),
        ));
    }
    let mut rooms: Vec<&str> = externals
        .iter()
        .map(|external| external.room.as_str())
        .collect();
    rooms.sort_unstable();
    rooms.dedup();
    // Known copies by room, earliest created first, as a lookup of one copy
    // would find them.
    let mut known: HashMap<String, HashMap<ExchangeKey, Booking>> = HashMap::new();
    for room in rooms {
        if !lock_room(conn, room).await? {
            return Err(StoreError::not_found("room", room));
        }
        let mut uids: Vec<&str> = externals
            .iter()
            .filter(|external| external.room == room)
            .filter_map(|external| external.exchange.uid.as_deref())
            .collect();
        uids.sort_unstable();
        uids.dedup();
        let copies = known.entry(room.to_owned()).or_default();
        for booking in find_by_uids(conn, room, &uids).await? {
            copies.entry(key_of(&booking.exchange)).or_insert(booking);
        }
    }

    let mut outcomes = Vec::with_capacity(externals.len());
    let mut created = Inserts::default();
    let actor = Actor::exchange();
    for external in externals {
        let key = key_of(&external.exchange);
        let copies = known.entry(external.room.clone()).or_default();
        let Some(existing) = copies.get(&key).cloned() else {
            let booking = new_booking(external, now);
            created.push(&booking, &actor);
            copies.insert(key, booking.clone());
            outcomes.push(ExternalUpsert::Created(booking));
            continue;
        };
        if existing.origin == Origin::Internal {
            outcomes.push(ExternalUpsert::Internal(existing));
            continue;
        }
        // A copy created earlier in this call is written before it changes.
        if created.contains(existing.id) {
            created.flush(conn).await?;
        }
        let outcome = update(conn, existing, external, now, &actor).await?;
        if let ExternalUpsert::Updated(booking) | ExternalUpsert::Unchanged(booking) = &outcome {
            copies.insert(key, booking.clone());
        }
        outcomes.push(outcome);
    }
    created.flush(conn).await?;
    Ok(outcomes)
}

/// Changes a known external booking to Exchange's current version.
async fn update(
    conn: &mut Connection,
    current: Booking,
    external: ExternalBooking,
    now: Timestamp,
    actor: &Actor,
) -> Result<ExternalUpsert, StoreError> {
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
        actor,
    )
    .await?;
    Ok(ExternalUpsert::Updated(updated))
}

/// New bookings and their history entries, written together.
#[derive(Default)]
struct Inserts {
    bookings: Vec<Booking>,
    history: Vec<HistoryEntry>,
    ids: HashSet<Uuid>,
}

impl Inserts {
    fn push(&mut self, booking: &Booking, actor: &Actor) {
        self.history.push(HistoryEntry {
            booking_id: booking.id,
            at: booking.updated_at,
            actor: actor.name.clone(),
            side: actor.side,
            action: HistoryAction::Created,
            version: booking.version,
            changes: booking.changes_since(None),
        });
        self.ids.insert(booking.id);
        self.bookings.push(booking.clone());
    }

    fn contains(&self, id: Uuid) -> bool {
        self.ids.contains(&id)
    }

    async fn flush(&mut self, conn: &mut Connection) -> Result<(), StoreError> {
        insert_many(conn, &self.bookings).await?;
        append_history_many(conn, &self.history).await?;
        self.bookings.clear();
        self.history.clear();
        self.ids.clear();
        Ok(())
    }
}

fn key_of(link: &ExchangeLink) -> ExchangeKey {
    (
        link.uid.clone().unwrap_or_default(),
        link.recurrence_id.map(|at| at.as_microsecond()),
    )
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
