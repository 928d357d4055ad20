//! The simulated organisation: mailboxes, folders, items and their fields.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::recurrence::Recurrence;

/// A mailbox's kind and the settings that come with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailboxKind {
    /// A person who can sign in.
    User {
        /// Password for Basic and NTLM sign-in.
        password: Password,
        /// Whether the account has the ApplicationImpersonation role.
        #[serde(default)]
        impersonation: bool,
        /// NetBIOS domain accepted in NTLM sign-in (`EXAMPLE` in `EXAMPLE\svc`).
        #[serde(default)]
        domain: Option<String>,
    },
    /// A room (resource) mailbox, which cannot sign in.
    Room {
        /// The room's Set-CalendarProcessing settings.
        #[serde(default)]
        processing: RoomProcessing,
        /// Number of seats, shown by room finders.
        #[serde(default)]
        capacity: Option<u32>,
    },
}

/// The room settings of Exchange's Set-CalendarProcessing, with Exchange's defaults.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, rename_all = "snake_case")]
pub struct RoomProcessing {
    /// `AutoAccept` books requests itself. `AutoUpdate` adds them as tentative
    /// and leaves the request in the Inbox. `None` only leaves the request.
    pub automate_processing: AutomateProcessing,
    /// Whether conflicting requests are accepted anyway (default false).
    pub allow_conflicts: bool,
    /// Booking window: the latest start accepted, in days from now (default 180).
    pub booking_window_in_days: u32,
    /// Maximum meeting duration accepted, in minutes (default 1440). Zero turns the limit off.
    pub maximum_duration_in_minutes: u32,
    /// Whether the organizer's name is added to the room copy's subject (default true).
    pub add_organizer_to_subject: bool,
    /// Whether the subject of the room copy is removed (default true).
    pub delete_subject: bool,
    /// Whether the body of the room copy is removed (default true).
    pub delete_comments: bool,
    /// Whether a recurring request that extends past the booking window is
    /// declined (default true); when false the series is accepted.
    pub enforce_scheduling_horizon: bool,
    /// Whether cancelled meetings are removed from the room calendar (default false).
    pub remove_canceled_meetings: bool,
}

impl Default for RoomProcessing {
    fn default() -> Self {
        RoomProcessing {
            automate_processing: AutomateProcessing::AutoAccept,
            allow_conflicts: false,
            booking_window_in_days: 180,
            maximum_duration_in_minutes: 1440,
            add_organizer_to_subject: true,
            delete_subject: true,
            delete_comments: true,
            enforce_scheduling_horizon: true,
            remove_canceled_meetings: false,
        }
    }
}

/// Processing of meeting requests sent to a room.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum AutomateProcessing {
    /// The resource booking attendant accepts or declines at once.
    #[default]
    AutoAccept,
    /// Only the Calendar Attendant runs: the meeting is tentative in the
    /// calendar and the request waits in the Inbox until accepted or declined.
    AutoUpdate,
    /// No processing at all: the request waits in the Inbox, and the
    /// calendar changes only when someone accepts it.
    None,
}

/// A sign-in password; `Debug` prints a placeholder so it never reaches logs.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    /// Returns the password text, for verification only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A mailbox of the organisation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mailbox {
    /// Primary SMTP address, lower case (the admin interface takes it from the path).
    #[serde(default)]
    pub address: String,
    /// Display name.
    pub name: String,
    /// User or room, with its settings.
    #[serde(flatten)]
    pub kind: MailboxKind,
}

impl Mailbox {
    /// Returns the room settings, or `None` for a user.
    pub fn room(&self) -> Option<&RoomProcessing> {
        match &self.kind {
            MailboxKind::Room { processing, .. } => Some(processing),
            MailboxKind::User { .. } => None,
        }
    }

    /// Returns whether the Calendar Attendant runs for the mailbox: always
    /// for users, and for rooms unless AutomateProcessing is `None`.
    pub fn calendar_attendant(&self) -> bool {
        self.room()
            .is_none_or(|room| room.automate_processing != AutomateProcessing::None)
    }

