//! SyncFolderItems: the creates, updates and deletes of one folder since a
//! sync state, in pages of MaxChangesReturned.

use roombridge_ews::operations::{
    SyncChange, SyncFolderItems, SyncFolderItemsContent, SyncFolderItemsResponse,
};
use roombridge_ews::types::ResponseMessage;

use crate::ews::convert::{Shape, error_message, item_to_wire};
use crate::ews::errors::EwsError;
use crate::ews::{Context, wire_item_id};
use crate::model::Folder;
use crate::sync_state::SyncPosition;

/// Runs SyncFolderItems.
pub(crate) fn sync_folder_items(
    context: &mut Context<'_>,
    request: &SyncFolderItems,
) -> SyncFolderItemsResponse {
    let message = match sync(context, request) {
        Ok(content) => ResponseMessage::success(content),
        Err(error) => {
            let mut message = error_message::<SyncFolderItemsContent>(&error);
            message.content.sync_state = Some(String::new());
            message.content.includes_last_item_in_range = Some(true);
            message
        }
    };
    SyncFolderItemsResponse {
        messages: vec![message],
    }
}

fn sync(
    context: &Context<'_>,
    request: &SyncFolderItems,
) -> Result<SyncFolderItemsContent, EwsError> {
    let max = request.max_changes_returned;
    let (mailbox, folder) = context.resolve_folder(&request.sync_folder_id)?;
    let seen = match request
        .sync_state
        .as_deref()
        .map(str::trim)
        .filter(|state| !state.is_empty())
    {
        None => 0,
        Some(state) => {
            context
                .sync_key
                .verify(state, &mailbox, folder, context.now)
                .ok_or_else(EwsError::invalid_sync_state)?
                .seq
        }
    };

    let shape = Shape::from_wire(&request.item_shape);
    let mut changes = collect_changes(context, &mailbox, folder, seen, &shape);
    changes.sort_by_key(|(seq, _)| *seq);

    let includes_last = changes.len() <= max as usize;
    changes.truncate(max as usize);
    let next_seq = if includes_last {
        context.org.seq
    } else {
        changes.last().map_or(seen, |(seq, _)| *seq)
    };

    let position = SyncPosition {
        mailbox,
        folder,
        seq: next_seq,
        issued: context.now,
    };

    Ok(SyncFolderItemsContent {
        sync_state: Some(context.sync_key.issue(&position)),
        includes_last_item_in_range: Some(includes_last),
        changes: changes.into_iter().map(|(_, change)| change).collect(),
    })
}

/// Returns every change after `seen`, keyed by its sequence number: items
/// that arrived (Create) or changed (Update), and items that left (Delete)
/// unless they also arrived after `seen`.
fn collect_changes(
    context: &Context<'_>,
    mailbox: &str,
    folder: Folder,
    seen: u64,
    shape: &Shape,
) -> Vec<(u64, SyncChange)> {
    let mut changes: Vec<(u64, SyncChange)> = context
        .org
        .folder_items(mailbox, folder)
        .filter(|item| item.change_seq > seen)
        .map(|item| {
            let wire = item_to_wire(item, shape);
            let change = if item.created_seq > seen {
                SyncChange::Create(wire)
            } else {
                SyncChange::Update(wire)
            };
            (item.change_seq, change)
        })
        .collect();
    // Tombstones are kept in the order of their sequence numbers, so those
    // after `seen` are a tail found by binary search.
    let tombstones = &context.org.tombstones;
    let first_unseen = tombstones.partition_point(|tombstone| tombstone.seq <= seen);
    changes.extend(
        tombstones[first_unseen..]
            .iter()
            .filter(|tombstone| tombstone.created_seq <= seen)
            .filter(|tombstone| tombstone.folder == folder && tombstone.mailbox == mailbox)
            .map(|tombstone| {
                (
                    tombstone.seq,
                    SyncChange::Delete(wire_item_id(tombstone.number)),
                )
            }),
    );
    changes
}
