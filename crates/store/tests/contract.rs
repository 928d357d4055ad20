//! Contract tests of the store. Every case runs twice: on a fresh SQLite
//! file and on a fresh PostgreSQL database (skipped, with a printed reason,
//! when `ROOMBRIDGE_TEST_POSTGRES_URL` is unset).

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use roombridge_domain::{
    Actor, BookingPatch, BookingStatus, ExchangeChange, ExternalBooking, HistoryAction, Origin,
    OutboxKind, OutboxState, Side,
};
use roombridge_store::{BookingFilter, ExternalUpsert, StoreError, TOKEN_ID_CHARS, TOKEN_PREFIX};
use support::*;

/// Expands each case name into one test per database.
macro_rules! contract_tests {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let db = super::support::sqlite().await;
                    super::$case(&db).await;
                }
            )*
        }

        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
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

contract_tests!(
    create_and_read_booking,
    back_to_back_bookings_allowed,
    overlap_returns_conflicting_bookings,
    external_booking_blocks_slot,
    released_bookings_do_not_block,
    concurrent_creates_one_wins,
    concurrent_updates_one_wins,
    stale_version_rejected,
    invalid_request_lists_every_field,
    unknown_room_rejected,
    soft_delete_keeps_booking,
    external_booking_read_only,
    history_and_outbox_follow_changes,
    failed_outbox_write_rolls_back,
    move_to_other_room,
    token_stored_as_hash,
    token_expiry_list_and_revoke,
    outbox_claim_lifecycle,
    outbox_keeps_booking_order,
    concurrent_claims_disjoint,
    external_upsert_matches_by_uid,
    busy_intervals_include_external,
    list_bookings_filters,
    migrate_twice_is_noop,
    exchange_change_recorded,
    declined_booking_requested_again,
    concurrent_instances_one_wins,
    concurrent_move_and_create,
);

async fn create_and_read_booking(db: &TestDb) {
    let created = db
        .store
        .create_booking(request("Room.A@Example.com", hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    assert_eq!(created.room, ROOM_A);
    assert_eq!(created.version, 1);
    assert_eq!(created.origin, Origin::Internal);
    assert_eq!(created.status, BookingStatus::Confirmed);

    let read = db.store.booking(created.id).await.unwrap().unwrap();
    assert_eq!(read, created);
}

async fn back_to_back_bookings_allowed(db: &TestDb) {
    let store = &db.store;
    store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    store
        .create_booking(request(ROOM_A, hm(10, 0), hm(11, 0)), &alice())
        .await
        .unwrap();
    store
        .create_booking(request(ROOM_A, hm(8, 0), hm(9, 0)), &alice())
        .await
        .unwrap();

    let bookings = store
        .bookings_in_room(ROOM_A, hm(0, 0), hm(23, 0))
        .await
        .unwrap();
    assert_eq!(bookings.len(), 3);
}

async fn overlap_returns_conflicting_bookings(db: &TestDb) {
    let store = &db.store;
    let first = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let second = store
        .create_booking(request(ROOM_A, hm(10, 30), hm(11, 0)), &alice())
        .await
        .unwrap();

    for (start, end) in [(hm(9, 59), hm(10, 31)), (hm(8, 0), hm(12, 0))] {
        let error = store
            .create_booking(request(ROOM_A, start, end), &alice())
            .await
            .unwrap_err();
        let StoreError::Conflict(taken) = error else {
            panic!("expected a conflict for {start}..{end}, got {error:?}");
        };
        let ids: Vec<_> = taken.iter().map(|booking| booking.id).collect();
        assert_eq!(ids, [first.id, second.id]);
    }

    let inside = store
        .create_booking(request(ROOM_A, hm(9, 15), hm(9, 45)), &alice())
        .await;
    assert!(matches!(inside, Err(StoreError::Conflict(ref taken)) if taken.len() == 1));

    let other_room = store
        .create_booking(request(ROOM_B, hm(9, 0), hm(10, 0)), &alice())
        .await;
    assert!(other_room.is_ok());
}

async fn external_booking_blocks_slot(db: &TestDb) {
    let store = &db.store;
    let ExternalUpsert::Created(outlook) = store
        .upsert_external_booking(external(ROOM_A, "uid-1", hm(13, 0), hm(14, 0)))
        .await
        .unwrap()
    else {
        panic!("expected a new external booking");
    };

    let error = store
        .create_booking(request(ROOM_A, hm(13, 30), hm(14, 30)), &alice())
        .await
        .unwrap_err();
    let StoreError::Conflict(taken) = error else {
        panic!("expected a conflict, got {error:?}");
    };
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].id, outlook.id);
    assert_eq!(taken[0].origin, Origin::External);
}

