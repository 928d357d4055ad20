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
