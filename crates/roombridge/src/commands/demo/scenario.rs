//! The demo's story: the steps in order, and the state they pass on.
//!
//! Each step acts on one side (the REST API as a roombridge user, or the
//! simulator's admin interface as an Outlook user), syncs, and then checks
//! both sides: roombridge through its API and Exchange through the
//! simulator's mailbox inspection. A step returns what happened in plain
//! words, or why it failed.

mod api_side;
mod outlook_side;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use super::driver::Driver;

/// The steps, in the order they run.
pub(super) const STEPS: &[&str] = &[
    "First sync reads the bookings already in Exchange",
    "Alice books Room 101 through the API",
    "Alice moves her booking to another time through the API",
    "Alice moves her booking to Room 102 through the API",
    "Alice deletes her booking through the API",
    "Bob books Room 101 in Outlook",
    "Room 101 declines Carol's conflicting Outlook request",
    "Room 101 declines Alice's API booking after Bob took the slot in Outlook",
    "Bob moves his Outlook meeting",
    "Bob cancels his Outlook meeting",
    "Both sides agree at the end",
];

/// Room that accepts or declines requests itself.
const AUTO_ROOM: &str = "room-101@example.com";
/// Room whose requests roombridge accepts or declines on the room's behalf.
const MANUAL_ROOM: &str = "room-102@example.com";
/// User who books through roombridge.
pub(super) const ALICE: &str = "alice@example.com";
/// User who books in Outlook.
const BOB: &str = "bob@example.com";
/// Another Outlook user, who requests a slot already taken.
const CAROL: &str = "carol@example.com";
/// The board room, where the sample organisation has a meeting of Bob's.
const BOARDROOM: &str = "boardroom@example.com";

/// The demo's story, with the state each step passes on to later ones.
#[derive(Debug)]
pub(super) struct Scenario<'a> {
    driver: Driver<'a>,
    /// The day the demo books on: tomorrow (UTC), when the sample
    /// organisation has nothing booked in Room 101 or Room 102.
    day: jiff::civil::Date,
    /// Alice's API booking: id, ETag and iCalendar UID.
    alice: Option<ApiBooking>,
    /// Bob's Outlook meeting: organizer item number, UID and booking id.
    bob: Option<OutlookMeeting>,
    /// UID of the one meeting Room 101 should still contain at the end.
    remaining_uid: Option<String>,
}

/// A booking made through the API.
#[derive(Debug, Clone)]
struct ApiBooking {
    id: String,
    etag: String,
    uid: String,
}

/// A meeting booked in Outlook.
#[derive(Debug, Clone)]
struct OutlookMeeting {
    number: u64,
    uid: String,
    id: String,
}

impl<'a> Scenario<'a> {
    /// Prepares the story on tomorrow's date.
    pub(super) fn new(driver: Driver<'a>) -> Self {
        let today = TimeZone::UTC.to_datetime(Timestamp::now()).date();
        let day = today.checked_add(1.day()).unwrap_or(today);
        Self {
            driver,
            day,
            alice: None,
            bob: None,
            remaining_uid: None,
        }
    }

    /// Runs step `index` of [`STEPS`].
    pub(super) async fn run_step(&mut self, index: usize) -> Result<String, String> {
        match index {
            0 => self.first_sync().await,
            1 => self.alice_books().await,
            2 => self.alice_moves().await,
            3 => self.alice_changes_room().await,
            4 => self.alice_deletes().await,
            5 => self.bob_books().await,
            6 => self.carol_is_declined().await,
            7 => self.alice_is_declined().await,
            8 => self.bob_moves().await,
            9 => self.bob_cancels().await,
            10 => self.both_sides_agree().await,
            _ => Err(format!("there is no step {}", index + 1)),
        }
    }

