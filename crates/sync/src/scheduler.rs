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
    task: JoinHandle<()>,
}

impl Scheduler {
    /// Starts pushing the outbox every few seconds and syncing every room
    /// every `config.interval`, starting with a sync at once.
    pub fn start(engine: SyncEngine) -> Scheduler {
        let shutdown = Shutdown::default();
        let stopped = shutdown.clone();
        let task = tokio::spawn(async move {
            let mut rooms = tokio::time::interval(engine.config().interval);
            rooms.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut outbox = tokio::time::interval(OUTBOX_INTERVAL);
            outbox.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = stopped.wait() => break,
                    _ = rooms.tick() => run_rooms(&engine).await,
                    _ = outbox.tick() => run_outbox(&engine).await,
                }
            }
            tracing::info!(target: "roombridge::sync", "scheduler stopped");
        });
        Scheduler { shutdown, task }
    }

    /// Stops the scheduler after the step it is running.
    pub async fn stop(self) {
        self.shutdown.trigger();
        let _ = self.task.await;
    }
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