async fn released_bookings_do_not_block(db: &TestDb) {
    let store = &db.store;

    let deleted = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    store
        .delete_booking(deleted.id, Some(1), &alice())
        .await
        .unwrap();

    let mut cancelled = external(ROOM_A, "uid-cancelled", hm(11, 0), hm(12, 0));
    cancelled.status = BookingStatus::Cancelled;
    store.upsert_external_booking(cancelled).await.unwrap();

    let mut declined = external(ROOM_A, "uid-declined", hm(13, 0), hm(14, 0));
    declined.status = BookingStatus::Declined;
    store.upsert_external_booking(declined).await.unwrap();

    let mut tentative = external(ROOM_A, "uid-tentative", hm(15, 0), hm(16, 0));
    tentative.status = BookingStatus::Tentative;
    store.upsert_external_booking(tentative).await.unwrap();

    for (start, end) in [
        (hm(9, 0), hm(10, 0)),
        (hm(11, 0), hm(12, 0)),
        (hm(13, 0), hm(14, 0)),
    ] {
        let result = store
            .create_booking(request(ROOM_A, start, end), &alice())
            .await;
        assert!(result.is_ok(), "{start}..{end}: {result:?}");
    }
    let blocked = store
        .create_booking(request(ROOM_A, hm(15, 0), hm(16, 0)), &alice())
        .await;
    assert!(
        matches!(blocked, Err(StoreError::Conflict(_))),
        "{blocked:?}"
    );
}

async fn concurrent_creates_one_wins(db: &TestDb) {
    const TASKS: usize = 24;
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let store = db.store.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
                .await
        }));
    }

    let mut won = 0;
    let mut conflicts = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict(taken)) => {
                assert_eq!(taken.len(), 1);
                conflicts += 1;
            }
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(conflicts, TASKS - 1);
    let stored = db
        .store
        .bookings_in_room(ROOM_A, hm(0, 0), hm(23, 0))
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
}

async fn concurrent_updates_one_wins(db: &TestDb) {
    const TASKS: usize = 12;
    let booking = db
        .store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for index in 0..TASKS {
        let store = db.store.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let patch = BookingPatch {
                subject: Some(format!("Subject {index}")),
                ..BookingPatch::default()
            };
            barrier.wait().await;
            store.update_booking(booking.id, 1, &patch, &alice()).await
        }));
    }

    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(updated) => {
                assert_eq!(updated.version, 2);
                won += 1;
            }
            Err(StoreError::StaleVersion { current }) => assert_eq!(current, 2),
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!(won, 1);
}

async fn stale_version_rejected(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let patch = BookingPatch {
        subject: Some("Retro".to_owned()),
        ..BookingPatch::default()
    };
    let updated = store
        .update_booking(booking.id, 1, &patch, &alice())
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.subject, "Retro");

    let stale = store
        .update_booking(booking.id, 1, &patch, &alice())
        .await
        .unwrap_err();
    assert!(
        matches!(stale, StoreError::StaleVersion { current: 2 }),
        "{stale:?}"
    );

    let stale_delete = store
        .delete_booking(booking.id, Some(1), &alice())
        .await
        .unwrap_err();
    assert!(
        matches!(stale_delete, StoreError::StaleVersion { current: 2 }),
        "{stale_delete:?}"
    );

    let unchanged = store.booking(booking.id).await.unwrap().unwrap();
    assert_eq!(unchanged.version, 2);
    assert!(unchanged.deleted_at.is_none());
}

