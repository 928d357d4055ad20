//! Impersonation is requested only for mailboxes in the configured
//! domains: an organizer elsewhere gets a parked outbox record with an
//! error naming the setting, and the simulator sees no request at all.

mod support;

use std::sync::Arc;

use roombridge_domain::{Actor, NewBooking, OutboxState, User};
use roombridge_sync::{EwsBackend, SyncConfig, SyncEngine};
use serde_json::json;
use support::*;

/// An engine on the harness's store and simulator that may impersonate
/// only mailboxes in `domains`, parking a record at its first refusal.
fn limited_engine(h: &Harness, domains: &[&str]) -> SyncEngine {
    SyncEngine::new(
        h.store.clone(),
        Arc::new(EwsBackend::new(h.ews.clone()).with_impersonation_domains(domains)),
        SyncConfig {
            park_after_attempts: 1,
            retry_base: std::time::Duration::ZERO,
            ..SyncConfig::default()
        },
    )
}

/// Arms a fault that the first EWS request of any kind would consume.
async fn arm_tripwire(h: &Harness) {
    h.faults(json!({ "rules": [{ "kind": "http500", "count": 1 }] }))
        .await;
}

/// Returns whether the tripwire is still armed, that is whether no EWS
/// request reached the simulator since it was set.
async fn tripwire_armed(h: &Harness) -> bool {
    let faults = h.admin("GET", "/admin/faults", None).await;
    faults["rules"]
        .as_array()
        .is_some_and(|rules| rules.len() == 1)
}

async fn book_as(h: &Harness, organizer: &str) -> roombridge_domain::Booking {
    h.store
        .upsert_user(User {
            address: organizer.to_owned(),
            display_name: "Outsider".to_owned(),
        })
        .await
        .expect("user saved");
    let start = at(5, 10, 0);
    h.store
        .create_booking(
            NewBooking {
                room: AUTO_ROOM.to_owned(),
                organizer: organizer.to_owned(),
                subject: "Outside".to_owned(),
                body: String::new(),
                start,
                end: plus(start, 60),
                time_zone: "UTC".to_owned(),
                all_day: false,
                attendees: Vec::new(),
            },
            &Actor::user(organizer),
        )
        .await
        .expect("booking created")
}

#[tokio::test]
async fn organizer_outside_the_domains_is_parked_without_a_request() {
    for organizer in [
        "mallory@other.org",
        "mallory@notexample.com",
        "mallory@sub.example.com",
    ] {
        let h = start().await;
        let engine = limited_engine(&h, &["example.com"]);
        let booking = book_as(&h, organizer).await;
        arm_tripwire(&h).await;

        let report = engine.push_outbox().await.expect("outbox readable");

        assert_eq!(report.parked, 1, "{organizer}: {report:?}");
        assert!(
            tripwire_armed(&h).await,
            "{organizer}: an EWS request was sent"
        );
        let records = h
            .store
            .outbox_for_booking(booking.id)
            .await
            .expect("outbox read");
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].state, OutboxState::Parked, "{organizer}");
        let error = records[0].last_error.clone().unwrap_or_default();
        assert!(
            error.contains(organizer) && error.contains("exchange.impersonation_domains"),
            "the error names the mailbox and the setting: {error}"
        );
    }
}

#[tokio::test]
async fn organizer_inside_the_domains_is_pushed() {
    let h = start().await;
    // Domains match without regard to case.
    let engine = limited_engine(&h, &["other.org", "Example.COM"]);
    let booking = book_as(&h, "alice@example.com").await;

    let report = engine.push_outbox().await.expect("outbox readable");

    assert_eq!(report.pushed, 1, "{report:?}");
    assert_eq!(
        h.calendar_items_with("alice@example.com", "Outside")
            .await
            .len(),
        1
    );
    let stored = h.reload(&booking).await;
    assert!(stored.exchange.uid.is_some(), "{stored:?}");
}

#[tokio::test]
async fn room_outside_the_domains_is_not_read() {
    let h = start().await;
    let engine = limited_engine(&h, &["other.org"]);
    arm_tripwire(&h).await;

    let report = engine.sync_room(AUTO_ROOM).await.expect("room known");

    assert_eq!(report.errors.len(), 1, "{report:?}");
    assert!(
        report.errors[0].contains("exchange.impersonation_domains"),
        "{report:?}"
    );
    assert!(tripwire_armed(&h).await, "an EWS request was sent");
}
