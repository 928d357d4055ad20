//! Kills `roombridge serve` with SIGKILL in the middle of a burst of
//! booking creations. Then it checks on SQLite and PostgreSQL that every
//! booking created with status 201 was stored with its outbox record and
//! history entry, that no booking lacks either, and that the service starts
//! again.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roombridge_domain::{HistoryAction, OutboxKind};
use roombridge_store::{BookingFilter, Store};

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");
const ROOM: &str = "room-1@example.com";
const CLIENTS: usize = 6;

fn roombridge(database_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("ROOMBRIDGE_DATABASE_URL", database_url)
        .args(args);
    command
}

fn run_ok(database_url: &str, args: &[&str]) -> String {
    let output = roombridge(database_url, args)
        .output()
        .expect("run roombridge");
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Starts `serve` on a free port and returns it with its address.
fn serve(database_url: &str) -> (Child, String) {
    let mut child = roombridge(database_url, &["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start roombridge serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("serve exited before it listened")
            .expect("read serve output");
        if let Some((_, rest)) = line.split_once("listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep reading, so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, address)
}

/// Posts one booking and returns the status and the body, or `None` when
/// the connection broke, as it does once the server is killed.
fn create(address: &str, token: &str, slot: usize) -> Option<(u16, String)> {
    let start = jiff::Timestamp::from_second(1_830_000_000 + 1_800 * slot as i64).ok()?;
    let end = start
        .checked_add(jiff::SignedDuration::from_mins(30))
        .ok()?;
    let body = format!(
        r#"{{"room":"{ROOM}","subject":"Burst {slot}","start":"{start}","end":"{end}","time_zone":"UTC"}}"#
    );
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "POST /api/v1/bookings HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    Some((status, body.to_owned()))
}

async fn kill_during_burst(database_url: &str) {
    run_ok(database_url, &["migrate"]);
    run_ok(database_url, &["room", "add", ROOM, "--name", "Room 1"]);
    run_ok(
        database_url,
        &["user", "add", "alice@example.com", "--name", "Alice"],
    );
    let token = run_ok(database_url, &["token", "create", "alice@example.com"]);

    let (mut server, address) = serve(database_url);
    let created = Arc::new(Mutex::new(Vec::<uuid::Uuid>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (address, token) = (address.clone(), token.clone());
        let (created, stop) = (created.clone(), stop.clone());
        clients.push(std::thread::spawn(move || {
            for index in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Some((status, body)) = create(&address, &token, index * CLIENTS + client)
                else {
                    break;
                };
                assert_eq!(status, 201, "{body}");
                let view: serde_json::Value = serde_json::from_str(&body).unwrap();
                let id = view["id"].as_str().unwrap().parse().unwrap();
                created.lock().unwrap().push(id);
            }
        }));
    }
    // Kill once a good number of bookings exist, while requests are in flight.
    while created.lock().unwrap().len() < 150 {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().expect("send SIGKILL");
    server.wait().expect("reap the killed server");
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().expect("client thread");
    }
    let created = created.lock().unwrap().clone();

    let store = Store::connect(database_url)
        .await
        .expect("reopen the database");
    for id in &created {
        let booking = store.booking(*id).await.unwrap();
        assert!(
            booking.is_some(),
            "booking {id} answered 201 but is missing"
        );
    }
    let stored = store
        .list_bookings(&BookingFilter {
            limit: Some(100_000),
            include_deleted: true,
            ..BookingFilter::default()
        })
        .await
        .unwrap();
    assert!(stored.len() >= created.len());
    for booking in &stored {
        let history = store.history(booking.id).await.unwrap();
        assert_eq!(history.len(), 1, "history of {}", booking.id);
        assert_eq!(history[0].action, HistoryAction::Created);
        let outbox = store.outbox_for_booking(booking.id).await.unwrap();
        assert_eq!(outbox.len(), 1, "outbox of {}", booking.id);
        assert_eq!(outbox[0].kind, OutboxKind::Create);
    }
    store.close().await;

    // The service starts again on the same database and accepts bookings.
    let (mut server, address) = serve(database_url);
    let (status, body) = create(&address, &token, 1_000_000).expect("request after restart");
    assert_eq!(status, 201, "{body}");
    server.kill().expect("stop the server");
    server.wait().expect("reap the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_burst_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    kill_during_burst(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_burst_postgres() {
    let Some(url) = roombridge_testkit::fresh_postgres_database("kill_during_burst").await else {
        return;
    };
    kill_during_burst(&url).await;
}
