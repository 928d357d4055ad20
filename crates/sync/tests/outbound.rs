//! Bookings made in roombridge flow out to Exchange: create, room response,
//! update, room change, delete, and failures on the way.

mod support;

use roombridge_domain::{Actor, BookingPatch, BookingStatus, Origin, OutboxState};
use serde_json::json;
use support::*;

#[tokio::test]
async fn push_creates_meeting_and_readback_is_no_duplicate() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Budget review",
            at(3, 9, 0),
            at(3, 10, 0),
        )
        .await;

    let pushed = h.push_ok().await;
    assert_eq!(pushed.pushed, 1);

    let stored = h.reload(&booking).await;
    assert!(stored.exchange.uid.is_some(), "UID stored");
    assert!(stored.exchange.organizer_item_id.is_some(), "ItemId stored");
    assert!(
        stored.exchange.organizer_change_key.is_some(),
        "ChangeKey stored"
    );
    let organizer = h
        .calendar_items_with("alice@example.com", "Budget review")
        .await;
    assert_eq!(
        organizer.len(),
        1,
        "one meeting in the organizer's calendar"
    );
    assert_eq!(organizer[0]["calendar"]["location"], "Room 101");
    let resources = organizer[0]["calendar"]["resources"].to_string();
    assert!(
        resources.contains(AUTO_ROOM),
        "room invited as a resource: {resources}"
    );

    let report = h.sync_ok(AUTO_ROOM).await;
    assert_eq!(report.created, 0, "the pushed meeting is not stored again");
    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(
        bookings.len(),
        1,
        "one booking after the read-back: {bookings:#?}"
    );
    let read_back = &bookings[0];
    assert_eq!(read_back.id, booking.id);
    assert_eq!(read_back.origin, Origin::Internal);
    assert_eq!(
        read_back.subject, "Budget review",
        "room's rewritten subject not taken"
    );
    assert!(
        read_back.exchange.room_item_id.is_some(),
        "room copy linked"
    );

    let again = h.sync_ok(AUTO_ROOM).await;
    assert!(
        !again.changed_anything(),
        "a second sync changes nothing: {again:?}"
    );
    assert_eq!(h.reload(&booking).await.version, read_back.version);
}

#[tokio::test]
async fn room_declines_conflict_and_booking_shows_it() {
    let h = start().await;
    let (start_at, end_at) = (at(4, 13, 0), at(4, 14, 0));
    // Bob takes the slot in Outlook before roombridge's push arrives.
    h.outlook_meeting(
        "bob@example.com",
        meeting("Bob's meeting", start_at, end_at, &[MANUAL_ROOM]),
    )
    .await;
    let manual_requests = h.items(MANUAL_ROOM, "inbox").await;
    assert_eq!(
        manual_requests.len(),
        1,
        "Bob's request waits in the room's Inbox"
    );
    let report = h.sync_ok(MANUAL_ROOM).await;
    assert_eq!(report.created, 1, "Bob's booking stored: {report:?}");
    let room_copy = h.items(MANUAL_ROOM, "calendar").await;
    assert_eq!(
        room_copy[0]["calendar"]["my_response"], "Accept",
        "roombridge accepted Bob's request as the room"
    );
    let booking = h
        .book(AUTO_ROOM, "alice@example.com", "Clashing", start_at, end_at)
        .await;
    let moved = h
        .store
        .update_booking(
            booking.id,
            booking.version,
            &BookingPatch {
                room: Some(MANUAL_ROOM.to_owned()),
                ..BookingPatch::default()
            },
            &Actor::user("alice@example.com"),
        )
        .await;
    // Bob's booking is stored in the manual room, so the store rejects the
    // move as a conflict.
    assert!(
        matches!(moved, Err(roombridge_store::StoreError::Conflict(_))),
        "the conflict check counts the external booking: {moved:?}"
    );

    // The auto-accept room declines an Outlook-side conflict by itself.
    h.outlook_meeting(
        "bob@example.com",
        meeting("Bob again", at(5, 13, 0), at(5, 14, 0), &[AUTO_ROOM]),
    )
    .await;
    let late = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Too late",
            at(5, 13, 0),
            at(5, 14, 0),
        )
        .await;
    h.push_ok().await;
    let late = h.reload(&late).await;
    assert_eq!(late.status, BookingStatus::Declined);
    assert!(late.declined_reason.is_some(), "the reason is stored");
}

