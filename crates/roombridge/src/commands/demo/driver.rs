//! The demo's hands and eyes: REST API calls as a roombridge user, admin
//! calls as an Outlook user, mailbox inspection in the simulator, and sync
//! runs.

use hyper::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::environment::Environment;
use super::http::{Call, Reply};

/// Maximum number of syncs one step triggers while it waits for a sync
/// that changes nothing.
const MAX_SYNC_ROUNDS: u32 = 6;

/// The user whose token triggers syncs; any user may.
const SYNC_USER: &str = "alice@example.com";

/// Counts of the changes one sync made, summed over its rounds.
#[derive(Debug, Default)]
pub(super) struct SyncSummary {
    /// Outbox records pushed to Exchange.
    pub(super) pushed: u32,
    /// Bookings stored for the first time.
    pub(super) created: u32,
    /// Bookings changed.
    pub(super) updated: u32,
    /// Bookings marked cancelled.
    pub(super) cancelled: u32,
    /// Bookings declined by their room.
    pub(super) declined: u32,
    /// Rooms read.
    pub(super) rooms: usize,
}

/// Drives both sides of the demo.
#[derive(Debug)]
pub(super) struct Driver<'a> {
    /// The running system.
    pub(super) env: &'a Environment,
}

impl Driver<'_> {
    /// Sends a REST API request as `user`.
    pub(super) async fn api(
        &self,
        user: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> Result<Reply, String> {
        let mut call = Call::new(method, path);
        call.token = Some(self.env.token(user));
        call.if_match = if_match;
        call.body = body;
        call.send(self.env.api).await
    }

    /// Reads a booking through the API as `user`.
    pub(super) async fn booking(&self, user: &str, id: &str) -> Result<Value, String> {
        let path = format!("/api/v1/bookings/{id}");
        let reply = self.api(user, Method::GET, &path, None, None).await?;
        expect_status(&reply, StatusCode::OK, &format!("GET {path}"))?;
        Ok(reply.body)
    }

    /// Lists a room's bookings overlapping `from`..`to` through the API.
    pub(super) async fn room_bookings(
        &self,
        user: &str,
        room: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Value>, String> {
        let path = format!("/api/v1/rooms/{room}/bookings?from={from}&to={to}");
        let reply = self.api(user, Method::GET, &path, None, None).await?;
        expect_status(&reply, StatusCode::OK, &format!("GET {path}"))?;
        match reply.body {
            Value::Array(bookings) => Ok(bookings),
            other => Err(format!("GET {path} returned no list: {other}")),
        }
    }

    /// Sends a request to the simulator's admin interface and expects a
    /// success status.
    pub(super) async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut call = Call::new(method.clone(), path);
        call.body = body;
        let reply = call.send(self.env.simulator.local_addr()).await?;
        if !reply.status.is_success() {
            return Err(format!(
                "the simulator returned {} for {method} {path}: {}",
                reply.status, reply.body
            ));
        }
        Ok(reply.body)
    }

    /// Books a meeting as `organizer` would in Outlook; returns the
    /// organizer's item.
    pub(super) async fn outlook_meeting(
        &self,
        organizer: &str,
        subject: &str,
        (start, end): (Timestamp, Timestamp),
        room: &str,
    ) -> Result<Value, String> {
        let body = json!({
            "subject": subject,
            "start": start.to_string(),
            "end": end.to_string(),
            "time_zone": "UTC",
            "attendees": [room],
        });
        let path = format!("/admin/mailboxes/{organizer}/meetings");
        self.admin(Method::POST, &path, Some(body)).await
    }

    /// Lists the items of one folder of a mailbox in the simulator.
    pub(super) async fn items(&self, mailbox: &str, folder: &str) -> Result<Vec<Value>, String> {
        let path = format!("/admin/mailboxes/{mailbox}/items?folder={folder}");
        match self.admin(Method::GET, &path, None).await? {
            Value::Array(items) => Ok(items),
            other => Err(format!("GET {path} returned no list: {other}")),
        }
    }

    /// Returns the calendar items of `mailbox` with the iCalendar UID `uid`.
    pub(super) async fn calendar_copies(
        &self,
        mailbox: &str,
        uid: &str,
    ) -> Result<Vec<Value>, String> {
        let items = self.items(mailbox, "calendar").await?;
        Ok(items
            .into_iter()
            .filter(|item| item["kind"] == "CalendarItem" && item["calendar"]["uid"] == uid)
            .collect())
    }

    /// Returns the one calendar item of `mailbox` with `uid`.
    pub(super) async fn calendar_copy(&self, mailbox: &str, uid: &str) -> Result<Value, String> {
        let mut copies = self.calendar_copies(mailbox, uid).await?;
        match copies.len() {
            1 => Ok(copies.remove(0)),
            count => Err(format!(
                "Exchange: expected one calendar item with UID {uid} in {mailbox}, but found {count}"
            )),
        }
    }

    /// Triggers syncs through `POST /api/v1/sync` until one changes
    /// nothing: each pushes the outbox and then reads every room.
    ///
    /// # Errors
    ///
    /// Returns every error a room or an outbox record reported, or a
    /// message when the two sides do not settle within [`MAX_SYNC_ROUNDS`].
    pub(super) async fn sync(&self) -> Result<SyncSummary, String> {
        let mut summary = SyncSummary::default();
        for _ in 0..MAX_SYNC_ROUNDS {
            let reply = self
                .api(
                    SYNC_USER,
                    Method::POST,
                    "/api/v1/sync",
                    Some(json!({})),
                    None,
                )
                .await?;
            expect_status(&reply, StatusCode::OK, "POST /api/v1/sync")?;
            let round = read_report(&reply.body)?;
            let quiet = round.pushed + round.changed() == 0;
            summary.add(&round);
            if quiet {
                return Ok(summary);
            }
        }
        Err(format!(
            "sync still changed bookings after {MAX_SYNC_ROUNDS} rounds; the two sides do not settle"
        ))
    }
}

