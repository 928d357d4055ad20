//! Figures measured for one layer.

use std::time::Duration;

use serde::Serialize;

/// Measured figures of one layer.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LayerResult {
    /// Bookings created per second, each with its conflict check.
    pub(crate) create_per_s: f64,
    /// Wall-clock time of the creation phase, in seconds.
    pub(crate) create_seconds: f64,
    /// Median availability query latency, in milliseconds.
    pub(crate) availability_p50_ms: f64,
    /// 99th percentile availability query latency, in milliseconds.
    pub(crate) availability_p99_ms: f64,
    /// Slowest availability query, in milliseconds.
    pub(crate) availability_max_ms: f64,
    /// Mean number of busy intervals an availability query returned.
    pub(crate) availability_mean_intervals: f64,
}

impl LayerResult {
    pub(crate) fn new(
        created: usize,
        create_time: Duration,
        mut latencies: Vec<Duration>,
        intervals: usize,
    ) -> LayerResult {
        latencies.sort();
        let queries = latencies.len().max(1);
        LayerResult {
            create_per_s: created as f64 / create_time.as_secs_f64(),
            create_seconds: create_time.as_secs_f64(),
            availability_p50_ms: millis(percentile(&latencies, 0.50)),
            availability_p99_ms: millis(percentile(&latencies, 0.99)),
            availability_max_ms: millis(latencies.last().copied().unwrap_or_default()),
            availability_mean_intervals: intervals as f64 / queries as f64,
        }
    }
}

/// Returns the nearest-rank percentile of sorted latencies.
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_uses_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 0.50), Duration::from_millis(50));
        assert_eq!(percentile(&sorted[..1], 0.99), Duration::from_millis(1));
    }
}
