//! The administrative HTTP interface under `/admin/` (JSON, not EWS):
//! mailboxes and room settings, acting as an Outlook user, iCalendar
//! import, mailbox inspection and fault injection.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::faults::Faults;
use crate::meeting::{self, DeleteType, Sending};
use crate::model::{Folder, Item, Mailbox, MailboxKind, ResponseType, RoomList, RoomProcessing};
use crate::organisation::{Booking, add_booking};
use crate::server::Shared;
use crate::sync_state::SyncStateKey;

/// Builds the admin router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/admin/health", get(health))
        .route("/admin/stats", get(stats))
        .route("/admin/mailboxes", get(list_mailboxes))
        .route("/admin/mailboxes/{address}", put(put_mailbox))
        .route(
            "/admin/mailboxes/{address}/room-settings",
            put(put_room_settings),
        )
        .route("/admin/mailboxes/{address}/items", get(list_items))
        .route("/admin/mailboxes/{address}/meetings", post(create_meeting))
        .route("/admin/mailboxes/{address}/ics", post(import_ics))
        .route("/admin/items/{number}/move", post(move_meeting))
        .route("/admin/items/{number}/cancel", post(cancel_meeting))
        .route("/admin/items/{number}/respond", post(respond))
        .route("/admin/room-lists", post(put_room_list))
        .route(
            "/admin/faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
        .route(
            "/admin/sync-states/invalidate",
            post(invalidate_sync_states),
        )
        .with_state(shared)
}

/// An admin failure: an HTTP status and a message naming the value and the fix.
struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn not_found(what: String) -> AdminError {
    AdminError(StatusCode::NOT_FOUND, what)
}

