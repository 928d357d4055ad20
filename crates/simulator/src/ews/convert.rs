//! Converts between the simulator's model and the shared EWS wire types of
//! `roombridge-ews`: items, attendees, recurrences and extended properties.

use std::collections::BTreeMap;

use jiff::Timestamp;
use roombridge_ews::types as wire;

use crate::calendar::{self, InstanceType};
use crate::ews::Context;
use crate::ews::errors::EwsError;
use crate::ids;
use crate::model::{
    Attendee, AttendeeRole, Body, CalendarData, ExtendedProperty, FreeBusy, Item, ItemKind, Person,
    ResponseType,
};
use crate::recurrence::{DayOfWeek, Pattern, RangeEnd, Recurrence, WeekIndex};

/// The properties a request asked for, from its ItemShape.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// BaseShape IdOnly without first-class additional properties: only ItemId.
    pub(crate) id_only: bool,
    /// Extended properties requested through ExtendedFieldURI.
    pub(crate) extended: Vec<wire::ExtendedFieldUri>,
}

impl Shape {
    /// Reads an ItemShape.
    pub(crate) fn from_wire(shape: &roombridge_ews::operations::Shape) -> Shape {
        use roombridge_ews::operations::BaseShape;
        let mut extended = Vec::new();
        let mut first_class = false;
        for path in &shape.additional_properties {
            match path {
                wire::PropertyPath::ExtendedFieldUri(uri) => extended.push(uri.clone()),
                _ => first_class = true,
            }
        }
        Shape {
            id_only: shape.base_shape == BaseShape::IdOnly && !first_class,
            extended,
        }
    }
}

/// Returns the ExtendedFieldURI attributes as the model stores them.
pub(crate) fn field_map(uri: &wire::ExtendedFieldUri) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if let Some(set) = uri.distinguished_property_set_id {
        map.insert(
            "DistinguishedPropertySetId".to_string(),
            set.as_str().to_string(),
        );
    }
    if let Some(set) = &uri.property_set_id {
        map.insert("PropertySetId".to_string(), set.clone());
    }
    if let Some(tag) = &uri.property_tag {
        map.insert("PropertyTag".to_string(), tag.clone());
    }
    if let Some(name) = &uri.property_name {
        map.insert("PropertyName".to_string(), name.clone());
    }
    if let Some(id) = uri.property_id {
        map.insert("PropertyId".to_string(), id.to_string());
    }
    map.insert(
        "PropertyType".to_string(),
        uri.property_type.as_str().to_string(),
    );
    map
}

/// Rebuilds an ExtendedFieldURI from the stored attributes.
pub(crate) fn field_uri(map: &BTreeMap<String, String>) -> Option<wire::ExtendedFieldUri> {
    Some(wire::ExtendedFieldUri {
        distinguished_property_set_id: map
            .get("DistinguishedPropertySetId")
            .and_then(|set| wire::DistinguishedPropertySetId::from_wire(set)),
        property_set_id: map.get("PropertySetId").cloned(),
        property_tag: map.get("PropertyTag").cloned(),
        property_name: map.get("PropertyName").cloned(),
        property_id: map.get("PropertyId").and_then(|id| id.parse().ok()),
        property_type: wire::MapiPropertyType::from_wire(map.get("PropertyType")?)?,
    })
}

/// Returns the stored extended property `uri` names.
pub(crate) fn find_extended<'a>(
    item: &'a Item,
    uri: &wire::ExtendedFieldUri,
) -> Option<&'a ExtendedProperty> {
    item.extended
        .iter()
        .find(|property| field_uri(&property.field).is_some_and(|stored| stored.same_property(uri)))
}

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

fn day_to_wire(day: DayOfWeek) -> wire::DayOfWeek {
    wire::DayOfWeek::from_wire(day.as_str()).expect("both enumerations spell DayOfWeekType")
}

fn day_from_wire(day: wire::DayOfWeek) -> DayOfWeek {
    DayOfWeek::parse(day.as_str()).unwrap_or(DayOfWeek::Day)
}

fn index_to_wire(index: WeekIndex) -> wire::DayOfWeekIndex {
    wire::DayOfWeekIndex::from_wire(index.as_str())
        .expect("both enumerations spell DayOfWeekIndexType")
}

