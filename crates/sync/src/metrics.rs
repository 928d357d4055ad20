//! Prometheus metrics of the sync engine, registered in the registry the
//! API serves at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Label of a room run's or outbox record's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ResultLabels {
    result: String,
}

/// Counters and gauges of the sync engine. Cheap to clone; clones share
/// their values.
#[derive(Debug, Clone, Default)]
pub struct SyncMetrics {
    room_runs: Family<ResultLabels, Counter>,
    outbox_records: Family<ResultLabels, Counter>,
    outbox_parked: Gauge,
    requests: Counter,
}

impl SyncMetrics {
    /// Creates the metrics and registers them in `registry`:
    /// `sync_room_runs_total{result}` (`ok`, `error`, `skipped`),
    /// `sync_outbox_records_total{result}` (`pushed`, `failed`, `parked`),
    /// `sync_outbox_parked` (records parked now) and
    /// `sync_exchange_requests_total`.
    pub fn register(registry: &mut Registry) -> SyncMetrics {
        let metrics = SyncMetrics::default();
        registry.register(
            "sync_room_runs",
            "Room calendar reads by result",
            metrics.room_runs.clone(),
        );
        registry.register(
            "sync_outbox_records",
            "Outbox records handled by result",
            metrics.outbox_records.clone(),
        );
        registry.register(
            "sync_outbox_parked",
            "Outbox records parked after repeated failures",
            metrics.outbox_parked.clone(),
        );
        registry.register(
            "sync_exchange_requests",
            "Requests the sync engine sent to Exchange",
            metrics.requests.clone(),
        );
        metrics
    }

    /// Creates a registry with the `roombridge` prefix holding these
    /// metrics, for the API to add its own and serve.
    pub fn new_registry() -> (Registry, SyncMetrics) {
        let mut registry = Registry::with_prefix("roombridge");
        let metrics = SyncMetrics::register(&mut registry);
        (registry, metrics)
    }

    pub(crate) fn room_run(&self, result: &str, requests: u32) {
        self.room_runs
            .get_or_create(&ResultLabels {
                result: result.to_owned(),
            })
            .inc();
        self.requests.inc_by(u64::from(requests));
    }

    pub(crate) fn outbox(&self, report: &crate::OutboxReport, parked_now: i64) {
        for (result, count) in [
            ("pushed", report.pushed),
            ("failed", report.failed),
            ("parked", report.parked),
        ] {
            self.outbox_records
                .get_or_create(&ResultLabels {
                    result: result.to_owned(),
                })
                .inc_by(u64::from(count));
        }
        self.outbox_parked.set(parked_now);
        self.requests.inc_by(u64::from(report.requests));
    }
}
