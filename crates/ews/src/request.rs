//! Reading a request envelope of any supported operation, for a server
//! such as the Exchange simulator.

use crate::operation::Operation;
use crate::operations::{
    ConvertId, CreateItem, DeleteItem, FindItem, GetFolder, GetItem, GetRoomLists, GetRooms,
    GetUserAvailability, MoveItem, ResolveNames, SyncFolderItems, UpdateItem,
};
use crate::types::{RequestHeader, read_request_envelope};
use crate::xml::{Ns, ParseError};

/// The body of a request, one variant per supported operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// GetFolder.
    GetFolder(GetFolder),
    /// FindItem.
    FindItem(FindItem),
    /// GetItem.
    GetItem(GetItem),
    /// CreateItem, including accept, decline and cancel response objects.
    CreateItem(CreateItem),
    /// UpdateItem.
    UpdateItem(UpdateItem),
    /// DeleteItem.
    DeleteItem(DeleteItem),
    /// MoveItem.
    MoveItem(MoveItem),
    /// SyncFolderItems.
    SyncFolderItems(SyncFolderItems),
    /// GetUserAvailability.
    GetUserAvailability(GetUserAvailability),
    /// GetRoomLists.
    GetRoomLists(GetRoomLists),
    /// GetRooms.
    GetRooms(GetRooms),
    /// ResolveNames.
    ResolveNames(ResolveNames),
    /// ConvertId.
    ConvertId(ConvertId),
}

/// Failure to read a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The document is not a well-formed EWS request envelope.
    #[error("malformed request: {0}")]
    Malformed(#[from] ParseError),
    /// The body names an operation this crate does not implement.
    #[error("unsupported operation `{0}`")]
    UnsupportedOperation(String),
}

impl Request {
    /// Returns the local name of the request element, such as `GetItem`.
    pub fn operation_name(&self) -> &'static str {
        match self {
            Request::GetFolder(_) => GetFolder::NAME,
            Request::FindItem(_) => FindItem::NAME,
            Request::GetItem(_) => GetItem::NAME,
            Request::CreateItem(_) => CreateItem::NAME,
            Request::UpdateItem(_) => UpdateItem::NAME,
            Request::DeleteItem(_) => DeleteItem::NAME,
            Request::MoveItem(_) => MoveItem::NAME,
            Request::SyncFolderItems(_) => SyncFolderItems::NAME,
            Request::GetUserAvailability(_) => GetUserAvailability::NAME,
            Request::GetRoomLists(_) => GetRoomLists::NAME,
            Request::GetRooms(_) => GetRooms::NAME,
            Request::ResolveNames(_) => ResolveNames::NAME,
            Request::ConvertId(_) => ConvertId::NAME,
        }
    }

    /// Reads a whole SOAP request: its headers and its operation.
    ///
    /// # Errors
    ///
    /// Returns [`RequestError::Malformed`] with the element path when the
    /// envelope or the operation element is malformed, and
    /// [`RequestError::UnsupportedOperation`] for any other operation.
    pub fn parse_envelope(xml: &str) -> Result<(RequestHeader, Request), RequestError> {
        let mut unsupported = None;
        let (header, request) = read_request_envelope(xml, |reader, start| {
            if start.ns != Ns::Messages {
                unsupported = Some(start.name.clone());
                reader.skip()?;
                return Ok(None);
            }
            let request = match start.name.as_str() {
                GetFolder::NAME => Request::GetFolder(GetFolder::read_body(reader, start)?),
                FindItem::NAME => Request::FindItem(FindItem::read_body(reader, start)?),
                GetItem::NAME => Request::GetItem(GetItem::read_body(reader, start)?),
                CreateItem::NAME => Request::CreateItem(CreateItem::read_body(reader, start)?),
                UpdateItem::NAME => Request::UpdateItem(UpdateItem::read_body(reader, start)?),
                DeleteItem::NAME => Request::DeleteItem(DeleteItem::read_body(reader, start)?),
                MoveItem::NAME => Request::MoveItem(MoveItem::read_body(reader, start)?),
                SyncFolderItems::NAME => {
                    Request::SyncFolderItems(SyncFolderItems::read_body(reader, start)?)
                }
                GetUserAvailability::NAME => {
                    Request::GetUserAvailability(GetUserAvailability::read_body(reader, start)?)
                }
                GetRoomLists::NAME => {
                    Request::GetRoomLists(GetRoomLists::read_body(reader, start)?)
                }
                GetRooms::NAME => Request::GetRooms(GetRooms::read_body(reader, start)?),
                ResolveNames::NAME => {
                    Request::ResolveNames(ResolveNames::read_body(reader, start)?)
                }
                ConvertId::NAME => Request::ConvertId(ConvertId::read_body(reader, start)?),
                other => {
                    unsupported = Some(other.to_owned());
                    reader.skip()?;
                    return Ok(None);
                }
            };
            Ok(Some(request))
        })?;
        match request {
            Some(request) => Ok((header, request)),
            None => Err(RequestError::UnsupportedOperation(
                unsupported.unwrap_or_default(),
            )),
        }
    }
}
