//! The EWS endpoint: parses a SOAP request, applies impersonation and runs
//! the operation against the organisation.
//!
//! Operations answered: GetFolder, FindItem, GetItem, CreateItem (calendar
//! items, messages and the meeting responses AcceptItem,
//! TentativelyAcceptItem, DeclineItem and CancelCalendarItem), UpdateItem,
//! DeleteItem, MoveItem, SyncFolderItems, GetUserAvailability, GetRoomLists,
//! GetRooms, ResolveNames and ConvertId. Any other operation gets an
//! ErrorInvalidRequest fault.

mod availability;
mod create_item;
mod delete_item;
pub(crate) mod envelope;
pub(crate) mod errors;
mod find_item;
mod folders;
mod get_item;
pub(crate) mod item_parse;
pub(crate) mod item_write;
mod names;
mod restriction;
mod sync_folder_items;
mod update_item;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::ids::{self, ItemRef};
use crate::model::{Folder, Item};
use crate::org::Org;
use crate::sync_state::SyncStateKey;
use crate::xml::{Element, XmlWriter};
use errors::EwsError;

/// What the HTTP layer sends back for one EWS request.
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

/// Returns the operation name of a request body, when it parses.
pub(crate) fn operation_name(body: &str) -> Option<String> {
    let root = Element::parse(body).ok()?;
    root.child("Body")?
        .children
        .first()
        .map(|operation| operation.name.clone())
}

/// The state an operation runs with.
pub(crate) struct Context<'a> {
    pub(crate) org: &'a mut Org,
    pub(crate) sync_key: &'a SyncStateKey,
    /// The mailbox the request acts as (the impersonated one, or the principal).
    pub(crate) mailbox: String,
    pub(crate) now: Timestamp,
    /// TimeZoneContext of the request, for times without an offset.
    pub(crate) zone: TimeZone,
}

/// Runs one EWS request for the signed-in `principal`.
pub(crate) fn handle(
    org: &mut Org,
    sync_key: &SyncStateKey,
    principal: &str,
    body: &str,
) -> EwsReply {
    let root = match Element::parse(body) {
        Ok(root) => root,
        Err(error) => {
            return fault_reply(&EwsError::schema_validation(&error.to_string()), "unknown");
        }
    };
    let Some(operation) = root.child("Body").and_then(|body| body.children.first()) else {
        return fault_reply(
            &EwsError::schema_validation("the SOAP Body has no operation element"),
            "unknown",
        );
    };
    let name = operation.name.clone();
    let header = root.child("Header");
    let mailbox = match acting_mailbox(org, principal, header) {
        Ok(mailbox) => mailbox,
        Err(error) => return fault_reply(&error, &name),
    };
    let zone = header
        .and_then(|header| header.path(&["TimeZoneContext", "TimeZoneDefinition"]))
        .and_then(|definition| definition.attribute("Id"))
        .map_or(TimeZone::UTC, crate::tz::zone_for);
    let seq_before = org.seq;
    let mut context = Context {
        org,
        sync_key,
        mailbox,
        now: Timestamp::now(),
        zone,
    };

    let mut w = XmlWriter::new();
    envelope::open(&mut w);
    let result = match name.as_str() {
        "GetFolder" => folders::get_folder(&mut context, operation, &mut w),
        "FindItem" => find_item::find_item(&mut context, operation, &mut w),
        "GetItem" => get_item::get_item(&mut context, operation, &mut w),
        "CreateItem" => create_item::create_item(&mut context, operation, &mut w),
        "UpdateItem" => update_item::update_item(&mut context, operation, &mut w),
        "DeleteItem" => delete_item::delete_item(&mut context, operation, &mut w),
        "MoveItem" => delete_item::move_item(&mut context, operation, &mut w),
        "SyncFolderItems" => sync_folder_items::sync_folder_items(&mut context, operation, &mut w),
        "GetUserAvailabilityRequest" | "GetUserAvailability" => {
            availability::get_user_availability(&mut context, operation, &mut w)
        }
        "GetRoomLists" => names::get_room_lists(&mut context, &mut w),
        "GetRooms" => names::get_rooms(&mut context, operation, &mut w),
        "ResolveNames" => names::resolve_names(&mut context, operation, &mut w),
        "ConvertId" => names::convert_id(&mut context, operation, &mut w),
        other => Err(EwsError::invalid_request(&format!(
            "The operation `{other}` is not supported by the simulator."
        ))),
    };
    if let Err(error) = result {
        return fault_reply(&error, &name);
    }
    envelope::close(&mut w);
    let changed = context.org.seq != seq_before;
    EwsReply {
        status: 200,
        body: w.finish(),
        changed,
        operation: name,
    }
}

