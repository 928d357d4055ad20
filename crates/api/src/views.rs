//! JSON shapes of the API's responses, and what another user may read of a
//! booking.
//!
//! Read policy: every authenticated user sees when a room is busy and the
//! subject, organizer, status and times of every booking, as a room
//! calendar in Outlook shows them. The body and the attendee list are
//! private to the organizer: others receive `null` for both and
//! `visibility: "limited"`. A booking's history is likewise readable by its
//! organizer only. External bookings follow the same rule, keyed on the
//! organizer address that Exchange reported.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use roombridge_domain::{
    Attendee, AttendeeRole, Booking, BusyInterval, FieldChange, HistoryEntry, Room, User,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// How much of a booking the reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// The reader is the organizer, so every field is shown.
    Full,
    /// The reader is someone else; `body` and `attendees` are `null`.
    Limited,
}

/// A booking as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingView {
    /// Identifier assigned by roombridge.
    pub id: Uuid,
    /// Mailbox address of the room.
    pub room: String,
    /// Mailbox address of the organizer.
    pub organizer: String,
    /// Meeting subject.
    pub subject: String,
    /// Meeting body as plain text; `null` unless the reader is the organizer.
    pub body: Option<String>,
    /// Start (inclusive), RFC 3339 with the offset of `time_zone` at that instant.
    #[schema(format = DateTime, example = "2026-12-07T09:00:00+01:00")]
    pub start: String,
    /// End (exclusive), RFC 3339 with the offset of `time_zone` at that instant.
    #[schema(format = DateTime, example = "2026-12-07T10:00:00+01:00")]
    pub end: String,
    /// IANA time zone the booking was made in.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    /// Whether the booking covers whole days in `time_zone`.
    pub all_day: bool,
    /// People invited besides the room; `null` unless the reader is the organizer.
    pub attendees: Option<Vec<AttendeeView>>,
    /// `internal` (made in roombridge) or `external` (read from Exchange; read-only).
    #[schema(example = "internal")]
    pub origin: String,
    /// `confirmed`, `tentative`, `declined` (by the room) or `cancelled`.
    #[schema(example = "confirmed")]
    pub status: String,
    /// Reason the room gave for declining, when it gave one.
    pub declined_reason: Option<String>,
    /// When the booking was deleted; deleted bookings stay readable.
    #[schema(format = DateTime)]
    pub deleted_at: Option<String>,
    /// Version for optimistic concurrency; also the `ETag`.
    pub version: i64,
    /// iCalendar UID of the Exchange meeting, once known.
    pub ical_uid: Option<String>,
    /// When roombridge first stored the booking.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When roombridge last changed the booking.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Whether `body` and `attendees` are shown.
    pub visibility: Visibility,
}

impl BookingView {
    /// Builds the view of `booking` that `reader` may see.
    pub fn for_reader(booking: &Booking, reader: &User) -> Self {
        let full = booking.organizer == reader.address;
        let zone = TimeZone::get(&booking.time_zone).unwrap_or(TimeZone::UTC);
        Self {
            id: booking.id,
            room: booking.room.clone(),
            organizer: booking.organizer.clone(),
            subject: booking.subject.clone(),
            body: full.then(|| booking.body.clone()),
            start: format_in_zone(booking.start, &zone),
            end: format_in_zone(booking.end, &zone),
            time_zone: booking.time_zone.clone(),
            all_day: booking.all_day,
            attendees: full.then(|| booking.attendees.iter().map(AttendeeView::from).collect()),
            origin: booking.origin.as_str().to_owned(),
            status: booking.status.as_str().to_owned(),
            declined_reason: booking.declined_reason.clone(),
            deleted_at: booking.deleted_at.map(|at| at.to_string()),
            version: booking.version,
            ical_uid: booking.exchange.uid.clone(),
            created_at: booking.created_at.to_string(),
            updated_at: booking.updated_at.to_string(),
            visibility: if full {
                Visibility::Full
            } else {
                Visibility::Limited
            },
        }
    }
}

/// Formats `instant` as RFC 3339 with the offset `zone` has at that instant.
/// RFC 3339 offsets have no seconds, so an offset that has them, such as
/// the local mean time -00:44:30 of `Africa/Monrovia` before 1972, would be
/// cut to name another instant. Such an instant is written in UTC instead.
pub(crate) fn format_in_zone(instant: Timestamp, zone: &TimeZone) -> String {
    let offset = zone.to_offset(instant);
    if offset.seconds() % 60 != 0 {
        return instant.to_string();
    }
    instant.display_with_offset(offset).to_string()
}