async fn invalid_request_lists_every_field(db: &TestDb) {
    let mut bad = request(ROOM_A, hm(10, 0), hm(9, 0));
    bad.subject = "s".repeat(300);
    bad.time_zone = "Nowhere/Special".to_owned();
    let error = db.store.create_booking(bad, &alice()).await.unwrap_err();
    let StoreError::Invalid(errors) = error else {
        panic!("expected invalid fields, got {error:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
    assert_eq!(fields, ["subject", "time_zone", "end"]);

    let count = db.count("SELECT COUNT(*) FROM bookings").await;
    assert_eq!(count, 0);
}

async fn unknown_room_rejected(db: &TestDb) {
    let error = db
        .store
        .create_booking(request("attic@example.com", hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap_err();
    let StoreError::Invalid(errors) = error else {
        panic!("expected invalid fields, got {error:?}");
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "room");
    assert!(
        errors[0].message.contains("`attic@example.com`"),
        "{}",
        errors[0].message
    );

    // Listed beside the other invalid fields, on create and on update.
    let mut both = request("Attic@Example.com", hm(10, 0), hm(9, 0));
    both.subject = "x".repeat(300);
    let error = db.store.create_booking(both, &alice()).await.unwrap_err();
    let StoreError::Invalid(errors) = error else {
        panic!("expected invalid fields, got {error:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
    assert_eq!(fields[0], "room", "{errors:?}");
    assert!(fields.contains(&"subject"), "{errors:?}");
    assert!(fields.contains(&"end"), "{errors:?}");

    let booking = db
        .store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let patch = BookingPatch {
        room: Some("attic@example.com".to_owned()),
        subject: Some("x".repeat(300)),
        ..BookingPatch::default()
    };
    let error = db
        .store
        .update_booking(booking.id, 1, &patch, &alice())
        .await
        .unwrap_err();
    let StoreError::Invalid(errors) = error else {
        panic!("expected invalid fields, got {error:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
    assert_eq!(fields, ["room", "subject"], "{errors:?}");
}

async fn soft_delete_keeps_booking(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let deleted = store
        .delete_booking(booking.id, Some(1), &alice())
        .await
        .unwrap();
    assert!(deleted.deleted_at.is_some());
    assert_eq!(deleted.version, 2);

    let read = store.booking(booking.id).await.unwrap().unwrap();
    assert_eq!(read, deleted);

    let in_room = store
        .bookings_in_room(ROOM_A, hm(0, 0), hm(23, 0))
        .await
        .unwrap();
    assert!(in_room.is_empty());

    let filter = BookingFilter {
        include_deleted: true,
        ..BookingFilter::default()
    };
    let listed = store.list_bookings(&filter).await.unwrap();
    assert_eq!(listed.len(), 1);

    let again = store
        .delete_booking(booking.id, None, &alice())
        .await
        .unwrap();
    assert_eq!(again, deleted);

    let patch = BookingPatch {
        subject: Some("Back".to_owned()),
        ..BookingPatch::default()
    };
    let error = store
        .update_booking(booking.id, 2, &patch, &alice())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Deleted { id } if id == booking.id),
        "{error:?}"
    );

    let missing = store
        .delete_booking(uuid::Uuid::now_v7(), None, &alice())
        .await
        .unwrap_err();
    assert!(
        matches!(
            missing,
            StoreError::NotFound {
                what: "booking",
                ..
            }
        ),
        "{missing:?}"
    );
}

async fn external_booking_read_only(db: &TestDb) {
    let store = &db.store;
    let ExternalUpsert::Created(outlook) = store
        .upsert_external_booking(external(ROOM_A, "uid-ro", hm(9, 0), hm(10, 0)))
        .await
        .unwrap()
    else {
        panic!("expected a new external booking");
    };
    let patch = BookingPatch {
        subject: Some("Mine now".to_owned()),
        ..BookingPatch::default()
    };
    let update = store
        .update_booking(outlook.id, 1, &patch, &alice())
        .await
        .unwrap_err();
    assert!(matches!(update, StoreError::External { .. }), "{update:?}");
    let delete = store
        .delete_booking(outlook.id, None, &alice())
        .await
        .unwrap_err();
    assert!(matches!(delete, StoreError::External { .. }), "{delete:?}");
}

async fn history_and_outbox_follow_changes(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let patch = BookingPatch {
        end: Some(hm(10, 30)),
        ..BookingPatch::default()
    };
    store
        .update_booking(booking.id, 1, &patch, &alice())
        .await
        .unwrap();
    store
        .delete_booking(booking.id, Some(2), &alice())
        .await
        .unwrap();

    let history = store.history(booking.id).await.unwrap();
    let actions: Vec<HistoryAction> = history.iter().map(|entry| entry.action).collect();
    assert_eq!(
        actions,
        [
            HistoryAction::Created,
            HistoryAction::Updated,
            HistoryAction::Deleted
        ]
    );
    let versions: Vec<i64> = history.iter().map(|entry| entry.version).collect();
    assert_eq!(versions, [1, 2, 3]);
    assert!(
        history
            .iter()
            .all(|entry| entry.actor == ALICE && entry.side == Side::Internal)
    );

    let update = &history[1];
    assert_eq!(update.changes.len(), 1);
    assert_eq!(update.changes[0].field, "end");
    assert_eq!(
        update.changes[0].from,
        serde_json::json!("2026-03-02T10:00:00Z")
    );
    assert_eq!(
        update.changes[0].to,
        serde_json::json!("2026-03-02T10:30:00Z")
    );

    let outbox = store.outbox_for_booking(booking.id).await.unwrap();
    let kinds: Vec<OutboxKind> = outbox.iter().map(|record| record.kind).collect();
    assert_eq!(
        kinds,
        [OutboxKind::Create, OutboxKind::Update, OutboxKind::Delete]
    );
    let versions: Vec<i64> = outbox.iter().map(|record| record.booking_version).collect();
    assert_eq!(versions, [1, 2, 3]);
    assert!(
        outbox
            .iter()
            .all(|record| record.state == OutboxState::Pending)
    );

    let unknown = store.history(uuid::Uuid::now_v7()).await.unwrap_err();
    assert!(
        matches!(unknown, StoreError::NotFound { .. }),
        "{unknown:?}"
    );
}

async fn failed_outbox_write_rolls_back(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();

    // Make every outbox insert fail, as a full disk or a lost connection
    // would in the middle of the transaction.
    if db.sqlite_dir().is_some() {
        db.execute(
            "CREATE TRIGGER reject_outbox BEFORE INSERT ON outbox \
             BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END",
        )
        .await;
    } else {
        db.execute(
            "ALTER TABLE outbox ADD CONSTRAINT reject_outbox CHECK (booking_version < 0) NOT VALID",
        )
        .await;
    }

    let create = store
        .create_booking(request(ROOM_A, hm(11, 0), hm(12, 0)), &alice())
        .await;
    assert!(matches!(create, Err(StoreError::Database(_))), "{create:?}");
    let patch = BookingPatch {
        subject: Some("Lost?".to_owned()),
        ..BookingPatch::default()
    };
    let update = store.update_booking(booking.id, 1, &patch, &alice()).await;
    assert!(matches!(update, Err(StoreError::Database(_))), "{update:?}");
    let delete = store.delete_booking(booking.id, Some(1), &alice()).await;
    assert!(matches!(delete, Err(StoreError::Database(_))), "{delete:?}");

    assert_eq!(db.count("SELECT COUNT(*) FROM bookings").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM booking_history").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    let unchanged = store.booking(booking.id).await.unwrap().unwrap();
    assert_eq!(unchanged, booking);
}

async fn move_to_other_room(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let occupant = store
        .create_booking(request(ROOM_B, hm(9, 30), hm(10, 0)), &alice())
        .await
        .unwrap();

    let to_b = BookingPatch {
        room: Some(ROOM_B.to_owned()),
        ..BookingPatch::default()
    };
    let error = store
        .update_booking(booking.id, 1, &to_b, &alice())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Conflict(ref taken) if taken[0].id == occupant.id),
        "{error:?}"
    );

    store
        .delete_booking(occupant.id, None, &alice())
        .await
        .unwrap();
    let moved = store
        .update_booking(booking.id, 1, &to_b, &alice())
        .await
        .unwrap();
    assert_eq!(moved.room, ROOM_B);

    let outbox = store.outbox_for_booking(booking.id).await.unwrap();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[1].previous_room.as_deref(), Some(ROOM_A));

    let freed = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await;
    assert!(freed.is_ok(), "{freed:?}");

    let nowhere = BookingPatch {
        room: Some("attic@example.com".to_owned()),
        ..BookingPatch::default()
    };
    let error = store
        .update_booking(booking.id, 2, &nowhere, &alice())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Invalid(ref errors) if errors[0].field == "room"),
        "{error:?}"
    );
}

async fn token_expiry_list_and_revoke(db: &TestDb) {
    let store = &db.store;
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let expiring = store.create_token_until(ALICE, Some(later)).await.unwrap();
    let lasting = store.create_token(ALICE).await.unwrap();
    let bobs = store.create_token(BOB).await.unwrap();
    let past = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1);
    let refused = store.create_token_until(ALICE, Some(past)).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert!(store.authenticate_token(&expiring).await.unwrap().is_some());

    let listed = store.list_tokens(Some("Alice@Example.com")).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|token| token.user_address == ALICE));
    assert!(listed.iter().all(|token| token.id.len() == TOKEN_ID_CHARS));
    assert_eq!(
        listed
            .iter()
            .filter(|token| token.expires_at.is_some())
            .count(),
        1
    );
    let all = store.list_tokens(None).await.unwrap();
    assert_eq!(all.len(), 3);
    let text = format!("{all:?}");
    for token in [&expiring, &lasting, &bobs] {
        assert!(!text.contains(&token[TOKEN_PREFIX.len()..]), "{text}");
    }

    // An expired token authenticates no one but is still listed.
    db.execute("UPDATE api_tokens SET expires_at = 1 WHERE expires_at IS NOT NULL")
        .await;
    assert!(store.authenticate_token(&expiring).await.unwrap().is_none());
    assert_eq!(store.list_tokens(Some(ALICE)).await.unwrap().len(), 2);

    // Revoked by id (upper case accepted) or by the token itself.
    let bob_id = all.iter().find(|token| token.user_address == BOB).unwrap();
    let revoked = store
        .revoke_token(&bob_id.id.to_ascii_uppercase())
        .await
        .unwrap();
    assert_eq!(&revoked, bob_id);
    assert!(store.authenticate_token(&bobs).await.unwrap().is_none());
    let again = store.revoke_token(&bob_id.id).await;
    assert!(
        matches!(again, Err(StoreError::NotFound { what: "token", .. })),
        "{again:?}"
    );
    let by_token = store.revoke_token(&lasting).await.unwrap();
    assert_eq!(by_token.user_address, ALICE);
    assert!(store.authenticate_token(&lasting).await.unwrap().is_none());
    let malformed = store.revoke_token("abc%").await;
    assert!(
        matches!(malformed, Err(StoreError::Invalid(_))),
        "{malformed:?}"
    );

    store.create_token(ALICE).await.unwrap();
    assert_eq!(
        store.revoke_user_tokens("ALICE@example.com").await.unwrap(),
        2
    );
    assert!(store.list_tokens(None).await.unwrap().is_empty());
}

