//! Fixtures shared by the store's contract tests: a fresh database per test
//! on SQLite and on PostgreSQL, and a few booking builders.

#![allow(dead_code, unreachable_pub)]

use jiff::Timestamp;
use roombridge_domain::{
    Actor, BookingStatus, ExchangeLink, ExternalBooking, NewBooking, ResponseMode, Room, User,
};
use roombridge_store::Store;
use sqlx::Connection;

/// A migrated store on a database of its own.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Runs raw SQL on the test database, outside the store.
    pub async fn execute(&self, sql: &'static str) {
        if self.url.starts_with("sqlite:") {
            let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut connection).await.unwrap();
        } else {
            let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut connection).await.unwrap();
        }
    }

    /// Returns the first column of every row of `sql` as text.
    pub async fn texts(&self, sql: &'static str) -> Vec<String> {
        if self.url.starts_with("sqlite:") {
            let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql)
                .fetch_all(&mut connection)
                .await
                .unwrap()
        } else {
            let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql)
                .fetch_all(&mut connection)
                .await
                .unwrap()
        }
    }

    /// Returns the single integer that `sql` selects.
    pub async fn count(&self, sql: &'static str) -> i64 {
        if self.url.starts_with("sqlite:") {
            let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql)
                .fetch_one(&mut connection)
                .await
                .unwrap()
        } else {
            let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql)
                .fetch_one(&mut connection)
                .await
                .unwrap()
        }
    }

    /// Opens a second store on the same database, as a second instance of
    /// the service would.
    pub async fn open_second_store(&self) -> Store {
        Store::connect(&self.url).await.unwrap()
    }

    /// Returns the folder of the SQLite database file, or `None` on
    /// PostgreSQL.
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        self._dir.as_ref().map(|dir| dir.path())
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("roombridge.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    seed(&store).await;
    TestDb {
        store,
        url,
        _dir: Some(dir),
    }
}

pub async fn postgres(what: &str) -> Option<TestDb> {
    let url = roombridge_testkit::fresh_postgres_database(what).await?;
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    seed(&store).await;
    Some(TestDb {
        store,
        url,
        _dir: None,
    })
}

pub const ROOM_A: &str = "room.a@example.com";
pub const ROOM_B: &str = "room.b@example.com";
pub const ALICE: &str = "alice@example.com";
pub const BOB: &str = "bob@example.com";

async fn seed(store: &Store) {
    for (address, name) in [(ROOM_A, "Room A"), (ROOM_B, "Room B")] {
        store
            .upsert_room(Room {
                address: address.to_owned(),
                display_name: name.to_owned(),
                capacity: Some(8),
                location: Some("Floor 1".to_owned()),
                response_mode: ResponseMode::AutoAccept,
            })
            .await
            .unwrap();
    }
    for (address, name) in [(ALICE, "Alice"), (BOB, "Bob")] {
        store
            .upsert_user(User {
                address: address.to_owned(),
                display_name: name.to_owned(),
            })
            .await
            .unwrap();
    }
}

pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Returns the instant 2026-03-02 at `hour:minute` UTC.
pub fn hm(hour: u8, minute: u8) -> Timestamp {
    at(&format!("2026-03-02T{hour:02}:{minute:02}:00Z"))
}

pub fn alice() -> Actor {
    Actor::user(ALICE)
}

pub fn request(room: &str, start: Timestamp, end: Timestamp) -> NewBooking {
    NewBooking {
        room: room.to_owned(),
        organizer: ALICE.to_owned(),
        subject: "Planning".to_owned(),
        body: "Agenda".to_owned(),
        start,
        end,
        time_zone: "Europe/Berlin".to_owned(),
        all_day: false,
        attendees: vec![],
    }
}

pub fn external(room: &str, uid: &str, start: Timestamp, end: Timestamp) -> ExternalBooking {
    ExternalBooking {
        room: room.to_owned(),
        organizer: "carol@example.com".to_owned(),
        subject: "Carol".to_owned(),
        body: String::new(),
        start,
        end,
        time_zone: "Europe/Berlin".to_owned(),
        all_day: false,
        attendees: vec![],
        status: BookingStatus::Confirmed,
        exchange: ExchangeLink {
            uid: Some(uid.to_owned()),
            room_item_id: Some(format!("item-{uid}")),
            room_change_key: Some("ck-1".to_owned()),
            ..ExchangeLink::default()
        },
    }
}
