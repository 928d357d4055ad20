//! [`ExchangeBackend`] over Exchange Web Services with `roombridge-ews`.
//!
//! Every call impersonates the mailbox it acts on. The room calendar's
//! change feed is `SyncFolderItems` with an `IdOnly` shape; details come
//! from `GetItem` in batches, because `FindItem` returns neither bodies nor
//! recipient lists (Microsoft, "Email properties and elements in EWS in
//! Exchange", which lists what FindItem leaves out). Occurrences of recurring series come from a
//! `CalendarView`. The booking id is stamped as a named string property in
//! the `PublicStrings` property set.

use std::collections::HashSet;

use futures::FutureExt;
use futures::future::BoxFuture;
use jiff::Timestamp;
use roombridge_domain::{Attendee, AttendeeRole};
use roombridge_ews::operations::{
    BaseShape, BodyTypeResponse, Comparison, ConflictResolution, CreateItem, DeleteItem,
    DisposalType, FindItem, GetItem, ItemChange, ItemQueryTraversal, ItemUpdate, ResponseObject,
    ResponseObjectKind, SearchExpression, SendMeetingInvitations,
    SendMeetingInvitationsOrCancellations, Shape, SyncChange, SyncFolderItems, UpdateItem, View,
};
use roombridge_ews::types::paths::{self, CALENDAR_SYNC_PROPERTIES};
use roombridge_ews::types::{
    BaseItemId, Body, CalendarItem, CalendarItemType, DistinguishedFolderId,
    DistinguishedFolderIdName, DistinguishedPropertySetId, ExtendedFieldUri, ExtendedProperty,
    ExtendedValue, ItemId, LegacyFreeBusyType, MapiPropertyType, PropertyPath, ResponseClass,
    ResponseCode, ResponseType, TimeZoneDefinition,
};
use roombridge_ews::{EwsClient, EwsError};
use uuid::Uuid;

use crate::backend::{
    BackendError, BackendErrorKind, BackendResult, ChangePage, ExchangeBackend, FeedChange,
    MeetingDraft, MeetingKind, RemoteAttendee, RemoteId, RemoteMeeting, Response,
};

/// Name of the named property that carries the booking id.
pub const BOOKING_ID_PROPERTY: &str = "RoombridgeBookingId";

/// Changes per `SyncFolderItems` page; EWS accepts 1 to 512.
const SYNC_PAGE_SIZE: u32 = 256;

/// Item ids per `GetItem` request.
const GET_ITEM_BATCH: usize = 50;

/// [`ExchangeBackend`] over EWS.
#[derive(Debug, Clone)]
pub struct EwsBackend {
    client: EwsClient,
    /// Lower-case mail domains whose mailboxes may be impersonated; empty
    /// allows every domain.
    impersonation_domains: Vec<String>,
}

impl EwsBackend {
    /// Creates a backend that sends every call through `client`.
    pub fn new(client: EwsClient) -> EwsBackend {
        EwsBackend {
            client,
            impersonation_domains: Vec::new(),
        }
    }

