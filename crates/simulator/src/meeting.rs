//! The meeting workflow: invitations with a copy per attendee, responses,
//! updates and cancellations, as Exchange's calendar attendant performs them.
//!
//! Delivery is immediate: when a call returns, every attendee mailbox of the
//! organisation already contains its copy and message, and rooms with
//! `AutoAccept` have already answered.

use jiff::Timestamp;

use crate::model::{
    Attendee, CalendarData, Folder, FreeBusy, Item, ItemKind, Person, ResponseType,
};
use crate::org::Org;
use crate::rooms;

/// Messages to send with a create, update or delete (the SendMeetingInvitations
/// family of attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sending {
    /// Whether messages go to attendees.
    pub send: bool,
    /// Whether a copy is kept in Sent Items.
    pub save_copy: bool,
    /// Whether only added or changed attendees receive the update.
    pub only_changed: bool,
}

impl Sending {
    /// Parses `SendToNone`, `SendOnlyToAll`, `SendOnlyToChanged`,
    /// `SendToAllAndSaveCopy` and `SendToChangedAndSaveCopy`.
    pub fn parse(value: &str) -> Option<Sending> {
        let sending = match value {
            "SendToNone" => Sending::default(),
            "SendOnlyToAll" => Sending {
                send: true,
                save_copy: false,
                only_changed: false,
            },
            "SendOnlyToChanged" => Sending {
                send: true,
                save_copy: false,
                only_changed: true,
            },
            "SendToAllAndSaveCopy" => Sending {
                send: true,
                save_copy: true,
                only_changed: false,
            },
            "SendToChangedAndSaveCopy" => Sending {
                send: true,
                save_copy: true,
                only_changed: true,
            },
            _ => return None,
        };
        Some(sending)
    }
}

/// Disposal of an item by DeleteItem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteType {
    /// Removed for good.
    HardDelete,
    /// Moved to Recoverable Items (Deletions).
    SoftDelete,
    /// Moved to Deleted Items.
    MoveToDeletedItems,
}

impl DeleteType {
    /// Parses the DeleteType attribute.
    pub fn parse(value: &str) -> Option<DeleteType> {
        match value {
            "HardDelete" => Some(DeleteType::HardDelete),
            "SoftDelete" => Some(DeleteType::SoftDelete),
            "MoveToDeletedItems" => Some(DeleteType::MoveToDeletedItems),
            _ => None,
        }
    }
}

/// A failed workflow step, mapped to an EWS response code by the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The referenced item does not exist in the caller's mailbox.
    #[error("the referenced item was not found")]
    ItemNotFound,
    /// The referenced item is not a meeting the caller was invited to.
    #[error("the referenced item is not a meeting request or attendee copy")]
    NotAMeeting,
}

/// Returns the addresses of every attendee, rooms included, in list order.
pub fn attendee_addresses(calendar: &CalendarData) -> Vec<String> {
    calendar
        .required
        .iter()
        .chain(&calendar.optional)
        .chain(&calendar.resources)
        .map(|attendee| attendee.person.address.to_ascii_lowercase())
        .collect()
}

/// Stores a new calendar item and sends invitations when it has attendees.
pub fn create(org: &mut Org, mut item: Item, sending: Sending, now: Timestamp) -> u64 {
    let has_attendees = item
        .calendar
        .as_ref()
        .is_some_and(|calendar| !attendee_addresses(calendar).is_empty());
    if let Some(calendar) = item.calendar.as_mut() {
        calendar.is_meeting = has_attendees;
        calendar.my_response = if has_attendees {
            ResponseType::Organizer
        } else {
            ResponseType::Unknown
        };
        calendar.meeting_request_was_sent = has_attendees && sending.send;
        for attendee in calendar
            .required
            .iter_mut()
            .chain(&mut calendar.optional)
            .chain(&mut calendar.resources)
        {
            attendee.response = ResponseType::Unknown;
        }
    }
    let number = org.insert(item);
    if has_attendees && sending.send {
        let targets = org.items[&number]
            .calendar
            .as_ref()
            .map(attendee_addresses)
            .unwrap_or_default();
        send_requests(org, number, &targets, sending.save_copy, now);
    }
    number
}

