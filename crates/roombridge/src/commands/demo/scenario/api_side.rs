//! Steps where Alice books, moves, changes room and deletes through the
//! REST API, and where Room 101 declines her booking because Bob took the
//! slot in Outlook first.

use hyper::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::super::driver::{ensure, expect_status, instant, resource_response, text};
use super::{
    ALICE, AUTO_ROOM, ApiBooking, BOB, CAROL, MANUAL_ROOM, Scenario, count, describe_booking,
    describe_item, slot,
};

impl Scenario<'_> {
    /// Creates a booking through the API and pushes it.
    pub(super) async fn alice_books(&mut self) -> Result<String, String> {
        let (start, end) = (self.at(10, 0), self.at(11, 0));
        let created = self
            .create_booking(AUTO_ROOM, "Budget review", start, end)
            .await?;
        let summary = self.driver.sync().await?;

        let booking = self.driver.booking(ALICE, &created).await?;
        let uid = self
            .check_booking(&booking, AUTO_ROOM, "confirmed", start, end)?
            .to_owned();
        self.check_meeting(&uid, AUTO_ROOM, start, end).await?;
        let same_uid = self
            .driver
            .room_bookings(ALICE, AUTO_ROOM, start, end)
            .await?
            .into_iter()
            .filter(|stored| stored["ical_uid"] == uid.as_str())
            .count();
        ensure(same_uid == 1, || {
            format!(
                "roombridge: expected one booking with UID {uid} after the read-back, but found {same_uid}"
            )
        })?;
        self.alice = Some(ApiBooking {
            id: created,
            etag: etag_of(&booking),
            uid,
        });
        Ok(format!(
            "Alice booked {} for {} through the API; the sync pushed {}, and Exchange \
             now has her meeting with {} accepted. Reading the room calendar back left one \
             booking, not two.",
            self.name(AUTO_ROOM),
            slot(start, end),
            count(summary.pushed, "change"),
            self.name(AUTO_ROOM),
        ))
    }

    /// Moves the booking to the afternoon with `PATCH` and `If-Match`.
    pub(super) async fn alice_moves(&mut self) -> Result<String, String> {
        let booking = self.alice.clone().ok_or("Alice has no booking yet")?;
        let (start, end) = (self.at(13, 0), self.at(14, 0));
        let patch = json!({ "start": start.to_string(), "end": end.to_string() });
        let etag = self.patch(&booking, patch).await?;
        self.driver.sync().await?;

        let stored = self.driver.booking(ALICE, &booking.id).await?;
        self.check_booking(&stored, AUTO_ROOM, "confirmed", start, end)?;
        self.check_meeting(&booking.uid, AUTO_ROOM, start, end)
            .await?;
        self.alice = Some(ApiBooking { etag, ..booking });
        Ok(format!(
            "Alice moved her booking to {} through the API; Exchange moved her meeting and {} \
             accepted the new time.",
            slot(start, end),
            self.name(AUTO_ROOM),
        ))
    }

    /// Changes the booking's room to Room 102, for which roombridge accepts
    /// requests as the room.
    pub(super) async fn alice_changes_room(&mut self) -> Result<String, String> {
        let booking = self.alice.clone().ok_or("Alice has no booking yet")?;
        let (start, end) = (self.at(13, 0), self.at(14, 0));
        let etag = self.patch(&booking, json!({ "room": MANUAL_ROOM })).await?;
        self.driver.sync().await?;

        let stored = self.driver.booking(ALICE, &booking.id).await?;
        self.check_booking(&stored, MANUAL_ROOM, "confirmed", start, end)?;
        let organizer = self
            .check_meeting(&booking.uid, MANUAL_ROOM, start, end)
            .await?;
        ensure(resource_response(&organizer, AUTO_ROOM).is_none(), || {
            format!("Exchange: {AUTO_ROOM} is still invited to Alice's meeting")
        })?;
        self.check_released(AUTO_ROOM, &booking.uid).await?;
        self.alice = Some(ApiBooking { etag, ..booking });
        Ok(format!(
            "Alice moved her booking to {} through the API; Exchange released {} and invited \
             {}, which has no automatic processing, so roombridge accepted the request as the \
             room.",
            self.name(MANUAL_ROOM),
            self.name(AUTO_ROOM),
            self.name(MANUAL_ROOM),
        ))
    }

    /// Deletes the booking: soft in roombridge, cancelled in Exchange.
    pub(super) async fn alice_deletes(&mut self) -> Result<String, String> {
        let booking = self.alice.clone().ok_or("Alice has no booking yet")?;
        let path = format!("/api/v1/bookings/{}", booking.id);
        let reply = self
            .driver
            .api(ALICE, Method::DELETE, &path, None, Some(&booking.etag))
            .await?;
        expect_status(&reply, StatusCode::OK, &format!("DELETE {path}"))?;
        self.driver.sync().await?;

        let stored = self.driver.booking(ALICE, &booking.id).await?;
        ensure(!stored["deleted_at"].is_null(), || {
            format!(
                "roombridge: the deleted booking has no `deleted_at`: {}",
                describe_booking(&stored)
            )
        })?;
        let (from, to) = self.whole_day();
        let listed = self
            .driver
            .room_bookings(ALICE, MANUAL_ROOM, from, to)
            .await?;
        ensure(
            listed
                .iter()
                .all(|listed| listed["id"] != booking.id.as_str()),
            || "roombridge: the deleted booking is still listed in the room's bookings".to_owned(),
        )?;
        let active = self.driver.calendar_copies(ALICE, &booking.uid).await?;
        ensure(active.is_empty(), || {
            "Exchange: Alice's calendar still has the meeting".to_owned()
        })?;
        let deleted = self.driver.items(ALICE, "deleteditems").await?;
        ensure(
            deleted
                .iter()
                .any(|item| item["calendar"]["uid"] == booking.uid.as_str()),
            || "Exchange: the meeting is not in Alice's Deleted Items".to_owned(),
        )?;
        self.check_released(MANUAL_ROOM, &booking.uid).await?;
        Ok(format!(
            "Alice deleted her booking through the API; roombridge keeps it, marked deleted, and \
             Exchange cancelled the meeting, sent the cancellation to {} and moved Alice's copy \
             to Deleted Items.",
            self.name(MANUAL_ROOM),
        ))
    }

    /// Books through the API a slot that Bob then takes in Outlook before
    /// the push; the room declines roombridge's request.
    pub(super) async fn alice_is_declined(&mut self) -> Result<String, String> {
        let (start, end) = (self.at(11, 0), self.at(12, 0));
        let id = self
            .create_booking(AUTO_ROOM, "Roadmap", start, end)
            .await?;
        let bob = self
            .driver
            .outlook_meeting(BOB, "Customer call", (start, end), AUTO_ROOM)
            .await?;
        let bob_uid = text(&bob["calendar"], "uid")?.to_owned();
        ensure(
            resource_response(&bob, AUTO_ROOM).as_deref() == Some("Accept"),
            || {
                format!(
                    "Exchange: {AUTO_ROOM} did not accept Bob's free slot: {}",
                    describe_item(&bob)
                )
            },
        )?;
        self.driver.sync().await?;

        let stored = self.driver.booking(ALICE, &id).await?;
        ensure(stored["status"] == "declined", || {
            format!(
                "roombridge: Alice's booking is not declined: {}",
                describe_booking(&stored)
            )
        })?;
        let reason = stored["declined_reason"]
            .as_str()
            .unwrap_or("no reason given");
        let alice_uid = stored["ical_uid"].as_str().unwrap_or_default();
        let organizer = self.driver.calendar_copy(ALICE, alice_uid).await?;
        ensure(
            resource_response(&organizer, AUTO_ROOM).as_deref() == Some("Decline"),
            || format!("Exchange: Alice's meeting does not show {AUTO_ROOM} as declined"),
        )?;
        self.check_released(AUTO_ROOM, alice_uid).await?;
        let bob_booking = self.external_booking(AUTO_ROOM, &bob_uid).await?;
        ensure(bob_booking["status"] == "confirmed", || {
            format!(
                "roombridge: Bob's meeting is not confirmed: {}",
                describe_booking(&bob_booking)
            )
        })?;
        self.remaining_uid = Some(bob_uid);
        Ok(format!(
            "Alice booked {} for {} through the API, and Bob booked the same slot in Outlook \
             before the next sync. {} accepted Bob's meeting and declined Alice's request, and \
             roombridge shows her booking as declined (\"{reason}\") beside Bob's, so the room \
             is not double-booked.",
            self.name(AUTO_ROOM),
            slot(start, end),
            self.name(AUTO_ROOM),
        ))
    }

    /// Creates a booking as Alice with Carol invited; returns its id.
    async fn create_booking(
        &self,
        room: &str,
        subject: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<String, String> {
        let body = json!({
            "room": room,
            "subject": subject,
            "body": "Agenda to follow.",
            "start": start.to_string(),
            "end": end.to_string(),
            "time_zone": "UTC",
            "attendees": [{ "address": CAROL, "name": "Carol" }],
        });
        let reply = self
            .driver
            .api(ALICE, Method::POST, "/api/v1/bookings", Some(body), None)
            .await?;
        expect_status(&reply, StatusCode::CREATED, "POST /api/v1/bookings")?;
        Ok(text(&reply.body, "id")?.to_owned())
    }

    /// Sends a `PATCH` with the booking's ETag; returns the new ETag.
    async fn patch(&self, booking: &ApiBooking, patch: Value) -> Result<String, String> {
        let path = format!("/api/v1/bookings/{}", booking.id);
        let reply = self
            .driver
            .api(
                ALICE,
                Method::PATCH,
                &path,
                Some(patch),
                Some(&booking.etag),
            )
            .await?;
        expect_status(&reply, StatusCode::OK, &format!("PATCH {path}"))?;
        Ok(reply.etag.unwrap_or_else(|| etag_of(&reply.body)))
    }

    /// Checks a booking's room, status and times as the API shows them;
    /// returns its UID.
    fn check_booking<'v>(
        &self,
        booking: &'v Value,
        room: &str,
        status: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<&'v str, String> {
        ensure(booking["room"] == room, || {
            format!(
                "roombridge: expected the booking in {room}: {}",
                describe_booking(booking)
            )
        })?;
        ensure(booking["status"] == status, || {
            format!(
                "roombridge: expected the booking {status}: {}",
                describe_booking(booking)
            )
        })?;
        ensure(
            instant(booking, "start")? == start && instant(booking, "end")? == end,
            || {
                format!(
                    "roombridge: expected the booking at {}: {}",
                    slot(start, end),
                    describe_booking(booking)
                )
            },
        )?;
        booking["ical_uid"].as_str().ok_or_else(|| {
            format!(
                "roombridge: the booking has no Exchange UID: {}",
                describe_booking(booking)
            )
        })
    }

    /// Checks Alice's meeting in Exchange: her organizer copy at the time
    /// with `room` accepted, and the room's accepted copy. Returns the
    /// organizer's item.
    async fn check_meeting(
        &self,
        uid: &str,
        room: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Value, String> {
        let organizer = self.driver.calendar_copy(ALICE, uid).await?;
        let calendar = &organizer["calendar"];
        ensure(calendar["my_response"] == "Organizer", || {
            format!(
                "Exchange: Alice's copy is not the organizer's: {}",
                describe_item(&organizer)
            )
        })?;
        ensure(
            instant(calendar, "start")? == start && instant(calendar, "end")? == end,
            || format!("Exchange: Alice's meeting is not at {}", slot(start, end)),
        )?;
        let answer = resource_response(&organizer, room);
        ensure(answer.as_deref() == Some("Accept"), || {
            format!(
                "Exchange: expected {room} to have accepted Alice's meeting, but its response is {answer:?}"
            )
        })?;
        let copy = self.driver.calendar_copy(room, uid).await?;
        ensure(copy["calendar"]["my_response"] == "Accept", || {
            format!(
                "Exchange: the copy in {room} is not accepted: {}",
                describe_item(&copy)
            )
        })?;
        ensure(instant(&copy["calendar"], "start")? == start, || {
            format!(
                "Exchange: the copy in {room} is not at {}",
                slot(start, end)
            )
        })?;
        Ok(organizer)
    }

    /// Checks that `room` contains no active copy of the meeting with `uid`:
    /// either none at all or only a cancelled one.
    pub(super) async fn check_released(&self, room: &str, uid: &str) -> Result<(), String> {
        let copies = self.driver.calendar_copies(room, uid).await?;
        let active = copies
            .iter()
            .filter(|copy| copy["calendar"]["is_cancelled"] != true)
            .count();
        ensure(active == 0, || {
            format!("Exchange: {room} still holds the meeting with UID {uid}")
        })
    }
}

/// Returns the `If-Match` value for a booking's version.
fn etag_of(booking: &Value) -> String {
    format!("\"{}\"", booking["version"])
}
