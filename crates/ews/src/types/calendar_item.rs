//! `t:CalendarItem` and the small types it is built from.

use jiff::Timestamp;

use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

use super::extended_property::ExtendedProperty;
use super::ids::{FolderId, ItemId};
use super::mailbox::{Attendee, SingleRecipient, read_attendees, write_attendees};
use super::recurrence::Recurrence;

string_enum! {
    /// `t:BodyTypeType`.
    pub enum BodyType {
        /// HTML.
        Html = "HTML",
        /// Plain text.
        Text = "Text",
    }
}

string_enum! {
    /// `t:CalendarItemTypeType`: what part of a series an item is.
    pub enum CalendarItemType {
        /// A meeting or appointment that does not recur.
        Single = "Single",
        /// An unmodified occurrence of a series.
        Occurrence = "Occurrence",
        /// A modified occurrence of a series.
        Exception = "Exception",
        /// The item that defines a series.
        RecurringMaster = "RecurringMaster",
    }
}

string_enum! {
    /// `t:LegacyFreeBusyType`: the free/busy status an item shows.
    pub enum LegacyFreeBusyType {
        /// Free.
        Free = "Free",
        /// Tentative.
        Tentative = "Tentative",
        /// Busy.
        Busy = "Busy",
        /// Out of office.
        Oof = "OOF",
        /// Working elsewhere.
        WorkingElsewhere = "WorkingElsewhere",
        /// No data.
        NoData = "NoData",
    }
}

string_enum! {
    /// `t:SensitivityChoicesType`.
    pub enum Sensitivity {
        /// Normal.
        Normal = "Normal",
        /// Personal.
        Personal = "Personal",
        /// Private.
        Private = "Private",
        /// Confidential.
        Confidential = "Confidential",
    }
}

string_enum! {
    /// `t:ImportanceChoicesType`.
    pub enum Importance {
        /// Low.
        Low = "Low",
        /// Normal.
        Normal = "Normal",
        /// High.
        High = "High",
    }
}

/// `t:Body`: an item's body and its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Format of `content`.
    pub body_type: BodyType,
    /// True when the server cut the body short.
    pub is_truncated: Option<bool>,
    /// The body text.
    pub content: String,
}

impl Body {
    /// Creates a plain text body.
    pub fn text(content: impl Into<String>) -> Body {
        Body {
            body_type: BodyType::Text,
            is_truncated: None,
            content: content.into(),
        }
    }

    /// Creates an HTML body.
    pub fn html(content: impl Into<String>) -> Body {
        Body {
            body_type: BodyType::Html,
            is_truncated: None,
            content: content.into(),
        }
    }
}

impl ReadXml for Body {
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        let body_type = reader.parse_value(start.required_attr(reader, "BodyType")?)?;
        let is_truncated = start.attr("IsTruncated").and_then(crate::xml::parse_bool);
        let content = reader.read_text()?;
        Ok(Body {
            body_type,
            is_truncated,
            content,
        })
    }
}

impl WriteXml for Body {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        let truncated = self
            .is_truncated
            .map(|value| if value { "true" } else { "false" });
        writer.start_opt(
            name,
            &[
                ("BodyType", Some(self.body_type.as_str())),
                ("IsTruncated", truncated),
            ],
        );
        writer.text(&self.content);
        writer.end(name);
    }
}

/// `t:TimeZoneDefinitionType` as used by `StartTimeZone`, `EndTimeZone` and
/// `TimeZoneContext`: the Windows time zone id and display name.
///
/// NOTE: the `Periods` and `Transitions` children that describe the rules
/// are skipped when reading and never written. A zone is identified by its
/// `Id`, which Exchange resolves to its own rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimeZoneDefinition {
    /// Windows time zone id, such as `W. Europe Standard Time`.
    pub id: Option<String>,
    /// Display name, such as `(UTC+01:00) Amsterdam, Berlin, ...`.
    pub name: Option<String>,
}

impl TimeZoneDefinition {
    /// Creates a definition that names a Windows time zone id.
    pub fn id(id: impl Into<String>) -> TimeZoneDefinition {
        TimeZoneDefinition {
            id: Some(id.into()),
            name: None,
        }
    }
}

impl ReadXml for TimeZoneDefinition {
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        let definition = TimeZoneDefinition {
            id: start.attr("Id").map(str::to_owned),
            name: start.attr("Name").map(str::to_owned),
        };
        reader.skip()?;
        Ok(definition)
    }
}

