//! GetRoomLists: the room lists (distribution groups of rooms) of the
//! organization.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getroomlists-operation>

use crate::operation::{Operation, OperationResponse, Outcome};
use crate::types::{EmailAddress, ResponseContent, ResponseMessage};
use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter};

use super::shape::expect_element;

/// `m:GetRoomLists`, which has no parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetRoomLists;

impl Operation for GetRoomLists {
    const NAME: &'static str = "GetRoomLists";
    const IDEMPOTENT: bool = true;
    type Response = GetRoomListsResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.empty("m:GetRoomLists", &[]);
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        reader.skip()?;
        Ok(GetRoomLists)
    }
}

/// Content of a GetRoomLists response: the room lists' addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoomListsContent {
    /// One `t:Address` per room list.
    pub room_lists: Vec<EmailAddress>,
}

impl ResponseContent for RoomListsContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        if !child.is(Ns::Messages, "RoomLists") {
            return Ok(false);
        }
        while let Some(address) = reader.next_child()? {
            if address.is(Ns::Types, "Address") {
                self.room_lists
                    .push(EmailAddress::read_xml(reader, &address)?);
            } else {
                reader.skip()?;
            }
        }
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        writer.start("m:RoomLists", &[]);
        for address in &self.room_lists {
            address.write_xml(writer, "t:Address");
        }
        writer.end("m:RoomLists");
    }
}

/// `m:GetRoomListsResponse`, which is itself the response message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRoomListsResponse {
    /// The response message.
    pub message: ResponseMessage<RoomListsContent>,
}

impl OperationResponse for GetRoomListsResponse {
    const NAME: &'static str = "GetRoomListsResponse";

    fn write_body(&self, writer: &mut XmlWriter) {
        self.message.write(writer, "m:GetRoomListsResponse");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        Ok(GetRoomListsResponse {
            message: ResponseMessage::read(reader, start)?,
        })
    }

    fn outcomes(&self) -> Vec<Outcome<'_>> {
        vec![Outcome::of(&self.message)]
    }
}
