//! Blank items and calendar data that requests, bookings and imports fill in.

use jiff::Timestamp;

use crate::model::{Body, CalendarData, Folder, FreeBusy, Item, ItemKind, Person, ResponseType};

/// Returns an empty item of `kind` owned by `mailbox`, stamped `now`.
pub(crate) fn blank_item(kind: ItemKind, mailbox: &str, folder: Folder, now: Timestamp) -> Item {
    Item {
        number: 0,
        mailbox: mailbox.to_string(),
        folder,
        kind,
        subject: String::new(),
        body: Body {
            body_type: "Text".to_string(),
            content: String::new(),
        },
        sensitivity: "Normal".to_string(),
        importance: "Normal".to_string(),
        categories: Vec::new(),
        created: now,
        received: now,
        modified: now,
        version: 0,
        change_seq: 0,
        created_seq: 0,
        calendar: None,
        associated_item: None,
        from: None,
        to: Vec::new(),
        has_been_processed: false,
        extended: Vec::new(),
        reminder_is_set: false,
        reminder_minutes: 15,
    }
}

/// Returns empty calendar data organised by `organizer`.
pub(crate) fn blank_calendar(organizer: Person, now: Timestamp) -> CalendarData {
    CalendarData {
        uid: new_uid(),
        start: now,
        end: now,
        start_time_zone: "UTC".to_string(),
        end_time_zone: "UTC".to_string(),
        is_all_day: false,
        free_busy: FreeBusy::Busy,
        location: String::new(),
        organizer,
        required: Vec::new(),
        optional: Vec::new(),
        resources: Vec::new(),
        my_response: ResponseType::Unknown,
        is_meeting: false,
        is_cancelled: false,
        meeting_request_was_sent: false,
        is_response_requested: true,
        sequence: 0,
        reply_time: None,
        recurrence: None,
        exceptions: Default::default(),
        deleted_occurrences: Default::default(),
        recurrence_id: None,
    }
}

/// Returns a new UID in the form Outlook uses for meetings it creates (a
/// GlobalObjectId in hexadecimal).
pub(crate) fn new_uid() -> String {
    let random: [u8; 16] = rand::random();
    let mut uid = String::from("040000008200E00074C5B7101A82E00800000000");
    for byte in random {
        uid.push_str(&format!("{byte:02X}"));
    }
    uid
}
