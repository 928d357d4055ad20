//! GetUserAvailability: free/busy information of mailboxes, rooms included.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuseravailability-operation>

use jiff::civil::DateTime;

use crate::operation::{Operation, OperationResponse, Outcome};
use crate::types::{DayOfWeek, LegacyFreeBusyType, ResponseMessage};
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, string_enum};

use super::shape::expect_element;

/// `t:SerializableTimeZoneTime`: when a zone switches to standard or
/// daylight time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneTransition {
    /// Offset from the zone's base bias, in minutes.
    pub bias: i32,
    /// Time of day of the switch, `HH:MM:SS`.
    pub time: String,
    /// Week of the month, 1 to 5 (5 is the last).
    pub day_order: i16,
    /// Month, 1 to 12.
    pub month: i16,
    /// Day of the week.
    pub day_of_week: DayOfWeek,
}

/// `t:SerializableTimeZone`: the zone of the times in the request and response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializableTimeZone {
    /// Minutes to add to local time to get UTC.
    pub bias: i32,
    /// Switch to standard time.
    pub standard_time: TimeZoneTransition,
    /// Switch to daylight time.
    pub daylight_time: TimeZoneTransition,
}

impl SerializableTimeZone {
    /// Returns UTC, a zone without offset or daylight saving time.
    pub fn utc() -> SerializableTimeZone {
        let transition = TimeZoneTransition {
            bias: 0,
            time: String::from("00:00:00"),
            day_order: 1,
            month: 1,
            day_of_week: DayOfWeek::Sunday,
        };
        SerializableTimeZone {
            bias: 0,
            standard_time: transition.clone(),
            daylight_time: transition,
        }
    }
}

string_enum! {
    /// `t:MeetingAttendeeType`.
    pub enum MeetingAttendeeType {
        /// The organizer.
        Organizer = "Organizer",
        /// A required attendee.
        Required = "Required",
        /// An optional attendee.
        Optional = "Optional",
        /// A room.
        Room = "Room",
        /// Another resource.
        Resource = "Resource",
    }
}

string_enum! {
    /// `t:FreeBusyViewType`: how much detail to return.
    pub enum FreeBusyViewType {
        /// Nothing.
        None = "None",
        /// Merged free/busy string only.
        MergedOnly = "MergedOnly",
        /// Busy intervals.
        FreeBusy = "FreeBusy",
        /// Busy intervals and the merged string.
        FreeBusyMerged = "FreeBusyMerged",
        /// Busy intervals with subject and location.
        Detailed = "Detailed",
        /// Details and the merged string.
        DetailedMerged = "DetailedMerged",
    }
}

/// `t:MailboxData`: one mailbox to query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxData {
    /// SMTP address (`t:Email/t:Address`).
    pub address: String,
    /// Role of the mailbox in the meeting.
    pub attendee_type: MeetingAttendeeType,
    /// Whether conflicts are ignored in suggestions.
    pub exclude_conflicts: Option<bool>,
}

/// `t:FreeBusyViewOptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeBusyViewOptions {
    /// Start of the window, in the request's time zone.
    pub start_time: DateTime,
    /// End of the window, in the request's time zone.
    pub end_time: DateTime,
    /// Interval of the merged free/busy string, in minutes.
    pub merged_free_busy_interval_in_minutes: Option<u32>,
    /// Detail to return.
    pub requested_view: Option<FreeBusyViewType>,
}

/// `m:GetUserAvailabilityRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetUserAvailability {
    /// Zone of the times in the request and response.
    pub time_zone: SerializableTimeZone,
    /// Mailboxes to query, at most 100.
    pub mailbox_data: Vec<MailboxData>,
    /// View of the results.
    pub free_busy_view_options: FreeBusyViewOptions,
}

fn format_local(value: &DateTime) -> String {
    value.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Parses an `xs:dateTime` as a wall-clock time, dropping any offset: the
/// times of GetUserAvailability are in the request's time zone.
fn parse_local(reader: &XmlReader<'_>, text: &str) -> Result<DateTime, ParseError> {
    let trimmed = text.trim();
    let wall = trimmed.get(..19).unwrap_or(trimmed);
    wall.parse::<DateTime>()
        .map_err(|error| reader.error(format!("invalid date-time `{trimmed}`: {error}")))
}

fn read_transition(reader: &mut XmlReader<'_>) -> Result<TimeZoneTransition, ParseError> {
    let (mut bias, mut time, mut day_order, mut month, mut day_of_week) = (0, None, 1, 1, None);
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "Bias") => bias = reader.read_int()?,
            (Ns::Types, "Time") => time = Some(reader.read_text()?.trim().to_owned()),
            (Ns::Types, "DayOrder") => day_order = reader.read_int()?,
            (Ns::Types, "Month") => month = reader.read_int()?,
            (Ns::Types, "DayOfWeek") => day_of_week = Some(reader.read_enum()?),
            _ => reader.skip()?,
        }
    }
    Ok(TimeZoneTransition {
        bias,
        time: time.unwrap_or_else(|| String::from("00:00:00")),
        day_order,
        month,
        day_of_week: day_of_week.unwrap_or(DayOfWeek::Sunday),
    })
}

