//! UpdateItem: change, append to or delete properties of items, sending
//! meeting updates or cancellations as requested.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation>

use crate::operation::{Operation, messages_response};
use crate::types::{
    BaseFolderId, BaseItemId, CalendarItem, Item, PropertyPath, ResponseContent, read_items,
    write_items,
};
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, string_enum};

use super::create_item::MessageDisposition;
use super::shape::expect_element;

string_enum! {
    /// `t:ConflictResolutionType`: what to do when the change key is stale.
    pub enum ConflictResolution {
        /// Fail with `ErrorIrresolvableConflict`.
        NeverOverwrite = "NeverOverwrite",
        /// Apply the change unless it conflicts with a newer change.
        AutoResolve = "AutoResolve",
        /// Apply the change regardless.
        AlwaysOverwrite = "AlwaysOverwrite",
    }
}

string_enum! {
    /// `t:CalendarItemUpdateOperationType`: whether meeting updates are sent.
    pub enum SendMeetingInvitationsOrCancellations {
        /// Send nothing.
        SendToNone = "SendToNone",
        /// Send to every attendee without saving a copy.
        SendOnlyToAll = "SendOnlyToAll",
        /// Send only to added or removed attendees.
        SendOnlyToChanged = "SendOnlyToChanged",
        /// Send to every attendee and save a copy.
        SendToAllAndSaveCopy = "SendToAllAndSaveCopy",
        /// Send to added or removed attendees and save a copy.
        SendToChangedAndSaveCopy = "SendToChangedAndSaveCopy",
    }
}

/// One change within an `t:ItemChange`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemUpdate {
    /// `t:SetItemField`: replace the property with its value in `item`.
    SetItemField {
        /// The property.
        path: PropertyPath,
        /// An item holding only the new value.
        item: Item,
    },
    /// `t:AppendToItemField`: append to a list property such as attendees.
    AppendToItemField {
        /// The property.
        path: PropertyPath,
        /// An item holding only the values to append.
        item: Item,
    },
    /// `t:DeleteItemField`: clear the property.
    DeleteItemField {
        /// The property.
        path: PropertyPath,
    },
}

impl ItemUpdate {
    /// Sets a calendar item property to the value it has in `item`.
    pub fn set_calendar(path: PropertyPath, item: CalendarItem) -> ItemUpdate {
        ItemUpdate::SetItemField {
            path,
            item: Item::CalendarItem(Box::new(item)),
        }
    }

    /// Appends the values `item` has for a calendar list property.
    pub fn append_calendar(path: PropertyPath, item: CalendarItem) -> ItemUpdate {
        ItemUpdate::AppendToItemField {
            path,
            item: Item::CalendarItem(Box::new(item)),
        }
    }

    /// Returns the property this update changes.
    pub fn path(&self) -> &PropertyPath {
        match self {
            ItemUpdate::SetItemField { path, .. }
            | ItemUpdate::AppendToItemField { path, .. }
            | ItemUpdate::DeleteItemField { path } => path,
        }
    }

    fn read(reader: &mut XmlReader<'_>, name: &str) -> Result<Option<ItemUpdate>, ParseError> {
        let mut path = None;
        let mut item = None;
        while let Some(child) = reader.next_child()? {
            if let Some(found) = PropertyPath::read_if(reader, &child)? {
                path = Some(found);
            } else if let Some(found) = Item::read_if(reader, &child)? {
                item = Some(found);
            } else {
                reader.skip()?;
            }
        }
        let path = path.ok_or_else(|| reader.error(format!("`{name}` has no property path")))?;
        let update = match name {
            "SetItemField" => ItemUpdate::SetItemField {
                path,
                item: item
                    .ok_or_else(|| reader.error("`SetItemField` has no item with the new value"))?,
            },
            "AppendToItemField" => ItemUpdate::AppendToItemField {
                path,
                item: item.ok_or_else(|| {
                    reader.error("`AppendToItemField` has no item with the values")
                })?,
            },
            _ => ItemUpdate::DeleteItemField { path },
        };
        Ok(Some(update))
    }

    fn write(&self, writer: &mut XmlWriter) {
        match self {
            ItemUpdate::SetItemField { path, item } => {
                writer.start("t:SetItemField", &[]);
                path.write(writer);
                item.write(writer);
                writer.end("t:SetItemField");
            }
            ItemUpdate::AppendToItemField { path, item } => {
                writer.start("t:AppendToItemField", &[]);
                path.write(writer);
                item.write(writer);
                writer.end("t:AppendToItemField");
            }
            ItemUpdate::DeleteItemField { path } => {
                writer.start("t:DeleteItemField", &[]);
                path.write(writer);
                writer.end("t:DeleteItemField");
            }
        }
    }
}

/// `t:ItemChange`: the updates to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    /// The item, with the change key the caller last saw.
    pub item_id: BaseItemId,
    /// The changes, applied in order.
    pub updates: Vec<ItemUpdate>,
}

