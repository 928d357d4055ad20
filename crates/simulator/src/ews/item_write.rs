//! Writes items in the element order of Microsoft's types.xsd
//! (ItemType, MessageType, MeetingMessageType, CalendarItemType and the
//! meeting message types).

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use crate::calendar::{self, InstanceType};
use crate::ews::format_time;
use crate::ids;
use crate::model::{Attendee, CalendarData, Item, ItemKind, Person, ResponseType};
use crate::recurrence::{Pattern, RangeEnd, Recurrence};
use crate::xml::{Element, XmlWriter};

/// The properties a request asked for (ItemShape).
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// BaseShape IdOnly without AdditionalProperties: only ItemId.
    pub(crate) id_only: bool,
    /// Extended properties requested through ExtendedFieldURI.
    pub(crate) extended: Vec<BTreeMap<String, String>>,
}

impl Shape {
    /// Reads an ItemShape element; no element means IdOnly.
    pub(crate) fn parse(shape: Option<&Element>) -> Shape {
        let Some(shape) = shape else {
            return Shape {
                id_only: true,
                extended: Vec::new(),
            };
        };
        let base = shape.child_text("BaseShape").unwrap_or("IdOnly");
        let additional = shape.child("AdditionalProperties");
        let extended = additional
            .map(|list| {
                list.children_named("ExtendedFieldURI")
                    .map(field_map)
                    .collect()
            })
            .unwrap_or_default();
        let has_first_class = additional.is_some_and(|list| {
            list.children
                .iter()
                .any(|child| child.name != "ExtendedFieldURI")
        });
        Shape {
            id_only: base == "IdOnly" && !has_first_class,
            extended,
        }
    }
}

/// Returns an ExtendedFieldURI's attributes as a sorted map.
pub(crate) fn field_map(field: &Element) -> BTreeMap<String, String> {
    field
        .attributes
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Returns whether two ExtendedFieldURIs name the same property.
pub(crate) fn same_property(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> bool {
    let key = |map: &BTreeMap<String, String>| {
        let mut map = map.clone();
        map.remove("PropertyType");
        if let Some(set) = map.get_mut("PropertySetId") {
            *set = set.to_ascii_lowercase();
        }
        if let Some(tag) = map.get_mut("PropertyTag") {
            *tag = tag.to_ascii_lowercase();
        }
        map
    };
    key(a) == key(b)
}

/// Returns the element name an item is written under.
pub(crate) fn element_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::CalendarItem => "t:CalendarItem",
        ItemKind::MeetingRequest => "t:MeetingRequest",
        ItemKind::MeetingResponse(_) => "t:MeetingResponse",
        ItemKind::MeetingCancellation => "t:MeetingCancellation",
        ItemKind::Message => "t:Message",
    }
}

/// Writes `<t:ItemId Id=".." ChangeKey=".."/>`.
pub(crate) fn write_item_id(w: &mut XmlWriter, name: &'static str, item: &Item) {
    w.empty(
        name,
        &[
            ("Id", &ids::item_id(item)),
            ("ChangeKey", &ids::change_key(item)),
        ],
    );
}

/// Writes an item with the properties `shape` asks for.
pub(crate) fn write_item(w: &mut XmlWriter, item: &Item, shape: &Shape) {
    w.start(element_name(item.kind), &[]);
    write_item_id(w, "t:ItemId", item);
    if shape.id_only {
        write_extended(w, item, shape);
        w.end();
        return;
    }
    write_item_fields(w, item, shape);
    match item.kind {
        ItemKind::CalendarItem => write_calendar_fields(w, item),
        ItemKind::Message => write_message_fields(w, item),
        _ => {
            write_message_fields(w, item);
            write_meeting_message_fields(w, item);
        }
    }
    w.end();
}