fn write_transition(writer: &mut XmlWriter, name: &str, transition: &TimeZoneTransition) {
    writer.start(name, &[]);
    writer.text_element("t:Bias", &transition.bias.to_string());
    writer.text_element("t:Time", &transition.time);
    writer.text_element("t:DayOrder", &transition.day_order.to_string());
    writer.text_element("t:Month", &transition.month.to_string());
    writer.text_element("t:DayOfWeek", transition.day_of_week.as_str());
    writer.end(name);
}

fn read_time_zone(reader: &mut XmlReader<'_>) -> Result<SerializableTimeZone, ParseError> {
    let mut zone = SerializableTimeZone::utc();
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "Bias") => zone.bias = reader.read_int()?,
            (Ns::Types, "StandardTime") => zone.standard_time = read_transition(reader)?,
            (Ns::Types, "DaylightTime") => zone.daylight_time = read_transition(reader)?,
            _ => reader.skip()?,
        }
    }
    Ok(zone)
}

fn read_mailbox_data(reader: &mut XmlReader<'_>) -> Result<MailboxData, ParseError> {
    let (mut address, mut attendee_type, mut exclude_conflicts) = (None, None, None);
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "Email") => {
                while let Some(part) = reader.next_child()? {
                    if part.is(Ns::Types, "Address") {
                        address = Some(reader.read_text()?.trim().to_owned());
                    } else {
                        reader.skip()?;
                    }
                }
            }
            (Ns::Types, "AttendeeType") => attendee_type = Some(reader.read_enum()?),
            (Ns::Types, "ExcludeConflicts") => exclude_conflicts = Some(reader.read_bool()?),
            _ => reader.skip()?,
        }
    }
    Ok(MailboxData {
        address: address.ok_or_else(|| reader.error("`MailboxData` has no `Email/Address`"))?,
        attendee_type: attendee_type
            .ok_or_else(|| reader.error("`MailboxData` has no `AttendeeType`"))?,
        exclude_conflicts,
    })
}

fn read_view_options(reader: &mut XmlReader<'_>) -> Result<FreeBusyViewOptions, ParseError> {
    let (mut start_time, mut end_time, mut interval, mut view) = (None, None, None, None);
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "TimeWindow") => {
                while let Some(part) = reader.next_child()? {
                    match (part.ns, part.name.as_str()) {
                        (Ns::Types, "StartTime") => {
                            let text = reader.read_text()?;
                            start_time = Some(parse_local(reader, &text)?);
                        }
                        (Ns::Types, "EndTime") => {
                            let text = reader.read_text()?;
                            end_time = Some(parse_local(reader, &text)?);
                        }
                        _ => reader.skip()?,
                    }
                }
            }
            (Ns::Types, "MergedFreeBusyIntervalInMinutes") => interval = Some(reader.read_int()?),
            (Ns::Types, "RequestedView") => view = Some(reader.read_enum()?),
            _ => reader.skip()?,
        }
    }
    Ok(FreeBusyViewOptions {
        start_time: start_time.ok_or_else(|| reader.error("`TimeWindow` has no `StartTime`"))?,
        end_time: end_time.ok_or_else(|| reader.error("`TimeWindow` has no `EndTime`"))?,
        merged_free_busy_interval_in_minutes: interval,
        requested_view: view,
    })
}

