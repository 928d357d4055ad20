//! Bookings made in Outlook flow into roombridge, incrementally and
//! safely.

mod support;

use roombridge_domain::{BookingStatus, Origin};
use roombridge_ews::operations::{
    BaseShape, ConflictResolution, DeleteItem, DisposalType, FindItem, ItemChange,
    ItemQueryTraversal, ItemUpdate, SendMeetingInvitations, SendMeetingInvitationsOrCancellations,
    Shape, UpdateItem, View,
};
use roombridge_ews::types::paths;
use roombridge_ews::types::{
    BaseItemId, CalendarItem, DistinguishedFolderId, DistinguishedFolderIdName, ItemId,
    PropertyPath, ResponseClass,
};
use serde_json::json;
use support::*;

#[tokio::test]
async fn outlook_booking_is_stored_as_external() {
    let h = start().await;
    h.outlook_meeting(
        "bob@example.com",
        meeting(
            "Outlook planning",
            at(3, 14, 0),
            at(3, 15, 0),
            &[AUTO_ROOM, "carol@example.com"],
        ),
    )
    .await;

    let report = h.sync_ok(AUTO_ROOM).await;
    assert_eq!(report.created, 1, "{report:?}");
    assert!(report.full_read, "the first read starts from scratch");
    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(bookings.len(), 1);
    let external = &bookings[0];
    assert_eq!(external.origin, Origin::External);
    assert_eq!(external.organizer, "bob@example.com");
    assert_eq!(external.start, at(3, 14, 0));
    assert_eq!(external.end, at(3, 15, 0));
    assert_eq!(external.status, BookingStatus::Confirmed);
    assert!(external.exchange.uid.is_some());
    assert!(external.exchange.room_item_id.is_some());
    assert_eq!(
        external
            .attendees
            .iter()
            .map(|a| a.address.as_str())
            .collect::<Vec<_>>(),
        vec!["carol@example.com"],
        "the room is not listed as an attendee"
    );

    let conflict = h
        .store
        .create_booking(
            roombridge_domain::NewBooking {
                room: AUTO_ROOM.to_owned(),
                organizer: "alice@example.com".to_owned(),
                subject: "Overlap".to_owned(),
                body: String::new(),
                start: at(3, 14, 30),
                end: at(3, 15, 30),
                time_zone: "UTC".to_owned(),
                all_day: false,
                attendees: Vec::new(),
            },
            &roombridge_domain::Actor::user("alice@example.com"),
        )
        .await;
    assert!(
        matches!(conflict, Err(roombridge_store::StoreError::Conflict(_))),
        "external bookings count in conflict checks: {conflict:?}"
    );

    let second = h.sync_ok(AUTO_ROOM).await;
    assert!(!second.full_read, "the second read is incremental");
    assert!(!second.changed_anything(), "{second:?}");
}

#[tokio::test]
async fn outlook_move_cancel_and_delete_are_detected() {
    let h = start().await;
    let moved = h
        .outlook_meeting(
            "bob@example.com",
            meeting("Will move", at(4, 9, 0), at(4, 10, 0), &[AUTO_ROOM]),
        )
        .await;
    let cancelled = h
        .outlook_meeting(
            "carol@example.com",
            meeting("Will cancel", at(4, 11, 0), at(4, 12, 0), &[AUTO_ROOM]),
        )
        .await;
    h.sync_ok(AUTO_ROOM).await;
    assert_eq!(h.bookings(AUTO_ROOM).await.len(), 2);

    h.admin(
        "POST",
        &format!("/admin/items/{}/move", moved["number"]),
        Some(json!({ "start": at(4, 15, 0).to_string(), "end": at(4, 16, 0).to_string() })),
    )
    .await;
    h.admin(
        "POST",
        &format!("/admin/items/{}/cancel", cancelled["number"]),
        None,
    )
    .await;
    let report = h.sync_ok(AUTO_ROOM).await;
    assert_eq!(report.cancelled, 1, "{report:?}");
    assert_eq!(report.updated, 1, "{report:?}");

    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(bookings.len(), 2, "no booking added or lost: {bookings:#?}");
    let by_organizer = |who: &str| {
        bookings
            .iter()
            .find(|b| b.organizer == who)
            .cloned()
            .expect("booking present")
    };
    let moved = by_organizer("bob@example.com");
    assert_eq!(moved.start, at(4, 15, 0));
    assert_eq!(moved.status, BookingStatus::Confirmed);
    let cancelled = by_organizer("carol@example.com");
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
}

