//! Model-based convergence test: random operations on both sides (bookings
//! through the store, meetings through the simulator's admin interface and
//! EWS), interleaved with sync runs under injected faults and restarts of
//! the service. Once the faults stop and the engine settles, both sides
//! must agree and no roombridge change may be lost.
//!
//! The case count follows `PROPTEST_CASES` (8 when unset). A failing case
//! is shrunk and printed with its operations. Its seed is saved in
//! `crates/roombridge/tests/convergence.proptest-regressions`, which later
//! runs replay first. `PROPTEST_RNG_SEED=<n>` fixes the random source of a
//! whole run.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use roombridge_domain::{Actor, Booking, BookingPatch, BookingStatus, NewBooking, Origin};
use roombridge_ews::operations::{
    ConflictResolution, ItemChange, ItemUpdate, SendMeetingInvitationsOrCancellations, UpdateItem,
};
use roombridge_ews::types::{BaseItemId, CalendarItem, ItemId, PropertyPath, paths};
use roombridge_sync::SyncConfig;
use roombridge_sync::backend::{ExchangeBackend, MeetingKind, RemoteMeeting, Response};
use serde_json::json;
use support::world::{AUTO_ROOM, BOARDROOM, ROOMS, World, at, plus};
use uuid::Uuid;

/// A fault the simulator applies to EWS requests during one sync run.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Every request waits a few milliseconds, some more.
    Latency,
    /// A share of requests gets ErrorServerBusy with a back-off.
    Throttling,
    /// One account may have one request in flight; more are throttled.
    Concurrency,
    /// A share of requests fails with HTTP 500.
    Http500,
    /// A share of requests fails with HTTP 503.
    Http503,
    /// A share of requests commits, then loses its response.
    DropAfterCommit,
    /// A share of requests commits, then gets a cut-off response.
    MalformedXml,
    /// A share of FindItem requests (calendar views) loses its response.
    DropFindItem,
}

#[derive(Debug, Clone)]
enum Operation {
    /// Alice books a slot in roombridge.
    Book { room: usize, slot: i8 },
    /// Alice moves her n-th booking.
    Move { booking: usize, slot: i8 },
    /// Alice moves her n-th booking to another room.
    ChangeRoom { booking: usize, room: usize },
    /// Alice renames her n-th booking.
    Rename { booking: usize, name: u8 },
    /// Alice deletes her n-th booking.
    Delete { booking: usize },
    /// Bob books a slot from Outlook, once or daily three times.
    OutlookCreate { room: usize, slot: i8, series: bool },
    /// Bob moves his n-th meeting.
    OutlookMove { meeting: usize, slot: i8 },
    /// Bob cancels his n-th meeting.
    OutlookCancel { meeting: usize },
    /// A room declines the n-th meeting in its calendar.
    OutlookDecline { room: usize, item: usize },
    /// Bob moves the n-th occurrence among his series by `hours`.
    OutlookMoveOccurrence { occurrence: usize, hours: i8 },
    /// The engine pushes and reads once.
    Sync,
    /// The engine pushes and reads once under a fault.
    FaultySync { fault: Fault, percent: u8 },
    /// A manual sync of one room and a push run during a scheduled run.
    OverlappingSync { room: usize },
    /// The service stops and starts again on the same database.
    Restart,
    /// Every sync state issued so far becomes invalid.
    InvalidateSyncStates,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::Latency),
        Just(Fault::Throttling),
        Just(Fault::Concurrency),
        Just(Fault::Http500),
        Just(Fault::Http503),
        Just(Fault::DropAfterCommit),
        Just(Fault::MalformedXml),
        Just(Fault::DropFindItem),
    ]
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        3 => (0..3usize, 8..18i8).prop_map(|(room, slot)| Operation::Book { room, slot }),
        2 => (0..4usize, 8..18i8).prop_map(|(booking, slot)| Operation::Move { booking, slot }),
        1 => (0..4usize, 0..3usize)
            .prop_map(|(booking, room)| Operation::ChangeRoom { booking, room }),
        1 => (0..4usize, any::<u8>()).prop_map(|(booking, name)| Operation::Rename { booking, name }),
        1 => (0..4usize).prop_map(|booking| Operation::Delete { booking }),
        3 => (0..3usize, 8..18i8, any::<bool>())
            .prop_map(|(room, slot, series)| Operation::OutlookCreate { room, slot, series }),
        1 => (0..4usize, 8..18i8).prop_map(|(meeting, slot)| Operation::OutlookMove { meeting, slot }),
        1 => (0..4usize).prop_map(|meeting| Operation::OutlookCancel { meeting }),
        1 => (0..3usize, 0..4usize).prop_map(|(room, item)| Operation::OutlookDecline { room, item }),
        1 => (0..6usize, -3..4i8)
            .prop_map(|(occurrence, hours)| Operation::OutlookMoveOccurrence { occurrence, hours }),
        2 => Just(Operation::Sync),
        3 => (fault(), 10..60u8).prop_map(|(fault, percent)| Operation::FaultySync { fault, percent }),
        1 => (0..3usize).prop_map(|room| Operation::OverlappingSync { room }),
        1 => Just(Operation::Restart),
        1 => Just(Operation::InvalidateSyncStates),
    ]
}