/// Sends the organizer's current meeting to `targets`: each attendee
/// mailbox of the organisation gets (or updates) its calendar copy and a
/// meeting request in its Inbox.
pub fn send_requests(
    org: &mut Org,
    organizer_number: u64,
    targets: &[String],
    save_copy: bool,
    now: Timestamp,
) {
    let Some(organizer_item) = org.items.get(&organizer_number).cloned() else {
        return;
    };
    if save_copy {
        let mut sent = message_from(
            &organizer_item,
            ItemKind::MeetingRequest,
            &organizer_item.mailbox,
            now,
        );
        sent.folder = Folder::SentItems;
        sent.to = targets
            .iter()
            .map(|address| person_for(org, address))
            .collect();
        org.insert(sent);
    }
    for target in targets {
        deliver_request(org, &organizer_item, target, now);
    }
}

fn deliver_request(org: &mut Org, organizer_item: &Item, attendee: &str, now: Timestamp) {
    let Some(mailbox) = org.mailbox(attendee).cloned() else {
        return;
    };
    let calendar = organizer_item
        .calendar
        .as_ref()
        .expect("meetings carry calendar data");
    let copy_number = match org.calendar_item_by_uid(&mailbox.address, &calendar.uid) {
        Some(existing) => {
            update_copy(org, existing, organizer_item, now);
            existing
        }
        None => {
            let copy = attendee_copy(organizer_item, &mailbox.address, now);
            org.insert(copy)
        }
    };
    // An unanswered request for an earlier version is out of date now.
    let stale: Vec<u64> = org
        .folder_items(&mailbox.address, Folder::Inbox)
        .filter(|item| {
            item.kind == ItemKind::MeetingRequest && item.associated_item == Some(copy_number)
        })
        .map(|item| item.number)
        .collect();
    for number in stale {
        org.move_to(number, Folder::DeletedItems, now);
    }
    let mut request = message_from(
        organizer_item,
        ItemKind::MeetingRequest,
        &mailbox.address,
        now,
    );
    request.associated_item = Some(copy_number);
    let request_number = org.insert(request);
    if mailbox.room().is_some() {
        rooms::process_request(org, &mailbox, copy_number, request_number, now);
    }
}

/// Builds an attendee's copy of the organizer's meeting.
fn attendee_copy(organizer_item: &Item, attendee: &str, now: Timestamp) -> Item {
    let mut copy = organizer_item.clone();
    copy.mailbox = attendee.to_string();
    copy.folder = Folder::Calendar;
    copy.created = now;
    copy.received = now;
    copy.modified = now;
    copy.extended.clear();
    copy.categories.clear();
    let calendar = copy
        .calendar
        .as_mut()
        .expect("meetings carry calendar data");
    calendar.my_response = ResponseType::NoResponseReceived;
    calendar.free_busy = FreeBusy::Tentative;
    calendar.meeting_request_was_sent = false;
    calendar.reply_time = None;
    copy
}

/// Brings an attendee's copy up to date with the organizer's item.
fn update_copy(org: &mut Org, copy_number: u64, organizer_item: &Item, now: Timestamp) {
    let source = organizer_item
        .calendar
        .as_ref()
        .expect("meetings carry calendar data");
    let Some(copy) = org.items.get_mut(&copy_number) else {
        return;
    };
    let calendar = copy
        .calendar
        .as_mut()
        .expect("calendar copies carry calendar data");
    let moved = calendar.start != source.start
        || calendar.end != source.end
        || calendar.recurrence != source.recurrence;
    copy.subject = organizer_item.subject.clone();
    copy.body = organizer_item.body.clone();
    calendar.start = source.start;
    calendar.end = source.end;
    calendar.start_time_zone = source.start_time_zone.clone();
    calendar.end_time_zone = source.end_time_zone.clone();
    calendar.is_all_day = source.is_all_day;
    calendar.location = source.location.clone();
    calendar.required = source.required.clone();
    calendar.optional = source.optional.clone();
    calendar.resources = source.resources.clone();
    calendar.recurrence = source.recurrence.clone();
    calendar.exceptions = source.exceptions.clone();
    calendar.deleted_occurrences = source.deleted_occurrences.clone();
    calendar.sequence = source.sequence;
    calendar.is_cancelled = false;
    if moved {
        calendar.my_response = ResponseType::NoResponseReceived;
        calendar.free_busy = FreeBusy::Tentative;
    }
    org.touch(copy_number, now);
}

