//! UpdateItem with change key checks (ConflictResolution) and meeting
//! updates sent to attendees.

use crate::ews::errors::EwsError;
use crate::ews::item_parse::{apply_item_element, delete_field};
use crate::ews::item_write::write_item_id;
use crate::ews::{Context, envelope};
use crate::ids::{self, ItemRef};
use crate::meeting::{self, Sending};
use crate::model::{Item, OccurrenceOverride};
use crate::xml::{Element, XmlWriter};

/// Answers UpdateItem with one response message per ItemChange.
pub(crate) fn update_item(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let changes = request
        .child("ItemChanges")
        .ok_or_else(|| EwsError::schema_validation("UpdateItem has no ItemChanges"))?;
    let resolution = request
        .attribute("ConflictResolution")
        .unwrap_or("AutoResolve");
    let sending = request.attribute("SendMeetingInvitationsOrCancellations");
    envelope::open_response(w, "m:UpdateItemResponse");
    w.start("m:ResponseMessages", &[]);
    for change in changes.children_named("ItemChange") {
        match apply_change(context, change, resolution, sending) {
            Ok(item) => {
                envelope::open_message(w, "m:UpdateItemResponseMessage", None);
                w.start("m:Items", &[]);
                w.start(crate::ews::item_write::element_name(item.kind), &[]);
                write_item_id(w, "t:ItemId", &item);
                w.end();
                w.end();
                w.start("m:ConflictResults", &[]);
                w.leaf("t:Count", "0");
                w.end();
                w.end();
            }
            Err(error) => {
                envelope::open_message(w, "m:UpdateItemResponseMessage", Some(&error));
                w.empty("m:Items", &[]);
                w.end();
            }
        }
    }
    w.end();
    w.end();
    Ok(())
}

fn apply_change(
    context: &mut Context<'_>,
    change: &Element,
    resolution: &str,
    sending: Option<&str>,
) -> Result<Item, EwsError> {
    let id = crate::ews::item_id_elements(change)
        .next()
        .ok_or_else(|| EwsError::schema_validation("ItemChange has no ItemId"))?;
    let (reference, current) = context.resolve_item(id)?;
    if let Some(change_key) = id.attribute("ChangeKey")
        && change_key != ids::change_key(&current)
        && resolution == "NeverOverwrite"
    {
        return Err(EwsError::irresolvable_conflict());
    }
    let updates = change
        .child("Updates")
        .ok_or_else(|| EwsError::schema_validation("ItemChange has no Updates"))?;
    let mut updated = current.clone();
    for update in &updates.children {
        match update.name.as_str() {
            "SetItemField" | "AppendToItemField" => {
                let source = update
                    .children
                    .iter()
                    .find(|child| {
                        !matches!(
                            child.name.as_str(),
                            "FieldURI" | "IndexedFieldURI" | "ExtendedFieldURI"
                        )
                    })
                    .ok_or_else(|| {
                        EwsError::schema_validation(&format!("{} has no item element", update.name))
                    })?;
                apply_item_element(context, &mut updated, source)?;
            }
            "DeleteItemField" => {
                if let Some(path) = update.children.first() {
                    delete_field(&mut updated, path);
                }
            }
            other => {
                return Err(EwsError::schema_validation(&format!(
                    "`{other}` is not an item update"
                )));
            }
        }
    }
    if let Some(calendar) = &updated.calendar
        && calendar.end < calendar.start
    {
        return Err(EwsError::end_before_start());
    }
    let sending = match (sending, updated.calendar.is_some()) {
        (Some(value), _) => Sending::parse(value).ok_or_else(|| {
            EwsError::schema_validation(&format!(
                "`{value}` is not a SendMeetingInvitationsOrCancellations value"
            ))
        })?,
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
