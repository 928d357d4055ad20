//! The engine on PostgreSQL: the same round trip as on SQLite, and room
//! runs coordinated across instances through advisory locks.

mod support;

use roombridge_domain::{BookingStatus, Origin};
use roombridge_sync::SyncConfig;
use support::*;

async fn start_postgres(test_name: &str) -> Option<Harness> {
    let url = roombridge_testkit::fresh_postgres_database(test_name).await?;
    Some(start_on(&url, SyncConfig::default(), None).await)
}

#[tokio::test]
async fn postgres_round_trip_without_duplicates() {
    let Some(h) = start_postgres("sync round trip").await else {
        return;
    };
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "On PostgreSQL",
            at(3, 9, 0),
            at(3, 10, 0),
        )
        .await;
    h.outlook_meeting(
        "bob@example.com",
        meeting("From Outlook", at(3, 11, 0), at(3, 12, 0), &[AUTO_ROOM]),
    )
    .await;

    let reports = h.engine.run_until_quiescent(4).await.expect("sync runs");
    assert!(
        reports.len() >= 2,
        "a second round confirms quiet: {reports:?}"
    );
    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(bookings.len(), 2, "{bookings:#?}");
    let internal = h.reload(&booking).await;
    assert_eq!(internal.origin, Origin::Internal);
    assert!(internal.exchange.room_item_id.is_some());
    assert_eq!(internal.status, BookingStatus::Confirmed);
    assert!(
        bookings
            .iter()
            .any(|b| b.origin == Origin::External && b.organizer == "bob@example.com")
    );
}

#[tokio::test]
async fn postgres_room_held_by_another_instance_is_skipped() {
    let Some(h) = start_postgres("sync advisory lock").await else {
        return;
    };
    let other_instance = h
        .store
        .try_lock_room_sync(AUTO_ROOM)
        .await
        .unwrap()
        .expect("lock is free");
    let report = h.engine.sync_room(AUTO_ROOM).await.unwrap();
    assert!(report.skipped, "{report:?}");
    assert_eq!(report.requests, 0, "nothing was read");
    other_instance.release().await;
    let report = h.sync_ok(AUTO_ROOM).await;
    assert!(!report.skipped);
}

#[tokio::test]
async fn overlapping_runs_of_one_room_queue() {
    let h = start().await;
    for hour in 9..13 {
        h.outlook_meeting(
            "bob@example.com",
            meeting("Queued", at(4, hour, 0), at(4, hour, 30), &[AUTO_ROOM]),
        )
        .await;
    }
    let (first, second) =
        tokio::join!(h.engine.sync_room(AUTO_ROOM), h.engine.sync_room(AUTO_ROOM));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert!(first.errors.is_empty(), "{first:?}");
    assert!(second.errors.is_empty(), "{second:?}");
    assert_eq!(first.created + second.created, 4, "{first:?} {second:?}");
    assert_eq!(h.bookings(AUTO_ROOM).await.len(), 4, "no duplicates");
}