impl Operation for GetUserAvailability {
    const NAME: &'static str = "GetUserAvailabilityRequest";
    const IDEMPOTENT: bool = true;
    type Response = GetUserAvailabilityResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:GetUserAvailabilityRequest", &[]);
        writer.start("t:TimeZone", &[]);
        writer.text_element("t:Bias", &self.time_zone.bias.to_string());
        write_transition(writer, "t:StandardTime", &self.time_zone.standard_time);
        write_transition(writer, "t:DaylightTime", &self.time_zone.daylight_time);
        writer.end("t:TimeZone");
        writer.start("m:MailboxDataArray", &[]);
        for data in &self.mailbox_data {
            writer.start("t:MailboxData", &[]);
            writer.start("t:Email", &[]);
            writer.text_element("t:Address", &data.address);
            writer.end("t:Email");
            writer.text_element("t:AttendeeType", data.attendee_type.as_str());
            writer.opt_bool("t:ExcludeConflicts", data.exclude_conflicts);
            writer.end("t:MailboxData");
        }
        writer.end("m:MailboxDataArray");
        let options = &self.free_busy_view_options;
        writer.start("t:FreeBusyViewOptions", &[]);
        writer.start("t:TimeWindow", &[]);
        writer.text_element("t:StartTime", &format_local(&options.start_time));
        writer.text_element("t:EndTime", &format_local(&options.end_time));
        writer.end("t:TimeWindow");
        writer.opt_element(
            "t:MergedFreeBusyIntervalInMinutes",
            options.merged_free_busy_interval_in_minutes,
        );
        writer.opt_element("t:RequestedView", options.requested_view);
        writer.end("t:FreeBusyViewOptions");
        writer.end("m:GetUserAvailabilityRequest");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let (mut time_zone, mut mailbox_data, mut options) = (None, Vec::new(), None);
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Types, "TimeZone") => time_zone = Some(read_time_zone(reader)?),
                (Ns::Messages, "MailboxDataArray") => {
                    while let Some(data) = reader.next_child()? {
                        if data.is(Ns::Types, "MailboxData") {
                            mailbox_data.push(read_mailbox_data(reader)?);
                        } else {
                            reader.skip()?;
                        }
                    }
                }
                (Ns::Types, "FreeBusyViewOptions") => options = Some(read_view_options(reader)?),
                _ => reader.skip()?,
            }
        }
        Ok(GetUserAvailability {
            time_zone: time_zone.unwrap_or_else(SerializableTimeZone::utc),
            mailbox_data,
            free_busy_view_options: options.ok_or_else(|| {
                reader.error("`GetUserAvailabilityRequest` has no `FreeBusyViewOptions`")
            })?,
        })
    }
}

/// `t:CalendarEventDetails`, returned with a detailed view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalendarEventDetails {
    /// Item id (in a short form).
    pub id: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Whether the event is a meeting.
    pub is_meeting: bool,
    /// Whether the event recurs.
    pub is_recurring: bool,
    /// Whether the event is a modified occurrence.
    pub is_exception: bool,
    /// Whether a reminder is set.
    pub is_reminder_set: bool,
    /// Whether the event is private.
    pub is_private: bool,
}

/// `t:CalendarEvent`: one busy interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Start, in the request's time zone.
    pub start_time: DateTime,
    /// End, in the request's time zone.
    pub end_time: DateTime,
    /// Free/busy status.
    pub busy_type: LegacyFreeBusyType,
    /// Details, with a detailed view.
    pub details: Option<CalendarEventDetails>,
}

/// `m:FreeBusyView` of one mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FreeBusyView {
    /// The view type the server returned.
    pub free_busy_view_type: Option<FreeBusyViewType>,
    /// One digit per interval: 0 free, 1 tentative, 2 busy, 3 away, 4 no data.
    pub merged_free_busy: Option<String>,
    /// Busy intervals.
    pub calendar_events: Vec<CalendarEvent>,
}

fn read_event(reader: &mut XmlReader<'_>) -> Result<CalendarEvent, ParseError> {
    let (mut start_time, mut end_time, mut busy_type, mut details) = (None, None, None, None);
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "StartTime") => {
                let text = reader.read_text()?;
                start_time = Some(parse_local(reader, &text)?);
            }
            (Ns::Types, "EndTime") => {
                let text = reader.read_text()?;
                end_time = Some(parse_local(reader, &text)?);
            }
            (Ns::Types, "BusyType") => busy_type = Some(reader.read_enum()?),
            (Ns::Types, "CalendarEventDetails") => details = Some(read_details(reader)?),
            _ => reader.skip()?,
        }
    }
    let missing = |what: &str| reader.error(format!("`CalendarEvent` has no `{what}`"));
    Ok(CalendarEvent {
        start_time: start_time.ok_or_else(|| missing("StartTime"))?,
        end_time: end_time.ok_or_else(|| missing("EndTime"))?,
        busy_type: busy_type.ok_or_else(|| missing("BusyType"))?,
        details,
    })
}

fn read_details(reader: &mut XmlReader<'_>) -> Result<CalendarEventDetails, ParseError> {
    let mut details = CalendarEventDetails::default();
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "ID") => details.id = Some(reader.read_text()?),
            (Ns::Types, "Subject") => details.subject = Some(reader.read_text()?),
            (Ns::Types, "Location") => details.location = Some(reader.read_text()?),
            (Ns::Types, "IsMeeting") => details.is_meeting = reader.read_bool()?,
            (Ns::Types, "IsRecurring") => details.is_recurring = reader.read_bool()?,
            (Ns::Types, "IsException") => details.is_exception = reader.read_bool()?,
            (Ns::Types, "IsReminderSet") => details.is_reminder_set = reader.read_bool()?,
            (Ns::Types, "IsPrivate") => details.is_private = reader.read_bool()?,
            _ => reader.skip()?,
        }
    }
    Ok(details)
}