impl WriteXml for TimeZoneDefinition {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.empty_opt(
            name,
            &[("Id", self.id.as_deref()), ("Name", self.name.as_deref())],
        );
    }
}

/// `t:OccurrenceInfoType`: one modified occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceInfo {
    /// Id of the occurrence's own item.
    pub item_id: ItemId,
    /// Start of the occurrence.
    pub start: Timestamp,
    /// End of the occurrence.
    pub end: Timestamp,
    /// Start the occurrence had before it was modified.
    pub original_start: Timestamp,
}

fn read_occurrences(reader: &mut XmlReader<'_>) -> Result<Vec<OccurrenceInfo>, ParseError> {
    let mut occurrences = Vec::new();
    while let Some(child) = reader.next_child()? {
        if !child.is(Ns::Types, "Occurrence") {
            reader.skip()?;
            continue;
        }
        let (mut item_id, mut start, mut end, mut original_start) = (None, None, None, None);
        while let Some(field) = reader.next_child()? {
            match (field.ns, field.name.as_str()) {
                (Ns::Types, "ItemId") => item_id = Some(ItemId::read_xml(reader, &field)?),
                (Ns::Types, "Start") => start = Some(reader.read_timestamp()?),
                (Ns::Types, "End") => end = Some(reader.read_timestamp()?),
                (Ns::Types, "OriginalStart") => original_start = Some(reader.read_timestamp()?),
                _ => reader.skip()?,
            }
        }
        let missing = |what: &str| reader.error(format!("`Occurrence` is missing `{what}`"));
        occurrences.push(OccurrenceInfo {
            item_id: item_id.ok_or_else(|| missing("ItemId"))?,
            start: start.ok_or_else(|| missing("Start"))?,
            end: end.ok_or_else(|| missing("End"))?,
            original_start: original_start.ok_or_else(|| missing("OriginalStart"))?,
        });
    }
    Ok(occurrences)
}

fn read_deleted_occurrences(reader: &mut XmlReader<'_>) -> Result<Vec<Timestamp>, ParseError> {
    let mut starts = Vec::new();
    while let Some(child) = reader.next_child()? {
        if !child.is(Ns::Types, "DeletedOccurrence") {
            reader.skip()?;
            continue;
        }
        while let Some(field) = reader.next_child()? {
            if field.is(Ns::Types, "Start") {
                starts.push(reader.read_timestamp()?);
            } else {
                reader.skip()?;
            }
        }
    }
    Ok(starts)
}