    /// Returns the UTC instant at `hour`:`minute` on the demo's day.
    fn at(&self, hour: i8, minute: i8) -> Timestamp {
        TimeZone::UTC
            .to_ambiguous_timestamp(self.day.at(hour, minute, 0, 0))
            .compatible()
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Returns the window from midnight to midnight of the demo's day.
    fn whole_day(&self) -> (Timestamp, Timestamp) {
        (self.at(0, 0), self.at(23, 59))
    }

    /// Returns the display name of a room.
    fn name(&self, room: &'a str) -> &'a str {
        self.driver.env.room_name(room)
    }

    /// Reads the bookings already in Exchange and checks the board room's
    /// meeting from the sample organisation on both sides.
    async fn first_sync(&mut self) -> Result<String, String> {
        let summary = self.driver.sync().await?;

        let copies = self.driver.items(BOARDROOM, "calendar").await?;
        let exchange = copies
            .iter()
            .find(|item| item["calendar"]["organizer"]["address"] == BOB)
            .ok_or_else(|| {
                format!("Exchange: no meeting of Bob's in the calendar of {BOARDROOM}")
            })?;
        let uid = exchange["calendar"]["uid"].as_str().unwrap_or_default();
        let from = super::driver::instant(&exchange["calendar"], "start")?;
        let to = super::driver::instant(&exchange["calendar"], "end")?;

        let stored = self
            .driver
            .room_bookings(ALICE, BOARDROOM, from, to)
            .await?;
        let found = stored
            .iter()
            .filter(|booking| booking["ical_uid"] == uid)
            .collect::<Vec<_>>();
        super::driver::ensure(found.len() == 1, || {
            format!(
                "roombridge: expected one booking with UID {uid} in {BOARDROOM}, but found {}",
                found.len()
            )
        })?;

        let booking = found[0];
        super::driver::ensure(booking["origin"] == "external", || {
            format!(
                "roombridge: Bob's Outlook meeting is not external: {}",
                describe_booking(booking)
            )
        })?;
        super::driver::ensure(booking["organizer"] == BOB, || {
            format!(
                "roombridge: Bob's Outlook meeting has the wrong organizer: {}",
                describe_booking(booking)
            )
        })?;
        Ok(format!(
            "roombridge read {} room calendars and stored {} bookings made in Outlook (each \
             occurrence of a recurring series counts as one) as external, read-only bookings; \
             Bob's meeting in {} ({}) is among them, with the \
             same UID as the room's copy in Exchange.",
            summary.rooms,
            summary.created,
            self.name(BOARDROOM),
            slot(from, to),
        ))
    }
}

/// Formats a time slot as `10:00-11:00 UTC on Sat 5 Dec`.
fn slot(start: Timestamp, end: Timestamp) -> String {
    let start = TimeZone::UTC.to_datetime(start);
    let end = TimeZone::UTC.to_datetime(end);
    format!(
        "{}-{} UTC on {}",
        start.strftime("%H:%M"),
        end.strftime("%H:%M"),
        start.strftime("%a %-d %b")
    )
}

/// Formats `number` with `noun`, in the plural unless it is one.
fn count(number: u32, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

/// Describes a booking as the API returns it, for error messages.
fn describe_booking(booking: &serde_json::Value) -> String {
    let field = |name: &str| booking[name].as_str().unwrap_or("?").to_owned();
    format!(
        "{} booking of {} in {}, {} to {}, status {}",
        field("origin"),
        field("organizer"),
        field("room"),
        field("start"),
        field("end"),
        field("status"),
    )
}

/// Describes a calendar item as the simulator's admin interface lists it,
/// for error messages.
fn describe_item(item: &serde_json::Value) -> String {
    let calendar = &item["calendar"];
    let field = |name: &str| calendar[name].as_str().unwrap_or("?").to_owned();
    let resources: Vec<String> = calendar["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|room| {
            format!(
                "{} {}",
                room["person"]["address"].as_str().unwrap_or("?"),
                room["response"].as_str().unwrap_or("?")
            )
        })
        .collect();
    format!(
        "item {} in {}, {} to {}, own response {}, cancelled {}, rooms [{}]",
        item["number"],
        item["mailbox"].as_str().unwrap_or("?"),
        field("start"),
        field("end"),
        field("my_response"),
        calendar["is_cancelled"],
        resources.join(", "),
    )
}
