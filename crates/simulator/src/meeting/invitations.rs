//! Invitations and updates: each attendee mailbox gets its own copy of the
//! meeting and a request in its Inbox.

use jiff::Timestamp;

use super::cancellations::send_cancellations;
use super::{Sending, attendee_addresses, message_from, person_for};
use crate::model::{CalendarData, Folder, FreeBusy, Item, ItemKind, ResponseType};
use crate::org::Org;
use crate::rooms;

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
    let uid = organizer_item
        .calendar
        .as_ref()
        .map(|calendar| calendar.uid.clone())
        .unwrap_or_default();

    // The Calendar Attendant puts the meeting in the calendar as tentative,
    // or brings the existing copy up to date. Without it, the calendar
    // changes only when someone accepts the request.
    let copy_number = if mailbox.calendar_attendant() {
        match org.calendar_item_by_uid(&mailbox.address, &uid) {
            Some(existing) => {
                update_copy(org, existing, organizer_item, now);
                Some(existing)
            }
            None => Some(org.insert(attendee_copy(organizer_item, &mailbox.address, now))),
        }
    } else {
        None
    };

    // An unanswered request for an earlier version is out of date now.
    let stale: Vec<u64> = org
        .folder_items(&mailbox.address, Folder::Inbox)
        .filter(|item| {
            item.kind == ItemKind::MeetingRequest && item_uid(item) == Some(uid.as_str())
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
    request.associated_item = copy_number;
    let request_number = org.insert(request);
    if let Some(copy_number) = copy_number
        && mailbox.room().is_some()
    {
        rooms::process_request(org, &mailbox, copy_number, request_number, now);
    }
}

fn item_uid(item: &Item) -> Option<&str> {
    item.calendar.as_ref().map(|calendar| calendar.uid.as_str())
}

/// Builds an attendee's copy of the organizer's meeting.
pub(super) fn attendee_copy(organizer_item: &Item, attendee: &str, now: Timestamp) -> Item {
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
pub(super) fn update_copy(org: &mut Org, copy_number: u64, organizer_item: &Item, now: Timestamp) {
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
    // A copy that a cancellation freed waits for a new response like a
    // moved meeting when its attendee is invited again.
    let moved = calendar.start != source.start
        || calendar.end != source.end
        || calendar.recurrence != source.recurrence
        || occurrence_moved(calendar, source)
        || calendar.is_cancelled;

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
    let moved = old.start != new.start
        || old.end != new.end
        || old.recurrence != new.recurrence
        || occurrence_moved(old, new);
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

/// Returns whether an occurrence of the series has other times in `after`
/// than in `before`. An attendee responds to a changed occurrence again,
/// as to a moved meeting. Responses are kept per copy, not per occurrence,
/// so the whole series waits for a new response.
fn occurrence_moved(before: &CalendarData, after: &CalendarData) -> bool {
    moved_occurrences(before) != moved_occurrences(after)
}

/// Lists the original start, start and end of every occurrence whose times
/// differ from the series pattern.
fn moved_occurrences(calendar: &CalendarData) -> Vec<(i64, Timestamp, Timestamp)> {
    let duration = calendar.end.duration_since(calendar.start);
    calendar
        .exceptions
        .iter()
        .filter_map(|(original, change)| {
            let start = Timestamp::from_second(*original).ok()?;
            let end = start.checked_add(duration).ok()?;
            let moved = change.start != start || change.end != end;
            moved.then_some((*original, change.start, change.end))
        })
        .collect()
}
