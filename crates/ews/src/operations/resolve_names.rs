//! ResolveNames: find mailboxes by name or address.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames-operation>

use crate::operation::{Operation, messages_response};
use crate::types::{EmailAddress, ResponseContent};
use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

use super::shape::expect_element;

string_enum! {
    /// `t:ResolveNamesSearchScopeType`: where to look.
    pub enum ResolveNamesSearchScope {
        /// The directory only.
        ActiveDirectory = "ActiveDirectory",
        /// The directory, then contacts.
        ActiveDirectoryContacts = "ActiveDirectoryContacts",
        /// Contacts only.
        Contacts = "Contacts",
        /// Contacts, then the directory.
        ContactsActiveDirectory = "ContactsActiveDirectory",
    }
}

/// `m:ResolveNames`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveNames {
    /// Whether to return contact data with each mailbox.
    pub return_full_contact_data: bool,
    /// Directory and contact folders to search.
    pub search_scope: Option<ResolveNamesSearchScope>,
    /// The name or address to resolve.
    pub unresolved_entry: String,
}

impl Operation for ResolveNames {
    const NAME: &'static str = "ResolveNames";
    const IDEMPOTENT: bool = true;
    type Response = ResolveNamesResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        let full = if self.return_full_contact_data {
            "true"
        } else {
            "false"
        };
        writer.start_opt(
            "m:ResolveNames",
            &[
                ("ReturnFullContactData", Some(full)),
                ("SearchScope", self.search_scope.map(|scope| scope.as_str())),
            ],
        );
        writer.text_element("m:UnresolvedEntry", &self.unresolved_entry);
        writer.end("m:ResolveNames");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let full = start.required_attr(reader, "ReturnFullContactData")?;
        let return_full_contact_data = crate::xml::parse_bool(full).ok_or_else(|| {
            reader.error(format!(
                "invalid `ReturnFullContactData` `{full}`, expected a boolean"
            ))
        })?;
        let search_scope = start.enum_attr(reader, "SearchScope")?;
        let mut unresolved_entry = None;
        while let Some(child) = reader.next_child()? {
            if child.is(Ns::Messages, "UnresolvedEntry") {
                unresolved_entry = Some(reader.read_text()?);
            } else {
                reader.skip()?;
            }
        }
        let unresolved_entry = unresolved_entry
            .ok_or_else(|| reader.error("`ResolveNames` has no `UnresolvedEntry`"))?;
        Ok(ResolveNames {
            return_full_contact_data,
            search_scope,
            unresolved_entry,
        })
    }
}

/// `t:Contact` of a resolution, with the fields a room client uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedContact {
    /// Display name.
    pub display_name: Option<String>,
    /// `t:EmailAddresses/t:Entry` as (key, value) pairs, such as
    /// (`EmailAddress1`, `SMTP:user@example.com`).
    pub email_addresses: Vec<(String, String)>,
    /// Source of the contact, such as `ActiveDirectory`.
    pub contact_source: Option<String>,
}

/// `t:Resolution`: one match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolution {
    /// The mailbox that matched.
    pub mailbox: EmailAddress,
    /// Its contact data, when requested.
    pub contact: Option<ResolvedContact>,
}

fn read_contact(reader: &mut XmlReader<'_>) -> Result<ResolvedContact, ParseError> {
    let mut contact = ResolvedContact::default();
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "DisplayName") => contact.display_name = Some(reader.read_text()?),
            (Ns::Types, "ContactSource") => contact.contact_source = Some(reader.read_text()?),
            (Ns::Types, "EmailAddresses") => {
                while let Some(entry) = reader.next_child()? {
                    if entry.is(Ns::Types, "Entry") {
                        let key = entry.attr("Key").unwrap_or_default().to_owned();
                        contact.email_addresses.push((key, reader.read_text()?));
                    } else {
                        reader.skip()?;
                    }
                }
            }
            _ => reader.skip()?,
        }
    }
    Ok(contact)
}

fn write_contact(writer: &mut XmlWriter, contact: &ResolvedContact) {
    writer.start("t:Contact", &[]);
    writer.opt_element("t:DisplayName", contact.display_name.as_deref());
    if !contact.email_addresses.is_empty() {
        writer.start("t:EmailAddresses", &[]);
        for (key, value) in &contact.email_addresses {
            writer.start("t:Entry", &[("Key", key)]);
            writer.text(value);
            writer.end("t:Entry");
        }
        writer.end("t:EmailAddresses");
    }
    writer.opt_element("t:ContactSource", contact.contact_source.as_deref());
    writer.end("t:Contact");
}

/// Content of a `m:ResolveNamesResponseMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolveNamesContent {
    /// Number of matches.
    pub total_items_in_view: Option<u32>,
    /// Whether every match is included.
    pub includes_last_item_in_range: Option<bool>,
    /// The matches.
    pub resolutions: Vec<Resolution>,
}

impl ResponseContent for ResolveNamesContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        if !child.is(Ns::Messages, "ResolutionSet") {
            return Ok(false);
        }
        self.total_items_in_view = child
            .attr("TotalItemsInView")
            .and_then(|raw| raw.trim().parse().ok());
        self.includes_last_item_in_range = child
            .attr("IncludesLastItemInRange")
            .and_then(crate::xml::parse_bool);
        while let Some(resolution) = reader.next_child()? {
            if !resolution.is(Ns::Types, "Resolution") {
                reader.skip()?;
                continue;
            }
            let mut found = Resolution::default();
            while let Some(part) = reader.next_child()? {
                match (part.ns, part.name.as_str()) {
                    (Ns::Types, "Mailbox") => {
                        found.mailbox = EmailAddress::read_xml(reader, &part)?
                    }
                    (Ns::Types, "Contact") => found.contact = Some(read_contact(reader)?),
                    _ => reader.skip()?,
                }
            }
            self.resolutions.push(found);
        }
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        let total = self.total_items_in_view.map(|value| value.to_string());
        let last = self
            .includes_last_item_in_range
            .map(|value| if value { "true" } else { "false" });
        writer.start_opt(
            "m:ResolutionSet",
            &[
                ("TotalItemsInView", total.as_deref()),
                ("IncludesLastItemInRange", last),
            ],
        );
        for resolution in &self.resolutions {
            writer.start("t:Resolution", &[]);
            resolution.mailbox.write_xml(writer, "t:Mailbox");
            if let Some(contact) = &resolution.contact {
                write_contact(writer, contact);
            }
            writer.end("t:Resolution");
        }
        writer.end("m:ResolutionSet");
    }
}

messages_response! {
    /// `m:ResolveNamesResponse`.
    ResolveNamesResponse, "ResolveNamesResponseMessage", ResolveNamesContent
}
