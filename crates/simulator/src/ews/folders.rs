//! GetFolder.

use roombridge_ews::operations::{
    Folder as WireFolder, FoldersContent, GetFolder, GetFolderResponse,
};
use roombridge_ews::types::FolderId;

use crate::ews::Context;
use crate::ews::convert::message;
use crate::ids;
use crate::model::Folder;

/// Runs GetFolder and returns one response message per folder id.
pub(crate) fn get_folder(context: &mut Context<'_>, request: &GetFolder) -> GetFolderResponse {
    let messages = request
        .folder_ids
        .iter()
        .map(|id| {
            message(
                context
                    .resolve_folder(id)
                    .map(|(mailbox, folder)| FoldersContent {
                        folders: vec![folder_to_wire(context, &mailbox, folder)],
                    }),
            )
        })
        .collect();
    GetFolderResponse { messages }
}

fn folder_to_wire(context: &Context<'_>, mailbox: &str, folder: Folder) -> WireFolder {
    let element = if folder == Folder::Calendar {
        "t:CalendarFolder"
    } else {
        "t:Folder"
    };
    let id = FolderId {
        id: ids::folder_id(mailbox, folder),
        change_key: Some(ids::folder_change_key().to_string()),
    };
    let mut out = WireFolder::new(element, id);
    if folder != Folder::Root {
        let parent = folder.parent();
        out.parent_folder_id = Some(FolderId {
            id: ids::folder_id(mailbox, parent),
            change_key: Some(ids::folder_change_key().to_string()),
        });
    }
    if !folder.folder_class().is_empty() {
        out.folder_class = Some(folder.folder_class().to_string());
    }
    out.display_name = Some(folder.display_name().to_string());
    out.total_count = Some(context.org.folder_items(mailbox, folder).count() as u32);
    out.child_folder_count = Some(
        Folder::ALL
            .iter()
            .filter(|child| **child != folder && child.parent() == folder)
            .count() as u32,
    );
    if folder != Folder::Calendar {
        let unread = context
            .org
            .folder_items(mailbox, folder)
            .filter(|item| !item.has_been_processed)
            .count() as u32;
        out.unread_count = Some(if folder == Folder::Inbox { unread } else { 0 });
    }
    out
}