fn write_item_fields(w: &mut XmlWriter, item: &Item, shape: &Shape) {
    w.empty(
        "t:ParentFolderId",
        &[
            ("Id", &ids::folder_id(&item.mailbox, item.folder)),
            ("ChangeKey", ids::folder_change_key()),
        ],
    );
    w.leaf("t:ItemClass", item.kind.item_class());
    w.leaf("t:Subject", &item.subject);
    w.leaf("t:Sensitivity", &item.sensitivity);
    let body_type = if item.body.body_type.is_empty() {
        "Text"
    } else {
        item.body.body_type.as_str()
    };
    w.leaf_with("t:Body", &[("BodyType", body_type)], &item.body.content);
    w.leaf("t:DateTimeReceived", &format_time(item.received));
    w.leaf(
        "t:Size",
        &(item.subject.len() + item.body.content.len() + 512).to_string(),
    );
    if !item.categories.is_empty() {
        w.start("t:Categories", &[]);
        for category in &item.categories {
            w.leaf("t:String", category);
        }
        w.end();
    }
    w.leaf("t:Importance", &item.importance);
    let sent = matches!(item.folder, crate::model::Folder::SentItems);
    w.bool("t:IsSubmitted", sent);
    w.bool("t:IsDraft", false);
    w.bool("t:IsFromMe", sent);
    w.bool("t:IsResend", false);
    w.bool("t:IsUnmodified", item.version == 1);
    w.leaf("t:DateTimeSent", &format_time(item.created));
    w.leaf("t:DateTimeCreated", &format_time(item.created));
    if item.reminder_is_set
        && let Some(calendar) = &item.calendar
    {
        w.leaf("t:ReminderDueBy", &format_time(calendar.start));
    }
    w.bool("t:ReminderIsSet", item.reminder_is_set);
    w.leaf(
        "t:ReminderMinutesBeforeStart",
        &item.reminder_minutes.to_string(),
    );
    w.leaf(
        "t:DisplayCc",
        &item
            .calendar
            .as_ref()
            .map(|c| crate::meeting::display_names(&c.optional))
            .unwrap_or_default(),
    );
    let display_to = match &item.calendar {
        Some(calendar) => crate::meeting::display_names(&calendar.required),
        None => item
            .to
            .iter()
            .map(|person| person.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    };
    w.leaf("t:DisplayTo", &display_to);
    w.bool("t:HasAttachments", false);
    write_extended(w, item, shape);
    w.leaf("t:Culture", "en-US");
    w.start("t:EffectiveRights", &[]);
    w.bool("t:CreateAssociated", false);
    w.bool("t:CreateContents", false);
    w.bool("t:CreateHierarchy", false);
    w.bool("t:Delete", true);
    w.bool("t:Modify", true);
    w.bool("t:Read", true);
    w.bool("t:ViewPrivateItems", true);
    w.end();
    let modified_by = item
        .calendar
        .as_ref()
        .map(|calendar| calendar.organizer.name.clone())
        .unwrap_or_default();
    w.leaf("t:LastModifiedName", &modified_by);
    w.leaf("t:LastModifiedTime", &format_time(item.modified));
    w.bool("t:IsAssociated", false);
}

fn write_extended(w: &mut XmlWriter, item: &Item, shape: &Shape) {
    for wanted in &shape.extended {
        let Some(property) = item
            .extended
            .iter()
            .find(|property| same_property(&property.field, wanted))
        else {
            continue;
        };
        w.start("t:ExtendedProperty", &[]);
        let attributes: Vec<(&str, &str)> = property
            .field
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        w.empty("t:ExtendedFieldURI", &attributes);
        w.leaf("t:Value", &property.value);
        w.end();
    }
}

fn write_calendar_fields(w: &mut XmlWriter, item: &Item) {
    let Some(calendar) = &item.calendar else {
        return;
    };
    let instance = calendar::instance_type(item);
    w.leaf("t:UID", &calendar.uid);
    if let Some(original) = calendar.recurrence_id {
        w.leaf("t:RecurrenceId", &format_time(original));
    }
    w.leaf("t:DateTimeStamp", &format_time(item.modified));
    w.leaf("t:Start", &format_time(calendar.start));
    w.leaf("t:End", &format_time(calendar.end));
    if let Some(original) = calendar.recurrence_id {
        w.leaf("t:OriginalStart", &format_time(original));
    }
    w.bool("t:IsAllDayEvent", calendar.is_all_day);
    w.leaf("t:LegacyFreeBusyStatus", calendar.free_busy.as_str());
    w.leaf("t:Location", &calendar.location);
    w.bool("t:IsMeeting", calendar.is_meeting);
    w.bool("t:IsCancelled", calendar.is_cancelled);
    w.bool(
        "t:IsRecurring",
        matches!(instance, InstanceType::Occurrence | InstanceType::Exception),
    );
    w.bool("t:MeetingRequestWasSent", calendar.meeting_request_was_sent);
    w.bool("t:IsResponseRequested", calendar.is_response_requested);
    w.leaf("t:CalendarItemType", instance.as_str());
    w.leaf("t:MyResponseType", calendar.my_response.as_str());
    write_person(w, "t:Organizer", &calendar.organizer);
    write_attendees(w, "t:RequiredAttendees", &calendar.required);
    write_attendees(w, "t:OptionalAttendees", &calendar.optional);
    write_attendees(w, "t:Resources", &calendar.resources);
    w.leaf(
        "t:Duration",
        &format_duration(calendar.end.duration_since(calendar.start)),
    );
    if let Some(reply) = calendar.reply_time {
        w.leaf("t:AppointmentReplyTime", &format_time(reply));
    }
    w.leaf(
        "t:AppointmentSequenceNumber",
        &calendar.sequence.to_string(),
    );
    w.leaf(
        "t:AppointmentState",
        &appointment_state(calendar).to_string(),
    );
    if instance == InstanceType::RecurringMaster {
        write_series(w, item, calendar);
    }
    w.empty(
        "t:StartTimeZone",
        &[
            ("Id", &calendar.start_time_zone),
            ("Name", &calendar.start_time_zone),
        ],
    );
    w.empty(
        "t:EndTimeZone",
        &[
            ("Id", &calendar.end_time_zone),
            ("Name", &calendar.end_time_zone),
        ],
    );
    w.leaf("t:ConferenceType", "0");
    w.bool("t:AllowNewTimeProposal", true);
    w.bool("t:IsOnlineMeeting", false);
}

fn write_series(w: &mut XmlWriter, master: &Item, calendar: &CalendarData) {
    let Some(recurrence) = &calendar.recurrence else {
        return;
    };
    write_recurrence(w, recurrence);
    let zone = crate::tz::zone_for(&calendar.start_time_zone);
    let horizon = Timestamp::MAX
        .checked_sub(SignedDuration::from_hours(24 * 366))
        .unwrap_or(Timestamp::MAX);
    let far = match recurrence.end {
        RangeEnd::Never => calendar
            .start
            .checked_add(SignedDuration::from_hours(24 * 366 * 2))
            .unwrap_or(horizon),
        _ => zone
            .to_ambiguous_timestamp(jiff::civil::date(9000, 1, 1).at(0, 0, 0, 0))
            .compatible()
            .unwrap_or(horizon),
    };
    let starts = recurrence.occurrence_starts(zone.to_datetime(calendar.start), &zone, far);
    let live: Vec<Timestamp> = starts
        .iter()
        .copied()
        .filter(|start| !calendar.deleted_occurrences.contains(&start.as_second()))
        .collect();
    if let Some(first) = live
        .first()
        .and_then(|start| calendar::occurrence(master, *start))
    {
        write_occurrence_info(w, "t:FirstOccurrence", &first);
    }
    if recurrence.end != RangeEnd::Never
        && let Some(last) = live
            .last()
            .and_then(|start| calendar::occurrence(master, *start))
    {
        write_occurrence_info(w, "t:LastOccurrence", &last);
    }
    if !calendar.exceptions.is_empty() {
        w.start("t:ModifiedOccurrences", &[]);
        for original in calendar.exceptions.keys() {
            let Ok(original) = Timestamp::from_second(*original) else {
                continue;
            };
            if let Some(occurrence) = calendar::occurrence(master, original) {
                write_occurrence_info(w, "t:Occurrence", &occurrence);
            }
        }
        w.end();
    }
    if !calendar.deleted_occurrences.is_empty() {
        w.start("t:DeletedOccurrences", &[]);
        for original in &calendar.deleted_occurrences {
            let Ok(original) = Timestamp::from_second(*original) else {
                continue;
            };
            w.start("t:DeletedOccurrence", &[]);
            w.leaf("t:Start", &format_time(original));
            w.end();
        }
        w.end();
    }
}

fn write_occurrence_info(w: &mut XmlWriter, name: &'static str, occurrence: &Item) {
    let calendar = occurrence
        .calendar
        .as_ref()
        .expect("occurrences carry calendar data");
    w.start(name, &[]);
    write_item_id(w, "t:ItemId", occurrence);
    w.leaf("t:Start", &format_time(calendar.start));
    w.leaf("t:End", &format_time(calendar.end));
    w.leaf(
        "t:OriginalStart",
        &format_time(calendar.recurrence_id.unwrap_or(calendar.start)),
    );
    w.end();
}

/// Writes a RecurrenceType element.
pub(crate) fn write_recurrence(w: &mut XmlWriter, recurrence: &Recurrence) {
    w.start("t:Recurrence", &[]);
    match &recurrence.pattern {
        Pattern::Daily { interval } => {
            w.start("t:DailyRecurrence", &[]);
            w.leaf("t:Interval", &interval.to_string());
        }
        Pattern::Weekly {
            interval,
            days,
            first_day_of_week,
        } => {
            w.start("t:WeeklyRecurrence", &[]);
            w.leaf("t:Interval", &interval.to_string());
            let days: Vec<&str> = days.iter().map(|day| day.as_str()).collect();
            w.leaf("t:DaysOfWeek", &days.join(" "));
            w.leaf("t:FirstDayOfWeek", first_day_of_week.as_str());
        }
        Pattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => {
            w.start("t:AbsoluteMonthlyRecurrence", &[]);
            w.leaf("t:Interval", &interval.to_string());
            w.leaf("t:DayOfMonth", &day_of_month.to_string());
        }
        Pattern::RelativeMonthly {
            interval,
            days,
            index,
        } => {
            w.start("t:RelativeMonthlyRecurrence", &[]);
            w.leaf("t:Interval", &interval.to_string());
            w.leaf("t:DaysOfWeek", days.as_str());
            w.leaf("t:DayOfWeekIndex", index.as_str());
        }
        Pattern::AbsoluteYearly {
            day_of_month,
            month,
        } => {
            w.start("t:AbsoluteYearlyRecurrence", &[]);
            w.leaf("t:DayOfMonth", &day_of_month.to_string());
            w.leaf("t:Month", month_name(*month));
        }
        Pattern::RelativeYearly { days, index, month } => {
            w.start("t:RelativeYearlyRecurrence", &[]);
            w.leaf("t:DaysOfWeek", days.as_str());
            w.leaf("t:DayOfWeekIndex", index.as_str());
            w.leaf("t:Month", month_name(*month));
        }
    }
    w.end();
    let start = recurrence.start_date.to_string();
    match &recurrence.end {
        RangeEnd::Never => {
            w.start("t:NoEndRecurrence", &[]);
            w.leaf("t:StartDate", &start);
        }
        RangeEnd::EndDate(end) => {
            w.start("t:EndDateRecurrence", &[]);
            w.leaf("t:StartDate", &start);
            w.leaf("t:EndDate", &end.to_string());
        }
        RangeEnd::Count(count) => {
            w.start("t:NumberedRecurrence", &[]);
            w.leaf("t:StartDate", &start);
            w.leaf("t:NumberOfOccurrences", &count.to_string());
        }
    }
    w.end();
    w.end();
}

/// English month names as MonthNamesType spells them, 1 = January.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(month: i8) -> &'static str {
    MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("January")
}

