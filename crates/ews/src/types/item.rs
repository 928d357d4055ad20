//! Items other than calendar items, as far as a calendar client reads them:
//! messages and the meeting requests, responses and cancellations that
//! arrive in an inbox.

use jiff::Timestamp;

use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

use super::calendar_item::{Body, CalendarItem, CalendarItemType};
use super::ids::{FolderId, ItemId};
use super::mailbox::{
    EmailAddress, ResponseType, SingleRecipient, read_mailboxes, write_mailboxes,
};

/// Element name a [`MessageItem`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// `t:Message`.
    Message,
    /// `t:MeetingMessage`.
    MeetingMessage,
    /// `t:MeetingRequest`.
    MeetingRequest,
    /// `t:MeetingResponse`: an attendee's accept, tentative or decline.
    MeetingResponse,
    /// `t:MeetingCancellation`.
    MeetingCancellation,
}

impl MessageKind {
    /// Returns the element's local name.
    pub fn element_name(self) -> &'static str {
        match self {
            MessageKind::Message => "Message",
            MessageKind::MeetingMessage => "MeetingMessage",
            MessageKind::MeetingRequest => "MeetingRequest",
            MessageKind::MeetingResponse => "MeetingResponse",
            MessageKind::MeetingCancellation => "MeetingCancellation",
        }
    }

    fn from_element_name(name: &str) -> Option<MessageKind> {
        let kind = match name {
            "Message" => MessageKind::Message,
            "MeetingMessage" => MessageKind::MeetingMessage,
            "MeetingRequest" => MessageKind::MeetingRequest,
            "MeetingResponse" => MessageKind::MeetingResponse,
            "MeetingCancellation" => MessageKind::MeetingCancellation,
            _ => return None,
        };
        Some(kind)
    }

    fn is_meeting(self) -> bool {
        self != MessageKind::Message
    }
}

string_enum! {
    /// `t:MeetingRequestTypeType`: the kind of change a meeting request makes.
    pub enum MeetingRequestType {
        /// Not set.
        None = "None",
        /// The meeting changed in a way that needs a new response.
        FullUpdate = "FullUpdate",
        /// The meeting changed in a way that needs no new response.
        InformationalUpdate = "InformationalUpdate",
        /// A new meeting.
        NewMeetingRequest = "NewMeetingRequest",
        /// Replaced by a later request.
        Outdated = "Outdated",
        /// A silent update.
        SilentUpdate = "SilentUpdate",
        /// A copy for the principal of a delegate.
        PrincipalWantsCopy = "PrincipalWantsCopy",
    }
}

/// A message or meeting message in an inbox.
///
/// Only the fields a calendar client needs to find and process meeting
/// requests, responses and cancellations are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageItem {
    /// Element name this item was read from.
    pub kind: MessageKind,
    /// Id and change key.
    pub item_id: Option<ItemId>,
    /// Folder that contains the message.
    pub parent_folder_id: Option<FolderId>,
    /// Message class, such as `IPM.Schedule.Meeting.Request`.
    pub item_class: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Body.
    pub body: Option<Body>,
    /// When the message arrived.
    pub date_time_received: Option<Timestamp>,
    /// When the message was sent.
    pub date_time_sent: Option<Timestamp>,
    /// Sender.
    pub sender: Option<SingleRecipient>,
    /// To recipients.
    pub to_recipients: Vec<EmailAddress>,
    /// Whether the message was read.
    pub is_read: Option<bool>,
    /// From.
    pub from: Option<SingleRecipient>,
    /// The calendar item this meeting message belongs to.
    pub associated_calendar_item_id: Option<ItemId>,
    /// Whether the message was handled by a delegate.
    pub is_delegated: Option<bool>,
    /// Whether a later message replaced this one.
    pub is_out_of_date: Option<bool>,
    /// Whether the calendar item was already updated from this message.
    pub has_been_processed: Option<bool>,
    /// The response carried by a meeting response.
    pub response_type: Option<ResponseType>,
    /// iCalendar UID of the meeting.
    pub uid: Option<String>,
    /// Original start of the occurrence this message is about.
    pub recurrence_id: Option<Timestamp>,
    /// Kind of change a meeting request makes.
    pub meeting_request_type: Option<MeetingRequestType>,
    /// Start of the meeting.
    pub start: Option<Timestamp>,
    /// End of the meeting.
    pub end: Option<Timestamp>,
    /// Location of the meeting.
    pub location: Option<String>,
    /// Part of a series the meeting is.
    pub calendar_item_type: Option<CalendarItemType>,
    /// Organizer of the meeting (meeting requests only).
    pub organizer: Option<SingleRecipient>,
}

