//! `roombridge serve`: runs the REST API, and with an `[exchange]` section
//! the sync scheduler and outbox worker, until SIGINT or SIGTERM.

use std::net::SocketAddr;

use roombridge_api::AppState;

use super::{Failure, open_store, prepare_database};
use crate::config::Config;

/// Options of `roombridge serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on, overriding `listen` in the
    /// configuration and ROOMBRIDGE_LISTEN. Default: 127.0.0.1:8080. Port 0
    /// picks a free port, which is logged.
    #[arg(long, value_name = "ADDRESS:PORT")]
    listen: Option<SocketAddr>,
}

/// Migrates, saves the configured rooms and serves until a shutdown signal.
pub(crate) async fn run(config: &Config, args: ServeArgs) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let rooms = prepare_database(config, &store).await?;
    tracing::info!(
        database = %crate::config::redact_url(&config.database_url),
        rooms_from_config = rooms,
        "database ready"
    );
    let (registry, sync_metrics) = roombridge_sync::SyncMetrics::new_registry();
    let mut state = AppState::with_metrics(
        store.clone(),
        roombridge_api::Metrics::with_registry(registry),
    );
    let scheduler = match sync_engine(config, &store, sync_metrics)? {
        Some(engine) => {
            state = state.with_sync_engine(engine.clone());
            Some(roombridge_sync::Scheduler::start(engine))
        }
        None => None,
    };

    let address = args.listen.unwrap_or(config.listen);
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|error| {
        Failure::new(format!(
            "cannot listen on {address}: {error}; choose another address with --listen or `listen`"
        ))
    })?;
    let bound = listener
        .local_addr()
        .map_err(|error| Failure::new(format!("cannot read the listening address: {error}")))?;
    tracing::info!(address = %bound, "listening on http://{bound}");

    let served = roombridge_api::serve(listener, state, shutdown_signal()).await;
    if let Some(scheduler) = scheduler {
        scheduler.stop().await;
    }
    served.map_err(|error| Failure::new(format!("the HTTP server stopped: {error}")))?;
    tracing::info!("stopped");
    Ok(())
}

/// Builds the sync engine when an `[exchange]` section is configured; the
/// caller schedules it.
fn sync_engine(
    config: &Config,
    store: &roombridge_store::Store,
    metrics: roombridge_sync::SyncMetrics,
) -> Result<Option<roombridge_sync::SyncEngine>, Failure> {
    let Some(exchange) = &config.exchange else {
        tracing::info!("no [exchange] section configured; bookings stay local");
        return Ok(None);
    };
    if exchange.danger_accept_invalid_certs {
        tracing::warn!(
            url = %exchange.url,
            "TLS certificate verification for Exchange is OFF \
             (danger_accept_invalid_certs); use only for tests"
        );
    }
    let engine = super::sync::build_engine(config, store.clone())?.with_metrics(metrics);
    tracing::info!(
        target: "roombridge::sync",
        url = %exchange.url,
        interval_s = config.sync.interval.as_secs(),
        "Exchange sync scheduled; the outbox is pushed every few seconds"
    );
    Ok(Some(engine))
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
