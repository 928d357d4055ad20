//! CreateItem: create calendar items (sending invitations), and respond to
//! or cancel meetings through response objects, which EWS also creates
//! with CreateItem.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation-calendar-item>

use jiff::Timestamp;

use crate::operation::{Operation, messages_response};
use crate::types::{BaseFolderId, Body, CalendarItem, ItemId, Sensitivity};
use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

use super::items::ItemsContent;
use super::shape::expect_element;

string_enum! {
    /// `t:MessageDispositionType`: whether messages are sent, saved or both.
    pub enum MessageDisposition {
        /// Save only.
        SaveOnly = "SaveOnly",
        /// Send without saving a copy.
        SendOnly = "SendOnly",
        /// Send and save a copy in Sent Items.
        SendAndSaveCopy = "SendAndSaveCopy",
    }
}

string_enum! {
    /// `t:CalendarItemCreateOrDeleteOperationType`: whether meeting
    /// invitations or cancellations are sent.
    pub enum SendMeetingInvitations {
        /// Send nothing; the item is an appointment for the organizer only.
        SendToNone = "SendToNone",
        /// Send without saving a copy.
        SendOnlyToAll = "SendOnlyToAll",
        /// Send and save a copy in Sent Items.
        SendToAllAndSaveCopy = "SendToAllAndSaveCopy",
    }
}

string_enum! {
    /// Kind of a [`ResponseObject`].
    pub enum ResponseObjectKind {
        /// `t:AcceptItem`.
        AcceptItem = "AcceptItem",
        /// `t:TentativelyAcceptItem`.
        TentativelyAcceptItem = "TentativelyAcceptItem",
        /// `t:DeclineItem`.
        DeclineItem = "DeclineItem",
        /// `t:CancelCalendarItem`: the organizer cancels the meeting.
        CancelCalendarItem = "CancelCalendarItem",
    }
}

/// A response object: accept, tentatively accept or decline a meeting
/// request or calendar item, or cancel a meeting as its organizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseObject {
    /// Kind of response.
    pub kind: ResponseObjectKind,
    /// The meeting request or calendar item responded to.
    pub reference_item_id: ItemId,
    /// Text sent with the response (`NewBodyContent` for a cancellation).
    pub body: Option<Body>,
    /// Sensitivity of the response message.
    pub sensitivity: Option<Sensitivity>,
    /// Start of a proposed new time (not for cancellations).
    pub proposed_start: Option<Timestamp>,
    /// End of a proposed new time (not for cancellations).
    pub proposed_end: Option<Timestamp>,
}

impl ResponseObject {
    /// Creates a response object of a kind for an item.
    pub fn new(kind: ResponseObjectKind, reference_item_id: ItemId) -> ResponseObject {
        ResponseObject {
            kind,
            reference_item_id,
            body: None,
            sensitivity: None,
            proposed_start: None,
            proposed_end: None,
        }
    }

    fn read(
        reader: &mut XmlReader<'_>,
        kind: ResponseObjectKind,
    ) -> Result<ResponseObject, ParseError> {
        let mut reference_item_id = None;
        let mut object = ResponseObject::new(kind, ItemId::new(String::new()));
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Types, "ReferenceItemId") => {
                    reference_item_id = Some(ItemId::read_xml(reader, &child)?);
                }
                (Ns::Types, "Body" | "NewBodyContent") => {
                    object.body = Some(Body::read_xml(reader, &child)?);
                }
                (Ns::Types, "Sensitivity") => object.sensitivity = Some(reader.read_enum()?),
                (Ns::Types, "ProposedStart") => {
                    object.proposed_start = Some(reader.read_timestamp()?)
                }
                (Ns::Types, "ProposedEnd") => object.proposed_end = Some(reader.read_timestamp()?),
                _ => reader.skip()?,
            }
        }
        object.reference_item_id = reference_item_id
            .ok_or_else(|| reader.error(format!("`{}` has no `ReferenceItemId`", kind.as_str())))?;
        Ok(object)
    }

    fn write(&self, writer: &mut XmlWriter) {
        let name = format!("t:{}", self.kind.as_str());
        writer.start(&name, &[]);
        if self.kind == ResponseObjectKind::CancelCalendarItem {
            self.reference_item_id
                .write_xml(writer, "t:ReferenceItemId");
            if let Some(body) = &self.body {
                body.write_xml(writer, "t:NewBodyContent");
            }
        } else {
            writer.opt_element("t:Sensitivity", self.sensitivity);
            if let Some(body) = &self.body {
                body.write_xml(writer, "t:Body");
            }
            self.reference_item_id
                .write_xml(writer, "t:ReferenceItemId");
            writer.opt_timestamp("t:ProposedStart", self.proposed_start.as_ref());
            writer.opt_timestamp("t:ProposedEnd", self.proposed_end.as_ref());
        }
        writer.end(&name);
    }
}