fn write_message_fields(w: &mut XmlWriter, item: &Item) {
    if let Some(from) = &item.from {
        write_person(w, "t:Sender", from);
    }
    if !item.to.is_empty() {
        w.start("t:ToRecipients", &[]);
        for person in &item.to {
            write_mailbox(w, person);
        }
        w.end();
    }
    w.bool("t:IsReadReceiptRequested", false);
    w.bool("t:IsDeliveryReceiptRequested", false);
    if let Some(from) = &item.from {
        write_person(w, "t:From", from);
    }
    w.bool("t:IsRead", item.has_been_processed);
    w.bool(
        "t:IsResponseRequested",
        matches!(item.kind, ItemKind::MeetingRequest),
    );
}

fn write_meeting_message_fields(w: &mut XmlWriter, item: &Item) {
    let Some(calendar) = &item.calendar else {
        return;
    };
    if let Some(associated) = item.associated_item {
        // The calendar item's change key is not known here; Exchange sends
        // the id alone in the same position too.
        let mut reference = item.clone();
        reference.number = associated;
        reference.kind = ItemKind::CalendarItem;
        if let Some(data) = reference.calendar.as_mut() {
            data.recurrence_id = None;
        }
        w.empty(
            "t:AssociatedCalendarItemId",
            &[("Id", &ids::item_id(&reference))],
        );
    }
    w.bool("t:IsDelegated", false);
    w.bool("t:IsOutOfDate", false);
    w.bool("t:HasBeenProcessed", item.has_been_processed);
    let response = match item.kind {
        ItemKind::MeetingResponse(response) => response,
        ItemKind::MeetingRequest => ResponseType::NoResponseReceived,
        _ => ResponseType::Unknown,
    };
    w.leaf("t:ResponseType", response.as_str());
    w.leaf("t:UID", &calendar.uid);
    w.leaf("t:DateTimeStamp", &format_time(item.created));
    let instance = if calendar.recurrence.is_some() {
        "RecurringMaster"
    } else {
        "Single"
    };
    match item.kind {
        ItemKind::MeetingRequest => {
            let request_type = if calendar.sequence == 0 {
                "NewMeetingRequest"
            } else {
                "FullUpdate"
            };
            w.leaf("t:MeetingRequestType", request_type);
            w.leaf("t:IntendedFreeBusyStatus", "Busy");
            w.leaf("t:Start", &format_time(calendar.start));
            w.leaf("t:End", &format_time(calendar.end));
            w.bool("t:IsAllDayEvent", calendar.is_all_day);
            w.leaf("t:LegacyFreeBusyStatus", "Tentative");
            w.leaf("t:Location", &calendar.location);
            w.bool("t:IsMeeting", true);
            w.bool("t:IsCancelled", false);
            w.bool("t:IsRecurring", calendar.recurrence.is_some());
            w.bool("t:MeetingRequestWasSent", true);
            w.leaf("t:CalendarItemType", instance);
            w.leaf(
                "t:MyResponseType",
                ResponseType::NoResponseReceived.as_str(),
            );
            write_person(w, "t:Organizer", &calendar.organizer);
            write_attendees(w, "t:RequiredAttendees", &calendar.required);
            write_attendees(w, "t:OptionalAttendees", &calendar.optional);
            write_attendees(w, "t:Resources", &calendar.resources);
            w.leaf(
                "t:Duration",
                &format_duration(calendar.end.duration_since(calendar.start)),
            );
            w.leaf(
                "t:AppointmentSequenceNumber",
                &calendar.sequence.to_string(),
            );
            w.leaf("t:AppointmentState", "3");
            if let Some(recurrence) = &calendar.recurrence {
                write_recurrence(w, recurrence);
            }
            w.empty("t:StartTimeZone", &[("Id", &calendar.start_time_zone)]);
            w.empty("t:EndTimeZone", &[("Id", &calendar.end_time_zone)]);
        }
        _ => {
            w.leaf("t:Start", &format_time(calendar.start));
            w.leaf("t:End", &format_time(calendar.end));
            w.leaf("t:Location", &calendar.location);
            if let Some(recurrence) = &calendar.recurrence {
                write_recurrence(w, recurrence);
            }
            w.leaf("t:CalendarItemType", instance);
        }
    }
}

