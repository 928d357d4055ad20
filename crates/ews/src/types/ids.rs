//! Item and folder identifiers.

use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

use super::mailbox::EmailAddress;

/// `t:ItemId`: an item's id in one mailbox and the change key of the version
/// the caller last saw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemId {
    /// The `Id` attribute.
    pub id: String,
    /// The `ChangeKey` attribute; every change to the item gives it a new one.
    pub change_key: Option<String>,
}

impl ItemId {
    /// Creates an item id without a change key.
    pub fn new(id: impl Into<String>) -> ItemId {
        ItemId {
            id: id.into(),
            change_key: None,
        }
    }

    /// Creates an item id with a change key.
    pub fn with_change_key(id: impl Into<String>, change_key: impl Into<String>) -> ItemId {
        ItemId {
            id: id.into(),
            change_key: Some(change_key.into()),
        }
    }
}

impl ReadXml for ItemId {
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        let id = start.required_attr(reader, "Id")?.to_owned();
        let change_key = start.attr("ChangeKey").map(str::to_owned);
        reader.skip()?;
        Ok(ItemId { id, change_key })
    }
}

impl WriteXml for ItemId {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.empty_opt(
            name,
            &[
                ("Id", Some(self.id.as_str())),
                ("ChangeKey", self.change_key.as_deref()),
            ],
        );
    }
}

/// `t:OccurrenceItemId`: one occurrence of a recurring series, by index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OccurrenceItemId {
    /// Item id of the recurring master.
    pub recurring_master_id: String,
    /// Change key of the recurring master.
    pub change_key: Option<String>,
    /// One-based index of the occurrence.
    pub instance_index: u32,
}

/// `t:RecurringMasterItemId`: the series that an occurrence belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecurringMasterItemId {
    /// Item id of an occurrence or exception.
    pub occurrence_id: String,
    /// Change key of that occurrence.
    pub change_key: Option<String>,
}

/// Any of the item id forms that GetItem, UpdateItem and DeleteItem accept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BaseItemId {
    /// `t:ItemId`.
    ItemId(ItemId),
    /// `t:OccurrenceItemId`.
    OccurrenceItemId(OccurrenceItemId),
    /// `t:RecurringMasterItemId`.
    RecurringMasterItemId(RecurringMasterItemId),
}

impl From<ItemId> for BaseItemId {
    fn from(id: ItemId) -> BaseItemId {
        BaseItemId::ItemId(id)
    }
}

impl BaseItemId {
    /// Reads one id element, or returns `None` for an element of another name.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when a required attribute is missing.
    pub fn read_if(
        reader: &mut XmlReader<'_>,
        start: &Element,
    ) -> Result<Option<BaseItemId>, ParseError> {
        if start.ns != Ns::Types {
            return Ok(None);
        }
        let id = match start.name.as_str() {
            "ItemId" => BaseItemId::ItemId(ItemId::read_xml(reader, start)?),
            "OccurrenceItemId" => {
                let recurring_master_id = start.required_attr(reader, "RecurringMasterId")?;
                let index = start.required_attr(reader, "InstanceIndex")?;
                let instance_index = index.trim().parse().map_err(|_| {
                    reader.error(format!(
                        "invalid `InstanceIndex` `{index}`, expected an integer"
                    ))
                })?;
                let id = OccurrenceItemId {
                    recurring_master_id: recurring_master_id.to_owned(),
                    change_key: start.attr("ChangeKey").map(str::to_owned),
                    instance_index,
                };
                reader.skip()?;
                BaseItemId::OccurrenceItemId(id)
            }
            "RecurringMasterItemId" => {
                let id = RecurringMasterItemId {
                    occurrence_id: start.required_attr(reader, "OccurrenceId")?.to_owned(),
                    change_key: start.attr("ChangeKey").map(str::to_owned),
                };
                reader.skip()?;
                BaseItemId::RecurringMasterItemId(id)
            }
            _ => return Ok(None),
        };
        Ok(Some(id))
    }

    /// Writes the id with its own element name in the types namespace.
    pub fn write(&self, writer: &mut XmlWriter) {
        match self {
            BaseItemId::ItemId(id) => id.write_xml(writer, "t:ItemId"),
            BaseItemId::OccurrenceItemId(id) => {
                let index = id.instance_index.to_string();
                writer.empty_opt(
                    "t:OccurrenceItemId",
                    &[
                        ("RecurringMasterId", Some(id.recurring_master_id.as_str())),
                        ("ChangeKey", id.change_key.as_deref()),
                        ("InstanceIndex", Some(index.as_str())),
                    ],
                );
            }
            BaseItemId::RecurringMasterItemId(id) => writer.empty_opt(
                "t:RecurringMasterItemId",
                &[
                    ("OccurrenceId", Some(id.occurrence_id.as_str())),
                    ("ChangeKey", id.change_key.as_deref()),
                ],
            ),
        }
    }
}

/// `t:FolderId`: a folder's id and change key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FolderId {
    /// The `Id` attribute.
    pub id: String,
    /// The `ChangeKey` attribute.
    pub change_key: Option<String>,
}

impl ReadXml for FolderId {
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        let id = start.required_attr(reader, "Id")?.to_owned();
        let change_key = start.attr("ChangeKey").map(str::to_owned);
        reader.skip()?;
        Ok(FolderId { id, change_key })
    }
}

impl WriteXml for FolderId {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.empty_opt(
            name,
            &[
                ("Id", Some(self.id.as_str())),
                ("ChangeKey", self.change_key.as_deref()),
            ],
        );
    }
}

