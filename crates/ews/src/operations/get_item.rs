//! GetItem: read items by id, in batches.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation-calendar-item>

use crate::operation::{Operation, messages_response};
use crate::types::BaseItemId;
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter};

use super::items::ItemsContent;
use super::shape::{Shape, expect_element, read_item_ids, write_item_ids};

/// `m:GetItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetItem {
    /// Properties to return.
    pub item_shape: Shape,
    /// Items to read; each gets its own response message.
    pub item_ids: Vec<BaseItemId>,
}

impl GetItem {
    /// Reads items by id with the calendar properties a sync client needs
    /// ([`crate::types::paths::CALENDAR_SYNC_PROPERTIES`]) and text bodies.
    pub fn calendar_items(item_ids: Vec<BaseItemId>) -> GetItem {
        let mut item_shape = Shape::id_only_with(crate::types::paths::CALENDAR_SYNC_PROPERTIES);
        item_shape.body_type = Some(super::shape::BodyTypeResponse::Text);
        GetItem {
            item_shape,
            item_ids,
        }
    }
}

impl Operation for GetItem {
    const NAME: &'static str = "GetItem";
    const IDEMPOTENT: bool = true;
    type Response = GetItemResponse;

    fn expected_messages(&self) -> Option<usize> {
        Some(self.item_ids.len())
    }

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:GetItem", &[]);
        self.item_shape.write(writer, "m:ItemShape");
        write_item_ids(writer, "m:ItemIds", &self.item_ids);
        writer.end("m:GetItem");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let mut item_shape = None;
        let mut item_ids = Vec::new();
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Messages, "ItemShape") => item_shape = Some(Shape::read(reader)?),
                (Ns::Messages, "ItemIds") => item_ids = read_item_ids(reader)?,
                _ => reader.skip()?,
            }
        }
        let item_shape = item_shape.ok_or_else(|| reader.error("`GetItem` has no `ItemShape`"))?;
        Ok(GetItem {
            item_shape,
            item_ids,
        })
    }
}

messages_response! {
    /// `m:GetItemResponse`.
    GetItemResponse, "GetItemResponseMessage", ItemsContent
}
