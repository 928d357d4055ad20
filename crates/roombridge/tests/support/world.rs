//! A simulator on 127.0.0.1:0 with its sample organisation (calendars
//! emptied), a SQLite file in a temporary folder holding the simulator's
//! rooms and users, and a sync engine between them over real HTTP. The
//! service can be restarted: the engine and store are dropped and the same
//! file is opened again, while the simulator keeps its state.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use jiff::{SignedDuration, Timestamp, ToSpan};
use roombridge_domain::{ResponseMode, Room, User};
use roombridge_ews::auth::Credentials;
use roombridge_ews::retry::RetryPolicy;
use roombridge_ews::{EwsClient, EwsClientBuilder, Secret};
use roombridge_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use roombridge_store::{BookingFilter, Store};
use roombridge_sync::{EwsBackend, SyncConfig, SyncEngine};
use serde_json::Value;

/// Auto-accept room of the sample organisation.
pub const AUTO_ROOM: &str = "room-101@example.com";
/// Room whose requests wait in its Inbox; roombridge responds as the room.
pub const MANUAL_ROOM: &str = "room-102@example.com";
/// Another auto-accept room.
pub const BOARDROOM: &str = "boardroom@example.com";
/// The rooms the tests use.
pub const ROOMS: [&str; 3] = [AUTO_ROOM, BOARDROOM, MANUAL_ROOM];
/// Password of the simulator's service account.
pub const SERVICE_PASSWORD: &str = "svc-password";

/// The simulator, the service's store and engine, and an EWS client.
pub struct World {
    /// The Exchange simulator.
    pub sim: RunningSimulator,
    /// The service's store; replaced on restart.
    pub store: Store,
    /// The service's engine; replaced on restart.
    pub engine: SyncEngine,
    /// An EWS client as the service account.
    pub ews: EwsClient,
    /// The backend the engine uses, for reading calendars in checks.
    pub backend: Arc<EwsBackend>,
    url: String,
    config: SyncConfig,
    _dir: tempfile::TempDir,
    _organisation: tempfile::NamedTempFile,
}

impl World {
    /// Starts a simulator and a service on a fresh SQLite file.
    pub async fn start(config: SyncConfig) -> World {
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
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite:{}", dir.path().join("roombridge.db").display());
        let ews = EwsClientBuilder::new(
            sim.ews_url(),
            Credentials::Basic {
                username: "svc@example.com".to_owned(),
                password: Secret::new(SERVICE_PASSWORD),
            },
        )
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build()
        .expect("EWS client");
        let backend = Arc::new(EwsBackend::new(ews.clone()));
        let store = open(&url).await;
        seed(&store).await;
        let engine = SyncEngine::new(store.clone(), backend.clone(), config.clone());
        World {
            sim,
            store,
            engine,
            ews,
            backend,
            url,
            config,
            _dir: dir,
            _organisation: file,
        }
    }

    /// Stops the service and starts it again on the same database file.
    pub async fn restart(&mut self) {
        self.store.close().await;
        self.store = open(&self.url).await;
        self.engine = SyncEngine::new(
            self.store.clone(),
            self.backend.clone(),
            self.config.clone(),
        );
    }

    /// Lists every booking of a room, deleted ones included.
    pub async fn bookings(&self, room: &str) -> Vec<roombridge_domain::Booking> {
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
        let (status, reply) = self
            .admin(
                "GET",
                &format!("/admin/mailboxes/{mailbox}/items?folder={folder}"),
                None,
            )
            .await;
        assert!(status < 300, "items of {mailbox} listed: {reply}");
        reply.as_array().cloned().unwrap_or_default()
    }

    /// Sets the simulator's faults.
    pub async fn faults(&self, faults: Value) {
        let (status, reply) = self.admin("PUT", "/admin/faults", Some(faults)).await;
        assert!(status < 300, "faults accepted: {reply}");
    }

    /// Clears every fault.
    pub async fn clear_faults(&self) {
        let (status, reply) = self.admin("DELETE", "/admin/faults", None).await;
        assert!(status < 300, "faults cleared: {reply}");
    }

    /// Sends an admin request; returns its status and JSON body (null when
    /// empty or not JSON).
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let address = self.sim.local_addr();
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("simulator reachable");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP handshake");
        tokio::spawn(connection);
        let text = body.map(|body| body.to_string()).unwrap_or_default();
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", address.to_string())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(text)))
            .expect("request");
        let response = sender.send_request(request).await.expect("admin answers");
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("admin body")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

async fn open(url: &str) -> Store {
    let store = Store::connect(url).await.expect("database opens");
    store.migrate().await.expect("migrations run");
    store
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
