//! The interface between the sync engine and Exchange.
//!
//! It speaks only what EWS and Microsoft Graph share: an item id per
//! mailbox copy with its change key, the iCalendar UID (plus the recurrence
//! id of an occurrence) and an opaque cursor of a calendar's change feed. A
//! Graph backend implements the same trait with event ids, `@odata.etag`,
//! `iCalUId` and delta links.

use std::collections::HashSet;
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use roombridge_domain::Attendee;
use uuid::Uuid;

/// An item's id in one mailbox and the change key of the version read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemoteId {
    /// Item id of this mailbox's copy.
    pub item_id: String,
    /// Change key; every change to the item gives it a new one.
    pub change_key: Option<String>,
}

/// Where a calendar item sits in a recurring series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingKind {
    /// A meeting that does not recur.
    Single,
    /// An occurrence of a series, moved or not.
    Occurrence,
    /// The item that defines a series; its occurrences are read separately.
    SeriesMaster,
}

/// A mailbox's own answer to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// The mailbox organised the meeting.
    Organizer,
    /// Accepted.
    Accepted,
    /// Tentatively accepted, or an unanswered request.
    Tentative,
    /// Declined.
    Declined,
    /// Not answered yet.
    None,
}

/// One invited mailbox of a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAttendee {
    /// Address (lower case), name and whether required or optional.
    pub attendee: Attendee,
    /// Whether the mailbox was invited as a resource, as rooms are.
    pub resource: bool,
    /// The attendee's response.
    pub response: Response,
}

/// A calendar item as one mailbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMeeting {
    /// Id and change key in the mailbox that was read.
    pub id: RemoteId,
    /// iCalendar UID shared by every copy.
    pub uid: String,
    /// Original start of an occurrence.
    pub recurrence_id: Option<Timestamp>,
    /// Single, occurrence or series master.
    pub kind: MeetingKind,
    /// Organizer's address, lower case.
    pub organizer: String,
    /// Subject as this copy shows it.
    pub subject: String,
    /// Body as plain text.
    pub body: String,
    /// Start, inclusive.
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// IANA name of the start time zone, `UTC` when Exchange named none.
    pub time_zone: String,
    /// Whether the meeting lasts whole days.
    pub all_day: bool,
    /// Everyone invited, rooms included, with their responses as the
    /// organizer's copy tracks them.
    pub attendees: Vec<RemoteAttendee>,
    /// Whether the organizer cancelled the meeting.
    pub cancelled: bool,
    /// Whether the item shows as free.
    pub free: bool,
    /// This mailbox's own response.
    pub response: Response,
    /// Booking id stamped on a meeting roombridge created.
    pub booking_id: Option<Uuid>,
    /// When the item was last changed.
    pub last_modified: Option<Timestamp>,
}

impl RemoteMeeting {
    /// Returns whether the item keeps its room busy.
    pub fn blocks(&self) -> bool {
        !self.cancelled && !self.free && self.response != Response::Declined
    }

    /// Returns the response of an invited mailbox, if it is invited.
    pub fn response_of(&self, address: &str) -> Option<Response> {
        self.attendees
            .iter()
            .find(|invited| invited.attendee.address.eq_ignore_ascii_case(address))
            .map(|invited| invited.response)
    }

    /// Lists the invited people: every attendee that is neither a resource
    /// nor one of `rooms`.
    pub fn people(&self, rooms: &[String]) -> Vec<Attendee> {
        self.attendees
            .iter()
            .filter(|invited| {
                !invited.resource
                    && !rooms
                        .iter()
                        .any(|room| room.eq_ignore_ascii_case(&invited.attendee.address))
            })
            .map(|invited| invited.attendee.clone())
            .collect()
    }

    /// Lists the invited rooms: resources and attendees that are one of
    /// `rooms`, in lower case.
    pub fn invited_rooms(&self, rooms: &[String]) -> Vec<String> {
        self.attendees
            .iter()
            .filter(|invited| {
                invited.resource
                    || rooms
                        .iter()
                        .any(|room| room.eq_ignore_ascii_case(&invited.attendee.address))
            })
            .map(|invited| invited.attendee.address.to_lowercase())
            .collect()
    }
}

/// One change reported by a calendar's change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedChange {
    /// The item was created or changed; its details are read separately.
    Upsert(String),
    /// The item was deleted or left the folder.
    Delete(String),
}

/// One page of a calendar's change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePage {
    /// Changes, oldest first.
    pub changes: Vec<FeedChange>,
    /// Cursor to continue from.
    pub cursor: String,
    /// Whether no further change is waiting.
    pub last_page: bool,
}

/// A meeting as roombridge wants it in the organizer's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDraft {
    /// The booking, stamped on the meeting so it can be found again.
    pub booking_id: Uuid,
    /// Organizer mailbox, impersonated to write the meeting.
    pub organizer: String,
    /// Room mailbox, invited as a resource.
    pub room: String,
    /// Room display name, used as the location.
    pub room_name: String,
    /// Subject.
    pub subject: String,
    /// Body as plain text.
    pub body: String,
    /// Start, inclusive.
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// IANA time zone name.
    pub time_zone: String,
    /// Whether the meeting lasts whole days.
    pub all_day: bool,
    /// People invited besides the room.
    pub attendees: Vec<Attendee>,
}