string_enum! {
    /// `t:DistinguishedFolderIdNameType`: well-known folders (the ones a
    /// calendar client meets; the schema lists more).
    pub enum DistinguishedFolderIdName {
        /// The default calendar.
        Calendar = "calendar",
        /// Contacts.
        Contacts = "contacts",
        /// Deleted Items.
        DeletedItems = "deleteditems",
        /// Drafts.
        Drafts = "drafts",
        /// Inbox, where meeting requests and responses arrive.
        Inbox = "inbox",
        /// Journal.
        Journal = "journal",
        /// Notes.
        Notes = "notes",
        /// Outbox.
        Outbox = "outbox",
        /// Sent Items.
        SentItems = "sentitems",
        /// Tasks.
        Tasks = "tasks",
        /// Top of Information Store.
        MsgFolderRoot = "msgfolderroot",
        /// Root of the mailbox.
        Root = "root",
        /// Junk Email.
        JunkEmail = "junkemail",
        /// Search Folders.
        SearchFolders = "searchfolders",
        /// Voice Mail.
        VoiceMail = "voicemail",
        /// Recoverable Items root.
        RecoverableItemsRoot = "recoverableitemsroot",
        /// Recoverable Items deletions.
        RecoverableItemsDeletions = "recoverableitemsdeletions",
    }
}

/// `t:DistinguishedFolderId`: a well-known folder, of the caller's mailbox
/// or of the one named in `mailbox`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedFolderId {
    /// The well-known folder.
    pub id: DistinguishedFolderIdName,
    /// Change key of the folder.
    pub change_key: Option<String>,
    /// Mailbox that contains the folder. When absent, the folder belongs to
    /// the caller's (or the impersonated) mailbox.
    pub mailbox: Option<EmailAddress>,
}

impl DistinguishedFolderId {
    /// Creates a distinguished folder id of the caller's mailbox.
    pub fn new(id: DistinguishedFolderIdName) -> DistinguishedFolderId {
        DistinguishedFolderId {
            id,
            change_key: None,
            mailbox: None,
        }
    }

    /// Creates a distinguished folder id of the mailbox with this SMTP address.
    pub fn of_mailbox(
        id: DistinguishedFolderIdName,
        smtp: impl Into<String>,
    ) -> DistinguishedFolderId {
        DistinguishedFolderId {
            id,
            change_key: None,
            mailbox: Some(EmailAddress::smtp(smtp)),
        }
    }
}

impl ReadXml for DistinguishedFolderId {
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        let raw = start.required_attr(reader, "Id")?;
        let id = reader.parse_value(raw)?;
        let change_key = start.attr("ChangeKey").map(str::to_owned);
        let mut mailbox = None;
        while let Some(child) = reader.next_child()? {
            if child.is(Ns::Types, "Mailbox") {
                mailbox = Some(EmailAddress::read_xml(reader, &child)?);
            } else {
                reader.skip()?;
            }
        }
        Ok(DistinguishedFolderId {
            id,
            change_key,
            mailbox,
        })
    }
}

impl WriteXml for DistinguishedFolderId {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        let attributes = [
            ("Id", Some(self.id.as_str())),
            ("ChangeKey", self.change_key.as_deref()),
        ];
        match &self.mailbox {
            None => writer.empty_opt(name, &attributes),
            Some(mailbox) => {
                writer.start_opt(name, &attributes);
                mailbox.write_xml(writer, "t:Mailbox");
                writer.end(name);
            }
        }
    }
}

/// Either form of folder id that operations accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseFolderId {
    /// `t:FolderId`.
    FolderId(FolderId),
    /// `t:DistinguishedFolderId`.
    DistinguishedFolderId(DistinguishedFolderId),
}

impl From<DistinguishedFolderId> for BaseFolderId {
    fn from(id: DistinguishedFolderId) -> BaseFolderId {
        BaseFolderId::DistinguishedFolderId(id)
    }
}

impl From<FolderId> for BaseFolderId {
    fn from(id: FolderId) -> BaseFolderId {
        BaseFolderId::FolderId(id)
    }
}

impl BaseFolderId {
    /// Reads one folder id element, or returns `None` for another element.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the id is invalid.
    pub fn read_if(
        reader: &mut XmlReader<'_>,
        start: &Element,
    ) -> Result<Option<BaseFolderId>, ParseError> {
        if start.is(Ns::Types, "FolderId") {
            return Ok(Some(BaseFolderId::FolderId(FolderId::read_xml(
                reader, start,
            )?)));
        }
        if start.is(Ns::Types, "DistinguishedFolderId") {
            let id = DistinguishedFolderId::read_xml(reader, start)?;
            return Ok(Some(BaseFolderId::DistinguishedFolderId(id)));
        }
        Ok(None)
    }

    /// Reads a container element whose only meaningful child is a folder id.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the container has no folder id.
    pub fn read_container(reader: &mut XmlReader<'_>) -> Result<BaseFolderId, ParseError> {
        let mut found = None;
        while let Some(child) = reader.next_child()? {
            match BaseFolderId::read_if(reader, &child)? {
                Some(id) => found = Some(id),
                None => reader.skip()?,
            }
        }
        found.ok_or_else(|| reader.error("expected a `FolderId` or `DistinguishedFolderId`"))
    }

    /// Writes the id with its own element name.
    pub fn write(&self, writer: &mut XmlWriter) {
        match self {
            BaseFolderId::FolderId(id) => id.write_xml(writer, "t:FolderId"),
            BaseFolderId::DistinguishedFolderId(id) => {
                id.write_xml(writer, "t:DistinguishedFolderId");
            }
        }
    }
}
