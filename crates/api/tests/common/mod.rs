//! Test support: the real API server on 127.0.0.1:0 over a fresh SQLite or
//! PostgreSQL database, with a room fixture and users holding tokens.

#![allow(dead_code, unreachable_pub)] // Each test binary uses a different part.

pub mod http;
pub mod webdriver;

use jiff::Timestamp;
use roombridge_api::AppState;
use roombridge_domain::{BookingStatus, ExchangeLink, ExternalBooking, ResponseMode, Room, User};
use roombridge_store::{ExternalUpsert, Store};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use http::{Client, Reply};

/// The database a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Room every test app has.
pub const ROOM_A: &str = "room-a@example.com";
/// Second room, for moves.
pub const ROOM_B: &str = "room-b@example.com";

/// A running server with its store.
pub struct TestApp {
    pub client: Client,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    _shutdown: oneshot::Sender<()>,
}

impl TestApp {
    /// Starts the server on a fresh database, or returns `None` when the
    /// PostgreSQL test server is not configured (the skip is printed).
    pub async fn start(db: Db, what: &str) -> Option<TestApp> {
        let (url, dir) = match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("create a temporary folder");
                (
                    format!("sqlite://{}", dir.path().join("api.db").display()),
                    Some(dir),
                )
            }
            Db::Postgres => (
                roombridge_testkit::fresh_postgres_database(what).await?,
                None,
            ),
        };
        let store = Store::connect(&url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        for (address, name) in [(ROOM_A, "Room A"), (ROOM_B, "Room B")] {
            store
                .upsert_room(Room {
                    address: address.to_owned(),
                    display_name: name.to_owned(),
                    capacity: Some(6),
                    location: Some("Floor 1".to_owned()),
                    response_mode: ResponseMode::AutoAccept,
                })
                .await
                .expect("add a room");
        }

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (shutdown, stopped) = oneshot::channel::<()>();
        let state = AppState::new(store.clone());
        tokio::spawn(roombridge_api::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        Some(TestApp {
            client: Client { addr },
            store,
            _dir: dir,
            _shutdown: shutdown,
        })
    }

    /// Adds a user and returns a fresh token for it.
    pub async fn user(&self, address: &str) -> String {
        self.store
            .upsert_user(User {
                address: address.to_owned(),
                display_name: address.to_owned(),
            })
            .await
            .expect("add a user");
        self.store
            .create_token(address)
            .await
            .expect("create a token")
    }

    /// Stores an external booking of `organizer` as the sync engine would.
    pub async fn external(
        &self,
        room: &str,
        organizer: &str,
        start: &str,
        end: &str,
    ) -> uuid::Uuid {
        let upsert = self
            .store
            .upsert_external_booking(ExternalBooking {
                room: room.to_owned(),
                organizer: organizer.to_owned(),
                subject: "Carol Outlook".to_owned(),
                body: "Agenda written in Outlook".to_owned(),
                start: at(start),
                end: at(end),
                time_zone: "Europe/Berlin".to_owned(),
                all_day: false,
                attendees: Vec::new(),
                status: BookingStatus::Confirmed,
                exchange: ExchangeLink {
                    uid: Some(format!("uid-{}", uuid::Uuid::new_v4())),
                    ..ExchangeLink::default()
                },
            })
            .await
            .expect("store an external booking");
        match upsert {
            ExternalUpsert::Created(booking) => booking.id,
            other => panic!("expected a new external booking, but found {other:?}"),
        }
    }

    /// Creates a booking through the API and returns the response.
    pub async fn create(&self, token: &str, body: &Value) -> Reply {
        self.client
            .post("/api/v1/bookings")
            .token(token)
            .json(body)
            .send()
            .await
    }
}

/// Parses an RFC 3339 time.
pub fn at(text: &str) -> Timestamp {
    text.parse().expect("valid RFC 3339 time")
}

/// Returns a valid booking request for `room` from `start` to `end`.
pub fn booking(room: &str, start: &str, end: &str) -> Value {
    json!({
        "room": room,
        "subject": "Planning",
        "body": "Quarterly numbers",
        "start": start,
        "end": end,
        "time_zone": "Europe/Berlin",
        "attendees": [{ "address": "dave@example.com", "name": "Dave" }],
    })
}

/// Runs each named scenario `async fn NAME(db: Db)` once on SQLite and once
/// on PostgreSQL, as the tests `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Db::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Db::Postgres).await;
                }
            }
        )*
    };
}