impl SyncSummary {
    /// Returns the number of bookings the sync changed in roombridge.
    pub(super) fn changed(&self) -> u32 {
        self.created + self.updated + self.cancelled + self.declined
    }

    fn add(&mut self, round: &SyncSummary) {
        self.pushed += round.pushed;
        self.created += round.created;
        self.updated += round.updated;
        self.cancelled += round.cancelled;
        self.declined += round.declined;
        self.rooms = round.rooms;
    }
}

/// Reads the counts of a `POST /api/v1/sync` report.
///
/// # Errors
///
/// Returns the errors of rooms and outbox records the report lists, or a
/// message naming a missing field.
fn read_report(report: &Value) -> Result<SyncSummary, String> {
    let number = |value: &Value, field: &str| -> Result<u32, String> {
        value[field]
            .as_u64()
            .and_then(|count| u32::try_from(count).ok())
            .ok_or_else(|| format!("the sync report has no count `{field}`: {value}"))
    };
    let errors_of = |value: &Value| -> Vec<String> {
        value["errors"]
            .as_array()
            .map(|errors| errors.iter().map(Value::to_string).collect())
            .unwrap_or_default()
    };
    let outbox = &report["outbox"];
    let mut errors = errors_of(outbox);
    let mut summary = SyncSummary {
        pushed: number(outbox, "pushed")?,
        ..SyncSummary::default()
    };
    let rooms = report["rooms"]
        .as_array()
        .ok_or_else(|| format!("the sync report lists no rooms: {report}"))?;
    for room in rooms {
        summary.created += number(room, "created")?;
        summary.updated += number(room, "updated")?;
        summary.cancelled += number(room, "cancelled")?;
        summary.declined += number(room, "declined")?;
        let name = room["room"].as_str().unwrap_or("a room");
        errors.extend(
            errors_of(room)
                .into_iter()
                .map(|error| format!("{name}: {error}")),
        );
    }
    summary.rooms = rooms.len();
    if errors.is_empty() {
        Ok(summary)
    } else {
        Err(format!("sync reported errors: {}", errors.join("; ")))
    }
}

/// Fails with the status and body when `reply` is not `expected`.
pub(super) fn expect_status(
    reply: &Reply,
    expected: StatusCode,
    request: &str,
) -> Result<(), String> {
    if reply.status == expected {
        Ok(())
    } else {
        Err(format!(
            "{request}: expected {expected}, but the API returned {}: {}",
            reply.status, reply.body
        ))
    }
}

/// Fails with `message` unless `condition` holds.
pub(super) fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(message()) }
}

/// Returns a JSON field as text, or an error naming it.
pub(super) fn text<'v>(value: &'v Value, field: &str) -> Result<&'v str, String> {
    value[field]
        .as_str()
        .ok_or_else(|| format!("field `{field}` is missing in {value}"))
}

/// Parses an RFC 3339 time from a JSON field.
pub(super) fn instant(value: &Value, field: &str) -> Result<Timestamp, String> {
    let raw = text(value, field)?;
    raw.parse()
        .map_err(|error| format!("field `{field}` is not a time (`{raw}`): {error}"))
}

/// Returns the response of attendee `address` on the organizer's `item`.
pub(super) fn resource_response(item: &Value, address: &str) -> Option<String> {
    let calendar = &item["calendar"];
    ["resources", "required", "optional"]
        .iter()
        .filter_map(|list| calendar[*list].as_array())
        .flatten()
        .find(|attendee| {
            attendee["person"]["address"]
                .as_str()
                .is_some_and(|found| found.eq_ignore_ascii_case(address))
        })
        .and_then(|attendee| attendee["response"].as_str())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_counts_are_summed() {
        let report = json!({
            "outbox": { "pushed": 2, "errors": [] },
            "rooms": [
                { "room": "a@example.com", "created": 1, "updated": 0, "cancelled": 0, "declined": 1, "errors": [] },
                { "room": "b@example.com", "created": 3, "updated": 2, "cancelled": 1, "declined": 0, "errors": [] },
            ],
        });
        let summary = read_report(&report).expect("a report without errors");

        assert_eq!(summary.pushed, 2);
        assert_eq!(summary.created, 4);
        assert_eq!(summary.updated, 2);
        assert_eq!(summary.cancelled, 1);
        assert_eq!(summary.declined, 1);
        assert_eq!(summary.rooms, 2);
        assert_eq!(summary.changed(), 8);
    }

    #[test]
    fn report_errors_name_the_room() {
        let report = json!({
            "outbox": { "pushed": 0, "errors": ["booking 7: ErrorImpersonateUserDenied"] },
            "rooms": [
                { "room": "a@example.com", "created": 0, "updated": 0, "cancelled": 0, "declined": 0, "errors": ["SyncFolderItems timed out"] },
            ],
        });
        let error = read_report(&report).expect_err("errors fail the sync");

        assert!(error.contains("ErrorImpersonateUserDenied"), "{error}");
        assert!(
            error.contains("a@example.com: \"SyncFolderItems timed out\""),
            "{error}"
        );
    }

    #[test]
    fn report_without_counts_is_rejected() {
        let error = read_report(&json!({ "outbox": {}, "rooms": [] })).expect_err("no counts");

        assert!(error.contains("`pushed`"), "{error}");
    }
}
