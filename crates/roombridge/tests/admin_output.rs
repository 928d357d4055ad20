//! `roombridge bookings list` and `room list` with text that would break a
//! tab-separated line or reach the terminal as an escape sequence, and
//! `bookings list` filters that cannot match anything.

use std::process::{Command, Output};

use roombridge_domain::{BookingStatus, ExchangeLink, ExternalBooking, ResponseMode, Room};
use roombridge_store::Store;

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");

fn run(database_url: &str, args: &[&str]) -> Output {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("ROOMBRIDGE_DATABASE_URL", database_url)
        .args(args)
        .output()
        .expect("run roombridge")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn list_escapes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("admin.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .upsert_room(Room {
            address: "room-1@example.com".to_owned(),
            display_name: "Room 1".to_owned(),
            capacity: Some(4),
            location: Some("Floor 1\tWest".to_owned()),
            response_mode: ResponseMode::AutoAccept,
        })
        .await
        .unwrap();
    // Exchange's text is stored as sent, so an external booking may carry
    // any character.
    store
        .upsert_external_booking(ExternalBooking {
            room: "room-1@example.com".to_owned(),
            organizer: "carol@example.com".to_owned(),
            subject: "Plan\tA\nfake line\r\u{1b}[31mred\\".to_owned(),
            body: String::new(),
            start: "2027-03-01T09:00:00Z".parse().unwrap(),
            end: "2027-03-01T10:00:00Z".parse().unwrap(),
            time_zone: "UTC".to_owned(),
            all_day: false,
            attendees: Vec::new(),
            status: BookingStatus::Confirmed,
            exchange: ExchangeLink {
                uid: Some("uid-escape".to_owned()),
                ..ExchangeLink::default()
            },
        })
        .await
        .unwrap();
    store.close().await;

    let bookings = run(&url, &["bookings", "list"]);
    assert!(bookings.status.success(), "{}", text(&bookings.stderr));
    let stdout = text(&bookings.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout:?}");
    let columns: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(columns.len(), 8, "{stdout:?}");
    assert_eq!(columns[7], "Plan\\tA\\nfake line\\r\\u{1b}[31mred\\\\");
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");

    let rooms = run(&url, &["room", "list"]);
    assert!(rooms.status.success(), "{}", text(&rooms.stderr));
    let stdout = text(&rooms.stdout);
    assert_eq!(
        stdout,
        "room-1@example.com\tRoom 1\t4\tauto-accept\tFloor 1\\tWest\n"
    );
}

#[test]
fn list_filters_checked() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("filters.db").display());
    assert!(run(&url, &["migrate"]).status.success());

    let reversed = run(
        &url,
        &[
            "bookings",
            "list",
            "--from",
            "2027-02-01T00:00:00Z",
            "--to",
            "2027-01-01T00:00:00Z",
        ],
    );
    assert_eq!(reversed.status.code(), Some(1));
    let stderr = text(&reversed.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: --from 2027-02-01T00:00:00Z is not before --to"),
        "{stderr}"
    );

    let bad_room = run(&url, &["bookings", "list", "--room", "lobby"]);
    assert_eq!(bad_room.status.code(), Some(1));
    let stderr = text(&bad_room.stderr);
    assert!(
        stderr.starts_with("error: invalid room address `lobby` in --room"),
        "{stderr}"
    );
}
