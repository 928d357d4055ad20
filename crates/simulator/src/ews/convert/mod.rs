//! Converts between the simulator's model and the shared EWS wire types of
//! `roombridge-ews`: items, attendees, recurrences and extended properties.

mod from_wire;
mod recurrence;
mod to_wire;

use std::collections::BTreeMap;

use roombridge_ews::types as wire;

use crate::ews::errors::EwsError;
use crate::model::{ExtendedProperty, Item};

pub(crate) use from_wire::{apply_calendar_item, delete_field};
pub(crate) use to_wire::{item_reference, item_to_wire, mailbox};

/// The properties a request asked for, from its ItemShape.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// BaseShape IdOnly without first-class additional properties: only ItemId.
    pub(crate) id_only: bool,
    /// Extended properties requested through ExtendedFieldURI.
    pub(crate) extended: Vec<wire::ExtendedFieldUri>,
}

impl Shape {
    /// Reads an ItemShape.
    pub(crate) fn from_wire(shape: &roombridge_ews::operations::Shape) -> Shape {
        use roombridge_ews::operations::BaseShape;
        let mut extended = Vec::new();
        let mut first_class = false;
        for path in &shape.additional_properties {
            match path {
                wire::PropertyPath::ExtendedFieldUri(uri) => extended.push(uri.clone()),
                _ => first_class = true,
            }
        }
        Shape {
            id_only: shape.base_shape == BaseShape::IdOnly && !first_class,
            extended,
        }
    }
}

/// Returns the ExtendedFieldURI attributes as the model stores them.
pub(crate) fn field_map(uri: &wire::ExtendedFieldUri) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if let Some(set) = uri.distinguished_property_set_id {
        map.insert(
            "DistinguishedPropertySetId".to_string(),
            set.as_str().to_string(),
        );
    }
    if let Some(set) = &uri.property_set_id {
        map.insert("PropertySetId".to_string(), set.clone());
    }
    if let Some(tag) = &uri.property_tag {
        map.insert("PropertyTag".to_string(), tag.clone());
    }
    if let Some(name) = &uri.property_name {
        map.insert("PropertyName".to_string(), name.clone());
    }
    if let Some(id) = uri.property_id {
        map.insert("PropertyId".to_string(), id.to_string());
    }
    map.insert(
        "PropertyType".to_string(),
        uri.property_type.as_str().to_string(),
    );
    map
}

/// Rebuilds an ExtendedFieldURI from the stored attributes.
pub(crate) fn field_uri(map: &BTreeMap<String, String>) -> Option<wire::ExtendedFieldUri> {
    Some(wire::ExtendedFieldUri {
        distinguished_property_set_id: map
            .get("DistinguishedPropertySetId")
            .and_then(|set| wire::DistinguishedPropertySetId::from_wire(set)),
        property_set_id: map.get("PropertySetId").cloned(),
        property_tag: map.get("PropertyTag").cloned(),
        property_name: map.get("PropertyName").cloned(),
        property_id: map.get("PropertyId").and_then(|id| id.parse().ok()),
        property_type: wire::MapiPropertyType::from_wire(map.get("PropertyType")?)?,
    })
}

/// Returns the stored extended property `uri` names.
pub(crate) fn find_extended<'a>(
    item: &'a Item,
    uri: &wire::ExtendedFieldUri,
) -> Option<&'a ExtendedProperty> {
    item.extended
        .iter()
        .find(|property| field_uri(&property.field).is_some_and(|stored| stored.same_property(uri)))
}

/// Converts an internal error to a response message with its code, text
/// and BackOffMilliseconds.
pub(crate) fn error_message<T: wire::ResponseContent>(
    error: &EwsError,
) -> wire::ResponseMessage<T> {
    let mut message = wire::ResponseMessage::error(wire::ResponseCode::from_wire(error.code));
    message.message_text = Some(error.text.clone());
    if let Some(back_off) = error.back_off_ms {
        message.message_xml = vec![wire::MessageXmlValue {
            name: "BackOffMilliseconds".to_string(),
            value: back_off.to_string(),
        }];
    }
    message
}

/// Returns a response message for a result.
pub(crate) fn message<T: wire::ResponseContent>(
    result: Result<T, EwsError>,
) -> wire::ResponseMessage<T> {
    match result {
        Ok(content) => wire::ResponseMessage::success(content),
        Err(error) => error_message(&error),
    }
}