    /// Limits impersonation to mailboxes in `domains` (such as
    /// `example.com`); a call for any other mailbox fails with
    /// [`BackendErrorKind::AccessDenied`] before a request is sent. An
    /// empty list allows every domain.
    pub fn with_impersonation_domains<I, S>(mut self, domains: I) -> EwsBackend
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.impersonation_domains = domains
            .into_iter()
            .map(|domain| domain.as_ref().trim().to_ascii_lowercase())
            .collect();
        self
    }

    /// Sends `request` impersonating `mailbox`, once its domain is allowed.
    async fn call<O: roombridge_ews::operation::Operation>(
        &self,
        mailbox: &str,
        request: &O,
    ) -> BackendResult<O::Response> {
        self.check_domain(mailbox)?;
        self.client
            .call(Some(mailbox), request)
            .await
            .map_err(map_error)
    }

    /// Fails unless `mailbox` is in one of the allowed domains.
    fn check_domain(&self, mailbox: &str) -> BackendResult<()> {
        if self.impersonation_domains.is_empty() {
            return Ok(());
        }
        let domain = mailbox
            .rsplit_once('@')
            .map(|(_, domain)| domain.to_ascii_lowercase());
        if domain.is_some_and(|domain| self.impersonation_domains.contains(&domain)) {
            return Ok(());
        }
        Err(BackendError::new(
            BackendErrorKind::AccessDenied,
            format!(
                "roombridge may not act as `{mailbox}`: its domain is not in \
                 exchange.impersonation_domains ({}); add the domain there or \
                 book with an organizer of an allowed domain",
                self.impersonation_domains.join(", ")
            ),
        ))
    }

    async fn read_changes_page(
        &self,
        room: &str,
        cursor: Option<&str>,
    ) -> BackendResult<ChangePage> {
        let request = SyncFolderItems {
            item_shape: Shape::new(BaseShape::IdOnly),
            sync_folder_id: calendar(),
            sync_state: cursor.map(str::to_owned),
            ignore: Vec::new(),
            max_changes_returned: SYNC_PAGE_SIZE,
            sync_scope: None,
        };
        let response = self.call(room, &request).await?;
        let message = single_message("SyncFolderItems", room, response.messages)?;
        let changes = message
            .changes
            .into_iter()
            .filter_map(|change| match change {
                SyncChange::Create(item) | SyncChange::Update(item) => {
                    item.item_id().map(|id| FeedChange::Upsert(id.id.clone()))
                }
                SyncChange::Delete(id) => Some(FeedChange::Delete(id.id)),
                _ => None,
            })
            .collect();
        let cursor = message.sync_state.ok_or_else(|| {
            BackendError::new(
                BackendErrorKind::Rejected,
                format!("SyncFolderItems on room `{room}` returned no SyncState"),
            )
        })?;
        Ok(ChangePage {
            changes,
            cursor,
            last_page: message.includes_last_item_in_range.unwrap_or(true),
        })
    }

    async fn fetch(&self, mailbox: &str, item_ids: &[String]) -> BackendResult<Vec<RemoteMeeting>> {
        let mut meetings = Vec::with_capacity(item_ids.len());
        for batch in item_ids.chunks(GET_ITEM_BATCH) {
            let request = GetItem {
                item_shape: detail_shape(),
                item_ids: batch
                    .iter()
                    .map(|id| BaseItemId::ItemId(ItemId::new(id.clone())))
                    .collect(),
            };
            let response = self.call(mailbox, &request).await?;
            for message in response.messages {
                if message.response_code == ResponseCode::ErrorItemNotFound {
                    continue;
                }
                let content = message_content("GetItem", mailbox, message)?;
                meetings.extend(
                    content
                        .items
                        .iter()
                        .filter_map(|item| item.as_calendar_item())
                        .filter_map(remote_meeting),
                );
            }
        }
        Ok(meetings)
    }

    async fn view(
        &self,
        mailbox: &str,
        from: Timestamp,
        to: Timestamp,
        skip: &HashSet<String>,
    ) -> BackendResult<Vec<RemoteMeeting>> {
        let request = FindItem {
            traversal: ItemQueryTraversal::Shallow,
            item_shape: Shape::new(BaseShape::IdOnly),
            view: Some(View::CalendarView {
                max_entries_returned: None,
                start_date: from,
                end_date: to,
            }),
            restriction: None,
            sort_order: Vec::new(),
            parent_folder_ids: vec![calendar()],
        };
        let response = self.call(mailbox, &request).await?;
        let content = single_message("FindItem", mailbox, response.messages)?;
        let ids: Vec<String> = content
            .items
            .iter()
            .filter_map(|item| item.item_id().map(|id| id.id.clone()))
            .filter(|id| !skip.contains(id))
            .collect();
        self.fetch(mailbox, &ids).await
    }

    async fn find(
        &self,
        organizer: &str,
        booking_id: Uuid,
    ) -> BackendResult<Option<RemoteMeeting>> {
        let request = FindItem {
            traversal: ItemQueryTraversal::Shallow,
            item_shape: Shape::new(BaseShape::IdOnly),
            view: None,
            restriction: Some(SearchExpression::compare(
                Comparison::IsEqualTo,
                booking_id_path(),
                booking_id.to_string(),
            )),
            sort_order: Vec::new(),
            parent_folder_ids: vec![calendar()],
        };
        let response = self.call(organizer, &request).await?;
        let content = single_message("FindItem", organizer, response.messages)?;
        let ids: Vec<String> = content
            .items
            .iter()
            .filter_map(|item| item.item_id().map(|id| id.id.clone()))
            .collect();
        let found = self.fetch(organizer, &ids).await?;
        Ok(found
            .into_iter()
            .find(|meeting| meeting.booking_id == Some(booking_id)))
    }

    async fn create(&self, draft: &MeetingDraft) -> BackendResult<RemoteMeeting> {
        let mut item = draft_item(draft);
        item.extended_properties = vec![ExtendedProperty {
            field_uri: booking_id_uri(),
            value: ExtendedValue::Single(draft.booking_id.to_string()),
        }];
        let request = CreateItem::calendar_items(
            Some(calendar()),
            SendMeetingInvitations::SendToAllAndSaveCopy,
            vec![item],
        );
        let organizer = draft.organizer.as_str();
        let response = self.call(organizer, &request).await?;
        let content = single_message("CreateItem", organizer, response.messages)?;
        let id = content
            .items
            .iter()
            .find_map(|item| item.item_id().cloned())
            .ok_or_else(|| {
                BackendError::new(
                    BackendErrorKind::Rejected,
                    format!("CreateItem for `{organizer}` returned no ItemId"),
                )
            })?;
        let mut created = self.fetch(organizer, std::slice::from_ref(&id.id)).await?;
        created.pop().ok_or_else(|| {
            BackendError::new(
                BackendErrorKind::NotFound,
                format!("the meeting created for `{organizer}` could not be read back"),
            )
        })
    }

    async fn update(&self, draft: &MeetingDraft, id: &RemoteId) -> BackendResult<RemoteId> {
        let item = draft_item(draft);
        let set = |uri: &str, value: CalendarItem| {
            ItemUpdate::set_calendar(PropertyPath::field(uri), value)
        };
        let mut updates = vec![
            set(
                paths::ITEM_SUBJECT,
                CalendarItem {
                    subject: item.subject.clone(),
                    ..CalendarItem::default()
                },
            ),
            set(
                paths::ITEM_BODY,
                CalendarItem {
                    body: item.body.clone(),
                    ..CalendarItem::default()
                },
            ),
            set(
                paths::CALENDAR_START,
                CalendarItem {
                    start: item.start,
                    ..CalendarItem::default()
                },
            ),
            set(
                paths::CALENDAR_END,
                CalendarItem {
                    end: item.end,
                    ..CalendarItem::default()
                },
            ),
            set(
                paths::CALENDAR_IS_ALL_DAY_EVENT,
                CalendarItem {
                    is_all_day_event: item.is_all_day_event,
                    ..CalendarItem::default()
                },
            ),
            set(
                paths::CALENDAR_LOCATION,
                CalendarItem {
                    location: item.location.clone(),
                    ..CalendarItem::default()
                },
            ),
            set(
                paths::CALENDAR_RESOURCES,
                CalendarItem {
                    resources: item.resources.clone(),
                    ..CalendarItem::default()
                },
            ),
        ];
        if item.start_time_zone.is_some() {
            updates.push(set(
                paths::CALENDAR_START_TIME_ZONE,
                CalendarItem {
                    start_time_zone: item.start_time_zone.clone(),
                    ..CalendarItem::default()
                },
            ));
            updates.push(set(
                paths::CALENDAR_END_TIME_ZONE,
                CalendarItem {
                    end_time_zone: item.end_time_zone.clone(),
                    ..CalendarItem::default()
                },
            ));
        }
        // An empty list cannot be set (the schema requires one attendee),
        // so it is deleted instead.
        for (uri, list) in [
            (paths::CALENDAR_REQUIRED_ATTENDEES, &item.required_attendees),
            (paths::CALENDAR_OPTIONAL_ATTENDEES, &item.optional_attendees),
        ] {
            if list.is_empty() {
                updates.push(ItemUpdate::DeleteItemField {
                    path: PropertyPath::field(uri),
                });
            } else {
                let mut value = CalendarItem::default();
                if uri == paths::CALENDAR_REQUIRED_ATTENDEES {
                    value.required_attendees = list.clone();
                } else {
                    value.optional_attendees = list.clone();
                }
                updates.push(set(uri, value));
            }
        }
        let item_id = match &id.change_key {
            Some(key) => ItemId::with_change_key(id.item_id.clone(), key.clone()),
            None => ItemId::new(id.item_id.clone()),
        };
        let request = UpdateItem {
            conflict_resolution: ConflictResolution::NeverOverwrite,
            message_disposition: None,
            send_meeting_invitations_or_cancellations: Some(
                SendMeetingInvitationsOrCancellations::SendToChangedAndSaveCopy,
            ),
            suppress_read_receipts: None,
            saved_item_folder_id: None,
            item_changes: vec![ItemChange {
                item_id: BaseItemId::ItemId(item_id),
                updates,
            }],
        };
        let organizer = draft.organizer.as_str();
        let response = self.call(organizer, &request).await?;
        let content = single_message("UpdateItem", organizer, response.messages)?;
        let updated = content
            .items
            .iter()
            .find_map(|item| item.item_id().cloned())
            .unwrap_or_else(|| ItemId::new(id.item_id.clone()));
        Ok(RemoteId {
            item_id: updated.id,
            change_key: updated.change_key,
        })
    }

    async fn cancel(&self, organizer: &str, id: &RemoteId) -> BackendResult<()> {
        let request = DeleteItem {
            delete_type: DisposalType::MoveToDeletedItems,
            send_meeting_cancellations: Some(SendMeetingInvitations::SendToAllAndSaveCopy),
            affected_task_occurrences: None,
            suppress_read_receipts: None,
            item_ids: vec![BaseItemId::ItemId(ItemId::new(id.item_id.clone()))],
        };
        let response = self.call(organizer, &request).await?;
        single_message("DeleteItem", organizer, response.messages)
    }

    async fn respond(
        &self,
        room: &str,
        id: &RemoteId,
        accept: bool,
        reason: Option<&str>,
    ) -> BackendResult<()> {
        let kind = if accept {
            ResponseObjectKind::AcceptItem
        } else {
            ResponseObjectKind::DeclineItem
        };
        let reference = match &id.change_key {
            Some(key) => ItemId::with_change_key(id.item_id.clone(), key.clone()),
            None => ItemId::new(id.item_id.clone()),
        };
        let mut object = ResponseObject::new(kind, reference);
        object.body = reason.map(Body::text);
        let request = CreateItem::responses(vec![object]);
        let response = self.call(room, &request).await?;
        single_message("CreateItem", room, response.messages).map(|_| ())
    }
}

