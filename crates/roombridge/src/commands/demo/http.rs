//! A small JSON-over-HTTP/1.1 client for the demo's calls to the REST API
//! and to the simulator's admin interface, both on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, IF_MATCH};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// Time allowed for one request, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A response: status, `ETag` header and JSON body (`Null` when empty, a
/// string when the body is not JSON).
#[derive(Debug)]
pub(super) struct Reply {
    /// HTTP status.
    pub(super) status: StatusCode,
    /// The `ETag` header, when sent.
    pub(super) etag: Option<String>,
    /// The parsed body.
    pub(super) body: Value,
}

/// A request to send to `address`.
#[derive(Debug)]
pub(super) struct Call<'a> {
    /// HTTP method.
    pub(super) method: Method,
    /// Path and query.
    pub(super) path: &'a str,
    /// Bearer token, for the REST API.
    pub(super) token: Option<&'a str>,
    /// `If-Match` value.
    pub(super) if_match: Option<&'a str>,
    /// JSON body.
    pub(super) body: Option<Value>,
}

impl<'a> Call<'a> {
    /// Starts a call without token, precondition or body.
    pub(super) fn new(method: Method, path: &'a str) -> Self {
        Self {
            method,
            path,
            token: None,
            if_match: None,
            body: None,
        }
    }

    /// Sends the call to `address` on a new connection.
    ///
    /// # Errors
    ///
    /// Returns a message naming the method and path when the connection or
    /// the exchange fails, or the time limit passes.
    pub(super) async fn send(self, address: SocketAddr) -> Result<Reply, String> {
        let request_line = format!("{} {}", self.method, self.path);
        tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(address))
            .await
            .map_err(|_| {
                format!(
                    "{request_line} timed out after {}s",
                    REQUEST_TIMEOUT.as_secs()
                )
            })?
            .map_err(|error| format!("{request_line} failed: {error}"))
    }

    async fn exchange(self, address: SocketAddr) -> Result<Reply, String> {
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|error| format!("cannot connect to {address}: {error}"))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| error.to_string())?;
        tokio::spawn(connection);

        let mut request = Request::builder()
            .method(self.method)
            .uri(self.path)
            .header(HOST, address.to_string());
        if let Some(token) = self.token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(version) = self.if_match {
            request = request.header(IF_MATCH, version);
        }
        let body = match self.body {
            Some(json) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Bytes::from(json.to_string())
            }
            None => Bytes::new(),
        };
        let request = request
            .body(Full::new(body))
            .map_err(|error| error.to_string())?;

        let response = sender
            .send_request(request)
            .await
            .map_err(|error| error.to_string())?;
        let status = response.status();
        let etag = response
            .headers()
            .get(hyper::header::ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|error| error.to_string())?
            .to_bytes();
        // Errors that axum's extractors reject before a handler runs come
        // as plain text, so a body that is not JSON is kept as a string.
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Ok(Reply { status, etag, body })
    }
}
