//! Response shapes shared by GetItem, FindItem, SyncFolderItems and GetFolder.

use crate::types::PropertyPath;
use crate::types::paths::read_paths;
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, string_enum};

string_enum! {
    /// `t:DefaultShapeNamesType`: the base set of properties to return.
    pub enum BaseShape {
        /// Ids only.
        IdOnly = "IdOnly",
        /// A default set of properties.
        Default = "Default",
        /// All first-class properties.
        AllProperties = "AllProperties",
    }
}

string_enum! {
    /// `t:BodyTypeResponseType`: the body format to return.
    pub enum BodyTypeResponse {
        /// The format the body is stored in.
        Best = "Best",
        /// HTML.
        Html = "HTML",
        /// Plain text.
        Text = "Text",
    }
}

/// `m:ItemShape` or `m:FolderShape`: which properties to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Base set of properties.
    pub base_shape: BaseShape,
    /// Body format (items only).
    pub body_type: Option<BodyTypeResponse>,
    /// Properties added to the base set.
    pub additional_properties: Vec<PropertyPath>,
}

impl Shape {
    /// Creates a shape with a base set and no additional properties.
    pub fn new(base_shape: BaseShape) -> Shape {
        Shape {
            base_shape,
            body_type: None,
            additional_properties: Vec::new(),
        }
    }

    /// Creates an `IdOnly` shape plus the given field URIs.
    pub fn id_only_with(field_uris: &[&str]) -> Shape {
        Shape {
            base_shape: BaseShape::IdOnly,
            body_type: None,
            additional_properties: field_uris
                .iter()
                .map(|uri| PropertyPath::field(uri))
                .collect(),
        }
    }

    pub(crate) fn read(reader: &mut XmlReader<'_>) -> Result<Shape, ParseError> {
        let mut shape = Shape::new(BaseShape::Default);
        let mut saw_base = false;
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Types, "BaseShape") => {
                    shape.base_shape = reader.read_enum()?;
                    saw_base = true;
                }
                (Ns::Types, "BodyType") => shape.body_type = Some(reader.read_enum()?),
                (Ns::Types, "AdditionalProperties") => {
                    shape.additional_properties = read_paths(reader)?;
                }
                _ => reader.skip()?,
            }
        }
        if !saw_base {
            return Err(reader.error("shape has no `BaseShape`"));
        }
        Ok(shape)
    }

    pub(crate) fn write(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        writer.text_element("t:BaseShape", self.base_shape.as_str());
        writer.opt_element("t:BodyType", self.body_type);
        if !self.additional_properties.is_empty() {
            writer.start("t:AdditionalProperties", &[]);
            for path in &self.additional_properties {
                path.write(writer);
            }
            writer.end("t:AdditionalProperties");
        }
        writer.end(name);
    }
}

/// Reads a container of folder ids such as `m:FolderIds` or `m:ParentFolderIds`.
pub(crate) fn read_folder_ids(
    reader: &mut XmlReader<'_>,
) -> Result<Vec<crate::types::BaseFolderId>, ParseError> {
    let mut ids = Vec::new();
    while let Some(child) = reader.next_child()? {
        match crate::types::BaseFolderId::read_if(reader, &child)? {
            Some(id) => ids.push(id),
            None => reader.skip()?,
        }
    }
    Ok(ids)
}

/// Writes a container of folder ids.
pub(crate) fn write_folder_ids(
    writer: &mut XmlWriter,
    name: &str,
    ids: &[crate::types::BaseFolderId],
) {
    writer.start(name, &[]);
    for id in ids {
        id.write(writer);
    }
    writer.end(name);
}

/// Reads a container of item ids such as `m:ItemIds`.
pub(crate) fn read_item_ids(
    reader: &mut XmlReader<'_>,
) -> Result<Vec<crate::types::BaseItemId>, ParseError> {
    let mut ids = Vec::new();
    while let Some(child) = reader.next_child()? {
        match crate::types::BaseItemId::read_if(reader, &child)? {
            Some(id) => ids.push(id),
            None => reader.skip()?,
        }
    }
    Ok(ids)
}

/// Writes a container of item ids.
pub(crate) fn write_item_ids(writer: &mut XmlWriter, name: &str, ids: &[crate::types::BaseItemId]) {
    writer.start(name, &[]);
    for id in ids {
        id.write(writer);
    }
    writer.end(name);
}

/// Returns an error unless `start` has the expected local name, for
/// request readers called on the wrong element.
pub(crate) fn expect_element(
    reader: &XmlReader<'_>,
    start: &Element,
    name: &str,
) -> Result<(), ParseError> {
    if start.ns == Ns::Messages && start.name == name {
        return Ok(());
    }
    Err(reader.error(format!("expected `m:{name}`, but found `{}`", start.name)))
}
