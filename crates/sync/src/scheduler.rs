//! Runs the engine on a timer: the outbox every few seconds, every room at
//! the configured interval.

use std::time::Duration;

use stop_signal::Shutdown;
use tokio::task::JoinHandle;

use crate::engine::SyncEngine;

/// How often the outbox is pushed between room syncs.
const OUTBOX_INTERVAL: Duration = Duration::from_secs(5);

/// A running scheduler; dropping it does not stop it, [`Scheduler::stop`]
/// does.
#[derive(Debug)]
pub struct Scheduler {
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
}

impl Scheduler {
    /// Starts pushing the outbox every few seconds and syncing every room
    /// every `config.interval`, starting with a sync at once. The two run
    /// as separate tasks, so a long room sync does not hold back pushes.
    pub fn start(engine: SyncEngine) -> Scheduler {
        let shutdown = Shutdown::default();
        let rooms = every(engine.config().interval, shutdown.clone(), {
            let engine = engine.clone();
            move || {
                let engine = engine.clone();
                async move { run_rooms(&engine).await }
            }
        });
        let outbox = every(OUTBOX_INTERVAL, shutdown.clone(), move || {
            let engine = engine.clone();
            async move { run_outbox(&engine).await }
        });
        Scheduler {
            shutdown,
            tasks: vec![rooms, outbox],
        }
    }

    /// Stops the scheduler after the steps it is running.
    pub async fn stop(self) {
        self.shutdown.trigger();
        for task in self.tasks {
            let _ = task.await;
        }
        tracing::info!(target: "roombridge::sync", "scheduler stopped");
    }
}

/// Runs `step` at once and then every `period` until `shutdown`.
fn every<F, Fut>(period: Duration, shutdown: Shutdown, step: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.wait() => break,
                _ = ticks.tick() => step().await,
            }
        }
    })
}

async fn run_rooms(engine: &SyncEngine) {
    match engine.sync_all().await {
        Ok(report) => tracing::info!(
            target: "roombridge::sync",
            rooms = report.rooms.len(),
            failed_rooms = report.rooms.iter().filter(|room| !room.errors.is_empty()).count(),
            elapsed_ms = report.duration_ms,
            "scheduled sync finished"
        ),
        Err(error) => tracing::warn!(
            target: "roombridge::sync",
            error = %error,
            "scheduled sync failed"
        ),
    }
}

async fn run_outbox(engine: &SyncEngine) {
    if let Err(error) = engine.push_outbox().await {
        tracing::warn!(target: "roombridge::sync", error = %error, "outbox push failed");
    }
}

mod stop_signal {
    //! A one-shot stop signal that many tasks can wait for.

    use std::sync::Arc;

    use tokio::sync::watch;

    /// Stop signal shared by the scheduler and its task.
    #[derive(Debug, Clone)]
    pub(super) struct Shutdown {
        sender: Arc<watch::Sender<bool>>,
    }

    impl Default for Shutdown {
        fn default() -> Shutdown {
            Shutdown {
                sender: Arc::new(watch::channel(false).0),
            }
        }
    }

    impl Shutdown {
        pub(super) fn trigger(&self) {
            self.sender.send_replace(true);
        }

        pub(super) async fn wait(&self) {
            let mut receiver = self.sender.subscribe();
            let _ = receiver.wait_for(|stopped| *stopped).await;
        }
    }
}
