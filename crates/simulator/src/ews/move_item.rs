//! MoveItem, read and written here because the shared EWS types do not
//! cover it.

use jiff::Timestamp;

use crate::ews::errors::EwsError;
use crate::ews::{EwsReply, acting_mailbox, check_access, envelope, fault_reply};
use crate::ids;
use crate::model::Folder;
use crate::org::Org;
use crate::xml::{Element, XmlWriter};

/// Runs a MoveItem request document.
pub(crate) fn handle(org: &mut Org, principal: &str, body: &str) -> EwsReply {
    let root = match Element::parse(body) {
        Ok(root) => root,
        Err(error) => {
            return fault_reply(&EwsError::schema_validation(&error.to_string()), "MoveItem");
        }
    };
    let target = root
        .path(&["Header", "ExchangeImpersonation", "ConnectingSID"])
        .and_then(|sid| {
            ["PrimarySmtpAddress", "SmtpAddress", "PrincipalName"]
                .iter()
                .find_map(|name| sid.child_text(name))
        });
    let mailbox = match acting_mailbox(org, principal, target) {
        Ok(mailbox) => mailbox,
        Err(error) => return fault_reply(&error, "MoveItem"),
    };
    let Some(request) = root.path(&["Body", "MoveItem"]) else {
        return fault_reply(
            &EwsError::schema_validation("the SOAP Body has no MoveItem element"),
            "MoveItem",
        );
    };
    let seq_before = org.seq;
    let mut w = XmlWriter::new();
    envelope::open(&mut w);
    if let Err(error) = move_items(org, &mailbox, request, &mut w) {
        return fault_reply(&error, "MoveItem");
    }
    envelope::close(&mut w);
    EwsReply {
        status: 200,
        body: w.finish(),
        changed: org.seq != seq_before,
        operation: "MoveItem".to_string(),
    }
}

fn target_folder(org: &Org, mailbox: &str, element: &Element) -> Result<Folder, EwsError> {
    let (address, folder) = match element.name.as_str() {
        "DistinguishedFolderId" => {
            let folder = Folder::from_distinguished_id(element.attribute("Id").unwrap_or_default())
                .ok_or_else(EwsError::folder_not_found)?;
            let address = element
                .path(&["Mailbox", "EmailAddress"])
                .map_or(mailbox, |address| address.text.trim());
            (address.to_string(), folder)
        }
        "FolderId" => ids::parse_folder_id(element.attribute("Id").unwrap_or_default())
            .ok_or_else(EwsError::invalid_id_malformed)?,
        _ => return Err(EwsError::folder_not_found()),
    };
    check_access(org, mailbox, &address)?;
    Ok(folder)
}

fn move_items(
    org: &mut Org,
    mailbox: &str,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let target = request
        .child("ToFolderId")
        .and_then(|folder| folder.children.first())
        .ok_or_else(|| EwsError::schema_validation("MoveItem has no ToFolderId"))?;
    let folder = target_folder(org, mailbox, target)?;
    let ids_element = request
        .child("ItemIds")
        .ok_or_else(|| EwsError::schema_validation("MoveItem has no ItemIds"))?;
    let now = Timestamp::now();
    envelope::open_response(w, "m:MoveItemResponse");
    w.start("m:ResponseMessages", &[]);
    for id in &ids_element.children {
        let moved = move_one(org, mailbox, id, folder, now);
        match moved {
            Ok(number) => {
                let item = &org.items[&number];
                envelope::open_message(w, "m:MoveItemResponseMessage", None);
                w.start("m:Items", &[]);
                w.start(element_name(item.kind), &[]);
                w.empty(
                    "t:ItemId",
                    &[
                        ("Id", &ids::item_id(item)),
                        ("ChangeKey", &ids::change_key(item)),
                    ],
                );
                w.end();
                w.end();
            }
            Err(error) => {
                envelope::open_message(w, "m:MoveItemResponseMessage", Some(&error));
                w.empty("m:Items", &[]);
            }
        }
        w.end();
    }
    w.end();
    w.end();
    Ok(())
}

fn move_one(
    org: &mut Org,
    mailbox: &str,
    id: &Element,
    folder: Folder,
    now: Timestamp,
) -> Result<u64, EwsError> {
    if id.name != "ItemId" {
        return Err(EwsError::invalid_operation(
            "Only whole items can be moved, not occurrences.",
        ));
    }
    let reference = ids::parse_item_id(id.attribute("Id").unwrap_or_default())
        .ok_or_else(EwsError::invalid_id_malformed)?;
    if reference.occurrence.is_some() {
        return Err(EwsError::invalid_operation(
            "Only whole items can be moved, not occurrences.",
        ));
    }
    let owned = org
        .items
        .get(&reference.number)
        .is_some_and(|item| item.mailbox == mailbox);
    if !owned {
        return Err(EwsError::item_not_found());
    }
    org.move_to(reference.number, folder, now);
    Ok(reference.number)
}

fn element_name(kind: crate::model::ItemKind) -> &'static str {
    use crate::model::ItemKind;
    match kind {
        ItemKind::CalendarItem => "t:CalendarItem",
        ItemKind::MeetingRequest => "t:MeetingRequest",
        ItemKind::MeetingResponse(_) => "t:MeetingResponse",
        ItemKind::MeetingCancellation => "t:MeetingCancellation",
        ItemKind::Message => "t:Message",
    }
}