#[tokio::test]
async fn invalid_sync_state_rereads_without_duplicates_or_losses() {
    let h = start().await;
    h.outlook_meeting(
        "bob@example.com",
        meeting("Kept", at(5, 9, 0), at(5, 10, 0), &[AUTO_ROOM]),
    )
    .await;
    let removed = h
        .outlook_meeting(
            "carol@example.com",
            meeting("Removed", at(5, 11, 0), at(5, 12, 0), &[AUTO_ROOM]),
        )
        .await;
    h.sync_ok(AUTO_ROOM).await;
    assert_eq!(h.bookings(AUTO_ROOM).await.len(), 2);

    h.admin("POST", "/admin/sync-states/invalidate", None).await;
    // Room's copy of Carol's meeting is removed while the state is invalid,
    // and the room receives a new meeting.
    h.admin(
        "POST",
        &format!("/admin/items/{}/cancel", removed["number"]),
        None,
    )
    .await;
    h.outlook_meeting(
        "alice@example.com",
        meeting("New", at(5, 14, 0), at(5, 15, 0), &[AUTO_ROOM]),
    )
    .await;

    let report = h.sync_ok(AUTO_ROOM).await;
    assert!(
        report.full_read,
        "the invalid state leads to a full read: {report:?}"
    );
    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(bookings.len(), 3, "one new, none duplicated: {bookings:#?}");
    let status_of = |who: &str| {
        bookings
            .iter()
            .find(|b| b.organizer == who)
            .map(|b| b.status)
            .expect("present")
    };
    assert_eq!(status_of("bob@example.com"), BookingStatus::Confirmed);
    assert_eq!(status_of("carol@example.com"), BookingStatus::Cancelled);
    assert_eq!(status_of("alice@example.com"), BookingStatus::Confirmed);
}

#[tokio::test]
async fn throttled_read_changes_nothing_and_is_retried() {
    let h = start().await;
    h.outlook_meeting(
        "bob@example.com",
        meeting("Throttled", at(6, 9, 0), at(6, 10, 0), &[AUTO_ROOM]),
    )
    .await;
    h.faults(
        json!({ "back_off_ms": 50, "rules": [{ "kind": "server_busy", "operation": "GetItem" }] }),
    )
    .await;
    let report = h.engine.sync_room(AUTO_ROOM).await.unwrap();
    assert_eq!(report.errors.len(), 1, "{report:?}");
    assert!(report.errors[0].contains("ErrorServerBusy"), "{report:?}");
    assert!(h.bookings(AUTO_ROOM).await.is_empty(), "nothing stored");
    assert_eq!(
        h.store.room_sync_state(AUTO_ROOM).await.unwrap(),
        None,
        "the cursor did not move"
    );

    h.clear_faults().await;
    // One throttled response with a short back-off is waited out.
    h.faults(json!({ "back_off_ms": 50, "rules": [{ "kind": "server_busy", "operation": "SyncFolderItems", "count": 1 }] }))
        .await;
    let report = h.sync_ok(AUTO_ROOM).await;
    assert_eq!(report.created, 1);
}