async fn token_stored_as_hash(db: &TestDb) {
    let store = &db.store;
    let token = store.create_token("Alice@Example.com").await.unwrap();
    assert!(token.starts_with(TOKEN_PREFIX));

    let user = store.authenticate_token(&token).await.unwrap().unwrap();
    assert_eq!(user.address, ALICE);
    assert!(
        store
            .authenticate_token("rb_wrong")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.authenticate_token("").await.unwrap().is_none());

    let stored = db.texts("SELECT token_hash FROM api_tokens").await;
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert!(!stored[0].contains(&token[TOKEN_PREFIX.len()..]));
    assert_eq!(stored[0].len(), 64);

    let missing = store.create_token("nobody@example.com").await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { what: "user", .. })),
        "{missing:?}"
    );

    // The database files, write-ahead log included, hold no copy either.
    if let Some(dir) = db.sqlite_dir() {
        store.close().await;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&token[TOKEN_PREFIX.len()..]));
        }
    }
}

async fn outbox_claim_lifecycle(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();

    let claimed = store.claim_outbox(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].booking_id, booking.id);
    assert_eq!(claimed[0].state, OutboxState::Claimed);
    assert_eq!(claimed[0].attempts, 1);
    assert!(store.claim_outbox(10).await.unwrap().is_empty());

    let retry_at = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1);
    store
        .fail_outbox(claimed[0].id, "ErrorServerBusy", retry_at)
        .await
        .unwrap();
    let again = store.claim_outbox(10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].last_error.as_deref(), Some("ErrorServerBusy"));

    store.complete_outbox(again[0].id).await.unwrap();
    let done = store.outbox_for_booking(booking.id).await.unwrap();
    assert_eq!(done[0].state, OutboxState::Done);
    let twice = store.complete_outbox(again[0].id).await.unwrap_err();
    assert!(matches!(twice, StoreError::NotFound { .. }), "{twice:?}");

    let later = store
        .create_booking(request(ROOM_B, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let future = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let claimed = store.claim_outbox(10).await.unwrap();
    store
        .fail_outbox(claimed[0].id, "timed out", future)
        .await
        .unwrap();
    assert!(
        store.claim_outbox(10).await.unwrap().is_empty(),
        "a record retried later was claimed"
    );

    let records = store.outbox_for_booking(later.id).await.unwrap();
    assert_eq!(records[0].state, OutboxState::Pending);
    db.execute("UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'")
        .await;
    let claimed = store.claim_outbox(10).await.unwrap();
    store
        .park_outbox(claimed[0].id, "ErrorImpersonateUserDenied")
        .await
        .unwrap();
    let parked = store.outbox_for_booking(later.id).await.unwrap();
    assert_eq!(parked[0].state, OutboxState::Parked);
    assert_eq!(
        parked[0].last_error.as_deref(),
        Some("ErrorImpersonateUserDenied")
    );
    assert!(store.claim_outbox(10).await.unwrap().is_empty());
}

async fn outbox_keeps_booking_order(db: &TestDb) {
    let store = &db.store;
    let first = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let patch = BookingPatch {
        subject: Some("Moved".to_owned()),
        ..BookingPatch::default()
    };
    store
        .update_booking(first.id, 1, &patch, &alice())
        .await
        .unwrap();
    let second = store
        .create_booking(request(ROOM_B, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();

    let claimed = store.claim_outbox(10).await.unwrap();
    let claimed: Vec<(uuid::Uuid, OutboxKind)> = claimed
        .iter()
        .map(|record| (record.booking_id, record.kind))
        .collect();
    assert_eq!(
        claimed,
        [
            (first.id, OutboxKind::Create),
            (second.id, OutboxKind::Create)
        ]
    );

    let create = store.outbox_for_booking(first.id).await.unwrap()[0].id;
    store.complete_outbox(create).await.unwrap();
    let next = store.claim_outbox(10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].booking_id, first.id);
    assert_eq!(next[0].kind, OutboxKind::Update);
}

async fn concurrent_claims_disjoint(db: &TestDb) {
    const BOOKINGS: u8 = 40;
    const CLAIMERS: usize = 6;
    for index in 0..BOOKINGS {
        let start = hm(index / 4, (index % 4) * 15);
        let end = start + jiff::SignedDuration::from_mins(15);
        db.store
            .create_booking(request(ROOM_A, start, end), &alice())
            .await
            .unwrap();
    }

    // Half of the claimers use a second store on the same database, as a
    // second instance of the service would.
    let second = db.open_second_store().await;
    let barrier = Arc::new(tokio::sync::Barrier::new(CLAIMERS));
    let mut tasks = Vec::new();
    for index in 0..CLAIMERS {
        let store = if index % 2 == 0 {
            db.store.clone()
        } else {
            second.clone()
        };
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut ids = Vec::new();
            loop {
                let batch = store.claim_outbox(3).await.unwrap();
                if batch.is_empty() {
                    return ids;
                }
                ids.extend(batch.iter().map(|record| record.id));
            }
        }));
    }

    let mut seen = HashSet::new();
    for task in tasks {
        for id in task.await.unwrap() {
            assert!(seen.insert(id), "outbox record {id} was claimed twice");
        }
    }
    assert_eq!(seen.len(), usize::from(BOOKINGS));
}