#[tokio::test]
async fn accept_as_room_accepts_or_declines_when_busy() {
    let h = start().await;
    let free = h
        .book(
            MANUAL_ROOM,
            "alice@example.com",
            "Free slot",
            at(6, 9, 0),
            at(6, 10, 0),
        )
        .await;
    h.push_ok().await;
    assert_eq!(h.reload(&free).await.status, BookingStatus::Confirmed);
    let room_copy = h.items(MANUAL_ROOM, "calendar").await;
    assert_eq!(room_copy.len(), 1);
    assert_eq!(room_copy[0]["calendar"]["my_response"], "Accept");

    // Bob's Outlook meeting is accepted by the room before roombridge's
    // request for the same slot arrives.
    let (start_at, end_at) = (at(6, 11, 0), at(6, 12, 0));
    h.outlook_meeting(
        "bob@example.com",
        meeting("Bob first", start_at, end_at, &[MANUAL_ROOM]),
    )
    .await;
    let bob_copy = h.calendar_items_with(MANUAL_ROOM, "Bob first").await;
    h.admin(
        "POST",
        &format!("/admin/items/{}/respond", bob_copy[0]["number"]),
        Some(json!({ "response": "Accept" })),
    )
    .await;
    let second = h
        .book(MANUAL_ROOM, "alice@example.com", "Second", start_at, end_at)
        .await;
    h.push_ok().await;
    let second = h.reload(&second).await;
    assert_eq!(second.status, BookingStatus::Declined);
    let reason = second.declined_reason.unwrap_or_default();
    assert!(reason.contains("already booked"), "reason: {reason}");
}

#[tokio::test]
async fn dropped_create_response_leaves_exactly_one_meeting() {
    let h = start_with(roombridge_sync::SyncConfig {
        retry_base: std::time::Duration::ZERO,
        ..roombridge_sync::SyncConfig::default()
    })
    .await;
    h.faults(json!({ "rules": [{ "kind": "drop_after_commit", "operation": "CreateItem", "count": 1 }] }))
        .await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Fragile",
            at(7, 9, 0),
            at(7, 10, 0),
        )
        .await;

    let first = h.engine.push_outbox().await.expect("outbox readable");
    assert_eq!(
        first.failed, 1,
        "the lost response fails the attempt: {first:?}"
    );
    assert_eq!(
        h.calendar_items_with("alice@example.com", "Fragile")
            .await
            .len(),
        1,
        "Exchange committed the meeting"
    );
    let records = h.store.outbox_for_booking(booking.id).await.unwrap();
    assert_eq!(records[0].state, OutboxState::Pending, "the record is kept");

    let second = h.push_ok().await;
    assert_eq!(second.pushed, 1);
    assert_eq!(
        h.calendar_items_with("alice@example.com", "Fragile")
            .await
            .len(),
        1,
        "the retry adopted the meeting instead of creating another"
    );
    assert!(
        h.reload(&booking)
            .await
            .exchange
            .organizer_item_id
            .is_some()
    );
    h.sync_ok(AUTO_ROOM).await;
    assert_eq!(h.bookings(AUTO_ROOM).await.len(), 1);
}

