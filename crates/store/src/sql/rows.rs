//! Decoding of result rows into domain values.

use roombridge_domain::{
    Booking, BookingStatus, ExchangeLink, HistoryAction, HistoryEntry, Origin, OutboxKind,
    OutboxRecord, OutboxState, ResponseMode, Room, Side, User,
};
use sqlx::Row as _;
use uuid::Uuid;

use super::Db;
use crate::StoreError;
use crate::codec::{from_json, optional_timestamp, parse_name, timestamp};

pub(crate) type Row = <Db as sqlx::Database>::Row;

pub(crate) fn room(row: &Row) -> Result<Room, StoreError> {
    let capacity: Option<i64> = row.try_get("capacity")?;
    let mode: String = row.try_get("response_mode")?;
    Ok(Room {
        address: row.try_get("address")?,
        display_name: row.try_get("display_name")?,
        capacity: capacity
            .map(u32::try_from)
            .transpose()
            .map_err(|error| StoreError::corrupt("capacity", error))?,
        location: row.try_get("location")?,
        response_mode: mode
            .parse::<ResponseMode>()
            .map_err(|error| StoreError::corrupt("response_mode", error))?,
    })
}

pub(crate) fn user(row: &Row) -> Result<User, StoreError> {
    Ok(User {
        address: row.try_get("address")?,
        display_name: row.try_get("display_name")?,
    })
}

pub(crate) fn token(row: &Row) -> Result<crate::TokenInfo, StoreError> {
    let hash: String = row.try_get("token_hash")?;
    Ok(crate::TokenInfo {
        id: crate::token::id_of_hash(&hash),
        user_address: row.try_get("user_address")?,
        created_at: timestamp("created_at", row.try_get("created_at")?)?,
        expires_at: optional_timestamp("expires_at", row.try_get("expires_at")?)?,
    })
}

pub(crate) fn booking(row: &Row) -> Result<Booking, StoreError> {
    let origin: String = row.try_get("origin")?;
    let status: String = row.try_get("status")?;
    let attendees: String = row.try_get("attendees")?;
    Ok(Booking {
        id: row.try_get::<Uuid, _>("id")?,
        room: row.try_get("room")?,
        organizer: row.try_get("organizer")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        start: timestamp("start_at", row.try_get("start_at")?)?,
        end: timestamp("end_at", row.try_get("end_at")?)?,
        time_zone: row.try_get("time_zone")?,
        all_day: row.try_get("all_day")?,
        attendees: from_json("attendees", &attendees)?,
        origin: parse_name("origin", &origin, Origin::parse)?,
        status: parse_name("status", &status, BookingStatus::parse)?,
        declined_reason: row.try_get("declined_reason")?,
        deleted_at: optional_timestamp("deleted_at", row.try_get("deleted_at")?)?,
        version: row.try_get("version")?,
        exchange: ExchangeLink {
            uid: row.try_get("exchange_uid")?,
            recurrence_id: optional_timestamp(
                "exchange_recurrence_id",
                row.try_get("exchange_recurrence_id")?,
            )?,
            organizer_item_id: row.try_get("organizer_item_id")?,
            organizer_change_key: row.try_get("organizer_change_key")?,
            room_item_id: row.try_get("room_item_id")?,
            room_change_key: row.try_get("room_change_key")?,
            last_modified: optional_timestamp(
                "exchange_last_modified",
                row.try_get("exchange_last_modified")?,
            )?,
        },
        created_at: timestamp("created_at", row.try_get("created_at")?)?,
        updated_at: timestamp("updated_at", row.try_get("updated_at")?)?,
    })
}

pub(crate) fn history_entry(row: &Row) -> Result<HistoryEntry, StoreError> {
    let side: String = row.try_get("side")?;
    let action: String = row.try_get("action")?;
    let changes: String = row.try_get("changes")?;
    Ok(HistoryEntry {
        booking_id: row.try_get::<Uuid, _>("booking_id")?,
        at: timestamp("at", row.try_get("at")?)?,
        actor: row.try_get("actor")?,
        side: parse_name("side", &side, Side::parse)?,
        action: parse_name("action", &action, HistoryAction::parse)?,
        version: row.try_get("version")?,
        changes: from_json("changes", &changes)?,
    })
}

pub(crate) fn outbox_record(row: &Row) -> Result<OutboxRecord, StoreError> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    Ok(OutboxRecord {
        id: row.try_get("id")?,
        booking_id: row.try_get::<Uuid, _>("booking_id")?,
        kind: parse_name("kind", &kind, OutboxKind::parse)?,
        booking_version: row.try_get("booking_version")?,
        previous_room: row.try_get("previous_room")?,
        state: parse_name("state", &state, OutboxState::parse)?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        next_attempt_at: timestamp("next_attempt_at", row.try_get("next_attempt_at")?)?,
        claimed_until: optional_timestamp("claimed_until", row.try_get("claimed_until")?)?,
        created_at: timestamp("created_at", row.try_get("created_at")?)?,
    })
}