async fn external_upsert_matches_by_uid(db: &TestDb) {
    let store = &db.store;
    let item = external(ROOM_A, "uid-7", hm(9, 0), hm(10, 0));
    let ExternalUpsert::Created(created) =
        store.upsert_external_booking(item.clone()).await.unwrap()
    else {
        panic!("expected a new external booking");
    };
    assert_eq!(created.origin, Origin::External);

    let same = store.upsert_external_booking(item.clone()).await.unwrap();
    assert!(
        matches!(same, ExternalUpsert::Unchanged(ref booking) if booking.version == 1),
        "{same:?}"
    );

    let moved = ExternalBooking {
        start: hm(11, 0),
        end: hm(12, 0),
        ..item.clone()
    };
    let ExternalUpsert::Updated(updated) = store.upsert_external_booking(moved).await.unwrap()
    else {
        panic!("expected an update");
    };
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.version, 2);
    assert_eq!(updated.start, hm(11, 0));

    let history = store.history(created.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|entry| entry.side == Side::Exchange));
    assert!(
        store
            .outbox_for_booking(created.id)
            .await
            .unwrap()
            .is_empty()
    );

    let mut occurrence = item.clone();
    occurrence.exchange.recurrence_id = Some(hm(9, 0));
    let other = store.upsert_external_booking(occurrence).await.unwrap();
    assert!(matches!(other, ExternalUpsert::Created(_)), "{other:?}");

    let mut second_room = item.clone();
    second_room.room = ROOM_B.to_owned();
    let other = store.upsert_external_booking(second_room).await.unwrap();
    assert!(matches!(other, ExternalUpsert::Created(_)), "{other:?}");

    let internal = store
        .create_booking(request(ROOM_B, hm(15, 0), hm(16, 0)), &alice())
        .await
        .unwrap();
    let link = roombridge_domain::ExchangeLink {
        uid: Some("uid-pushed".to_owned()),
        organizer_item_id: Some("organizer-item".to_owned()),
        ..Default::default()
    };
    store.set_exchange_link(internal.id, &link).await.unwrap();
    let read_back = external(ROOM_B, "uid-pushed", hm(15, 0), hm(16, 0));
    let matched = store.upsert_external_booking(read_back).await.unwrap();
    assert!(
        matches!(matched, ExternalUpsert::Internal(ref booking) if booking.id == internal.id),
        "{matched:?}"
    );
    let found = store
        .booking_by_exchange_id(ROOM_B, "uid-pushed", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, internal.id);
    assert_eq!(found.version, 1);

    let mut no_uid = item;
    no_uid.exchange.uid = None;
    let error = store.upsert_external_booking(no_uid).await.unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
}

