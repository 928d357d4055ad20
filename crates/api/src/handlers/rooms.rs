//! `/api/v1/rooms`: the room list, a room's bookings and its availability.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use jiff::{SignedDuration, Timestamp};
use roombridge_domain::{FieldError, Room};

use crate::auth::Authenticated;
use crate::error::ErrorBody;
use crate::requests::parse_timestamp;
use crate::views::{AvailabilityView, BookingView, BusyView, RoomView};
use crate::{ApiError, AppState};

/// Window used when `to` is not given: seven days after `from`.
pub(crate) const DEFAULT_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Longest window one request may ask for, which bounds the response size.
pub(crate) const MAX_WINDOW: SignedDuration = SignedDuration::from_hours(366 * 24);

/// Lists every room.
#[utoipa::path(
    get,
    path = "/api/v1/rooms",
    tag = "rooms",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every room, ordered by address", body = [RoomView]),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
    )
)]
pub(crate) async fn list_rooms(
    State(state): State<AppState>,
    _user: Authenticated,
) -> Result<Json<Vec<RoomView>>, ApiError> {
    let rooms = state
        .store()
        .list_rooms()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(rooms.iter().map(RoomView::from).collect()))
}

/// Lists the bookings of a room that overlap a window; deleted bookings are
/// left out.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{address}/bookings",
    tag = "rooms",
    security(("bearer" = [])),
    params(
        ("address" = String, Path, description = "Mailbox address of the room"),
        ("from" = Option<String>, Query, description = "Start of the window, RFC 3339 with an offset. Default: now"),
        ("to" = Option<String>, Query, description = "End of the window, RFC 3339 with an offset. Default: 7 days after `from`; at most 366 days after it"),
    ),
    responses(
        (status = 200, description = "Bookings ordered by start", body = [BookingView]),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "Malformed window", body = ErrorBody),
    )
)]
pub(crate) async fn room_bookings(
    State(state): State<AppState>,
    Authenticated(user): Authenticated,
    Path(address): Path<String>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Json<Vec<BookingView>>, ApiError> {
    let window = Window::parse(query)?;
    let room = find_room(&state, &address).await?;
    let bookings = state
        .store()
        .bookings_in_room(&room.address, window.from, window.to)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        bookings
            .iter()
            .map(|booking| BookingView::for_reader(booking, &user))
            .collect(),
    ))
}

/// Returns the busy intervals of a room within a window. Confirmed and
/// tentative bookings count, internal and external alike; declined,
/// cancelled and deleted ones do not.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{address}/availability",
    tag = "rooms",
    security(("bearer" = [])),
    params(
        ("address" = String, Path, description = "Mailbox address of the room"),
        ("from" = Option<String>, Query, description = "Start of the window, RFC 3339 with an offset. Default: now"),
        ("to" = Option<String>, Query, description = "End of the window, RFC 3339 with an offset. Default: 7 days after `from`; at most 366 days after it"),
    ),
    responses(
        (status = 200, description = "Busy intervals ordered by start", body = AvailabilityView),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "Malformed window", body = ErrorBody),
    )
)]
pub(crate) async fn room_availability(
    State(state): State<AppState>,
    _user: Authenticated,
    Path(address): Path<String>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Json<AvailabilityView>, ApiError> {
    let window = Window::parse(query)?;
    let room = find_room(&state, &address).await?;
    let busy = state
        .store()
        .busy_intervals(&room.address, window.from, window.to)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(AvailabilityView {
        room: room.address,
        from: window.from.to_string(),
        to: window.to.to_string(),
        busy: busy.iter().map(BusyView::from).collect(),
    }))
}

async fn find_room(state: &AppState, address: &str) -> Result<Room, ApiError> {
    let normalized = roombridge_domain::normalize_address(address);
    let not_found = || {
        ApiError::NotFound(format!(
            "room `{address}` not found; `GET /api/v1/rooms` lists the rooms"
        ))
    };
    // No room has a malformed address, and one containing U+0000 would make
    // PostgreSQL reject the query instead of finding nothing.
    if !roombridge_domain::is_valid_address(&normalized) {
        return Err(not_found());
    }
    tracing::Span::current().record("room", normalized.as_str());
    let room = state
        .store()
        .room(&normalized)
        .await
        .map_err(ApiError::internal)?;
    room.ok_or_else(not_found)
}

/// The half-open window `[from, to)` of a room query.
struct Window {
    from: Timestamp,
    to: Timestamp,
}

impl Window {
    fn parse(
        query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
    ) -> Result<Self, ApiError> {
        let Query(query) = query.map_err(|rejection| {
            ApiError::invalid_field(
                "query",
                format!("malformed query string: {}", rejection.body_text()),
            )
        })?;
        let mut errors = Vec::new();
        for key in query
            .keys()
            .filter(|key| !matches!(key.as_str(), "from" | "to"))
        {
            errors.push(FieldError::new(
                key,
                "unknown query parameter; expected `from` or `to`",
            ));
        }
        let mut read = |key: &str| match query.get(key).map(|text| parse_timestamp(text)) {
            None => None,
            Some(Ok(instant)) => Some(instant),
            Some(Err(mut message)) => {
                // A `+` in a query string decodes to a space, so an
                // unencoded `+01:00` arrives as ` 01:00`.
                if query.get(key).is_some_and(|text| text.contains(' ')) {
                    message.push_str("; write `+` in an offset as `%2B` in a query string");
                }
                errors.push(FieldError::new(key, message));
                None
            }
        };
        let from = read("from");
        let to = read("to");
        if !errors.is_empty() {
            return Err(ApiError::Invalid(errors));
        }
        let from = from.unwrap_or_else(Timestamp::now);
        let to = match to {
            Some(to) => to,
            None => from.checked_add(DEFAULT_WINDOW).map_err(|_| {
                ApiError::invalid_field("from", format!("`{from}` is too far in the future"))
            })?,
        };
        if to <= from {
            return Err(ApiError::invalid_field(
                "to",
                format!("expected `to` after `from`, but found to {to} and from {from}"),
            ));
        }
        if to.duration_since(from) > MAX_WINDOW {
            return Err(ApiError::invalid_field(
                "to",
                format!("expected a window of at most 366 days, but found {from} to {to}"),
            ));
        }
        Ok(Self { from, to })
    }
}