/// `t:CalendarItem`: an appointment or meeting, as stored in one mailbox.
///
/// Every field is optional because a response carries only the properties
/// that were requested, and a create or update request sets only some.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarItem {
    /// Id and change key in this mailbox.
    pub item_id: Option<ItemId>,
    /// Folder that contains the item.
    pub parent_folder_id: Option<FolderId>,
    /// Message class, `IPM.Appointment` for calendar items.
    pub item_class: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Sensitivity.
    pub sensitivity: Option<Sensitivity>,
    /// Body.
    pub body: Option<Body>,
    /// When the item arrived in the mailbox.
    pub date_time_received: Option<Timestamp>,
    /// Categories.
    pub categories: Vec<String>,
    /// Importance.
    pub importance: Option<Importance>,
    /// When the item was created.
    pub date_time_created: Option<Timestamp>,
    /// Whether a reminder is set.
    pub reminder_is_set: Option<bool>,
    /// Minutes before the start when the reminder fires.
    pub reminder_minutes_before_start: Option<i32>,
    /// Extended (MAPI) properties that were set or requested.
    pub extended_properties: Vec<ExtendedProperty>,
    /// Language of the item, such as `en-US`.
    pub culture: Option<String>,
    /// Display name of the user who changed the item last.
    pub last_modified_name: Option<String>,
    /// When the item was last changed.
    pub last_modified_time: Option<Timestamp>,
    /// iCalendar UID shared by every attendee's copy of a meeting.
    pub uid: Option<String>,
    /// Original start of an occurrence, identifying it within its series.
    pub recurrence_id: Option<Timestamp>,
    /// When the meeting request was stamped.
    pub date_time_stamp: Option<Timestamp>,
    /// Start.
    pub start: Option<Timestamp>,
    /// End.
    pub end: Option<Timestamp>,
    /// Start before the item was modified.
    pub original_start: Option<Timestamp>,
    /// Whether the item lasts whole days.
    pub is_all_day_event: Option<bool>,
    /// Free/busy status the item shows.
    pub legacy_free_busy_status: Option<LegacyFreeBusyType>,
    /// Location text.
    pub location: Option<String>,
    /// Whether the item has attendees (a meeting rather than an appointment).
    pub is_meeting: Option<bool>,
    /// Whether the organizer cancelled the meeting.
    pub is_cancelled: Option<bool>,
    /// Whether the item belongs to a series.
    pub is_recurring: Option<bool>,
    /// Whether the meeting request has been sent.
    pub meeting_request_was_sent: Option<bool>,
    /// Whether the organizer requests responses.
    pub is_response_requested: Option<bool>,
    /// Single, occurrence, exception or recurring master.
    pub calendar_item_type: Option<CalendarItemType>,
    /// This mailbox's response to the meeting.
    pub my_response_type: Option<super::mailbox::ResponseType>,
    /// Organizer.
    pub organizer: Option<SingleRecipient>,
    /// Required attendees with their responses.
    pub required_attendees: Vec<Attendee>,
    /// Optional attendees with their responses.
    pub optional_attendees: Vec<Attendee>,
    /// Resources (rooms, equipment) with their responses.
    pub resources: Vec<Attendee>,
    /// Length as an `xs:duration`, such as `PT1H`.
    pub duration: Option<String>,
    /// Display name of the time zone the item was created in.
    pub time_zone: Option<String>,
    /// When this mailbox last replied.
    pub appointment_reply_time: Option<Timestamp>,
    /// Sequence number of the meeting's versions.
    pub appointment_sequence_number: Option<i32>,
    /// Bit mask: 1 meeting, 2 received, 4 cancelled.
    pub appointment_state: Option<i32>,
    /// Recurrence of a recurring master.
    pub recurrence: Option<Recurrence>,
    /// Modified occurrences of a recurring master.
    pub modified_occurrences: Vec<OccurrenceInfo>,
    /// Starts of the deleted occurrences of a recurring master.
    pub deleted_occurrences: Vec<Timestamp>,
    /// Time zone of the start.
    pub start_time_zone: Option<TimeZoneDefinition>,
    /// Time zone of the end.
    pub end_time_zone: Option<TimeZoneDefinition>,
    /// Whether attendees may propose a new time.
    pub allow_new_time_proposal: Option<bool>,
}

impl ReadXml for CalendarItem {
    fn read_xml(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut item = CalendarItem::default();
        while let Some(child) = reader.next_child()? {
            if child.ns != Ns::Types || !item.read_field(reader, &child)? {
                reader.skip()?;
            }
        }
        Ok(item)
    }
}

impl CalendarItem {
    /// Returns the single value of an extended property, if the item has it.
    pub fn extended_property(
        &self,
        field_uri: &super::extended_property::ExtendedFieldUri,
    ) -> Option<&str> {
        self.extended_properties
            .iter()
            .find(|property| property.field_uri.same_property(field_uri))
            .and_then(|property| property.single_value())
    }

