//! [`SyncEngine`]: configuration, per-room locking and the entry points
//! that drive inbound reads and outbound pushes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use jiff::SignedDuration;
use roombridge_store::{RoomsVersion, Store};
use tracing::Instrument;

use crate::backend::ExchangeBackend;
use crate::decide::ConflictPolicy;
use crate::error::SyncError;
use crate::report::{OutboxReport, RoomReport, SyncReport};

/// Settings of the sync engine.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncConfig {
    /// Time between scheduled runs.
    pub interval: Duration,
    /// Part of the sync window before now, in which recurring meetings are
    /// expanded.
    pub window_past: SignedDuration,
    /// Part of the sync window after now.
    pub window_ahead: SignedDuration,
    /// Policy for fields edited on both sides since the last sync.
    pub conflict_policy: ConflictPolicy,
    /// Outbox records claimed per pass.
    pub outbox_batch: u32,
    /// Rooms read at the same time by [`SyncEngine::sync_all`], and outbox
    /// records pushed at the same time.
    pub concurrency: usize,
    /// Failed attempts after which a record that keeps failing with a
    /// permanent error is parked.
    pub park_after_attempts: i64,
    /// Wait before the second attempt of a failed record; doubled per
    /// attempt, with jitter.
    pub retry_base: Duration,
    /// Maximum wait between attempts of a record.
    pub retry_max: Duration,
    /// Wait before a parked record is tried again.
    pub parked_retry_after: Duration,
}

impl Default for SyncConfig {
    fn default() -> SyncConfig {
        SyncConfig {
            interval: Duration::from_secs(600),
            window_past: SignedDuration::from_hours(24),
            window_ahead: SignedDuration::from_hours(180 * 24),
            conflict_policy: ConflictPolicy::default(),
            outbox_batch: 50,
            concurrency: 4,
            park_after_attempts: 5,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            parked_retry_after: Duration::from_secs(3600),
        }
    }
}

/// The two-way sync between the store and Exchange. Cheap to clone; clones
/// share the per-room locks.
#[derive(Debug, Clone)]
pub struct SyncEngine {
    pub(crate) store: Store,
    pub(crate) backend: Arc<dyn ExchangeBackend>,
    pub(crate) config: SyncConfig,
    pub(crate) metrics: Option<crate::SyncMetrics>,
    room_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Addresses of the known rooms, shared by room runs so that each need
    /// not list every room.
    known_rooms: Arc<Mutex<Option<KnownRooms>>>,
}

/// Room addresses with the rooms version they were read at.
#[derive(Debug)]
struct KnownRooms {
    version: RoomsVersion,
    addresses: Arc<[String]>,
}

impl SyncEngine {
    /// Creates an engine over a store and an Exchange backend.
    pub fn new(store: Store, backend: Arc<dyn ExchangeBackend>, config: SyncConfig) -> SyncEngine {
        SyncEngine {
            store,
            backend,
            config,
            metrics: None,
            room_locks: Arc::default(),
            known_rooms: Arc::default(),
        }
    }

    /// Returns the engine with metrics that every room run and outbox pass
    /// updates.
    pub fn with_metrics(mut self, metrics: crate::SyncMetrics) -> SyncEngine {
        self.metrics = Some(metrics);
        self
    }

    /// Returns the engine's settings.
    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    /// Returns the store the engine writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Reads one room's calendar and applies what changed. Runs of the same
    /// room queue behind each other, within this process and, on
    /// PostgreSQL, across instances (a run skips when another instance
    /// holds the room).
    ///
    /// # Errors
    ///
    /// Returns [`SyncError::UnknownRoom`] for a room roombridge does not
    /// know; Exchange failures are reported in the [`RoomReport`].
    pub async fn sync_room(&self, address: &str) -> Result<RoomReport, SyncError> {
        let address = roombridge_domain::normalize_address(address);
        let room = self
            .store
            .room(&address)
            .await?
            .ok_or_else(|| SyncError::UnknownRoom(address.clone()))?;
        let started = Instant::now();
        let local = self.room_lock(&room.address);
        let _local = local.lock().await;
        let Some(shared) = self.store.try_lock_room_sync(&room.address).await? else {
            tracing::info!(
                target: "roombridge::sync",
                room = %room.address,
                "room skipped: another instance is syncing it"
            );
            if let Some(metrics) = &self.metrics {
                metrics.room_run("skipped", 0);
            }
            return Ok(RoomReport {
                room: room.address,
                skipped: true,
                ..RoomReport::default()
            });
        };
        let span =
            tracing::info_span!(target: "roombridge::sync", "sync_room", room = %room.address);
        let mut report = crate::inbound::sync_room(self, &room)
            .instrument(span)
            .await;
        shared.release().await;
        report.duration_ms = started.elapsed().as_millis() as u64;
        log_room(&report);
        if let Some(metrics) = &self.metrics {
            let result = if report.errors.is_empty() {
                "ok"
            } else {
                "error"
            };
            metrics.room_run(result, report.requests);
        }
        Ok(report)
    }