fn invalid(message: String) -> AdminError {
    AdminError(StatusCode::UNPROCESSABLE_ENTITY, message)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Counters since start-up: `ews_requests` counts every HTTP request the
/// EWS endpoint received, sign-in legs and rejected requests included.
async fn stats(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let requests = shared
        .ews_requests
        .load(std::sync::atomic::Ordering::Relaxed);
    Json(json!({ "ews_requests": requests }))
}

/// A mailbox as the admin interface lists it, without its password.
#[derive(Debug, Serialize)]
struct MailboxSummary {
    address: String,
    name: String,
    kind: &'static str,
    impersonation: bool,
    room_settings: Option<RoomProcessing>,
}

async fn list_mailboxes(State(shared): State<Arc<Shared>>) -> Json<Vec<MailboxSummary>> {
    let org = shared.org();
    let list = org
        .mailboxes
        .values()
        .map(|mailbox| MailboxSummary {
            address: mailbox.address.clone(),
            name: mailbox.name.clone(),
            kind: if mailbox.room().is_some() {
                "room"
            } else {
                "user"
            },
            impersonation: mailbox.can_impersonate(),
            room_settings: mailbox.room().cloned(),
        })
        .collect();
    Json(list)
}

async fn put_mailbox(
    State(shared): State<Arc<Shared>>,
    Path(address): Path<String>,
    Json(mut mailbox): Json<Mailbox>,
) -> Result<StatusCode, AdminError> {
    if !address.contains('@') {
        return Err(invalid(format!(
            "`{address}` is not an SMTP address; use the form `name@domain`"
        )));
    }
    mailbox.address = address;
    shared.org().put_mailbox(mailbox);
    shared.save().await;
    Ok(StatusCode::NO_CONTENT)
}

async fn put_room_settings(
    State(shared): State<Arc<Shared>>,
    Path(address): Path<String>,
    Json(settings): Json<RoomProcessing>,
) -> Result<StatusCode, AdminError> {
    {
        let mut org = shared.org();
        let key = address.to_ascii_lowercase();
        let mailbox = org
            .mailboxes
            .get_mut(&key)
            .ok_or_else(|| not_found(format!("no mailbox `{address}`")))?;
        match &mut mailbox.kind {
            MailboxKind::Room { processing, .. } => *processing = settings,
            MailboxKind::User { .. } => {
                return Err(invalid(format!(
                    "`{address}` is a user mailbox; room settings apply to room mailboxes only"
                )));
            }
        }
    }
    shared.save().await;
    Ok(StatusCode::NO_CONTENT)
}

async fn put_room_list(
    State(shared): State<Arc<Shared>>,
    Json(list): Json<RoomList>,
) -> Result<StatusCode, AdminError> {
    {
        let mut org = shared.org();
        for room in &list.rooms {
            if org.mailbox(room).and_then(Mailbox::room).is_none() {
                return Err(invalid(format!(
                    "`{room}` is not a room mailbox; create it first with PUT /admin/mailboxes/{room}"
                )));
            }
        }
        org.room_lists
            .retain(|existing| !existing.address.eq_ignore_ascii_case(&list.address));
        org.room_lists.push(list);
    }
    shared.save().await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct ItemsQuery {
    folder: Option<String>,
}

/// An item with its EWS ids, as the admin interface shows it.
#[derive(Debug, Serialize)]
struct ItemView {
    item_id: String,
    change_key: String,
    #[serde(flatten)]
    item: Item,
}

fn view(item: &Item) -> ItemView {
    ItemView {
        item_id: crate::ids::item_id(item),
        change_key: crate::ids::change_key(item),
        item: item.clone(),
    }
}

async fn list_items(
    State(shared): State<Arc<Shared>>,
    Path(address): Path<String>,
    Query(query): Query<ItemsQuery>,
) -> Result<Json<Vec<ItemView>>, AdminError> {
    let folder = match query.folder.as_deref() {
        None => None,
        Some(name) => Some(Folder::from_distinguished_id(name).ok_or_else(|| {
            invalid(format!("unknown folder `{name}`; use calendar, inbox, sentitems, deleteditems or recoverableitemsdeletions"))
        })?),
    };
    let org = shared.org();
    let mailbox = org
        .mailbox(&address)
        .ok_or_else(|| not_found(format!("no mailbox `{address}`")))?;
    let items = org
        .items
        .values()
        .filter(|item| {
            item.mailbox == mailbox.address && folder.is_none_or(|folder| item.folder == folder)
        })
        .map(view)
        .collect();
    Ok(Json(items))
}

/// A meeting created as if its organizer had sent it from Outlook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingRequestBody {
    subject: String,
    start: Timestamp,
    end: Timestamp,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    attendees: Vec<String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    recurrence: Option<crate::recurrence::Recurrence>,
}

async fn create_meeting(
    State(shared): State<Arc<Shared>>,
    Path(address): Path<String>,
    Json(request): Json<MeetingRequestBody>,
) -> Result<(StatusCode, Json<ItemView>), AdminError> {
    let booking = Booking {
        organizer: address,
        subject: request.subject,
        start: request.start,
        end: request.end,
        time_zone: request.time_zone,
        attendees: request.attendees,
        body: request.body,
        recurrence: request.recurrence,
    };
    let created = {
        let mut org = shared.org();
        let number = add_booking(&mut org, &booking, Timestamp::now())
            .map_err(|error| invalid(error.to_string()))?;
        view(&org.items[&number])
    };
    shared.save().await;
    Ok((StatusCode::CREATED, Json(created)))
}

fn organizer_item(org: &crate::org::Org, number: u64) -> Result<Item, AdminError> {
    let item = org
        .items
        .get(&number)
        .ok_or_else(|| not_found(format!("no item number {number}")))?;
    let is_organizer = item
        .calendar
        .as_ref()
        .is_some_and(|calendar| calendar.my_response == ResponseType::Organizer);
    if !is_organizer {
        return Err(invalid(format!(
            "item {number} is not a meeting its mailbox organised; only the organizer's copy can be changed"
        )));
    }
    Ok(item.clone())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveBody {
    start: Timestamp,
    end: Timestamp,
}

async fn move_meeting(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<u64>,
    Json(request): Json<MoveBody>,
) -> Result<Json<ItemView>, AdminError> {
    if request.end < request.start {
        return Err(invalid(format!(
            "end {} is before start {}",
            request.end, request.start
        )));
    }
    let moved = {
        let mut org = shared.org();
        let before = organizer_item(&org, number)?;
        let now = Timestamp::now();
        if let Some(calendar) = org
            .items
            .get_mut(&number)
            .and_then(|item| item.calendar.as_mut())
        {
            calendar.start = request.start;
            calendar.end = request.end;
        }
        org.touch(number, now);
        let sending = Sending {
            send: true,
            save_copy: true,
            only_changed: false,
        };
        meeting::propagate_update(&mut org, number, &before, sending, now);
        view(&org.items[&number])
    };
    shared.save().await;
    Ok(Json(moved))
}

async fn cancel_meeting(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<u64>,
) -> Result<StatusCode, AdminError> {
    {
        let mut org = shared.org();
        organizer_item(&org, number)?;
        let sending = Sending {
            send: true,
            save_copy: true,
            only_changed: false,
        };
        meeting::delete(
            &mut org,
            number,
            DeleteType::MoveToDeletedItems,
            sending,
            Timestamp::now(),
        );
    }
    shared.save().await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RespondBody {
    response: String,
}

async fn respond(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<u64>,
    Json(request): Json<RespondBody>,
) -> Result<Json<ItemView>, AdminError> {
    let response = match request.response.as_str() {
        "Accept" => ResponseType::Accept,
        "Tentative" => ResponseType::Tentative,
        "Decline" => ResponseType::Decline,
        other => {
            return Err(invalid(format!(
                "response `{other}` is not one of Accept, Tentative or Decline"
            )));
        }
    };
    let answered = {
        let mut org = shared.org();
        let mailbox = org
            .items
            .get(&number)
            .map(|item| item.mailbox.clone())
            .ok_or_else(|| not_found(format!("no item number {number}")))?;
        let sending = Sending {
            send: true,
            save_copy: true,
            only_changed: false,
        };
        let copy = meeting::respond(
            &mut org,
            &mailbox,
            number,
            response,
            sending,
            Timestamp::now(),
        )
        .map_err(|error| invalid(format!("item {number}: {error}")))?;
        view(&org.items[&copy])
    };
    shared.save().await;
    Ok(Json(answered))
}

async fn import_ics(
    State(shared): State<Arc<Shared>>,
    Path(address): Path<String>,
    body: String,
) -> Result<(StatusCode, Json<serde_json::Value>), AdminError> {
    let events = crate::ics::parse(&body).map_err(|error| invalid(error.to_string()))?;
    let imported: Vec<ItemView> = {
        let mut org = shared.org();
        let mailbox = org
            .mailbox(&address)
            .cloned()
            .ok_or_else(|| not_found(format!("no mailbox `{address}`")))?;
        let now = Timestamp::now();
        let organizer = crate::model::Person {
            name: mailbox.name.clone(),
            address: mailbox.address.clone(),
        };
        let mut created = Vec::new();
        for event in events {
            let mut item = crate::ews::item_parse::blank_item(
                crate::model::ItemKind::CalendarItem,
                &mailbox.address,
                Folder::Calendar,
                now,
            );
            let mut calendar = crate::ews::item_parse::blank_calendar(organizer.clone(), now);
            if let Some(uid) = event.uid {
                calendar.uid = uid;
            }
            calendar.start = event.start;
            calendar.end = event.end;
            calendar.is_all_day = event.all_day;
            calendar.location = event.location;
            calendar.start_time_zone = event.time_zone.clone();
            calendar.end_time_zone = event.time_zone;
            calendar.recurrence = event.recurrence;
            calendar.deleted_occurrences = event
                .exdates
                .iter()
                .map(|instant| instant.as_second())
                .collect();
            item.subject = event.summary;
            item.body.content = event.description;
            item.calendar = Some(calendar);
            let number = meeting::create(&mut org, item, Sending::default(), now);
            created.push(view(&org.items[&number]));
        }
        created
    };
    shared.save().await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "imported": imported.len(), "items": imported })),
    ))
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<Faults> {
    Json(shared.faults().clone())
}

async fn put_faults(
    State(shared): State<Arc<Shared>>,
    Json(faults): Json<Faults>,
) -> Result<StatusCode, AdminError> {
    faults
        .validate()
        .map_err(|problems| invalid(problems.join("; ")))?;
    tracing::info!(?faults, "fault injection changed");
    *shared.faults() = faults;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    *shared.faults() = Faults::default();
    StatusCode::NO_CONTENT
}

async fn invalidate_sync_states(State(shared): State<Arc<Shared>>) -> StatusCode {
    let max_age: SignedDuration = shared.sync_state_max_age;
    *shared
        .sync_key
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = SyncStateKey::random(max_age);
    tracing::info!(
        "sync states invalidated: every state issued so far now gets ErrorInvalidSyncStateData"
    );
    StatusCode::NO_CONTENT
}