fn write_view(writer: &mut XmlWriter, view: &FreeBusyView) {
    writer.start("m:FreeBusyView", &[]);
    writer.text_element(
        "t:FreeBusyViewType",
        view.free_busy_view_type
            .unwrap_or(FreeBusyViewType::None)
            .as_str(),
    );
    writer.opt_element("t:MergedFreeBusy", view.merged_free_busy.as_deref());
    if !view.calendar_events.is_empty() {
        writer.start("t:CalendarEventArray", &[]);
        for event in &view.calendar_events {
            writer.start("t:CalendarEvent", &[]);
            writer.text_element("t:StartTime", &format_local(&event.start_time));
            writer.text_element("t:EndTime", &format_local(&event.end_time));
            writer.text_element("t:BusyType", event.busy_type.as_str());
            if let Some(details) = &event.details {
                let flag = |value: bool| if value { "true" } else { "false" };
                writer.start("t:CalendarEventDetails", &[]);
                writer.opt_element("t:ID", details.id.as_deref());
                writer.opt_element("t:Subject", details.subject.as_deref());
                writer.opt_element("t:Location", details.location.as_deref());
                writer.text_element("t:IsMeeting", flag(details.is_meeting));
                writer.text_element("t:IsRecurring", flag(details.is_recurring));
                writer.text_element("t:IsException", flag(details.is_exception));
                writer.text_element("t:IsReminderSet", flag(details.is_reminder_set));
                writer.text_element("t:IsPrivate", flag(details.is_private));
                writer.end("t:CalendarEventDetails");
            }
            writer.end("t:CalendarEvent");
        }
        writer.end("t:CalendarEventArray");
    }
    writer.end("m:FreeBusyView");
}

/// `m:FreeBusyResponse`: the outcome and view of one mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeBusyResponse {
    /// The outcome for this mailbox.
    pub message: ResponseMessage<()>,
    /// The mailbox's free/busy view.
    pub view: FreeBusyView,
}

/// `m:GetUserAvailabilityResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetUserAvailabilityResponse {
    /// One response per requested mailbox, in order.
    pub responses: Vec<FreeBusyResponse>,
}

fn read_free_busy_response(reader: &mut XmlReader<'_>) -> Result<FreeBusyResponse, ParseError> {
    let (mut message, mut view) = (None, FreeBusyView::default());
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Messages, "ResponseMessage") => {
                message = Some(ResponseMessage::read(reader, &child)?)
            }
            (Ns::Messages, "FreeBusyView") => {
                while let Some(part) = reader.next_child()? {
                    match (part.ns, part.name.as_str()) {
                        (Ns::Types, "FreeBusyViewType") => {
                            // The type is a list in the schema; servers send one value.
                            let text = reader.read_text()?;
                            let first = text.split_whitespace().next().unwrap_or_default();
                            view.free_busy_view_type = Some(reader.parse_value(first)?);
                        }
                        (Ns::Types, "MergedFreeBusy") => {
                            view.merged_free_busy = Some(reader.read_text()?)
                        }
                        (Ns::Types, "CalendarEventArray") => {
                            while let Some(event) = reader.next_child()? {
                                if event.is(Ns::Types, "CalendarEvent") {
                                    view.calendar_events.push(read_event(reader)?);
                                } else {
                                    reader.skip()?;
                                }
                            }
                        }
                        _ => reader.skip()?,
                    }
                }
            }
            _ => reader.skip()?,
        }
    }
    let message =
        message.ok_or_else(|| reader.error("`FreeBusyResponse` has no `ResponseMessage`"))?;
    Ok(FreeBusyResponse { message, view })
}

impl OperationResponse for GetUserAvailabilityResponse {
    const NAME: &'static str = "GetUserAvailabilityResponse";

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:GetUserAvailabilityResponse", &[]);
        writer.start("m:FreeBusyResponseArray", &[]);
        for response in &self.responses {
            writer.start("m:FreeBusyResponse", &[]);
            response.message.write(writer, "m:ResponseMessage");
            write_view(writer, &response.view);
            writer.end("m:FreeBusyResponse");
        }
        writer.end("m:FreeBusyResponseArray");
        writer.end("m:GetUserAvailabilityResponse");
    }

    fn read_body(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut responses = Vec::new();
        while let Some(child) = reader.next_child()? {
            if !child.is(Ns::Messages, "FreeBusyResponseArray") {
                reader.skip()?;
                continue;
            }
            while let Some(response) = reader.next_child()? {
                if response.is(Ns::Messages, "FreeBusyResponse") {
                    responses.push(read_free_busy_response(reader)?);
                } else {
                    reader.skip()?;
                }
            }
        }
        Ok(GetUserAvailabilityResponse { responses })
    }

    fn outcomes(&self) -> Vec<Outcome<'_>> {
        self.responses
            .iter()
            .map(|response| Outcome::of(&response.message))
            .collect()
    }
}
