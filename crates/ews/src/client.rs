//! The EWS client: sends operations with impersonation, retries what is
//! safe to retry, caps concurrent requests per account and logs one event
//! per call.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::StatusCode;
use tokio::sync::Semaphore;

use crate::auth::Credentials;
use crate::envelope::{parse_response, request_xml};
use crate::error::{EwsError, Target, excerpt};
use crate::operation::{Operation, OperationResponse};
use crate::retry::{RetryPolicy, server_wait_from_millis};
use crate::transport::{Endpoint, HttpReply, TlsOptions, Transport, TransportError, retry_after};
use crate::types::{
    ExchangeImpersonation, ExchangeVersion, RequestHeader, ResponseBody, ResponseCode,
    ResponseMessage, ServerVersionInfo, TimeZoneDefinition, back_off_milliseconds,
};

/// Default cap on concurrent requests per account.
///
/// Exchange limits concurrent EWS connections per account with the
/// throttling policy setting `EWSMaxConcurrency`. Its default is 10 on
/// Exchange 2010 and 27 on Exchange Online, and with impersonation the
/// connections count against the impersonated mailbox (Microsoft, "You are
/// doing too much at one time: EWSMaxConcurrency",
/// learn.microsoft.com/en-us/archive/blogs/webdav_101, 2018). Staying well
/// below leaves room for Outlook and other clients of the same mailbox.
pub const DEFAULT_MAX_CONCURRENCY_PER_ACCOUNT: usize = 4;

/// Builder of an [`EwsClient`].
#[derive(Debug)]
pub struct EwsClientBuilder {
    endpoint: String,
    credentials: Credentials,
    server_version: ExchangeVersion,
    timeout: Duration,
    retry: RetryPolicy,
    max_concurrency_per_account: usize,
    tls: TlsOptions,
    max_idle_connections: usize,
    max_response_bytes: usize,
    time_zone_context: Option<String>,
}

impl EwsClientBuilder {
    /// Starts a client for `https://HOST/EWS/Exchange.asmx` with credentials.
    pub fn new(endpoint: impl Into<String>, credentials: Credentials) -> EwsClientBuilder {
        EwsClientBuilder {
            endpoint: endpoint.into(),
            credentials,
            server_version: ExchangeVersion::Exchange2013Sp1,
            timeout: Duration::from_secs(100),
            retry: RetryPolicy::default(),
            max_concurrency_per_account: DEFAULT_MAX_CONCURRENCY_PER_ACCOUNT,
            tls: TlsOptions::default(),
            max_idle_connections: 8,
            max_response_bytes: 64 * 1024 * 1024,
            time_zone_context: Some(String::from("UTC")),
        }
    }

    /// Sets `RequestServerVersion` (default `Exchange2013_SP1`).
    pub fn server_version(mut self, version: ExchangeVersion) -> EwsClientBuilder {
        self.server_version = version;
        self
    }

    /// Sets the timeout of one HTTP exchange (default 100 s).
    pub fn timeout(mut self, timeout: Duration) -> EwsClientBuilder {
        self.timeout = timeout;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> EwsClientBuilder {
        self.retry = retry;
        self
    }

    /// Sets the cap on concurrent requests per account (default 4).
    pub fn max_concurrency_per_account(mut self, max: usize) -> EwsClientBuilder {
        self.max_concurrency_per_account = max;
        self
    }

    /// Trusts the CA certificates of a PEM file in addition to the system's.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> EwsClientBuilder {
        self.tls.ca_bundle = Some(path.into());
        self
    }