#[tokio::test]
async fn room_change_releases_old_room() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Movable",
            at(8, 9, 0),
            at(8, 10, 0),
        )
        .await;
    h.push_ok().await;
    h.sync_ok(AUTO_ROOM).await;
    let booking = h.reload(&booking).await;

    let moved = h
        .store
        .update_booking(
            booking.id,
            booking.version,
            &BookingPatch {
                room: Some(BOARDROOM.to_owned()),
                start: Some(at(8, 11, 0)),
                end: Some(at(8, 12, 0)),
                subject: Some("Moved".to_owned()),
                ..BookingPatch::default()
            },
            &Actor::user("alice@example.com"),
        )
        .await
        .expect("move accepted");
    h.push_ok().await;

    let organizer = h.calendar_items_with("alice@example.com", "Moved").await;
    assert_eq!(organizer.len(), 1);
    assert_eq!(organizer[0]["calendar"]["start"], at(8, 11, 0).to_string());
    let resources = organizer[0]["calendar"]["resources"].to_string();
    assert!(
        resources.contains(BOARDROOM),
        "new room invited: {resources}"
    );
    assert!(
        !resources.contains(AUTO_ROOM),
        "old room removed: {resources}"
    );

    h.sync_ok(AUTO_ROOM).await;
    h.sync_ok(BOARDROOM).await;
    let stored = h.reload(&moved).await;
    assert_eq!(stored.room, BOARDROOM, "the booking stays in the new room");
    assert_eq!(stored.status, BookingStatus::Confirmed, "{stored:#?}");
    assert_eq!(stored.subject, "Moved");
    assert!(
        h.bookings(AUTO_ROOM).await.is_empty(),
        "no external copy left in the old room"
    );
    assert_eq!(
        h.bookings(BOARDROOM).await.len(),
        1,
        "no duplicate in the new room"
    );
}

#[tokio::test]
async fn delete_cancels_meeting() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Doomed",
            at(9, 9, 0),
            at(9, 10, 0),
        )
        .await;
    h.push_ok().await;
    h.store
        .delete_booking(booking.id, None, &Actor::user("alice@example.com"))
        .await
        .expect("deleted");
    h.push_ok().await;

    assert!(
        h.calendar_items_with("alice@example.com", "Doomed")
            .await
            .is_empty()
    );
    let deleted = h.items("alice@example.com", "deleteditems").await;
    assert!(
        deleted.iter().any(|item| item["subject"] == "Doomed"),
        "organizer's item in Deleted Items"
    );
    h.sync_ok(AUTO_ROOM).await;
    let stored = h.reload(&booking).await;
    assert!(
        stored.deleted_at.is_some(),
        "deleted bookings stay queryable"
    );
}

#[tokio::test]
async fn denied_user_is_parked_without_blocking_others() {
    let config = roombridge_sync::SyncConfig {
        park_after_attempts: 2,
        retry_base: std::time::Duration::ZERO,
        ..roombridge_sync::SyncConfig::default()
    };
    let h = start_with(config).await;
    // Dave books in roombridge but has no mailbox in Exchange, so acting as
    // him fails (ErrorNonExistentMailbox) while Bob's push goes through.
    // NOTE: the simulator cannot deny impersonation of one mailbox only;
    // `impersonation_denied_is_parked_with_its_error` covers that error
    // with an account that may impersonate nobody.
    h.store
        .upsert_user(roombridge_domain::User {
            address: "dave@example.com".to_owned(),
            display_name: "Dave".to_owned(),
        })
        .await
        .unwrap();
    let denied = h
        .book(
            AUTO_ROOM,
            "dave@example.com",
            "Denied",
            at(10, 9, 0),
            at(10, 10, 0),
        )
        .await;
    let fine = h
        .book(
            BOARDROOM,
            "bob@example.com",
            "Fine",
            at(10, 9, 0),
            at(10, 10, 0),
        )
        .await;

    let first = h.engine.push_outbox().await.unwrap();
    assert_eq!(first.pushed, 1, "Bob's booking went through: {first:?}");
    assert_eq!(first.failed, 1);
    assert!(h.reload(&fine).await.exchange.uid.is_some());

    let second = h.engine.push_outbox().await.unwrap();
    assert_eq!(second.parked, 1, "{second:?}");
    let records = h.store.outbox_for_booking(denied.id).await.unwrap();
    assert_eq!(records[0].state, OutboxState::Parked);
    let error = records[0].last_error.clone().unwrap_or_default();
    assert!(
        error.contains("dave@example.com"),
        "error names the mailbox: {error}"
    );
    let parked = h
        .store
        .list_outbox(Some(OutboxState::Parked), 10)
        .await
        .unwrap();
    assert_eq!(parked.len(), 1);
}