/// What kind of failure a backend call had, which decides what the engine
/// does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendErrorKind {
    /// Exchange asked the client to slow down; wait before retrying.
    Throttled {
        /// Wait Exchange asked for, when it named one.
        retry_after: Option<Duration>,
    },
    /// Exchange could not be reached or failed on its side; retry later.
    Unavailable,
    /// The change-feed cursor is no longer valid; read the calendar anew.
    InvalidCursor,
    /// The change key is stale: the item changed since it was read.
    ChangeKeyConflict,
    /// The item does not exist (any more).
    NotFound,
    /// The service account may not act as this mailbox.
    AccessDenied,
    /// Exchange rejected the request; retrying the same request fails again.
    Rejected,
}

/// A failed backend call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    /// What kind of failure.
    pub kind: BackendErrorKind,
    /// What failed, naming the operation and the mailbox; never a secret.
    pub message: String,
}

impl BackendError {
    /// Creates an error of a kind.
    pub fn new(kind: BackendErrorKind, message: impl Into<String>) -> BackendError {
        BackendError {
            kind,
            message: message.into(),
        }
    }

    /// Returns whether the same call may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            BackendErrorKind::Throttled { .. } | BackendErrorKind::Unavailable
        )
    }

    /// Returns the wait Exchange asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.kind {
            BackendErrorKind::Throttled { retry_after } => retry_after,
            _ => None,
        }
    }
}

/// Result of a backend call.
pub type BackendResult<T> = Result<T, BackendError>;

/// Calendar access the sync engine needs from Exchange, by EWS or by
/// Microsoft Graph. Every method acts as the mailbox it names
/// (impersonation in EWS, app-only access in Graph).
pub trait ExchangeBackend: Send + Sync + std::fmt::Debug {
    /// Reads one page of the room calendar's change feed after `cursor`,
    /// from the beginning when `cursor` is `None`.
    fn read_changes<'a>(
        &'a self,
        room: &'a str,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, BackendResult<ChangePage>>;

    /// Reads calendar items of a mailbox by item id. Items that no longer
    /// exist are left out of the result.
    fn fetch_meetings<'a>(
        &'a self,
        mailbox: &'a str,
        item_ids: &'a [String],
    ) -> BoxFuture<'a, BackendResult<Vec<RemoteMeeting>>>;

    /// Lists the calendar items of a mailbox overlapping `[from, to)`, with
    /// recurring series expanded into their occurrences.
    fn calendar_view<'a>(
        &'a self,
        mailbox: &'a str,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'a, BackendResult<Vec<RemoteMeeting>>>;

    /// Lists the calendar items of a mailbox overlapping `[from, to)` like
    /// [`ExchangeBackend::calendar_view`], but leaves out the items whose
    /// id is in `skip` without reading their details. The change feed
    /// reports single meetings and series masters, never occurrences, so
    /// skipping the feed's item ids keeps every occurrence. A single
    /// meeting that a view names by another id is read as before.
    fn calendar_view_except<'a>(
        &'a self,
        mailbox: &'a str,
        from: Timestamp,
        to: Timestamp,
        skip: &'a HashSet<String>,
    ) -> BoxFuture<'a, BackendResult<Vec<RemoteMeeting>>> {
        Box::pin(async move {
            let view = self.calendar_view(mailbox, from, to).await?;
            Ok(view
                .into_iter()
                .filter(|meeting| !skip.contains(&meeting.id.item_id))
                .collect())
        })
    }

    /// Finds the meeting stamped with `booking_id` in the organizer's
    /// calendar.
    fn find_by_booking_id<'a>(
        &'a self,
        organizer: &'a str,
        booking_id: Uuid,
    ) -> BoxFuture<'a, BackendResult<Option<RemoteMeeting>>>;

    /// Creates the meeting in the organizer's calendar, stamped with the
    /// booking id, and sends the invitations.
    fn create_meeting<'a>(
        &'a self,
        draft: &'a MeetingDraft,
    ) -> BoxFuture<'a, BackendResult<RemoteMeeting>>;

    /// Updates the organizer's meeting at the change key in `id`, sending
    /// updates only to attendees who need them. Returns the new id and
    /// change key.
    fn update_meeting<'a>(
        &'a self,
        draft: &'a MeetingDraft,
        id: &'a RemoteId,
    ) -> BoxFuture<'a, BackendResult<RemoteId>>;

    /// Cancels the meeting with cancellations sent and moves the
    /// organizer's item to Deleted Items.
    fn cancel_meeting<'a>(
        &'a self,
        organizer: &'a str,
        id: &'a RemoteId,
    ) -> BoxFuture<'a, BackendResult<()>>;

    /// Answers a meeting request as the room: accepts, or declines with a
    /// reason sent to the organizer.
    fn respond_as_room<'a>(
        &'a self,
        room: &'a str,
        id: &'a RemoteId,
        accept: bool,
        reason: Option<&'a str>,
    ) -> BoxFuture<'a, BackendResult<()>>;
}
