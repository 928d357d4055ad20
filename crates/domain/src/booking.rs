//! Bookings and their link to the Exchange meeting.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Side on which a booking was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Made through roombridge; roombridge pushes it to Exchange.
    Internal,
    /// Read from a room calendar in Exchange; read-only in roombridge.
    External,
}

impl Origin {
    /// Returns the name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Internal => "internal",
            Origin::External => "external",
        }
    }

    /// Parses the name returned by [`Origin::as_str`].
    pub fn parse(value: &str) -> Option<Origin> {
        match value {
            "internal" => Some(Origin::Internal),
            "external" => Some(Origin::External),
            _ => None,
        }
    }
}

/// State of a booking in the room's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookingStatus {
    /// The room has accepted the meeting, so the slot is taken.
    Confirmed,
    /// The slot is taken, but the room has not accepted the meeting yet.
    Tentative,
    /// The room declined the meeting. [`Booking::declined_reason`] contains
    /// the reason when Exchange gave one.
    Declined,
    /// The organizer cancelled the meeting.
    Cancelled,
}

impl BookingStatus {
    /// Returns whether a booking in this state keeps others out of its slot.
    pub fn blocks(self) -> bool {
        matches!(self, BookingStatus::Confirmed | BookingStatus::Tentative)
    }

    /// Returns the name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Tentative => "tentative",
            BookingStatus::Declined => "declined",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    /// Parses the name returned by [`BookingStatus::as_str`].
    pub fn parse(value: &str) -> Option<BookingStatus> {
        match value {
            "confirmed" => Some(BookingStatus::Confirmed),
            "tentative" => Some(BookingStatus::Tentative),
            "declined" => Some(BookingStatus::Declined),
            "cancelled" => Some(BookingStatus::Cancelled),
            _ => None,
        }
    }
}

/// Whether an attendee is required or optional, as in Exchange's
/// `RequiredAttendees` and `OptionalAttendees`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttendeeRole {
    /// Listed under `RequiredAttendees`.
    #[default]
    Required,
    /// Listed under `OptionalAttendees`.
    Optional,
}

/// A person invited to a booking's meeting. The room itself is not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// SMTP address of the attendee.
    pub address: String,
    /// Display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Required or optional.
    #[serde(default)]
    pub role: AttendeeRole,
}

/// Identifiers that tie a booking to its Exchange meeting.
///
/// Each attendee's copy of a meeting has its own item id and change key; all
/// copies share the iCalendar UID. An occurrence of a recurring series is
/// the series UID plus the occurrence's recurrence id (its original start).
/// Every field is empty until the sync engine has pushed or read the meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeLink {
    /// iCalendar UID shared by every copy of the meeting.
    pub uid: Option<String>,
    /// Original start of this occurrence, for a recurring series.
    pub recurrence_id: Option<Timestamp>,
    /// Item id of the organizer's copy.
    pub organizer_item_id: Option<String>,
    /// Change key of the organizer's copy.
    pub organizer_change_key: Option<String>,
    /// Item id of the room's copy.
    pub room_item_id: Option<String>,
    /// Change key of the room's copy.
    pub room_change_key: Option<String>,
    /// Last-modified time that Exchange reported for the meeting.
    pub last_modified: Option<Timestamp>,
}

/// A room booking as roombridge stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Identifier assigned by roombridge.
    pub id: Uuid,
    /// Mailbox address of the booked room.
    pub room: String,
    /// Mailbox address of the organizer.
    pub organizer: String,
    /// Meeting subject.
    pub subject: String,
    /// Meeting body as plain text.
    pub body: String,
    /// Start, inclusive.
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// IANA name of the time zone the booking was made in.
    pub time_zone: String,
    /// Whether the booking covers whole days in [`Booking::time_zone`].
    pub all_day: bool,
    /// People invited besides the room.
    pub attendees: Vec<Attendee>,
    /// Whether the booking was made in roombridge or read from Exchange.
    pub origin: Origin,
    /// State of the booking in the room's calendar.
    pub status: BookingStatus,
    /// Reason the room gave for declining, when it declined with one.
    pub declined_reason: Option<String>,
    /// When the booking was deleted in roombridge; deleted bookings stay
    /// readable.
    pub deleted_at: Option<Timestamp>,
    /// Counter for optimistic concurrency, raised by every change.
    pub version: i64,
    /// Identifiers of the Exchange meeting.
    pub exchange: ExchangeLink,
    /// When roombridge stored the booking first.
    pub created_at: Timestamp,
    /// When roombridge changed the booking last.
    pub updated_at: Timestamp,
}

impl Booking {
    /// Returns whether this booking keeps others out of its slot: it is
    /// confirmed or tentative and not deleted.
    pub fn blocks(&self) -> bool {
        self.status.blocks() && self.deleted_at.is_none()
    }
}

/// A booking read from a room calendar in Exchange, as the sync engine hands
/// it to the store. It is stored with origin [`Origin::External`], matched
/// to an earlier copy by room, UID and recurrence id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalBooking {
    /// Mailbox address of the room whose calendar contains the meeting.
    pub room: String,
    /// Mailbox address of the organizer.
    pub organizer: String,
    /// Subject as Exchange exposes it on the room's copy.
    pub subject: String,
    /// Body as Exchange exposes it on the room's copy, often empty.
    pub body: String,
    /// Start, inclusive.
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// IANA name of the meeting's start time zone.
    pub time_zone: String,
    /// Whether the meeting is an all-day event.
    pub all_day: bool,
    /// People invited besides the room.
    pub attendees: Vec<Attendee>,
    /// State of the room's copy.
    pub status: BookingStatus,
    /// Exchange identifiers; `uid` must be set.
    pub exchange: ExchangeLink,
}

/// A change to a booking that the sync engine read from Exchange: the
/// organizer edited the meeting in Outlook, or the room responded to it.
/// Exchange already accepted it, so it is stored without validation or
/// conflict check, and without an outbox record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeChange {
    /// Fields that changed in Exchange.
    pub patch: crate::BookingPatch,
    /// New status, such as declined when the room declined.
    pub status: Option<BookingStatus>,
    /// Reason the room gave for declining.
    pub declined_reason: Option<String>,
    /// New Exchange identifiers.
    pub link: Option<ExchangeLink>,
}
