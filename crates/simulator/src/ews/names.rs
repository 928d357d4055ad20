//! Directory operations: GetRoomLists, GetRooms, ResolveNames, and ConvertId.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::ews::Context;
use crate::ews::envelope::{self, MESSAGES_NS, TYPES_NS};
use crate::ews::errors::EwsError;
use crate::ews::item_write::write_mailbox;
use crate::ids;
use crate::model::Person;
use crate::xml::{Element, XmlWriter};

/// Answers GetRoomLists with every room list of the organisation.
pub(crate) fn get_room_lists(context: &mut Context<'_>, w: &mut XmlWriter) -> Result<(), EwsError> {
    w.start(
        "m:GetRoomListsResponse",
        &[
            ("ResponseClass", "Success"),
            ("xmlns:m", MESSAGES_NS),
            ("xmlns:t", TYPES_NS),
        ],
    );
    w.leaf("m:ResponseCode", "NoError");
    w.start("m:RoomLists", &[]);
    for list in &context.org.room_lists {
        w.start("t:Address", &[]);
        w.leaf("t:Name", &list.name);
        w.leaf("t:EmailAddress", &list.address);
        w.leaf("t:RoutingType", "SMTP");
        w.leaf("t:MailboxType", "PublicDL");
        w.end();
    }
    w.end();
    w.end();
    Ok(())
}

/// Answers GetRooms with the rooms of one room list.
pub(crate) fn get_rooms(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let address = request
        .path(&["RoomList", "EmailAddress"])
        .map(|a| a.text.trim())
        .unwrap_or_default();
    let list = context
        .org
        .room_lists
        .iter()
        .find(|list| list.address.eq_ignore_ascii_case(address));
    let rooms: Vec<Person> = list
        .map(|list| {
            list.rooms
                .iter()
                .filter_map(|room| context.org.mailbox(room))
                .map(|room| Person {
                    name: room.name.clone(),
                    address: room.address.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let attributes_ok = [
        ("ResponseClass", "Success"),
        ("xmlns:m", MESSAGES_NS),
        ("xmlns:t", TYPES_NS),
    ];
    if list.is_none() || rooms.is_empty() {
        let error = EwsError::no_name_results();
        w.start(
            "m:GetRoomsResponse",
            &[
                ("ResponseClass", "Error"),
                ("xmlns:m", MESSAGES_NS),
                ("xmlns:t", TYPES_NS),
            ],
        );
        w.leaf("m:MessageText", &error.text);
        w.leaf("m:ResponseCode", error.code);
        w.leaf("m:DescriptiveLinkKey", "0");
        w.end();
        return Ok(());
    }
    w.start("m:GetRoomsResponse", &attributes_ok);
    w.leaf("m:ResponseCode", "NoError");
    w.start("m:Rooms", &[]);
    for room in rooms {
        w.start("t:Room", &[]);
        w.start("t:Id", &[]);
        w.leaf("t:Name", &room.name);
        w.leaf("t:EmailAddress", &room.address);
        w.leaf("t:RoutingType", "SMTP");
        w.leaf("t:MailboxType", "Mailbox");
        w.end();
        w.end();
    }
    w.end();
    w.end();
    Ok(())
}

/// Answers ResolveNames by matching the entry against addresses and
/// display names (prefix, case-insensitive).
pub(crate) fn resolve_names(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let entry = request
        .child_text("UnresolvedEntry")
        .unwrap_or_default()
        .to_lowercase();
    let entry = entry.strip_prefix("smtp:").unwrap_or(&entry).to_string();
    let matches: Vec<Person> = context
        .org
        .mailboxes
        .values()
        .filter(|mailbox| {
            !entry.is_empty()
                && (mailbox.address.starts_with(&entry)
                    || mailbox.name.to_lowercase().starts_with(&entry))
        })
        .map(|mailbox| Person {
            name: mailbox.name.clone(),
            address: mailbox.address.clone(),
        })
        .collect();
    envelope::open_response(w, "m:ResolveNamesResponse");
    w.start("m:ResponseMessages", &[]);
    if matches.is_empty() {
        envelope::open_message(
            w,
            "m:ResolveNamesResponseMessage",
            Some(&EwsError::no_name_results()),
        );
        w.end();
    } else {
        let total = matches.len().to_string();
        envelope::open_message(w, "m:ResolveNamesResponseMessage", None);
        w.start(
            "m:ResolutionSet",
            &[
                ("TotalItemsInView", &total),
                ("IncludesLastItemInRange", "true"),
            ],
        );
        for person in &matches {
            w.start("t:Resolution", &[]);
            write_mailbox(w, person);
            w.end();
        }
        w.end();
        w.end();
    }
    w.end();
    w.end();
    Ok(())
}

/// Answers ConvertId. Ids the simulator issued convert between the EWS,
/// EntryId (base64) and HexEntryId formats; anything else is malformed.
pub(crate) fn convert_id(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let destination = request.attribute("DestinationFormat").unwrap_or("EwsId");
    let sources = request
        .child("SourceIds")
        .ok_or_else(|| EwsError::schema_validation("ConvertId has no SourceIds"))?;
    envelope::open_response(w, "m:ConvertIdResponse");
    w.start("m:ResponseMessages", &[]);
    for source in sources.children_named("AlternateId") {
        let id = source.attribute("Id").unwrap_or_default();
        let format = source.attribute("Format").unwrap_or("EwsId");
        let mailbox = source.attribute("Mailbox").unwrap_or_default();
        let bytes = match format {
            "HexEntryId" => hex::decode(id).ok(),
            _ => STANDARD.decode(id).ok(),
        };
        let valid = bytes
            .as_ref()
            .is_some_and(|bytes| ids::parse_item_id(&STANDARD.encode(bytes)).is_some())
            && context.org.mailbox(mailbox).is_some();
        match (valid, bytes) {
            (true, Some(bytes)) => {
                let converted = match destination {
                    "HexEntryId" => hex::encode_upper(&bytes),
                    _ => STANDARD.encode(&bytes),
                };
                envelope::open_message(w, "m:ConvertIdResponseMessage", None);
                w.empty(
                    "m:AlternateId",
                    &[
                        ("xsi:type", "t:AlternateIdType"),
                        ("Format", destination),
                        ("Id", &converted),
                        ("Mailbox", mailbox),
                    ],
                );
                w.end();
            }
            _ => {
                envelope::open_message(
                    w,
                    "m:ConvertIdResponseMessage",
                    Some(&EwsError::invalid_id_malformed()),
                );
                w.end();
            }
        }
    }
    w.end();
    w.end();
    Ok(())
}
