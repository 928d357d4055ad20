//! The one error type of the API, mapped to a status and a JSON body at the
//! edge.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roombridge_domain::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::views::BookingView;

/// Every way a request can fail. Each variant maps to one status code; the
/// body is `{ "error": { "code", "message", "details" } }`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no `Authorization: Bearer` header, or a token that maps to no user.
    #[error("{message}")]
    Unauthorized {
        /// Whether a token was sent but is unknown, which RFC 6750 reports as
        /// `error="invalid_token"`.
        invalid_token: bool,
        /// Explanation for the client.
        message: &'static str,
    },
    /// 403: the user may not change or read this resource.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such room, booking or route.
    #[error("{0}")]
    NotFound(String),
    /// 405: the route exists, but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the booking overlaps these bookings, external ones included.
    #[error("the room is already booked in this time slot")]
    Conflict(Vec<BookingView>),
    /// 409: the booking is deleted, so it cannot change any more.
    #[error("{0}")]
    Deleted(String),
    /// 412: `If-Match` names a version that is no longer current.
    #[error("the booking changed since version {expected}; its current version is {current}")]
    StaleVersion {
        /// Version the client sent.
        expected: i64,
        /// Current version, when known.
        current: i64,
    },
    /// 412: no entity tag in `If-Match` names the current version.
    #[error(
        "`If-Match` names no current version of the booking; its current version is {current}, \
         so read the booking again and send its `ETag`"
    )]
    NoMatchingVersion {
        /// Current version.
        current: i64,
    },
    /// 428: a change was requested without `If-Match`.
    #[error(
        "missing `If-Match` header; send the booking's current version as returned in the `ETag` header, for example `If-Match: \"3\"`"
    )]
    PreconditionRequired,
    /// 400: a header is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 413: the request body exceeds the limit.
    #[error("the request body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is not declared as JSON.
    #[error("expected `Content-Type: application/json`")]
    UnsupportedMediaType,
    /// 422: one message per invalid field.
    #[error("the request has {} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// 500: a failure the client cannot fix. The source is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Maximum number of field errors a 422 response lists. Without it, a
/// 400 KB body of 100,000 empty attendees produced a 10 MB response.
pub const MAX_LISTED_FIELD_ERRORS: usize = 100;

impl ApiError {
    /// Wraps an unexpected failure as a 500.
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// Returns a 422 for one field.
    pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// Returns the HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::Deleted(_) => StatusCode::CONFLICT,
            Self::StaleVersion { .. } | Self::NoMatchingVersion { .. } => {
                StatusCode::PRECONDITION_FAILED
            }
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Returns the stable, machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict(_) => "conflict",
            Self::Deleted(_) => "deleted",
            Self::StaleVersion { .. } | Self::NoMatchingVersion { .. } => "stale_version",
            Self::PreconditionRequired => "precondition_required",
            Self::BadRequest(_) => "bad_request",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Invalid(_) => "invalid",
            Self::Internal(_) => "internal",
        }
    }

    fn details(&self) -> serde_json::Value {
        match self {
            Self::Conflict(bookings) => serde_json::json!({ "conflicts": bookings }),
            Self::StaleVersion { current, .. } | Self::NoMatchingVersion { current } => {
                serde_json::json!({ "current_version": current })
            }
            Self::Invalid(errors) if errors.len() > MAX_LISTED_FIELD_ERRORS => {
                let mut listed = errors[..MAX_LISTED_FIELD_ERRORS].to_vec();
                listed.push(FieldError::new(
                    "request",
                    format!(
                        "{} more invalid field(s) not listed; fix the ones above and send the \
                         request again",
                        errors.len() - MAX_LISTED_FIELD_ERRORS
                    ),
                ));
                serde_json::json!({ "fields": listed })
            }
            Self::Invalid(errors) => serde_json::json!({ "fields": errors }),
            _ => serde_json::Value::Null,
        }
    }
}

/// JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code, message and details of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `stale_version`, `precondition_required`, `deleted`, `invalid`,
    /// `internal`, ...
    pub code: String,
    /// Explanation for a person.
    pub message: String,
    /// `{"fields": [{"field", "message"}]}` for `invalid`,
    /// `{"conflicts": [Booking]}` for `conflict`,
    /// `{"current_version": N}` for `stale_version`, otherwise null.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(source) = &self {
            // The one log line for this failure; the request span adds the
            // request id. The client gets a generic message.
            tracing::error!(target: "roombridge::api", error = %source, "internal error");
        }
        let status = self.status();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
                details: self.details(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Self::Unauthorized { invalid_token, .. } = self {
            let challenge = if invalid_token {
                "Bearer realm=\"roombridge\", error=\"invalid_token\""
            } else {
                "Bearer realm=\"roombridge\""
            };
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}