    /// Returns whether the mailbox may impersonate others.
    pub fn can_impersonate(&self) -> bool {
        matches!(
            self.kind,
            MailboxKind::User {
                impersonation: true,
                ..
            }
        )
    }
}

/// A room list (distribution group of rooms) for GetRoomLists and GetRooms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoomList {
    /// SMTP address of the list.
    pub address: String,
    /// Display name.
    pub name: String,
    /// Addresses of the rooms in the list.
    pub rooms: Vec<String>,
}

/// The folders each mailbox has, by distinguished folder id.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Folder {
    /// The root of the mailbox (`root`).
    Root,
    /// The top of the information store (`msgfolderroot`).
    MsgFolderRoot,
    /// `calendar`.
    Calendar,
    /// `inbox`.
    Inbox,
    /// `sentitems`.
    SentItems,
    /// `deleteditems`.
    DeletedItems,
    /// `recoverableitemsdeletions`, where soft-deleted items go.
    RecoverableItemsDeletions,
}

impl Folder {
    /// Every folder, in creation order.
    pub const ALL: [Folder; 7] = [
        Folder::Root,
        Folder::MsgFolderRoot,
        Folder::Calendar,
        Folder::Inbox,
        Folder::SentItems,
        Folder::DeletedItems,
        Folder::RecoverableItemsDeletions,
    ];

    /// Returns the DistinguishedFolderId name.
    pub fn distinguished_id(self) -> &'static str {
        match self {
            Folder::Root => "root",
            Folder::MsgFolderRoot => "msgfolderroot",
            Folder::Calendar => "calendar",
            Folder::Inbox => "inbox",
            Folder::SentItems => "sentitems",
            Folder::DeletedItems => "deleteditems",
            Folder::RecoverableItemsDeletions => "recoverableitemsdeletions",
        }
    }

    /// Parses a DistinguishedFolderId name.
    pub fn from_distinguished_id(id: &str) -> Option<Folder> {
        Folder::ALL
            .into_iter()
            .find(|folder| folder.distinguished_id() == id)
    }

    /// Returns the display name Exchange gives the folder in English.
    pub fn display_name(self) -> &'static str {
        match self {
            Folder::Root => "",
            Folder::MsgFolderRoot => "Top of Information Store",
            Folder::Calendar => "Calendar",
            Folder::Inbox => "Inbox",
            Folder::SentItems => "Sent Items",
            Folder::DeletedItems => "Deleted Items",
            Folder::RecoverableItemsDeletions => "Deletions",
        }
    }

    /// Returns the folder class (`IPF.Appointment` for calendars).
    pub fn folder_class(self) -> &'static str {
        match self {
            Folder::Calendar => "IPF.Appointment",
            Folder::Root | Folder::RecoverableItemsDeletions => "",
            _ => "IPF.Note",
        }
    }

    /// Returns the parent folder.
    pub fn parent(self) -> Folder {
        match self {
            Folder::Root => Folder::Root,
            Folder::MsgFolderRoot | Folder::RecoverableItemsDeletions => Folder::Root,
            _ => Folder::MsgFolderRoot,
        }
    }
}

/// An attendee's response, or the role of the mailbox (`Organizer`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum ResponseType {
    /// No information.
    #[default]
    Unknown,
    /// The mailbox organised the meeting.
    Organizer,
    /// Tentatively accepted.
    Tentative,
    /// Accepted.
    Accept,
    /// Declined.
    Decline,
    /// The request arrived but has no response yet.
    NoResponseReceived,
}

impl ResponseType {
    /// Returns the schema's name for the value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Unknown => "Unknown",
            ResponseType::Organizer => "Organizer",
            ResponseType::Tentative => "Tentative",
            ResponseType::Accept => "Accept",
            ResponseType::Decline => "Decline",
            ResponseType::NoResponseReceived => "NoResponseReceived",
        }
    }

    /// Parses the schema's name for the value.
    pub fn parse(text: &str) -> Option<ResponseType> {
        [
            ResponseType::Unknown,
            ResponseType::Organizer,
            ResponseType::Tentative,
            ResponseType::Accept,
            ResponseType::Decline,
            ResponseType::NoResponseReceived,
        ]
        .into_iter()
        .find(|value| value.as_str() == text)
    }
}