/// Returns the room an operation names by index. With
/// `CONVERGENCE_ROOMS=auto-accept` only the two auto-accept rooms are used,
/// which keeps the accept-as-room path out of a run.
fn room_at(index: usize) -> &'static str {
    let auto_only = std::env::var("CONVERGENCE_ROOMS").is_ok_and(|value| value == "auto-accept");
    if auto_only {
        [AUTO_ROOM, BOARDROOM][index % 2]
    } else {
        ROOMS[index]
    }
}

/// Returns the number of cases: `PROPTEST_CASES`, or 8.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(8)
}

#[test]
fn both_sides_converge_after_faults() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        source_file: Some(file!()),
        ..Config::default()
    });
    let strategy = proptest::collection::vec(operation(), 1..14);
    // Progress for long runs (visible with `--nocapture`); shrinking steps
    // count as runs too.
    let runs = std::sync::atomic::AtomicU64::new(0);
    let result = runner.run(&strategy, |operations| {
        let run = runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if run.is_multiple_of(500) {
            eprintln!("convergence: {run} cases run");
        }
        runtime.block_on(run_case(operations))
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// The model's expected state of one of Alice's bookings.
#[derive(Debug, Clone)]
struct Expected {
    id: Uuid,
    room: String,
    subject: String,
    start: Timestamp,
    end: Timestamp,
    deleted: bool,
}

#[derive(Default)]
struct Model {
    booked: Vec<Expected>,
    outlook: Vec<u64>,
}

fn engine_config() -> SyncConfig {
    SyncConfig {
        retry_base: Duration::ZERO,
        retry_max: Duration::ZERO,
        parked_retry_after: Duration::ZERO,
        park_after_attempts: 1000,
        ..SyncConfig::default()
    }
}

async fn run_case(operations: Vec<Operation>) -> Result<(), TestCaseError> {
    let mut world = World::start(engine_config()).await;
    let mut model = Model::default();
    for operation in &operations {
        apply(&mut world, &mut model, operation).await;
    }
    world.clear_faults().await;
    world
        .engine
        .run_until_quiescent(10)
        .await
        .map_err(|error| TestCaseError::fail(error.to_string()))?;
    check(&world, &model).await
}

async fn apply(world: &mut World, model: &mut Model, operation: &Operation) {
    let alice = Actor::user("alice@example.com");
    match *operation {
        Operation::Book { room, slot } => {
            let start = at(4, slot, 0);
            let request = NewBooking {
                room: room_at(room).to_owned(),
                organizer: "alice@example.com".to_owned(),
                subject: "Planning".to_owned(),
                body: String::new(),
                start,
                end: plus(start, 60),
                time_zone: "UTC".to_owned(),
                all_day: false,
                attendees: Vec::new(),
            };
            if let Ok(booking) = world.store.create_booking(request, &alice).await {
                model.booked.push(Expected {
                    id: booking.id,
                    room: booking.room,
                    subject: booking.subject,
                    start: booking.start,
                    end: booking.end,
                    deleted: false,
                });
            }
        }
        Operation::Move { booking, slot } => {
            let start = at(4, slot, 30);
            let patch = BookingPatch {
                start: Some(start),
                end: Some(plus(start, 30)),
                ..BookingPatch::default()
            };
            edit(world, model, booking, &patch).await;
        }
        Operation::ChangeRoom { booking, room } => {
            let patch = BookingPatch {
                room: Some(room_at(room).to_owned()),
                ..BookingPatch::default()
            };
            edit(world, model, booking, &patch).await;
        }
        Operation::Rename { booking, name } => {
            let patch = BookingPatch {
                subject: Some(format!("Planning {name}")),
                ..BookingPatch::default()
            };
            edit(world, model, booking, &patch).await;
        }
        Operation::Delete { booking } => {
            if let Some(expected) = model.booked.get_mut(booking)
                && world
                    .store
                    .delete_booking(expected.id, None, &alice)
                    .await
                    .is_ok()
            {
                expected.deleted = true;
            }
        }
        Operation::OutlookCreate { room, slot, series } => {
            let start = at(3, slot, 0);
            let mut body = json!({
                "subject": "Outlook",
                "start": start.to_string(),
                "end": plus(start, 60).to_string(),
                "attendees": [room_at(room)],
            });
            if series {
                let date = jiff::tz::TimeZone::UTC.to_datetime(start).date();
                body["recurrence"] = json!({
                    "pattern": { "Daily": { "interval": 1 } },
                    "start_date": date.to_string(),
                    "end": { "Count": 3 }
                });
            }
            let (status, created) = world
                .admin(
                    "POST",
                    "/admin/mailboxes/bob@example.com/meetings",
                    Some(body),
                )
                .await;
            assert!(status < 300, "Outlook meeting created: {created}");
            if let Some(number) = created["number"].as_u64() {
                model.outlook.push(number);
            }
        }
        Operation::OutlookMove { meeting, slot } => {
            if let Some(number) = model.outlook.get(meeting) {
                let start = at(3, slot, 30);
                // A cancelled meeting cannot move, so the admin interface
                // may return a 4xx, which the model accepts.
                world
                    .admin(
                        "POST",
                        &format!("/admin/items/{number}/move"),
                        Some(json!({ "start": start.to_string(), "end": plus(start, 30).to_string() })),
                    )
                    .await;
            }
        }
        Operation::OutlookCancel { meeting } => {
            if let Some(number) = model.outlook.get(meeting) {
                world
                    .admin("POST", &format!("/admin/items/{number}/cancel"), None)
                    .await;
            }
        }
        Operation::OutlookDecline { room, item } => {
            let items = world.items(room_at(room), "calendar").await;
            let live: Vec<_> = items
                .iter()
                .filter(|item| item["calendar"]["is_cancelled"] != true)
                .collect();
            if let Some(number) = live.get(item).and_then(|item| item["number"].as_u64()) {
                world
                    .admin(
                        "POST",
                        &format!("/admin/items/{number}/respond"),
                        Some(json!({ "response": "Decline" })),
                    )
                    .await;
            }
        }
        Operation::OutlookMoveOccurrence { occurrence, hours } => {
            move_occurrence(world, occurrence, hours).await;
        }
        Operation::Sync => {
            let _ = world.engine.sync_all().await;
        }
        Operation::FaultySync { fault, percent } => {
            world.faults(faults(fault, percent)).await;
            let _ = world.engine.sync_all().await;
            world.clear_faults().await;
        }
        Operation::OverlappingSync { room } => {
            let scheduled = world.engine.clone();
            let manual = world.engine.clone();
            let pusher = world.engine.clone();
            let _ = tokio::join!(
                scheduled.sync_all(),
                manual.sync_room(room_at(room)),
                pusher.push_outbox()
            );
        }
        Operation::Restart => world.restart().await,
        Operation::InvalidateSyncStates => {
            world
                .admin("POST", "/admin/sync-states/invalidate", None)
                .await;
        }
    }
}

/// Applies a patch to the n-th booking as Alice; the model follows only
/// when the store accepted it.
async fn edit(world: &World, model: &mut Model, booking: usize, patch: &BookingPatch) {
    let Some(expected) = model.booked.get_mut(booking) else {
        return;
    };
    let Ok(Some(current)) = world.store.booking(expected.id).await else {
        return;
    };
    let alice = Actor::user("alice@example.com");
    if let Ok(updated) = world
        .store
        .update_booking(current.id, current.version, patch, &alice)
        .await
    {
        expected.room = updated.room;
        expected.subject = updated.subject;
        expected.start = updated.start;
        expected.end = updated.end;
    }
}

fn faults(fault: Fault, percent: u8) -> serde_json::Value {
    let chance = f64::from(percent) / 100.0;
    let rule = |kind: &str| json!({ "back_off_ms": 5, "rules": [{ "kind": kind, "probability": chance }] });
    match fault {
        Fault::Latency => json!({ "latency_ms": 2, "random_latency_ms": 10 }),
        Fault::Throttling => rule("server_busy"),
        Fault::Concurrency => json!({ "back_off_ms": 5, "max_concurrent_per_account": 1 }),
        Fault::Http500 => rule("http500"),
        Fault::Http503 => rule("http503"),
        Fault::DropAfterCommit => rule("drop_after_commit"),
        Fault::MalformedXml => rule("malformed_xml"),
        Fault::DropFindItem => json!({ "rules": [{
            "kind": "drop_after_commit", "operation": "FindItem", "probability": chance
        }] }),
    }
}

/// Moves one occurrence of Bob's series through EWS, as Outlook does.
async fn move_occurrence(world: &World, occurrence: usize, hours: i8) {
    let Ok(meetings) = world
        .backend
        .calendar_view("bob@example.com", at(0, 0, 0), at(10, 0, 0))
        .await
    else {
        return;
    };
    let occurrences: Vec<&RemoteMeeting> = meetings
        .iter()
        .filter(|meeting| meeting.kind == MeetingKind::Occurrence && !meeting.cancelled)
        .collect();
    let Some(target) = occurrences.get(occurrence) else {
        return;
    };
    let shift = i64::from(hours) * 60;
    let start = plus(target.start, shift);
    let end = plus(target.end, shift);
    let set =
        |uri: &str, item: CalendarItem| ItemUpdate::set_calendar(PropertyPath::field(uri), item);
    let update = UpdateItem {
        conflict_resolution: ConflictResolution::AlwaysOverwrite,
        message_disposition: None,
        send_meeting_invitations_or_cancellations: Some(
            SendMeetingInvitationsOrCancellations::SendToAllAndSaveCopy,
        ),
        suppress_read_receipts: None,
        saved_item_folder_id: None,
        item_changes: vec![ItemChange {
            item_id: BaseItemId::ItemId(ItemId::new(target.id.item_id.clone())),
            updates: vec![
                set(
                    paths::CALENDAR_START,
                    CalendarItem {
                        start: Some(start),
                        ..CalendarItem::default()
                    },
                ),
                set(
                    paths::CALENDAR_END,
                    CalendarItem {
                        end: Some(end),
                        ..CalendarItem::default()
                    },
                ),
            ],
        }],
    };
    let _ = world.ews.call(Some("bob@example.com"), &update).await;
}

/// The identity and times of one meeting or occurrence.
type Slot = (String, Timestamp, Timestamp);

/// Checks that both sides agree after the engine settled.
async fn check(world: &World, model: &Model) -> Result<(), TestCaseError> {
    let from = at(-1, 0, 0);
    let to = at(12, 0, 0);
    for room in ROOMS {
        let bookings = world.bookings(room).await;

        // No meeting or occurrence is stored twice.
        let mut seen: HashMap<(String, Option<Timestamp>), usize> = HashMap::new();
        for booking in bookings.iter().filter(|b| b.deleted_at.is_none()) {
            if let Some(uid) = &booking.exchange.uid {
                *seen
                    .entry((uid.clone(), booking.exchange.recurrence_id))
                    .or_default() += 1;
            }
        }
        prop_assert!(
            seen.values().all(|count| *count == 1),
            "a meeting is stored twice in {}: {:#?}",
            room,
            bookings
        );

        // The room calendar's busy meetings are the bookings that hold the
        // room, with the same times and the same status.
        let calendar = world
            .backend
            .calendar_view(room, from, to)
            .await
            .map_err(|error| TestCaseError::fail(format!("calendar of {room}: {error}")))?;
        let mut remote: HashMap<Slot, Response> = HashMap::new();
        for meeting in calendar.iter().filter(|meeting| meeting.blocks()) {
            let key = (meeting.uid.clone(), meeting.start, meeting.end);
            prop_assert!(
                remote.insert(key, meeting.response).is_none(),
                "{} shows a meeting twice: {:#?}",
                room,
                calendar
            );
        }
        let mut local: HashMap<Slot, BookingStatus> = HashMap::new();
        for booking in bookings
            .iter()
            .filter(|b| b.deleted_at.is_none() && b.status.blocks())
        {
            let Some(uid) = booking.exchange.uid.clone() else {
                return Err(TestCaseError::fail(format!(
                    "booking {} holds {} but has no meeting: {:#?}",
                    booking.id, room, booking
                )));
            };
            local.insert((uid, booking.start, booking.end), booking.status);
        }
        let mut remote_slots: Vec<&Slot> = remote.keys().collect();
        let mut local_slots: Vec<&Slot> = local.keys().collect();
        remote_slots.sort();
        local_slots.sort();
        prop_assert_eq!(
            &remote_slots,
            &local_slots,
            "{} calendar and bookings differ; bookings: {:#?}",
            room,
            bookings
        );
        for (slot, status) in &local {
            let response = remote[slot];
            let agrees = match status {
                BookingStatus::Confirmed => response == Response::Accepted,
                _ => response != Response::Accepted,
            };
            prop_assert!(
                agrees,
                "{} answered {:?} but the booking is {:?}: {:?}",
                room,
                response,
                status,
                slot
            );
        }

        // No two accepted meetings overlap: the sample rooms refuse conflicts.
        let mut accepted: Vec<&Booking> = bookings
            .iter()
            .filter(|b| b.deleted_at.is_none() && b.status == BookingStatus::Confirmed)
            .collect();
        accepted.sort_by_key(|b| b.start);
        for pair in accepted.windows(2) {
            prop_assert!(
                pair[0].end <= pair[1].start,
                "{} holds two accepted meetings at once: {:#?}",
                room,
                pair
            );
        }
    }

    // No roombridge change is lost: each live booking of Alice has her last
    // accepted edit, in the store and in her meeting in Exchange.
    let organizer = world
        .backend
        .calendar_view("alice@example.com", from, to)
        .await
        .map_err(|error| TestCaseError::fail(format!("Alice's calendar: {error}")))?;
    for expected in &model.booked {
        let stored = world
            .store
            .booking(expected.id)
            .await
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        let meetings: Vec<&RemoteMeeting> = organizer
            .iter()
            .filter(|meeting| meeting.booking_id == Some(expected.id) && !meeting.cancelled)
            .collect();
        if expected.deleted {
            prop_assert!(
                stored.as_ref().is_none_or(|b| b.deleted_at.is_some()),
                "deleted booking {} is back: {:#?}",
                expected.id,
                stored
            );
            prop_assert!(
                meetings.is_empty(),
                "deleted booking {} still has a meeting: {:#?}",
                expected.id,
                meetings
            );
            continue;
        }
        let Some(stored) = stored else {
            return Err(TestCaseError::fail(format!(
                "booking {} is gone: {expected:#?}",
                expected.id
            )));
        };
        prop_assert_eq!(stored.origin, Origin::Internal);
        prop_assert!(
            stored.deleted_at.is_none(),
            "booking {} was deleted by nobody: {:#?}",
            expected.id,
            stored
        );
        prop_assert_eq!(
            (&stored.room, &stored.subject, stored.start, stored.end),
            (
                &expected.room,
                &expected.subject,
                expected.start,
                expected.end
            ),
            "booking {} lost an edit",
            expected.id
        );
        if stored.status == BookingStatus::Cancelled {
            continue;
        }
        prop_assert_eq!(
            meetings.len(),
            1,
            "booking {} has {} meetings: {:#?}",
            expected.id,
            meetings.len(),
            meetings
        );
        let meeting = meetings[0];
        prop_assert_eq!(
            (&meeting.subject, meeting.start, meeting.end),
            (&expected.subject, expected.start, expected.end),
            "the meeting of booking {} differs",
            expected.id
        );
        prop_assert!(
            meeting.response_of(&expected.room).is_some(),
            "the meeting of booking {} does not invite {}: {:#?}",
            expected.id,
            expected.room,
            meeting
        );
    }

    let outbox = world
        .store
        .count_outbox()
        .await
        .map_err(|error| TestCaseError::fail(error.to_string()))?;
    prop_assert!(
        outbox.iter().all(|(state, _)| state == "done"),
        "every record pushed: {:?}",
        outbox
    );
    Ok(())
}

/// Runs one fixed sequence of operations and panics when the sides differ.
fn replay(operations: Vec<Operation>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    if let Err(error) = runtime.block_on(run_case(operations)) {
        panic!("{error}");
    }
}

/// The room's answer in accept-as-room mode is sent again after the
/// request that carried it lost its response. The faults strike at random,
/// so the sequence runs eight times.
#[test]
fn answer_as_room_is_sent_again_after_a_lost_response() {
    for _ in 0..8 {
        replay(vec![
            Operation::Book { room: 2, slot: 10 },
            Operation::FaultySync {
                fault: Fault::DropAfterCommit,
                percent: 52,
            },
            Operation::FaultySync {
                fault: Fault::MalformedXml,
                percent: 34,
            },
            Operation::Sync,
        ]);
    }
}

/// A series whose later occurrence overlaps a booking in an accept-as-room
/// room is declined as a whole: accepting its first occurrence would accept
/// the clash too.
#[test]
fn series_clashing_in_a_later_occurrence_is_not_accepted() {
    replay(vec![
        Operation::Book { room: 0, slot: 12 },
        Operation::ChangeRoom {
            booking: 0,
            room: 2,
        },
        Operation::OutlookCreate {
            room: 2,
            slot: 12,
            series: true,
        },
    ]);
}

/// A room that declines a booking in Outlook while a move of it waits in
/// the outbox ends with the moved meeting answered, not a cancelled
/// booking whose meeting still holds the room.
#[test]
fn room_decline_during_a_pending_move_is_not_a_cancellation() {
    replay(vec![
        Operation::OutlookCreate {
            room: 2,
            slot: 8,
            series: false,
        },
        Operation::Book { room: 2, slot: 8 },
        Operation::Sync,
        Operation::Move {
            booking: 0,
            slot: 8,
        },
        Operation::OutlookDecline { room: 2, item: 1 },
    ]);
}

/// An edit made while the create's response was lost survives the run
/// that recognizes the created meeting. The faults strike at random, so
/// the sequence runs eight times.
#[test]
fn edit_after_a_lost_create_response_is_kept() {
    for _ in 0..8 {
        replay(vec![
            Operation::Book { room: 2, slot: 17 },
            Operation::FaultySync {
                fault: Fault::DropAfterCommit,
                percent: 45,
            },
            Operation::Rename {
                booking: 0,
                name: 65,
            },
            Operation::InvalidateSyncStates,
            Operation::Sync,
            Operation::Sync,
        ]);
    }
}

/// A request that an accept-as-room room received while requests were
/// cut off and throttled gets a response once the faults stop, also when
/// the room run that responded to another request read the room again. The faults
/// strike at random, so the sequence runs a hundred times.
#[test]
fn manual_room_request_answered_after_faults() {
    for _ in 0..100 {
        replay(vec![
            Operation::Sync,
            Operation::FaultySync {
                fault: Fault::Throttling,
                percent: 33,
            },
            Operation::OutlookCreate {
                room: 0,
                slot: 17,
                series: true,
            },
            Operation::OutlookMove {
                meeting: 1,
                slot: 10,
            },
            Operation::Delete { booking: 1 },
            Operation::Book { room: 0, slot: 9 },
            Operation::Book { room: 2, slot: 8 },
            Operation::Book { room: 2, slot: 15 },
            Operation::FaultySync {
                fault: Fault::MalformedXml,
                percent: 53,
            },
            Operation::FaultySync {
                fault: Fault::Throttling,
                percent: 54,
            },
            Operation::Book { room: 2, slot: 11 },
            Operation::OutlookCancel { meeting: 1 },
            Operation::Rename {
                booking: 3,
                name: 137,
            },
        ]);
    }
}

/// An Outlook meeting that the room declined and the organizer then moved
/// is booked again: the room's new copy is not cancelled by the removal of
/// the old one read in the same run.
#[test]
fn outlook_meeting_moved_after_a_decline_is_booked_again() {
    replay(vec![
        Operation::OutlookCreate {
            room: 0,
            slot: 8,
            series: false,
        },
        Operation::Sync,
        Operation::OutlookDecline { room: 0, item: 0 },
        Operation::OutlookMove {
            meeting: 0,
            slot: 8,
        },
    ]);
}

/// A series that the room declined and whose occurrence the organizer then
/// edited is booked again once the room accepts the update: the room's new
/// copy of the series is not cancelled by the removal of the old one read
/// in the same run.
#[test]
fn series_updated_after_a_decline_is_booked_again() {
    replay(vec![
        Operation::OutlookCreate {
            room: 0,
            slot: 8,
            series: true,
        },
        Operation::OverlappingSync { room: 0 },
        Operation::OutlookDecline { room: 0, item: 0 },
        Operation::OutlookMoveOccurrence {
            occurrence: 0,
            hours: 0,
        },
    ]);
}

/// A booking moved into a room that an Outlook series took in the
/// meantime ends declined: the room's decline is read from the organizer's
/// copy although the booking still links the old room's copy.
#[test]
fn booking_moved_into_a_taken_room_is_declined() {
    replay(vec![
        Operation::Book { room: 1, slot: 12 },
        Operation::Sync,
        Operation::ChangeRoom {
            booking: 0,
            room: 0,
        },
        Operation::OutlookCreate {
            room: 0,
            slot: 12,
            series: true,
        },
    ]);
}

/// An occurrence that the organizer moves onto another accepted meeting in
/// an accept-as-room room gets a new response, a decline, instead of
/// staying accepted beside that meeting.
#[test]
fn occurrence_moved_into_a_clash_is_declined() {
    replay(vec![
        Operation::OutlookCreate {
            room: 0,
            slot: 8,
            series: false,
        },
        Operation::OutlookCreate {
            room: 2,
            slot: 11,
            series: true,
        },
        Operation::OutlookCreate {
            room: 2,
            slot: 8,
            series: false,
        },
        Operation::Sync,
        Operation::OutlookCancel { meeting: 0 },
        Operation::OutlookMoveOccurrence {
            occurrence: 0,
            hours: -3,
        },
    ]);
}

/// A booking the room declined and Alice then renamed is confirmed again
/// once the room accepts the update the rename sent it, in an auto-accept
/// room and in an accept-as-room room.
#[test]
fn declined_booking_renamed_is_booked_again() {
    for room in [1, 2] {
        replay(vec![
            Operation::Book { room, slot: 14 },
            Operation::Sync,
            Operation::OutlookDecline { room, item: 0 },
            Operation::Sync,
            Operation::Rename {
                booking: 0,
                name: 58,
            },
        ]);
    }
}

/// A booking that the room declined when it was created, and whose room
/// copy roombridge therefore never saw, is confirmed again once a rename
/// sent after the slot became free is accepted by the room.
#[test]
fn booking_declined_at_create_renamed_is_booked_again() {
    replay(vec![
        Operation::OutlookCreate {
            room: 1,
            slot: 15,
            series: true,
        },
        Operation::Book { room: 1, slot: 15 },
        Operation::Sync,
        Operation::OutlookCancel { meeting: 0 },
        Operation::Sync,
        Operation::Rename {
            booking: 0,
            name: 62,
        },
    ]);
}

/// A booking moved out of an accept-as-room room and back again gets a new
/// response from that room, because the room's copy that the first move
/// cancelled waits for one.
#[test]
fn booking_moved_back_into_a_room_is_answered() {
    replay(vec![
        Operation::Book { room: 2, slot: 8 },
        Operation::Sync,
        Operation::ChangeRoom {
            booking: 0,
            room: 0,
        },
        Operation::Sync,
        Operation::ChangeRoom {
            booking: 0,
            room: 2,
        },
    ]);
}
