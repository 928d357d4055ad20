//! The HTTP side: one hyper connection task per client so NTLM can sign in
//! a connection, the EWS endpoint with faults and throttling, and the admin
//! router.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Body;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use jiff::{SignedDuration, Timestamp};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::SimulatorConfig;
use crate::auth::{AuthOutcome, ConnectionAuth};
use crate::ews::{self, errors::EwsError};
use crate::faults::{FaultKind, Faults};
use crate::org::Org;
use crate::organisation::{OrganisationError, OrganisationFile};
use crate::sync_state::SyncStateKey;

/// Largest request body accepted, in bytes.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// State shared by every connection.
pub(crate) struct Shared {
    pub(crate) org: Mutex<Org>,
    pub(crate) sync_key: RwLock<SyncStateKey>,
    pub(crate) faults: Mutex<Faults>,
    in_flight: Mutex<HashMap<String, usize>>,
    /// HTTP requests received at the EWS endpoint, sign-in legs included.
    pub(crate) ews_requests: std::sync::atomic::AtomicU64,
    state_file: Option<PathBuf>,
    save_lock: tokio::sync::Mutex<()>,
    netbios_domain: String,
    pub(crate) sync_state_max_age: SignedDuration,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Locks the organisation. A panic while holding the lock leaves the
    /// state as it was at the panic, which is still usable for a simulator.
    pub(crate) fn org(&self) -> std::sync::MutexGuard<'_, Org> {
        self.org
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Locks the fault settings.
    pub(crate) fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes the state file, when one is configured.
    pub(crate) async fn save(&self) {
        let Some(path) = &self.state_file else { return };
        let _serialised = self.save_lock.lock().await;
        let json = match serde_json::to_vec(&*self.org()) {
            Ok(json) => json,
            Err(error) => {
                tracing::error!(%error, "cannot serialise the simulator state");
                return;
            }
        };
        let temporary = path.with_extension("tmp");
        let result = async {
            tokio::fs::write(&temporary, &json).await?;
            tokio::fs::rename(&temporary, path).await
        }
        .await;
        if let Err(error) = result {
            tracing::error!(%error, path = %path.display(), "cannot write the simulator state file");
        }
    }
}

