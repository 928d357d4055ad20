//! Properties of the pure merge of two-sided edits.

use jiff::Timestamp;
use proptest::prelude::*;
use roombridge_domain::{Attendee, AttendeeRole, Booking, BookingStatus, ExchangeLink, Origin};
use roombridge_sync::ConflictPolicy;
use roombridge_sync::backend::{MeetingKind, RemoteId, RemoteMeeting, Response};
use roombridge_sync::decide::{InternalDecision, Snapshot, Winner, decide_internal, merge};

const FIELDS: [&str; 6] = ["room", "subject", "body", "start", "end", "attendees"];

fn snapshot_from(values: [u8; 6]) -> Snapshot {
    let instant =
        |minutes: u8| Timestamp::from_second(1_900_000_000 + i64::from(minutes) * 60).unwrap();
    Snapshot {
        room: format!("room-{}@example.com", values[0]),
        subject: format!("subject {}", values[1]),
        body: format!("body {}", values[2]),
        start: instant(values[3]),
        end: instant(values[4])
            .checked_add(jiff::SignedDuration::from_hours(5))
            .unwrap(),
        attendees: vec![Attendee {
            address: format!("person-{}@example.com", values[5]),
            name: None,
            role: AttendeeRole::Required,
        }],
    }
}

fn booking_from(snapshot: &Snapshot) -> Booking {
    Booking {
        id: uuid::Uuid::nil(),
        room: snapshot.room.clone(),
        organizer: "alice@example.com".to_owned(),
        subject: snapshot.subject.clone(),
        body: snapshot.body.clone(),
        start: snapshot.start,
        end: snapshot.end,
        time_zone: "UTC".to_owned(),
        all_day: false,
        attendees: snapshot.attendees.clone(),
        origin: Origin::Internal,
        status: BookingStatus::Confirmed,
        declined_reason: None,
        deleted_at: None,
        version: 1,
        exchange: ExchangeLink::default(),
        created_at: snapshot.start,
        updated_at: snapshot.start,
    }
}

fn values() -> impl Strategy<Value = [u8; 6]> {
    proptest::array::uniform6(0u8..3)
}

fn policies() -> impl Strategy<Value = ConflictPolicy> {
    prop_oneof![
        Just(ConflictPolicy::MergeExchangeWins),
        Just(ConflictPolicy::MergeRoombridgeWins),
        Just(ConflictPolicy::ExchangeWins),
    ]
}

/// Applies a merge's patch to the booking's snapshot.
fn patched(local: &Snapshot, merge: &roombridge_sync::decide::Merge) -> Snapshot {
    let patch = &merge.patch;
    Snapshot {
        room: patch.room.clone().unwrap_or_else(|| local.room.clone()),
        subject: patch
            .subject
            .clone()
            .unwrap_or_else(|| local.subject.clone()),
        body: patch.body.clone().unwrap_or_else(|| local.body.clone()),
        start: patch.start.unwrap_or(local.start),
        end: patch.end.unwrap_or(local.end),
        attendees: patch
            .attendees
            .clone()
            .unwrap_or_else(|| local.attendees.clone()),
    }
}

fn field(snapshot: &Snapshot, name: &str) -> String {
    match name {
        "room" => snapshot.room.clone(),
        "subject" => snapshot.subject.clone(),
        "body" => snapshot.body.clone(),
        "start" => snapshot.start.to_string(),
        "end" => snapshot.end.to_string(),
        _ => format!("{:?}", snapshot.attendees),
    }
}

proptest! {
    #[test]
    fn echo_of_own_push_changes_nothing(base in values(), policy in policies()) {
        let base = snapshot_from(base);
        let booking = booking_from(&base);
        let merge = merge(&booking, Some(&base), &base, policy);
        prop_assert!(merge.is_empty());
        prop_assert!(merge.conflicts.is_empty());
        prop_assert!(!merge.needs_push);
    }

    #[test]
    fn one_sided_edits_are_kept(base in values(), local in values(), remote in values(), policy in policies()) {
        let (base, local, remote) = (snapshot_from(base), snapshot_from(local), snapshot_from(remote));
        let booking = booking_from(&local);
        let result = merge(&booking, Some(&base), &remote, policy);
        let merged = patched(&local, &result);
        let both = FIELDS.iter().any(|name| {
            field(&local, name) != field(&base, name)
                && field(&remote, name) != field(&base, name)
                && field(&local, name) != field(&remote, name)
        });
        for name in FIELDS {
            let (b, l, r, m) = (field(&base, name), field(&local, name), field(&remote, name), field(&merged, name));
            if r != b && l == b {
                prop_assert_eq!(&m, &r, "an Outlook-only edit of {} is taken", name);
            }
            if l != b && r == b && !(both && policy == ConflictPolicy::ExchangeWins) {
                prop_assert_eq!(&m, &l, "a roombridge-only edit of {} is kept", name);
                prop_assert!(result.needs_push);
            }
            if l != b && r != b && l != r {
                let winner = result.conflicts.iter().find(|(f, _)| f == name).map(|(_, w)| *w);
                prop_assert!(winner.is_some(), "conflict on {} is recorded", name);
                let expected = if winner == Some(Winner::Exchange) { &r } else { &l };
                prop_assert_eq!(&m, expected);
                if policy != ConflictPolicy::MergeRoombridgeWins {
                    prop_assert_eq!(winner, Some(Winner::Exchange));
                }
            }
        }
        prop_assert_eq!(result.decision(policy).is_some(), !result.conflicts.is_empty());
    }

    #[test]
    fn merge_without_base_takes_every_exchange_value(local in values(), remote in values()) {
        let (local, remote) = (snapshot_from(local), snapshot_from(remote));
        let booking = booking_from(&local);
        let result = merge(&booking, None, &remote, ConflictPolicy::default());
        prop_assert_eq!(patched(&local, &result), remote);
        prop_assert!(result.conflicts.is_empty());
    }
}

fn room_copy(booking: &Booking, subject: String, change_key: u8, cancelled: bool) -> RemoteMeeting {
    RemoteMeeting {
        id: RemoteId {
            item_id: "room-item".to_owned(),
            change_key: Some(format!("key-{change_key}")),
        },
        uid: "uid-1".to_owned(),
        recurrence_id: None,
        kind: MeetingKind::Single,
        organizer: booking.organizer.clone(),
        subject,
        body: String::new(),
        start: booking.start,
        end: booking.end,
        time_zone: "UTC".to_owned(),
        all_day: false,
        attendees: Vec::new(),
        cancelled,
        free: false,
        response: Response::Accepted,
        booking_id: None,
        last_modified: None,
    }
}

proptest! {
    #[test]
    fn room_copy_subject_never_decides(
        values in values(),
        first in ".{0,20}",
        second in ".{0,20}",
        stored_key in 0u8..3,
        read_key in 0u8..3,
        cancelled in any::<bool>(),
    ) {
        let mut booking = booking_from(&snapshot_from(values));
        booking.exchange.room_item_id = Some("room-item".to_owned());
        booking.exchange.room_change_key = Some(format!("key-{stored_key}"));
        let one = decide_internal(&booking, &room_copy(&booking, first, read_key, cancelled));
        let other = decide_internal(&booking, &room_copy(&booking, second, read_key, cancelled));
        prop_assert_eq!(&one, &other);
        if cancelled {
            prop_assert!(matches!(one, InternalDecision::Cancelled(_)));
        } else if stored_key == read_key {
            prop_assert_eq!(one, InternalDecision::Unchanged);
        } else {
            prop_assert_eq!(one, InternalDecision::ReadOrganizerCopy);
        }
    }
}
