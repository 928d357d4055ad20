//! Organisation files (TOML or JSON) and the built-in sample organisation.

use std::path::Path;

use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::ews::item_parse::{blank_calendar, blank_item};
use crate::meeting::{self, Sending};
use crate::model::{
    Attendee, AutomateProcessing, Folder, ItemKind, Mailbox, MailboxKind, Password, Person,
    ResponseType, RoomList, RoomProcessing,
};
use crate::org::Org;
use crate::recurrence::{DayOfWeek, Pattern, RangeEnd, Recurrence};

/// The contents of an organisation file, or an organisation built in code.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationFile {
    /// Users and rooms.
    #[serde(default, rename = "mailbox")]
    pub mailboxes: Vec<Mailbox>,
    /// Room lists.
    #[serde(default, rename = "room_list")]
    pub room_lists: Vec<RoomList>,
    /// Meetings booked when the simulator starts.
    #[serde(default, rename = "booking")]
    pub bookings: Vec<Booking>,
}

/// A meeting created at start-up as if its organizer had sent it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    /// Organizer address.
    pub organizer: String,
    /// Subject.
    pub subject: String,
    /// Start instant (RFC 3339).
    pub start: Timestamp,
    /// End instant (RFC 3339).
    pub end: Timestamp,
    /// Windows time zone id of the meeting (default `UTC`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Invited addresses, rooms included.
    #[serde(default)]
    pub attendees: Vec<String>,
    /// Body text.
    #[serde(default)]
    pub body: String,
    /// Recurrence of a series.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
}

/// A problem with an organisation file.
#[derive(Debug, thiserror::Error)]
pub enum OrganisationError {
    /// The file could not be read.
    #[error("cannot read organisation file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or JSON of the expected shape.
    #[error("invalid organisation file {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// The contents are inconsistent.
    #[error("invalid organisation: {0}")]
    Invalid(String),
}

impl OrganisationFile {
    /// Reads a `.toml` or `.json` file.
    pub fn load(path: &Path) -> Result<OrganisationFile, OrganisationError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| OrganisationError::Read {
            path: display.clone(),
            source,
        })?;
        let is_json = path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("json"));
        if is_json {
            serde_json::from_str(&text).map_err(|error| OrganisationError::Parse {
                path: display,
                message: error.to_string(),
            })
        } else {
            toml::from_str(&text).map_err(|error| OrganisationError::Parse {
                path: display,
                message: error.to_string(),
            })
        }
    }

    /// Builds the organisation: mailboxes, room lists, then bookings.
    pub fn build(&self, now: Timestamp) -> Result<Org, OrganisationError> {
        let mut org = Org::default();
        for mailbox in &self.mailboxes {
            if !mailbox.address.contains('@') {
                return Err(OrganisationError::Invalid(format!(
                    "mailbox address `{}` is not an SMTP address; write it as `name@domain`",
                    mailbox.address
                )));
            }
            org.put_mailbox(mailbox.clone());
        }
        for list in &self.room_lists {
            for room in &list.rooms {
                if org.mailbox(room).and_then(Mailbox::room).is_none() {
                    return Err(OrganisationError::Invalid(format!(
                        "room list `{}` names `{room}`, which is not a room mailbox of the organisation",
                        list.address
                    )));
                }
            }
        }
        org.room_lists = self.room_lists.clone();
        for booking in &self.bookings {
            add_booking(&mut org, booking, now)?;
        }
        Ok(org)
    }
}

/// Books one meeting as its organizer, sending invitations.
pub(crate) fn add_booking(
    org: &mut Org,
    booking: &Booking,
    now: Timestamp,
) -> Result<u64, OrganisationError> {
    let organizer = org
        .mailbox(&booking.organizer)
        .filter(|mailbox| mailbox.room().is_none())
        .ok_or_else(|| {
            OrganisationError::Invalid(format!(
                "booking organizer `{}` is not a user mailbox",
                booking.organizer
            ))
        })?;
    if booking.end < booking.start {
        return Err(OrganisationError::Invalid(format!(
            "booking `{}` ends before it starts",
            booking.subject
        )));
    }
    let person = Person {
        name: organizer.name.clone(),
        address: organizer.address.clone(),
    };
    let mut item = blank_item(
        ItemKind::CalendarItem,
        &organizer.address,
        Folder::Calendar,
        now,
    );
    let mut calendar = blank_calendar(person, now);
    calendar.start = booking.start;
    calendar.end = booking.end;
    let zone = booking
        .time_zone
        .clone()
        .unwrap_or_else(|| "UTC".to_string());
    calendar.start_time_zone = zone.clone();
    calendar.end_time_zone = zone;
    calendar.recurrence = booking.recurrence.clone();
    for address in &booking.attendees {
        let mailbox = org.mailbox(address).ok_or_else(|| {
            OrganisationError::Invalid(format!(
                "booking `{}` invites `{address}`, which is not a mailbox",
                booking.subject
            ))
        })?;
        let attendee = Attendee {
            person: Person {
                name: mailbox.name.clone(),
                address: mailbox.address.clone(),
            },
            response: ResponseType::Unknown,
            last_response_time: None,
        };
        if mailbox.room().is_some() {
            calendar.resources.push(attendee.clone());
            calendar.location = mailbox.name.clone();
        }
        calendar.required.push(attendee);
    }
    item.subject = booking.subject.clone();
    item.body.content = booking.body.clone();
    item.calendar = Some(calendar);
    let sending = Sending {
        send: true,
        save_copy: true,
        only_changed: false,
    };
    Ok(meeting::create(org, item, sending, now))
}