    /// Reads one child element into its field; returns false for an
    /// element this type does not keep, which the caller must skip.
    fn read_field(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        match child.name.as_str() {
            "ItemId" => self.item_id = Some(ItemId::read_xml(reader, child)?),
            "ParentFolderId" => self.parent_folder_id = Some(FolderId::read_xml(reader, child)?),
            "ItemClass" => self.item_class = Some(reader.read_text()?),
            "Subject" => self.subject = Some(reader.read_text()?),
            "Sensitivity" => self.sensitivity = Some(reader.read_enum()?),
            "Body" => self.body = Some(Body::read_xml(reader, child)?),
            "DateTimeReceived" => self.date_time_received = Some(reader.read_timestamp()?),
            "Categories" => {
                while let Some(category) = reader.next_child()? {
                    if category.is(Ns::Types, "String") {
                        self.categories.push(reader.read_text()?);
                    } else {
                        reader.skip()?;
                    }
                }
            }
            "Importance" => self.importance = Some(reader.read_enum()?),
            "DateTimeCreated" => self.date_time_created = Some(reader.read_timestamp()?),
            "ReminderIsSet" => self.reminder_is_set = Some(reader.read_bool()?),
            "ReminderMinutesBeforeStart" => {
                self.reminder_minutes_before_start = Some(reader.read_int()?);
            }
            "ExtendedProperty" => {
                let property = ExtendedProperty::read_xml(reader, child)?;
                self.extended_properties.push(property);
            }
            "Culture" => self.culture = Some(reader.read_text()?),
            "LastModifiedName" => self.last_modified_name = Some(reader.read_text()?),
            "LastModifiedTime" => self.last_modified_time = Some(reader.read_timestamp()?),
            "UID" => self.uid = Some(reader.read_text()?),
            "RecurrenceId" => self.recurrence_id = Some(reader.read_timestamp()?),
            "DateTimeStamp" => self.date_time_stamp = Some(reader.read_timestamp()?),
            "Start" => self.start = Some(reader.read_timestamp()?),
            "End" => self.end = Some(reader.read_timestamp()?),
            "OriginalStart" => self.original_start = Some(reader.read_timestamp()?),
            "IsAllDayEvent" => self.is_all_day_event = Some(reader.read_bool()?),
            "LegacyFreeBusyStatus" => self.legacy_free_busy_status = Some(reader.read_enum()?),
            "Location" => self.location = Some(reader.read_text()?),
            "IsMeeting" => self.is_meeting = Some(reader.read_bool()?),
            "IsCancelled" => self.is_cancelled = Some(reader.read_bool()?),
            "IsRecurring" => self.is_recurring = Some(reader.read_bool()?),
            "MeetingRequestWasSent" => self.meeting_request_was_sent = Some(reader.read_bool()?),
            "IsResponseRequested" => self.is_response_requested = Some(reader.read_bool()?),
            "CalendarItemType" => self.calendar_item_type = Some(reader.read_enum()?),
            "MyResponseType" => self.my_response_type = Some(reader.read_enum()?),
            "Organizer" => self.organizer = Some(SingleRecipient::read_xml(reader, child)?),
            "RequiredAttendees" => self.required_attendees = read_attendees(reader)?,
            "OptionalAttendees" => self.optional_attendees = read_attendees(reader)?,
            "Resources" => self.resources = read_attendees(reader)?,
            "Duration" => self.duration = Some(reader.read_text()?),
            "TimeZone" => self.time_zone = Some(reader.read_text()?),
            "AppointmentReplyTime" => self.appointment_reply_time = Some(reader.read_timestamp()?),
            "AppointmentSequenceNumber" => {
                self.appointment_sequence_number = Some(reader.read_int()?);
            }
            "AppointmentState" => self.appointment_state = Some(reader.read_int()?),
            "Recurrence" => self.recurrence = Some(Recurrence::read_xml(reader, child)?),
            "ModifiedOccurrences" => self.modified_occurrences = read_occurrences(reader)?,
            "DeletedOccurrences" => self.deleted_occurrences = read_deleted_occurrences(reader)?,
            "StartTimeZone" => {
                self.start_time_zone = Some(TimeZoneDefinition::read_xml(reader, child)?);
            }
            "EndTimeZone" => {
                self.end_time_zone = Some(TimeZoneDefinition::read_xml(reader, child)?)
            }
            "AllowNewTimeProposal" => self.allow_new_time_proposal = Some(reader.read_bool()?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Writes the fields that come from `t:ItemType`, in schema order.
    fn write_item_fields(&self, writer: &mut XmlWriter) {
        if let Some(id) = &self.item_id {
            id.write_xml(writer, "t:ItemId");
        }
        if let Some(id) = &self.parent_folder_id {
            id.write_xml(writer, "t:ParentFolderId");
        }
        writer.opt_element("t:ItemClass", self.item_class.as_deref());
        writer.opt_element("t:Subject", self.subject.as_deref());
        writer.opt_element("t:Sensitivity", self.sensitivity);
        if let Some(body) = &self.body {
            body.write_xml(writer, "t:Body");
        }
        writer.opt_timestamp("t:DateTimeReceived", self.date_time_received.as_ref());
        if !self.categories.is_empty() {
            writer.start("t:Categories", &[]);
            for category in &self.categories {
                writer.text_element("t:String", category);
            }
            writer.end("t:Categories");
        }
        writer.opt_element("t:Importance", self.importance);
        writer.opt_timestamp("t:DateTimeCreated", self.date_time_created.as_ref());
        writer.opt_bool("t:ReminderIsSet", self.reminder_is_set);
        writer.opt_element(
            "t:ReminderMinutesBeforeStart",
            self.reminder_minutes_before_start,
        );
        for property in &self.extended_properties {
            property.write_xml(writer, "t:ExtendedProperty");
        }
        writer.opt_element("t:Culture", self.culture.as_deref());
        writer.opt_element("t:LastModifiedName", self.last_modified_name.as_deref());
        writer.opt_timestamp("t:LastModifiedTime", self.last_modified_time.as_ref());
    }

    /// Writes the fields that `t:CalendarItemType` adds, in schema order.
    fn write_calendar_fields(&self, writer: &mut XmlWriter) {
        writer.opt_element("t:UID", self.uid.as_deref());
        writer.opt_timestamp("t:RecurrenceId", self.recurrence_id.as_ref());
        writer.opt_timestamp("t:DateTimeStamp", self.date_time_stamp.as_ref());
        writer.opt_timestamp("t:Start", self.start.as_ref());
        writer.opt_timestamp("t:End", self.end.as_ref());
        writer.opt_timestamp("t:OriginalStart", self.original_start.as_ref());
        writer.opt_bool("t:IsAllDayEvent", self.is_all_day_event);
        writer.opt_element("t:LegacyFreeBusyStatus", self.legacy_free_busy_status);
        writer.opt_element("t:Location", self.location.as_deref());
        writer.opt_bool("t:IsMeeting", self.is_meeting);
        writer.opt_bool("t:IsCancelled", self.is_cancelled);
        writer.opt_bool("t:IsRecurring", self.is_recurring);
        writer.opt_bool("t:MeetingRequestWasSent", self.meeting_request_was_sent);
        writer.opt_bool("t:IsResponseRequested", self.is_response_requested);
        writer.opt_element("t:CalendarItemType", self.calendar_item_type);
        writer.opt_element("t:MyResponseType", self.my_response_type);
        self.write_meeting_fields(writer);
        self.write_series_fields(writer);
        if let Some(zone) = &self.start_time_zone {
            zone.write_xml(writer, "t:StartTimeZone");
        }
        if let Some(zone) = &self.end_time_zone {
            zone.write_xml(writer, "t:EndTimeZone");
        }
        writer.opt_bool("t:AllowNewTimeProposal", self.allow_new_time_proposal);
    }

    /// Writes the organizer, attendees, duration and reply fields, in schema
    /// order.
    fn write_meeting_fields(&self, writer: &mut XmlWriter) {
        if let Some(organizer) = &self.organizer {
            organizer.write_xml(writer, "t:Organizer");
        }
        write_attendees(writer, "t:RequiredAttendees", &self.required_attendees);
        write_attendees(writer, "t:OptionalAttendees", &self.optional_attendees);
        write_attendees(writer, "t:Resources", &self.resources);
        writer.opt_element("t:Duration", self.duration.as_deref());
        writer.opt_element("t:TimeZone", self.time_zone.as_deref());
        writer.opt_timestamp(
            "t:AppointmentReplyTime",
            self.appointment_reply_time.as_ref(),
        );
        writer.opt_element(
            "t:AppointmentSequenceNumber",
            self.appointment_sequence_number,
        );
        writer.opt_element("t:AppointmentState", self.appointment_state);
    }

    /// Writes the recurrence and its modified and deleted occurrences.
    fn write_series_fields(&self, writer: &mut XmlWriter) {
        if let Some(recurrence) = &self.recurrence {
            recurrence.write_xml(writer, "t:Recurrence");
        }
        if !self.modified_occurrences.is_empty() {
            writer.start("t:ModifiedOccurrences", &[]);
            for occurrence in &self.modified_occurrences {
                writer.start("t:Occurrence", &[]);
                occurrence.item_id.write_xml(writer, "t:ItemId");
                writer.opt_timestamp("t:Start", Some(&occurrence.start));
                writer.opt_timestamp("t:End", Some(&occurrence.end));
                writer.opt_timestamp("t:OriginalStart", Some(&occurrence.original_start));
                writer.end("t:Occurrence");
            }
            writer.end("t:ModifiedOccurrences");
        }
        if !self.deleted_occurrences.is_empty() {
            writer.start("t:DeletedOccurrences", &[]);
            for start in &self.deleted_occurrences {
                writer.start("t:DeletedOccurrence", &[]);
                writer.opt_timestamp("t:Start", Some(start));
                writer.end("t:DeletedOccurrence");
            }
            writer.end("t:DeletedOccurrences");
        }
    }
}

impl WriteXml for CalendarItem {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        self.write_item_fields(writer);
        self.write_calendar_fields(writer);
        writer.end(name);
    }
}