#[tokio::test]
async fn weekly_series_with_moved_and_deleted_occurrence() {
    let h = start().await;
    let first = at(3, 8, 0);
    let date = jiff::tz::TimeZone::UTC.to_datetime(first).date();
    h.outlook_meeting(
            "bob@example.com",
            json!({
                "subject": "Weekly sync",
                "start": first.to_string(),
                "end": plus(first, 60).to_string(),
                "attendees": [AUTO_ROOM],
                "recurrence": {
                    "pattern": { "Weekly": { "interval": 1, "days": [weekday(date)], "first_day_of_week": "Monday" } },
                    "start_date": date.to_string(),
                    "end": { "Count": 4 }
                }
            }),
        )
        .await;
    let report = h.sync_ok(AUTO_ROOM).await;
    assert_eq!(report.created, 4, "{report:?}");
    let bookings = h.bookings(AUTO_ROOM).await;
    assert!(bookings.iter().all(|b| b.exchange.recurrence_id.is_some()));
    let uid = bookings[0].exchange.uid.clone();
    assert!(
        bookings.iter().all(|b| b.exchange.uid == uid),
        "one UID for the series"
    );

    // Bob moves the second occurrence by two hours and deletes the third.
    let view = FindItem {
        traversal: ItemQueryTraversal::Shallow,
        item_shape: Shape::new(BaseShape::IdOnly),
        view: Some(View::CalendarView {
            max_entries_returned: None,
            start_date: at(0, 0, 0),
            end_date: at(40, 0, 0),
        }),
        restriction: None,
        sort_order: Vec::new(),
        parent_folder_ids: vec![
            DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into(),
        ],
    };
    let found = h
        .ews
        .call(Some("bob@example.com"), &view)
        .await
        .expect("view");
    let ids: Vec<ItemId> = found.messages[0]
        .content
        .items
        .iter()
        .filter_map(|item| item.item_id().cloned())
        .collect();
    assert_eq!(ids.len(), 4);
    let second_start = plus(first, 7 * 24 * 60 + 120);
    let update = UpdateItem {
        conflict_resolution: ConflictResolution::AlwaysOverwrite,
        message_disposition: None,
        send_meeting_invitations_or_cancellations: Some(
            SendMeetingInvitationsOrCancellations::SendToAllAndSaveCopy,
        ),
        suppress_read_receipts: None,
        saved_item_folder_id: None,
        item_changes: vec![ItemChange {
            item_id: BaseItemId::ItemId(ItemId::new(ids[1].id.clone())),
            updates: vec![
                ItemUpdate::set_calendar(
                    PropertyPath::field(paths::CALENDAR_START),
                    CalendarItem {
                        start: Some(second_start),
                        ..CalendarItem::default()
                    },
                ),
                ItemUpdate::set_calendar(
                    PropertyPath::field(paths::CALENDAR_END),
                    CalendarItem {
                        end: Some(plus(second_start, 60)),
                        ..CalendarItem::default()
                    },
                ),
            ],
        }],
    };
    let updated = h
        .ews
        .call(Some("bob@example.com"), &update)
        .await
        .expect("update");
    assert_eq!(updated.messages[0].response_class, ResponseClass::Success);
    let delete = DeleteItem {
        delete_type: DisposalType::MoveToDeletedItems,
        send_meeting_cancellations: Some(SendMeetingInvitations::SendToAllAndSaveCopy),
        affected_task_occurrences: None,
        suppress_read_receipts: None,
        item_ids: vec![BaseItemId::ItemId(ItemId::new(ids[2].id.clone()))],
    };
    let deleted = h
        .ews
        .call(Some("bob@example.com"), &delete)
        .await
        .expect("delete");
    assert_eq!(deleted.messages[0].response_class, ResponseClass::Success);

    h.sync_ok(AUTO_ROOM).await;
    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(
        bookings.len(),
        4,
        "no occurrence added or lost: {bookings:#?}"
    );
    let original_second = plus(first, 7 * 24 * 60);
    let original_third = plus(first, 14 * 24 * 60);
    let second = bookings
        .iter()
        .find(|b| b.exchange.recurrence_id == Some(original_second))
        .expect("second occurrence");
    assert_eq!(
        second.start, second_start,
        "the moved occurrence has its new time"
    );
    assert_eq!(second.status, BookingStatus::Confirmed);
    let third = bookings
        .iter()
        .find(|b| b.exchange.recurrence_id == Some(original_third))
        .expect("third occurrence");
    assert_eq!(
        third.status,
        BookingStatus::Cancelled,
        "the deleted occurrence is cancelled"
    );
    let others = bookings
        .iter()
        .filter(|b| b.status == BookingStatus::Confirmed)
        .count();
    assert_eq!(others, 3);
}