async fn busy_intervals_include_external(db: &TestDb) {
    let store = &db.store;
    let internal = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    store
        .upsert_external_booking(external(ROOM_A, "uid-busy", hm(9, 30), hm(11, 0)))
        .await
        .unwrap();
    let mut cancelled = external(ROOM_A, "uid-gone", hm(12, 0), hm(13, 0));
    cancelled.status = BookingStatus::Cancelled;
    store.upsert_external_booking(cancelled).await.unwrap();
    store
        .create_booking(request(ROOM_B, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();

    let busy = store
        .busy_intervals(ROOM_A, hm(0, 0), hm(23, 0))
        .await
        .unwrap();
    assert_eq!(busy.len(), 2);
    assert_eq!(busy[0].booking_id, internal.id);
    assert_eq!(busy[1].origin, Origin::External);

    let window = store
        .busy_intervals(ROOM_A, hm(10, 0), hm(10, 30))
        .await
        .unwrap();
    assert_eq!(window.len(), 1);
    assert_eq!(window[0].origin, Origin::External);

    let merged = roombridge_domain::merge_intervals(busy.iter().map(|slot| (slot.start, slot.end)));
    assert_eq!(merged, [(hm(9, 0), hm(11, 0))]);
}

async fn list_bookings_filters(db: &TestDb) {
    let store = &db.store;
    store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let mut bobs = request(ROOM_B, hm(11, 0), hm(12, 0));
    bobs.organizer = BOB.to_owned();
    store.create_booking(bobs, &Actor::user(BOB)).await.unwrap();
    store
        .upsert_external_booking(external(ROOM_A, "uid-list", hm(13, 0), hm(14, 0)))
        .await
        .unwrap();

    let all = store
        .list_bookings(&BookingFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);

    let by_room = BookingFilter {
        room: Some("ROOM.A@example.com".to_owned()),
        ..BookingFilter::default()
    };
    assert_eq!(store.list_bookings(&by_room).await.unwrap().len(), 2);

    let by_organizer = BookingFilter {
        organizer: Some(BOB.to_owned()),
        ..BookingFilter::default()
    };
    let bob_only = store.list_bookings(&by_organizer).await.unwrap();
    assert_eq!(bob_only.len(), 1);
    assert_eq!(bob_only[0].room, ROOM_B);

    let external_only = BookingFilter {
        origin: Some(Origin::External),
        ..BookingFilter::default()
    };
    assert_eq!(store.list_bookings(&external_only).await.unwrap().len(), 1);

    let window = BookingFilter {
        from: Some(hm(10, 0)),
        to: Some(hm(13, 0)),
        ..BookingFilter::default()
    };
    let in_window = store.list_bookings(&window).await.unwrap();
    assert_eq!(in_window.len(), 1);
    assert_eq!(in_window[0].start, hm(11, 0));

    let limited = BookingFilter {
        limit: Some(2),
        ..BookingFilter::default()
    };
    assert_eq!(store.list_bookings(&limited).await.unwrap().len(), 2);
}

async fn migrate_twice_is_noop(db: &TestDb) {
    db.store.migrate().await.unwrap();
    let rooms = db.store.list_rooms().await.unwrap();
    assert_eq!(rooms.len(), 2);
    assert_eq!(rooms[0].address, ROOM_A);
}

async fn exchange_change_recorded(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    // Outlook allows meetings longer than roombridge's own limit.
    let change = ExchangeChange {
        patch: BookingPatch {
            end: Some(hm(9, 0) + jiff::SignedDuration::from_hours(30)),
            ..BookingPatch::default()
        },
        link: Some(roombridge_domain::ExchangeLink {
            uid: Some("uid-outlook".to_owned()),
            ..Default::default()
        }),
        ..ExchangeChange::default()
    };
    let changed = store
        .apply_exchange_change(booking.id, &change)
        .await
        .unwrap();
    assert_eq!(changed.version, 2);
    assert_eq!(changed.exchange.uid.as_deref(), Some("uid-outlook"));

    let declined = ExchangeChange {
        status: Some(BookingStatus::Declined),
        declined_reason: Some("the room is booked".to_owned()),
        ..ExchangeChange::default()
    };
    let changed = store
        .apply_exchange_change(booking.id, &declined)
        .await
        .unwrap();
    assert_eq!(changed.status, BookingStatus::Declined);
    assert_eq!(
        changed.declined_reason.as_deref(),
        Some("the room is booked")
    );
    assert_eq!(store.booking(booking.id).await.unwrap().unwrap(), changed);

    let history = store.history(booking.id).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[1].side, Side::Exchange);
    assert_eq!(history[2].side, Side::Exchange);
    assert_eq!(history[2].changes[0].field, "status");
    let outbox = store.outbox_for_booking(booking.id).await.unwrap();
    assert_eq!(
        outbox.len(),
        1,
        "changes from Exchange must not be pushed back"
    );

    let same = store
        .apply_exchange_change(booking.id, &declined)
        .await
        .unwrap();
    assert_eq!(same.version, 3);
    let missing = store
        .apply_exchange_change(uuid::Uuid::now_v7(), &declined)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { .. }),
        "{missing:?}"
    );
}

