//! A generated organisation of many rooms and bookings, for benchmarks and
//! load tests: `generate(&GenerateSpec { rooms, bookings, .. }, now)`.
//!
//! Rooms are `room-NNNNN@example.com` (AutoAccept, cancelled meetings
//! removed from the room calendar), organizers `person-NNNNN@example.com`
//! (password `person-password`), and the service account
//! `svc@example.com` (`EXAMPLE\svc`, `svc-password`) may impersonate them.
//! Every twentieth booking of a room is a weekly series of 4 to 12
//! meetings at 07:00 or earlier UTC; the others are single meetings of 30
//! to 120 minutes in one of four two-hour slots between 09:00 and 17:00
//! UTC, spread over the next 169 days. No two bookings of a room overlap,
//! so the rooms accept every one. The same spec gives the same bookings.

use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::model::{Mailbox, MailboxKind, Password, RoomProcessing};
use crate::organisation::{Booking, OrganisationError, OrganisationFile};
use crate::recurrence::{DayOfWeek, Pattern, RangeEnd, Recurrence};

/// Days ahead (from tomorrow) over which single meetings are spread.
const DAYS: u64 = 169;
/// Two-hour slots a day for single meetings: 09:00, 11:00, 13:00, 15:00 UTC.
const SLOTS_PER_DAY: u64 = 4;
/// Step through the room's slots; coprime with `DAYS * SLOTS_PER_DAY`
/// (676 = 2² × 13²), so consecutive bookings land far apart.
const SLOT_STEP: u64 = 389;
/// Meeting lengths in minutes, drawn for single meetings.
const DURATIONS: [i64; 6] = [30, 30, 60, 60, 90, 120];
/// Series start at this hour UTC, one hour earlier for each five series of a room.
const SERIES_HOUR: i64 = 7;

/// Size and seed of a generated organisation.
#[derive(Debug, Clone, Copy)]
pub struct GenerateSpec {
    /// Number of rooms.
    pub rooms: usize,
    /// Number of bookings, series counted once, spread evenly over the rooms.
    pub bookings: usize,
    /// Seed of the pseudo-random draws (durations, series lengths, organizers).
    pub seed: u64,
}

/// Returns the address of generated room number `index` (from 0).
pub fn room_address(index: usize) -> String {
    format!("room-{index:05}@example.com")
}

/// Returns the address of generated organizer number `index` (from 0).
pub fn person_address(index: usize) -> String {
    format!("person-{index:05}@example.com")
}