#[tokio::test]
async fn daylight_saving_and_all_day_times() {
    let h = start().await;
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let date = next_dst_saturday();
    // 23:00 Saturday to 09:00 Sunday local time, across the change.
    let start = local(&berlin, date.at(23, 0, 0, 0));
    let end = local(&berlin, date.tomorrow().unwrap().at(9, 0, 0, 0));
    h.outlook_meeting(
        "bob@example.com",
        json!({
            "subject": "Night shift",
            "start": start.to_string(),
            "end": end.to_string(),
            "time_zone": "W. Europe Standard Time",
            "attendees": [BOARDROOM],
        }),
    )
    .await;
    let day = date.tomorrow().unwrap();
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:all-day-1\r\nDTSTART;VALUE=DATE:{d}\r\nDTEND;VALUE=DATE:{n}\r\nSUMMARY:Offsite\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        d = day.strftime("%Y%m%d"),
        n = day.tomorrow().unwrap().strftime("%Y%m%d"),
    );
    h.admin_text("POST", &format!("/admin/mailboxes/{BOARDROOM}/ics"), &ics)
        .await;

    h.sync_ok(BOARDROOM).await;
    let bookings = h.bookings(BOARDROOM).await;
    let night = bookings
        .iter()
        .find(|b| b.organizer == "bob@example.com")
        .expect("night meeting stored");
    assert_eq!(night.start, start);
    assert_eq!(night.end, end);
    assert_eq!(night.time_zone, "Europe/Berlin");
    let local_start = berlin.to_datetime(night.start);
    let local_end = berlin.to_datetime(night.end);
    assert_eq!((local_start.hour(), local_end.hour()), (23, 9));
    assert_ne!(
        night.end.duration_since(night.start),
        jiff::SignedDuration::from_hours(10),
        "the night is an hour shorter or longer than its wall-clock span"
    );

    let all_day = bookings
        .iter()
        .find(|b| b.exchange.uid.as_deref() == Some("all-day-1"))
        .expect("all-day meeting stored");
    assert!(all_day.all_day, "{all_day:#?}");
    let zone = jiff::tz::TimeZone::get(&all_day.time_zone).unwrap();
    let first = zone.to_datetime(all_day.start);
    let last = zone.to_datetime(all_day.end);
    assert_eq!(first.date(), day, "starts on the right day: {all_day:#?}");
    assert_eq!((first.hour(), first.minute()), (0, 0));
    assert_eq!(last.date(), day.tomorrow().unwrap());
    assert_eq!((last.hour(), last.minute()), (0, 0));
}

/// Returns the next Saturday before a Europe/Berlin daylight-saving change
/// (the last Sundays of March and October) that lies at least two days
/// ahead.
fn next_dst_saturday() -> jiff::civil::Date {
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let mut candidates = Vec::new();
    for year in [today.year(), today.year() + 1] {
        for month in [3, 10] {
            let mut sunday = jiff::civil::date(year, month, 31);
            while sunday.weekday() != jiff::civil::Weekday::Sunday {
                sunday = sunday.yesterday().unwrap();
            }
            candidates.push(sunday.yesterday().unwrap());
        }
    }
    candidates.sort();
    candidates
        .into_iter()
        .find(|saturday| *saturday > today.tomorrow().unwrap())
        .unwrap()
}

