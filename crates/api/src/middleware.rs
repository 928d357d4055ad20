//! Per-request observation: a request id, a tracing span, one log event
//! with status and elapsed time, and the request metrics.
//!
//! Headers are never logged, because `Authorization` carries the token.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use tracing::field::Empty;

use crate::AppState;

/// Header carrying the request id, in requests and responses.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request, stored in the request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Returns the id the client or a proxy sent when it is short and plain,
/// otherwise a new UUID, so that log lines never carry arbitrary input.
fn request_id(request: &Request) -> String {
    let incoming = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    match incoming {
        Some(id) => id.to_owned(),
        None => uuid::Uuid::new_v4().to_string(),
    }
}

/// Returns the method as a metric label and log field: the name of a
/// method defined in RFC 9110 or RFC 5789 (`PATCH`), otherwise `other`.
/// A client can send any token as the method, and each distinct label
/// value would add a time series that stays in memory.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// Wraps every request in a span and records its outcome.
pub(crate) async fn observe(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    request.extensions_mut().insert(RequestId(id.clone()));
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method()).to_owned();

    let span = tracing::info_span!(
        target: "roombridge::api",
        "request",
        request_id = %id,
        method = %method,
        route = %route,
        user = Empty,
        booking_id = Empty,
        room = Empty,
    );
    let mut response = next.run(request).instrument(span.clone()).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    state
        .metrics()
        .observe_request(&route, &method, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            target: "roombridge::api",
            status,
            elapsed_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    response
}
