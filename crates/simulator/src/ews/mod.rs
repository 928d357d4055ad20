//! The EWS endpoint: reads a SOAP request with the shared `roombridge-ews`
//! types, applies impersonation and runs the operation against the
//! organisation.
//!
//! Operations implemented: GetFolder, FindItem, GetItem, CreateItem (calendar
//! items and the response objects AcceptItem, TentativelyAcceptItem,
//! DeclineItem and CancelCalendarItem), UpdateItem, DeleteItem, MoveItem,
//! SyncFolderItems, GetUserAvailability, GetRoomLists, GetRooms,
//! ResolveNames and ConvertId. Any other operation gets an
//! ErrorInvalidRequest fault.

mod availability;
pub(crate) mod convert;
mod create_item;
mod delete_item;
pub(crate) mod envelope;
pub(crate) mod errors;
mod find_item;
mod folders;
mod get_item;
pub(crate) mod item_parse;
mod move_item;
mod names;
mod restriction;
mod sync_folder_items;
mod update_item;

use jiff::Timestamp;
use roombridge_ews::operation::OperationResponse;
use roombridge_ews::request::{Request, RequestError};
use roombridge_ews::types::{self as wire, BaseFolderId, BaseItemId, ServerVersionInfo};

use crate::ids::{self, ItemRef};
use crate::model::{Folder, Item};
use crate::org::Org;
use crate::sync_state::SyncStateKey;
use errors::EwsError;

/// English month names as MonthNamesType spells them, 1 = January.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The HTTP status and SOAP document for one EWS request.
#[derive(Debug)]
pub(crate) struct EwsReply {
    /// HTTP status: 200, or 500 for a SOAP Fault.
    pub(crate) status: u16,
    /// The SOAP document.
    pub(crate) body: String,
    /// Whether the operation changed the organisation.
    pub(crate) changed: bool,
    /// Name of the operation, for logs and fault rules.
    pub(crate) operation: String,
}

/// Returns a SOAP Fault reply.
pub(crate) fn fault_reply(error: &EwsError, operation: &str) -> EwsReply {
    EwsReply {
        status: 500,
        body: envelope::fault(error),
        changed: false,
        operation: operation.to_string(),
    }
}

/// Returns the local name of the first element inside the SOAP Body,
/// reading no further than that element's start tag.
pub(crate) fn operation_name(body: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    let mut in_body = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) | Event::Empty(start) => {
                let name = start.local_name();
                if in_body {
                    return Some(name.as_ref().to_string());
                }
                in_body = name.as_ref() == "Body";
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The ServerVersionInfo every response carries: an Exchange Server 2016
/// cumulative update (build 15.1.2507), whose schema version is V2017_07_11.
pub(crate) fn server_version_info() -> ServerVersionInfo {
    ServerVersionInfo {
        major_version: Some(15),
        minor_version: Some(1),
        major_build_number: Some(2507),
        minor_build_number: Some(6),
        version: Some("V2017_07_11".to_string()),
    }
}

/// Writes a whole response document.
fn respond<R: OperationResponse>(response: &R) -> String {
    roombridge_ews::envelope::response_xml(Some(&server_version_info()), response)
}

/// The state an operation runs with.
pub(crate) struct Context<'a> {
    pub(crate) org: &'a mut Org,
    pub(crate) sync_key: &'a SyncStateKey,
    /// The mailbox the request acts as (the impersonated one, or the principal).
    pub(crate) mailbox: String,
    pub(crate) now: Timestamp,
    /// TimeZoneContext of the request, for restriction constants without an offset.
    pub(crate) zone: jiff::tz::TimeZone,
}

