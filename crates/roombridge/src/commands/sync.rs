//! `roombridge sync`: pushes pending changes to Exchange and reads every
//! room's calendar (or one room's) once, printing a report per room. Also
//! builds the sync engine that `serve` schedules.

use std::io::IsTerminal;
use std::sync::Arc;

use roombridge_ews::auth::{Credentials, TokenError, TokenFuture, TokenProvider};
use roombridge_ews::types::ExchangeVersion;
use roombridge_ews::{EwsClientBuilder, Secret};
use roombridge_sync::{EwsBackend, RoomReport, SyncEngine};

use super::{Failure, open_store, prepare_database};
use crate::config::{Config, ExchangeAuth, ExchangeConfig};

/// Options of `roombridge sync`.
#[derive(Debug, clap::Args)]
pub(crate) struct SyncArgs {
    /// Sync only this room mailbox, such as `room-101@example.com`.
    #[arg(long, value_name = "ADDRESS")]
    room: Option<String>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs one sync and prints its report; fails when a room or record failed.
pub(crate) async fn run(config: &Config, args: SyncArgs) -> Result<(), Failure> {
    let store = open_store(config).await?;
    prepare_database(config, &store).await?;
    let engine = build_engine(config, store.clone())?;

    let outbox = engine
        .push_outbox()
        .await
        .map_err(|error| Failure::new(format!("cannot push the outbox: {error}")))?;
    let rooms: Vec<String> = match &args.room {
        Some(room) => vec![room.clone()],
        None => store
            .list_rooms()
            .await
            .map_err(|error| Failure::new(format!("cannot list rooms: {error}")))?
            .into_iter()
            .map(|room| room.address)
            .collect(),
    };
    let progress = std::io::stderr().is_terminal() && !args.json && rooms.len() > 1;
    let reports = sync_rooms(&engine, rooms, progress).await?;
    if progress {
        eprintln!("\r\x1b[K");
    }

    if args.json {
        let json = serde_json::json!({ "outbox": outbox, "rooms": reports });
        println!("{json:#}");
    } else {
        print_table(&outbox, &reports);
    }
    let failed = reports
        .iter()
        .filter(|room| !room.errors.is_empty())
        .count();
    if failed > 0 || outbox.parked > 0 {
        return Err(Failure::new(format!(
            "{failed} room(s) failed and {} outbox record(s) were parked; see the errors above",
            outbox.parked
        )));
    }
    Ok(())
}

/// Syncs the rooms, as many at once as the engine's `concurrency` allows;
/// the reports come back in the order of `rooms`.
async fn sync_rooms(
    engine: &SyncEngine,
    rooms: Vec<String>,
    progress: bool,
) -> Result<Vec<RoomReport>, Failure> {
    let total = rooms.len();
    let queue = Arc::new(std::sync::Mutex::new(
        rooms
            .into_iter()
            .enumerate()
            .collect::<std::collections::VecDeque<_>>(),
    ));
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..engine.config().concurrency.clamp(1, total.max(1)) {
        let engine = engine.clone();
        let queue = queue.clone();
        let done = done.clone();
        workers.spawn(async move {
            let mut reports = Vec::new();
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .pop_front();
                let Some((index, room)) = next else { break };
                let report = engine.sync_room(&room).await?;
                let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if progress {
                    eprint!("\rsynced room {finished} of {total}: {room}\x1b[K");
                }
                reports.push((index, report));
            }
            Ok::<_, roombridge_sync::SyncError>(reports)
        });
    }
    let mut reports = Vec::with_capacity(total);
    while let Some(joined) = workers.join_next().await {
        let finished =
            joined.map_err(|error| Failure::new(format!("a room sync task failed: {error}")))?;
        reports.extend(finished.map_err(|error| Failure::new(error.to_string()))?);
    }
    reports.sort_by_key(|(index, _)| *index);
    Ok(reports.into_iter().map(|(_, report)| report).collect())
}

