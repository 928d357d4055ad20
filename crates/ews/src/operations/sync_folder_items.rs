//! SyncFolderItems: the changes to a folder since a sync state, in pages.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems-operation>

use crate::operation::{Operation, messages_response};
use crate::types::{BaseFolderId, Item, ItemId, ResponseContent};
use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

use super::shape::{Shape, expect_element};

string_enum! {
    /// `t:SyncFolderItemsScopeType`.
    pub enum SyncFolderItemsScope {
        /// Normal items only.
        NormalItems = "NormalItems",
        /// Normal and associated items.
        NormalAndAssociatedItems = "NormalAndAssociatedItems",
    }
}

/// `m:SyncFolderItems`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncFolderItems {
    /// Properties to return for created and updated items.
    pub item_shape: Shape,
    /// Folder to synchronise.
    pub sync_folder_id: BaseFolderId,
    /// State from the previous page or run; `None` starts from scratch.
    pub sync_state: Option<String>,
    /// Items whose changes are not reported.
    pub ignore: Vec<ItemId>,
    /// Maximum number of changes in one page (1 to 512).
    pub max_changes_returned: u32,
    /// Item scope.
    pub sync_scope: Option<SyncFolderItemsScope>,
}

impl SyncFolderItems {
    /// Requests the next page of changes to a folder after `sync_state`
    /// (`None` for the first run), with ids only.
    pub fn next_page(
        sync_folder_id: BaseFolderId,
        sync_state: Option<String>,
        max_changes_returned: u32,
    ) -> SyncFolderItems {
        SyncFolderItems {
            item_shape: Shape::new(super::shape::BaseShape::IdOnly),
            sync_folder_id,
            sync_state,
            ignore: Vec::new(),
            max_changes_returned,
            sync_scope: None,
        }
    }
}

impl Operation for SyncFolderItems {
    const NAME: &'static str = "SyncFolderItems";
    const IDEMPOTENT: bool = true;
    type Response = SyncFolderItemsResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:SyncFolderItems", &[]);
        self.item_shape.write(writer, "m:ItemShape");
        writer.start("m:SyncFolderId", &[]);
        self.sync_folder_id.write(writer);
        writer.end("m:SyncFolderId");
        writer.opt_element("m:SyncState", self.sync_state.as_deref());
        if !self.ignore.is_empty() {
            writer.start("m:Ignore", &[]);
            for id in &self.ignore {
                id.write_xml(writer, "t:ItemId");
            }
            writer.end("m:Ignore");
        }
        writer.text_element(
            "m:MaxChangesReturned",
            &self.max_changes_returned.to_string(),
        );
        writer.opt_element("m:SyncScope", self.sync_scope);
        writer.end("m:SyncFolderItems");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let (mut item_shape, mut sync_folder_id, mut max_changes_returned) = (None, None, None);
        let (mut sync_state, mut ignore, mut sync_scope) = (None, Vec::new(), None);
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Messages, "ItemShape") => item_shape = Some(Shape::read(reader)?),
                (Ns::Messages, "SyncFolderId") => {
                    sync_folder_id = Some(BaseFolderId::read_container(reader)?)
                }
                (Ns::Messages, "SyncState") => {
                    let state = reader.read_text()?;
                    sync_state = (!state.trim().is_empty()).then(|| state.trim().to_owned());
                }
                (Ns::Messages, "Ignore") => {
                    while let Some(id) = reader.next_child()? {
                        if id.is(Ns::Types, "ItemId") {
                            ignore.push(ItemId::read_xml(reader, &id)?);
                        } else {
                            reader.skip()?;
                        }
                    }
                }
                (Ns::Messages, "MaxChangesReturned") => {
                    max_changes_returned = Some(reader.read_int()?)
                }
                (Ns::Messages, "SyncScope") => sync_scope = Some(reader.read_enum()?),
                _ => reader.skip()?,
            }
        }
        let missing = |what: &str| reader.error(format!("`SyncFolderItems` has no `{what}`"));
        Ok(SyncFolderItems {
            item_shape: item_shape.ok_or_else(|| missing("ItemShape"))?,
            sync_folder_id: sync_folder_id.ok_or_else(|| missing("SyncFolderId"))?,
            sync_state,
            ignore,
            max_changes_returned: max_changes_returned
                .ok_or_else(|| missing("MaxChangesReturned"))?,
            sync_scope,
        })
    }
}