/// Runs one EWS request for the signed-in `principal`.
pub(crate) fn handle(
    org: &mut Org,
    sync_key: &SyncStateKey,
    principal: &str,
    body: &str,
) -> EwsReply {
    let (header, request) = match Request::parse_envelope(body) {
        Ok(parsed) => parsed,
        Err(RequestError::UnsupportedOperation(name)) => {
            let error = EwsError::invalid_request(&format!(
                "The operation `{name}` is not supported by the simulator."
            ));
            return fault_reply(&error, &name);
        }
        Err(RequestError::Malformed(error)) => {
            return fault_reply(&EwsError::schema_validation(&error.to_string()), "unknown");
        }
    };
    let name = request.operation_name();
    let target = header
        .impersonation
        .as_ref()
        .map(|impersonation| impersonation.connecting_sid.value().to_string());
    let mailbox = match acting_mailbox(org, principal, target.as_deref()) {
        Ok(mailbox) => mailbox,
        Err(error) => return fault_reply(&error, name),
    };
    if let Err(error) = check_schema_limits(&request) {
        return fault_reply(&error, name);
    }
    let seq_before = org.seq;
    let zone = header
        .time_zone_context
        .as_ref()
        .and_then(|definition| definition.id.as_deref())
        .map_or(jiff::tz::TimeZone::UTC, crate::tz::zone_for);
    let mut context = Context {
        org,
        sync_key,
        mailbox,
        now: Timestamp::now(),
        zone,
    };
    let body = match &request {
        Request::GetFolder(request) => respond(&folders::get_folder(&mut context, request)),
        Request::FindItem(request) => respond(&find_item::find_item(&mut context, request)),
        Request::GetItem(request) => respond(&get_item::get_item(&mut context, request)),
        Request::CreateItem(request) => respond(&create_item::create_item(&mut context, request)),
        Request::UpdateItem(request) => respond(&update_item::update_item(&mut context, request)),
        Request::DeleteItem(request) => respond(&delete_item::delete_item(&mut context, request)),
        Request::MoveItem(request) => match move_item::move_item(&mut context, request) {
            Ok(response) => respond(&response),
            Err(error) => return fault_reply(&error, name),
        },
        Request::SyncFolderItems(request) => {
            respond(&sync_folder_items::sync_folder_items(&mut context, request))
        }
        Request::GetUserAvailability(request) => {
            match availability::get_user_availability(&mut context, request) {
                Ok(response) => respond(&response),
                Err(error) => return fault_reply(&error, name),
            }
        }
        Request::GetRoomLists(_) => respond(&names::get_room_lists(&mut context)),
        Request::GetRooms(request) => respond(&names::get_rooms(&mut context, request)),
        Request::ResolveNames(request) => respond(&names::resolve_names(&mut context, request)),
        Request::ConvertId(request) => respond(&names::convert_id(&mut context, request)),
    };
    let changed = context.org.seq != seq_before;
    EwsReply {
        status: 200,
        body,
        changed,
        operation: name.to_string(),
    }
}

/// Rejects values the schema forbids but the shared types accept, as
/// Exchange does before running the operation.
fn check_schema_limits(request: &Request) -> Result<(), EwsError> {
    // The schema's NonEmptyArray types need at least one entry, and a
    // response without a response message is itself invalid. An empty list
    // also results when a client binds the types namespace to a wrong URI,
    // so that every entry is skipped as unknown.
    let empty = match request {
        Request::GetFolder(request) => request.folder_ids.is_empty().then_some("FolderIds"),
        Request::FindItem(request) => request
            .parent_folder_ids
            .is_empty()
            .then_some("ParentFolderIds"),
        Request::GetItem(request) => request.item_ids.is_empty().then_some("ItemIds"),
        Request::CreateItem(request) => request.items.is_empty().then_some("Items"),
        Request::UpdateItem(request) => request.item_changes.is_empty().then_some("ItemChanges"),
        Request::DeleteItem(request) => request.item_ids.is_empty().then_some("ItemIds"),
        Request::MoveItem(request) => request.item_ids.is_empty().then_some("ItemIds"),
        Request::ConvertId(request) => request.source_ids.is_empty().then_some("SourceIds"),
        _ => None,
    };
    if let Some(element) = empty {
        return Err(EwsError::schema_validation(&format!(
            "`{element}` must contain at least one element in the types namespace"
        )));
    }
    if let Request::SyncFolderItems(sync) = request
        && !(1..=512).contains(&sync.max_changes_returned)
    {
        let max = sync.max_changes_returned;
        return Err(EwsError::schema_validation(&format!(
            "MaxChangesReturned `{max}` must be a number from 1 to 512"
        )));
    }
    Ok(())
}

/// Applies the ExchangeImpersonation header: returns the mailbox the
/// request acts as.
pub(crate) fn acting_mailbox(
    org: &Org,
    principal: &str,
    target: Option<&str>,
) -> Result<String, EwsError> {
    let Some(target) = target else {
        return Ok(principal.to_string());
    };
    let caller = org.mailbox(principal).ok_or_else(EwsError::access_denied)?;
    if !caller.can_impersonate() && !caller.address.eq_ignore_ascii_case(target) {
        return Err(EwsError::impersonate_user_denied());
    }
    let mailbox = org
        .mailbox(target)
        .ok_or_else(|| EwsError::non_existent_mailbox(target))?;
    Ok(mailbox.address.clone())
}

/// Checks that a request acting as `acting` may open `address`'s mailbox.
pub(crate) fn check_access(org: &Org, acting: &str, address: &str) -> Result<String, EwsError> {
    let mailbox = org
        .mailbox(address)
        .ok_or_else(|| EwsError::non_existent_mailbox(address))?;
    if mailbox.address != acting {
        return Err(EwsError::access_denied());
    }
    Ok(mailbox.address.clone())
}

