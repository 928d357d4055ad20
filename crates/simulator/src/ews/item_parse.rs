//! Reads item fields from requests: the item elements of CreateItem and
//! the SetItemField, AppendToItemField and DeleteItemField updates of
//! UpdateItem.

use jiff::Timestamp;

use crate::ews::Context;
use crate::ews::errors::EwsError;
use crate::ews::item_write::{field_map, same_property};
use crate::model::{
    Attendee, AttendeeRole, Body, CalendarData, ExtendedProperty, Folder, FreeBusy, Item, ItemKind,
    Person, ResponseType,
};
use crate::recurrence::{DayOfWeek, Pattern, RangeEnd, Recurrence, WeekIndex};
use crate::xml::Element;

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

/// Applies every child of an item element (`t:CalendarItem` or `t:Message`)
/// to `item`.
pub(crate) fn apply_item_element(
    context: &Context<'_>,
    item: &mut Item,
    element: &Element,
) -> Result<(), EwsError> {
    for child in &element.children {
        apply_field(context, item, child)?;
    }
    Ok(())
}

fn calendar_mut(item: &mut Item) -> Result<&mut CalendarData, EwsError> {
    item.calendar
        .as_mut()
        .ok_or_else(|| EwsError::invalid_value("This property applies to calendar items only."))
}

fn parse_bool(text: &str) -> bool {
    matches!(text.trim(), "true" | "1")
}

fn apply_field(context: &Context<'_>, item: &mut Item, child: &Element) -> Result<(), EwsError> {
    let text = child.text.trim();
    match child.name.as_str() {
        "Subject" => item.subject = child.text.clone(),
        "Body" => {
            item.body = Body {
                body_type: child.attribute("BodyType").unwrap_or("Text").to_string(),
                content: child.text.clone(),
            }
        }
        "Sensitivity" => item.sensitivity = text.to_string(),
        "Importance" => item.importance = text.to_string(),
        "Categories" => {
            item.categories = child
                .children_named("String")
                .map(|s| s.text.trim().to_string())
                .collect()
        }
        "ReminderIsSet" => item.reminder_is_set = parse_bool(text),
        "ReminderMinutesBeforeStart" => item.reminder_minutes = text.parse().unwrap_or(15),
        "ExtendedProperty" => {
            let field = child
                .child("ExtendedFieldURI")
                .map(field_map)
                .unwrap_or_default();
            let value = child.child_text("Value").unwrap_or_default().to_string();
            item.extended
                .retain(|property| !same_property(&property.field, &field));
            item.extended.push(ExtendedProperty { field, value });
        }
        "ToRecipients" => {
            item.to = child
                .children_named("Mailbox")
                .map(|mailbox| person(context, mailbox))
                .collect()
        }
        "Start" => calendar_mut(item)?.start = context.parse_time(text)?,
        "End" => calendar_mut(item)?.end = context.parse_time(text)?,
        "IsAllDayEvent" => calendar_mut(item)?.is_all_day = parse_bool(text),
        "LegacyFreeBusyStatus" => {
            calendar_mut(item)?.free_busy = FreeBusy::parse(text).ok_or_else(|| {
                EwsError::schema_validation(&format!("`{text}` is not a LegacyFreeBusyType value"))
            })?
        }
        "Location" => calendar_mut(item)?.location = child.text.clone(),
        "UID" => calendar_mut(item)?.uid = text.to_string(),
        "IsResponseRequested" => calendar_mut(item)?.is_response_requested = parse_bool(text),
        "RequiredAttendees" => {
            set_attendees(context, calendar_mut(item)?, AttendeeRole::Required, child)
        }
        "OptionalAttendees" => {
            set_attendees(context, calendar_mut(item)?, AttendeeRole::Optional, child)
        }
        "Resources" => set_attendees(context, calendar_mut(item)?, AttendeeRole::Resource, child),
        "StartTimeZone" => {
            calendar_mut(item)?.start_time_zone = child.attribute("Id").unwrap_or("UTC").to_string()
        }
        "EndTimeZone" => {
            calendar_mut(item)?.end_time_zone = child.attribute("Id").unwrap_or("UTC").to_string()
        }
        "MeetingTimeZone" => {
            let zone = child.attribute("TimeZoneName").unwrap_or("UTC").to_string();
            let calendar = calendar_mut(item)?;
            calendar.start_time_zone = zone.clone();
            calendar.end_time_zone = zone;
        }
        "Recurrence" => calendar_mut(item)?.recurrence = Some(parse_recurrence(child)?),
        // Read-only or display-only fields that clients send back unchanged.
        _ => {}
    }
    Ok(())
}