async fn declined_booking_requested_again(db: &TestDb) {
    let store = &db.store;
    let booking = store
        .create_booking(request(ROOM_A, hm(9, 0), hm(10, 0)), &alice())
        .await
        .unwrap();
    let declined = ExchangeChange {
        status: Some(BookingStatus::Declined),
        ..ExchangeChange::default()
    };
    store
        .apply_exchange_change(booking.id, &declined)
        .await
        .unwrap();
    let blocker = store
        .create_booking(request(ROOM_A, hm(9, 30), hm(10, 30)), &alice())
        .await
        .unwrap();

    let retitled = BookingPatch {
        subject: Some("Still declined".to_owned()),
        ..BookingPatch::default()
    };
    let unchanged = store
        .update_booking(booking.id, 2, &retitled, &alice())
        .await
        .unwrap();
    assert_eq!(unchanged.status, BookingStatus::Declined);

    let overlapping = BookingPatch {
        start: Some(hm(10, 0)),
        end: Some(hm(11, 0)),
        ..BookingPatch::default()
    };
    let error = store
        .update_booking(booking.id, 3, &overlapping, &alice())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Conflict(ref taken) if taken[0].id == blocker.id),
        "{error:?}"
    );

    let free = BookingPatch {
        start: Some(hm(11, 0)),
        end: Some(hm(12, 0)),
        ..BookingPatch::default()
    };
    let moved = store
        .update_booking(booking.id, 3, &free, &alice())
        .await
        .unwrap();
    assert_eq!(moved.status, BookingStatus::Confirmed);
    assert_eq!(moved.declined_reason, None);
}