fn user(address: &str, name: &str, password: &str, impersonation: bool) -> Mailbox {
    Mailbox {
        address: address.to_string(),
        name: name.to_string(),
        kind: MailboxKind::User {
            password: Password::new(password),
            impersonation,
            domain: Some("EXAMPLE".to_string()),
        },
    }
}

fn room(address: &str, name: &str, capacity: u32, automate: AutomateProcessing) -> Mailbox {
    let processing = RoomProcessing {
        automate_processing: automate,
        ..RoomProcessing::default()
    };
    Mailbox {
        address: address.to_string(),
        name: name.to_string(),
        kind: MailboxKind::Room {
            processing,
            capacity: Some(capacity),
        },
    }
}

/// Returns the built-in sample organisation. Bookings are placed relative
/// to `now` (days ahead, never on the next two days) in rooms other than
/// room-101 and room-102, so clients testing those rooms find them free.
pub fn sample(now: Timestamp) -> OrganisationFile {
    let mailboxes = vec![
        user("svc@example.com", "Service Account", "svc-password", true),
        user("alice@example.com", "Alice Smith", "alice-password", false),
        user("bob@example.com", "Bob Jones", "bob-password", false),
        user("carol@example.com", "Carol White", "carol-password", false),
        user("wang.wei@example.com", "王伟", "wang-password", false),
        user("li.na@example.com", "李娜", "li-password", false),
        room(
            "room-101@example.com",
            "Room 101",
            8,
            AutomateProcessing::AutoAccept,
        ),
        room(
            "room-102@example.com",
            "Room 102",
            6,
            AutomateProcessing::AutoUpdate,
        ),
        room(
            "boardroom@example.com",
            "Board Room",
            20,
            AutomateProcessing::AutoAccept,
        ),
        room(
            "room-201@example.com",
            "会议室 201",
            12,
            AutomateProcessing::AutoAccept,
        ),
        room(
            "room-301@example.com",
            "培训室 301",
            30,
            AutomateProcessing::AutoUpdate,
        ),
    ];
    let room_lists = vec![
        RoomList {
            address: "building-1@example.com".to_string(),
            name: "Building 1".to_string(),
            rooms: vec![
                "room-101@example.com".into(),
                "room-102@example.com".into(),
                "boardroom@example.com".into(),
            ],
        },
        RoomList {
            address: "beijing-office@example.com".to_string(),
            name: "北京办公室".to_string(),
            rooms: vec!["room-201@example.com".into(), "room-301@example.com".into()],
        },
    ];
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    let at = |days: i64, hour: i8| -> Timestamp {
        let date = today.checked_add(days.days()).unwrap_or(today);
        jiff::tz::TimeZone::UTC
            .to_ambiguous_timestamp(date.at(hour, 0, 0, 0))
            .compatible()
            .unwrap_or(now)
    };
    let hour = SignedDuration::from_hours(1);
    let bookings = vec![
        Booking {
            organizer: "wang.wei@example.com".to_string(),
            subject: "每周例会".to_string(),
            start: at(3, 1),
            end: at(3, 1).checked_add(hour).unwrap_or(now),
            time_zone: Some("China Standard Time".to_string()),
            attendees: vec!["li.na@example.com".into(), "room-201@example.com".into()],
            body: "Weekly team meeting / 每周团队会议".to_string(),
            recurrence: Some(Recurrence {
                pattern: Pattern::Weekly {
                    interval: 1,
                    days: vec![DayOfWeek::from_weekday(
                        today.checked_add(3.days()).unwrap_or(today).weekday(),
                    )],
                    first_day_of_week: DayOfWeek::Monday,
                },
                start_date: today.checked_add(3.days()).unwrap_or(today),
                end: RangeEnd::Count(12),
            }),
        },
        Booking {
            organizer: "bob@example.com".to_string(),
            subject: "Quarterly planning".to_string(),
            start: at(4, 14),
            end: at(4, 16),
            time_zone: Some("UTC".to_string()),
            attendees: vec![
                "alice@example.com".into(),
                "carol@example.com".into(),
                "boardroom@example.com".into(),
            ],
            body: "Agenda to follow.".to_string(),
            recurrence: None,
        },
        Booking {
            organizer: "li.na@example.com".to_string(),
            subject: "新员工培训".to_string(),
            start: at(5, 2),
            end: at(5, 5),
            time_zone: Some("China Standard Time".to_string()),
            attendees: vec!["wang.wei@example.com".into(), "room-301@example.com".into()],
            body: String::new(),
            recurrence: None,
        },
        Booking {
            organizer: "alice@example.com".to_string(),
            subject: "Design review".to_string(),
            start: at(10, 9),
            end: at(10, 10),
            time_zone: Some("W. Europe Standard Time".to_string()),
            attendees: vec!["bob@example.com".into(), "room-101@example.com".into()],
            body: "Review of the booking screens.".to_string(),
            recurrence: Some(Recurrence {
                pattern: Pattern::Daily { interval: 1 },
                start_date: today.checked_add(10.days()).unwrap_or(today),
                end: RangeEnd::Count(3),
            }),
        },
    ];
    OrganisationFile {
        mailboxes,
        room_lists,
        bookings,
    }
}