    /// Turns certificate verification off. Logged as a warning when the
    /// client is built; never use it against a real server.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> EwsClientBuilder {
        self.tls.danger_accept_invalid_certs = accept;
        self
    }

    /// Sets the maximum number of idle connections kept (default 8).
    pub fn max_idle_connections(mut self, max: usize) -> EwsClientBuilder {
        self.max_idle_connections = max;
        self
    }

    /// Sets the maximum response size in bytes (default 64 MiB).
    pub fn max_response_bytes(mut self, max: usize) -> EwsClientBuilder {
        self.max_response_bytes = max;
        self
    }

    /// Sets the Windows time zone id sent in `TimeZoneContext` (default
    /// `UTC`), or `None` to send none.
    pub fn time_zone_context(mut self, zone: Option<String>) -> EwsClientBuilder {
        self.time_zone_context = zone;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// Returns [`EwsError::Config`] for an invalid endpoint, a zero
    /// concurrency cap or an unreadable CA bundle.
    pub fn build(self) -> Result<EwsClient, EwsError> {
        if self.max_concurrency_per_account == 0 {
            return Err(EwsError::Config(String::from(
                "max_concurrency_per_account is 0; set it to at least 1",
            )));
        }
        let endpoint = Endpoint::parse(&self.endpoint).map_err(EwsError::Config)?;
        if self.tls.danger_accept_invalid_certs {
            tracing::warn!(
                target: "roombridge::ews",
                endpoint = %endpoint.url,
                "TLS certificate verification is turned off for the EWS endpoint; anyone on the network path can read the credentials and data"
            );
        }
        let transport = Transport::new(
            endpoint,
            self.credentials,
            &self.tls,
            self.max_idle_connections,
            self.max_response_bytes,
        )
        .map_err(EwsError::Config)?;
        Ok(EwsClient {
            inner: Arc::new(Inner {
                transport,
                server_version: self.server_version,
                timeout: self.timeout,
                retry: self.retry,
                max_concurrency: self.max_concurrency_per_account,
                semaphores: Mutex::new(HashMap::new()),
                time_zone_context: self.time_zone_context,
                server_version_info: Mutex::new(None),
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    server_version: ExchangeVersion,
    timeout: Duration,
    retry: RetryPolicy,
    max_concurrency: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
    time_zone_context: Option<String>,
    server_version_info: Mutex<Option<ServerVersionInfo>>,
}

/// An asynchronous EWS client; cheap to clone.
#[derive(Debug, Clone)]
pub struct EwsClient {
    inner: Arc<Inner>,
}

impl EwsClient {
    /// Returns the `ServerVersionInfo` of the last response that carried one.
    pub fn server_version_info(&self) -> Option<ServerVersionInfo> {
        self.inner.server_version_info.lock().ok()?.clone()
    }

    /// Returns the number of idle pooled connections.
    pub fn idle_connections(&self) -> usize {
        self.inner.transport.idle_connections()
    }

    fn semaphore(&self, mailbox: Option<&str>) -> Arc<Semaphore> {
        let key = mailbox.map(str::to_lowercase).unwrap_or_default();
        let mut semaphores = match self.inner.semaphores.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        semaphores
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.inner.max_concurrency)))
            .clone()
    }

    /// Sends an operation, impersonating `mailbox` when given, and returns
    /// the parsed response.
    ///
    /// Per-item errors such as `ErrorItemNotFound` stay in the response
    /// messages for the caller. Errors that concern the whole request
    /// (throttling, denied impersonation, faults, HTTP errors) are returned
    /// as [`EwsError`].
    ///
    /// # Errors
    ///
    /// Returns an [`EwsError`] describing the failure after any retries.
    pub async fn call<O: Operation>(
        &self,
        mailbox: Option<&str>,
        operation: &O,
    ) -> Result<O::Response, EwsError> {
        let header = RequestHeader {
            request_server_version: Some(self.inner.server_version),
            impersonation: mailbox.map(ExchangeImpersonation::primary_smtp),
            time_zone_context: self
                .inner
                .time_zone_context
                .as_deref()
                .map(TimeZoneDefinition::id),
        };
        let body = Bytes::from(request_xml(&header, operation));
        let target = Target(mailbox.map(str::to_owned));
        let started = Instant::now();
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            let expected = operation.expected_messages();
            let error = match self.attempt::<O>(&target, body.clone(), expected).await {
                Ok(response) => break Ok(response),
                Err(error) => error,
            };
            let safe = O::IDEMPOTENT || error.was_not_sent();
            let wait = if error.is_transient() && safe {
                self.inner.retry.delay(attempt, error.back_off())
            } else {
                None
            };
            let Some(wait) = wait else { break Err(error) };
            tracing::info!(
                target: "roombridge::ews",
                operation = O::NAME,
                mailbox = mailbox.unwrap_or_default(),
                attempt,
                wait_ms = wait.as_millis() as u64,
                error = %error,
                "retrying EWS call"
            );
            tokio::time::sleep(wait).await;
        };
        log_call(O::NAME, mailbox, started.elapsed(), attempt, &result);
        result
    }

    async fn attempt<O: Operation>(
        &self,
        target: &Target,
        body: Bytes,
        expected_messages: Option<usize>,
    ) -> Result<O::Response, EwsError> {
        let mailbox = target.0.as_deref();
        let semaphore = self.semaphore(mailbox);
        // OK to expect: the semaphore is never closed.
        let _permit = semaphore
            .acquire_owned()
            .await
            .expect("semaphore is never closed");
        let token = match self.inner.transport.credentials() {
            Credentials::Bearer(provider) => {
                Some(provider.token().await.map_err(|source| EwsError::Token {
                    operation: O::NAME,
                    target: target.clone(),
                    source,
                })?)
            }
            _ => None,
        };
        let send =
            self.inner
                .transport
                .send(body, mailbox, token.as_ref().map(|token| token.expose()));
        let reply = match tokio::time::timeout(self.inner.timeout, send).await {
            Err(_) => {
                return Err(EwsError::Timeout {
                    operation: O::NAME,
                    target: target.clone(),
                    after: self.inner.timeout,
                });
            }
            Ok(Err(error)) => return Err(self.transport_error(O::NAME, target, error)),
            Ok(Ok(reply)) => reply,
        };
        let mut secrets = self.inner.transport.credentials().secrets();
        if let Some(token) = &token {
            secrets.push(token.expose().to_owned());
        }
        self.interpret::<O>(target, reply, expected_messages, &secrets)
    }

    fn transport_error(
        &self,
        operation: &'static str,
        target: &Target,
        error: TransportError,
    ) -> EwsError {
        let endpoint = self.inner.transport.endpoint().url.clone();
        let (reason, not_sent) = match error {
            TransportError::NotSent(reason) => (reason, true),
            TransportError::Failed(reason) => (reason, false),
            TransportError::TooLarge(limit) => {
                (format!("response larger than {limit} bytes"), false)
            }
            TransportError::NtlmRejected => {
                let credentials = self.inner.transport.credentials();
                return EwsError::Unauthorized {
                    operation,
                    target: target.clone(),
                    scheme: credentials.scheme(),
                    account: credentials.account(),
                };
            }
        };
        EwsError::Connection {
            operation,
            target: target.clone(),
            endpoint,
            reason,
            not_sent,
        }
    }

    fn interpret<O: Operation>(
        &self,
        target: &Target,
        reply: HttpReply,
        expected_messages: Option<usize>,
        secrets: &[String],
    ) -> Result<O::Response, EwsError> {
        let operation = O::NAME;
        let target = target.clone();
        match reply.status {
            StatusCode::UNAUTHORIZED => {
                let credentials = self.inner.transport.credentials();
                return Err(EwsError::Unauthorized {
                    operation,
                    target,
                    scheme: credentials.scheme(),
                    account: credentials.account(),
                });
            }
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = retry_after(&reply.headers);
                return Err(EwsError::TooManyRequests {
                    operation,
                    target,
                    retry_after,
                });
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                let retry_after = retry_after(&reply.headers);
                return Err(EwsError::ServiceUnavailable {
                    operation,
                    target,
                    retry_after,
                });
            }
            StatusCode::OK | StatusCode::INTERNAL_SERVER_ERROR => {}
            status => {
                return Err(EwsError::HttpStatus {
                    operation,
                    target,
                    status: status.as_u16(),
                    excerpt: excerpt(&reply.body, secrets),
                });
            }
        }
        let text = match std::str::from_utf8(&reply.body) {
            Ok(text) => text,
            Err(error) => {
                return Err(EwsError::MalformedResponse {
                    operation,
                    target,
                    error: crate::xml::ParseError {
                        path: String::from("/"),
                        message: format!("response is not UTF-8: {error}"),
                    },
                    excerpt: excerpt(&reply.body, secrets),
                });
            }
        };
        let envelope = match parse_response::<O::Response>(text) {
            Ok(envelope) => envelope,
            Err(error) if reply.status == StatusCode::OK => {
                return Err(EwsError::MalformedResponse {
                    operation,
                    target,
                    error,
                    excerpt: excerpt(&reply.body, secrets),
                });
            }
            Err(_) => {
                return Err(EwsError::HttpStatus {
                    operation,
                    target,
                    status: reply.status.as_u16(),
                    excerpt: excerpt(&reply.body, secrets),
                });
            }
        };
        if let Some(info) = envelope.server_version_info
            && let Ok(mut slot) = self.inner.server_version_info.lock()
        {
            *slot = Some(info);
        }
        let response = match envelope.body {
            ResponseBody::Fault(fault) => {
                let code = bounded_code(fault.code());
                if code == ResponseCode::ErrorServerBusy {
                    let back_off =
                        back_off_milliseconds(&fault.message_xml).map(server_wait_from_millis);
                    return Err(EwsError::ServerBusy {
                        operation,
                        target,
                        back_off,
                    });
                }
                return Err(EwsError::SoapFault {
                    operation,
                    target,
                    code,
                    fault_string: excerpt(fault.fault_string.as_bytes(), secrets),
                });
            }
            ResponseBody::Response(response) => response,
        };
        check_request_level_errors(operation, &target, &response, secrets)?;
        check_message_count::<O::Response>(
            operation,
            &target,
            expected_messages,
            &response,
            &reply.body,
            secrets,
        )?;
        Ok(response)
    }
}

