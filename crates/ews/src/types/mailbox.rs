//! Mailboxes, recipients and attendees.

use jiff::Timestamp;

use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

use super::ids::ItemId;

string_enum! {
    /// `t:MailboxTypeType`: what kind of directory object an address is.
    pub enum MailboxType {
        /// Unknown type.
        Unknown = "Unknown",
        /// An address outside the directory.
        OneOff = "OneOff",
        /// A mailbox, rooms included.
        Mailbox = "Mailbox",
        /// A public distribution list.
        PublicDl = "PublicDL",
        /// A private distribution list.
        PrivateDl = "PrivateDL",
        /// A contact.
        Contact = "Contact",
        /// A public folder.
        PublicFolder = "PublicFolder",
        /// A group mailbox.
        GroupMailbox = "GroupMailbox",
        /// An implicit contact.
        ImplicitContact = "ImplicitContact",
    }
}

/// `t:EmailAddressType`: a mailbox as it appears in `t:Mailbox` elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailAddress {
    /// Display name.
    pub name: Option<String>,
    /// Address, an SMTP address when `routing_type` is `SMTP`.
    pub email_address: Option<String>,
    /// Routing type, usually `SMTP` (Exchange also returns `EX`).
    pub routing_type: Option<String>,
    /// Kind of directory object.
    pub mailbox_type: Option<MailboxType>,
    /// Id of a contact or group item, for addresses from a contacts folder.
    pub item_id: Option<ItemId>,
}

impl EmailAddress {
    /// Creates an address with only the SMTP address set.
    pub fn smtp(address: impl Into<String>) -> EmailAddress {
        EmailAddress {
            email_address: Some(address.into()),
            ..EmailAddress::default()
        }
    }
}

impl ReadXml for EmailAddress {
    fn read_xml(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut address = EmailAddress::default();
        while let Some(child) = reader.next_child()? {
            if child.ns != Ns::Types {
                reader.skip()?;
                continue;
            }
            match child.name.as_str() {
                "Name" => address.name = Some(reader.read_text()?),
                "EmailAddress" => address.email_address = Some(reader.read_text()?),
                "RoutingType" => address.routing_type = Some(reader.read_text()?),
                "MailboxType" => address.mailbox_type = Some(reader.read_enum()?),
                "ItemId" => address.item_id = Some(ItemId::read_xml(reader, &child)?),
                _ => reader.skip()?,
            }
        }
        Ok(address)
    }
}

impl WriteXml for EmailAddress {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        writer.opt_element("t:Name", self.name.as_deref());
        writer.opt_element("t:EmailAddress", self.email_address.as_deref());
        writer.opt_element("t:RoutingType", self.routing_type.as_deref());
        writer.opt_element("t:MailboxType", self.mailbox_type);
        if let Some(item_id) = &self.item_id {
            item_id.write_xml(writer, "t:ItemId");
        }
        writer.end(name);
    }
}

/// `t:SingleRecipientType`: an element such as `t:Organizer` or `t:From`
/// that wraps one `t:Mailbox`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SingleRecipient {
    /// The wrapped mailbox.
    pub mailbox: EmailAddress,
}

impl ReadXml for SingleRecipient {
    fn read_xml(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut mailbox = EmailAddress::default();
        while let Some(child) = reader.next_child()? {
            if child.is(Ns::Types, "Mailbox") {
                mailbox = EmailAddress::read_xml(reader, &child)?;
            } else {
                reader.skip()?;
            }
        }
        Ok(SingleRecipient { mailbox })
    }
}

impl WriteXml for SingleRecipient {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        self.mailbox.write_xml(writer, "t:Mailbox");
        writer.end(name);
    }
}

/// Reads `t:ArrayOfRecipientsType`, a list of `t:Mailbox` elements.
pub(crate) fn read_mailboxes(reader: &mut XmlReader<'_>) -> Result<Vec<EmailAddress>, ParseError> {
    let mut mailboxes = Vec::new();
    while let Some(child) = reader.next_child()? {
        if child.is(Ns::Types, "Mailbox") {
            mailboxes.push(EmailAddress::read_xml(reader, &child)?);
        } else {
            reader.skip()?;
        }
    }
    Ok(mailboxes)
}