fn appointment_state(calendar: &CalendarData) -> u32 {
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

fn write_person(w: &mut XmlWriter, name: &'static str, person: &Person) {
    w.start(name, &[]);
    write_mailbox(w, person);
    w.end();
}

/// Writes an EmailAddressType `t:Mailbox` element.
pub(crate) fn write_mailbox(w: &mut XmlWriter, person: &Person) {
    w.start("t:Mailbox", &[]);
    w.leaf("t:Name", &person.name);
    w.leaf("t:EmailAddress", &person.address);
    w.leaf("t:RoutingType", "SMTP");
    w.leaf("t:MailboxType", "Mailbox");
    w.end();
}

fn write_attendees(w: &mut XmlWriter, name: &'static str, attendees: &[Attendee]) {
    if attendees.is_empty() {
        return;
    }
    w.start(name, &[]);
    for attendee in attendees {
        w.start("t:Attendee", &[]);
        write_mailbox(w, &attendee.person);
        w.leaf("t:ResponseType", attendee.response.as_str());
        if let Some(time) = attendee.last_response_time {
            w.leaf("t:LastResponseTime", &format_time(time));
        }
        w.end();
    }
    w.end();
}

/// Formats a duration as xs:duration (`PT1H30M`).
pub(crate) fn format_duration(duration: SignedDuration) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_xs_duration() {
        assert_eq!(format_duration(SignedDuration::from_mins(30)), "PT30M");
        assert_eq!(format_duration(SignedDuration::from_mins(90)), "PT1H30M");
        assert_eq!(format_duration(SignedDuration::from_hours(48)), "P2DT0S");
        assert_eq!(format_duration(SignedDuration::ZERO), "PT0S");
    }
}
