//! Property paths (`t:Path` substitution group): how requests name the
//! properties to return, compare, set or delete.

use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter};

use super::extended_property::ExtendedFieldUri;

/// `item:Subject`.
pub const ITEM_SUBJECT: &str = "item:Subject";
/// `item:Body`.
pub const ITEM_BODY: &str = "item:Body";
/// `item:ItemClass`.
pub const ITEM_ITEM_CLASS: &str = "item:ItemClass";
/// `item:LastModifiedTime`.
pub const ITEM_LAST_MODIFIED_TIME: &str = "item:LastModifiedTime";
/// `item:ParentFolderId`.
pub const ITEM_PARENT_FOLDER_ID: &str = "item:ParentFolderId";
/// `item:DateTimeCreated`.
pub const ITEM_DATE_TIME_CREATED: &str = "item:DateTimeCreated";
/// `item:Categories`.
pub const ITEM_CATEGORIES: &str = "item:Categories";
/// `calendar:UID`.
pub const CALENDAR_UID: &str = "calendar:UID";
/// `calendar:RecurrenceId`.
pub const CALENDAR_RECURRENCE_ID: &str = "calendar:RecurrenceId";
/// `calendar:Start`.
pub const CALENDAR_START: &str = "calendar:Start";
/// `calendar:End`.
pub const CALENDAR_END: &str = "calendar:End";
/// `calendar:IsAllDayEvent`.
pub const CALENDAR_IS_ALL_DAY_EVENT: &str = "calendar:IsAllDayEvent";
/// `calendar:Location`.
pub const CALENDAR_LOCATION: &str = "calendar:Location";
/// `calendar:LegacyFreeBusyStatus`.
pub const CALENDAR_LEGACY_FREE_BUSY_STATUS: &str = "calendar:LegacyFreeBusyStatus";
/// `calendar:IsCancelled`.
pub const CALENDAR_IS_CANCELLED: &str = "calendar:IsCancelled";
/// `calendar:IsMeeting`.
pub const CALENDAR_IS_MEETING: &str = "calendar:IsMeeting";
/// `calendar:CalendarItemType`.
pub const CALENDAR_CALENDAR_ITEM_TYPE: &str = "calendar:CalendarItemType";
/// `calendar:MyResponseType`.
pub const CALENDAR_MY_RESPONSE_TYPE: &str = "calendar:MyResponseType";
/// `calendar:Organizer`.
pub const CALENDAR_ORGANIZER: &str = "calendar:Organizer";
/// `calendar:RequiredAttendees`.
pub const CALENDAR_REQUIRED_ATTENDEES: &str = "calendar:RequiredAttendees";
/// `calendar:OptionalAttendees`.
pub const CALENDAR_OPTIONAL_ATTENDEES: &str = "calendar:OptionalAttendees";
/// `calendar:Resources`.
pub const CALENDAR_RESOURCES: &str = "calendar:Resources";
/// `calendar:AppointmentState`.
pub const CALENDAR_APPOINTMENT_STATE: &str = "calendar:AppointmentState";
/// `calendar:Recurrence`.
pub const CALENDAR_RECURRENCE: &str = "calendar:Recurrence";
/// `calendar:ModifiedOccurrences`.
pub const CALENDAR_MODIFIED_OCCURRENCES: &str = "calendar:ModifiedOccurrences";
/// `calendar:DeletedOccurrences`.
pub const CALENDAR_DELETED_OCCURRENCES: &str = "calendar:DeletedOccurrences";
/// `calendar:StartTimeZone`.
pub const CALENDAR_START_TIME_ZONE: &str = "calendar:StartTimeZone";
/// `calendar:EndTimeZone`.
pub const CALENDAR_END_TIME_ZONE: &str = "calendar:EndTimeZone";
/// `meeting:AssociatedCalendarItemId`.
pub const MEETING_ASSOCIATED_CALENDAR_ITEM_ID: &str = "meeting:AssociatedCalendarItemId";
/// `meeting:ResponseType`.
pub const MEETING_RESPONSE_TYPE: &str = "meeting:ResponseType";
/// `meeting:IsOutOfDate`.
pub const MEETING_IS_OUT_OF_DATE: &str = "meeting:IsOutOfDate";
/// `meeting:HasBeenProcessed`.
pub const MEETING_HAS_BEEN_PROCESSED: &str = "meeting:HasBeenProcessed";