impl MessageItem {
    /// Creates an empty message item of a kind.
    pub fn new(kind: MessageKind) -> MessageItem {
        MessageItem {
            kind,
            item_id: None,
            parent_folder_id: None,
            item_class: None,
            subject: None,
            body: None,
            date_time_received: None,
            date_time_sent: None,
            sender: None,
            to_recipients: Vec::new(),
            is_read: None,
            from: None,
            associated_calendar_item_id: None,
            is_delegated: None,
            is_out_of_date: None,
            has_been_processed: None,
            response_type: None,
            uid: None,
            recurrence_id: None,
            meeting_request_type: None,
            start: None,
            end: None,
            location: None,
            calendar_item_type: None,
            organizer: None,
        }
    }

    fn read(reader: &mut XmlReader<'_>, kind: MessageKind) -> Result<MessageItem, ParseError> {
        let mut item = MessageItem::new(kind);
        while let Some(child) = reader.next_child()? {
            if child.ns != Ns::Types || !item.read_field(reader, &child)? {
                reader.skip()?;
            }
        }
        Ok(item)
    }

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
            "Body" => self.body = Some(Body::read_xml(reader, child)?),
            "DateTimeReceived" => self.date_time_received = Some(reader.read_timestamp()?),
            "DateTimeSent" => self.date_time_sent = Some(reader.read_timestamp()?),
            "Sender" => self.sender = Some(SingleRecipient::read_xml(reader, child)?),
            "ToRecipients" => self.to_recipients = read_mailboxes(reader)?,
            "IsRead" => self.is_read = Some(reader.read_bool()?),
            "From" => self.from = Some(SingleRecipient::read_xml(reader, child)?),
            "AssociatedCalendarItemId" => {
                self.associated_calendar_item_id = Some(ItemId::read_xml(reader, child)?);
            }
            "IsDelegated" => self.is_delegated = Some(reader.read_bool()?),
            "IsOutOfDate" => self.is_out_of_date = Some(reader.read_bool()?),
            "HasBeenProcessed" => self.has_been_processed = Some(reader.read_bool()?),
            "ResponseType" => self.response_type = Some(reader.read_enum()?),
            "UID" => self.uid = Some(reader.read_text()?),
            "RecurrenceId" => self.recurrence_id = Some(reader.read_timestamp()?),
            "MeetingRequestType" => self.meeting_request_type = Some(reader.read_enum()?),
            "Start" => self.start = Some(reader.read_timestamp()?),
            "End" => self.end = Some(reader.read_timestamp()?),
            "Location" => self.location = Some(reader.read_text()?),
            "CalendarItemType" => self.calendar_item_type = Some(reader.read_enum()?),
            "Organizer" => self.organizer = Some(SingleRecipient::read_xml(reader, child)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Writes the item with its own element name, fields in schema order.
    pub fn write(&self, writer: &mut XmlWriter) {
        let name = format!("t:{}", self.kind.element_name());
        writer.start(&name, &[]);
        if let Some(id) = &self.item_id {
            id.write_xml(writer, "t:ItemId");
        }
        if let Some(id) = &self.parent_folder_id {
            id.write_xml(writer, "t:ParentFolderId");
        }
        writer.opt_element("t:ItemClass", self.item_class.as_deref());
        writer.opt_element("t:Subject", self.subject.as_deref());
        if let Some(body) = &self.body {
            body.write_xml(writer, "t:Body");
        }
        writer.opt_timestamp("t:DateTimeReceived", self.date_time_received.as_ref());
        writer.opt_timestamp("t:DateTimeSent", self.date_time_sent.as_ref());
        if let Some(sender) = &self.sender {
            sender.write_xml(writer, "t:Sender");
        }
        if !self.to_recipients.is_empty() {
            write_mailboxes(writer, "t:ToRecipients", &self.to_recipients);
        }
        if let Some(from) = &self.from {
            from.write_xml(writer, "t:From");
        }
        writer.opt_bool("t:IsRead", self.is_read);
        if self.kind.is_meeting() {
            self.write_meeting_fields(writer);
        }
        writer.end(&name);
    }

    fn write_meeting_fields(&self, writer: &mut XmlWriter) {
        if let Some(id) = &self.associated_calendar_item_id {
            id.write_xml(writer, "t:AssociatedCalendarItemId");
        }
        writer.opt_bool("t:IsDelegated", self.is_delegated);
        writer.opt_bool("t:IsOutOfDate", self.is_out_of_date);
        writer.opt_bool("t:HasBeenProcessed", self.has_been_processed);
        writer.opt_element("t:ResponseType", self.response_type);
        writer.opt_element("t:UID", self.uid.as_deref());
        writer.opt_timestamp("t:RecurrenceId", self.recurrence_id.as_ref());
        match self.kind {
            MessageKind::MeetingRequest => {
                writer.opt_element("t:MeetingRequestType", self.meeting_request_type);
                writer.opt_timestamp("t:Start", self.start.as_ref());
                writer.opt_timestamp("t:End", self.end.as_ref());
                writer.opt_element("t:Location", self.location.as_deref());
                writer.opt_element("t:CalendarItemType", self.calendar_item_type);
                if let Some(organizer) = &self.organizer {
                    organizer.write_xml(writer, "t:Organizer");
                }
            }
            MessageKind::MeetingResponse | MessageKind::MeetingCancellation => {
                writer.opt_timestamp("t:Start", self.start.as_ref());
                writer.opt_timestamp("t:End", self.end.as_ref());
                writer.opt_element("t:Location", self.location.as_deref());
                writer.opt_element("t:CalendarItemType", self.calendar_item_type);
            }
            MessageKind::Message | MessageKind::MeetingMessage => {}
        }
    }
}

/// Any item in a response: a calendar item, a message, or another kind
/// that is kept only by its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `t:CalendarItem`.
    CalendarItem(Box<CalendarItem>),
    /// `t:Message` or one of the meeting message elements.
    Message(Box<MessageItem>),
    /// Any other item element (contact, task, post...), by local name and id.
    Other {
        /// Local name of the element.
        element: String,
        /// The item's id, when present.
        item_id: Option<ItemId>,
    },
}

