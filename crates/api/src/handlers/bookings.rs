//! `/api/v1/bookings`: create, read, change, delete and the history.
//!
//! Only the organizer may change or delete a booking, and external
//! bookings (read from Exchange) may not be changed at all. Changes need
//! `If-Match` with the version from the `ETag` header.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roombridge_domain::{Actor, Booking, Origin, User};
use roombridge_store::StoreError;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::ErrorBody;
use crate::precondition::IfMatch;
use crate::requests::{CreateBookingRequest, PatchBookingRequest, parse_create, parse_patch};
use crate::views::{BookingView, HistoryEntryView};
use crate::{ApiError, AppState};

/// Creates a booking organized by the authenticated user.
#[utoipa::path(
    post,
    path = "/api/v1/bookings",
    tag = "bookings",
    security(("bearer" = [])),
    request_body = CreateBookingRequest,
    responses(
        (status = 201, description = "Created; `Location` and `ETag` are set", body = BookingView),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 409, description = "The slot overlaps the bookings in `details.conflicts`", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields, listed in `details.fields`", body = ErrorBody),
    )
)]
pub(crate) async fn create_booking(
    State(state): State<AppState>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request = parse_create(&headers, &read_body(body)?, &user.address)?;
    tracing::Span::current().record("room", request.room.as_str());
    let booking = state
        .store()
        .create_booking(request, &Actor::user(&user.address))
        .await
        .map_err(|error| store_error(&state, error, &user))?;
    tracing::Span::current().record("booking_id", tracing::field::display(booking.id));
    state.metrics().booking_created();
    tracing::info!(target: "roombridge::api", booking_id = %booking.id, room = %booking.room, "booking created");

    let location = format!("/api/v1/bookings/{}", booking.id);
    let mut response = booking_response(StatusCode::CREATED, &booking, &user);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// Returns a booking, deleted ones included; `ETag` carries its version.
#[utoipa::path(
    get,
    path = "/api/v1/bookings/{id}",
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Booking id")),
    responses(
        (status = 200, description = "The booking, as much as the reader may see", body = BookingView),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 404, description = "No such booking", body = ErrorBody),
    )
)]
pub(crate) async fn get_booking(
    State(state): State<AppState>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let booking = find_booking(&state, &id).await?;
    Ok(booking_response(StatusCode::OK, &booking, &user))
}

/// Changes fields of a booking. `If-Match` must carry the current version.
#[utoipa::path(
    patch,
    path = "/api/v1/bookings/{id}",
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Booking id"),
        ("If-Match" = String, Header, description = "Current version as returned in `ETag`, such as `\"3\"`"),
    ),
    request_body = PatchBookingRequest,
    responses(
        (status = 200, description = "The changed booking; `ETag` carries the new version", body = BookingView),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 403, description = "Someone else's booking, or an external one", body = ErrorBody),
        (status = 404, description = "No such booking", body = ErrorBody),
        (status = 409, description = "The new slot overlaps the bookings in `details.conflicts`, or the booking is deleted (code `deleted`)", body = ErrorBody),
        (status = 412, description = "Stale version; `details.current_version` has the current one", body = ErrorBody),
        (status = 422, description = "Invalid fields, listed in `details.fields`", body = ErrorBody),
        (status = 428, description = "Missing `If-Match`", body = ErrorBody),
    )
)]
pub(crate) async fn patch_booking(
    State(state): State<AppState>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = read_body(body)?;
    let booking = find_booking(&state, &id).await?;
    check_may_change(&booking, &user)?;
    let Some(condition) = IfMatch::from_headers(&headers)? else {
        return Err(ApiError::PreconditionRequired);
    };
    let patch = parse_patch(&headers, &body)?;
    let mut expected = expected_version(&condition, &booking)?;
    // `If-Match: *` accepts any current version, so a change that another
    // request committed in between is no reason to fail: apply to the newer
    // version. A few rounds bound the retries under heavy contention.
    let mut rounds_left = 5;
    let changed = loop {
        let result = state
            .store()
            .update_booking(booking.id, expected, &patch, &Actor::user(&user.address))
            .await;
        match result {
            Err(StoreError::StaleVersion { current })
                if condition == IfMatch::Any && rounds_left > 0 =>
            {
                rounds_left -= 1;
                expected = current;
            }
            other => break other.map_err(|error| stale_or(error, expected, &state, &user))?,
        }
    };
    tracing::info!(target: "roombridge::api", booking_id = %changed.id, version = changed.version, "booking changed");
    Ok(booking_response(StatusCode::OK, &changed, &user))
}