/// One item to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewItem {
    /// A calendar item (appointment or meeting).
    CalendarItem(Box<CalendarItem>),
    /// A response object.
    ResponseObject(ResponseObject),
}

/// `m:CreateItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateItem {
    /// Required for response objects and messages.
    pub message_disposition: Option<MessageDisposition>,
    /// Required for calendar items.
    pub send_meeting_invitations: Option<SendMeetingInvitations>,
    /// Folder to save the items in, such as another mailbox's calendar.
    pub saved_item_folder_id: Option<BaseFolderId>,
    /// Items to create; each gets its own response message.
    pub items: Vec<NewItem>,
}

impl CreateItem {
    /// Creates calendar items in a folder, sending invitations as given.
    pub fn calendar_items(
        saved_item_folder_id: Option<BaseFolderId>,
        send_meeting_invitations: SendMeetingInvitations,
        items: Vec<CalendarItem>,
    ) -> CreateItem {
        CreateItem {
            message_disposition: None,
            send_meeting_invitations: Some(send_meeting_invitations),
            saved_item_folder_id,
            items: items
                .into_iter()
                .map(|item| NewItem::CalendarItem(Box::new(item)))
                .collect(),
        }
    }

    /// Creates response objects (accept, decline, cancel...) and sends them,
    /// saving a copy in Sent Items.
    pub fn responses(objects: Vec<ResponseObject>) -> CreateItem {
        CreateItem {
            message_disposition: Some(MessageDisposition::SendAndSaveCopy),
            send_meeting_invitations: None,
            saved_item_folder_id: None,
            items: objects.into_iter().map(NewItem::ResponseObject).collect(),
        }
    }
}

impl Operation for CreateItem {
    const NAME: &'static str = "CreateItem";
    const IDEMPOTENT: bool = false;
    type Response = CreateItemResponse;

    fn expected_messages(&self) -> Option<usize> {
        Some(self.items.len())
    }

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start_opt(
            "m:CreateItem",
            &[
                (
                    "MessageDisposition",
                    self.message_disposition.map(|value| value.as_str()),
                ),
                (
                    "SendMeetingInvitations",
                    self.send_meeting_invitations.map(|value| value.as_str()),
                ),
            ],
        );
        if let Some(folder) = &self.saved_item_folder_id {
            writer.start("m:SavedItemFolderId", &[]);
            folder.write(writer);
            writer.end("m:SavedItemFolderId");
        }
        writer.start("m:Items", &[]);
        for item in &self.items {
            match item {
                NewItem::CalendarItem(item) => item.write_xml(writer, "t:CalendarItem"),
                NewItem::ResponseObject(object) => object.write(writer),
            }
        }
        writer.end("m:Items");
        writer.end("m:CreateItem");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let mut request = CreateItem {
            message_disposition: start.enum_attr(reader, "MessageDisposition")?,
            send_meeting_invitations: start.enum_attr(reader, "SendMeetingInvitations")?,
            saved_item_folder_id: None,
            items: Vec::new(),
        };
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Messages, "SavedItemFolderId") => {
                    request.saved_item_folder_id = Some(BaseFolderId::read_container(reader)?);
                }
                (Ns::Messages, "Items") => request.items = read_new_items(reader)?,
                _ => reader.skip()?,
            }
        }
        Ok(request)
    }
}

fn read_new_items(reader: &mut XmlReader<'_>) -> Result<Vec<NewItem>, ParseError> {
    let mut items = Vec::new();
    while let Some(child) = reader.next_child()? {
        if child.ns != Ns::Types {
            reader.skip()?;
            continue;
        }
        reader.count_item()?;
        if child.name == "CalendarItem" {
            items.push(NewItem::CalendarItem(Box::new(CalendarItem::read_xml(
                reader, &child,
            )?)));
        } else if let Some(kind) = ResponseObjectKind::from_wire(&child.name) {
            items.push(NewItem::ResponseObject(ResponseObject::read(reader, kind)?));
        } else {
            // NOTE: messages, contacts and tasks are outside this crate's
            // scope; a request that creates one is rejected rather than
            // silently creating nothing.
            return Err(reader.error(format!("creating `{}` items is not supported", child.name)));
        }
    }
    Ok(items)
}

messages_response! {
    /// `m:CreateItemResponse`.
    CreateItemResponse, "CreateItemResponseMessage", ItemsContent
}