/// Writes `t:ArrayOfRecipientsType`.
pub(crate) fn write_mailboxes(writer: &mut XmlWriter, name: &str, mailboxes: &[EmailAddress]) {
    writer.start(name, &[]);
    for mailbox in mailboxes {
        mailbox.write_xml(writer, "t:Mailbox");
    }
    writer.end(name);
}

string_enum! {
    /// `t:ResponseTypeType`: an attendee's response to a meeting request.
    pub enum ResponseType {
        /// No information.
        Unknown = "Unknown",
        /// The attendee is the organizer.
        Organizer = "Organizer",
        /// Tentatively accepted.
        Tentative = "Tentative",
        /// Accepted.
        Accept = "Accept",
        /// Declined.
        Decline = "Decline",
        /// No response received yet.
        NoResponseReceived = "NoResponseReceived",
    }
}

/// `t:AttendeeType`: one attendee of a meeting and its response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendee {
    /// The attendee's mailbox.
    pub mailbox: EmailAddress,
    /// The attendee's last response, as the organizer's copy tracks it.
    pub response_type: Option<ResponseType>,
    /// When that response arrived.
    pub last_response_time: Option<Timestamp>,
    /// Start of a new time the attendee proposed.
    pub proposed_start: Option<Timestamp>,
    /// End of a new time the attendee proposed.
    pub proposed_end: Option<Timestamp>,
}

impl Attendee {
    /// Creates an attendee with only the SMTP address set.
    pub fn smtp(address: impl Into<String>) -> Attendee {
        Attendee {
            mailbox: EmailAddress::smtp(address),
            ..Attendee::default()
        }
    }
}

impl ReadXml for Attendee {
    fn read_xml(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut attendee = Attendee::default();
        while let Some(child) = reader.next_child()? {
            if child.ns != Ns::Types {
                reader.skip()?;
                continue;
            }
            match child.name.as_str() {
                "Mailbox" => attendee.mailbox = EmailAddress::read_xml(reader, &child)?,
                "ResponseType" => attendee.response_type = Some(reader.read_enum()?),
                "LastResponseTime" => attendee.last_response_time = Some(reader.read_timestamp()?),
                "ProposedStart" => attendee.proposed_start = Some(reader.read_timestamp()?),
                "ProposedEnd" => attendee.proposed_end = Some(reader.read_timestamp()?),
                _ => reader.skip()?,
            }
        }
        Ok(attendee)
    }
}

impl WriteXml for Attendee {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        self.mailbox.write_xml(writer, "t:Mailbox");
        writer.opt_element("t:ResponseType", self.response_type);
        writer.opt_timestamp("t:LastResponseTime", self.last_response_time.as_ref());
        writer.opt_timestamp("t:ProposedStart", self.proposed_start.as_ref());
        writer.opt_timestamp("t:ProposedEnd", self.proposed_end.as_ref());
        writer.end(name);
    }
}

/// Reads `t:NonEmptyArrayOfAttendeesType`.
pub(crate) fn read_attendees(reader: &mut XmlReader<'_>) -> Result<Vec<Attendee>, ParseError> {
    let mut attendees = Vec::new();
    while let Some(child) = reader.next_child()? {
        if child.is(Ns::Types, "Attendee") {
            attendees.push(Attendee::read_xml(reader, &child)?);
        } else {
            reader.skip()?;
        }
    }
    Ok(attendees)
}

/// Writes `t:NonEmptyArrayOfAttendeesType`; nothing when the list is empty,
/// because the schema requires at least one attendee.
pub(crate) fn write_attendees(writer: &mut XmlWriter, name: &str, attendees: &[Attendee]) {
    if attendees.is_empty() {
        return;
    }
    writer.start(name, &[]);
    for attendee in attendees {
        attendee.write_xml(writer, "t:Attendee");
    }
    writer.end(name);
}
