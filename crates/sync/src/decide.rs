//! The pure half of sync: from what roombridge stores and what Exchange
//! reports, decide what to change. Nothing here does I/O; the inbound and
//! outbound modules carry the decisions out.
//!
//! Two-sided edits are judged against a [`Snapshot`], the field values both
//! sides held after the last successful sync, never by comparing clocks. A
//! field that Exchange reports unchanged from the snapshot is roombridge's
//! own push coming back (echo), not an Outlook edit.

use jiff::Timestamp;
use roombridge_domain::{
    Attendee, Booking, BookingPatch, BookingStatus, ExchangeChange, ExchangeLink, ExternalBooking,
};
use serde::{Deserialize, Serialize};

use crate::backend::{RemoteMeeting, Response};

/// Booking fields that both sides can edit, with their last agreed values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Room mailbox address.
    pub room: String,
    /// Subject, as the organizer's copy holds it.
    pub subject: String,
    /// Body as plain text.
    pub body: String,
    /// Start, inclusive.
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// Invited people, sorted by address.
    pub attendees: Vec<Attendee>,
}

impl Snapshot {
    /// Takes the editable fields of a booking.
    pub fn of_booking(booking: &Booking) -> Snapshot {
        Snapshot {
            room: booking.room.clone(),
            subject: booking.subject.clone(),
            body: booking.body.clone(),
            start: booking.start,
            end: booking.end,
            attendees: sorted(booking.attendees.clone()),
        }
    }

    /// Takes the editable fields of the organizer's copy of a meeting,
    /// which is in `room`.
    pub fn of_meeting(meeting: &RemoteMeeting, room: &str, known_rooms: &[String]) -> Snapshot {
        Snapshot {
            room: room.to_lowercase(),
            subject: meeting.subject.clone(),
            body: normalize_body(&meeting.body),
            start: meeting.start,
            end: meeting.end,
            attendees: sorted(meeting.people(known_rooms)),
        }
    }

    /// Serializes the snapshot for the store.
    pub fn to_json(&self) -> serde_json::Value {
        // OK because a struct of strings, instants and lists always
        // serializes.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Reads a snapshot written by [`Snapshot::to_json`]; `None` for
    /// anything else.
    pub fn from_json(value: &serde_json::Value) -> Option<Snapshot> {
        serde_json::from_value(value.clone()).ok()
    }
}

fn sorted(mut attendees: Vec<Attendee>) -> Vec<Attendee> {
    for attendee in &mut attendees {
        attendee.address = attendee.address.to_lowercase();
        // Names differ between directory and request; only the address
        // and role identify an attendee.
        attendee.name = None;
    }
    attendees.sort_by(|a, b| a.address.cmp(&b.address));
    attendees.dedup_by(|a, b| a.address == b.address);
    attendees
}

/// Exchange turns a plain-text body into text with a trailing line break
/// or carriage returns; those differences are not edits.
fn normalize_body(body: &str) -> String {
    body.replace("\r\n", "\n").trim_end().to_owned()
}

/// How a field edited on both sides since the last sync is settled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictPolicy {
    /// Keep each side's edits where they touch different fields; on the
    /// same field, Exchange's value wins.
    #[default]
    MergeExchangeWins,
    /// Keep each side's edits where they touch different fields; on the
    /// same field, roombridge's value wins.
    MergeRoombridgeWins,
    /// When both sides edited, Exchange's version of every field wins.
    ExchangeWins,
}

impl ConflictPolicy {
    /// Returns the name used in configuration and history.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictPolicy::MergeExchangeWins => "merge-exchange-wins",
            ConflictPolicy::MergeRoombridgeWins => "merge-roombridge-wins",
            ConflictPolicy::ExchangeWins => "exchange-wins",
        }
    }
}

impl std::str::FromStr for ConflictPolicy {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "merge-exchange-wins" => Ok(ConflictPolicy::MergeExchangeWins),
            "merge-roombridge-wins" => Ok(ConflictPolicy::MergeRoombridgeWins),
            "exchange-wins" => Ok(ConflictPolicy::ExchangeWins),
            other => Err(format!(
                "invalid conflict policy `{other}`: expected `merge-exchange-wins`, \
                 `merge-roombridge-wins` or `exchange-wins`"
            )),
        }
    }
}

