//! Test harness: the Exchange simulator on 127.0.0.1:0 with its sample
//! organisation, a fresh SQLite (or PostgreSQL) store holding the
//! simulator's rooms and users, and a sync engine between them over real
//! HTTP. Outlook-side actions go through the simulator's admin interface.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use jiff::{SignedDuration, Timestamp, ToSpan};
use roombridge_domain::{Actor, Attendee, Booking, NewBooking, ResponseMode, Room, User};
use roombridge_ews::auth::Credentials;
use roombridge_ews::retry::RetryPolicy;
use roombridge_ews::{EwsClientBuilder, Secret};
use roombridge_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use roombridge_store::{BookingFilter, Store};
use roombridge_sync::{EwsBackend, SyncConfig, SyncEngine};
use serde_json::{Value, json};

/// Auto-accept room of the sample organisation.
pub const AUTO_ROOM: &str = "room-101@example.com";
/// Room whose requests wait in its Inbox; roombridge responds as the room.
pub const MANUAL_ROOM: &str = "room-102@example.com";
/// Another auto-accept room.
pub const BOARDROOM: &str = "boardroom@example.com";

/// A simulator, a store and an engine wired together.
pub struct Harness {
    pub sim: RunningSimulator,
    pub store: Store,
    pub engine: SyncEngine,
    /// An EWS client as the service account, for Outlook-side edits the
    /// admin interface lacks.
    pub ews: roombridge_ews::EwsClient,
    /// Database URL, for a second engine on the same database.
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Starts a harness on a fresh SQLite file.
pub async fn start() -> Harness {
    start_with(SyncConfig::default()).await
}

/// Starts a harness with engine settings on a fresh SQLite file, or on a
/// fresh PostgreSQL database when `ROOMBRIDGE_SYNC_TESTS_ON_POSTGRES=1`
/// (which needs `ROOMBRIDGE_TEST_POSTGRES_URL`).
pub async fn start_with(config: SyncConfig) -> Harness {
    if std::env::var("ROOMBRIDGE_SYNC_TESTS_ON_POSTGRES").is_ok_and(|value| value == "1") {
        let url = roombridge_testkit::fresh_postgres_database("sync tests on PostgreSQL")
            .await
            .expect("ROOMBRIDGE_SYNC_TESTS_ON_POSTGRES=1 needs ROOMBRIDGE_TEST_POSTGRES_URL");
        return start_on(&url, config, None).await;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite:{}", dir.path().join("roombridge.db").display());
    start_on(&url, config, Some(dir)).await
}

/// Starts a harness on the database at `url`.
pub async fn start_on(url: &str, config: SyncConfig, dir: Option<tempfile::TempDir>) -> Harness {
    // The sample organisation's people and rooms with empty calendars, so
    // each test reads only the meetings it makes.
    let mut organisation = roombridge_simulator::organisation::sample(Timestamp::now());
    organisation.bookings.clear();
    let file = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("organisation file");
    std::fs::write(
        file.path(),
        serde_json::to_vec(&organisation).expect("organisation serializes"),
    )
    .expect("organisation written");
    let sim = Simulator::start(SimulatorConfig {
        organisation_file: Some(file.path().to_owned()),
        ..SimulatorConfig::default()
    })
    .await
    .expect("simulator starts");
    let store = Store::connect(url).await.expect("database opens");
    store.migrate().await.expect("migrations run");
    seed(&store).await;
    let client = EwsClientBuilder::new(
        sim.ews_url(),
        Credentials::Basic {
            username: "svc@example.com".to_owned(),
            password: Secret::new("svc-password"),
        },
    )
    .retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    })
    .build()
    .expect("EWS client");
    let engine = SyncEngine::new(
        store.clone(),
        Arc::new(EwsBackend::new(client.clone())),
        config,
    );
    Harness {
        sim,
        store,
        engine,
        ews: client,
        database_url: url.to_owned(),
        _dir: dir,
    }
}

async fn seed(store: &Store) {
    let rooms = [
        (AUTO_ROOM, "Room 101", ResponseMode::AutoAccept),
        (MANUAL_ROOM, "Room 102", ResponseMode::AcceptAsRoom),
        (BOARDROOM, "Board Room", ResponseMode::AutoAccept),
    ];
    for (address, name, mode) in rooms {
        store
            .upsert_room(Room {
                address: address.to_owned(),
                display_name: name.to_owned(),
                capacity: None,
                location: None,
                response_mode: mode,
            })
            .await
            .expect("room saved");
    }
    for (address, name) in [
        ("alice@example.com", "Alice Smith"),
        ("bob@example.com", "Bob Jones"),
        ("carol@example.com", "Carol White"),
    ] {
        store
            .upsert_user(User {
                address: address.to_owned(),
                display_name: name.to_owned(),
            })
            .await
            .expect("user saved");
    }
}

/// Returns a UTC instant `days` days from today at `hour`:`minute`.
pub fn at(days: i64, hour: i8, minute: i8) -> Timestamp {
    let today = jiff::tz::TimeZone::UTC.to_datetime(Timestamp::now()).date();
    let date = today.checked_add(days.days()).expect("date in range");
    jiff::tz::TimeZone::UTC
        .to_ambiguous_timestamp(date.at(hour, minute, 0, 0))
        .compatible()
        .expect("UTC instant")
}

