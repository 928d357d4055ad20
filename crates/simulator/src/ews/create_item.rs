//! CreateItem: calendar items with invitations, messages, and the response
//! objects AcceptItem, TentativelyAcceptItem, DeclineItem,
//! CancelCalendarItem and RemoveItem.

use crate::ews::errors::EwsError;
use crate::ews::item_parse::{apply_item_element, blank_calendar, blank_item};
use crate::ews::item_write::write_item_id;
use crate::ews::{Context, envelope};
use crate::meeting::{self, DeleteType, Sending, WorkflowError};
use crate::model::{Folder, ItemKind, Person, ResponseType};
use crate::xml::{Element, XmlWriter};

/// Answers CreateItem with one response message per item.
pub(crate) fn create_item(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let items = request
        .child("Items")
        .ok_or_else(|| EwsError::schema_validation("CreateItem has no Items"))?;
    let disposition = request
        .attribute("MessageDisposition")
        .unwrap_or("SaveOnly");
    let invitations = request.attribute("SendMeetingInvitations");
    let saved_folder = match request
        .child("SavedItemFolderId")
        .and_then(|parent| parent.children.first())
    {
        Some(folder) => Some(context.resolve_folder(folder)?),
        None => None,
    };
    envelope::open_response(w, "m:CreateItemResponse");
    w.start("m:ResponseMessages", &[]);
    for element in &items.children {
        let result = match element.name.as_str() {
            "CalendarItem" => {
                create_calendar_item(context, element, invitations, saved_folder.as_ref())
            }
            "AcceptItem" => respond(context, element, ResponseType::Accept, disposition),
            "TentativelyAcceptItem" => {
                respond(context, element, ResponseType::Tentative, disposition)
            }
            "DeclineItem" => respond(context, element, ResponseType::Decline, disposition),
            "CancelCalendarItem" => cancel_calendar_item(context, element, disposition),
            "RemoveItem" => remove_item(context, element),
            "Message" => create_message(context, element, disposition, saved_folder.as_ref()),
            other => Err(EwsError::invalid_request(&format!(
                "CreateItem cannot create `{other}` items in the simulator."
            ))),
        };
        match result {
            Ok(created) => {
                envelope::open_message(w, "m:CreateItemResponseMessage", None);
                match created {
                    Some(number) => {
                        let item = &context.org.items[&number];
                        w.start("m:Items", &[]);
                        w.start(crate::ews::item_write::element_name(item.kind), &[]);
                        write_item_id(w, "t:ItemId", item);
                        w.end();
                        w.end();
                    }
                    None => {
                        w.empty("m:Items", &[]);
                    }
                }
                w.end();
            }
            Err(error) => {
                envelope::open_message(w, "m:CreateItemResponseMessage", Some(&error));
                w.empty("m:Items", &[]);
                w.end();
            }
        }
    }
    w.end();
    w.end();
    Ok(())
}

fn acting_person(context: &Context<'_>) -> Person {
    let mailbox = context
        .org
        .mailbox(&context.mailbox)
        .expect("the acting mailbox exists");
    Person {
        name: mailbox.name.clone(),
        address: mailbox.address.clone(),
    }
}

fn create_calendar_item(
    context: &mut Context<'_>,
    element: &Element,
    invitations: Option<&str>,
    saved_folder: Option<&(String, Folder)>,
) -> Result<Option<u64>, EwsError> {
    let folder = saved_folder.map_or(Folder::Calendar, |(_, folder)| *folder);
    if folder != Folder::Calendar {
        return Err(EwsError::invalid_request(
            "Calendar items can only be saved in the calendar folder.",
        ));
    }
    let sending = match invitations {
        Some(value) => Sending::parse(value).ok_or_else(|| {
            EwsError::schema_validation(&format!("`{value}` is not a SendMeetingInvitations value"))
        })?,
        None => {
            return Err(EwsError::invalid_request(
                "SendMeetingInvitations is required for calendar items.",
            ));
        }
    };
    let mut item = blank_item(
        ItemKind::CalendarItem,
        &context.mailbox,
        Folder::Calendar,
        context.now,
    );
    item.calendar = Some(blank_calendar(acting_person(context), context.now));
    apply_item_element(context, &mut item, element)?;
    let calendar = item.calendar.as_ref().expect("set above");
    if calendar.end < calendar.start {
        return Err(EwsError::end_before_start());
    }
    Ok(Some(meeting::create(
        context.org,
        item,
        sending,
        context.now,
    )))
}