fn print_table(outbox: &roombridge_sync::OutboxReport, reports: &[RoomReport]) {
    println!(
        "outbox: {} pushed, {} to retry, {} parked",
        outbox.pushed, outbox.failed, outbox.parked
    );
    for error in &outbox.errors {
        println!("  {error}");
    }
    println!(
        "{:<32} {:>7} {:>7} {:>9} {:>8} {:>8} {:>8}",
        "room", "created", "updated", "cancelled", "declined", "requests", "ms"
    );
    for report in reports {
        let note = if report.skipped {
            " (skipped: another instance is syncing it)"
        } else if report.full_read {
            " (full read)"
        } else {
            ""
        };
        println!(
            "{:<32} {:>7} {:>7} {:>9} {:>8} {:>8} {:>8}{note}",
            report.room,
            report.created,
            report.updated,
            report.cancelled,
            report.declined,
            report.requests,
            report.duration_ms
        );
        for error in &report.errors {
            println!("  error: {error}");
        }
    }
}

/// Builds the sync engine from the `[exchange]` and `[sync]` sections.
///
/// # Errors
///
/// Fails when no `[exchange]` section is configured or the EWS client
/// cannot be built.
pub(crate) fn build_engine(
    config: &Config,
    store: roombridge_store::Store,
) -> Result<SyncEngine, Failure> {
    let exchange = config.exchange.as_ref().ok_or_else(|| {
        Failure::new(
            "no [exchange] section is configured; add `url`, `auth`, `username` and \
             `password_file` under [exchange] (or set ROOMBRIDGE_EXCHANGE_PASSWORD) to sync \
             with Exchange",
        )
    })?;
    let engine_config = engine_config(config);
    // Every room read at once keeps its connection, so no read waits for a
    // new connection to sign in again.
    let mut builder = EwsClientBuilder::new(exchange.url.clone(), credentials(exchange)?)
        .danger_accept_invalid_certs(exchange.danger_accept_invalid_certs)
        .max_idle_connections(engine_config.concurrency);
    if let Some(version) = ExchangeVersion::from_wire(&exchange.server_version) {
        builder = builder.server_version(version);
    }
    if let Some(bundle) = &exchange.ca_bundle {
        builder = builder.ca_bundle(bundle.clone());
    }
    let client = builder
        .build()
        .map_err(|error| Failure::new(format!("cannot set up the EWS client: {error}")))?;
    Ok(SyncEngine::new(
        store,
        Arc::new(
            EwsBackend::new(client).with_impersonation_domains(&exchange.impersonation_domains),
        ),
        engine_config,
    ))
}

/// Converts the `[sync]` section to engine settings.
pub(crate) fn engine_config(config: &Config) -> roombridge_sync::SyncConfig {
    let day = jiff::SignedDuration::from_hours(24);
    roombridge_sync::SyncConfig {
        interval: config.sync.interval,
        window_past: day * i32::try_from(config.sync.past_days).unwrap_or(i32::MAX),
        window_ahead: day * i32::try_from(config.sync.future_days).unwrap_or(i32::MAX),
        concurrency: usize::try_from(config.sync.concurrency).unwrap_or(1),
        ..roombridge_sync::SyncConfig::default()
    }
}

fn credentials(exchange: &ExchangeConfig) -> Result<Credentials, Failure> {
    let password = exchange
        .password()
        .map_err(Failure::new)?
        .expose()
        .to_owned();
    let username = exchange.username.clone().unwrap_or_default();
    Ok(match exchange.auth {
        ExchangeAuth::Basic => Credentials::Basic {
            username,
            password: Secret::new(password),
        },
        ExchangeAuth::Ntlm => Credentials::ntlm(&username, Secret::new(password)),
        ExchangeAuth::Bearer => Credentials::Bearer(Arc::new(FixedToken(Secret::new(password)))),
    })
}

/// A bearer token given in the configuration, used as is.
struct FixedToken(Secret);

impl TokenProvider for FixedToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok::<_, TokenError>(token) })
    }
}
