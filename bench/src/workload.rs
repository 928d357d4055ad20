//! The benchmark's rooms, bookings and queries, the same for every layer.
//!
//! Booking `i` goes to room `i % rooms`, in hour slot `i / rooms` from
//! 2030-01-07T06:00Z, and lasts 30 minutes, so no booking conflicts and
//! every creation runs the full conflict check. An availability query requests
//! one room's busy time over one day starting at a random hour of the
//! booked range, so it returns up to 24 intervals.

use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};

use roombridge_domain::{NewBooking, ResponseMode, Room, User};

pub(crate) const ORGANIZER: &str = "bench.user@example.com";

pub(crate) struct Workload {
    pub(crate) rooms: usize,
    pub(crate) bookings: usize,
    pub(crate) concurrency: usize,
    pub(crate) queries: usize,
    first_slot: Timestamp,
}

/// Untimed availability queries run before the timed ones.
pub(crate) const WARM_UP_QUERIES: usize = 200;

const BOOKING_LENGTH: SignedDuration = SignedDuration::from_mins(30);
const QUERY_WINDOW: SignedDuration = SignedDuration::from_hours(24);

impl Workload {
    pub(crate) fn new(
        rooms: usize,
        bookings: usize,
        concurrency: usize,
        queries: usize,
    ) -> Workload {
        Workload {
            rooms,
            bookings,
            concurrency,
            queries,
            // OK because the literal is a valid RFC 3339 instant.
            first_slot: "2030-01-07T06:00:00Z".parse().expect("valid instant"),
        }
    }

    pub(crate) fn room_address(index: usize) -> String {
        format!("bench-room-{index:05}@example.com")
    }

    pub(crate) fn rooms(&self) -> impl Iterator<Item = Room> {
        (0..self.rooms).map(|index| Room {
            address: Workload::room_address(index),
            display_name: format!("Bench room {index}"),
            capacity: Some(8),
            location: None,
            response_mode: ResponseMode::AutoAccept,
        })
    }

    pub(crate) fn organizer() -> User {
        User {
            address: ORGANIZER.to_owned(),
            display_name: "Bench user".to_owned(),
        }
    }

    /// Returns the room, start and end of booking `index`.
    pub(crate) fn slot(&self, index: usize) -> (String, Timestamp, Timestamp) {
        let room = Workload::room_address(index % self.rooms);
        let hour = i64::try_from(index / self.rooms).unwrap_or(i64::MAX);
        let start = self.first_slot + SignedDuration::from_hours(hour);
        (room, start, start + BOOKING_LENGTH)
    }

    pub(crate) fn new_booking(&self, index: usize) -> NewBooking {
        let (room, start, end) = self.slot(index);
        NewBooking {
            room,
            organizer: ORGANIZER.to_owned(),
            subject: format!("Bench booking {index}"),
            body: String::new(),
            start,
            end,
            time_zone: "Europe/Berlin".to_owned(),
            all_day: false,
            attendees: vec![],
        }
    }

    /// Returns `count` queries (room, from, to), the same for every run.
    pub(crate) fn queries(&self, count: usize, seed: u64) -> Vec<(String, Timestamp, Timestamp)> {
        let mut random = rand::rngs::StdRng::seed_from_u64(seed);
        let hours = (self.bookings / self.rooms).max(1);
        (0..count)
            .map(|_| {
                let room = Workload::room_address(random.random_range(0..self.rooms));
                let hour = random.random_range(0..hours) as i64;
                let from = self.first_slot + SignedDuration::from_hours(hour);
                (room, from, from + QUERY_WINDOW)
            })
            .collect()
    }
}
