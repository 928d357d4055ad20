//! Random operations on both sides, with failures injected between them;
//! after the engine settles, both sides must agree: no duplicates, no
//! lost meetings, no live meeting for a deleted booking.

mod support;

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use roombridge_domain::{Actor, BookingPatch, BookingStatus, Origin};
use serde_json::json;
use support::*;

#[derive(Debug, Clone)]
enum Operation {
    /// An Outlook user books a slot in a room.
    OutlookCreate { room: usize, slot: i8 },
    /// The organizer of the n-th Outlook meeting moves it.
    OutlookMove { meeting: usize, slot: i8 },
    /// The organizer of the n-th Outlook meeting cancels it.
    OutlookCancel { meeting: usize },
    /// Alice books a slot in roombridge.
    Book { room: usize, slot: i8 },
    /// Alice moves the n-th roombridge booking.
    Move { booking: usize, slot: i8 },
    /// Alice moves the meeting of the n-th roombridge booking in Outlook.
    OutlookMoveOwn { booking: usize, slot: i8 },
    /// Alice deletes the n-th roombridge booking.
    Delete { booking: usize },
    /// The next CreateItem commits but its response is lost.
    DropNextCreate,
    /// Every sync state issued so far becomes invalid.
    InvalidateSyncStates,
    /// The engine pushes and reads once.
    Sync,
    /// The engine pushes and reads once while a share of requests fail
    /// with HTTP 503 or are throttled.
    FlakySync { seed: u8 },
}

const ROOMS: [&str; 3] = [AUTO_ROOM, BOARDROOM, MANUAL_ROOM];

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        (0..3usize, 8..18i8).prop_map(|(room, slot)| Operation::OutlookCreate { room, slot }),
        (0..4usize, 8..18i8).prop_map(|(meeting, slot)| Operation::OutlookMove { meeting, slot }),
        (0..4usize).prop_map(|meeting| Operation::OutlookCancel { meeting }),
        (0..3usize, 8..18i8).prop_map(|(room, slot)| Operation::Book { room, slot }),
        (0..4usize, 8..18i8).prop_map(|(booking, slot)| Operation::Move { booking, slot }),
        (0..4usize).prop_map(|booking| Operation::Delete { booking }),
        (0..4usize, 8..18i8)
            .prop_map(|(booking, slot)| Operation::OutlookMoveOwn { booking, slot }),
        Just(Operation::DropNextCreate),
        Just(Operation::InvalidateSyncStates),
        Just(Operation::Sync),
        (0..4u8).prop_map(|seed| Operation::FlakySync { seed }),
    ]
}

