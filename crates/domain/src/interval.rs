//! Half-open time intervals `[start, end)` and busy time.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{BookingStatus, Origin};

/// Returns whether `[a_start, a_end)` and `[b_start, b_end)` share an
/// instant. Intervals that only touch (one ends when the other starts) do
/// not overlap, so back-to-back bookings are allowed.
pub fn overlaps(
    a_start: Timestamp,
    a_end: Timestamp,
    b_start: Timestamp,
    b_end: Timestamp,
) -> bool {
    a_start < b_end && b_start < a_end
}

/// Time during which a room is taken by one blocking booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusyInterval {
    /// Start, inclusive.
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// The booking that takes the room.
    pub booking_id: Uuid,
    /// Whether the booking was made in roombridge or in Exchange.
    pub origin: Origin,
    /// Confirmed or tentative.
    pub status: BookingStatus,
}

/// Merges intervals that overlap or touch into the fewest disjoint
/// intervals, sorted by start.
pub fn merge_intervals(
    intervals: impl IntoIterator<Item = (Timestamp, Timestamp)>,
) -> Vec<(Timestamp, Timestamp)> {
    let mut sorted: Vec<(Timestamp, Timestamp)> = intervals.into_iter().collect();
    sorted.sort();

    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn back_to_back_does_not_overlap() {
        let nine = at("2026-01-01T09:00:00Z");
        let ten = at("2026-01-01T10:00:00Z");
        let eleven = at("2026-01-01T11:00:00Z");
        assert!(!overlaps(nine, ten, ten, eleven));
        assert!(!overlaps(ten, eleven, nine, ten));
    }

    #[test]
    fn shared_instant_overlaps() {
        let nine = at("2026-01-01T09:00:00Z");
        let half_past = at("2026-01-01T09:30:00Z");
        let ten = at("2026-01-01T10:00:00Z");
        let eleven = at("2026-01-01T11:00:00Z");
        assert!(overlaps(nine, ten, half_past, eleven));
        assert!(overlaps(nine, eleven, half_past, ten));
        assert!(overlaps(nine, ten, nine, ten));
    }

    #[test]
    fn merge_joins_touching_and_overlapping() {
        let t = |hour: u8| at(&format!("2026-01-01T{hour:02}:00:00Z"));
        let merged = merge_intervals([
            (t(12), t(13)),
            (t(9), t(10)),
            (t(10), t(11)),
            (t(12), t(14)),
        ]);
        assert_eq!(merged, vec![(t(9), t(11)), (t(12), t(14))]);
    }

    proptest::proptest! {
        #[test]
        fn overlap_is_symmetric(a in 0i64..100, a_len in 1i64..50, b in 0i64..100, b_len in 1i64..50) {
            let t = |minutes: i64| Timestamp::from_second(minutes * 60).unwrap();
            let (a_start, a_end, b_start, b_end) = (t(a), t(a + a_len), t(b), t(b + b_len));
            proptest::prop_assert_eq!(
                overlaps(a_start, a_end, b_start, b_end),
                overlaps(b_start, b_end, a_start, a_end)
            );
            // Two intervals overlap exactly when some whole minute lies in both.
            let shared = (a..a + a_len).any(|minute| (b..b + b_len).contains(&minute));
            proptest::prop_assert_eq!(overlaps(a_start, a_end, b_start, b_end), shared);
        }

        #[test]
        fn merge_covers_same_minutes(spans in proptest::collection::vec((0i64..200, 1i64..30), 0..20)) {
            let t = |minutes: i64| Timestamp::from_second(minutes * 60).unwrap();
            let merged = merge_intervals(spans.iter().map(|&(start, len)| (t(start), t(start + len))));

            for pair in merged.windows(2) {
                proptest::prop_assert!(pair[0].1 < pair[1].0, "not disjoint and sorted: {:?}", pair);
            }
            for minute in 0..240 {
                let covered = spans.iter().any(|&(start, len)| (start..start + len).contains(&minute));
                let instant = t(minute);
                let in_merged = merged.iter().any(|&(start, end)| start <= instant && instant < end);
                proptest::prop_assert_eq!(covered, in_merged, "minute {}", minute);
            }
        }
    }
}
