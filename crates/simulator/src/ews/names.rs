//! Directory operations: GetRoomLists, GetRooms, ResolveNames, and ConvertId.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use roombridge_ews::operations::{
    AlternateId, ConvertId, ConvertIdContent, ConvertIdResponse, GetRoomListsResponse, GetRooms,
    GetRoomsResponse, IdFormat, Resolution, ResolveNames, ResolveNamesContent,
    ResolveNamesResponse, RoomListsContent, RoomsContent,
};
use roombridge_ews::types::{EmailAddress, MailboxType, ResponseMessage};

use crate::ews::Context;
use crate::ews::convert::{error_message, mailbox};
use crate::ews::errors::EwsError;
use crate::ids;
use crate::model::Person;

/// Runs GetRoomLists and returns every room list of the organisation.
pub(crate) fn get_room_lists(context: &mut Context<'_>) -> GetRoomListsResponse {
    let room_lists = context
        .org
        .room_lists
        .iter()
        .map(|list| EmailAddress {
            name: Some(list.name.clone()),
            email_address: Some(list.address.clone()),
            routing_type: Some("SMTP".to_string()),
            mailbox_type: Some(MailboxType::PublicDl),
            item_id: None,
        })
        .collect();
    GetRoomListsResponse {
        message: ResponseMessage::success(RoomListsContent { room_lists }),
    }
}

/// Runs GetRooms and returns the rooms of one room list.
pub(crate) fn get_rooms(context: &mut Context<'_>, request: &GetRooms) -> GetRoomsResponse {
    let address = request
        .room_list
        .email_address
        .as_deref()
        .unwrap_or_default();
    let list = context
        .org
        .room_lists
        .iter()
        .find(|list| list.address.eq_ignore_ascii_case(address));
    let rooms: Vec<EmailAddress> = list
        .map(|list| {
            list.rooms
                .iter()
                .filter_map(|room| context.org.mailbox(room))
                .map(|room| {
                    mailbox(&Person {
                        name: room.name.clone(),
                        address: room.address.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let message = if rooms.is_empty() {
        error_message(&EwsError::no_name_results())
    } else {
        ResponseMessage::success(RoomsContent { rooms })
    };
    GetRoomsResponse { message }
}

/// Runs ResolveNames, matching the entry against addresses and
/// display names (prefix, case-insensitive).
pub(crate) fn resolve_names(
    context: &mut Context<'_>,
    request: &ResolveNames,
) -> ResolveNamesResponse {
    let entry = request.unresolved_entry.trim().to_lowercase();
    let entry = entry.strip_prefix("smtp:").unwrap_or(&entry).to_string();
    let resolutions: Vec<Resolution> = context
        .org
        .mailboxes
        .values()
        .filter(|mailbox| {
            !entry.is_empty()
                && (mailbox.address.starts_with(&entry)
                    || mailbox.name.to_lowercase().starts_with(&entry))
        })
        .map(|found| Resolution {
            mailbox: mailbox(&Person {
                name: found.name.clone(),
                address: found.address.clone(),
            }),
            contact: None,
        })
        .collect();
    let message = if resolutions.is_empty() {
        error_message(&EwsError::no_name_results())
    } else {
        ResponseMessage::success(ResolveNamesContent {
            total_items_in_view: Some(resolutions.len() as u32),
            includes_last_item_in_range: Some(true),
            resolutions,
        })
    };
    ResolveNamesResponse {
        messages: vec![message],
    }
}

/// Runs ConvertId. Ids the simulator issued convert between the EWS,
/// EntryId (base64) and HexEntryId formats; anything else is malformed.
pub(crate) fn convert_id(context: &mut Context<'_>, request: &ConvertId) -> ConvertIdResponse {
    let destination = request.destination_format;
    let messages = request
        .source_ids
        .iter()
        .map(|source| {
            let bytes = match source.format {
                IdFormat::HexEntryId => hex::decode(&source.id).ok(),
                _ => STANDARD.decode(&source.id).ok(),
            };
            let valid = bytes
                .as_ref()
                .is_some_and(|bytes| ids::parse_item_id(&STANDARD.encode(bytes)).is_some())
                && context.org.mailbox(&source.mailbox).is_some();
            match bytes.filter(|_| valid) {
                Some(bytes) => {
                    let id = match destination {
                        IdFormat::HexEntryId => hex::encode_upper(&bytes),
                        _ => STANDARD.encode(&bytes),
                    };
                    let alternate = AlternateId {
                        format: destination,
                        id,
                        mailbox: source.mailbox.clone(),
                        is_archive: None,
                    };
                    ResponseMessage::success(ConvertIdContent {
                        alternate_id: Some(alternate),
                    })
                }
                None => error_message(&EwsError::invalid_id_malformed()),
            }
        })
        .collect();
    ConvertIdResponse { messages }
}
