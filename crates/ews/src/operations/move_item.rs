//! MoveItem: move items to another folder, such as processed meeting
//! messages to Deleted Items.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/moveitem-operation>

use crate::operation::{Operation, messages_response};
use crate::types::{BaseFolderId, BaseItemId};
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter};

use super::items::ItemsContent;
use super::shape::{expect_element, read_item_ids, write_item_ids};

/// `m:MoveItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveItem {
    /// The folder the items move to.
    pub to_folder_id: BaseFolderId,
    /// Items to move; each gets its own response message.
    pub item_ids: Vec<BaseItemId>,
    /// Whether the response carries the moved items' new ids
    /// (Exchange 2010 SP1 and later).
    pub return_new_item_ids: Option<bool>,
}

impl Operation for MoveItem {
    const NAME: &'static str = "MoveItem";
    // A move resent after a lost response may find the item already moved,
    // so the caller decides whether to resend.
    const IDEMPOTENT: bool = false;
    type Response = MoveItemResponse;

    fn expected_messages(&self) -> Option<usize> {
        Some(self.item_ids.len())
    }

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:MoveItem", &[]);
        writer.start("m:ToFolderId", &[]);
        self.to_folder_id.write(writer);
        writer.end("m:ToFolderId");
        write_item_ids(writer, "m:ItemIds", &self.item_ids);
        writer.opt_bool("m:ReturnNewItemIds", self.return_new_item_ids);
        writer.end("m:MoveItem");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let mut to_folder_id = None;
        let mut item_ids = Vec::new();
        let mut return_new_item_ids = None;
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Messages, "ToFolderId") => {
                    to_folder_id = Some(BaseFolderId::read_container(reader)?);
                }
                (Ns::Messages, "ItemIds") => item_ids = read_item_ids(reader)?,
                (Ns::Messages, "ReturnNewItemIds") => {
                    return_new_item_ids = Some(reader.read_bool()?);
                }
                _ => reader.skip()?,
            }
        }
        let to_folder_id =
            to_folder_id.ok_or_else(|| reader.error("`MoveItem` has no `ToFolderId`"))?;
        Ok(MoveItem {
            to_folder_id,
            item_ids,
            return_new_item_ids,
        })
    }
}

messages_response! {
    /// `m:MoveItemResponse`: per item, the moved item with its id.
    MoveItemResponse, "MoveItemResponseMessage", ItemsContent
}
