//! Responses: an attendee accepts, tentatively accepts or declines, and
//! the organizer's copy tracks the response.

use jiff::Timestamp;

use super::invitations::{attendee_copy, update_copy};
use super::{Sending, WorkflowError, message_from, person_for};
use crate::model::{Folder, FreeBusy, ItemKind, ResponseType};
use crate::org::Org;

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
        ItemKind::MeetingRequest => match item.associated_item {
            Some(copy) => copy,
            None => copy_from_request(org, reference, now)?,
        },
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

/// Puts the meeting of a request into the calendar, for a mailbox without
/// the Calendar Attendant: an existing copy is brought up to date, or a new
/// one is created. Returns the copy's number.
fn copy_from_request(
    org: &mut Org,
    request_number: u64,
    now: Timestamp,
) -> Result<u64, WorkflowError> {
    let request = org
        .items
        .get(&request_number)
        .cloned()
        .ok_or(WorkflowError::ItemNotFound)?;
    let uid = request
        .calendar
        .as_ref()
        .map(|calendar| calendar.uid.clone())
        .ok_or(WorkflowError::NotAMeeting)?;
    let copy_number = match org.calendar_item_by_uid(&request.mailbox, &uid) {
        Some(existing) => {
            update_copy(org, existing, &request, now);
            existing
        }
        None => {
            let mut copy = attendee_copy(&request, &request.mailbox, now);
            copy.kind = ItemKind::CalendarItem;
            copy.associated_item = None;
            copy.from = None;
            copy.to = Vec::new();
            copy.has_been_processed = false;
            org.insert(copy)
        }
    };
    if let Some(stored) = org.items.get_mut(&request_number) {
        stored.associated_item = Some(copy_number);
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