/// Rejects a batch response whose number of response messages differs from
/// the number of items in the request. A missing message would leave an
/// item without a result, and callers pair messages with items by position.
fn check_message_count<R: OperationResponse>(
    operation: &'static str,
    target: &Target,
    expected: Option<usize>,
    response: &R,
    body: &[u8],
    secrets: &[String],
) -> Result<(), EwsError> {
    let found = response.outcomes().len();
    let Some(expected) = expected else {
        return Ok(());
    };
    if found == expected {
        return Ok(());
    }
    Err(EwsError::MalformedResponse {
        operation,
        target: target.clone(),
        error: crate::xml::ParseError {
            path: format!("/Envelope/Body/{}/ResponseMessages", R::NAME),
            message: format!(
                "expected {expected} response messages, one per request item, but found {found}"
            ),
        },
        excerpt: excerpt(body, secrets),
    })
}

/// Turns response messages that concern the whole request into errors:
/// throttling and denied impersonation in any message, and a denied or
/// missing mailbox when every message reports it (in a batch, one denied
/// item is that item's own result).
fn check_request_level_errors<R: OperationResponse>(
    operation: &'static str,
    target: &Target,
    response: &R,
    secrets: &[String],
) -> Result<(), EwsError> {
    let outcomes = response.outcomes();
    for outcome in &outcomes {
        match outcome.response_code {
            ResponseCode::ErrorServerBusy => {
                let back_off =
                    back_off_milliseconds(outcome.message_xml).map(server_wait_from_millis);
                return Err(EwsError::ServerBusy {
                    operation,
                    target: target.clone(),
                    back_off,
                });
            }
            ResponseCode::ErrorImpersonateUserDenied => {
                return Err(response_error(operation, target, outcome, secrets));
            }
            _ => {}
        }
    }
    if let Some(first) = outcomes.first() {
        let mailbox_level = matches!(
            first.response_code,
            ResponseCode::ErrorNonExistentMailbox | ResponseCode::ErrorAccessDenied
        );
        let all_same = outcomes
            .iter()
            .all(|outcome| outcome.response_code == first.response_code);
        if mailbox_level && all_same {
            return Err(response_error(operation, target, first, secrets));
        }
    }
    Ok(())
}