fn month_to_wire(month: i8) -> wire::Month {
    let name = crate::ews::MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("January");
    wire::Month::from_wire(name).expect("month names match MonthNamesType")
}

fn month_from_wire(month: wire::Month) -> i8 {
    crate::ews::MONTHS
        .iter()
        .position(|name| *name == month.as_str())
        .map_or(1, |index| index as i8 + 1)
}

/// Converts a stored recurrence to `t:Recurrence`.
pub(crate) fn recurrence_to_wire(recurrence: &Recurrence) -> wire::Recurrence {
    let pattern = match &recurrence.pattern {
        Pattern::Daily { interval } => wire::RecurrencePattern::Daily {
            interval: *interval,
        },
        Pattern::Weekly {
            interval,
            days,
            first_day_of_week,
        } => wire::RecurrencePattern::Weekly {
            interval: *interval,
            days_of_week: days.iter().copied().map(day_to_wire).collect(),
            first_day_of_week: Some(day_to_wire(*first_day_of_week)),
        },
        Pattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => wire::RecurrencePattern::AbsoluteMonthly {
            interval: *interval,
            day_of_month: *day_of_month as u8,
        },
        Pattern::RelativeMonthly {
            interval,
            days,
            index,
        } => wire::RecurrencePattern::RelativeMonthly {
            interval: *interval,
            days_of_week: vec![day_to_wire(*days)],
            day_of_week_index: index_to_wire(*index),
        },
        Pattern::AbsoluteYearly {
            day_of_month,
            month,
        } => wire::RecurrencePattern::AbsoluteYearly {
            day_of_month: *day_of_month as u8,
            month: month_to_wire(*month),
        },
        Pattern::RelativeYearly { days, index, month } => wire::RecurrencePattern::RelativeYearly {
            days_of_week: vec![day_to_wire(*days)],
            day_of_week_index: index_to_wire(*index),
            month: month_to_wire(*month),
        },
    };
    let start_date = recurrence.start_date;
    let range = match recurrence.end {
        RangeEnd::Never => wire::RecurrenceRange::NoEnd { start_date },
        RangeEnd::EndDate(end_date) => wire::RecurrenceRange::EndDate {
            start_date,
            end_date,
        },
        RangeEnd::Count(number_of_occurrences) => wire::RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences,
        },
    };
    wire::Recurrence { pattern, range }
}

/// Converts `t:Recurrence` from a request.
pub(crate) fn recurrence_from_wire(recurrence: &wire::Recurrence) -> Result<Recurrence, EwsError> {
    let single = |days: &[wire::DayOfWeek]| {
        days.first()
            .copied()
            .map(day_from_wire)
            .ok_or_else(|| EwsError::schema_validation("DaysOfWeek is empty"))
    };
    let index = |index: wire::DayOfWeekIndex| {
        WeekIndex::parse(index.as_str())
            .ok_or_else(|| EwsError::schema_validation("invalid DayOfWeekIndex"))
    };
    let pattern = match &recurrence.pattern {
        wire::RecurrencePattern::Daily { interval } => Pattern::Daily {
            interval: *interval,
        },
        wire::RecurrencePattern::Weekly {
            interval,
            days_of_week,
            first_day_of_week,
        } => Pattern::Weekly {
            interval: *interval,
            days: days_of_week.iter().copied().map(day_from_wire).collect(),
            first_day_of_week: first_day_of_week.map_or(DayOfWeek::Sunday, day_from_wire),
        },
        wire::RecurrencePattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => Pattern::AbsoluteMonthly {
            interval: *interval,
            day_of_month: *day_of_month as i8,
        },
        wire::RecurrencePattern::RelativeMonthly {
            interval,
            days_of_week,
            day_of_week_index,
        } => Pattern::RelativeMonthly {
            interval: *interval,
            days: single(days_of_week)?,
            index: index(*day_of_week_index)?,
        },
        wire::RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        } => Pattern::AbsoluteYearly {
            day_of_month: *day_of_month as i8,
            month: month_from_wire(*month),
        },
        wire::RecurrencePattern::RelativeYearly {
            days_of_week,
            day_of_week_index,
            month,
        } => Pattern::RelativeYearly {
            days: single(days_of_week)?,
            index: index(*day_of_week_index)?,
            month: month_from_wire(*month),
        },
    };
    if let Pattern::Daily { interval: 0 } | Pattern::Weekly { interval: 0, .. } = pattern {
        return Err(EwsError::schema_validation("Interval must be at least 1"));
    }
    if let Pattern::Weekly { days, .. } = &pattern
        && days.is_empty()
    {
        return Err(EwsError::schema_validation(
            "WeeklyRecurrence needs at least one day in DaysOfWeek",
        ));
    }
    let (start_date, end) = match recurrence.range {
        wire::RecurrenceRange::NoEnd { start_date } => (start_date, RangeEnd::Never),
        wire::RecurrenceRange::EndDate {
            start_date,
            end_date,
        } => (start_date, RangeEnd::EndDate(end_date)),
        wire::RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences,
        } => (start_date, RangeEnd::Count(number_of_occurrences)),
    };
    Ok(Recurrence {
        pattern,
        start_date,
        end,
    })
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
    // NOTE: the shared MessageItem writer puts IsRead before From, against
    // the schema's order, so IsRead is sent only for messages without From.
    out.is_read = out.from.is_none().then_some(item.has_been_processed);
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

