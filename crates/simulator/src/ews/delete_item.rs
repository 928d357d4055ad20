//! DeleteItem, with meeting cancellations.

use roombridge_ews::operations::{DeleteItem, DeleteItemResponse};
use roombridge_ews::types::BaseItemId;

use crate::ews::Context;
use crate::ews::convert::message;
use crate::ews::errors::EwsError;
use crate::meeting::{self, DeleteType, Sending};
use crate::model::{ItemKind, ResponseType};

/// Runs DeleteItem and returns one response message per id.
pub(crate) fn delete_item(context: &mut Context<'_>, request: &DeleteItem) -> DeleteItemResponse {
    let delete_type = DeleteType::parse(request.delete_type.as_str())
        .expect("the shared types only read valid values");
    let cancellations = request
        .send_meeting_cancellations
        .map(|value| value.as_str());
    let messages = request
        .item_ids
        .iter()
        .map(|id| message(delete_one(context, id, delete_type, cancellations)))
        .collect();
    DeleteItemResponse { messages }
}

fn delete_one(
    context: &mut Context<'_>,
    id: &BaseItemId,
    delete_type: DeleteType,
    cancellations: Option<&str>,
) -> Result<(), EwsError> {
    let (reference, item, _) = context.resolve_item(id)?;
    let is_calendar = item.calendar.is_some() && item.kind == ItemKind::CalendarItem;
    let sending = match (cancellations, is_calendar) {
        (Some(value), _) => Sending::parse(value).expect("the shared types only read valid values"),
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
