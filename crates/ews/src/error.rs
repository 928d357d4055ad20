//! Errors of EWS calls, one variant per kind of failure the caller must
//! tell apart.

use std::time::Duration;

use crate::auth::TokenError;
use crate::types::ResponseCode;
use crate::xml::ParseError;

/// Names the mailbox a call acted on, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target(pub Option<String>);

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(mailbox) => write!(f, "mailbox `{mailbox}`"),
            None => f.write_str("the service account's mailbox"),
        }
    }
}

/// An EWS call that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum EwsError {
    /// Exchange returned an error response code.
    #[error("{operation} on {target} failed with {code}: {}", message.as_deref().unwrap_or("no message text"))]
    Response {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// The response code.
        code: ResponseCode,
        /// Exchange's message text.
        message: Option<String>,
    },
    /// Exchange is throttling the account (`ErrorServerBusy`); wait
    /// `back_off` before the next request.
    #[error("{operation} on {target} was throttled by Exchange (ErrorServerBusy){}", wait_text(*back_off))]
    ServerBusy {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// `BackOffMilliseconds` from `MessageXml`.
        back_off: Option<Duration>,
    },
    /// HTTP 401: the credentials were rejected.
    #[error(
        "{operation} on {target}: Exchange rejected the {scheme} credentials of `{account}` (HTTP 401); check the user name and password or token"
    )]
    Unauthorized {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// Authentication scheme.
        scheme: &'static str,
        /// Account name (never the password).
        account: String,
    },
    /// HTTP 429: too many requests.
    #[error("{operation} on {target} was rejected with HTTP 429 Too Many Requests{}", wait_text(*retry_after))]
    TooManyRequests {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// HTTP 503: the service is unavailable.
    #[error("{operation} on {target} was rejected with HTTP 503 Service Unavailable{}", wait_text(*retry_after))]
    ServiceUnavailable {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// Another HTTP status without a SOAP body.
    #[error("{operation} on {target} failed with HTTP {status}: {excerpt}")]
    HttpStatus {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// HTTP status code.
        status: u16,
        /// Start of the response body.
        excerpt: String,
    },
    /// A SOAP fault other than throttling.
    #[error("{operation} on {target} failed with SOAP fault {code}: {fault_string}")]
    SoapFault {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// EWS response code of the fault.
        code: ResponseCode,
        /// `faultstring`.
        fault_string: String,
    },
    /// No complete response within the timeout.
    #[error("{operation} on {target} timed out after {} s", after.as_secs_f64())]
    Timeout {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// The timeout.
        after: Duration,
    },
    /// The response is not the expected XML.
    #[error(
        "{operation} on {target} returned a malformed response: {error}; body starts with: {excerpt}"
    )]
    MalformedResponse {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// Parse error with element path.
        error: ParseError,
        /// Start of the response body.
        excerpt: String,
    },
    /// The connection failed.
    #[error("{operation} on {target} could not reach {endpoint}: {reason}")]
    Connection {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// Endpoint URL.
        endpoint: String,
        /// Description of the failure.
        reason: String,
        /// True when the request was provably never sent, so that even a
        /// write may be retried.
        not_sent: bool,
    },
    /// The token provider failed.
    #[error("{operation} on {target}: {source}")]
    Token {
        /// Operation name.
        operation: &'static str,
        /// Mailbox acted on.
        target: Target,
        /// Provider error.
        source: TokenError,
    },
    /// The client configuration is invalid.
    #[error("invalid EWS client configuration: {0}")]
    Config(String),
}

fn wait_text(wait: Option<Duration>) -> String {
    match wait {
        Some(wait) => format!("; retry after {} ms", wait.as_millis()),
        None => String::new(),
    }
}

impl EwsError {
    /// Returns the wait the server asked for, if any.
    pub fn back_off(&self) -> Option<Duration> {
        match self {
            EwsError::ServerBusy { back_off, .. } => *back_off,
            EwsError::TooManyRequests { retry_after, .. }
            | EwsError::ServiceUnavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Returns true for failures after which the same request may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            EwsError::ServerBusy { .. }
            | EwsError::TooManyRequests { .. }
            | EwsError::ServiceUnavailable { .. }
            | EwsError::Timeout { .. }
            | EwsError::Connection { .. } => true,
            EwsError::Response { code, .. } | EwsError::SoapFault { code, .. } => {
                code.is_transient()
            }
            _ => false,
        }
    }

    /// Returns true when the request provably never reached the server.
    pub fn was_not_sent(&self) -> bool {
        matches!(self, EwsError::Connection { not_sent: true, .. })
    }

    /// Returns the EWS response code, for response and fault errors.
    pub fn response_code(&self) -> Option<&ResponseCode> {
        match self {
            EwsError::Response { code, .. } | EwsError::SoapFault { code, .. } => Some(code),
            EwsError::ServerBusy { .. } => Some(&ResponseCode::ErrorServerBusy),
            _ => None,
        }
    }

    /// Returns a short name of the variant, for log fields.
    pub fn kind(&self) -> &'static str {
        match self {
            EwsError::Response { .. } => "response",
            EwsError::ServerBusy { .. } => "server_busy",
            EwsError::Unauthorized { .. } => "unauthorized",
            EwsError::TooManyRequests { .. } => "too_many_requests",
            EwsError::ServiceUnavailable { .. } => "service_unavailable",
            EwsError::HttpStatus { .. } => "http_status",
            EwsError::SoapFault { .. } => "soap_fault",
            EwsError::Timeout { .. } => "timeout",
            EwsError::MalformedResponse { .. } => "malformed_response",
            EwsError::Connection { .. } => "connection",
            EwsError::Token { .. } => "token",
            EwsError::Config(_) => "config",
        }
    }
}

/// Maximum length of a response body excerpt kept in an error.
pub(crate) const EXCERPT_CHARS: usize = 300;

/// Returns the first characters of a body for an error message, with every
/// occurrence of a secret replaced by `[redacted]`, because a proxy's error
/// page may echo the request with its Authorization header.
pub(crate) fn excerpt(body: &[u8], secrets: &[String]) -> String {
    let mut text = String::from_utf8_lossy(body).into_owned();
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "[redacted]");
        }
    }
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        excerpt.push('…');
    }
    excerpt
}
