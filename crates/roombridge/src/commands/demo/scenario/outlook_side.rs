//! Steps where Outlook users book, move and cancel meetings through the
//! simulator's admin interface, and the closing comparison of both sides.

use std::collections::BTreeSet;

use hyper::Method;
use serde_json::{Value, json};

use super::super::driver::{ensure, instant, resource_response, text};
use super::{
    ALICE, AUTO_ROOM, BOB, CAROL, MANUAL_ROOM, OutlookMeeting, Scenario, count, describe_booking,
    describe_item, slot,
};

impl Scenario<'_> {
    /// Books Room 101 as Bob in Outlook; the sync stores it as external.
    pub(super) async fn bob_books(&mut self) -> Result<String, String> {
        let (start, end) = (self.at(9, 0), self.at(10, 0));
        let item = self
            .driver
            .outlook_meeting(BOB, "Team sync", (start, end), AUTO_ROOM)
            .await?;
        let uid = text(&item["calendar"], "uid")?.to_owned();
        let number = item["number"].as_u64().ok_or_else(|| {
            format!(
                "the simulator returned no item number: {}",
                describe_item(&item)
            )
        })?;
        ensure(
            resource_response(&item, AUTO_ROOM).as_deref() == Some("Accept"),
            || {
                format!(
                    "Exchange: {AUTO_ROOM} did not accept Bob's request: {}",
                    describe_item(&item)
                )
            },
        )?;
        let summary = self.driver.sync().await?;

        let booking = self.external_booking(AUTO_ROOM, &uid).await?;
        ensure(booking["status"] == "confirmed", || {
            format!(
                "roombridge: Bob's meeting is not confirmed: {}",
                describe_booking(&booking)
            )
        })?;
        ensure(instant(&booking, "start")? == start, || {
            format!(
                "roombridge: Bob's meeting is not at {}: {}",
                slot(start, end),
                describe_booking(&booking)
            )
        })?;
        let id = text(&booking, "id")?.to_owned();
        self.bob = Some(OutlookMeeting { number, uid, id });
        Ok(format!(
            "Bob booked {} for {} in Outlook and the room accepted; the next sync stored {}, and roombridge now shows Bob's meeting as an external booking.",
            self.name(AUTO_ROOM),
            slot(start, end),
            count(summary.created, "new booking"),
        ))
    }

    /// Asks in Outlook, as Carol, for a slot overlapping Bob's meeting.
    pub(super) async fn carol_is_declined(&mut self) -> Result<String, String> {
        let bob = self.bob.clone().ok_or("Bob has no meeting yet")?;
        let (start, end) = (self.at(9, 30), self.at(10, 30));
        let item = self
            .driver
            .outlook_meeting(CAROL, "Design sync", (start, end), AUTO_ROOM)
            .await?;
        let uid = text(&item["calendar"], "uid")?.to_owned();
        let answer = resource_response(&item, AUTO_ROOM);
        ensure(answer.as_deref() == Some("Decline"), || {
            format!(
                "Exchange: expected {AUTO_ROOM} to decline Carol's request, but its response is {answer:?}"
            )
        })?;
        self.check_released(AUTO_ROOM, &uid).await?;
        self.driver.sync().await?;

        let (from, to) = self.whole_day();
        let stored = self
            .driver
            .room_bookings(ALICE, AUTO_ROOM, from, to)
            .await?;
        let blocking = stored
            .iter()
            .filter(|booking| booking["ical_uid"] == uid.as_str())
            .filter(|booking| booking["status"] == "confirmed" || booking["status"] == "tentative")
            .count();
        ensure(blocking == 0, || {
            "roombridge: Carol's declined request blocks the room".to_owned()
        })?;
        let bob_booking = self.driver.booking(ALICE, &bob.id).await?;
        ensure(bob_booking["status"] == "confirmed", || {
            format!(
                "roombridge: Bob's meeting is no longer confirmed: {}",
                describe_booking(&bob_booking)
            )
        })?;
        Ok(format!(
            "Carol asked in Outlook for {} at {}, which overlaps Bob's meeting; the room \
             declined, and after the sync roombridge still shows only Bob's meeting there.",
            self.name(AUTO_ROOM),
            slot(start, end),
        ))
    }

    /// Moves Bob's meeting in Outlook; the sync moves the booking.
    pub(super) async fn bob_moves(&mut self) -> Result<String, String> {
        let bob = self.bob.clone().ok_or("Bob has no meeting yet")?;
        let (start, end) = (self.at(15, 0), self.at(16, 0));
        let path = format!("/admin/items/{}/move", bob.number);
        let body = json!({ "start": start.to_string(), "end": end.to_string() });
        self.driver.admin(Method::POST, &path, Some(body)).await?;
        let copy = self.driver.calendar_copy(AUTO_ROOM, &bob.uid).await?;
        ensure(instant(&copy["calendar"], "start")? == start, || {
            format!(
                "Exchange: the room's copy did not move: {}",
                describe_item(&copy)
            )
        })?;
        ensure(copy["calendar"]["my_response"] == "Accept", || {
            format!(
                "Exchange: the room did not accept the new time: {}",
                describe_item(&copy)
            )
        })?;
        let summary = self.driver.sync().await?;

        let booking = self.driver.booking(ALICE, &bob.id).await?;
        ensure(
            instant(&booking, "start")? == start && instant(&booking, "end")? == end,
            || {
                format!(
                    "roombridge: Bob's booking is not at {}: {}",
                    slot(start, end),
                    describe_booking(&booking)
                )
            },
        )?;
        Ok(format!(
            "Bob moved his meeting to {} in Outlook and the room accepted the new time; the \
             sync updated {}, and roombridge shows the new time.",
            slot(start, end),
            count(summary.updated, "booking"),
        ))
    }

    /// Cancels Bob's meeting in Outlook; the sync marks it cancelled.
    pub(super) async fn bob_cancels(&mut self) -> Result<String, String> {
        let bob = self.bob.clone().ok_or("Bob has no meeting yet")?;
        let path = format!("/admin/items/{}/cancel", bob.number);
        self.driver.admin(Method::POST, &path, None).await?;
        self.check_released(AUTO_ROOM, &bob.uid).await?;
        self.driver.sync().await?;

        let booking = self.driver.booking(ALICE, &bob.id).await?;
        ensure(booking["status"] == "cancelled", || {
            format!(
                "roombridge: Bob's booking is not cancelled: {}",
                describe_booking(&booking)
            )
        })?;
        Ok(format!(
            "Bob cancelled his meeting in Outlook; Exchange sent the cancellation to {}, and \
             after the sync roombridge shows the booking as cancelled, so the slot is free again.",
            self.name(AUTO_ROOM),
        ))
    }

    /// Syncs once more, expecting no change, and compares the meetings
    /// each room contains on the demo's day in both systems.
    pub(super) async fn both_sides_agree(&mut self) -> Result<String, String> {
        let summary = self.driver.sync().await?;
        let changes = summary.pushed + summary.changed();
        ensure(changes == 0, || {
            format!("a sync with nothing new still made {changes} change(s): {summary:?}")
        })?;
        let expected = self.remaining_uid.clone().ok_or("no meeting was kept")?;
        for room in [AUTO_ROOM, MANUAL_ROOM] {
            let in_roombridge = self.active_in_roombridge(room).await?;
            let in_exchange = self.active_in_exchange(room).await?;
            ensure(in_roombridge == in_exchange, || {
                format!(
                    "{room}: roombridge holds {in_roombridge:?} but Exchange holds {in_exchange:?}"
                )
            })?;
        }
        let room_101 = self.active_in_roombridge(AUTO_ROOM).await?;
        ensure(room_101 == BTreeSet::from([expected]), || {
            format!("{AUTO_ROOM}: expected only Bob's customer call, but found {room_101:?}")
        })?;
        Ok(format!(
            "A last sync changed nothing. On the demo's day, {} holds only Bob's customer call \
             and {} holds nothing, in roombridge and in Exchange alike.",
            self.name(AUTO_ROOM),
            self.name(MANUAL_ROOM),
        ))
    }

    /// Returns roombridge's external booking with `uid` in `room` on the
    /// demo's day, requiring exactly one.
    pub(super) async fn external_booking(&self, room: &str, uid: &str) -> Result<Value, String> {
        let (from, to) = self.whole_day();
        let mut found: Vec<Value> = self
            .driver
            .room_bookings(ALICE, room, from, to)
            .await?
            .into_iter()
            .filter(|booking| booking["ical_uid"] == uid)
            .collect();
        ensure(found.len() == 1, || {
            format!(
                "roombridge: expected one booking with UID {uid} in {room}, but found {}",
                found.len()
            )
        })?;
        let booking = found.remove(0);
        ensure(booking["origin"] == "external", || {
            format!(
                "roombridge: the Outlook meeting is not stored as external: {}",
                describe_booking(&booking)
            )
        })?;
        Ok(booking)
    }

    /// Returns the UIDs of the bookings that block `room` on the demo's day
    /// in roombridge.
    async fn active_in_roombridge(&self, room: &str) -> Result<BTreeSet<String>, String> {
        let (from, to) = self.whole_day();
        let bookings = self.driver.room_bookings(ALICE, room, from, to).await?;
        Ok(bookings
            .iter()
            .filter(|booking| booking["status"] == "confirmed" || booking["status"] == "tentative")
            .filter_map(|booking| booking["ical_uid"].as_str().map(str::to_owned))
            .collect())
    }

    /// Returns the UIDs of the meetings in `room`'s calendar on the demo's
    /// day that are not cancelled.
    async fn active_in_exchange(&self, room: &str) -> Result<BTreeSet<String>, String> {
        let (from, to) = self.whole_day();
        let mut active = BTreeSet::new();
        for item in self.driver.items(room, "calendar").await? {
            let calendar = &item["calendar"];
            if item["kind"] != "CalendarItem" || calendar["is_cancelled"] == true {
                continue;
            }
            let (start, end) = (instant(calendar, "start")?, instant(calendar, "end")?);
            if start < to && end > from {
                active.insert(text(calendar, "uid")?.to_owned());
            }
        }
        Ok(active)
    }
}