impl ItemChange {
    fn read(reader: &mut XmlReader<'_>) -> Result<ItemChange, ParseError> {
        let mut item_id = None;
        let mut updates = Vec::new();
        while let Some(child) = reader.next_child()? {
            if let Some(id) = BaseItemId::read_if(reader, &child)? {
                item_id = Some(id);
                continue;
            }
            if child.is(Ns::Types, "Updates") {
                while let Some(update) = reader.next_child()? {
                    let name = update.name.clone();
                    let known = matches!(
                        name.as_str(),
                        "SetItemField" | "AppendToItemField" | "DeleteItemField"
                    );
                    if update.ns == Ns::Types && known {
                        updates.extend(ItemUpdate::read(reader, &name)?);
                    } else {
                        reader.skip()?;
                    }
                }
                continue;
            }
            reader.skip()?;
        }
        let item_id = item_id.ok_or_else(|| reader.error("`ItemChange` has no item id"))?;
        Ok(ItemChange { item_id, updates })
    }

    fn write(&self, writer: &mut XmlWriter) {
        writer.start("t:ItemChange", &[]);
        self.item_id.write(writer);
        writer.start("t:Updates", &[]);
        for update in &self.updates {
            update.write(writer);
        }
        writer.end("t:Updates");
        writer.end("t:ItemChange");
    }
}

/// `m:UpdateItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateItem {
    /// Handling of a stale change key.
    pub conflict_resolution: ConflictResolution,
    /// Required when updating messages.
    pub message_disposition: Option<MessageDisposition>,
    /// Required when updating calendar items.
    pub send_meeting_invitations_or_cancellations: Option<SendMeetingInvitationsOrCancellations>,
    /// Whether read receipts are suppressed.
    pub suppress_read_receipts: Option<bool>,
    /// Folder for saved copies.
    pub saved_item_folder_id: Option<BaseFolderId>,
    /// Changes, one response message each.
    pub item_changes: Vec<ItemChange>,
}

impl Operation for UpdateItem {
    const NAME: &'static str = "UpdateItem";
    // An update resent after a lost response may apply its changes and send
    // meeting updates twice, so it is never retried automatically.
    const IDEMPOTENT: bool = false;
    type Response = UpdateItemResponse;

    fn expected_messages(&self) -> Option<usize> {
        Some(self.item_changes.len())
    }

    fn write_body(&self, writer: &mut XmlWriter) {
        let suppress = self
            .suppress_read_receipts
            .map(|value| if value { "true" } else { "false" });
        writer.start_opt(
            "m:UpdateItem",
            &[
                (
                    "ConflictResolution",
                    Some(self.conflict_resolution.as_str()),
                ),
                (
                    "MessageDisposition",
                    self.message_disposition.map(|value| value.as_str()),
                ),
                (
                    "SendMeetingInvitationsOrCancellations",
                    self.send_meeting_invitations_or_cancellations
                        .map(|value| value.as_str()),
                ),
                ("SuppressReadReceipts", suppress),
            ],
        );
        if let Some(folder) = &self.saved_item_folder_id {
            writer.start("m:SavedItemFolderId", &[]);
            folder.write(writer);
            writer.end("m:SavedItemFolderId");
        }
        writer.start("m:ItemChanges", &[]);
        for change in &self.item_changes {
            change.write(writer);
        }
        writer.end("m:ItemChanges");
        writer.end("m:UpdateItem");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let mut request = UpdateItem {
            conflict_resolution: reader
                .parse_value(start.required_attr(reader, "ConflictResolution")?)?,
            message_disposition: start.enum_attr(reader, "MessageDisposition")?,
            send_meeting_invitations_or_cancellations: start
                .enum_attr(reader, "SendMeetingInvitationsOrCancellations")?,
            suppress_read_receipts: start
                .attr("SuppressReadReceipts")
                .and_then(crate::xml::parse_bool),
            saved_item_folder_id: None,
            item_changes: Vec::new(),
        };
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Messages, "SavedItemFolderId") => {
                    request.saved_item_folder_id = Some(BaseFolderId::read_container(reader)?);
                }
                (Ns::Messages, "ItemChanges") => {
                    while let Some(change) = reader.next_child()? {
                        if change.is(Ns::Types, "ItemChange") {
                            request.item_changes.push(ItemChange::read(reader)?);
                        } else {
                            reader.skip()?;
                        }
                    }
                }
                _ => reader.skip()?,
            }
        }
        Ok(request)
    }
}

/// Content of a `m:UpdateItemResponseMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateItemContent {
    /// The updated item with its new change key.
    pub items: Vec<Item>,
    /// Number of conflicts that `AutoResolve` settled.
    pub conflict_results: Option<u32>,
}

impl ResponseContent for UpdateItemContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        match (child.ns, child.name.as_str()) {
            (Ns::Messages, "Items") => self.items = read_items(reader)?,
            (Ns::Messages, "ConflictResults") => {
                while let Some(count) = reader.next_child()? {
                    if count.is(Ns::Types, "Count") {
                        self.conflict_results = Some(reader.read_int()?);
                    } else {
                        reader.skip()?;
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        write_items(writer, "m:Items", &self.items);
        if let Some(count) = self.conflict_results {
            writer.start("m:ConflictResults", &[]);
            writer.text_element("t:Count", &count.to_string());
            writer.end("m:ConflictResults");
        }
    }
}

messages_response! {
    /// `m:UpdateItemResponse`.
    UpdateItemResponse, "UpdateItemResponseMessage", UpdateItemContent
}
