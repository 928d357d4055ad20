//! Unauthenticated endpoints: health, metrics and the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::{ApiError, AppState};

/// Content type of the OpenMetrics text format.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Reports whether the database is reachable: 200 `{"status":"ok"}` or 503.
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    // NOTE: the store has no dedicated ping; a primary-key lookup of the nil
    // id is one cheap round trip that fails when the database is unreachable.
    match state.store().booking(uuid::Uuid::nil()).await {
        Ok(_) => Json(json!({ "status": "ok" })).into_response(),
        Err(error) => {
            tracing::warn!(target: "roombridge::api", %error, "health check failed: database unavailable");
            let body = json!({ "status": "unavailable", "database": "unreachable" });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// Serves the Prometheus metrics.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, OPENMETRICS)],
        state.metrics().encode(),
    )
        .into_response()
}

/// Serves the OpenAPI document generated from the handlers.
pub(crate) async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}

/// Returns 404 for a path that matches no route.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; `GET /api/v1/openapi.json` lists them".to_owned())
}

/// Returns 405 for a known path requested with a method it does not support.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