/// Builds a meeting message (request, response or cancellation) about
/// `source` for `mailbox`'s Inbox.
fn message_from(source: &Item, kind: ItemKind, mailbox: &str, now: Timestamp) -> Item {
    let mut message = source.clone();
    message.kind = kind;
    message.mailbox = mailbox.to_string();
    message.folder = Folder::Inbox;
    message.created = now;
    message.received = now;
    message.modified = now;
    message.extended.clear();
    message.categories.clear();
    message.associated_item = None;
    message.has_been_processed = false;
    message.from = source
        .calendar
        .as_ref()
        .map(|calendar| calendar.organizer.clone());
    message.to = Vec::new();
    message
}

fn person_for(org: &Org, address: &str) -> Person {
    match org.mailbox(address) {
        Some(mailbox) => Person {
            name: mailbox.name.clone(),
            address: mailbox.address.clone(),
        },
        None => Person {
            name: address.to_string(),
            address: address.to_string(),
        },
    }
}

/// Records `responder`'s response to a meeting: `reference` is the meeting request or
/// the responder's calendar copy. Returns the calendar copy's number (the
/// copy may have moved to Deleted Items after a decline).
pub fn respond(
    org: &mut Org,
    responder: &str,
    reference: u64,
    response: ResponseType,
    sending: Sending,
    now: Timestamp,
) -> Result<u64, WorkflowError> {
    let item = org
        .items
        .get(&reference)
        .ok_or(WorkflowError::ItemNotFound)?;
    if item.mailbox != responder.to_ascii_lowercase() {
        return Err(WorkflowError::ItemNotFound);
    }
    let copy_number = match item.kind {
        ItemKind::MeetingRequest => item.associated_item.ok_or(WorkflowError::NotAMeeting)?,
        ItemKind::CalendarItem => reference,
        _ => return Err(WorkflowError::NotAMeeting),
    };
    let copy = org
        .items
        .get(&copy_number)
        .ok_or(WorkflowError::ItemNotFound)?;
    let calendar = copy.calendar.as_ref().ok_or(WorkflowError::NotAMeeting)?;
    if calendar.my_response == ResponseType::Organizer || !calendar.is_meeting {
        return Err(WorkflowError::NotAMeeting);
    }
    let uid = calendar.uid.clone();
    let organizer = calendar.organizer.address.to_ascii_lowercase();

    let copy = org.items.get_mut(&copy_number).expect("checked above");
    let calendar = copy.calendar.as_mut().expect("checked above");
    calendar.my_response = response;
    calendar.reply_time = Some(now);
    calendar.free_busy = match response {
        ResponseType::Tentative => FreeBusy::Tentative,
        _ => FreeBusy::Busy,
    };
    let response_subject = format!("{}: {}", response_prefix(response), copy.subject);
    let copy_snapshot = copy.clone();
    org.touch(copy_number, now);
    if response == ResponseType::Decline {
        org.move_to(copy_number, Folder::DeletedItems, now);
    }

    // The request (and any older one for this meeting) leaves the Inbox.
    let requests: Vec<u64> = org
        .folder_items(responder, Folder::Inbox)
        .filter(|item| {
            item.kind == ItemKind::MeetingRequest && item.associated_item == Some(copy_number)
        })
        .map(|item| item.number)
        .collect();
    for number in requests {
        if let Some(request) = org.items.get_mut(&number) {
            request.has_been_processed = true;
        }
        org.move_to(number, Folder::DeletedItems, now);
    }

    if sending.send {
        let responder_person = person_for(org, responder);
        let mut message = message_from(
            &copy_snapshot,
            ItemKind::MeetingResponse(response),
            &organizer,
            now,
        );
        message.subject = response_subject;
        message.from = Some(responder_person.clone());
        message.to = vec![person_for(org, &organizer)];
        if sending.save_copy {
            let mut sent = message.clone();
            sent.mailbox = responder.to_ascii_lowercase();
            sent.folder = Folder::SentItems;
            org.insert(sent);
        }
        if org.mailbox(&organizer).is_some() {
            if let Some(organizer_number) = org.calendar_item_by_uid(&organizer, &uid) {
                message.associated_item = Some(organizer_number);
                record_response(org, organizer_number, responder, response, now);
            }
            org.insert(message);
        }
    }
    Ok(copy_number)
}