/// The side whose value a field keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Winner {
    /// roombridge's value stays (and is pushed).
    Roombridge,
    /// Exchange's value is taken.
    Exchange,
}

/// Result of merging the organizer's copy into an internal booking.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// Fields to take from Exchange.
    pub patch: BookingPatch,
    /// Field values both sides hold once the patch is applied and any
    /// roombridge edits are pushed.
    pub agreed: Snapshot,
    /// Fields edited on both sides, with the side that won; empty when the
    /// edits did not meet.
    pub conflicts: Vec<(String, Winner)>,
    /// Whether roombridge holds edits Exchange lacks, which must be pushed.
    pub needs_push: bool,
}

impl Merge {
    /// Returns whether the merge changes nothing in roombridge.
    pub fn is_empty(&self) -> bool {
        self.patch == BookingPatch::default()
    }

    /// Returns the decision as JSON for the booking's history, or `None`
    /// when nothing conflicted.
    pub fn decision(&self, policy: ConflictPolicy) -> Option<serde_json::Value> {
        if self.conflicts.is_empty() {
            return None;
        }
        let fields: serde_json::Map<String, serde_json::Value> = self
            .conflicts
            .iter()
            .map(|(field, winner)| (field.clone(), serde_json::json!(winner)))
            .collect();
        Some(serde_json::json!({ "policy": policy.as_str(), "fields": fields }))
    }
}

