//! The model written as wire items: calendar items, meeting messages,
//! attendees and ids.

use jiff::Timestamp;
use roombridge_ews::types as wire;

use super::recurrence::recurrence_to_wire;
use super::{Shape, field_uri, find_extended};
use crate::calendar::{self, InstanceType};
use crate::ids;
use crate::model::{Attendee, Body, CalendarData, Item, ItemKind, Person, ResponseType};

fn email(person: &Person) -> wire::EmailAddress {
    wire::EmailAddress {
        name: Some(person.name.clone()),
        email_address: Some(person.address.clone()),
        routing_type: Some("SMTP".to_string()),
        mailbox_type: Some(wire::MailboxType::Mailbox),
        item_id: None,
    }
}

/// Returns a `t:Mailbox` for a person.
pub(crate) fn mailbox(person: &Person) -> wire::EmailAddress {
    email(person)
}

fn recipient(person: &Person) -> wire::SingleRecipient {
    wire::SingleRecipient {
        mailbox: email(person),
    }
}

fn response_to_wire(response: ResponseType) -> wire::ResponseType {
    wire::ResponseType::from_wire(response.as_str()).unwrap_or(wire::ResponseType::Unknown)
}

fn attendees_to_wire(list: &[Attendee]) -> Vec<wire::Attendee> {
    list.iter()
        .map(|attendee| wire::Attendee {
            mailbox: email(&attendee.person),
            response_type: Some(response_to_wire(attendee.response)),
            last_response_time: attendee.last_response_time,
            proposed_start: None,
            proposed_end: None,
        })
        .collect()
}

fn folder_id(item: &Item) -> wire::FolderId {
    wire::FolderId {
        id: ids::folder_id(&item.mailbox, item.folder),
        change_key: Some(ids::folder_change_key().to_string()),
    }
}

/// Returns the ItemId with change key of an item or occurrence.
pub(crate) fn item_id(item: &Item) -> wire::ItemId {
    wire::ItemId::with_change_key(ids::item_id(item), ids::change_key(item))
}

fn extended_properties(item: &Item, shape: &Shape) -> Vec<wire::ExtendedProperty> {
    shape
        .extended
        .iter()
        .filter_map(|wanted| {
            let stored = find_extended(item, wanted)?;
            Some(wire::ExtendedProperty {
                field_uri: field_uri(&stored.field)?,
                value: wire::ExtendedValue::Single(stored.value.clone()),
            })
        })
        .collect()
}

/// Converts a stored item (or synthesized occurrence) to the wire item,
/// with the properties `shape` requests.
pub(crate) fn item_to_wire(item: &Item, shape: &Shape) -> wire::Item {
    match item.kind {
        ItemKind::CalendarItem => {
            wire::Item::CalendarItem(Box::new(calendar_item_to_wire(item, shape)))
        }
        _ => wire::Item::Message(Box::new(message_to_wire(item, shape))),
    }
}

/// Returns only the ItemId of an item, under its element.
pub(crate) fn item_reference(item: &Item) -> wire::Item {
    item_to_wire(
        item,
        &Shape {
            id_only: true,
            extended: Vec::new(),
        },
    )
}

fn calendar_item_to_wire(item: &Item, shape: &Shape) -> wire::CalendarItem {
    let mut out = wire::CalendarItem {
        item_id: Some(item_id(item)),
        ..wire::CalendarItem::default()
    };
    out.extended_properties = extended_properties(item, shape);
    if shape.id_only {
        return out;
    }

    out.parent_folder_id = Some(folder_id(item));
    out.item_class = Some(item.kind.item_class().to_string());
    out.subject = Some(item.subject.clone());
    out.sensitivity = wire::Sensitivity::from_wire(&item.sensitivity);
    out.body = Some(body_to_wire(&item.body));
    out.date_time_received = Some(item.received);
    out.categories = item.categories.clone();
    out.importance = wire::Importance::from_wire(&item.importance);
    out.date_time_created = Some(item.created);
    out.reminder_is_set = Some(item.reminder_is_set);
    out.reminder_minutes_before_start = Some(item.reminder_minutes);
    out.culture = Some("en-US".to_string());
    let Some(calendar) = &item.calendar else {
        return out;
    };
    out.last_modified_name = Some(calendar.organizer.name.clone());
    out.last_modified_time = Some(item.modified);
    let instance = calendar::instance_type(item);

    out.uid = Some(calendar.uid.clone());
    out.recurrence_id = calendar.recurrence_id;
    out.date_time_stamp = Some(item.modified);

    out.start = Some(calendar.start);
    out.end = Some(calendar.end);
    out.original_start = calendar.recurrence_id;

    out.is_all_day_event = Some(calendar.is_all_day);
    out.legacy_free_busy_status = wire::LegacyFreeBusyType::from_wire(calendar.free_busy.as_str());
    out.location = Some(calendar.location.clone());
    out.is_meeting = Some(calendar.is_meeting);
    out.is_cancelled = Some(calendar.is_cancelled);
    out.is_recurring = Some(matches!(
        instance,
        InstanceType::Occurrence | InstanceType::Exception
    ));
    out.meeting_request_was_sent = Some(calendar.meeting_request_was_sent);
    out.is_response_requested = Some(calendar.is_response_requested);
    out.calendar_item_type = wire::CalendarItemType::from_wire(instance.as_str());
    out.my_response_type = Some(response_to_wire(calendar.my_response));

    out.organizer = Some(recipient(&calendar.organizer));
    out.required_attendees = attendees_to_wire(&calendar.required);
    out.optional_attendees = attendees_to_wire(&calendar.optional);
    out.resources = attendees_to_wire(&calendar.resources);

    out.duration = Some(format_duration(calendar.end.duration_since(calendar.start)));
    out.appointment_reply_time = calendar.reply_time;
    out.appointment_sequence_number = Some(calendar.sequence as i32);
    out.appointment_state = Some(appointment_state(calendar));
    if instance == InstanceType::RecurringMaster
        && let Some(recurrence) = &calendar.recurrence
    {
        out.recurrence = Some(recurrence_to_wire(recurrence));
        out.modified_occurrences = calendar
            .exceptions
            .keys()
            .filter_map(|original| Timestamp::from_second(*original).ok())
            .filter_map(|original| calendar::occurrence(item, original))
            .map(|occurrence| {
                let data = occurrence
                    .calendar
                    .as_ref()
                    .expect("occurrences carry calendar data");
                wire::OccurrenceInfo {
                    item_id: item_id(&occurrence),
                    start: data.start,
                    end: data.end,
                    original_start: data.recurrence_id.unwrap_or(data.start),
                }
            })
            .collect();
        out.deleted_occurrences = calendar
            .deleted_occurrences
            .iter()
            .filter_map(|original| Timestamp::from_second(*original).ok())
            .collect();
    }

    out.start_time_zone = Some(time_zone(&calendar.start_time_zone));
    out.end_time_zone = Some(time_zone(&calendar.end_time_zone));
    out.allow_new_time_proposal = Some(true);
    out
}