fn reference(context: &Context<'_>, element: &Element) -> Result<u64, EwsError> {
    let id = element
        .child("ReferenceItemId")
        .ok_or_else(|| EwsError::schema_validation("ReferenceItemId is missing"))?;
    let (reference, item) = context.resolve_item(id)?;
    if let Some(change_key) = id.attribute("ChangeKey")
        && change_key != crate::ids::change_key(&item)
    {
        return Err(EwsError::irresolvable_conflict());
    }
    Ok(reference.number)
}

fn respond(
    context: &mut Context<'_>,
    element: &Element,
    response: ResponseType,
    disposition: &str,
) -> Result<Option<u64>, EwsError> {
    let number = reference(context, element)?;
    let sending = match disposition {
        "SendAndSaveCopy" => Sending {
            send: true,
            save_copy: true,
            only_changed: false,
        },
        "SendOnly" => Sending {
            send: true,
            save_copy: false,
            only_changed: false,
        },
        _ => Sending::default(),
    };
    let mailbox = context.mailbox.clone();
    let copy = meeting::respond(
        context.org,
        &mailbox,
        number,
        response,
        sending,
        context.now,
    )
    .map_err(|error| match error {
        WorkflowError::ItemNotFound => EwsError::item_not_found(),
        WorkflowError::NotAMeeting => EwsError::not_a_meeting(),
    })?;
    Ok(Some(copy))
}

fn cancel_calendar_item(
    context: &mut Context<'_>,
    element: &Element,
    disposition: &str,
) -> Result<Option<u64>, EwsError> {
    let number = reference(context, element)?;
    let item = &context.org.items[&number];
    let is_organizer = item
        .calendar
        .as_ref()
        .is_some_and(|calendar| calendar.my_response == ResponseType::Organizer);
    if !is_organizer {
        return Err(EwsError::not_a_meeting());
    }
    let sending = Sending {
        send: true,
        save_copy: disposition != "SendOnly",
        only_changed: false,
    };
    meeting::delete(
        context.org,
        number,
        DeleteType::MoveToDeletedItems,
        sending,
        context.now,
    );
    Ok(Some(number))
}

fn remove_item(context: &mut Context<'_>, element: &Element) -> Result<Option<u64>, EwsError> {
    let number = reference(context, element)?;
    let item = &context.org.items[&number];
    if item.kind != ItemKind::MeetingCancellation {
        return Err(EwsError::not_a_meeting());
    }
    if let Some(copy) = item.associated_item {
        meeting::delete(
            context.org,
            copy,
            DeleteType::MoveToDeletedItems,
            Sending::default(),
            context.now,
        );
    }
    meeting::delete(
        context.org,
        number,
        DeleteType::MoveToDeletedItems,
        Sending::default(),
        context.now,
    );
    Ok(None)
}

fn create_message(
    context: &mut Context<'_>,
    element: &Element,
    disposition: &str,
    saved_folder: Option<&(String, Folder)>,
) -> Result<Option<u64>, EwsError> {
    let mut item = blank_item(
        ItemKind::Message,
        &context.mailbox,
        Folder::SentItems,
        context.now,
    );
    item.from = Some(acting_person(context));
    apply_item_element(context, &mut item, element)?;
    let send = disposition != "SaveOnly";
    if send {
        for recipient in item.to.clone() {
            if context.org.mailbox(&recipient.address).is_some() {
                let mut delivered = item.clone();
                delivered.mailbox = recipient.address.to_ascii_lowercase();
                delivered.folder = Folder::Inbox;
                context.org.insert(delivered);
            }
        }
    }
    if disposition == "SendOnly" {
        return Ok(None);
    }
    item.folder = if send {
        Folder::SentItems
    } else {
        saved_folder.map_or(Folder::SentItems, |(_, folder)| *folder)
    };
    let number = context.org.insert(item);
    Ok(if send { None } else { Some(number) })
}
