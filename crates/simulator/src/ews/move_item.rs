//! MoveItem: whole items move between folders of the acting mailbox.

use roombridge_ews::operations::{ItemsContent, MoveItem, MoveItemResponse};
use roombridge_ews::types::BaseItemId;

use crate::ews::Context;
use crate::ews::convert::{item_reference, message};
use crate::ews::errors::EwsError;
use crate::model::Folder;

/// Runs MoveItem and returns one response message per id.
///
/// # Errors
///
/// Returns the error for the whole request when `ToFolderId` names an
/// unknown folder or another user's mailbox; nothing has moved then.
pub(crate) fn move_item(
    context: &mut Context<'_>,
    request: &MoveItem,
) -> Result<MoveItemResponse, EwsError> {
    let (_, folder) = context.resolve_folder(&request.to_folder_id)?;
    let messages = request
        .item_ids
        .iter()
        .map(|id| message(move_one(context, id, folder)))
        .collect();
    Ok(MoveItemResponse { messages })
}

fn move_one(
    context: &mut Context<'_>,
    id: &BaseItemId,
    folder: Folder,
) -> Result<ItemsContent, EwsError> {
    let BaseItemId::ItemId(_) = id else {
        return Err(EwsError::invalid_operation(
            "Only whole items can be moved, not occurrences.",
        ));
    };
    let (reference, _, _) = context.resolve_item(id)?;
    if reference.occurrence.is_some() {
        return Err(EwsError::invalid_operation(
            "Only whole items can be moved, not occurrences.",
        ));
    }
    context.org.move_to(reference.number, folder, context.now);
    let item = &context.org.items[&reference.number];
    Ok(ItemsContent {
        items: vec![item_reference(item)],
    })
}
