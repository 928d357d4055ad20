//! The meeting workflow: invitations with a copy per attendee, responses,
//! updates and cancellations, as Exchange's calendar attendant performs them.
//!
//! Delivery is immediate: when a call returns, every attendee mailbox of the
//! organisation already contains its copy and message, and rooms with
//! `AutoAccept` have already responded.

mod cancellations;
mod invitations;
mod responses;

use jiff::Timestamp;

use crate::model::{CalendarData, Folder, Item, ItemKind, Person, ResponseType};
use crate::org::Org;

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

pub use cancellations::cancel;
pub use invitations::{propagate_update, send_requests};
pub use responses::respond;
