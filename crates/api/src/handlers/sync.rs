//! Manual sync runs and the outbox: `POST /api/v1/sync` and
//! `GET /api/v1/outbox`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roombridge_domain::OutboxState;
use serde::Deserialize;
use serde_json::json;

use crate::{ApiError, AppState, Authenticated, ErrorBody, ErrorDetail};

/// Body of `POST /api/v1/sync`; an empty body syncs every room.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncRequest {
    /// Room mailbox address to sync alone.
    room: Option<String>,
}

/// Pushes the outbox and reads every room (or the one named) once, and
/// returns the report: per room created, updated, cancelled, declined,
/// errors, requests sent and duration. Requests for every room that
/// arrive while such a run is in progress share the next run.
#[utoipa::path(
    post,
    path = "/api/v1/sync",
    tag = "sync",
    security(("bearer" = [])),
    request_body(content = Object, description = "`{}` for every room, or `{\"room\": ADDRESS}`"),
    responses(
        (status = 200, description = "Report of the outbox pass and of each room", body = Object),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 503, description = "Exchange sync is not configured", body = ErrorBody),
    )
)]
pub(crate) async fn run_sync(
    State(state): State<AppState>,
    Authenticated(user): Authenticated,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: SyncRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SyncRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| {
            ApiError::BadRequest(format!(
                "invalid sync request: {error}; send `{{}}` or `{{\"room\": \"room@example.com\"}}`"
            ))
        })?
    };
    let Some(engine) = state.sync_engine() else {
        return Ok(unavailable());
    };
    tracing::info!(
        target: "roombridge::sync",
        user = %user.address,
        room = request.room.as_deref().unwrap_or("all"),
        "manual sync requested"
    );
    let report = match &request.room {
        Some(room) => {
            let outbox = engine.push_outbox().await.map_err(ApiError::internal)?;
            let report = match engine.sync_room(room).await {
                Ok(report) => report,
                Err(roombridge_sync::SyncError::UnknownRoom(room)) => {
                    return Err(ApiError::NotFound(format!("no room `{room}`")));
                }
                Err(error) => return Err(ApiError::internal(error)),
            };
            std::sync::Arc::new(roombridge_sync::SyncReport {
                duration_ms: report.duration_ms,
                rooms: vec![report],
                outbox,
            })
        }
        None => state
            .sync_gate()
            .run(|| engine.sync_all())
            .await
            .map_err(ApiError::internal)?,
    };
    Ok(Json(&*report).into_response())
}

/// Lists outbox records, newest first, optionally of one state
/// (`?state=parked`), with the error of their last attempt.
#[utoipa::path(
    get,
    path = "/api/v1/outbox",
    tag = "sync",
    security(("bearer" = [])),
    params(
        ("state" = Option<String>, Query, description = "Only records in this state: `pending`, `claimed`, `done` or `parked`"),
    ),
    responses(
        (status = 200, description = "`counts` per state and the newest 500 `records`", body = Object),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 422, description = "Unknown state", body = ErrorBody),
    )
)]
pub(crate) async fn list_outbox(
    State(state): State<AppState>,
    Authenticated(_user): Authenticated,
    Query(query): Query<std::collections::BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let filter = match query.get("state").map(String::as_str) {
        None => None,
        Some(name) => Some(OutboxState::parse(name).ok_or_else(|| {
            ApiError::invalid_field(
                "state",
                format!(
                    "invalid outbox state `{name}`: expected `pending`, `claimed`, `done` or `parked`"
                ),
            )
        })?),
    };
    let records = state
        .store()
        .list_outbox(filter, 500)
        .await
        .map_err(ApiError::internal)?;
    let counts: serde_json::Map<String, serde_json::Value> = state
        .store()
        .count_outbox()
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|(name, count)| (name, json!(count)))
        .collect();
    Ok(Json(json!({ "counts": counts, "records": records })).into_response())
}

fn unavailable() -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "sync_unavailable".to_owned(),
            message: "Exchange sync is not configured on this server; add an [exchange] section \
                      and restart `roombridge serve`"
                .to_owned(),
            details: serde_json::Value::Null,
        },
    };
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}
