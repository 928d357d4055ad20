//! GetItem.

use crate::ews::errors::EwsError;
use crate::ews::item_write::{Shape, write_item};
use crate::ews::{Context, envelope, item_id_elements};
use crate::xml::{Element, XmlWriter};

/// Answers GetItem with one response message per requested id.
pub(crate) fn get_item(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let mut shape = Shape::parse(request.child("ItemShape"));
    // GetItem with IdOnly still returns every requested additional property;
    // treat an explicit GetItem as asking for the whole item unless it names none.
    if request
        .path(&["ItemShape", "AdditionalProperties"])
        .is_some()
    {
        shape.id_only = false;
    }
    let ids = request
        .child("ItemIds")
        .ok_or_else(|| EwsError::schema_validation("GetItem has no ItemIds"))?;
    envelope::open_response(w, "m:GetItemResponse");
    w.start("m:ResponseMessages", &[]);
    for id in item_id_elements(ids) {
        match context.resolve_item(id) {
            Ok((_, item)) => {
                envelope::open_message(w, "m:GetItemResponseMessage", None);
                w.start("m:Items", &[]);
                write_item(w, &item, &shape);
                w.end();
                w.end();
            }
            Err(error) => {
                envelope::open_message(w, "m:GetItemResponseMessage", Some(&error));
                w.empty("m:Items", &[]);
                w.end();
            }
        }
    }
    w.end();
    w.end();
    Ok(())
}
