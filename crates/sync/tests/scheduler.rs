//! The scheduler runs the engine on its interval and stops on request.

mod support;

use std::time::Duration;

use roombridge_sync::{Scheduler, SyncConfig};
use support::*;

#[tokio::test]
async fn scheduler_syncs_on_its_interval_until_stopped() {
    let h = start_with(SyncConfig {
        interval: Duration::from_millis(100),
        ..SyncConfig::default()
    })
    .await;
    let scheduler = Scheduler::start(h.engine.clone());

    h.outlook_meeting(
        "bob@example.com",
        meeting("Scheduled", at(3, 9, 0), at(3, 10, 0), &[AUTO_ROOM]),
    )
    .await;
    let booking = h
        .book(
            BOARDROOM,
            "alice@example.com",
            "Pushed",
            at(3, 9, 0),
            at(3, 10, 0),
        )
        .await;
    let mut waited = Duration::ZERO;
    loop {
        let inbound = !h.bookings(AUTO_ROOM).await.is_empty();
        let outbound = h.reload(&booking).await.exchange.room_item_id.is_some();
        if inbound && outbound {
            break;
        }
        assert!(
            waited < Duration::from_secs(10),
            "the scheduler did not sync within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    scheduler.stop().await;

    h.outlook_meeting(
        "carol@example.com",
        meeting("After stop", at(3, 11, 0), at(3, 12, 0), &[AUTO_ROOM]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.bookings(AUTO_ROOM).await.len(), 1, "no run after stop");
}

#[tokio::test]
async fn metrics_count_runs_and_parked_records() {
    let mut registry = prometheus_client::registry::Registry::with_prefix("roombridge");
    let metrics = roombridge_sync::SyncMetrics::register(&mut registry);
    let h = start_with(SyncConfig {
        park_after_attempts: 1,
        ..SyncConfig::default()
    })
    .await;
    let engine = h.engine.clone().with_metrics(metrics);
    h.store
        .upsert_user(roombridge_domain::User {
            address: "dave@example.com".to_owned(),
            display_name: "Dave".to_owned(),
        })
        .await
        .unwrap();
    h.book(
        AUTO_ROOM,
        "dave@example.com",
        "Parked",
        at(5, 9, 0),
        at(5, 10, 0),
    )
    .await;
    engine.sync_all().await.unwrap();

    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    assert!(text.contains("roombridge_sync_outbox_parked 1"), "{text}");
    assert!(
        text.contains("roombridge_sync_outbox_records_total{result=\"parked\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("roombridge_sync_room_runs_total{result=\"ok\"} 3"),
        "{text}"
    );
}
