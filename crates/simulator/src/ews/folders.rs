//! GetFolder.

use crate::ews::Context;
use crate::ews::envelope;
use crate::ews::errors::EwsError;
use crate::ids;
use crate::model::Folder;
use crate::xml::{Element, XmlWriter};

/// Answers GetFolder for each FolderId or DistinguishedFolderId.
pub(crate) fn get_folder(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let folder_ids = request
        .child("FolderIds")
        .ok_or_else(|| EwsError::schema_validation("GetFolder has no FolderIds"))?;
    envelope::open_response(w, "m:GetFolderResponse");
    w.start("m:ResponseMessages", &[]);
    for element in &folder_ids.children {
        match context.resolve_folder(element) {
            Ok((mailbox, folder)) => {
                envelope::open_message(w, "m:GetFolderResponseMessage", None);
                w.start("m:Folders", &[]);
                write_folder(context, w, &mailbox, folder);
                w.end();
                w.end();
            }
            Err(error) => {
                envelope::open_message(w, "m:GetFolderResponseMessage", Some(&error));
                w.end();
            }
        }
    }
    w.end();
    w.end();
    Ok(())
}

fn write_folder(context: &Context<'_>, w: &mut XmlWriter, mailbox: &str, folder: Folder) {
    let is_calendar = folder == Folder::Calendar;
    w.start(
        if is_calendar {
            "t:CalendarFolder"
        } else {
            "t:Folder"
        },
        &[],
    );
    w.empty(
        "t:FolderId",
        &[
            ("Id", &ids::folder_id(mailbox, folder)),
            ("ChangeKey", ids::folder_change_key()),
        ],
    );
    if folder != Folder::Root {
        let parent = folder.parent();
        w.empty(
            "t:ParentFolderId",
            &[
                ("Id", &ids::folder_id(mailbox, parent)),
                ("ChangeKey", ids::folder_change_key()),
            ],
        );
    }
    if !folder.folder_class().is_empty() {
        w.leaf("t:FolderClass", folder.folder_class());
    }
    w.leaf("t:DisplayName", folder.display_name());
    let total = context.org.folder_items(mailbox, folder).count();
    w.leaf("t:TotalCount", &total.to_string());
    let children = Folder::ALL
        .iter()
        .filter(|child| **child != folder && child.parent() == folder)
        .count();
    w.leaf("t:ChildFolderCount", &children.to_string());
    w.start("t:EffectiveRights", &[]);
    w.bool("t:CreateAssociated", true);
    w.bool("t:CreateContents", true);
    w.bool("t:CreateHierarchy", true);
    w.bool("t:Delete", true);
    w.bool("t:Modify", true);
    w.bool("t:Read", true);
    w.bool("t:ViewPrivateItems", true);
    w.end();
    if !is_calendar {
        let unread = context
            .org
            .folder_items(mailbox, folder)
            .filter(|item| !item.has_been_processed)
            .count();
        let unread = if folder == Folder::Inbox { unread } else { 0 };
        w.leaf("t:UnreadCount", &unread.to_string());
    }
    w.end();
}
