//! CreateItem: calendar items with invitations and the response objects
//! AcceptItem, TentativelyAcceptItem, DeclineItem and CancelCalendarItem.

use roombridge_ews::operations::{
    CreateItem, CreateItemResponse, ItemsContent, NewItem, ResponseObject, ResponseObjectKind,
};
use roombridge_ews::types::{BaseItemId, CalendarItem};

use crate::ews::Context;
use crate::ews::convert::{apply_calendar_item, item_reference, message};
use crate::ews::errors::EwsError;
use crate::ews::item_parse::{blank_calendar, blank_item};
use crate::ids;
use crate::meeting::{self, DeleteType, Sending, WorkflowError};
use crate::model::{Folder, ItemKind, Person, ResponseType};

/// Runs CreateItem and returns one response message per item.
pub(crate) fn create_item(context: &mut Context<'_>, request: &CreateItem) -> CreateItemResponse {
    let disposition = request
        .message_disposition
        .map_or("SaveOnly", |disposition| disposition.as_str());
    let saved_folder = request
        .saved_item_folder_id
        .as_ref()
        .map(|folder| context.resolve_folder(folder));
    let mut messages = Vec::new();
    for item in &request.items {
        let result = match (&saved_folder, item) {
            (Some(Err(error)), _) => Err(error.clone()),
            (folder, NewItem::CalendarItem(calendar)) => {
                let folder = folder
                    .as_ref()
                    .and_then(|folder| folder.as_ref().ok())
                    .map(|(_, folder)| *folder);
                let invitations = request.send_meeting_invitations.map(|value| value.as_str());
                create_calendar_item(context, calendar, invitations, folder)
            }
            (_, NewItem::ResponseObject(object)) => respond(context, object, disposition),
        };
        messages.push(message(result.map(|number| ItemsContent {
            items: vec![item_reference(&context.org.items[&number])],
        })));
    }
    CreateItemResponse { messages }
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
    source: &CalendarItem,
    invitations: Option<&str>,
    folder: Option<Folder>,
) -> Result<u64, EwsError> {
    if folder.is_some_and(|folder| folder != Folder::Calendar) {
        return Err(EwsError::invalid_request(
            "Calendar items can only be saved in the calendar folder.",
        ));
    }
    let invitations = invitations.ok_or_else(|| {
        EwsError::invalid_request("SendMeetingInvitations is required for calendar items.")
    })?;
    let sending = Sending::parse(invitations).expect("the shared types only read valid values");
    let mut item = blank_item(
        ItemKind::CalendarItem,
        &context.mailbox,
        Folder::Calendar,
        context.now,
    );
    item.calendar = Some(blank_calendar(acting_person(context), context.now));
    apply_calendar_item(context, &mut item, source, None)?;
    let calendar = item.calendar.as_ref().expect("set above");
    if calendar.end < calendar.start {
        return Err(EwsError::end_before_start());
    }
    Ok(meeting::create(context.org, item, sending, context.now))
}

fn respond(
    context: &mut Context<'_>,
    object: &ResponseObject,
    disposition: &str,
) -> Result<u64, EwsError> {
    let reference = BaseItemId::ItemId(object.reference_item_id.clone());
    let (reference, item, change_key) = context.resolve_item(&reference)?;
    if change_key.is_some_and(|key| key != ids::change_key(&item)) {
        return Err(EwsError::irresolvable_conflict());
    }
    let number = reference.number;
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
    let response = match object.kind {
        ResponseObjectKind::AcceptItem => ResponseType::Accept,
        ResponseObjectKind::TentativelyAcceptItem => ResponseType::Tentative,
        ResponseObjectKind::DeclineItem => ResponseType::Decline,
        ResponseObjectKind::CancelCalendarItem => {
            return cancel_calendar_item(context, number, disposition);
        }
    };
    let mailbox = context.mailbox.clone();
    meeting::respond(
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
    })
}

fn cancel_calendar_item(
    context: &mut Context<'_>,
    number: u64,
    disposition: &str,
) -> Result<u64, EwsError> {
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
    Ok(number)
}
