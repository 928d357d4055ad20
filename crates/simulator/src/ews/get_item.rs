//! GetItem.

use roombridge_ews::operations::{GetItem, GetItemResponse, ItemsContent};

use crate::ews::Context;
use crate::ews::convert::{Shape, item_to_wire, message};

/// Runs GetItem and returns one response message per requested id.
pub(crate) fn get_item(context: &mut Context<'_>, request: &GetItem) -> GetItemResponse {
    let mut shape = Shape::from_wire(&request.item_shape);
    // GetItem returns the whole item whenever the request names properties.
    if !request.item_shape.additional_properties.is_empty() {
        shape.id_only = false;
    }
    let messages = request
        .item_ids
        .iter()
        .map(|id| {
            message(context.resolve_item(id).map(|(_, item, _)| ItemsContent {
                items: vec![item_to_wire(&item, &shape)],
            }))
        })
        .collect();
    GetItemResponse { messages }
}