fn person(context: &Context<'_>, address: &wire::EmailAddress) -> Option<Person> {
    let given = address
        .email_address
        .clone()
        .filter(|text| !text.trim().is_empty())?;
    let given = given.trim().to_string();
    Some(match context.org.mailbox(&given) {
        Some(known) => Person {
            name: known.name.clone(),
            address: known.address.clone(),
        },
        None => Person {
            name: address
                .name
                .clone()
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| given.clone()),
            address: given,
        },
    })
}

/// Replaces one attendee list, keeping the responses of attendees already on it.
fn set_attendees(
    context: &Context<'_>,
    calendar: &mut CalendarData,
    role: AttendeeRole,
    list: &[wire::Attendee],
) {
    let previous: Vec<Attendee> = calendar
        .required
        .iter()
        .chain(&calendar.optional)
        .chain(&calendar.resources)
        .cloned()
        .collect();
    let attendees = list
        .iter()
        .filter_map(|attendee| person(context, &attendee.mailbox))
        .map(|person| {
            let known = previous
                .iter()
                .find(|old| old.person.address.eq_ignore_ascii_case(&person.address));
            Attendee {
                response: known.map_or(ResponseType::Unknown, |old| old.response),
                last_response_time: known.and_then(|old| old.last_response_time),
                person,
            }
        })
        .collect();
    match role {
        AttendeeRole::Required => calendar.required = attendees,
        AttendeeRole::Optional => calendar.optional = attendees,
        AttendeeRole::Resource => calendar.resources = attendees,
    }
}