impl ExchangeBackend for EwsBackend {
    fn read_changes<'a>(
        &'a self,
        room: &'a str,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, BackendResult<ChangePage>> {
        self.read_changes_page(room, cursor).boxed()
    }

    fn fetch_meetings<'a>(
        &'a self,
        mailbox: &'a str,
        item_ids: &'a [String],
    ) -> BoxFuture<'a, BackendResult<Vec<RemoteMeeting>>> {
        self.fetch(mailbox, item_ids).boxed()
    }

    fn calendar_view<'a>(
        &'a self,
        mailbox: &'a str,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'a, BackendResult<Vec<RemoteMeeting>>> {
        async move { self.view(mailbox, from, to, &HashSet::new()).await }.boxed()
    }

    fn calendar_view_except<'a>(
        &'a self,
        mailbox: &'a str,
        from: Timestamp,
        to: Timestamp,
        skip: &'a HashSet<String>,
    ) -> BoxFuture<'a, BackendResult<Vec<RemoteMeeting>>> {
        self.view(mailbox, from, to, skip).boxed()
    }

    fn find_by_booking_id<'a>(
        &'a self,
        organizer: &'a str,
        booking_id: Uuid,
    ) -> BoxFuture<'a, BackendResult<Option<RemoteMeeting>>> {
        self.find(organizer, booking_id).boxed()
    }

    fn create_meeting<'a>(
        &'a self,
        draft: &'a MeetingDraft,
    ) -> BoxFuture<'a, BackendResult<RemoteMeeting>> {
        self.create(draft).boxed()
    }

    fn update_meeting<'a>(
        &'a self,
        draft: &'a MeetingDraft,
        id: &'a RemoteId,
    ) -> BoxFuture<'a, BackendResult<RemoteId>> {
        self.update(draft, id).boxed()
    }

    fn cancel_meeting<'a>(
        &'a self,
        organizer: &'a str,
        id: &'a RemoteId,
    ) -> BoxFuture<'a, BackendResult<()>> {
        self.cancel(organizer, id).boxed()
    }

    fn respond_as_room<'a>(
        &'a self,
        room: &'a str,
        id: &'a RemoteId,
        accept: bool,
        reason: Option<&'a str>,
    ) -> BoxFuture<'a, BackendResult<()>> {
        self.respond(room, id, accept, reason).boxed()
    }
}

