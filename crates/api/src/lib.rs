//! The REST API of roombridge (axum, JSON), mounted by `roombridge serve`,
//! the benchmarks and the demo.
//!
//! [`router`] serves, under `/api/v1`, the rooms, their bookings and
//! availability, and booking creation, reads, changes (`If-Match` on the
//! version, which is also the `ETag`), soft deletes and history, all behind
//! bearer tokens, and `/api/v1/me`, the authenticated user. Beside it sit
//! `/healthz`, Prometheus metrics at `/metrics`, the OpenAPI document at
//! `/api/v1/openapi.json` and the web UI at `/ui/` (`/` redirects there).
//!
//! Storage, validation rules and conflict detection belong to
//! `roombridge-store` and `roombridge-domain`; this crate maps them to HTTP.

mod auth;
mod error;
mod handlers;
mod metrics;
mod middleware;
pub mod openapi;
mod precondition;
mod requests;
mod server;
mod sync_gate;
mod token_cache;
mod ui;
mod views;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use roombridge_store::Store;

pub use auth::Authenticated;
pub use error::{ApiError, ErrorBody, ErrorDetail, MAX_LISTED_FIELD_ERRORS};
pub use metrics::Metrics;
pub use middleware::{REQUEST_ID_HEADER, RequestId};
pub use requests::{AttendeeRequest, CreateBookingRequest, PatchBookingRequest};
pub use server::HEADER_READ_TIMEOUT;
pub use token_cache::TOKEN_CACHE_TTL;
pub use views::{
    AttendeeView, AvailabilityView, BookingView, BusyView, FieldChangeView, HistoryEntryView,
    RoomView, UserView, Visibility,
};

/// Largest request body accepted, in bytes. A booking with the maximum body
/// (65,536 characters, up to 4 bytes each in UTF-8) and 500 attendees fits.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// State shared by every handler: the store and the metrics. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    metrics: Metrics,
    tokens: token_cache::TokenCache,
    sync: std::sync::OnceLock<roombridge_sync::SyncEngine>,
    sync_gate: sync_gate::SyncGate,
}

impl AppState {
    /// Builds the state around an opened, migrated store.
    pub fn new(store: Store) -> Self {
        Self::with_metrics(store, Metrics::new())
    }

    /// Builds the state with `metrics`, for a caller that registered its
    /// own metrics in the same registry (see [`Metrics::with_registry`]).
    pub fn with_metrics(store: Store, metrics: Metrics) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                metrics,
                tokens: token_cache::TokenCache::default(),
                sync: std::sync::OnceLock::new(),
                sync_gate: sync_gate::SyncGate::default(),
            }),
        }
    }

    /// Returns the store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Returns the cache of recently authenticated tokens.
    pub(crate) fn tokens(&self) -> &token_cache::TokenCache {
        &self.inner.tokens
    }

    /// Returns the state with the sync engine that `POST /api/v1/sync`
    /// runs; without one that endpoint returns 503.
    pub fn with_sync_engine(self, engine: roombridge_sync::SyncEngine) -> Self {
        // OK to ignore: a second engine for the same state is dropped.
        let _ = self.inner.sync.set(engine);
        self
    }

    /// Returns the sync engine, when one is configured.
    pub fn sync_engine(&self) -> Option<&roombridge_sync::SyncEngine> {
        self.inner.sync.get()
    }

    /// Returns the gate that coalesces manual full sync runs.
    pub(crate) fn sync_gate(&self) -> &sync_gate::SyncGate {
        &self.inner.sync_gate
    }

    /// Returns the API metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }
}

/// Builds the router with every route, the error fallbacks, the body limit
/// and the per-request span, log line and metrics.
pub fn router(state: AppState) -> Router {
    use handlers::{bookings, me, rooms, sync, system};

    let api = Router::new()
        .route("/me", get(me::me))
        .route("/rooms", get(rooms::list_rooms))
        .route("/rooms/{address}/bookings", get(rooms::room_bookings))
        .route(
            "/rooms/{address}/availability",
            get(rooms::room_availability),
        )
        .route("/bookings", axum::routing::post(bookings::create_booking))
        .route(
            "/bookings/{id}",
            get(bookings::get_booking)
                .patch(bookings::patch_booking)
                .delete(bookings::delete_booking),
        )
        .route("/bookings/{id}/history", get(bookings::booking_history))
        .route("/sync", axum::routing::post(sync::run_sync))
        .route("/outbox", get(sync::list_outbox))
        .route("/openapi.json", get(system::openapi));

    Router::new()
        .nest("/api/v1", api)
        .merge(ui::routes())
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics))
        .fallback(system::not_found)
        .method_not_allowed_fallback(system::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .with_state(state)
}

/// Serves [`router`] over HTTP/1.1 on `listener` until `shutdown`
/// completes, then lets requests in flight finish. A client must send each
/// request's header within [`HEADER_READ_TIMEOUT`].
///
/// # Errors
///
/// Returns the I/O error that stopped the server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve_router(listener, router(state), shutdown).await
}