/// A simulator serving on a local address; dropping it stops the listener.
#[derive(Debug)]
pub struct RunningSimulator {
    address: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Error starting a simulator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The organisation or state could not be loaded.
    #[error(transparent)]
    Organisation(#[from] OrganisationError),
    /// The state file exists but does not hold a saved state.
    #[error("invalid state file {path}: {message}; delete it to start from the organisation")]
    StateFile {
        /// The file.
        path: String,
        /// The problem found.
        message: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

impl RunningSimulator {
    /// Returns the address the simulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Returns the EWS endpoint URL (`http://ADDR/EWS/Exchange.asmx`).
    pub fn ews_url(&self) -> String {
        format!("http://{}/EWS/Exchange.asmx", self.address)
    }

    /// Returns the base URL of the admin interface (`http://ADDR/admin`).
    pub fn admin_url(&self) -> String {
        format!("http://{}/admin", self.address)
    }

    /// Returns a copy of the current organisation state.
    pub fn snapshot(&self) -> Org {
        self.shared.org().clone()
    }

    /// Returns the HTTP requests the EWS endpoint received since start-up,
    /// as `GET /admin/stats` reports them.
    pub fn ews_requests(&self) -> u64 {
        self.shared
            .ews_requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Replaces the fault settings, as `PUT /admin/faults` does.
    ///
    /// # Errors
    ///
    /// Returns every invalid setting, leaving the previous settings in force.
    pub fn set_faults(&self, faults: Faults) -> Result<(), Vec<String>> {
        faults.validate()?;
        *self.shared.faults() = faults;
        Ok(())
    }

    /// Makes every sync state issued so far invalid, as
    /// `POST /admin/sync-states/invalidate` does.
    pub fn invalidate_sync_states(&self) {
        let max_age = self.shared.sync_state_max_age;
        *self
            .shared
            .sync_key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = SyncStateKey::random(max_age);
    }

    /// Stops accepting connections and waits for the listener to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Loads the state and starts the accept loop.
pub(crate) async fn start(config: SimulatorConfig) -> Result<RunningSimulator, StartError> {
    let now = Timestamp::now();
    let org = load_org(&config, now)?;
    let max_age =
        SignedDuration::try_from(config.sync_state_max_age).unwrap_or(SignedDuration::MAX);
    let shared = Arc::new(Shared {
        org: Mutex::new(org),
        sync_key: RwLock::new(SyncStateKey::random(max_age)),
        faults: Mutex::new(Faults::default()),
        in_flight: Mutex::new(HashMap::new()),
        ews_requests: std::sync::atomic::AtomicU64::new(0),
        state_file: config.state_file.clone(),
        save_lock: tokio::sync::Mutex::new(()),
        netbios_domain: config.netbios_domain.clone(),
        sync_state_max_age: max_age,
    });
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            address: config.listen,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| StartError::Bind {
        address: config.listen,
        source,
    })?;
    let (shutdown, mut stopped) = watch::channel(false);
    let admin = crate::admin::router(shared.clone());
    let accept_shared = shared.clone();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stopped.changed() => break,
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let connection_shared = accept_shared.clone();
                    let connection_admin = admin.clone();
                    tokio::spawn(serve_connection(stream, peer, connection_shared, connection_admin));
                }
            }
        }
    });
    tracing::info!(%address, "Exchange simulator listening");
    Ok(RunningSimulator {
        address,
        shared,
        shutdown,
        task: Some(task),
    })
}

fn load_org(config: &SimulatorConfig, now: Timestamp) -> Result<Org, StartError> {
    if let Some(path) = &config.state_file
        && path.exists()
    {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| StartError::StateFile {
            path: display.clone(),
            message: error.to_string(),
        })?;
        let mut org: Org = serde_json::from_str(&text).map_err(|error| StartError::StateFile {
            path: display,
            message: error.to_string(),
        })?;
        org.reindex();
        return Ok(org);
    }
    let file = match (&config.organisation, &config.organisation_file) {
        (Some(organisation), _) => organisation.clone(),
        (None, Some(path)) => OrganisationFile::load(path)?,
        (None, None) => crate::organisation::sample(now),
    };
    Ok(file.build(now)?)
}

/// The error that makes hyper close a connection without a response.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    admin: axum::Router,
) {
    let auth = Arc::new(ConnectionAuth::default());
    let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
        let shared = shared.clone();
        let auth = auth.clone();
        let admin = admin.clone();
        async move { route(request, shared, auth, admin).await }
    });
    if let Err(error) = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(%peer, %error, "connection closed");
    }
}

async fn route(
    request: Request<hyper::body::Incoming>,
    shared: Arc<Shared>,
    auth: Arc<ConnectionAuth>,
    admin: axum::Router,
) -> Result<Response<Body>, DropConnection> {
    let path = request.uri().path().to_ascii_lowercase();
    if path == "/ews/exchange.asmx" {
        return ews_endpoint(request, &shared, &auth).await;
    }
    if path == "/admin" || path.starts_with("/admin/") {
        let request = request.map(Body::new);
        let response: Result<Response<Body>, Infallible> = admin.oneshot(request).await;
        return Ok(response.unwrap_or_else(|never| match never {}));
    }
    Ok(plain(
        StatusCode::NOT_FOUND,
        "not found: the EWS endpoint is /EWS/Exchange.asmx and the admin interface is under /admin/",
    ))
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(text.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn soap(status: u16, body: String) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}

/// Counts one in-flight request of an account; the count drops with the guard.
struct InFlight<'a> {
    shared: &'a Shared,
    account: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut counts = self
            .shared
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.account) {
            *count = count.saturating_sub(1);
        }
    }
}