fn time_zone(id: &str) -> wire::TimeZoneDefinition {
    wire::TimeZoneDefinition {
        id: Some(id.to_string()),
        name: Some(id.to_string()),
    }
}

fn body_to_wire(body: &Body) -> wire::Body {
    let body_type = wire::BodyType::from_wire(&body.body_type).unwrap_or(wire::BodyType::Text);
    wire::Body {
        body_type,
        is_truncated: None,
        content: body.content.clone(),
    }
}

fn message_kind(kind: ItemKind) -> wire::MessageKind {
    match kind {
        ItemKind::MeetingRequest => wire::MessageKind::MeetingRequest,
        ItemKind::MeetingResponse(_) => wire::MessageKind::MeetingResponse,
        ItemKind::MeetingCancellation => wire::MessageKind::MeetingCancellation,
        _ => wire::MessageKind::Message,
    }
}

fn message_to_wire(item: &Item, shape: &Shape) -> wire::MessageItem {
    let mut out = wire::MessageItem::new(message_kind(item.kind));
    out.item_id = Some(item_id(item));
    if shape.id_only {
        return out;
    }
    out.parent_folder_id = Some(folder_id(item));
    out.item_class = Some(item.kind.item_class().to_string());
    out.subject = Some(item.subject.clone());
    out.body = Some(body_to_wire(&item.body));
    out.date_time_received = Some(item.received);
    out.date_time_sent = Some(item.created);

    out.sender = item.from.as_ref().map(recipient);
    out.to_recipients = item.to.iter().map(email).collect();
    out.from = item.from.as_ref().map(recipient);
    out.is_read = Some(item.has_been_processed);
    if item.kind == ItemKind::Message {
        return out;
    }
    let Some(calendar) = &item.calendar else {
        return out;
    };
    // NOTE: the associated id carries no change key because the message
    // does not track the calendar item's version.

    out.associated_calendar_item_id = item
        .associated_item
        .map(|number| wire::ItemId::new(ids::item_id_for_number(number)));
    out.is_delegated = Some(false);
    out.is_out_of_date = Some(false);
    out.has_been_processed = Some(item.has_been_processed);
    out.response_type = Some(match item.kind {
        ItemKind::MeetingResponse(response) => response_to_wire(response),
        ItemKind::MeetingRequest => wire::ResponseType::NoResponseReceived,
        _ => wire::ResponseType::Unknown,
    });

    out.uid = Some(calendar.uid.clone());
    out.recurrence_id = calendar.recurrence_id;
    if item.kind == ItemKind::MeetingRequest {
        let request_type = if calendar.sequence == 0 {
            "NewMeetingRequest"
        } else {
            "FullUpdate"
        };
        out.meeting_request_type = wire::MeetingRequestType::from_wire(request_type);

        out.organizer = Some(recipient(&calendar.organizer));
    }

    out.start = Some(calendar.start);
    out.end = Some(calendar.end);
    out.location = Some(calendar.location.clone());
    let instance = if calendar.recurrence.is_some() {
        "RecurringMaster"
    } else {
        "Single"
    };
    out.calendar_item_type = wire::CalendarItemType::from_wire(instance);
    out
}

fn appointment_state(calendar: &CalendarData) -> i32 {
    let mut state = 0;
    if calendar.is_meeting {
        state |= 1;
    }
    if calendar.is_meeting && calendar.my_response != ResponseType::Organizer {
        state |= 2;
    }
    if calendar.is_cancelled {
        state |= 4;
    }
    state
}

/// Formats a duration as xs:duration (`PT1H30M`).
pub(crate) fn format_duration(duration: jiff::SignedDuration) -> String {
    let total = duration.as_secs().max(0);
    let (days, rest) = (total / 86_400, total % 86_400);
    let (hours, minutes, seconds) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut text = String::from("P");
    if days > 0 {
        text.push_str(&format!("{days}D"));
    }
    text.push('T');
    if hours > 0 {
        text.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        text.push_str(&format!("{minutes}M"));
    }
    if seconds > 0 || (hours == 0 && minutes == 0) {
        text.push_str(&format!("{seconds}S"));
    }
    text
}
