//! DeleteItem (with meeting cancellations) and MoveItem.

use crate::ews::errors::EwsError;
use crate::ews::item_write::write_item_id;
use crate::ews::{Context, envelope, item_id_elements};
use crate::meeting::{self, DeleteType, Sending};
use crate::model::ResponseType;
use crate::xml::{Element, XmlWriter};

/// Answers DeleteItem with one response message per id.
pub(crate) fn delete_item(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let ids = request
        .child("ItemIds")
        .ok_or_else(|| EwsError::schema_validation("DeleteItem has no ItemIds"))?;
    let delete_type = request.attribute("DeleteType").unwrap_or_default();
    let delete_type = DeleteType::parse(delete_type).ok_or_else(|| {
        EwsError::schema_validation(&format!("`{delete_type}` is not a DisposalType value"))
    })?;
    let cancellations = request.attribute("SendMeetingCancellations");
    envelope::open_response(w, "m:DeleteItemResponse");
    w.start("m:ResponseMessages", &[]);
    for id in item_id_elements(ids) {
        match delete_one(context, id, delete_type, cancellations) {
            Ok(()) => envelope::open_message(w, "m:DeleteItemResponseMessage", None),
            Err(error) => envelope::open_message(w, "m:DeleteItemResponseMessage", Some(&error)),
        }
        w.end();
    }
    w.end();
    w.end();
    Ok(())
}

fn delete_one(
    context: &mut Context<'_>,
    id: &Element,
    delete_type: DeleteType,
    cancellations: Option<&str>,
) -> Result<(), EwsError> {
    let (reference, item) = context.resolve_item(id)?;
    let is_calendar = item.calendar.is_some() && item.kind == crate::model::ItemKind::CalendarItem;
    let sending = match (cancellations, is_calendar) {
        (Some(value), _) => Sending::parse(value).ok_or_else(|| {
            EwsError::schema_validation(&format!(
                "`{value}` is not a SendMeetingCancellations value"
            ))
        })?,
        (None, true) => {
            return Err(EwsError::invalid_request(
                "SendMeetingCancellations is required for calendar items.",
            ));
        }
        (None, false) => Sending::default(),
    };
    let now = context.now;
    match reference.occurrence {
        None => meeting::delete(context.org, reference.number, delete_type, sending, now),
        Some(original) => {
            // Deleting one occurrence records it on the series, here and on
            // every attendee copy when the mailbox organises the meeting.
            let before = context
                .org
                .items
                .get(&reference.number)
                .cloned()
                .ok_or_else(EwsError::item_not_found)?;
            let master = context
                .org
                .items
                .get_mut(&reference.number)
                .expect("resolved above");
            let calendar = master
                .calendar
                .as_mut()
                .expect("masters carry calendar data");
            calendar.deleted_occurrences.insert(original.as_second());
            calendar.exceptions.remove(&original.as_second());
            let organizer = calendar.my_response == ResponseType::Organizer;
            context.org.touch(reference.number, now);
            if organizer {
                meeting::propagate_update(context.org, reference.number, &before, sending, now);
            }
        }
    }
    Ok(())
}

/// Answers MoveItem: moves items between the mailbox's folders.
pub(crate) fn move_item(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let target = request
        .child("ToFolderId")
        .and_then(|folder| folder.children.first())
        .ok_or_else(|| EwsError::schema_validation("MoveItem has no ToFolderId"))?;
    let (_, folder) = context.resolve_folder(target)?;
    let ids = request
        .child("ItemIds")
        .ok_or_else(|| EwsError::schema_validation("MoveItem has no ItemIds"))?;
    envelope::open_response(w, "m:MoveItemResponse");
    w.start("m:ResponseMessages", &[]);
    for id in item_id_elements(ids) {
        let moved = context.resolve_item(id).and_then(|(reference, _)| {
            if reference.occurrence.is_some() {
                return Err(EwsError::invalid_operation("Occurrences cannot be moved."));
            }
            context.org.move_to(reference.number, folder, context.now);
            Ok(context.org.items[&reference.number].clone())
        });
        match moved {
            Ok(item) => {
                envelope::open_message(w, "m:MoveItemResponseMessage", None);
                w.start("m:Items", &[]);
                w.start(crate::ews::item_write::element_name(item.kind), &[]);
                write_item_id(w, "t:ItemId", &item);
                w.end();
                w.end();
            }
            Err(error) => {
                envelope::open_message(w, "m:MoveItemResponseMessage", Some(&error));
                w.empty("m:Items", &[]);
            }
        }
        w.end();
    }
    w.end();
    w.end();
    Ok(())
}
