//! ConvertId: translate item ids between formats. Clients such as
//! exchangelib also send it to learn the server version.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/convertid-operation>

use crate::operation::{Operation, messages_response};
use crate::types::ResponseContent;
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, string_enum};

use super::shape::expect_element;

string_enum! {
    /// `t:IdFormatType`.
    pub enum IdFormat {
        /// Exchange 2007 SP1 EWS id.
        EwsLegacyId = "EwsLegacyId",
        /// EWS id.
        EwsId = "EwsId",
        /// MAPI entry id, base64.
        EntryId = "EntryId",
        /// MAPI entry id, hexadecimal.
        HexEntryId = "HexEntryId",
        /// Store id.
        StoreId = "StoreId",
        /// Outlook Web App id.
        OwaId = "OwaId",
    }
}

/// `t:AlternateId`: an id in a given format within a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternateId {
    /// Format of `id`.
    pub format: IdFormat,
    /// The id.
    pub id: String,
    /// SMTP address of the mailbox that contains the item.
    pub mailbox: String,
    /// Whether the item is in the archive mailbox.
    pub is_archive: Option<bool>,
}

impl AlternateId {
    fn read(reader: &mut XmlReader<'_>, start: &Element) -> Result<AlternateId, ParseError> {
        let id = AlternateId {
            format: reader.parse_value(start.required_attr(reader, "Format")?)?,
            id: start.required_attr(reader, "Id")?.to_owned(),
            mailbox: start.required_attr(reader, "Mailbox")?.to_owned(),
            is_archive: start.attr("IsArchive").and_then(crate::xml::parse_bool),
        };
        reader.skip()?;
        Ok(id)
    }

    fn attributes(&self) -> Vec<(&str, &str)> {
        let mut attributes = vec![
            ("Format", self.format.as_str()),
            ("Id", self.id.as_str()),
            ("Mailbox", self.mailbox.as_str()),
        ];
        if let Some(archive) = self.is_archive {
            attributes.push(("IsArchive", if archive { "true" } else { "false" }));
        }
        attributes
    }
}

/// `m:ConvertId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertId {
    /// Format to convert to.
    pub destination_format: IdFormat,
    /// Ids to convert; each gets its own response message.
    pub source_ids: Vec<AlternateId>,
}

impl Operation for ConvertId {
    const NAME: &'static str = "ConvertId";
    const IDEMPOTENT: bool = true;
    type Response = ConvertIdResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start(
            "m:ConvertId",
            &[("DestinationFormat", self.destination_format.as_str())],
        );
        writer.start("m:SourceIds", &[]);
        for id in &self.source_ids {
            writer.empty("t:AlternateId", &id.attributes());
        }
        writer.end("m:SourceIds");
        writer.end("m:ConvertId");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let destination_format =
            reader.parse_value(start.required_attr(reader, "DestinationFormat")?)?;
        let mut source_ids = Vec::new();
        while let Some(child) = reader.next_child()? {
            if !child.is(Ns::Messages, "SourceIds") {
                reader.skip()?;
                continue;
            }
            while let Some(id) = reader.next_child()? {
                if id.is(Ns::Types, "AlternateId") {
                    source_ids.push(AlternateId::read(reader, &id)?);
                } else {
                    reader.skip()?;
                }
            }
        }
        Ok(ConvertId {
            destination_format,
            source_ids,
        })
    }
}

/// Content of a `m:ConvertIdResponseMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConvertIdContent {
    /// The converted id.
    pub alternate_id: Option<AlternateId>,
}

impl ResponseContent for ConvertIdContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        if !child.is(Ns::Messages, "AlternateId") {
            return Ok(false);
        }
        self.alternate_id = Some(AlternateId::read(reader, child)?);
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        if let Some(id) = &self.alternate_id {
            let mut attributes = vec![
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                ("xsi:type", "t:AlternateIdType"),
            ];
            attributes.extend(id.attributes());
            writer.empty("m:AlternateId", &attributes);
        }
    }
}

messages_response! {
    /// `m:ConvertIdResponse`.
    ConvertIdResponse, "ConvertIdResponseMessage", ConvertIdContent
}