/// One change reported by SyncFolderItems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncChange {
    /// `t:Create`: an item appeared.
    Create(Item),
    /// `t:Update`: an item changed.
    Update(Item),
    /// `t:Delete`: an item was deleted (or moved out of the folder).
    Delete(ItemId),
    /// `t:ReadFlagChange`: an item was marked read or unread.
    ReadFlagChange {
        /// The item.
        item_id: ItemId,
        /// Its new read flag.
        is_read: bool,
    },
}

/// Content of a `m:SyncFolderItemsResponseMessage`: one page of changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncFolderItemsContent {
    /// State to send with the next request.
    pub sync_state: Option<String>,
    /// True when no more changes are waiting.
    pub includes_last_item_in_range: Option<bool>,
    /// The changes, oldest first.
    pub changes: Vec<SyncChange>,
}

fn read_change(reader: &mut XmlReader<'_>, kind: &str) -> Result<Option<SyncChange>, ParseError> {
    let mut item = None;
    let mut item_id = None;
    let mut is_read = None;
    while let Some(child) = reader.next_child()? {
        if child.is(Ns::Types, "ItemId") {
            item_id = Some(ItemId::read_xml(reader, &child)?);
        } else if child.is(Ns::Types, "IsRead") {
            is_read = Some(reader.read_bool()?);
        } else if let Some(found) = Item::read_if(reader, &child)? {
            item = Some(found);
        } else {
            reader.skip()?;
        }
    }
    let missing = |what: &str| reader.error(format!("`{kind}` has no {what}"));
    let change = match kind {
        "Create" => SyncChange::Create(item.ok_or_else(|| missing("item"))?),
        "Update" => SyncChange::Update(item.ok_or_else(|| missing("item"))?),
        "Delete" => SyncChange::Delete(item_id.ok_or_else(|| missing("`ItemId`"))?),
        "ReadFlagChange" => SyncChange::ReadFlagChange {
            item_id: item_id.ok_or_else(|| missing("`ItemId`"))?,
            is_read: is_read.ok_or_else(|| missing("`IsRead`"))?,
        },
        _ => return Ok(None),
    };
    Ok(Some(change))
}

impl ResponseContent for SyncFolderItemsContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        match (child.ns, child.name.as_str()) {
            (Ns::Messages, "SyncState") => {
                let state = reader.read_text()?;
                self.sync_state = (!state.trim().is_empty()).then(|| state.trim().to_owned());
            }
            (Ns::Messages, "IncludesLastItemInRange") => {
                self.includes_last_item_in_range = Some(reader.read_bool()?);
            }
            (Ns::Messages, "Changes") => {
                while let Some(change) = reader.next_child()? {
                    let kind = change.name.clone();
                    match change.ns {
                        Ns::Types => {
                            if let Some(found) = read_change(reader, &kind)? {
                                self.changes.push(found);
                            }
                        }
                        _ => reader.skip()?,
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        writer.text_element(
            "m:SyncState",
            self.sync_state.as_deref().unwrap_or_default(),
        );
        writer.opt_bool(
            "m:IncludesLastItemInRange",
            self.includes_last_item_in_range,
        );
        writer.start("m:Changes", &[]);
        for change in &self.changes {
            match change {
                SyncChange::Create(item) => {
                    writer.start("t:Create", &[]);
                    item.write(writer);
                    writer.end("t:Create");
                }
                SyncChange::Update(item) => {
                    writer.start("t:Update", &[]);
                    item.write(writer);
                    writer.end("t:Update");
                }
                SyncChange::Delete(item_id) => {
                    writer.start("t:Delete", &[]);
                    item_id.write_xml(writer, "t:ItemId");
                    writer.end("t:Delete");
                }
                SyncChange::ReadFlagChange { item_id, is_read } => {
                    writer.start("t:ReadFlagChange", &[]);
                    item_id.write_xml(writer, "t:ItemId");
                    writer.opt_bool("t:IsRead", Some(*is_read));
                    writer.end("t:ReadFlagChange");
                }
            }
        }
        writer.end("m:Changes");
    }
}

messages_response! {
    /// `m:SyncFolderItemsResponse`.
    SyncFolderItemsResponse, "SyncFolderItemsResponseMessage", SyncFolderItemsContent
}