fn local(zone: &jiff::tz::TimeZone, time: jiff::civil::DateTime) -> jiff::Timestamp {
    zone.to_ambiguous_timestamp(time).compatible().unwrap()
}

fn weekday(date: jiff::civil::Date) -> &'static str {
    match date.weekday() {
        jiff::civil::Weekday::Monday => "Monday",
        jiff::civil::Weekday::Tuesday => "Tuesday",
        jiff::civil::Weekday::Wednesday => "Wednesday",
        jiff::civil::Weekday::Thursday => "Thursday",
        jiff::civil::Weekday::Friday => "Friday",
        jiff::civil::Weekday::Saturday => "Saturday",
        jiff::civil::Weekday::Sunday => "Sunday",
    }
}

#[tokio::test]
async fn room_copy_deletion_cancels_booking() {
    let h = start().await;
    h.admin(
        "PUT",
        &format!("/admin/mailboxes/{AUTO_ROOM}/room-settings"),
        Some(json!({ "remove_canceled_meetings": true })),
    )
    .await;
    let gone = h
        .outlook_meeting(
            "bob@example.com",
            meeting("Deleted later", at(7, 9, 0), at(7, 10, 0), &[AUTO_ROOM]),
        )
        .await;
    h.sync_ok(AUTO_ROOM).await;
    h.admin(
        "POST",
        &format!("/admin/items/{}/cancel", gone["number"]),
        None,
    )
    .await;
    assert!(
        h.items(AUTO_ROOM, "calendar").await.is_empty(),
        "the room removed its copy"
    );

    let report = h.sync_ok(AUTO_ROOM).await;
    assert_eq!(report.cancelled, 1, "{report:?}");
    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(bookings.len(), 1);
    assert_eq!(bookings[0].status, BookingStatus::Cancelled);
}

#[tokio::test]
async fn failed_full_reread_cancels_nothing() {
    let h = start().await;
    for hour in [9, 11, 13] {
        h.outlook_meeting(
            "bob@example.com",
            meeting("Stays", at(8, hour, 0), at(8, hour + 1, 0), &[AUTO_ROOM]),
        )
        .await;
    }
    h.sync_ok(AUTO_ROOM).await;
    let before = h.store.room_sync_state(AUTO_ROOM).await.unwrap();
    h.admin("POST", "/admin/sync-states/invalidate", None).await;
    h.faults(json!({ "rules": [{ "kind": "http500", "operation": "GetItem" }] }))
        .await;

    let report = h.engine.sync_room(AUTO_ROOM).await.unwrap();
    assert_eq!(report.errors.len(), 1, "{report:?}");
    let bookings = h.bookings(AUTO_ROOM).await;
    assert_eq!(bookings.len(), 3);
    assert!(
        bookings
            .iter()
            .all(|b| b.status == BookingStatus::Confirmed),
        "{bookings:#?}"
    );
    assert_eq!(
        h.store.room_sync_state(AUTO_ROOM).await.unwrap(),
        before,
        "the stored cursor stays"
    );

    h.clear_faults().await;
    let report = h.sync_ok(AUTO_ROOM).await;
    assert!(report.full_read);
    assert!(!report.changed_anything(), "{report:?}");
}

#[tokio::test]
async fn outlook_request_to_accept_as_room_confirmed_in_one_run() {
    let h = start().await;
    h.outlook_meeting(
        "bob@example.com",
        meeting("Budget review", at(4, 9, 0), at(4, 10, 0), &[MANUAL_ROOM]),
    )
    .await;

    let report = h.sync_ok(MANUAL_ROOM).await;
    assert!(report.errors.is_empty(), "{report:?}");
    let bookings = h.bookings(MANUAL_ROOM).await;
    assert_eq!(bookings.len(), 1, "{bookings:?}");
    assert_eq!(bookings[0].origin, Origin::External);
    assert_eq!(
        bookings[0].status,
        BookingStatus::Confirmed,
        "the run that accepted the request as the room also stores the acceptance"
    );
}
