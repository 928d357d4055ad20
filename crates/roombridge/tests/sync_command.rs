//! Runs `roombridge sync` against the Exchange simulator started in this
//! process on 127.0.0.1:0.

use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the binary with a clean environment for roombridge settings.
fn sync(config: &std::path::Path, args: &[&str]) -> Output {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("ROOMBRIDGE_EXCHANGE_PASSWORD", "svc-password")
        .arg("--config")
        .arg(config)
        .arg("sync")
        .args(args)
        .output()
        .expect("run roombridge sync")
}

#[tokio::test]
async fn sync_command_reports_each_room() {
    let simulator = roombridge_simulator::Simulator::start(Default::default())
        .await
        .expect("simulator starts");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        format!(
            r#"database_url = "sqlite:{db}"

[exchange]
url = "{url}"
auth = "ntlm"
username = "EXAMPLE\\svc"

[[rooms]]
address = "room-101@example.com"
name = "Room 101"
mode = "auto-accept"

[[rooms]]
address = "room-201@example.com"
name = "Room 201"
mode = "auto-accept"
"#,
            db = dir.path().join("roombridge.db").display(),
            url = simulator.ews_url(),
        ),
    )
    .unwrap();

    let config_path = config.clone();
    let first = tokio::task::spawn_blocking(move || sync(&config_path, &["--json"]))
        .await
        .unwrap();
    assert!(
        first.status.success(),
        "sync failed: {}",
        text(&first.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON report");
    let rooms = report["rooms"].as_array().unwrap();
    assert_eq!(rooms.len(), 2);
    assert_eq!(rooms[0]["room"], "room-101@example.com");
    assert!(rooms[0]["full_read"].as_bool().unwrap());
    assert!(
        rooms[1]["created"].as_u64().unwrap() > 0,
        "the sample organisation books room-201: {report}"
    );

    let config_path = config.clone();
    let one = tokio::task::spawn_blocking(move || {
        sync(&config_path, &["--room", "room-201@example.com"])
    })
    .await
    .unwrap();
    assert!(one.status.success(), "sync failed: {}", text(&one.stderr));
    let table = text(&one.stdout);
    assert!(table.contains("room-201@example.com"), "{table}");
    assert!(!table.contains("room-101@example.com"), "{table}");

    let unknown =
        tokio::task::spawn_blocking(move || sync(&config, &["--room", "nowhere@example.com"]))
            .await
            .unwrap();
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("unknown room `nowhere@example.com`"),
        "{}",
        text(&unknown.stderr)
    );
}

/// Sends one HTTP/1.1 request and returns the status code and body.
fn http(address: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};

    let mut stream = std::net::TcpStream::connect(address).expect("connect to roombridge serve");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Runs an administration command with the configuration file.
fn admin(config: &std::path::Path, args: &[&str]) -> Output {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("ROOMBRIDGE_EXCHANGE_PASSWORD", "svc-password")
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("run roombridge")
}

#[tokio::test]
async fn serve_schedules_sync_and_answers_manual_runs() {
    let simulator = roombridge_simulator::Simulator::start(Default::default())
        .await
        .expect("simulator starts");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        format!(
            r#"database_url = "sqlite:{db}"

[exchange]
url = "{url}"
auth = "ntlm"
username = "EXAMPLE\\svc"

[[rooms]]
address = "room-201@example.com"
name = "Room 201"
mode = "auto-accept"
"#,
            db = dir.path().join("roombridge.db").display(),
            url = simulator.ews_url(),
        ),
    )
    .unwrap();

    tokio::task::spawn_blocking(move || serve_and_check(&config))
        .await
        .unwrap();
}

fn serve_and_check(config: &std::path::Path) {
    use std::io::BufRead;

    let migrated = admin(config, &["migrate"]);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let added = admin(
        config,
        &["user", "add", "alice@example.com", "--name", "Alice"],
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let created = admin(config, &["token", "create", "alice@example.com"]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let token = text(&created.stdout).trim_end().to_owned();

    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    let mut child = command
        .env("ROOMBRIDGE_EXCHANGE_PASSWORD", "svc-password")
        .arg("--config")
        .arg(config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start roombridge serve");
    let (sender, lines) = std::sync::mpsc::channel();
    let pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let mut seen = Vec::new();
    let address = loop {
        let line = lines
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("serve did not report its address: {seen:?}"));
        if let Some((_, rest)) = line.split_once("listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        seen.push(line);
    };
    assert!(
        seen.iter()
            .any(|line| line.contains("Exchange sync scheduled")),
        "{seen:?}"
    );

    let (status, body) = http(
        &address,
        "POST",
        "/api/v1/sync",
        &token,
        r#"{"room": "room-201@example.com"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["rooms"][0]["room"], "room-201@example.com");
    assert_eq!(report["rooms"][0]["errors"], serde_json::json!([]));

    let (status, body) = http(&address, "GET", "/metrics", &token, "");
    assert_eq!(status, 200);
    assert!(body.contains("roombridge_sync_room_runs_total"), "{body}");

    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(stopped.success());
    let exit = child.wait().expect("wait for serve");
    assert!(exit.success(), "serve exited with {exit}");
}
