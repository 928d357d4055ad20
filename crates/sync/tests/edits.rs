//! Edits flow both ways: Outlook edits to meetings roombridge created
//! reach the booking, roombridge's own pushes are not mistaken for Outlook
//! edits, and edits on both sides are settled by the conflict policy.

mod support;

use roombridge_domain::{Actor, BookingPatch, BookingStatus, Side};
use roombridge_ews::operations::{
    ConflictResolution, ItemChange, ItemUpdate, SendMeetingInvitationsOrCancellations, UpdateItem,
};
use roombridge_ews::types::paths;
use roombridge_ews::types::{BaseItemId, CalendarItem, ItemId, PropertyPath, ResponseClass};
use serde_json::json;
use support::*;

/// Sets the subject of the organizer's copy as Outlook would.
async fn outlook_subject(h: &Harness, organizer: &str, item_id: &str, subject: &str) {
    let update = UpdateItem {
        conflict_resolution: ConflictResolution::AlwaysOverwrite,
        message_disposition: None,
        send_meeting_invitations_or_cancellations: Some(
            SendMeetingInvitationsOrCancellations::SendToAllAndSaveCopy,
        ),
        suppress_read_receipts: None,
        saved_item_folder_id: None,
        item_changes: vec![ItemChange {
            item_id: BaseItemId::ItemId(ItemId::new(item_id.to_owned())),
            updates: vec![ItemUpdate::set_calendar(
                PropertyPath::field(paths::ITEM_SUBJECT),
                CalendarItem {
                    subject: Some(subject.to_owned()),
                    ..CalendarItem::default()
                },
            )],
        }],
    };
    let reply = h
        .ews
        .call(Some(organizer), &update)
        .await
        .expect("update sent");
    assert_eq!(reply.messages[0].response_class, ResponseClass::Success);
}

#[tokio::test]
async fn own_push_is_not_outlook_edit() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Echo",
            at(3, 9, 0),
            at(3, 10, 0),
        )
        .await;
    h.push_ok().await;
    h.sync_ok(AUTO_ROOM).await;
    let booking = h.reload(&booking).await;
    let edited = h
        .store
        .update_booking(
            booking.id,
            booking.version,
            &BookingPatch {
                subject: Some("Echo, renamed".to_owned()),
                start: Some(at(3, 9, 30)),
                end: Some(at(3, 10, 30)),
                ..BookingPatch::default()
            },
            &Actor::user("alice@example.com"),
        )
        .await
        .unwrap();
    h.push_ok().await;

    let report = h.sync_ok(AUTO_ROOM).await;
    assert!(!report.changed_anything(), "{report:?}");
    let after = h.reload(&edited).await;
    assert_eq!(
        after.version, edited.version,
        "the read-back changed nothing"
    );
    let history = h.store.history(booking.id).await.unwrap();
    assert!(
        history
            .iter()
            .all(|entry| entry.side == Side::Internal || entry.changes.is_empty()),
        "no Exchange-side edit recorded: {history:#?}"
    );
}

#[tokio::test]
async fn outlook_edits_to_pushed_meeting_update_booking() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Original",
            at(4, 9, 0),
            at(4, 10, 0),
        )
        .await;
    h.push_ok().await;
    h.sync_ok(AUTO_ROOM).await;
    let organizer = h.calendar_items_with("alice@example.com", "Original").await;
    let number = organizer[0]["number"].clone();
    let item_id = organizer[0]["item_id"].as_str().unwrap().to_owned();

    h.admin(
        "POST",
        &format!("/admin/items/{number}/move"),
        Some(json!({ "start": at(4, 13, 0).to_string(), "end": at(4, 14, 30).to_string() })),
    )
    .await;
    outlook_subject(&h, "alice@example.com", &item_id, "Renamed in Outlook").await;

    let report = h.sync_ok(AUTO_ROOM).await;
    assert_eq!(report.updated, 1, "{report:?}");
    let after = h.reload(&booking).await;
    assert_eq!(after.start, at(4, 13, 0));
    assert_eq!(after.end, at(4, 14, 30));
    assert_eq!(
        after.subject, "Renamed in Outlook",
        "subject from the organizer's copy"
    );
    assert_eq!(after.status, BookingStatus::Confirmed);
    let history = h.store.history(booking.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.side, Side::Exchange);
    assert!(
        h.store
            .outbox_for_booking(booking.id)
            .await
            .unwrap()
            .iter()
            .all(|r| r.kind != roombridge_domain::OutboxKind::Update),
        "Outlook edits are not pushed back"
    );
}