/// LegacyFreeBusyStatus values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum FreeBusy {
    /// Free.
    Free,
    /// Tentative.
    Tentative,
    /// Busy.
    #[default]
    Busy,
    /// Out of office.
    OOF,
    /// Working elsewhere.
    WorkingElsewhere,
    /// No data.
    NoData,
}

impl FreeBusy {
    /// Returns the schema's name for the value.
    pub fn as_str(self) -> &'static str {
        match self {
            FreeBusy::Free => "Free",
            FreeBusy::Tentative => "Tentative",
            FreeBusy::Busy => "Busy",
            FreeBusy::OOF => "OOF",
            FreeBusy::WorkingElsewhere => "WorkingElsewhere",
            FreeBusy::NoData => "NoData",
        }
    }

    /// Parses the schema's name for the value.
    pub fn parse(text: &str) -> Option<FreeBusy> {
        [
            FreeBusy::Free,
            FreeBusy::Tentative,
            FreeBusy::Busy,
            FreeBusy::OOF,
            FreeBusy::WorkingElsewhere,
            FreeBusy::NoData,
        ]
        .into_iter()
        .find(|value| value.as_str() == text)
    }
}

/// A person named by address and display name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Person {
    /// Display name.
    pub name: String,
    /// SMTP address.
    pub address: String,
}

/// An attendee of a meeting and its last response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attendee {
    /// Who.
    pub person: Person,
    /// Last answer seen by the organizer.
    pub response: ResponseType,
    /// When the answer arrived.
    pub last_response_time: Option<Timestamp>,
}

/// Attendee list a mailbox is on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum AttendeeRole {
    /// RequiredAttendees.
    Required,
    /// OptionalAttendees.
    Optional,
    /// Resources.
    Resource,
}

/// A body and its format.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Body {
    /// `Text` or `HTML`.
    pub body_type: String,
    /// Content.
    pub content: String,
}

/// An extended MAPI property stamped on an item, kept as sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExtendedProperty {
    /// The ExtendedFieldURI attributes, sorted by name.
    pub field: BTreeMap<String, String>,
    /// The value (single-valued properties).
    pub value: String,
}

/// Calendar fields of a calendar item or of a meeting message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CalendarData {
    /// iCalendar UID shared by every copy.
    pub uid: String,
    /// Start instant.
    pub start: Timestamp,
    /// End instant.
    pub end: Timestamp,
    /// Windows time zone id of the start (`StartTimeZone`).
    pub start_time_zone: String,
    /// Windows time zone id of the end (`EndTimeZone`).
    pub end_time_zone: String,
    /// All-day event.
    pub is_all_day: bool,
    /// Free/busy status shown for this copy.
    pub free_busy: FreeBusy,
    /// Location text.
    pub location: String,
    /// Organizer.
    pub organizer: Person,
    /// Required attendees.
    pub required: Vec<Attendee>,
    /// Optional attendees.
    pub optional: Vec<Attendee>,
    /// Resources.
    pub resources: Vec<Attendee>,
    /// This copy's own answer.
    pub my_response: ResponseType,
    /// Whether the item has attendees.
    pub is_meeting: bool,
    /// Whether the organizer cancelled the meeting.
    pub is_cancelled: bool,
    /// Whether requests were sent for it.
    pub meeting_request_was_sent: bool,
    /// Whether responses are requested.
    pub is_response_requested: bool,
    /// Appointment sequence number, raised with each update sent.
    pub sequence: u32,
    /// When this copy last answered.
    pub reply_time: Option<Timestamp>,
    /// Recurrence pattern of a series master.
    pub recurrence: Option<Recurrence>,
    /// Changed occurrences, by original start.
    pub exceptions: BTreeMap<i64, OccurrenceOverride>,
    /// Deleted occurrences, by original start (seconds since the epoch).
    pub deleted_occurrences: BTreeSet<i64>,
    /// Occurrence a meeting message is about, by original start.
    pub recurrence_id: Option<Timestamp>,
}

