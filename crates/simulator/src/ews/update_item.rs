//! UpdateItem with change key checks (ConflictResolution) and meeting
//! updates sent to attendees.

use roombridge_ews::operations::{
    ConflictResolution, ItemChange, ItemUpdate, UpdateItem, UpdateItemContent, UpdateItemResponse,
};
use roombridge_ews::types::Item as WireItem;

use crate::ews::Context;
use crate::ews::convert::{apply_calendar_item, delete_field, item_reference, message};
use crate::ews::errors::EwsError;
use crate::ids::{self, ItemRef};
use crate::meeting::{self, Sending};
use crate::model::{Item, OccurrenceOverride};

/// Runs UpdateItem and returns one response message per ItemChange.
pub(crate) fn update_item(context: &mut Context<'_>, request: &UpdateItem) -> UpdateItemResponse {
    let sending = request
        .send_meeting_invitations_or_cancellations
        .map(|value| value.as_str());
    let messages = request
        .item_changes
        .iter()
        .map(|change| {
            message(
                apply_change(context, change, request.conflict_resolution, sending).map(|item| {
                    UpdateItemContent {
                        items: vec![item_reference(&item)],
                        conflict_results: Some(0),
                    }
                }),
            )
        })
        .collect();
    UpdateItemResponse { messages }
}

fn apply_change(
    context: &mut Context<'_>,
    change: &ItemChange,
    resolution: ConflictResolution,
    sending: Option<&str>,
) -> Result<Item, EwsError> {
    let (reference, current, change_key) = context.resolve_item(&change.item_id)?;
    if change_key.is_some_and(|key| key != ids::change_key(&current))
        && resolution == ConflictResolution::NeverOverwrite
    {
        return Err(EwsError::irresolvable_conflict());
    }
    let mut updated = current.clone();
    for update in &change.updates {
        match update {
            ItemUpdate::SetItemField { path, item }
            | ItemUpdate::AppendToItemField { path, item } => match item {
                WireItem::CalendarItem(source) => {
                    apply_calendar_item(context, &mut updated, source, Some(path))?
                }
                _ => {
                    return Err(EwsError::invalid_request(
                        "The simulator updates calendar items only.",
                    ));
                }
            },
            ItemUpdate::DeleteItemField { path } => delete_field(&mut updated, path),
        }
    }
    if let Some(calendar) = &updated.calendar
        && calendar.end < calendar.start
    {
        return Err(EwsError::end_before_start());
    }
    let sending = match (sending, updated.calendar.is_some()) {
        (Some(value), _) => Sending::parse(value).expect("the shared types only read valid values"),
        (None, true) => {
            return Err(EwsError::invalid_request(
                "SendMeetingInvitationsOrCancellations is required for calendar items.",
            ));
        }
        (None, false) => Sending::default(),
    };
    store(context, reference, &current, updated, sending)
}

/// Stores the updated item (or the exception of one occurrence) and sends
/// the update to attendees.
fn store(
    context: &mut Context<'_>,
    reference: ItemRef,
    before: &Item,
    updated: Item,
    sending: Sending,
) -> Result<Item, EwsError> {
    let now = context.now;
    let number = reference.number;
    let master_before = context
        .org
        .items
        .get(&number)
        .cloned()
        .ok_or_else(EwsError::item_not_found)?;
    match reference.occurrence {
        None => {
            let stored = context.org.items.get_mut(&number).expect("resolved above");
            let (version, change_seq, created_seq) =
                (stored.version, stored.change_seq, stored.created_seq);
            *stored = updated;
            stored.version = version;
            stored.change_seq = change_seq;
            stored.created_seq = created_seq;
            context.org.touch(number, now);
        }
        Some(original) => {
            let calendar = updated
                .calendar
                .as_ref()
                .expect("occurrences carry calendar data");
            let old = before
                .calendar
                .as_ref()
                .expect("occurrences carry calendar data");
            let master = context.org.items.get_mut(&number).expect("resolved above");
            let master_calendar = master
                .calendar
                .as_mut()
                .expect("masters carry calendar data");
            let previous_version = master_calendar
                .exceptions
                .get(&original.as_second())
                .map_or(0, |change| change.version);
            master_calendar.exceptions.insert(
                original.as_second(),
                OccurrenceOverride {
                    start: calendar.start,
                    end: calendar.end,
                    subject: (updated.subject != before.subject).then(|| updated.subject.clone()),
                    location: (calendar.location != old.location)
                        .then(|| calendar.location.clone()),
                    version: previous_version + 1,
                    modified: now,
                },
            );
            context.org.touch(number, now);
        }
    }
    meeting::propagate_update(context.org, number, &master_before, sending, now);
    let stored = context
        .org
        .items
        .get(&number)
        .ok_or_else(EwsError::item_not_found)?;
    match reference.occurrence {
        Some(original) => {
            crate::calendar::occurrence(stored, original).ok_or_else(EwsError::item_not_found)
        }
        None => Ok(stored.clone()),
    }
}
