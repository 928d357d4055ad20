//! Prometheus metrics of the API, served at `/metrics` in the OpenMetrics
//! text format.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of one request: the route template (never the raw path, so the
/// label set stays bounded), the method and the status code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

/// Labels of the latency histogram.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Counters and histograms of the API, with the registry they are encoded from.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    bookings_created: Counter,
    conflicts: Counter,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s, doubling.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates the metrics in a new registry with the `roombridge_` prefix.
    pub fn new() -> Self {
        Self::with_registry(Registry::with_prefix("roombridge"))
    }

    /// Registers the API metrics in `registry`, which may already hold
    /// metrics of other components (the sync engine, for example), so that
    /// `/metrics` serves them all.
    pub fn with_registry(mut registry: Registry) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = HistogramFamily::new_with_constructor(latency_histogram);
        let bookings_created = Counter::default();
        let conflicts = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests by route template, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency in seconds by route template and method",
            latency.clone(),
        );
        registry.register(
            "bookings_created",
            "Bookings created through the API",
            bookings_created.clone(),
        );
        registry.register(
            "booking_conflicts",
            "Booking creations and changes rejected because the slot was taken",
            conflicts.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            bookings_created,
            conflicts,
        }
    }

    /// Records one finished request.
    pub(crate) fn observe_request(
        &self,
        route: &str,
        method: &str,
        status: u16,
        elapsed: Duration,
    ) {
        let route = route.to_owned();
        let method = method.to_owned();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
                method: method.clone(),
            })
            .observe(elapsed.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                route,
                method,
                status,
            })
            .inc();
    }

    /// Counts a created booking.
    pub(crate) fn booking_created(&self) {
        self.bookings_created.inc();
    }

    /// Counts a rejected overlap.
    pub(crate) fn booking_conflict(&self) {
        self.conflicts.inc();
    }

    /// Encodes every metric in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Encoding fails only when the writer fails, and a String never does.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