/// Applies the ExchangeImpersonation header: returns the mailbox the
/// request acts as.
fn acting_mailbox(
    org: &Org,
    principal: &str,
    header: Option<&Element>,
) -> Result<String, EwsError> {
    let Some(sid) =
        header.and_then(|header| header.path(&["ExchangeImpersonation", "ConnectingSID"]))
    else {
        return Ok(principal.to_string());
    };
    let target = ["PrimarySmtpAddress", "SmtpAddress", "PrincipalName"]
        .iter()
        .find_map(|name| sid.child_text(name))
        .ok_or_else(|| {
            EwsError::invalid_request(
                "ConnectingSID names no PrimarySmtpAddress, SmtpAddress or PrincipalName.",
            )
        })?;
    let caller = org.mailbox(principal).ok_or_else(EwsError::access_denied)?;
    if !caller.can_impersonate() && !caller.address.eq_ignore_ascii_case(target) {
        return Err(EwsError::impersonate_user_denied());
    }
    let mailbox = org
        .mailbox(target)
        .ok_or_else(|| EwsError::non_existent_mailbox(target))?;
    Ok(mailbox.address.clone())
}

impl Context<'_> {
    /// Checks that the request may open `address`'s mailbox.
    pub(crate) fn check_access(&self, address: &str) -> Result<String, EwsError> {
        let mailbox = self
            .org
            .mailbox(address)
            .ok_or_else(|| EwsError::non_existent_mailbox(address))?;
        if mailbox.address != self.mailbox {
            return Err(EwsError::access_denied());
        }
        Ok(mailbox.address.clone())
    }

    /// Resolves a DistinguishedFolderId or FolderId element.
    pub(crate) fn resolve_folder(&self, element: &Element) -> Result<(String, Folder), EwsError> {
        match element.name.as_str() {
            "DistinguishedFolderId" => {
                let id = element.attribute("Id").unwrap_or_default();
                let folder =
                    Folder::from_distinguished_id(id).ok_or_else(EwsError::folder_not_found)?;
                let address = element
                    .path(&["Mailbox", "EmailAddress"])
                    .map(|address| address.text.trim());
                let address = self.check_access(address.unwrap_or(&self.mailbox))?;
                Ok((address, folder))
            }
            "FolderId" => {
                let id = element.attribute("Id").unwrap_or_default();
                let (address, folder) =
                    ids::parse_folder_id(id).ok_or_else(EwsError::invalid_id_malformed)?;
                let address = self.check_access(&address)?;
                Ok((address, folder))
            }
            _ => Err(EwsError::folder_not_found()),
        }
    }

    /// Resolves an ItemId, OccurrenceItemId or RecurringMasterItemId element
    /// to the stored item (or synthesized occurrence) it names.
    pub(crate) fn resolve_item(&self, element: &Element) -> Result<(ItemRef, Item), EwsError> {
        let reference = match element.name.as_str() {
            "OccurrenceItemId" => {
                let master = element.attribute("RecurringMasterId").unwrap_or_default();
                let master =
                    ids::parse_item_id(master).ok_or_else(EwsError::invalid_id_malformed)?;
                let index: usize = element
                    .attribute("InstanceIndex")
                    .and_then(|index| index.parse().ok())
                    .filter(|index| *index >= 1)
                    .ok_or_else(|| {
                        EwsError::invalid_value("InstanceIndex must be a number from 1.")
                    })?;
                let item = self.owned_item(master.number)?;
                let original = nth_occurrence(&item, index).ok_or_else(EwsError::item_not_found)?;
                ItemRef {
                    number: master.number,
                    occurrence: Some(original),
                }
            }
            "RecurringMasterItemId" => {
                let id = element.attribute("OccurrenceId").unwrap_or_default();
                let occurrence =
                    ids::parse_item_id(id).ok_or_else(EwsError::invalid_id_malformed)?;
                ItemRef {
                    number: occurrence.number,
                    occurrence: None,
                }
            }
            _ => {
                let id = element.attribute("Id").unwrap_or_default();
                ids::parse_item_id(id).ok_or_else(EwsError::invalid_id_malformed)?
            }
        };
        let item = self.owned_item(reference.number)?;
        let item = match reference.occurrence {
            Some(original) => {
                crate::calendar::occurrence(&item, original).ok_or_else(EwsError::item_not_found)?
            }
            None => item,
        };
        Ok((reference, item))
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
    let far = jiff::civil::date(9999, 1, 1);
    let dates = recurrence.dates(
        far.min(
            zone.to_datetime(calendar.start)
                .date()
                .saturating_add(jiff::Span::new().years(50)),
        ),
    );
    let date = *dates.get(index - 1)?;
    zone.to_ambiguous_timestamp(date.to_datetime(zone.to_datetime(calendar.start).time()))
        .compatible()
        .ok()
}

/// Reads the items named under an `ItemIds` element, in order.
pub(crate) fn item_id_elements(parent: &Element) -> impl Iterator<Item = &Element> {
    parent.children.iter().filter(|child| {
        matches!(
            child.name.as_str(),
            "ItemId" | "OccurrenceItemId" | "RecurringMasterItemId"
        )
    })
}

/// Formats an instant as EWS sends it: UTC with a `Z`, whole seconds.
pub(crate) fn format_time(timestamp: Timestamp) -> String {
    jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%SZ", timestamp)
        .unwrap_or_else(|_| timestamp.to_string())
}