impl Context<'_> {
    /// Resolves a FolderId or DistinguishedFolderId.
    pub(crate) fn resolve_folder(
        &self,
        folder: &BaseFolderId,
    ) -> Result<(String, Folder), EwsError> {
        match folder {
            BaseFolderId::DistinguishedFolderId(distinguished) => {
                let folder = Folder::from_distinguished_id(distinguished.id.as_str())
                    .ok_or_else(EwsError::folder_not_found)?;
                let address = distinguished
                    .mailbox
                    .as_ref()
                    .and_then(|mailbox| mailbox.email_address.as_deref());
                let address =
                    check_access(self.org, &self.mailbox, address.unwrap_or(&self.mailbox))?;
                Ok((address, folder))
            }
            BaseFolderId::FolderId(id) => {
                let (address, folder) =
                    ids::parse_folder_id(&id.id).ok_or_else(EwsError::invalid_id_malformed)?;
                let address = check_access(self.org, &self.mailbox, &address)?;
                Ok((address, folder))
            }
        }
    }

    /// Resolves an ItemId, OccurrenceItemId or RecurringMasterItemId to the
    /// stored item (or synthesized occurrence) it names, with the change
    /// key the request carried.
    pub(crate) fn resolve_item(
        &self,
        id: &BaseItemId,
    ) -> Result<(ItemRef, Item, Option<String>), EwsError> {
        let (reference, change_key) = match id {
            BaseItemId::OccurrenceItemId(occurrence) => {
                let master = ids::parse_item_id(&occurrence.recurring_master_id)
                    .ok_or_else(EwsError::invalid_id_malformed)?;
                if occurrence.instance_index == 0 {
                    return Err(EwsError::invalid_value(
                        "InstanceIndex must be a number from 1.",
                    ));
                }
                let item = self.owned_item(master.number)?;
                let original = nth_occurrence(&item, occurrence.instance_index as usize)
                    .ok_or_else(EwsError::item_not_found)?;
                (
                    ItemRef {
                        number: master.number,
                        occurrence: Some(original),
                    },
                    None,
                )
            }
            BaseItemId::RecurringMasterItemId(master) => {
                let occurrence = ids::parse_item_id(&master.occurrence_id)
                    .ok_or_else(EwsError::invalid_id_malformed)?;
                (
                    ItemRef {
                        number: occurrence.number,
                        occurrence: None,
                    },
                    None,
                )
            }
            BaseItemId::ItemId(id) => (
                ids::parse_item_id(&id.id).ok_or_else(EwsError::invalid_id_malformed)?,
                id.change_key.clone(),
            ),
        };
        let item = self.owned_item(reference.number)?;
        let item = match reference.occurrence {
            Some(original) => {
                crate::calendar::occurrence(&item, original).ok_or_else(EwsError::item_not_found)?
            }
            None => item,
        };
        Ok((reference, item, change_key))
    }

    fn owned_item(&self, number: u64) -> Result<Item, EwsError> {
        let item = self
            .org
            .items
            .get(&number)
            .ok_or_else(EwsError::item_not_found)?;
        if item.mailbox != self.mailbox {
            return Err(EwsError::item_not_found());
        }
        Ok(item.clone())
    }
}

impl Context<'_> {
    /// Parses an xs:dateTime; times without an offset are read in the
    /// request's TimeZoneContext.
    pub(crate) fn parse_time(&self, text: &str) -> Result<Timestamp, EwsError> {
        let text = text.trim();
        if let Ok(timestamp) = text.parse::<Timestamp>() {
            return Ok(timestamp);
        }
        let civil: jiff::civil::DateTime = text.parse().map_err(|_| {
            EwsError::schema_validation(&format!("`{text}` is not a valid xs:dateTime"))
        })?;
        self.zone
            .to_ambiguous_timestamp(civil)
            .compatible()
            .map_err(|_| {
                EwsError::schema_validation(&format!(
                    "`{text}` does not exist in the request's time zone"
                ))
            })
    }
}

/// Returns the original start of the `index`-th (from 1) occurrence of a series.
fn nth_occurrence(master: &Item, index: usize) -> Option<Timestamp> {
    let calendar = master.calendar.as_ref()?;
    let recurrence = calendar.recurrence.as_ref()?;
    let zone = crate::tz::zone_for(&calendar.start_time_zone);
    let first = zone.to_datetime(calendar.start);
    let until = first.date().saturating_add(jiff::Span::new().years(50));
    let date = *recurrence.dates(until).get(index.checked_sub(1)?)?;
    zone.to_ambiguous_timestamp(date.to_datetime(first.time()))
        .compatible()
        .ok()
}

/// Returns the wire ItemId of a stored item number, without change key.
pub(crate) fn wire_item_id(number: u64) -> wire::ItemId {
    wire::ItemId::new(ids::item_id_for_number(number))
}
