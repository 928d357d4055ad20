//! Cancellations: each copy is marked cancelled and a cancellation
//! arrives in the attendee's Inbox.

use jiff::Timestamp;

use super::{Sending, attendee_addresses, message_from, person_for};
use crate::model::{Folder, FreeBusy, ItemKind, ResponseType};
use crate::org::Org;
use crate::rooms;

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
pub(super) fn send_cancellations(
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
        // Without the Calendar Attendant the copy stays as it is until
        // someone acts on the cancellation.
        if let Some(copy_number) = copy_number.filter(|_| mailbox.calendar_attendant()) {
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