/// Applies the fields a request's `t:CalendarItem` carries. With `path`
/// (SetItemField), list fields named by the path are applied even when
/// empty; without it (CreateItem), every present field is applied.
pub(crate) fn apply_calendar_item(
    context: &Context<'_>,
    item: &mut Item,
    source: &wire::CalendarItem,
    path: Option<&wire::PropertyPath>,
) -> Result<(), EwsError> {
    let named =
        |uri: &str| matches!(path, Some(wire::PropertyPath::FieldUri(field)) if field == uri);
    if let Some(subject) = &source.subject {
        item.subject = subject.clone();
    }
    if let Some(body) = &source.body {
        item.body = Body {
            body_type: body.body_type.as_str().to_string(),
            content: body.content.clone(),
        };
    }
    if let Some(sensitivity) = source.sensitivity {
        item.sensitivity = sensitivity.as_str().to_string();
    }
    if let Some(importance) = source.importance {
        item.importance = importance.as_str().to_string();
    }

    if !source.categories.is_empty() || named("item:Categories") {
        item.categories = source.categories.clone();
    }
    if let Some(set) = source.reminder_is_set {
        item.reminder_is_set = set;
    }
    if let Some(minutes) = source.reminder_minutes_before_start {
        item.reminder_minutes = minutes;
    }

    for property in &source.extended_properties {
        let value = property.single_value().unwrap_or_default().to_string();
        item.extended.retain(|stored| {
            !field_uri(&stored.field).is_some_and(|uri| uri.same_property(&property.field_uri))
        });
        item.extended.push(ExtendedProperty {
            field: field_map(&property.field_uri),
            value,
        });
    }
    let Some(calendar) = item.calendar.as_mut() else {
        return Ok(());
    };

    if let Some(start) = source.start {
        calendar.start = start;
    }
    if let Some(end) = source.end {
        calendar.end = end;
    }
    if let Some(all_day) = source.is_all_day_event {
        calendar.is_all_day = all_day;
    }
    if let Some(status) = source.legacy_free_busy_status {
        calendar.free_busy = FreeBusy::parse(status.as_str()).unwrap_or(FreeBusy::Busy);
    }

    if let Some(location) = &source.location {
        calendar.location = location.clone();
    }
    if let Some(uid) = &source.uid {
        calendar.uid = uid.clone();
    }
    if let Some(requested) = source.is_response_requested {
        calendar.is_response_requested = requested;
    }

    if !source.required_attendees.is_empty() || named("calendar:RequiredAttendees") {
        set_attendees(
            context,
            calendar,
            AttendeeRole::Required,
            &source.required_attendees,
        );
    }
    if !source.optional_attendees.is_empty() || named("calendar:OptionalAttendees") {
        set_attendees(
            context,
            calendar,
            AttendeeRole::Optional,
            &source.optional_attendees,
        );
    }
    if !source.resources.is_empty() || named("calendar:Resources") {
        set_attendees(context, calendar, AttendeeRole::Resource, &source.resources);
    }

    if let Some(zone) = source
        .start_time_zone
        .as_ref()
        .and_then(|zone| zone.id.clone())
    {
        calendar.start_time_zone = zone;
    }

    if let Some(zone) = source
        .end_time_zone
        .as_ref()
        .and_then(|zone| zone.id.clone())
    {
        calendar.end_time_zone = zone;
    }
    if let Some(recurrence) = &source.recurrence {
        calendar.recurrence = Some(recurrence_from_wire(recurrence)?);
    }
    Ok(())
}

/// Applies a DeleteItemField.
pub(crate) fn delete_field(item: &mut Item, path: &wire::PropertyPath) {
    let uri = match path {
        wire::PropertyPath::ExtendedFieldUri(uri) => {
            item.extended.retain(|stored| {
                !field_uri(&stored.field).is_some_and(|stored| stored.same_property(uri))
            });
            return;
        }
        wire::PropertyPath::FieldUri(uri) => uri.as_str(),
        wire::PropertyPath::IndexedFieldUri { .. } => return,
    };
    match uri {
        "item:Categories" => item.categories.clear(),
        "item:Body" => item.body.content.clear(),
        _ => {}
    }
    let Some(calendar) = item.calendar.as_mut() else {
        return;
    };
    match uri {
        "calendar:Location" => calendar.location.clear(),
        "calendar:RequiredAttendees" => calendar.required.clear(),
        "calendar:OptionalAttendees" => calendar.optional.clear(),
        "calendar:Resources" => calendar.resources.clear(),
        "calendar:Recurrence" => {
            calendar.recurrence = None;
            calendar.exceptions.clear();
            calendar.deleted_occurrences.clear();
        }
        _ => {}
    }
}

/// Converts an internal error to a response message with its code, text
/// and BackOffMilliseconds.
pub(crate) fn error_message<T: wire::ResponseContent>(
    error: &EwsError,
) -> wire::ResponseMessage<T> {
    let mut message = wire::ResponseMessage::error(wire::ResponseCode::from_wire(error.code));
    message.message_text = Some(error.text.clone());
    if let Some(back_off) = error.back_off_ms {
        message.message_xml = vec![wire::MessageXmlValue {
            name: "BackOffMilliseconds".to_string(),
            value: back_off.to_string(),
        }];
    }
    message
}

/// Returns a response message for a result.
pub(crate) fn message<T: wire::ResponseContent>(
    result: Result<T, EwsError>,
) -> wire::ResponseMessage<T> {
    match result {
        Ok(content) => wire::ResponseMessage::success(content),
        Err(error) => error_message(&error),
    }
}
