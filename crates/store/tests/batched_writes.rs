//! Tests of the writes and lookups that handle many rows at once: the room
//! sync commit, the sync lookups and saving many rooms, at sizes that span
//! several multi-row statements. Every case runs on a fresh SQLite file and
//! on a fresh PostgreSQL database (skipped, with a printed reason, when
//! `ROOMBRIDGE_TEST_POSTGRES_URL` is unset).

mod support;

use jiff::SignedDuration;
use roombridge_domain::{ExchangeLink, ExternalBooking, HistoryAction, ResponseMode, Room};
use roombridge_store::{BookingFilter, ExternalUpsert, RoomItem, RoomSyncCommit, StoreError};
use support::*;

/// Expands each case name into one test per database.
macro_rules! store_tests {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = super::support::sqlite().await;
                    super::$case(&db).await;
                }
            )*
        }

        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = super::support::postgres(stringify!($case)).await else {
                        return;
                    };
                    super::$case(&db).await;
                }
            )*
        }
    };
}

store_tests!(
    commit_stores_many_bookings,
    commit_matches_repeated_and_internal,
    internal_lookup_spans_rooms,
    rooms_saved_together,
);

/// Meetings per test: more than two multi-row statements of 100 rows.
const MEETINGS: usize = 250;

/// Builds the `index`-th meeting of room A, each in its own half hour.
fn meeting(index: usize) -> ExternalBooking {
    let start = hm(0, 0) + SignedDuration::from_mins(30 * index as i64);
    external(
        ROOM_A,
        &format!("uid-{index:03}"),
        start,
        start + SignedDuration::from_mins(30),
    )
}

fn item(index: usize) -> RoomItem {
    RoomItem {
        item_id: format!("item-uid-{index:03}"),
        uid: format!("uid-{index:03}"),
        is_series: false,
    }
}

fn all_of_room_a() -> BookingFilter {
    BookingFilter {
        room: Some(ROOM_A.to_owned()),
        include_deleted: true,
        limit: Some(10_000),
        ..BookingFilter::default()
    }
}

async fn commit_stores_many_bookings(db: &TestDb) {
    let store = &db.store;
    let first = RoomSyncCommit {
        room: ROOM_A.to_owned(),
        cursor: Some("cursor-1".to_owned()),
        replace_items: true,
        items_seen: (0..MEETINGS).map(item).collect(),
        external: (0..MEETINGS).map(meeting).collect(),
        ..RoomSyncCommit::default()
    };
    let outcome = store.commit_room_sync(first).await.unwrap();
    assert_eq!(outcome.external.len(), MEETINGS);
    for (index, upsert) in outcome.external.iter().enumerate() {
        let ExternalUpsert::Created(booking) = upsert else {
            panic!("meeting {index}: expected Created, but found {upsert:?}");
        };
        assert_eq!(booking.exchange.uid, meeting(index).exchange.uid);
    }

    let stored = store.list_bookings(&all_of_room_a()).await.unwrap();
    assert_eq!(stored.len(), MEETINGS);
    for booking in [&stored[0], &stored[100], &stored[MEETINGS - 1]] {
        let history = store.history(booking.id).await.unwrap();
        assert_eq!(history.len(), 1, "history of {}", booking.id);
        assert_eq!(history[0].action, HistoryAction::Created);
        assert_eq!(history[0].version, 1);
    }
    let items = store.room_items(ROOM_A).await.unwrap();
    assert_eq!(items.len(), MEETINGS);
    let state = store.room_sync_state(ROOM_A).await.unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("cursor-1"));

    // The second read moves one meeting and finds 150 items deleted.
    let mut externals: Vec<ExternalBooking> = (0..MEETINGS).map(meeting).collect();
    externals[7].start = hm(23, 0);
    externals[7].end = hm(23, 30);
    let second = RoomSyncCommit {
        room: ROOM_A.to_owned(),
        cursor: Some("cursor-2".to_owned()),
        items_removed: (0..150).map(|index| item(index).item_id).collect(),
        external: externals,
        ..RoomSyncCommit::default()
    };
    let outcome = store.commit_room_sync(second).await.unwrap();
    let updated: Vec<usize> = outcome
        .external
        .iter()
        .enumerate()
        .filter(|(_, upsert)| matches!(upsert, ExternalUpsert::Updated(_)))
        .map(|(index, _)| index)
        .collect();
    assert_eq!(updated, [7]);
    let unchanged = outcome
        .external
        .iter()
        .filter(|upsert| matches!(upsert, ExternalUpsert::Unchanged(_)))
        .count();
    assert_eq!(unchanged, MEETINGS - 1);
    assert_eq!(
        store.list_bookings(&all_of_room_a()).await.unwrap().len(),
        MEETINGS
    );
    let ExternalUpsert::Updated(moved) = &outcome.external[7] else {
        unreachable!("checked above");
    };
    assert_eq!(moved.start, hm(23, 0));
    assert_eq!(moved.version, 2);
    let history = store.history(moved.id).await.unwrap();
    let actions: Vec<HistoryAction> = history.iter().map(|entry| entry.action).collect();
    assert_eq!(actions, [HistoryAction::Created, HistoryAction::Updated]);
    let items = store.room_items(ROOM_A).await.unwrap();
    assert_eq!(items.len(), MEETINGS - 150);
    assert_eq!(items[0], item(150));
}