/// The calendar properties a sync client reads with GetItem, in addition
/// to the `IdOnly` shape.
pub const CALENDAR_SYNC_PROPERTIES: &[&str] = &[
    ITEM_SUBJECT,
    ITEM_BODY,
    ITEM_LAST_MODIFIED_TIME,
    CALENDAR_UID,
    CALENDAR_RECURRENCE_ID,
    CALENDAR_START,
    CALENDAR_END,
    CALENDAR_IS_ALL_DAY_EVENT,
    CALENDAR_LOCATION,
    CALENDAR_IS_CANCELLED,
    CALENDAR_IS_MEETING,
    CALENDAR_CALENDAR_ITEM_TYPE,
    CALENDAR_MY_RESPONSE_TYPE,
    CALENDAR_ORGANIZER,
    CALENDAR_REQUIRED_ATTENDEES,
    CALENDAR_OPTIONAL_ATTENDEES,
    CALENDAR_RESOURCES,
    CALENDAR_APPOINTMENT_STATE,
    CALENDAR_RECURRENCE,
    CALENDAR_MODIFIED_OCCURRENCES,
    CALENDAR_DELETED_OCCURRENCES,
    CALENDAR_START_TIME_ZONE,
    CALENDAR_END_TIME_ZONE,
];

/// One member of the `t:Path` substitution group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PropertyPath {
    /// `t:FieldURI`, such as `calendar:Start`.
    FieldUri(String),
    /// `t:IndexedFieldURI`, such as an email address entry of a contact.
    IndexedFieldUri {
        /// The `FieldURI` attribute.
        field_uri: String,
        /// The `FieldIndex` attribute.
        field_index: String,
    },
    /// `t:ExtendedFieldURI`.
    ExtendedFieldUri(ExtendedFieldUri),
}

impl PropertyPath {
    /// Creates a `t:FieldURI` path.
    pub fn field(uri: &str) -> PropertyPath {
        PropertyPath::FieldUri(uri.to_owned())
    }

    /// Reads a path element, or returns `None` for an element of another name.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when a required attribute is missing.
    pub fn read_if(
        reader: &mut XmlReader<'_>,
        start: &Element,
    ) -> Result<Option<PropertyPath>, ParseError> {
        if start.ns != Ns::Types {
            return Ok(None);
        }
        let path = match start.name.as_str() {
            "FieldURI" => {
                let uri = start.required_attr(reader, "FieldURI")?.to_owned();
                reader.skip()?;
                PropertyPath::FieldUri(uri)
            }
            "IndexedFieldURI" => {
                let field_uri = start.required_attr(reader, "FieldURI")?.to_owned();
                let field_index = start.required_attr(reader, "FieldIndex")?.to_owned();
                reader.skip()?;
                PropertyPath::IndexedFieldUri {
                    field_uri,
                    field_index,
                }
            }
            "ExtendedFieldURI" => {
                PropertyPath::ExtendedFieldUri(ExtendedFieldUri::read_xml(reader, start)?)
            }
            _ => return Ok(None),
        };
        Ok(Some(path))
    }

    /// Writes the path with its own element name.
    pub fn write(&self, writer: &mut XmlWriter) {
        match self {
            PropertyPath::FieldUri(uri) => writer.empty("t:FieldURI", &[("FieldURI", uri)]),
            PropertyPath::IndexedFieldUri {
                field_uri,
                field_index,
            } => writer.empty(
                "t:IndexedFieldURI",
                &[("FieldURI", field_uri), ("FieldIndex", field_index)],
            ),
            PropertyPath::ExtendedFieldUri(uri) => uri.write_xml(writer, "t:ExtendedFieldURI"),
        }
    }
}

/// Reads a list of paths, such as `t:AdditionalProperties`.
pub(crate) fn read_paths(reader: &mut XmlReader<'_>) -> Result<Vec<PropertyPath>, ParseError> {
    let mut paths = Vec::new();
    while let Some(child) = reader.next_child()? {
        match PropertyPath::read_if(reader, &child)? {
            Some(path) => paths.push(path),
            None => reader.skip()?,
        }
    }
    Ok(paths)
}