fn response_prefix(response: ResponseType) -> &'static str {
    match response {
        ResponseType::Accept => "Accepted",
        ResponseType::Decline => "Declined",
        _ => "Tentative",
    }
}

/// Updates the organizer's attendee entry for `responder`.
fn record_response(
    org: &mut Org,
    organizer_number: u64,
    responder: &str,
    response: ResponseType,
    now: Timestamp,
) {
    let Some(item) = org.items.get_mut(&organizer_number) else {
        return;
    };
    let Some(calendar) = item.calendar.as_mut() else {
        return;
    };
    let mut found = false;
    for attendee in calendar
        .required
        .iter_mut()
        .chain(&mut calendar.optional)
        .chain(&mut calendar.resources)
    {
        if attendee.person.address.eq_ignore_ascii_case(responder) {
            attendee.response = response;
            attendee.last_response_time = Some(now);
            found = true;
        }
    }
    if found {
        org.touch(organizer_number, now);
    }
}

/// Sends the organizer's changes to attendees after an update: copies
/// follow the organizer, added attendees are invited, removed ones get a
/// cancellation. A change of time resets every response.
pub fn propagate_update(
    org: &mut Org,
    number: u64,
    before: &Item,
    sending: Sending,
    now: Timestamp,
) {
    let Some(after) = org.items.get(&number).cloned() else {
        return;
    };
    let (Some(old), Some(new)) = (before.calendar.as_ref(), after.calendar.as_ref()) else {
        return;
    };
    if new.my_response != ResponseType::Organizer
        && !attendee_addresses(new).is_empty()
        && !old.is_meeting
    {
        // An appointment that gained attendees becomes a meeting.
        if let Some(calendar) = org
            .items
            .get_mut(&number)
            .and_then(|item| item.calendar.as_mut())
        {
            calendar.is_meeting = true;
            calendar.my_response = ResponseType::Organizer;
        }
    } else if new.my_response != ResponseType::Organizer {
        return;
    }
    if !sending.send {
        return;
    }
    let old_targets = attendee_addresses(old);
    let new_targets = attendee_addresses(new);
    let moved = old.start != new.start || old.end != new.end || old.recurrence != new.recurrence;
    let changed_fields = moved || old.location != new.location || before.subject != after.subject;

    if let Some(item) = org.items.get_mut(&number) {
        let calendar = item.calendar.as_mut().expect("checked above");
        calendar.sequence += 1;
        calendar.meeting_request_was_sent = true;
        if moved {
            for attendee in calendar
                .required
                .iter_mut()
                .chain(&mut calendar.optional)
                .chain(&mut calendar.resources)
            {
                attendee.response = ResponseType::Unknown;
                attendee.last_response_time = None;
            }
        }
    }
    org.touch(number, now);

    let removed: Vec<String> = old_targets
        .iter()
        .filter(|address| !new_targets.contains(address))
        .cloned()
        .collect();
    let targets: Vec<String> = new_targets
        .iter()
        .filter(|address| !sending.only_changed || changed_fields || !old_targets.contains(address))
        .cloned()
        .collect();
    send_requests(org, number, &targets, sending.save_copy, now);
    if !removed.is_empty() {
        send_cancellations(org, number, &removed, sending.save_copy, now);
    }
}