fn response_error(
    operation: &'static str,
    target: &Target,
    outcome: &crate::operation::Outcome<'_>,
    secrets: &[String],
) -> EwsError {
    EwsError::Response {
        operation,
        target: target.clone(),
        code: bounded_code(outcome.response_code.clone()),
        message: outcome
            .message_text
            .map(|text| excerpt(text.as_bytes(), secrets)),
    }
}

/// Longest unknown response code kept in an error. The longest code in the
/// Exchange 2016 schema has 56 characters.
const MAX_CODE_CHARS: usize = 100;

/// Cuts an unknown response code for an error message, because a hostile
/// server could send megabytes as its code.
fn bounded_code(code: ResponseCode) -> ResponseCode {
    match code {
        ResponseCode::Other(text) if text.chars().nth(MAX_CODE_CHARS).is_some() => {
            let mut cut: String = text.chars().take(MAX_CODE_CHARS).collect();
            cut.push('…');
            ResponseCode::Other(cut)
        }
        code => code,
    }
}

/// Converts one response message into its content, or an error naming the
/// code, the start of the message text and the mailbox.
///
/// # Errors
///
/// Returns [`EwsError::Response`] when the message's class is `Error`.
pub fn message_result<T>(
    operation: &'static str,
    mailbox: Option<&str>,
    message: ResponseMessage<T>,
) -> Result<T, EwsError> {
    if message.response_class == crate::types::ResponseClass::Error {
        return Err(EwsError::Response {
            operation,
            target: Target(mailbox.map(str::to_owned)),
            code: bounded_code(message.response_code),
            message: message
                .message_text
                .map(|text| excerpt(text.as_bytes(), &[])),
        });
    }
    Ok(message.content)
}

fn log_call<T>(
    operation: &'static str,
    mailbox: Option<&str>,
    elapsed: Duration,
    attempts: u32,
    result: &Result<T, EwsError>,
) {
    let elapsed_ms = elapsed.as_millis() as u64;
    let mailbox = mailbox.unwrap_or_default();
    match result {
        Ok(_) if elapsed > Duration::from_secs(10) => tracing::warn!(
            target: "roombridge::ews",
            operation, mailbox, elapsed_ms, attempts, result = "ok",
            "slow EWS call"
        ),
        Ok(_) => tracing::debug!(
            target: "roombridge::ews",
            operation, mailbox, elapsed_ms, attempts, result = "ok",
            "EWS call finished"
        ),
        Err(error) => tracing::warn!(
            target: "roombridge::ews",
            operation, mailbox, elapsed_ms, attempts, result = error.kind(), error = %error,
            "EWS call failed"
        ),
    }
}