/// Adds `minutes` to an instant.
pub fn plus(instant: Timestamp, minutes: i64) -> Timestamp {
    instant
        .checked_add(SignedDuration::from_mins(minutes))
        .expect("instant in range")
}

impl Harness {
    /// Creates a booking through the store as `organizer`.
    pub async fn book(
        &self,
        room: &str,
        organizer: &str,
        subject: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Booking {
        self.store
            .create_booking(
                NewBooking {
                    room: room.to_owned(),
                    organizer: organizer.to_owned(),
                    subject: subject.to_owned(),
                    body: format!("Agenda of {subject}"),
                    start,
                    end,
                    time_zone: "Europe/Berlin".to_owned(),
                    all_day: false,
                    attendees: vec![Attendee {
                        address: "carol@example.com".to_owned(),
                        name: None,
                        role: Default::default(),
                    }],
                },
                &Actor::user(organizer),
            )
            .await
            .expect("booking created")
    }

    /// Returns the booking as stored now.
    pub async fn reload(&self, booking: &Booking) -> Booking {
        self.store
            .booking(booking.id)
            .await
            .expect("booking read")
            .expect("booking exists")
    }

    /// Lists every booking of a room, deleted ones included.
    pub async fn bookings(&self, room: &str) -> Vec<Booking> {
        self.store
            .list_bookings(&BookingFilter {
                room: Some(room.to_owned()),
                include_deleted: true,
                ..BookingFilter::default()
            })
            .await
            .expect("bookings listed")
    }

    /// Lists the items of a mailbox folder through the admin interface.
    pub async fn items(&self, mailbox: &str, folder: &str) -> Vec<Value> {
        let reply = self
            .admin(
                "GET",
                &format!("/admin/mailboxes/{mailbox}/items?folder={folder}"),
                None,
            )
            .await;
        reply.as_array().cloned().unwrap_or_default()
    }

    /// Lists the calendar items of `mailbox` whose subject contains `text`.
    pub async fn calendar_items_with(&self, mailbox: &str, text: &str) -> Vec<Value> {
        self.items(mailbox, "calendar")
            .await
            .into_iter()
            .filter(|item| {
                item["subject"]
                    .as_str()
                    .is_some_and(|subject| subject.contains(text))
            })
            .collect()
    }

    /// Books a meeting as an Outlook user would; returns the organizer's
    /// item as the admin interface shows it.
    pub async fn outlook_meeting(&self, organizer: &str, body: Value) -> Value {
        self.admin(
            "POST",
            &format!("/admin/mailboxes/{organizer}/meetings"),
            Some(body),
        )
        .await
    }

    /// Sends an admin request and returns its JSON body (null when empty).
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let stream = tokio::net::TcpStream::connect(self.sim.local_addr())
            .await
            .expect("simulator reachable");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP handshake");
        tokio::spawn(connection);
        let text = body.map(|body| body.to_string()).unwrap_or_default();
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.sim.local_addr().to_string())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(text)))
            .expect("request");
        let response = sender.send_request(request).await.expect("admin answers");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("admin body")
            .to_bytes();
        assert!(
            status.is_success(),
            "admin {method} {path} failed with {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("admin JSON")
        }
    }

    /// Sends a text body to the admin interface and returns its JSON body.
    pub async fn admin_text(&self, method: &str, path: &str, body: &str) -> Value {
        let stream = tokio::net::TcpStream::connect(self.sim.local_addr())
            .await
            .expect("simulator reachable");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP handshake");
        tokio::spawn(connection);
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.sim.local_addr().to_string())
            .header("content-type", "text/calendar")
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("request");
        let response = sender.send_request(request).await.expect("admin answers");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert!(
            status.is_success(),
            "admin {method} {path} failed with {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    /// Sets the simulator's fault rules.
    pub async fn faults(&self, faults: Value) {
        self.admin("PUT", "/admin/faults", Some(faults)).await;
    }

    /// Clears every fault.
    pub async fn clear_faults(&self) {
        self.admin("DELETE", "/admin/faults", None).await;
    }

    /// Syncs one room and asserts it had no error.
    pub async fn sync_ok(&self, room: &str) -> roombridge_sync::RoomReport {
        let report = self.engine.sync_room(room).await.expect("room known");
        assert!(
            report.errors.is_empty(),
            "sync of {room} failed: {:?}",
            report.errors
        );
        report
    }

    /// Pushes the outbox and asserts every record went through.
    pub async fn push_ok(&self) -> roombridge_sync::OutboxReport {
        let report = self.engine.push_outbox().await.expect("outbox readable");
        assert!(report.errors.is_empty(), "push failed: {:?}", report.errors);
        report
    }
}

/// Returns the `json!` body of an Outlook meeting request.
pub fn meeting(subject: &str, start: Timestamp, end: Timestamp, attendees: &[&str]) -> Value {
    json!({
        "subject": subject,
        "start": start.to_string(),
        "end": end.to_string(),
        "attendees": attendees,
    })
}