/// Builds the organisation `spec` describes, with bookings placed after `now`.
///
/// # Errors
///
/// Fails when there are no rooms, or more bookings a room than its free slots hold.
pub fn generate(
    spec: &GenerateSpec,
    now: Timestamp,
) -> Result<OrganisationFile, OrganisationError> {
    if spec.rooms == 0 {
        return Err(OrganisationError::Invalid(
            "the generated organisation needs at least one room; give a room count of 1 or more"
                .to_string(),
        ));
    }
    let per_room = spec.bookings.div_ceil(spec.rooms);
    let capacity = usize::try_from(DAYS * SLOTS_PER_DAY).unwrap_or(usize::MAX);
    if per_room > capacity {
        return Err(OrganisationError::Invalid(format!(
            "{} bookings over {} rooms is {per_room} a room, more than the {capacity} free slots \
             a room has; add rooms or book fewer",
            spec.bookings, spec.rooms
        )));
    }
    let people = (spec.rooms / 5).clamp(10, 2000);
    let mut mailboxes = Vec::with_capacity(spec.rooms + people + 1);
    mailboxes.push(Mailbox {
        address: "svc@example.com".to_string(),
        name: "Service account".to_string(),
        kind: MailboxKind::User {
            password: Password::new("svc-password"),
            impersonation: true,
            domain: Some("EXAMPLE".to_string()),
        },
    });
    for index in 0..people {
        mailboxes.push(Mailbox {
            address: person_address(index),
            name: format!("Person {index}"),
            kind: MailboxKind::User {
                password: Password::new("person-password"),
                impersonation: false,
                domain: Some("EXAMPLE".to_string()),
            },
        });
    }
    for index in 0..spec.rooms {
        mailboxes.push(Mailbox {
            address: room_address(index),
            name: format!("Room {index}"),
            kind: MailboxKind::Room {
                processing: RoomProcessing {
                    remove_canceled_meetings: true,
                    ..RoomProcessing::default()
                },
                capacity: Some(4 + (index % 5) as u32 * 4),
            },
        });
    }

    let midnight = now.as_second() - now.as_second().rem_euclid(86_400);
    let today = Timestamp::from_second(midnight)
        .map_err(|error| OrganisationError::Invalid(error.to_string()))?;
    let today_date = jiff::tz::Offset::UTC.to_datetime(today).date();
    let mut random = SplitMix(spec.seed);
    let mut bookings = Vec::with_capacity(spec.bookings);
    for number in 0..spec.bookings {
        let room_index = number % spec.rooms;
        let nth = number / spec.rooms;
        let room = room_address(room_index);
        let organizer = person_address(random.below(people as u64) as usize);
        let booking = if nth.is_multiple_of(20) {
            let series = (nth / 20) as i64;
            let weekday = series % 5;
            let hour = SERIES_HOUR - (series / 5) % 7;
            let first_week = 1 + random.below(8) as i64;
            let count = 4 + random.below(9) as u32;
            let offset_days = first_week * 7 + weekday;
            let start_date = today_date + offset_days.days();
            let start = today + hours(offset_days * 24 + hour);
            Booking {
                organizer,
                subject: format!("Weekly {number}"),
                start,
                end: start + SignedDuration::from_mins(30),
                time_zone: None,
                attendees: vec![room],
                body: String::new(),
                recurrence: Some(Recurrence {
                    pattern: Pattern::Weekly {
                        interval: 1,
                        days: vec![weekday_of(start_date.weekday())],
                        first_day_of_week: DayOfWeek::Monday,
                    },
                    start_date,
                    end: RangeEnd::Count(count),
                }),
            }
        } else {
            let slot = (nth as u64 * SLOT_STEP + room_index as u64) % (DAYS * SLOTS_PER_DAY);
            let day = 1 + (slot / SLOTS_PER_DAY) as i64;
            let hour = 9 + 2 * (slot % SLOTS_PER_DAY) as i64;
            let minutes = DURATIONS[random.below(DURATIONS.len() as u64) as usize];
            let start = today + hours(day * 24 + hour);
            Booking {
                organizer,
                subject: format!("Meeting {number}"),
                start,
                end: start + SignedDuration::from_mins(minutes),
                time_zone: None,
                attendees: vec![room],
                body: String::new(),
                recurrence: None,
            }
        };
        bookings.push(booking);
    }
    Ok(OrganisationFile {
        mailboxes,
        room_lists: Vec::new(),
        bookings,
    })
}

fn hours(count: i64) -> SignedDuration {
    SignedDuration::from_hours(count)
}

fn weekday_of(weekday: jiff::civil::Weekday) -> DayOfWeek {
    use jiff::civil::Weekday;
    match weekday {
        Weekday::Monday => DayOfWeek::Monday,
        Weekday::Tuesday => DayOfWeek::Tuesday,
        Weekday::Wednesday => DayOfWeek::Wednesday,
        Weekday::Thursday => DayOfWeek::Thursday,
        Weekday::Friday => DayOfWeek::Friday,
        Weekday::Saturday => DayOfWeek::Saturday,
        Weekday::Sunday => DayOfWeek::Sunday,
    }
}

/// SplitMix64: a small deterministic generator, enough for spreading test data.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound` (`bound` at least 1).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_booking_is_accepted_by_its_room() {
        let now = Timestamp::now();
        let spec = GenerateSpec {
            rooms: 3,
            bookings: 150,
            seed: 7,
        };
        let file = generate(&spec, now).expect("generate");
        assert_eq!(file.bookings.len(), 150);
        let series = file
            .bookings
            .iter()
            .filter(|b| b.recurrence.is_some())
            .count();
        assert_eq!(series, 9, "one booking in twenty of each room is a series");
        let org = file.build(now).expect("build");
        for index in 0..3 {
            let room = room_address(index);
            let accepted = org
                .items
                .values()
                .filter(|item| {
                    item.mailbox == room
                        && item.folder == crate::model::Folder::Calendar
                        && item.calendar.as_ref().is_some_and(|calendar| {
                            calendar.my_response == crate::model::ResponseType::Accept
                        })
                })
                .count();
            assert_eq!(accepted, 50, "{room} accepts all of its 50 bookings");
        }
    }

    #[test]
    fn too_many_bookings_a_room_is_refused_with_the_numbers() {
        let spec = GenerateSpec {
            rooms: 1,
            bookings: 10_000,
            seed: 1,
        };
        let error = generate(&spec, Timestamp::now()).expect_err("too many");
        assert!(
            error.to_string().contains("10000 bookings over 1 rooms"),
            "{error}"
        );
    }
}