fn calendar() -> roombridge_ews::types::BaseFolderId {
    DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into()
}

fn booking_id_uri() -> ExtendedFieldUri {
    ExtendedFieldUri::named(
        DistinguishedPropertySetId::PublicStrings,
        BOOKING_ID_PROPERTY,
        MapiPropertyType::String,
    )
}

fn booking_id_path() -> PropertyPath {
    PropertyPath::ExtendedFieldUri(booking_id_uri())
}

/// Returns the shape read for every meeting: the calendar sync set, the
/// body as plain text and the booking id.
fn detail_shape() -> Shape {
    let mut shape = Shape::id_only_with(CALENDAR_SYNC_PROPERTIES);
    shape.body_type = Some(BodyTypeResponse::Text);
    shape
        .additional_properties
        .push(PropertyPath::field(paths::CALENDAR_LEGACY_FREE_BUSY_STATUS));
    shape.additional_properties.push(booking_id_path());
    shape
}

fn draft_item(draft: &MeetingDraft) -> CalendarItem {
    let windows_zone = roombridge_ews::timezone::iana_to_windows(&draft.time_zone);
    let zone = windows_zone.map(TimeZoneDefinition::id);
    let (required, optional): (Vec<&Attendee>, Vec<&Attendee>) = draft
        .attendees
        .iter()
        .partition(|attendee| attendee.role == AttendeeRole::Required);
    let to_ews = |attendee: &&Attendee| {
        let mut converted = roombridge_ews::types::Attendee::smtp(attendee.address.clone());
        converted.mailbox.name = attendee.name.clone();
        converted
    };
    CalendarItem {
        subject: Some(draft.subject.clone()),
        body: Some(Body::text(draft.body.clone())),
        start: Some(draft.start),
        end: Some(draft.end),
        is_all_day_event: Some(draft.all_day),
        location: Some(draft.room_name.clone()),
        required_attendees: required.iter().map(to_ews).collect(),
        optional_attendees: optional.iter().map(to_ews).collect(),
        resources: vec![roombridge_ews::types::Attendee::smtp(draft.room.clone())],
        start_time_zone: zone.clone(),
        end_time_zone: zone,
        ..CalendarItem::default()
    }
}