    /// Syncs every room, [`SyncConfig::concurrency`] at a time, after
    /// pushing the outbox. The report lists rooms in address order.
    ///
    /// # Errors
    ///
    /// Returns [`SyncError::Store`] when the rooms cannot be listed; errors
    /// of single rooms and records are in the report.
    pub async fn sync_all(&self) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let outbox = self.push_outbox().await?;
        let addresses: Vec<String> = self
            .store
            .list_rooms()
            .await?
            .into_iter()
            .map(|room| room.address)
            .collect();
        let mut rooms: Vec<RoomReport> = futures::stream::iter(addresses)
            .map(|address| async move { self.sync_room(&address).await })
            .buffer_unordered(self.config.concurrency.max(1))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
        rooms.sort_by(|a, b| a.room.cmp(&b.room));
        Ok(SyncReport {
            rooms,
            outbox,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// Pushes due outbox records to Exchange once. A record that fails is
    /// retried later with a jittered back-off; one that keeps failing is
    /// parked. Failures of one record never hold back the others.
    ///
    /// # Errors
    ///
    /// Returns [`SyncError::Store`] when records cannot be claimed.
    pub async fn push_outbox(&self) -> Result<OutboxReport, SyncError> {
        let report = crate::outbound::push_outbox(self).await?;
        if let Some(metrics) = &self.metrics {
            let parked = self
                .store
                .count_outbox()
                .await?
                .into_iter()
                .find(|(state, _)| state == "parked")
                .map_or(0, |(_, count)| count);
            metrics.outbox(&report, parked);
        }
        Ok(report)
    }

    /// Alternates outbox pushes and room reads until a round changes
    /// nothing, fails nowhere and no record is due, at most `max_rounds`
    /// times; returns
    /// every round's report. Meant for tests and demonstrations.
    ///
    /// # Errors
    ///
    /// Returns the first [`SyncError`] of [`SyncEngine::sync_all`].
    pub async fn run_until_quiescent(&self, max_rounds: u32) -> Result<Vec<SyncReport>, SyncError> {
        let mut reports = Vec::new();
        for _ in 0..max_rounds.max(1) {
            let report = self.sync_all().await?;
            // A room run that failed may have left work for the next run,
            // such as a request it could not answer, so it is not quiet.
            let quiet = report.outbox.pushed == 0
                && report.outbox.failed == 0
                && report
                    .rooms
                    .iter()
                    .all(|room| !room.changed_anything() && room.errors.is_empty());
            reports.push(report);
            if quiet {
                break;
            }
        }
        Ok(reports)
    }

    /// Returns the addresses of every known room, read again only when
    /// the rooms changed since the last call.
    pub(crate) async fn known_rooms(&self) -> Result<Arc<[String]>, SyncError> {
        let version = self.store.rooms_version().await?;
        if let Some(known) = &*lock(&self.known_rooms)
            && known.version == version
        {
            return Ok(known.addresses.clone());
        }
        let addresses: Arc<[String]> = self
            .store
            .list_rooms()
            .await?
            .into_iter()
            .map(|room| room.address)
            .collect();
        // A room added since `version` was read makes the next call read
        // the list again, because the version it finds differs.
        *lock(&self.known_rooms) = Some(KnownRooms {
            version,
            addresses: addresses.clone(),
        });
        Ok(addresses)
    }

    fn room_lock(&self, room: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = match self.room_locks.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        locks.entry(room.to_owned()).or_default().clone()
    }
}

fn log_room(report: &RoomReport) {
    let result = if report.errors.is_empty() {
        "ok"
    } else {
        "error"
    };
    if report.errors.is_empty() {
        tracing::info!(
            target: "roombridge::sync",
            room = %report.room,
            result,
            created = report.created,
            updated = report.updated,
            cancelled = report.cancelled,
            declined = report.declined,
            requests = report.requests,
            full_read = report.full_read,
            elapsed_ms = report.duration_ms,
            "room synced"
        );
    } else {
        tracing::warn!(
            target: "roombridge::sync",
            room = %report.room,
            result,
            errors = ?report.errors,
            requests = report.requests,
            elapsed_ms = report.duration_ms,
            "room sync failed; nothing from this run was stored"
        );
    }
}

/// Locks a mutex whose data stays valid even if a holder panicked.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