/// A person invited to a booking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeView {
    /// SMTP address.
    pub address: String,
    /// Display name, when known.
    pub name: Option<String>,
    /// `required` or `optional`.
    #[schema(example = "required")]
    pub role: String,
}

impl From<&Attendee> for AttendeeView {
    fn from(attendee: &Attendee) -> Self {
        let role = match attendee.role {
            AttendeeRole::Required => "required",
            AttendeeRole::Optional => "optional",
        };
        Self {
            address: attendee.address.clone(),
            name: attendee.name.clone(),
            role: role.to_owned(),
        }
    }
}

/// A bookable room.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomView {
    /// Mailbox address of the room.
    pub address: String,
    /// Display name.
    pub name: String,
    /// Number of seats, when known.
    pub capacity: Option<u32>,
    /// Free-text location.
    pub location: Option<String>,
    /// `auto-accept` (the room mailbox accepts requests itself) or
    /// `accept-as-room` (roombridge accepts on the room's behalf).
    #[schema(example = "auto-accept")]
    pub mode: String,
}

impl From<&Room> for RoomView {
    fn from(room: &Room) -> Self {
        Self {
            address: room.address.clone(),
            name: room.display_name.clone(),
            capacity: room.capacity,
            location: room.location.clone(),
            mode: room.response_mode.as_str().to_owned(),
        }
    }
}

/// A user of roombridge.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    /// SMTP address of the user's mailbox, in lower case.
    #[schema(example = "alice@example.com")]
    pub address: String,
    /// Display name, shown on the user's bookings.
    #[schema(example = "Alice Example")]
    pub name: String,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            address: user.address.clone(),
            name: user.display_name.clone(),
        }
    }
}

/// The busy intervals of a room within a window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AvailabilityView {
    /// Mailbox address of the room.
    pub room: String,
    /// Start of the window (inclusive), UTC.
    #[schema(format = DateTime)]
    pub from: String,
    /// End of the window (exclusive), UTC.
    #[schema(format = DateTime)]
    pub to: String,
    /// Busy intervals overlapping the window, ordered by start; internal and
    /// external bookings both count.
    pub busy: Vec<BusyView>,
}

/// One busy interval.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BusyView {
    /// Start (inclusive), UTC.
    #[schema(format = DateTime)]
    pub start: String,
    /// End (exclusive), UTC.
    #[schema(format = DateTime)]
    pub end: String,
    /// Booking that occupies the interval.
    pub booking_id: Uuid,
    /// `internal` or `external`.
    pub origin: String,
    /// `confirmed` or `tentative`.
    pub status: String,
}

impl From<&BusyInterval> for BusyView {
    fn from(busy: &BusyInterval) -> Self {
        Self {
            start: busy.start.to_string(),
            end: busy.end.to_string(),
            booking_id: busy.booking_id,
            origin: busy.origin.as_str().to_owned(),
            status: busy.status.as_str().to_owned(),
        }
    }
}

/// One change in a booking's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntryView {
    /// When the change was stored, UTC.
    #[schema(format = DateTime)]
    pub at: String,
    /// Author of the change: a user address, or `sync` for Exchange.
    pub actor: String,
    /// `internal` (through roombridge) or `exchange` (read from Exchange).
    pub side: String,
    /// `created`, `updated` or `deleted`.
    pub action: String,
    /// Version of the booking after the change.
    pub version: i64,
    /// Changed fields with their values before and after.
    pub changes: Vec<FieldChangeView>,
}

/// One changed field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldChangeView {
    /// Field name, as in the booking JSON.
    pub field: String,
    /// Value before the change (`null` when created).
    #[schema(value_type = Object)]
    pub from: serde_json::Value,
    /// Value after the change.
    #[schema(value_type = Object)]
    pub to: serde_json::Value,
}

impl From<&HistoryEntry> for HistoryEntryView {
    fn from(entry: &HistoryEntry) -> Self {
        Self {
            at: entry.at.to_string(),
            actor: entry.actor.clone(),
            side: entry.side.as_str().to_owned(),
            action: entry.action.as_str().to_owned(),
            version: entry.version,
            changes: entry.changes.iter().map(FieldChangeView::from).collect(),
        }
    }
}

impl From<&FieldChange> for FieldChangeView {
    fn from(change: &FieldChange) -> Self {
        Self {
            field: change.field.clone(),
            from: change.from.clone(),
            to: change.to.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_uses_zone_offset() {
        let instant: Timestamp = "2026-12-07T08:00:00Z".parse().unwrap();
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(
            format_in_zone(instant, &berlin),
            "2026-12-07T09:00:00+01:00"
        );
        assert_eq!(
            format_in_zone(instant, &TimeZone::UTC),
            "2026-12-07T08:00:00+00:00"
        );
    }
}