/// Deletes a booking softly: it stays readable with `deleted_at` set.
/// `If-Match` is optional; when sent, it must carry the current version.
#[utoipa::path(
    delete,
    path = "/api/v1/bookings/{id}",
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Booking id"),
        ("If-Match" = Option<String>, Header, description = "Current version as returned in `ETag`"),
    ),
    responses(
        (status = 200, description = "The deleted booking", body = BookingView),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 403, description = "Someone else's booking, or an external one", body = ErrorBody),
        (status = 404, description = "No such booking", body = ErrorBody),
        (status = 412, description = "Stale version", body = ErrorBody),
    )
)]
pub(crate) async fn delete_booking(
    State(state): State<AppState>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let booking = find_booking(&state, &id).await?;
    check_may_change(&booking, &user)?;
    let condition = IfMatch::from_headers(&headers)?;
    // A retried delete finds the booking deleted by its first attempt, at a
    // newer version; it gets the deleted booking rather than 412.
    let expected = match condition {
        Some(condition) if booking.deleted_at.is_none() => {
            Some(expected_version(&condition, &booking)?)
        }
        _ => None,
    };
    let deleted = state
        .store()
        .delete_booking(booking.id, expected, &Actor::user(&user.address))
        .await
        .map_err(|error| stale_or(error, expected.unwrap_or(booking.version), &state, &user))?;
    tracing::info!(target: "roombridge::api", booking_id = %deleted.id, "booking deleted");
    Ok(booking_response(StatusCode::OK, &deleted, &user))
}

/// Returns the history of a booking, oldest first. Only the organizer may
/// read it, because it contains the body and attendees of every version.
#[utoipa::path(
    get,
    path = "/api/v1/bookings/{id}/history",
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Booking id")),
    responses(
        (status = 200, description = "Every change, oldest first", body = [HistoryEntryView]),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 403, description = "The reader is not the organizer", body = ErrorBody),
        (status = 404, description = "No such booking", body = ErrorBody),
    )
)]
pub(crate) async fn booking_history(
    State(state): State<AppState>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntryView>>, ApiError> {
    let booking = find_booking(&state, &id).await?;
    if booking.organizer != user.address {
        return Err(ApiError::Forbidden(format!(
            "the history of booking `{}` is visible to its organizer only",
            booking.id
        )));
    }
    let entries = state
        .store()
        .history(booking.id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(entries.iter().map(HistoryEntryView::from).collect()))
}

/// Maps a failure to read the body, such as exceeding the size limit.
fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(crate::MAX_BODY_BYTES)
        } else {
            ApiError::BadRequest(format!(
                "cannot read the request body: {}",
                rejection.body_text()
            ))
        }
    })
}

/// Builds a response with the booking as JSON and its version as `ETag`.
fn booking_response(status: StatusCode, booking: &Booking, reader: &User) -> Response {
    let mut response = (status, Json(BookingView::for_reader(booking, reader))).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{}\"", booking.version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

async fn find_booking(state: &AppState, id: &str) -> Result<Booking, ApiError> {
    let not_found = || ApiError::NotFound(format!("booking `{id}` not found"));
    let Ok(id) = Uuid::parse_str(id) else {
        return Err(not_found());
    };
    tracing::Span::current().record("booking_id", tracing::field::display(id));
    let booking = state
        .store()
        .booking(id)
        .await
        .map_err(ApiError::internal)?;
    let booking = booking.ok_or_else(not_found)?;
    tracing::Span::current().record("room", booking.room.as_str());
    Ok(booking)
}

fn check_may_change(booking: &Booking, user: &User) -> Result<(), ApiError> {
    if booking.origin == Origin::External {
        return Err(ApiError::Forbidden(format!(
            "booking `{}` was made in Exchange and is read-only here; change it in Outlook",
            booking.id
        )));
    }
    if booking.organizer != user.address {
        return Err(ApiError::Forbidden(format!(
            "booking `{}` is organized by `{}`; only the organizer may change it",
            booking.id, booking.organizer
        )));
    }
    Ok(())
}

/// Returns the version a change may apply to: the version read, when
/// `condition` holds for it. The store checks it again when writing.
fn expected_version(condition: &IfMatch, booking: &Booking) -> Result<i64, ApiError> {
    if condition.matches(booking.version) {
        Ok(booking.version)
    } else {
        Err(ApiError::NoMatchingVersion {
            current: booking.version,
        })
    }
}

/// Maps a store error of a change, reporting a stale version against the
/// version the client expected.
fn stale_or(error: StoreError, expected: i64, state: &AppState, reader: &User) -> ApiError {
    match error {
        StoreError::StaleVersion { current } => ApiError::StaleVersion { expected, current },
        other => store_error(state, other, reader),
    }
}

/// Maps a store error of a booking write to the API error.
fn store_error(state: &AppState, error: StoreError, reader: &User) -> ApiError {
    match error {
        StoreError::Conflict(bookings) => {
            state.metrics().booking_conflict();
            tracing::info!(target: "roombridge::api", conflicts = bookings.len(), "booking rejected: slot taken");
            ApiError::Conflict(
                bookings
                    .iter()
                    .map(|b| BookingView::for_reader(b, reader))
                    .collect(),
            )
        }
        StoreError::Invalid(errors) => ApiError::Invalid(errors),
        StoreError::NotFound { what, key } => {
            ApiError::NotFound(format!("{what} `{key}` not found"))
        }
        StoreError::External { id } => ApiError::Forbidden(format!(
            "booking `{id}` was made in Exchange and is read-only here; change it in Outlook"
        )),
        StoreError::Deleted { id } => ApiError::Deleted(format!(
            "booking `{id}` is deleted and cannot be changed; create a new booking instead"
        )),
        StoreError::StaleVersion { current } => ApiError::StaleVersion {
            expected: current,
            current,
        },
        other => ApiError::internal(other),
    }
}