async fn commit_matches_repeated_and_internal(db: &TestDb) {
    let store = &db.store;
    let internal = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let link = ExchangeLink {
        uid: Some("uid-internal".to_owned()),
        organizer_item_id: Some("organizer-item".to_owned()),
        ..ExchangeLink::default()
    };
    store.set_exchange_link(internal.id, &link).await.unwrap();

    // The same meeting twice in one read: the later copy updates the
    // booking the earlier one created.
    let early = external(ROOM_A, "uid-twice", hm(11, 0), hm(12, 0));
    let late = external(ROOM_A, "uid-twice", hm(13, 0), hm(14, 0));
    let copy_of_internal = external(ROOM_A, "uid-internal", hm(9, 0), hm(10, 0));
    let mut series_item = item(1);
    series_item.is_series = true;
    let commit = RoomSyncCommit {
        room: ROOM_A.to_owned(),
        cursor: Some("cursor".to_owned()),
        items_seen: vec![item(1), item(2), series_item.clone()],
        external: vec![early, late, copy_of_internal],
        ..RoomSyncCommit::default()
    };
    let outcome = store.commit_room_sync(commit).await.unwrap();

    let ExternalUpsert::Created(created) = &outcome.external[0] else {
        panic!("expected Created, but found {:?}", outcome.external[0]);
    };
    let ExternalUpsert::Updated(updated) = &outcome.external[1] else {
        panic!("expected Updated, but found {:?}", outcome.external[1]);
    };
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.start, hm(13, 0));
    assert_eq!(updated.version, 2);
    let ExternalUpsert::Internal(matched) = &outcome.external[2] else {
        panic!("expected Internal, but found {:?}", outcome.external[2]);
    };
    assert_eq!(matched.id, internal.id);

    let twice = store
        .booking_by_exchange_id(ROOM_A, "uid-twice", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(twice.start, hm(13, 0));
    let history = store.history(twice.id).await.unwrap();
    let actions: Vec<HistoryAction> = history.iter().map(|entry| entry.action).collect();
    assert_eq!(actions, [HistoryAction::Created, HistoryAction::Updated]);
    assert_eq!(
        store.list_bookings(&all_of_room_a()).await.unwrap().len(),
        2
    );

    // An item reported twice is stored once, as last reported.
    let items = store.room_items(ROOM_A).await.unwrap();
    assert_eq!(items, [series_item, item(2)]);
}

async fn internal_lookup_spans_rooms(db: &TestDb) {
    let store = &db.store;
    let elsewhere = store
        .create_booking(request(ROOM_B, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let link = ExchangeLink {
        uid: Some("uid-shared".to_owned()),
        organizer_item_id: Some("organizer-item".to_owned()),
        ..ExchangeLink::default()
    };
    store.set_exchange_link(elsewhere.id, &link).await.unwrap();
    store
        .upsert_external_booking(external(ROOM_A, "uid-shared", hm(9, 0), hm(10, 0)))
        .await
        .unwrap();
    store
        .upsert_external_booking(external(ROOM_A, "uid-other", hm(11, 0), hm(12, 0)))
        .await
        .unwrap();

    // More UIDs than one lookup statement takes.
    let mut uids: Vec<String> = (0..600)
        .map(|index| format!("uid-missing-{index}"))
        .collect();
    uids.insert(550, "uid-shared".to_owned());
    uids.push("uid-other".to_owned());
    let found = store.internal_bookings_by_uids(&uids).await.unwrap();
    let ids: Vec<_> = found.iter().map(|booking| booking.id).collect();
    assert_eq!(ids, [elsewhere.id]);
    assert_eq!(found[0].room, ROOM_B);

    assert!(
        store
            .internal_bookings_by_uids(&[])
            .await
            .unwrap()
            .is_empty()
    );
}

fn room(address: &str, name: &str) -> Room {
    Room {
        address: address.to_owned(),
        display_name: name.to_owned(),
        capacity: None,
        location: None,
        response_mode: ResponseMode::AutoAccept,
    }
}

async fn rooms_saved_together(db: &TestDb) {
    let store = &db.store;
    let before = store.rooms_version().await.unwrap();
    let mut rooms: Vec<Room> = (0..120)
        .map(|index| room(&format!("Room-{index:03}@example.com"), "Room"))
        .collect();
    rooms.push(room(ROOM_A, "Room A, renamed"));
    let saved = store.upsert_rooms(rooms).await.unwrap();
    assert_eq!(saved[0].address, "room-000@example.com");

    let listed = store.list_rooms().await.unwrap();
    assert_eq!(listed.len(), 122);
    let renamed = store.room(ROOM_A).await.unwrap().unwrap();
    assert_eq!(renamed.display_name, "Room A, renamed");
    let after = store.rooms_version().await.unwrap();
    assert_ne!(after, before);
    assert_eq!(store.rooms_version().await.unwrap(), after);

    // One invalid room saves none of them.
    let error = store
        .upsert_rooms(vec![
            room("room-new@example.com", "New"),
            room("not-an-address", " "),
        ])
        .await
        .unwrap_err();
    let StoreError::Invalid(errors) = error else {
        panic!("expected Invalid, but found {error:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
    assert_eq!(fields, ["rooms[1].address", "rooms[1].display_name"]);
    assert!(store.room("room-new@example.com").await.unwrap().is_none());
    assert_eq!(store.rooms_version().await.unwrap(), after);
}