/// The fields an exception changes on one occurrence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OccurrenceOverride {
    /// New start.
    pub start: Timestamp,
    /// New end.
    pub end: Timestamp,
    /// New subject, if changed.
    pub subject: Option<String>,
    /// New location, if changed.
    pub location: Option<String>,
    /// Change counter of the occurrence.
    pub version: u64,
    /// Last modification.
    pub modified: Timestamp,
}

/// Kind of item.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ItemKind {
    /// An appointment or meeting (`IPM.Appointment`).
    CalendarItem,
    /// A meeting request (`IPM.Schedule.Meeting.Request`).
    MeetingRequest,
    /// A meeting response (`IPM.Schedule.Meeting.Resp.*`).
    MeetingResponse(ResponseType),
    /// A meeting cancellation (`IPM.Schedule.Meeting.Canceled`).
    MeetingCancellation,
    /// A plain message (`IPM.Note`).
    Message,
}

impl ItemKind {
    /// Returns the ItemClass.
    pub fn item_class(self) -> &'static str {
        match self {
            ItemKind::CalendarItem => "IPM.Appointment",
            ItemKind::MeetingRequest => "IPM.Schedule.Meeting.Request",
            ItemKind::MeetingResponse(ResponseType::Accept) => "IPM.Schedule.Meeting.Resp.Pos",
            ItemKind::MeetingResponse(ResponseType::Decline) => "IPM.Schedule.Meeting.Resp.Neg",
            ItemKind::MeetingResponse(_) => "IPM.Schedule.Meeting.Resp.Tent",
            ItemKind::MeetingCancellation => "IPM.Schedule.Meeting.Canceled",
            ItemKind::Message => "IPM.Note",
        }
    }
}

/// One item in one mailbox folder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    /// Unique number across the organisation; the ItemId encodes it.
    pub number: u64,
    /// Owning mailbox address.
    pub mailbox: String,
    /// Current folder.
    pub folder: Folder,
    /// Kind of item.
    pub kind: ItemKind,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: Body,
    /// Sensitivity (`Normal`, `Personal`, `Private`, `Confidential`).
    pub sensitivity: String,
    /// Importance (`Low`, `Normal`, `High`).
    pub importance: String,
    /// Categories.
    pub categories: Vec<String>,
    /// Creation time.
    pub created: Timestamp,
    /// Arrival in the mailbox.
    pub received: Timestamp,
    /// Last modification.
    pub modified: Timestamp,
    /// Change counter; the ChangeKey encodes it.
    pub version: u64,
    /// Organisation-wide change sequence number of the last change.
    pub change_seq: u64,
    /// Change sequence number of the item's arrival in its folder.
    pub created_seq: u64,
    /// Calendar fields, for calendar items and meeting messages.
    pub calendar: Option<CalendarData>,
    /// For meeting messages: the calendar item they concern.
    pub associated_item: Option<u64>,
    /// Sender of a message.
    pub from: Option<Person>,
    /// Recipients of a message.
    pub to: Vec<Person>,
    /// Whether a meeting message was already processed.
    pub has_been_processed: bool,
    /// Extended properties.
    pub extended: Vec<ExtendedProperty>,
    /// Reminder set.
    pub reminder_is_set: bool,
    /// Minutes before start.
    pub reminder_minutes: i32,
}

/// An item that left a folder, kept so sync can report its deletion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tombstone {
    /// Mailbox address.
    pub mailbox: String,
    /// Folder it left.
    pub folder: Folder,
    /// Item number.
    pub number: u64,
    /// Change sequence number of the removal.
    pub seq: u64,
    /// Change sequence number of its arrival in that folder.
    pub created_seq: u64,
}