/// Converts a calendar item read with [`detail_shape`]; `None` without a
/// UID, start or end, which every meeting has.
fn remote_meeting(item: &CalendarItem) -> Option<RemoteMeeting> {
    let id = item.item_id.as_ref()?;
    let time_zone = item
        .start_time_zone
        .as_ref()
        .and_then(|zone| zone.id.as_deref())
        .and_then(roombridge_ews::timezone::windows_to_iana)
        .unwrap_or("UTC");
    let kind = match item.calendar_item_type {
        Some(CalendarItemType::RecurringMaster) => MeetingKind::SeriesMaster,
        Some(CalendarItemType::Occurrence | CalendarItemType::Exception) => MeetingKind::Occurrence,
        _ => MeetingKind::Single,
    };
    let booking_id = item
        .extended_properties
        .iter()
        .filter(|property| property.field_uri.property_name.as_deref() == Some(BOOKING_ID_PROPERTY))
        .find_map(|property| property.single_value().and_then(|value| value.parse().ok()));
    let mut attendees = Vec::new();
    for (list, role, resource) in [
        (&item.required_attendees, AttendeeRole::Required, false),
        (&item.optional_attendees, AttendeeRole::Optional, false),
        (&item.resources, AttendeeRole::Required, true),
    ] {
        for invited in list {
            let Some(address) = invited.mailbox.email_address.as_deref() else {
                continue;
            };
            attendees.push(RemoteAttendee {
                attendee: Attendee {
                    address: address.to_lowercase(),
                    name: invited.mailbox.name.clone(),
                    role,
                },
                resource,
                response: response(invited.response_type),
            });
        }
    }
    let cancelled = item.is_cancelled.unwrap_or(false)
        || item.appointment_state.is_some_and(|state| state & 4 != 0);
    Some(RemoteMeeting {
        id: RemoteId {
            item_id: id.id.clone(),
            change_key: id.change_key.clone(),
        },
        uid: item.uid.clone()?,
        recurrence_id: item.recurrence_id.or(match kind {
            MeetingKind::Occurrence => item.original_start,
            _ => None,
        }),
        kind,
        organizer: item
            .organizer
            .as_ref()
            .and_then(|organizer| organizer.mailbox.email_address.as_deref())
            .unwrap_or_default()
            .to_lowercase(),
        subject: item.subject.clone().unwrap_or_default(),
        body: item
            .body
            .as_ref()
            .map(|body| body.content.clone())
            .unwrap_or_default(),
        start: item.start?,
        end: item.end?,
        time_zone: time_zone.to_owned(),
        all_day: item.is_all_day_event.unwrap_or(false),
        attendees,
        cancelled,
        free: item.legacy_free_busy_status == Some(LegacyFreeBusyType::Free),
        response: response(item.my_response_type),
        booking_id,
        last_modified: item.last_modified_time,
    })
}

