//! The two-way sync between roombridge's bookings and Exchange room
//! calendars.
//!
//! [`SyncEngine`] reads each room calendar's changes into the store
//! (inbound) and pushes the store's outbox to Exchange (outbound), through
//! an [`ExchangeBackend`]: [`EwsBackend`] for Exchange Web Services, and
//! later a Microsoft Graph backend with the same interface. The decisions
//! are pure functions in [`decide`]; [`Scheduler`] runs the engine on a
//! timer.
//!
//! ```no_run
//! # async fn example(store: roombridge_store::Store, client: roombridge_ews::EwsClient)
//! # -> Result<(), roombridge_sync::SyncError> {
//! use std::sync::Arc;
//! use roombridge_sync::{EwsBackend, SyncConfig, SyncEngine};
//!
//! let engine = SyncEngine::new(store, Arc::new(EwsBackend::new(client)), SyncConfig::default());
//! let report = engine.sync_all().await?;
//! println!("{} rooms synced", report.rooms.len());
//! # Ok(()) }
//! ```

pub mod backend;
pub mod decide;
mod engine;
mod error;
mod ews_backend;
mod inbound;
mod metrics;
mod outbound;
mod report;
mod scheduler;

pub use backend::{BackendError, BackendErrorKind, ExchangeBackend};
pub use decide::ConflictPolicy;
pub use engine::{SyncConfig, SyncEngine};
pub use error::SyncError;
pub use ews_backend::{BOOKING_ID_PROPERTY, EwsBackend};
pub use metrics::SyncMetrics;
pub use report::{OutboxReport, RoomReport, SyncReport};
pub use scheduler::Scheduler;
