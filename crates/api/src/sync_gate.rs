//! Coalescing of manual full sync runs, so that many `POST /api/v1/sync`
//! requests at once cost Exchange one run at a time, not one run each.
//!
//! Runs are numbered in the order they start and run one at a time. A
//! request that finds a run in progress waits for it and then shares the
//! next run with every request that waited alongside it. A request gets
//! only the report of a run that started after it arrived, so a change made
//! just before the request is always read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use roombridge_sync::SyncReport;

/// Serialises manual full runs and shares each run's report with the
/// requests that waited for it.
#[derive(Debug, Default)]
pub(crate) struct SyncGate {
    /// Number of runs started so far.
    started: AtomicU64,
    /// Locked for the whole of a run. Tokio's mutex is fair (first in, first
    /// out), so waiters take their turn in arrival order.
    last: tokio::sync::Mutex<Finished>,
}

/// The most recent run that finished without an error.
#[derive(Debug, Default)]
struct Finished {
    number: u64,
    report: Option<Arc<SyncReport>>,
}

impl SyncGate {
    /// Returns the report of a run that started after this call, running
    /// `run` only when no such run has finished while waiting. A failed run
    /// is not shared: the next waiter runs again.
    pub(crate) async fn run<F, Fut, E>(&self, run: F) -> Result<Arc<SyncReport>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SyncReport, E>>,
    {
        let arrived = self.started.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if last.number > arrived
            && let Some(report) = &last.report
        {
            return Ok(Arc::clone(report));
        }
        let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let report = Arc::new(run().await?);
        *last = Finished {
            number,
            report: Some(Arc::clone(&report)),
        };
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn waiting_requests_share_one_run() {
        let gate = Arc::new(SyncGate::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let slow_run = |runs: Arc<AtomicUsize>| async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, ()>(SyncReport::default())
        };

        let first = {
            let (gate, runs) = (Arc::clone(&gate), Arc::clone(&runs));
            tokio::spawn(async move { gate.run(|| slow_run(runs)).await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        let waiting: Vec<_> = (0..10)
            .map(|_| {
                let (gate, runs) = (Arc::clone(&gate), Arc::clone(&runs));
                tokio::spawn(async move { gate.run(|| slow_run(runs)).await })
            })
            .collect();
        first.await.unwrap().unwrap();
        for request in waiting {
            request.await.unwrap().unwrap();
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "the first run and one shared run"
        );
    }

    #[tokio::test]
    async fn request_after_a_run_runs_again() {
        let gate = SyncGate::default();
        let runs = AtomicUsize::new(0);
        for _ in 0..3 {
            gate.run(|| async {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(SyncReport::default())
            })
            .await
            .unwrap();
        }
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn failed_run_is_not_shared() {
        let gate = SyncGate::default();
        let failed = gate
            .run(|| async { Err::<SyncReport, _>("Exchange down") })
            .await;
        assert_eq!(failed.unwrap_err(), "Exchange down");
        let runs = AtomicUsize::new(0);
        gate.run(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(SyncReport::default())
        })
        .await
        .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
