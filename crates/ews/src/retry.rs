//! When and how long to wait before sending a request again.

use std::time::Duration;

use rand::Rng;

/// Longest wait the client takes from a server's `BackOffMilliseconds` or
/// `Retry-After`; a longer one is shortened to it, so that a caller can add
/// any wait to an `Instant` without overflow.
// NOTE: one hour is this crate's bound, not a documented Exchange maximum.
// The ErrorServerBusy fault in exchangelib's tests asks for about five minutes.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(3600);

/// Converts a server's wait in milliseconds to a duration of at most
/// [`MAX_SERVER_WAIT`].
pub(crate) fn server_wait_from_millis(milliseconds: u64) -> Duration {
    Duration::from_millis(milliseconds).min(MAX_SERVER_WAIT)
}

/// Retry settings for transient failures.
///
/// Only idempotent operations (reads) are retried, plus any request that
/// provably never left the client. A wait the server requests
/// (`BackOffMilliseconds`, `Retry-After`) is honoured as given, up to
/// [`MAX_SERVER_WAIT`]. When it is
/// longer than `max_delay`, the call fails at once with that wait in the
/// error, so the caller can reschedule instead of blocking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// Wait before the second attempt, doubled for each further attempt.
    pub base_delay: Duration,
    /// Maximum wait between attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Returns the wait before attempt `attempt + 1` after failed attempt
    /// `attempt` (1-based), or `None` to stop retrying.
    ///
    /// Without a server hint the wait is exponential with "equal jitter":
    /// a random value between half and all of `base_delay * 2^(attempt-1)`,
    /// capped at `max_delay`, so that clients throttled together do not
    /// return together.
    pub fn delay(&self, attempt: u32, server_hint: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        if let Some(hint) = server_hint {
            return (hint <= self.max_delay).then_some(hint);
        }
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let half = ceiling / 2;
        let jitter_nanos =
            rand::rng().random_range(0..=half.as_nanos().min(u128::from(u64::MAX)) as u64);
        Some(half + Duration::from_nanos(jitter_nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_honours_server_hint() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_millis(1500))),
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn delay_gives_up_on_hint_above_max() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, Some(Duration::from_secs(300))), None);
    }

    #[test]
    fn delay_stops_after_max_attempts() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(4, None), None);
    }

    #[test]
    fn delay_grows_with_jitter_within_bounds() {
        let policy = RetryPolicy::default();
        for attempt in 1..=3u32 {
            let ceiling = Duration::from_millis(500) * (1 << (attempt - 1));
            for _ in 0..50 {
                let wait = policy.delay(attempt, None).unwrap();
                assert!(
                    wait >= ceiling / 2,
                    "attempt {attempt}: {wait:?} below {:?}",
                    ceiling / 2
                );
                assert!(
                    wait <= ceiling,
                    "attempt {attempt}: {wait:?} above {ceiling:?}"
                );
            }
        }
    }
}