/// Applies a DeleteItemField for `uri` (a FieldURI value) or an extended field.
pub(crate) fn delete_field(item: &mut Item, path: &Element) {
    if path.name == "ExtendedFieldURI" {
        let field = field_map(path);
        item.extended
            .retain(|property| !same_property(&property.field, &field));
        return;
    }
    let uri = path.attribute("FieldURI").unwrap_or_default();
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

fn person(context: &Context<'_>, mailbox: &Element) -> Person {
    let address = mailbox
        .child_text("EmailAddress")
        .unwrap_or_default()
        .to_string();
    let given = mailbox.child_text("Name").filter(|name| !name.is_empty());
    match context.org.mailbox(&address) {
        Some(known) => Person {
            name: known.name.clone(),
            address: known.address.clone(),
        },
        None => Person {
            name: given.unwrap_or(&address).to_string(),
            address,
        },
    }
}

/// Replaces one attendee list, keeping the answers of attendees already on it.
fn set_attendees(
    context: &Context<'_>,
    calendar: &mut CalendarData,
    role: AttendeeRole,
    list: &Element,
) {
    let previous: Vec<Attendee> = calendar
        .required
        .iter()
        .chain(&calendar.optional)
        .chain(&calendar.resources)
        .cloned()
        .collect();
    let attendees = list
        .children_named("Attendee")
        .filter_map(|attendee| attendee.child("Mailbox"))
        .map(|mailbox| person(context, mailbox))
        .filter(|person| !person.address.is_empty())
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

fn number<T: std::str::FromStr>(element: &Element, name: &str) -> Result<T, EwsError> {
    let text = element.child_text(name).ok_or_else(|| {
        EwsError::schema_validation(&format!("{} is missing {name}", element.name))
    })?;
    text.parse()
        .map_err(|_| EwsError::schema_validation(&format!("{name} `{text}` is not a valid number")))
}

fn day_list(element: &Element) -> Result<Vec<DayOfWeek>, EwsError> {
    let text = element.child_text("DaysOfWeek").unwrap_or_default();
    text.split_whitespace()
        .map(|day| {
            DayOfWeek::parse(day).ok_or_else(|| {
                EwsError::schema_validation(&format!("`{day}` is not a DayOfWeekType value"))
            })
        })
        .collect()
}

fn single_day(element: &Element) -> Result<DayOfWeek, EwsError> {
    day_list(element)?
        .first()
        .copied()
        .ok_or_else(|| EwsError::schema_validation("DaysOfWeek is empty"))
}

fn week_index(element: &Element) -> Result<WeekIndex, EwsError> {
    let text = element.child_text("DayOfWeekIndex").unwrap_or_default();
    WeekIndex::parse(text).ok_or_else(|| {
        EwsError::schema_validation(&format!("`{text}` is not a DayOfWeekIndexType value"))
    })
}

fn month(element: &Element) -> Result<i8, EwsError> {
    let text = element.child_text("Month").unwrap_or_default();
    crate::ews::item_write::MONTHS
        .iter()
        .position(|name| *name == text)
        .map(|index| index as i8 + 1)
        .ok_or_else(|| {
            EwsError::schema_validation(&format!("`{text}` is not a MonthNamesType value"))
        })
}

fn parse_date(element: &Element, name: &str) -> Result<jiff::civil::Date, EwsError> {
    let text = element.child_text(name).unwrap_or_default();
    // xs:date may carry a zone suffix (`2030-01-15Z`, `2030-01-15+08:00`).
    let date_part = text.get(..10).unwrap_or(text);
    date_part.parse().map_err(|_| {
        EwsError::schema_validation(&format!("{name} `{text}` is not a valid xs:date"))
    })
}

/// Parses a RecurrenceType element.
pub(crate) fn parse_recurrence(element: &Element) -> Result<Recurrence, EwsError> {
    let mut pattern = None;
    let mut range = None;
    for child in &element.children {
        match child.name.as_str() {
            "DailyRecurrence" => {
                pattern = Some(Pattern::Daily {
                    interval: number(child, "Interval")?,
                })
            }
            "WeeklyRecurrence" => {
                let first = child
                    .child_text("FirstDayOfWeek")
                    .and_then(DayOfWeek::parse)
                    .unwrap_or(DayOfWeek::Sunday);
                pattern = Some(Pattern::Weekly {
                    interval: number(child, "Interval")?,
                    days: day_list(child)?,
                    first_day_of_week: first,
                })
            }
            "AbsoluteMonthlyRecurrence" => {
                pattern = Some(Pattern::AbsoluteMonthly {
                    interval: number(child, "Interval")?,
                    day_of_month: number(child, "DayOfMonth")?,
                })
            }
            "RelativeMonthlyRecurrence" => {
                pattern = Some(Pattern::RelativeMonthly {
                    interval: number(child, "Interval")?,
                    days: single_day(child)?,
                    index: week_index(child)?,
                })
            }
            "AbsoluteYearlyRecurrence" => {
                pattern = Some(Pattern::AbsoluteYearly {
                    day_of_month: number(child, "DayOfMonth")?,
                    month: month(child)?,
                })
            }
            "RelativeYearlyRecurrence" => {
                pattern = Some(Pattern::RelativeYearly {
                    days: single_day(child)?,
                    index: week_index(child)?,
                    month: month(child)?,
                })
            }
            "NoEndRecurrence" => range = Some((parse_date(child, "StartDate")?, RangeEnd::Never)),
            "EndDateRecurrence" => {
                range = Some((
                    parse_date(child, "StartDate")?,
                    RangeEnd::EndDate(parse_date(child, "EndDate")?),
                ))
            }
            "NumberedRecurrence" => {
                range = Some((
                    parse_date(child, "StartDate")?,
                    RangeEnd::Count(number(child, "NumberOfOccurrences")?),
                ))
            }
            _ => {}
        }
    }
    let pattern = pattern
        .ok_or_else(|| EwsError::schema_validation("Recurrence has no recurrence pattern"))?;
    let (start_date, end) =
        range.ok_or_else(|| EwsError::schema_validation("Recurrence has no recurrence range"))?;
    if let Pattern::Daily { interval: 0 } | Pattern::Weekly { interval: 0, .. } = pattern {
        return Err(EwsError::schema_validation("Interval must be at least 1"));
    }
    Ok(Recurrence {
        pattern,
        start_date,
        end,
    })
}