/// Cancels the organizer's meeting for every attendee.
pub fn cancel(org: &mut Org, number: u64, sending: Sending, now: Timestamp) {
    let Some(item) = org.items.get(&number) else {
        return;
    };
    let Some(calendar) = item.calendar.as_ref() else {
        return;
    };
    if calendar.my_response != ResponseType::Organizer || !sending.send {
        return;
    }
    let targets = attendee_addresses(calendar);
    send_cancellations(org, number, &targets, sending.save_copy, now);
}

/// Sends a cancellation of the organizer's meeting to `targets`: each copy
/// is marked cancelled and a cancellation arrives in the Inbox.
fn send_cancellations(
    org: &mut Org,
    organizer_number: u64,
    targets: &[String],
    save_copy: bool,
    now: Timestamp,
) {
    let Some(organizer_item) = org.items.get(&organizer_number).cloned() else {
        return;
    };
    let uid = organizer_item
        .calendar
        .as_ref()
        .map(|calendar| calendar.uid.clone())
        .unwrap_or_default();
    let mut cancellation = message_from(&organizer_item, ItemKind::MeetingCancellation, "", now);
    cancellation.subject = format!("Canceled: {}", organizer_item.subject);
    if let Some(calendar) = cancellation.calendar.as_mut() {
        calendar.is_cancelled = true;
    }
    if save_copy {
        let mut sent = cancellation.clone();
        sent.mailbox = organizer_item.mailbox.clone();
        sent.folder = Folder::SentItems;
        sent.to = targets
            .iter()
            .map(|address| person_for(org, address))
            .collect();
        org.insert(sent);
    }
    for target in targets {
        let Some(mailbox) = org.mailbox(target).cloned() else {
            continue;
        };
        let copy_number = org.calendar_item_by_uid(&mailbox.address, &uid);
        if let Some(copy_number) = copy_number {
            if let Some(copy) = org.items.get_mut(&copy_number) {
                copy.subject = format!(
                    "Canceled: {}",
                    copy.subject.trim_start_matches("Canceled: ")
                );
                if let Some(calendar) = copy.calendar.as_mut() {
                    calendar.is_cancelled = true;
                    calendar.free_busy = FreeBusy::Free;
                }
            }
            org.touch(copy_number, now);
        }
        let mut message = cancellation.clone();
        message.mailbox = mailbox.address.clone();
        message.associated_item = copy_number;
        let message_number = org.insert(message);
        if mailbox.room().is_some() {
            rooms::process_cancellation(org, &mailbox, copy_number, message_number, now);
        }
    }
}

/// Deletes an item as DeleteItem does, sending cancellations first when the
/// item is a meeting the mailbox organised.
pub fn delete(
    org: &mut Org,
    number: u64,
    delete_type: DeleteType,
    sending: Sending,
    now: Timestamp,
) {
    cancel(org, number, sending, now);
    let Some(item) = org.items.get(&number) else {
        return;
    };
    let folder = item.folder;
    match delete_type {
        DeleteType::HardDelete => {
            org.remove(number);
        }
        DeleteType::SoftDelete => org.move_to(number, Folder::RecoverableItemsDeletions, now),
        DeleteType::MoveToDeletedItems if folder == Folder::DeletedItems => {
            org.move_to(number, Folder::RecoverableItemsDeletions, now)
        }
        DeleteType::MoveToDeletedItems => org.move_to(number, Folder::DeletedItems, now),
    }
}

/// Returns the display name of an attendee entry list, for DisplayTo.
pub fn display_names(attendees: &[Attendee]) -> String {
    attendees
        .iter()
        .map(|attendee| attendee.person.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
