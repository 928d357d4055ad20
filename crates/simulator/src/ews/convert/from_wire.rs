//! Request items applied to the model: CreateItem's calendar items and
//! UpdateItem's field updates.

use roombridge_ews::types as wire;

use super::recurrence::recurrence_from_wire;
use super::{field_map, field_uri};
use crate::ews::Context;
use crate::ews::errors::EwsError;
use crate::model::{
    Attendee, AttendeeRole, Body, CalendarData, ExtendedProperty, FreeBusy, Item, Person,
    ResponseType,
};

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