#[tokio::test]
async fn throttled_push_waits_the_requested_back_off() {
    let h = start().await;
    h.faults(json!({
        "back_off_ms": 120000,
        "rules": [{ "kind": "server_busy", "operation": "FindItem", "count": 1 }]
    }))
    .await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Busy",
            at(11, 9, 0),
            at(11, 10, 0),
        )
        .await;
    let before = jiff::Timestamp::now();

    let report = h.engine.push_outbox().await.unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    assert_eq!(report.parked, 0, "throttling never parks a record");
    let records = h.store.outbox_for_booking(booking.id).await.unwrap();
    assert_eq!(records[0].state, OutboxState::Pending);
    let wait = records[0].next_attempt_at.duration_since(before);
    assert!(
        wait >= jiff::SignedDuration::from_secs(119),
        "next attempt after the 120 s Exchange asked for, got {wait:#}"
    );
    assert!(
        h.calendar_items_with("alice@example.com", "Busy")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn all_day_booking_keeps_its_zone_and_days() {
    let h = start().await;
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let today = berlin.to_datetime(jiff::Timestamp::now()).date();
    let day = today.checked_add(jiff::ToSpan::days(12)).unwrap();
    let midnight = |date: jiff::civil::Date| {
        berlin
            .to_ambiguous_timestamp(date.at(0, 0, 0, 0))
            .compatible()
            .unwrap()
    };
    let booking = h
        .store
        .create_booking(
            roombridge_domain::NewBooking {
                room: AUTO_ROOM.to_owned(),
                organizer: "alice@example.com".to_owned(),
                subject: "Workshop day".to_owned(),
                body: String::new(),
                start: midnight(day),
                end: midnight(day.tomorrow().unwrap()),
                time_zone: "Europe/Berlin".to_owned(),
                all_day: true,
                attendees: Vec::new(),
            },
            &Actor::user("alice@example.com"),
        )
        .await
        .expect("all-day booking accepted");
    h.push_ok().await;

    let organizer = h
        .calendar_items_with("alice@example.com", "Workshop day")
        .await;
    assert_eq!(organizer.len(), 1);
    let calendar = &organizer[0]["calendar"];
    assert_eq!(calendar["is_all_day"], true);
    assert_eq!(calendar["start_time_zone"], "W. Europe Standard Time");
    assert_eq!(calendar["start"], midnight(day).to_string());
    assert_eq!(
        calendar["end"],
        midnight(day.tomorrow().unwrap()).to_string()
    );

    h.sync_ok(AUTO_ROOM).await;
    let stored = h.reload(&booking).await;
    assert!(stored.all_day);
    assert_eq!(stored.start, midnight(day));
    assert_eq!(h.bookings(AUTO_ROOM).await.len(), 1);
}

#[tokio::test]
async fn declined_booking_moved_to_free_slot_is_requested_again() {
    let h = start().await;
    h.outlook_meeting(
        "bob@example.com",
        meeting("Bob holds it", at(13, 9, 0), at(13, 10, 0), &[AUTO_ROOM]),
    )
    .await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Second try",
            at(13, 9, 0),
            at(13, 10, 0),
        )
        .await;
    h.push_ok().await;
    let declined = h.reload(&booking).await;
    assert_eq!(declined.status, BookingStatus::Declined);

    h.store
        .update_booking(
            booking.id,
            declined.version,
            &BookingPatch {
                start: Some(at(13, 11, 0)),
                end: Some(at(13, 12, 0)),
                ..BookingPatch::default()
            },
            &Actor::user("alice@example.com"),
        )
        .await
        .expect("a declined booking may move");
    h.push_ok().await;
    h.sync_ok(AUTO_ROOM).await;

    let after = h.reload(&booking).await;
    assert_eq!(after.status, BookingStatus::Confirmed, "{after:#?}");
    assert!(
        after.exchange.room_item_id.is_some(),
        "the room booked the new time"
    );
    let room_items = h.items(AUTO_ROOM, "calendar").await;
    assert_eq!(
        room_items.len(),
        2,
        "Bob's meeting and Alice's: {room_items:#?}"
    );
}