fn response(value: Option<ResponseType>) -> Response {
    match value {
        Some(ResponseType::Organizer) => Response::Organizer,
        Some(ResponseType::Accept) => Response::Accepted,
        Some(ResponseType::Tentative) => Response::Tentative,
        Some(ResponseType::Decline) => Response::Declined,
        _ => Response::None,
    }
}

fn single_message<T>(
    operation: &'static str,
    mailbox: &str,
    messages: Vec<roombridge_ews::types::ResponseMessage<T>>,
) -> BackendResult<T> {
    let message = messages.into_iter().next().ok_or_else(|| {
        BackendError::new(
            BackendErrorKind::Rejected,
            format!("{operation} on `{mailbox}` returned no response message"),
        )
    })?;
    message_content(operation, mailbox, message)
}

fn message_content<T>(
    operation: &'static str,
    mailbox: &str,
    message: roombridge_ews::types::ResponseMessage<T>,
) -> BackendResult<T> {
    if message.response_class == ResponseClass::Error {
        let back_off = roombridge_ews::types::back_off_milliseconds(&message.message_xml)
            .map(std::time::Duration::from_millis);
        let error = EwsError::Response {
            operation,
            target: roombridge_ews::error::Target(Some(mailbox.to_owned())),
            code: message.response_code,
            message: message.message_text,
        };
        let mut mapped = map_error(error);
        if let BackendErrorKind::Throttled { retry_after } = &mut mapped.kind {
            *retry_after = back_off;
        }
        return Err(mapped);
    }
    Ok(message.content)
}

/// Sorts an EWS failure into what the engine does next.
fn map_error(error: EwsError) -> BackendError {
    let message = error.to_string();
    let kind = match error.response_code() {
        Some(ResponseCode::ErrorServerBusy) => BackendErrorKind::Throttled {
            retry_after: error.back_off(),
        },
        Some(ResponseCode::ErrorInvalidSyncStateData) => BackendErrorKind::InvalidCursor,
        Some(ResponseCode::ErrorIrresolvableConflict) => BackendErrorKind::ChangeKeyConflict,
        Some(ResponseCode::ErrorItemNotFound) => BackendErrorKind::NotFound,
        Some(
            ResponseCode::ErrorImpersonateUserDenied
            | ResponseCode::ErrorAccessDenied
            | ResponseCode::ErrorNonExistentMailbox,
        ) => BackendErrorKind::AccessDenied,
        Some(code) if code.is_transient() => BackendErrorKind::Unavailable,
        _ if matches!(
            error,
            EwsError::TooManyRequests { .. } | EwsError::ServiceUnavailable { .. }
        ) =>
        {
            BackendErrorKind::Throttled {
                retry_after: error.back_off(),
            }
        }
        _ if error.is_transient() => BackendErrorKind::Unavailable,
        _ => BackendErrorKind::Rejected,
    };
    BackendError { kind, message }
}