#[tokio::test]
async fn two_sided_edits_follow_policy() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Shared",
            at(5, 9, 0),
            at(5, 10, 0),
        )
        .await;
    h.push_ok().await;
    h.sync_ok(AUTO_ROOM).await;
    let booking = h.reload(&booking).await;
    let organizer = h.calendar_items_with("alice@example.com", "Shared").await;
    let item_id = organizer[0]["item_id"].as_str().unwrap().to_owned();

    // roombridge changes subject and body; Outlook changes the subject too.
    h.store
        .update_booking(
            booking.id,
            booking.version,
            &BookingPatch {
                subject: Some("Subject from roombridge".to_owned()),
                body: Some("Body from roombridge".to_owned()),
                ..BookingPatch::default()
            },
            &Actor::user("alice@example.com"),
        )
        .await
        .unwrap();
    outlook_subject(&h, "alice@example.com", &item_id, "Subject from Outlook").await;

    h.sync_ok(AUTO_ROOM).await;
    let merged = h.reload(&booking).await;
    assert_eq!(
        merged.subject, "Subject from Outlook",
        "same field: Exchange wins"
    );
    assert_eq!(
        merged.body, "Body from roombridge",
        "other field: roombridge's edit stays"
    );
    let history = h.store.history(booking.id).await.unwrap();
    let decision = history
        .iter()
        .flat_map(|entry| entry.changes.iter())
        .find(|change| change.field == "conflict_resolution")
        .expect("decision in history");
    assert_eq!(decision.to["policy"], "merge-exchange-wins");
    assert_eq!(decision.to["fields"]["subject"], "exchange");

    // The pending push sends the merged state.
    h.push_ok().await;
    let organizer = h
        .calendar_items_with("alice@example.com", "Subject from Outlook")
        .await;
    assert_eq!(organizer.len(), 1);
    assert_eq!(organizer[0]["body"]["content"], "Body from roombridge");
    let report = h.sync_ok(AUTO_ROOM).await;
    assert!(!report.changed_anything(), "{report:?}");
}

#[tokio::test]
async fn stale_change_key_merged_on_push() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Stale",
            at(6, 9, 0),
            at(6, 10, 0),
        )
        .await;
    h.push_ok().await;
    let booking = h.reload(&booking).await;
    let organizer = h.calendar_items_with("alice@example.com", "Stale").await;
    let item_id = organizer[0]["item_id"].as_str().unwrap().to_owned();
    // Outlook renames the meeting; roombridge has not read it yet and
    // moves the booking.
    outlook_subject(
        &h,
        "alice@example.com",
        &item_id,
        "Stale, renamed in Outlook",
    )
    .await;
    h.store
        .update_booking(
            booking.id,
            booking.version,
            &BookingPatch {
                start: Some(at(6, 11, 0)),
                end: Some(at(6, 12, 0)),
                ..BookingPatch::default()
            },
            &Actor::user("alice@example.com"),
        )
        .await
        .unwrap();

    h.push_ok().await;
    let organizer = h.calendar_items_with("alice@example.com", "Stale").await;
    assert_eq!(organizer.len(), 1);
    assert_eq!(
        organizer[0]["subject"], "Stale, renamed in Outlook",
        "Outlook's edit kept"
    );
    assert_eq!(
        organizer[0]["calendar"]["start"],
        at(6, 11, 0).to_string(),
        "roombridge's move pushed"
    );
    let after = h.reload(&booking).await;
    assert_eq!(after.subject, "Stale, renamed in Outlook");
}

#[tokio::test]
async fn outlook_room_change_moves_booking() {
    let h = start().await;
    let booking = h
        .book(
            AUTO_ROOM,
            "alice@example.com",
            "Relocated",
            at(7, 9, 0),
            at(7, 10, 0),
        )
        .await;
    h.push_ok().await;
    h.sync_ok(AUTO_ROOM).await;
    let organizer = h
        .calendar_items_with("alice@example.com", "Relocated")
        .await;
    let item_id = organizer[0]["item_id"].as_str().unwrap().to_owned();

    // Alice swaps the room in Outlook.
    let update = UpdateItem {
        conflict_resolution: ConflictResolution::AlwaysOverwrite,
        message_disposition: None,
        send_meeting_invitations_or_cancellations: Some(
            SendMeetingInvitationsOrCancellations::SendToAllAndSaveCopy,
        ),
        suppress_read_receipts: None,
        saved_item_folder_id: None,
        item_changes: vec![ItemChange {
            item_id: BaseItemId::ItemId(ItemId::new(item_id)),
            updates: vec![ItemUpdate::set_calendar(
                PropertyPath::field(paths::CALENDAR_RESOURCES),
                CalendarItem {
                    resources: vec![roombridge_ews::types::Attendee::smtp(BOARDROOM)],
                    ..CalendarItem::default()
                },
            )],
        }],
    };
    let reply = h
        .ews
        .call(Some("alice@example.com"), &update)
        .await
        .unwrap();
    assert_eq!(reply.messages[0].response_class, ResponseClass::Success);

    h.sync_ok(AUTO_ROOM).await;
    h.sync_ok(BOARDROOM).await;
    let moved = h.reload(&booking).await;
    assert_eq!(moved.room, BOARDROOM, "{moved:#?}");
    assert_eq!(moved.status, BookingStatus::Confirmed);
    assert!(
        h.bookings(AUTO_ROOM).await.is_empty(),
        "nothing left in the old room"
    );
    assert_eq!(
        h.bookings(BOARDROOM).await.len(),
        1,
        "no external duplicate"
    );
}