/// Merges the organizer's copy (`remote`) into a booking, field by field,
/// against the last agreed values (`base`). Without a base, the booking's
/// own values are the base, so every difference counts as an Outlook edit.
pub fn merge(
    booking: &Booking,
    base: Option<&Snapshot>,
    remote: &Snapshot,
    policy: ConflictPolicy,
) -> Merge {
    let local = Snapshot::of_booking(booking);
    let base = base.cloned().unwrap_or_else(|| local.clone());
    let states = field_states(&base, &local, remote);
    let both_edited = states
        .iter()
        .any(|(_, state)| *state == FieldState::Conflict);

    let mut patch = BookingPatch::default();
    let mut conflicts = Vec::new();
    let mut needs_push = false;
    for (field, state) in states {
        let winner = match (state, policy) {
            (FieldState::Same, _) => continue,
            (FieldState::RemoteEdit, _) => Winner::Exchange,
            (FieldState::LocalEdit, ConflictPolicy::ExchangeWins) if both_edited => {
                conflicts.push((field.to_owned(), Winner::Exchange));
                Winner::Exchange
            }
            (FieldState::LocalEdit, _) => Winner::Roombridge,
            (FieldState::Conflict, ConflictPolicy::MergeRoombridgeWins) => {
                conflicts.push((field.to_owned(), Winner::Roombridge));
                Winner::Roombridge
            }
            (FieldState::Conflict, _) => {
                conflicts.push((field.to_owned(), Winner::Exchange));
                Winner::Exchange
            }
        };
        match winner {
            Winner::Roombridge => needs_push = true,
            Winner::Exchange => take_remote(field, remote, &mut patch),
        }
    }
    // Exchange holds `remote` until roombridge's own edits are pushed, and
    // the push records what it sent.
    Merge {
        patch,
        agreed: remote.clone(),
        conflicts,
        needs_push,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldState {
    Same,
    LocalEdit,
    RemoteEdit,
    Conflict,
}

fn field_state<T: PartialEq>(base: &T, local: &T, remote: &T) -> FieldState {
    if local == remote {
        return FieldState::Same;
    }
    match (local != base, remote != base) {
        (true, false) => FieldState::LocalEdit,
        (false, true) => FieldState::RemoteEdit,
        _ => FieldState::Conflict,
    }
}

fn field_states(
    base: &Snapshot,
    local: &Snapshot,
    remote: &Snapshot,
) -> Vec<(&'static str, FieldState)> {
    let body = |snapshot: &Snapshot| normalize_body(&snapshot.body);
    vec![
        ("room", field_state(&base.room, &local.room, &remote.room)),
        (
            "subject",
            field_state(&base.subject, &local.subject, &remote.subject),
        ),
        (
            "body",
            field_state(&body(base), &body(local), &body(remote)),
        ),
        (
            "start",
            field_state(&base.start, &local.start, &remote.start),
        ),
        ("end", field_state(&base.end, &local.end, &remote.end)),
        (
            "attendees",
            field_state(&base.attendees, &local.attendees, &remote.attendees),
        ),
    ]
}

fn take_remote(field: &str, remote: &Snapshot, patch: &mut BookingPatch) {
    match field {
        "room" => patch.room = Some(remote.room.clone()),
        "subject" => patch.subject = Some(remote.subject.clone()),
        "body" => patch.body = Some(remote.body.clone()),
        "start" => patch.start = Some(remote.start),
        "end" => patch.end = Some(remote.end),
        "attendees" => patch.attendees = Some(remote.attendees.clone()),
        _ => {}
    }
}

/// The status of an external booking, from the room's copy.
pub fn external_status(meeting: &RemoteMeeting) -> BookingStatus {
    if meeting.cancelled {
        return BookingStatus::Cancelled;
    }
    match meeting.response {
        Response::Declined => BookingStatus::Declined,
        Response::Tentative | Response::None => BookingStatus::Tentative,
        Response::Accepted | Response::Organizer => BookingStatus::Confirmed,
    }
}

/// Builds the external booking for a meeting read from a room calendar.
pub fn external_booking(
    room: &str,
    meeting: &RemoteMeeting,
    known_rooms: &[String],
) -> ExternalBooking {
    ExternalBooking {
        room: room.to_lowercase(),
        organizer: meeting.organizer.clone(),
        subject: meeting.subject.clone(),
        body: meeting.body.clone(),
        start: meeting.start,
        end: meeting.end,
        time_zone: meeting.time_zone.clone(),
        all_day: meeting.all_day,
        attendees: meeting.people(known_rooms),
        status: external_status(meeting),
        exchange: ExchangeLink {
            uid: Some(meeting.uid.clone()),
            recurrence_id: meeting.recurrence_id,
            organizer_item_id: None,
            organizer_change_key: None,
            room_item_id: Some(meeting.id.item_id.clone()),
            room_change_key: meeting.id.change_key.clone(),
            last_modified: meeting.last_modified,
        },
    }
}

/// What one room-calendar item means for a booking roombridge created.
#[derive(Debug, Clone, PartialEq)]
pub enum InternalDecision {
    /// The room's copy is as last seen; nothing to do.
    Unchanged,
    /// Only the room's identifiers changed: store them.
    Relink(ExchangeLink),
    /// The booking is deleted in roombridge; its cancellation is the
    /// outbox's job.
    Ignore,
    /// The room declined the meeting.
    Declined(ExchangeChange),
    /// The meeting was cancelled in Outlook.
    Cancelled(ExchangeChange),
    /// The room's copy changed: read the organizer's copy and merge it.
    ReadOrganizerCopy,
}

/// Decides what the room's copy of an internal booking's meeting means.
/// The room's subject is never used, because a room with
/// `AddOrganizerToSubject` rewrites it.
pub fn decide_internal(booking: &Booking, room_copy: &RemoteMeeting) -> InternalDecision {
    if booking.deleted_at.is_some() {
        return InternalDecision::Ignore;
    }
    if room_copy.cancelled {
        if booking.status == BookingStatus::Cancelled {
            return InternalDecision::Unchanged;
        }
        return InternalDecision::Cancelled(ExchangeChange {
            status: Some(BookingStatus::Cancelled),
            ..ExchangeChange::default()
        });
    }
    if room_copy.response == Response::Declined {
        if booking.status == BookingStatus::Declined {
            return InternalDecision::Unchanged;
        }
        return InternalDecision::Declined(ExchangeChange {
            status: Some(BookingStatus::Declined),
            declined_reason: Some("the room declined the meeting".to_owned()),
            ..ExchangeChange::default()
        });
    }
    let mut link = booking.exchange.clone();
    link.room_item_id = Some(room_copy.id.item_id.clone());
    if booking.exchange.room_change_key == room_copy.id.change_key
        && booking.exchange.room_item_id == link.room_item_id
    {
        return InternalDecision::Unchanged;
    }
    let known = booking.exchange.room_change_key.is_some();
    link.room_change_key = room_copy.id.change_key.clone();
    link.last_modified = room_copy.last_modified;
    if !known && room_copy.start == booking.start && room_copy.end == booking.end {
        // The first sight of the room's copy of a meeting just pushed.
        return InternalDecision::Relink(link);
    }
    InternalDecision::ReadOrganizerCopy
}
