//! GetRooms: the rooms in a room list.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getrooms-operation>

use crate::operation::{Operation, OperationResponse, Outcome};
use crate::types::{EmailAddress, ResponseContent, ResponseMessage};
use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter};

use super::shape::expect_element;

/// `m:GetRooms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRooms {
    /// The room list, usually given by its SMTP address.
    pub room_list: EmailAddress,
}

impl Operation for GetRooms {
    const NAME: &'static str = "GetRooms";
    const IDEMPOTENT: bool = true;
    type Response = GetRoomsResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:GetRooms", &[]);
        self.room_list.write_xml(writer, "m:RoomList");
        writer.end("m:GetRooms");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let mut room_list = None;
        while let Some(child) = reader.next_child()? {
            if child.is(Ns::Messages, "RoomList") {
                room_list = Some(EmailAddress::read_xml(reader, &child)?);
            } else {
                reader.skip()?;
            }
        }
        let room_list = room_list.ok_or_else(|| reader.error("`GetRooms` has no `RoomList`"))?;
        Ok(GetRooms { room_list })
    }
}

/// Content of a GetRooms response: each room's address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoomsContent {
    /// `t:Room/t:Id` of each room.
    pub rooms: Vec<EmailAddress>,
}

impl ResponseContent for RoomsContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        if !child.is(Ns::Messages, "Rooms") {
            return Ok(false);
        }
        while let Some(room) = reader.next_child()? {
            if !room.is(Ns::Types, "Room") {
                reader.skip()?;
                continue;
            }
            while let Some(id) = reader.next_child()? {
                if id.is(Ns::Types, "Id") {
                    self.rooms.push(EmailAddress::read_xml(reader, &id)?);
                } else {
                    reader.skip()?;
                }
            }
        }
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        writer.start("m:Rooms", &[]);
        for room in &self.rooms {
            writer.start("t:Room", &[]);
            room.write_xml(writer, "t:Id");
            writer.end("t:Room");
        }
        writer.end("m:Rooms");
    }
}

/// `m:GetRoomsResponse`, which is itself the response message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRoomsResponse {
    /// The response message.
    pub message: ResponseMessage<RoomsContent>,
}

impl OperationResponse for GetRoomsResponse {
    const NAME: &'static str = "GetRoomsResponse";

    fn write_body(&self, writer: &mut XmlWriter) {
        self.message.write(writer, "m:GetRoomsResponse");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        Ok(GetRoomsResponse {
            message: ResponseMessage::read(reader, start)?,
        })
    }

    fn outcomes(&self) -> Vec<Outcome<'_>> {
        vec![Outcome::of(&self.message)]
    }
}