async fn concurrent_instances_one_wins(db: &TestDb) {
    const TASKS: usize = 16;
    // Two stores on one database stand for two instances of the service,
    // which share no lock in memory.
    let stores = [db.store.clone(), db.open_second_store().await];
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for index in 0..TASKS {
        let store = stores[index % 2].clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .create_booking(request(ROOM_A, hm(14, 0), hm(15, 0)), &alice())
                .await
        }));
    }

    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!(won, 1);
    let stored = db
        .store
        .bookings_in_room(ROOM_A, hm(0, 0), hm(23, 0))
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
}

async fn concurrent_move_and_create(db: &TestDb) {
    const ROUNDS: u8 = 8;
    for round in 0..ROUNDS {
        let start = hm(round, 0);
        let end = hm(round, 30);
        let mover = db
            .store
            .create_booking(request(ROOM_A, start, end), &alice())
            .await
            .unwrap();

        // One task moves a booking into room B's slot while another books
        // the same slot in room B directly.
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let move_task = {
            let store = db.store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let patch = BookingPatch {
                    room: Some(ROOM_B.to_owned()),
                    ..BookingPatch::default()
                };
                barrier.wait().await;
                store.update_booking(mover.id, 1, &patch, &alice()).await
            })
        };
        let create_task = {
            let store = db.store.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .create_booking(request(ROOM_B, start, end), &alice())
                    .await
            })
        };

        let moved = move_task.await.unwrap();
        let created = create_task.await.unwrap();
        assert!(
            moved.is_ok() != created.is_ok(),
            "round {round}: exactly one must win, got {moved:?} and {created:?}"
        );
        let loser = if moved.is_ok() { created } else { moved };
        assert!(
            matches!(loser, Err(StoreError::Conflict(_))),
            "round {round}: {loser:?}"
        );
        let in_b = db.store.bookings_in_room(ROOM_B, start, end).await.unwrap();
        assert_eq!(in_b.len(), 1, "round {round}");
    }
}