#[test]
fn random_operations_keep_both_sides_in_agreement() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 32,
        ..Config::default()
    });
    let strategy = proptest::collection::vec(operation(), 1..10);
    let result = runner.run(&strategy, |operations| {
        runtime.block_on(run_case(operations))
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

async fn run_case(operations: Vec<Operation>) -> Result<(), TestCaseError> {
    let h = start_with(roombridge_sync::SyncConfig {
        retry_base: std::time::Duration::ZERO,
        ..roombridge_sync::SyncConfig::default()
    })
    .await;
    let mut outlook: Vec<serde_json::Value> = Vec::new();
    let mut booked: Vec<roombridge_domain::Booking> = Vec::new();
    for operation in &operations {
        apply(&h, operation, &mut outlook, &mut booked).await;
    }
    h.clear_faults().await;
    // Settle: push and read until nothing changes.
    h.engine
        .run_until_quiescent(6)
        .await
        .map_err(|error| TestCaseError::fail(error.to_string()))?;
    check(&h).await
}

async fn apply(
    h: &Harness,
    operation: &Operation,
    outlook: &mut Vec<serde_json::Value>,
    booked: &mut Vec<roombridge_domain::Booking>,
) {
    match *operation {
        Operation::OutlookCreate { room, slot } => {
            let start = at(3, slot, 0);
            let created = h
                .outlook_meeting(
                    "bob@example.com",
                    meeting("Outlook", start, plus(start, 60), &[ROOMS[room]]),
                )
                .await;
            outlook.push(created);
        }
        Operation::OutlookMove { meeting, slot } => {
            if let Some(item) = outlook.get(meeting) {
                let start = at(3, slot, 30);
                // The meeting may be cancelled already; the admin interface
                // then rejects the move, which is fine here.
                let _ = try_admin(
                    h,
                    &format!("/admin/items/{}/move", item["number"]),
                    Some(json!({ "start": start.to_string(), "end": plus(start, 30).to_string() })),
                )
                .await;
            }
        }
        Operation::OutlookCancel { meeting } => {
            if let Some(item) = outlook.get(meeting) {
                let _ =
                    try_admin(h, &format!("/admin/items/{}/cancel", item["number"]), None).await;
            }
        }
        Operation::Book { room, slot } => {
            let start = at(4, slot, 0);
            let request = roombridge_domain::NewBooking {
                room: ROOMS[room].to_owned(),
                organizer: "alice@example.com".to_owned(),
                subject: "roombridge".to_owned(),
                body: String::new(),
                start,
                end: plus(start, 60),
                time_zone: "UTC".to_owned(),
                all_day: false,
                attendees: Vec::new(),
            };
            if let Ok(booking) = h
                .store
                .create_booking(request, &Actor::user("alice@example.com"))
                .await
            {
                booked.push(booking);
            }
        }
        Operation::Move { booking, slot } => {
            if let Some(booking) = booked.get(booking) {
                let current = h.reload(booking).await;
                let start = at(4, slot, 30);
                let patch = BookingPatch {
                    start: Some(start),
                    end: Some(plus(start, 30)),
                    ..BookingPatch::default()
                };
                let actor = Actor::user("alice@example.com");
                let _ = h
                    .store
                    .update_booking(current.id, current.version, &patch, &actor)
                    .await;
            }
        }
        Operation::OutlookMoveOwn { booking, slot } => {
            let Some(booking) = booked.get(booking) else {
                return;
            };
            let Some(uid) = h.reload(booking).await.exchange.uid else {
                return;
            };
            let items = h.items("alice@example.com", "calendar").await;
            if let Some(item) = items
                .iter()
                .find(|item| item["calendar"]["uid"].as_str() == Some(uid.as_str()))
            {
                let start = at(4, slot, 15);
                let _ = try_admin(
                    h,
                    &format!("/admin/items/{}/move", item["number"]),
                    Some(json!({ "start": start.to_string(), "end": plus(start, 45).to_string() })),
                )
                .await;
            }
        }
        Operation::Delete { booking } => {
            if let Some(booking) = booked.get(booking) {
                let actor = Actor::user("alice@example.com");
                let _ = h.store.delete_booking(booking.id, None, &actor).await;
            }
        }
        Operation::DropNextCreate => {
            h.faults(json!({ "rules": [{ "kind": "drop_after_commit", "operation": "CreateItem", "count": 1 }] }))
                .await;
        }
        Operation::InvalidateSyncStates => {
            h.admin("POST", "/admin/sync-states/invalidate", None).await;
        }
        Operation::Sync => {
            let _ = h.engine.sync_all().await;
        }
        Operation::FlakySync { seed } => {
            let kind = if seed % 2 == 0 {
                "http503"
            } else {
                "server_busy"
            };
            let chance = 0.2 + f64::from(seed) * 0.1;
            h.faults(json!({
                "back_off_ms": 10,
                "rules": [{ "kind": kind, "probability": chance }]
            }))
            .await;
            let _ = h.engine.sync_all().await;
            h.clear_faults().await;
        }
    }
}

/// Sends an admin request and returns whether it succeeded.
async fn try_admin(h: &Harness, path: &str, body: Option<serde_json::Value>) -> bool {
    let result = tokio::spawn({
        let address = h.sim.local_addr();
        let path = path.to_owned();
        async move { admin_status(address, &path, body).await }
    })
    .await;
    matches!(result, Ok(status) if (200..300).contains(&status))
}

async fn admin_status(
    address: std::net::SocketAddr,
    path: &str,
    body: Option<serde_json::Value>,
) -> u16 {
    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper_util::rt::TokioIo;

    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let text = body.map(|body| body.to_string()).unwrap_or_default();
    let request = http::Request::builder()
        .method("POST")
        .uri(path)
        .header("host", address.to_string())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(text)))
        .unwrap();
    sender
        .send_request(request)
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Checks that both sides agree after the engine settled.
async fn check(h: &Harness) -> Result<(), TestCaseError> {
    for room in ROOMS {
        let bookings = h.bookings(room).await;
        let mut by_identity: HashMap<(Option<String>, Option<jiff::Timestamp>), usize> =
            HashMap::new();
        for booking in bookings.iter().filter(|b| b.exchange.uid.is_some()) {
            *by_identity
                .entry((booking.exchange.uid.clone(), booking.exchange.recurrence_id))
                .or_default() += 1;
        }
        prop_assert!(
            by_identity.values().all(|count| *count == 1),
            "a meeting is stored twice in {}: {:#?}",
            room,
            bookings
        );

        // Every live meeting in the room calendar is a booking with its times.
        for item in h.items(room, "calendar").await {
            let calendar = &item["calendar"];
            if calendar["is_cancelled"] == true {
                continue;
            }
            let uid = calendar["uid"].as_str().unwrap_or_default();
            let found = bookings
                .iter()
                .find(|b| b.exchange.uid.as_deref() == Some(uid));
            prop_assert!(found.is_some(), "meeting {} in {} not stored", uid, room);
            let found = found.unwrap();
            prop_assert_eq!(
                found.start.to_string(),
                calendar["start"].as_str().unwrap_or_default()
            );
            let live = found.status != BookingStatus::Cancelled || found.deleted_at.is_some();
            prop_assert!(
                live,
                "live meeting {} stored as cancelled: {:#?}",
                uid,
                found
            );
        }

        // Internal bookings: one organizer meeting each, none once deleted.
        let organizer = h.items("alice@example.com", "calendar").await;
        for booking in bookings.iter().filter(|b| b.origin == Origin::Internal) {
            let uid = booking.exchange.uid.clone();
            let meetings = organizer
                .iter()
                .filter(|item| uid.is_some() && item["calendar"]["uid"].as_str() == uid.as_deref())
                .count();
            if booking.deleted_at.is_some() || booking.status == BookingStatus::Declined {
                prop_assert!(
                    booking.deleted_at.is_none() || meetings == 0,
                    "deleted booking {} still has a meeting",
                    booking.id
                );
            } else {
                prop_assert_eq!(
                    meetings,
                    1,
                    "booking {} has {} meetings",
                    booking.id,
                    meetings
                );
            }
        }
    }
    let outbox = h.store.count_outbox().await.unwrap();
    prop_assert!(
        outbox.iter().all(|(state, _)| state == "done"),
        "every record pushed: {:?}",
        outbox
    );
    Ok(())
}