impl Item {
    /// Returns the item's id, when present.
    pub fn item_id(&self) -> Option<&ItemId> {
        match self {
            Item::CalendarItem(item) => item.item_id.as_ref(),
            Item::Message(item) => item.item_id.as_ref(),
            Item::Other { item_id, .. } => item_id.as_ref(),
        }
    }

    /// Returns the calendar item, if this is one.
    pub fn as_calendar_item(&self) -> Option<&CalendarItem> {
        match self {
            Item::CalendarItem(item) => Some(item),
            _ => None,
        }
    }

    /// Returns the message, if this is one.
    pub fn as_message(&self) -> Option<&MessageItem> {
        match self {
            Item::Message(item) => Some(item),
            _ => None,
        }
    }

    /// Reads an item element of any kind in the types namespace; returns
    /// `None` for an element outside it.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the item is malformed.
    pub fn read_if(
        reader: &mut XmlReader<'_>,
        start: &Element,
    ) -> Result<Option<Item>, ParseError> {
        if start.ns != Ns::Types {
            return Ok(None);
        }
        reader.count_item()?;
        if start.name == "CalendarItem" {
            return Ok(Some(Item::CalendarItem(Box::new(CalendarItem::read_xml(
                reader, start,
            )?))));
        }
        if let Some(kind) = MessageKind::from_element_name(&start.name) {
            return Ok(Some(Item::Message(Box::new(MessageItem::read(
                reader, kind,
            )?))));
        }
        let mut item_id = None;
        while let Some(child) = reader.next_child()? {
            if child.is(Ns::Types, "ItemId") {
                item_id = Some(ItemId::read_xml(reader, &child)?);
            } else {
                reader.skip()?;
            }
        }
        Ok(Some(Item::Other {
            element: start.name.clone(),
            item_id,
        }))
    }

    /// Writes the item with its own element name.
    pub fn write(&self, writer: &mut XmlWriter) {
        match self {
            Item::CalendarItem(item) => item.write_xml(writer, "t:CalendarItem"),
            Item::Message(item) => item.write(writer),
            Item::Other { element, item_id } => {
                let name = format!("t:{element}");
                writer.start(&name, &[]);
                if let Some(id) = item_id {
                    id.write_xml(writer, "t:ItemId");
                }
                writer.end(&name);
            }
        }
    }
}

/// Reads an array of items (such as `m:Items` or `t:Items`), calling
/// `visit` for each item as soon as it is read.
///
/// # Errors
///
/// Returns a [`ParseError`] when an item is malformed.
pub fn read_items_each(
    reader: &mut XmlReader<'_>,
    mut visit: impl FnMut(Item),
) -> Result<(), ParseError> {
    while let Some(child) = reader.next_child()? {
        match Item::read_if(reader, &child)? {
            Some(item) => visit(item),
            None => reader.skip()?,
        }
    }
    Ok(())
}

/// Reads an array of items into a vector.
///
/// # Errors
///
/// Returns a [`ParseError`] when an item is malformed.
pub fn read_items(reader: &mut XmlReader<'_>) -> Result<Vec<Item>, ParseError> {
    let mut items = Vec::new();
    read_items_each(reader, |item| items.push(item))?;
    Ok(items)
}

/// Writes an array of items inside `name`.
pub fn write_items(writer: &mut XmlWriter, name: &str, items: &[Item]) {
    writer.start(name, &[]);
    for item in items {
        item.write(writer);
    }
    writer.end(name);
}
