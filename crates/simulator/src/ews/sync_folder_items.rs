//! SyncFolderItems: the creates, updates and deletes of one folder since a
//! sync state, in pages of MaxChangesReturned.

use crate::ews::errors::EwsError;
use crate::ews::item_write::{Shape, write_item};
use crate::ews::{Context, envelope};
use crate::ids;
use crate::model::Item;
use crate::sync_state::SyncPosition;
use crate::xml::{Element, XmlWriter};

/// Largest MaxChangesReturned the schema allows.
const MAX_CHANGES: usize = 512;

enum Change<'a> {
    Create(&'a Item),
    Update(&'a Item),
    Delete(u64),
}

/// Answers SyncFolderItems.
pub(crate) fn sync_folder_items(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let shape = Shape::parse(request.child("ItemShape"));
    let folder_element = request
        .child("SyncFolderId")
        .and_then(|folder| folder.children.first())
        .ok_or_else(|| EwsError::schema_validation("SyncFolderItems has no SyncFolderId"))?;
    let max_text = request.child_text("MaxChangesReturned").unwrap_or_default();
    let max: usize = max_text
        .parse()
        .ok()
        .filter(|max| (1..=MAX_CHANGES).contains(max))
        .ok_or_else(|| {
            EwsError::schema_validation(&format!(
                "MaxChangesReturned `{max_text}` must be a number from 1 to 512"
            ))
        })?;
    let state = request.child_text("SyncState").unwrap_or_default();

    envelope::open_response(w, "m:SyncFolderItemsResponse");
    w.start("m:ResponseMessages", &[]);
    let result = context
        .resolve_folder(folder_element)
        .and_then(|(mailbox, folder)| {
            let seen = if state.is_empty() {
                0
            } else {
                context
                    .sync_key
                    .verify(state, &mailbox, folder, context.now)
                    .ok_or_else(EwsError::invalid_sync_state)?
                    .seq
            };
            Ok((mailbox, folder, seen))
        });
    match result {
        Ok((mailbox, folder, seen)) => {
            let mut changes: Vec<(u64, Change<'_>)> = context
                .org
                .folder_items(&mailbox, folder)
                .filter(|item| item.change_seq > seen)
                .map(|item| {
                    let change = if item.created_seq > seen {
                        Change::Create(item)
                    } else {
                        Change::Update(item)
                    };
                    (item.change_seq, change)
                })
                .collect();
            changes.extend(
                context
                    .org
                    .tombstones
                    .iter()
                    .filter(|tombstone| tombstone.mailbox == mailbox && tombstone.folder == folder)
                    .filter(|tombstone| tombstone.seq > seen && tombstone.created_seq <= seen)
                    .map(|tombstone| (tombstone.seq, Change::Delete(tombstone.number))),
            );
            changes.sort_by_key(|(seq, _)| *seq);
            let includes_last = changes.len() <= max;
            changes.truncate(max);
            let next_seq = if includes_last {
                context.org.seq
            } else {
                changes.last().map_or(seen, |(seq, _)| *seq)
            };
            let position = SyncPosition {
                mailbox: mailbox.clone(),
                folder,
                seq: next_seq,
                issued: context.now,
            };
            envelope::open_message(w, "m:SyncFolderItemsResponseMessage", None);
            w.leaf("m:SyncState", &context.sync_key.issue(&position));
            w.bool("m:IncludesLastItemInRange", includes_last);
            w.start("m:Changes", &[]);
            for (_, change) in &changes {
                match change {
                    Change::Create(item) => {
                        w.start("t:Create", &[]);
                        write_item(w, item, &shape);
                        w.end();
                    }
                    Change::Update(item) => {
                        w.start("t:Update", &[]);
                        write_item(w, item, &shape);
                        w.end();
                    }
                    Change::Delete(number) => {
                        w.start("t:Delete", &[]);
                        w.empty("t:ItemId", &[("Id", &ids::item_id_for_number(*number))]);
                        w.end();
                    }
                }
            }
            w.end();
            w.end();
        }
        Err(error) => {
            envelope::open_message(w, "m:SyncFolderItemsResponseMessage", Some(&error));
            w.empty("m:SyncState", &[]);
            w.bool("m:IncludesLastItemInRange", true);
            w.end();
        }
    }
    w.end();
    w.end();
    Ok(())
}