#[tokio::test]
async fn pending_push_survives_restart() {
    let h = start_with(roombridge_sync::SyncConfig {
        retry_base: std::time::Duration::ZERO,
        ..roombridge_sync::SyncConfig::default()
    })
    .await;
    h.faults(json!({ "rules": [{ "kind": "http503" }] })).await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Survivor",
            at(14, 9, 0),
            at(14, 10, 0),
        )
        .await;
    let report = h.engine.push_outbox().await.unwrap();
    assert_eq!(report.failed, 1, "Exchange unavailable: {report:?}");
    h.store.close().await;
    h.clear_faults().await;

    // A new process: a new store and engine on the same database.
    let store = roombridge_store::Store::connect(&h.database_url)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let records = store.outbox_for_booking(booking.id).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].state, OutboxState::Pending, "the record is kept");
    let error = records[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("503"), "{error}");
    let client = roombridge_ews::EwsClientBuilder::new(
        h.sim.ews_url(),
        roombridge_ews::auth::Credentials::Basic {
            username: "svc@example.com".to_owned(),
            password: roombridge_ews::Secret::new("svc-password"),
        },
    )
    .build()
    .unwrap();
    let engine = roombridge_sync::SyncEngine::new(
        store.clone(),
        std::sync::Arc::new(roombridge_sync::EwsBackend::new(client)),
        roombridge_sync::SyncConfig::default(),
    );

    let report = engine.push_outbox().await.unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    assert_eq!(
        h.calendar_items_with("alice@example.com", "Survivor")
            .await
            .len(),
        1
    );
    let stored = store.booking(booking.id).await.unwrap().unwrap();
    assert!(stored.exchange.uid.is_some());
}

#[tokio::test]
async fn impersonation_denied_is_parked_with_its_error() {
    let h = start().await;
    // Alice's account holds no ApplicationImpersonation role, so acting as
    // Bob through it fails with ErrorImpersonateUserDenied.
    let client = roombridge_ews::EwsClientBuilder::new(
        h.sim.ews_url(),
        roombridge_ews::auth::Credentials::Basic {
            username: "alice@example.com".to_owned(),
            password: roombridge_ews::Secret::new("alice-password"),
        },
    )
    .build()
    .unwrap();
    let engine = roombridge_sync::SyncEngine::new(
        h.store.clone(),
        std::sync::Arc::new(roombridge_sync::EwsBackend::new(client)),
        roombridge_sync::SyncConfig {
            park_after_attempts: 1,
            ..roombridge_sync::SyncConfig::default()
        },
    );
    let booking = h
        .book(
            AUTO_ROOM,
            "bob@example.com",
            "Not allowed",
            at(15, 9, 0),
            at(15, 10, 0),
        )
        .await;

    let report = engine.push_outbox().await.unwrap();
    assert_eq!(report.parked, 1, "{report:?}");
    let records = h.store.outbox_for_booking(booking.id).await.unwrap();
    assert_eq!(records[0].state, OutboxState::Parked);
    let error = records[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("ErrorImpersonateUserDenied"), "{error}");
    assert!(
        error.contains("bob@example.com"),
        "the error names the mailbox: {error}"
    );
    assert!(!error.contains("alice-password"), "no secret in the error");
}
