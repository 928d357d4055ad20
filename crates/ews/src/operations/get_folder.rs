//! GetFolder: read folders, such as a mailbox's calendar or inbox.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation>

use crate::operation::{Operation, messages_response};
use crate::types::{
    BaseFolderId, DistinguishedFolderId, DistinguishedFolderIdName, FolderId, ResponseContent,
};
use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter};

use super::shape::{Shape, expect_element, read_folder_ids, write_folder_ids};

/// `m:GetFolder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetFolder {
    /// Properties to return.
    pub folder_shape: Shape,
    /// Folders to read; each gets its own response message.
    pub folder_ids: Vec<BaseFolderId>,
}

impl GetFolder {
    /// Reads a well-known folder, with only its id, of the caller's mailbox
    /// or of `mailbox`.
    pub fn distinguished(name: DistinguishedFolderIdName, mailbox: Option<&str>) -> GetFolder {
        let folder = match mailbox {
            Some(address) => DistinguishedFolderId::of_mailbox(name, address),
            None => DistinguishedFolderId::new(name),
        };
        GetFolder {
            folder_shape: Shape::new(super::shape::BaseShape::IdOnly),
            folder_ids: vec![folder.into()],
        }
    }
}

impl Operation for GetFolder {
    const NAME: &'static str = "GetFolder";
    const IDEMPOTENT: bool = true;
    type Response = GetFolderResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:GetFolder", &[]);
        self.folder_shape.write(writer, "m:FolderShape");
        write_folder_ids(writer, "m:FolderIds", &self.folder_ids);
        writer.end("m:GetFolder");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let mut folder_shape = None;
        let mut folder_ids = Vec::new();
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Messages, "FolderShape") => folder_shape = Some(Shape::read(reader)?),
                (Ns::Messages, "FolderIds") => folder_ids = read_folder_ids(reader)?,
                _ => reader.skip()?,
            }
        }
        let folder_shape =
            folder_shape.ok_or_else(|| reader.error("`GetFolder` has no `FolderShape`"))?;
        Ok(GetFolder {
            folder_shape,
            folder_ids,
        })
    }
}

/// A folder element (`t:Folder`, `t:CalendarFolder` and the like) with the
/// properties a calendar client reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Local name of the element, such as `CalendarFolder`.
    pub element: String,
    /// Id and change key.
    pub folder_id: Option<FolderId>,
    /// Parent folder.
    pub parent_folder_id: Option<FolderId>,
    /// Folder class, such as `IPF.Appointment`.
    pub folder_class: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Number of items.
    pub total_count: Option<u32>,
    /// Number of child folders.
    pub child_folder_count: Option<u32>,
    /// Number of unread items (mail folders only).
    pub unread_count: Option<u32>,
}

impl Folder {
    /// Creates a folder element with an id and nothing else.
    pub fn new(element: &str, folder_id: FolderId) -> Folder {
        Folder {
            element: element.to_owned(),
            folder_id: Some(folder_id),
            parent_folder_id: None,
            folder_class: None,
            display_name: None,
            total_count: None,
            child_folder_count: None,
            unread_count: None,
        }
    }

    fn read(reader: &mut XmlReader<'_>, start: &Element) -> Result<Folder, ParseError> {
        let mut folder = Folder {
            element: start.name.clone(),
            folder_id: None,
            parent_folder_id: None,
            folder_class: None,
            display_name: None,
            total_count: None,
            child_folder_count: None,
            unread_count: None,
        };
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Types, "FolderId") => {
                    folder.folder_id = Some(FolderId::read_xml(reader, &child)?)
                }
                (Ns::Types, "ParentFolderId") => {
                    folder.parent_folder_id = Some(FolderId::read_xml(reader, &child)?);
                }
                (Ns::Types, "FolderClass") => folder.folder_class = Some(reader.read_text()?),
                (Ns::Types, "DisplayName") => folder.display_name = Some(reader.read_text()?),
                (Ns::Types, "TotalCount") => folder.total_count = Some(reader.read_int()?),
                (Ns::Types, "ChildFolderCount") => {
                    folder.child_folder_count = Some(reader.read_int()?)
                }
                (Ns::Types, "UnreadCount") => folder.unread_count = Some(reader.read_int()?),
                _ => reader.skip()?,
            }
        }
        Ok(folder)
    }

    fn write(&self, writer: &mut XmlWriter) {
        let name = format!("t:{}", self.element);
        writer.start(&name, &[]);
        if let Some(id) = &self.folder_id {
            id.write_xml(writer, "t:FolderId");
        }
        if let Some(id) = &self.parent_folder_id {
            id.write_xml(writer, "t:ParentFolderId");
        }
        writer.opt_element("t:FolderClass", self.folder_class.as_deref());
        writer.opt_element("t:DisplayName", self.display_name.as_deref());
        writer.opt_element("t:TotalCount", self.total_count);
        writer.opt_element("t:ChildFolderCount", self.child_folder_count);
        if self.element == "Folder" {
            writer.opt_element("t:UnreadCount", self.unread_count);
        }
        writer.end(&name);
    }
}

/// Content of a `m:GetFolderResponseMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FoldersContent {
    /// The folders returned.
    pub folders: Vec<Folder>,
}

impl ResponseContent for FoldersContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        if !child.is(Ns::Messages, "Folders") {
            return Ok(false);
        }
        while let Some(folder) = reader.next_child()? {
            if folder.ns == Ns::Types && folder.name.ends_with("Folder") {
                self.folders.push(Folder::read(reader, &folder)?);
            } else {
                reader.skip()?;
            }
        }
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        writer.start("m:Folders", &[]);
        for folder in &self.folders {
            folder.write(writer);
        }
        writer.end("m:Folders");
    }
}

messages_response! {
    /// `m:GetFolderResponse`.
    GetFolderResponse, "GetFolderResponseMessage", FoldersContent
}