async fn ews_endpoint(
    request: Request<hyper::body::Incoming>,
    shared: &Arc<Shared>,
    auth: &ConnectionAuth,
) -> Result<Response<Body>, DropConnection> {
    shared
        .ews_requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let method = request.method().clone();
    // Read the whole body first so the connection stays usable for the
    // next leg of an NTLM handshake.
    let body = match http_body_util::Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body larger than 16 MiB",
            ));
        }
    };

    let outcome = {
        let org = shared.org();
        auth.check(&org, authorization.as_deref(), &shared.netbios_domain)
    };
    let principal = match outcome {
        AuthOutcome::Allowed(principal) => principal,
        AuthOutcome::Challenge(schemes) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            for scheme in schemes {
                if let Ok(value) = HeaderValue::from_str(&scheme) {
                    response
                        .headers_mut()
                        .append(header::WWW_AUTHENTICATE, value);
                }
            }
            return Ok(response);
        }
    };
    if method != http::Method::POST {
        return Ok(plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "EWS requests are SOAP documents sent with POST",
        ));
    }
    let Ok(body) = String::from_utf8(body.to_vec()) else {
        return Ok(soap(
            500,
            ews::envelope::fault(&EwsError::schema_validation(
                "the request body is not UTF-8",
            )),
        ));
    };

    let operation = ews::operation_name(&body).unwrap_or_default();
    let (limit, back_off, before, latency, random_latency) = {
        let mut faults = shared.faults();
        let before = faults.take(&operation, false);
        (
            faults.max_concurrent_per_account,
            faults.back_off(),
            before,
            faults.latency_ms,
            faults.random_latency_ms,
        )
    };
    let _in_flight = {
        let mut counts = shared
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(principal.clone()).or_insert(0);
        if limit.is_some_and(|limit| *count >= limit) {
            tracing::info!(account = %principal, operation, "throttled: too many concurrent requests");
            return Ok(soap(
                500,
                ews::envelope::fault(&EwsError::server_busy(back_off)),
            ));
        }
        *count += 1;
        InFlight {
            shared,
            account: principal.clone(),
        }
    };
    // The delay counts against the account's concurrency, as a slow
    // mailbox server's would.
    let delay = latency
        + if random_latency > 0 {
            rand::random_range(0..=random_latency)
        } else {
            0
        };
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    match before {
        Some(FaultKind::Http500) => {
            return Ok(plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "injected HTTP 500",
            ));
        }
        Some(FaultKind::Http503) => {
            return Ok(plain(StatusCode::SERVICE_UNAVAILABLE, "injected HTTP 503"));
        }
        Some(FaultKind::ServerBusy) => {
            return Ok(soap(
                500,
                ews::envelope::fault(&EwsError::server_busy(back_off)),
            ));
        }
        _ => {}
    }

    let started = std::time::Instant::now();
    let reply = {
        let key = shared
            .sync_key
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut org = shared.org();
        ews::handle(&mut org, &key, &principal, &body)
    };
    tracing::info!(
        account = %principal,
        operation = %reply.operation,
        status = reply.status,
        elapsed_us = started.elapsed().as_micros() as u64,
        "EWS request"
    );
    if reply.changed {
        shared.save().await;
    }
    let after = shared.faults().take(&operation, true);
    match after {
        Some(FaultKind::DropAfterCommit) => Err(DropConnection),
        Some(FaultKind::MalformedXml) => {
            let cut = reply.body.len() / 2;
            let mut truncated = reply.body;
            while !truncated.is_char_boundary(cut.min(truncated.len())) {
                truncated.pop();
            }
            truncated.truncate(cut.min(truncated.len()));
            Ok(soap(200, truncated))
        }
        _ => Ok(soap(reply.status, reply.body)),
    }
}
