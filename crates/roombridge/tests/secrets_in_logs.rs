//! Runs `roombridge serve` at `RUST_LOG=trace` against the simulator with a
//! service account whose password is known, books and syncs through the
//! API, then scans everything the service wrote, its error responses and
//! `/metrics` for the password, the API token and the Basic credentials.
//! A `roombridge sync` with a wrong password is scanned the same way.

use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");
/// Password of the service account the test adds to the simulator.
const PASSWORD: &str = "Pw-7d1c0f6e-secret-in-logs";
/// A wrong password, which must not show in errors either.
const WRONG_PASSWORD: &str = "Pw-0b8e44a2-wrong-password";
/// A token-shaped string no user holds.
const FAKE_TOKEN: &str = "rbt_fake_4f0c2a9b7e3d1f5a6c8b0e2d4f6a8c0e";
const SERVICE: &str = "svc-logs@example.com";

/// Standard base64 of `text`, as a Basic Authorization header carries it.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (index, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if index <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Sends one HTTP/1.1 request and returns the status and body.
fn http(address: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).expect("connect to serve");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read the reply");
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Runs the binary with no roombridge settings from the environment.
fn command() -> Command {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "trace");
    command
}

/// Fails when `text` contains any of `secrets`, naming where.
fn assert_clean(place: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{place} contains the secret `{secret}`:\n{}",
            text.lines()
                .filter(|line| line.contains(secret))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stay_out_of_logs_errors_and_metrics() {
    let simulator = roombridge_simulator::Simulator::start(Default::default())
        .await
        .expect("simulator starts");
    let (status, reply) = admin(
        simulator.local_addr(),
        &format!("/admin/mailboxes/{SERVICE}"),
        &serde_json::json!({
            "name": "Logs Service",
            "kind": "user",
            "password": PASSWORD,
            "impersonation": true
        })
        .to_string(),
    )
    .await;
    assert!(status < 300, "service account added: {reply}");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        format!(
            r#"database_url = "sqlite:{db}"

[exchange]
url = "{url}"
auth = "basic"
username = "{SERVICE}"
impersonation_domains = ["example.com"]

[[rooms]]
address = "room-101@example.com"
name = "Room 101"
mode = "auto-accept"
"#,
            db = dir.path().join("roombridge.db").display(),
            url = simulator.ews_url(),
        ),
    )
    .unwrap();
    let basic = base64(&format!("{SERVICE}:{PASSWORD}"));
    let wrong_basic = base64(&format!("{SERVICE}:{WRONG_PASSWORD}"));

    let (token, output, answers) = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || serve_and_use(&config))
            .await
            .unwrap()
    };
    let secrets = [PASSWORD, token.as_str(), basic.as_str(), FAKE_TOKEN];
    assert!(
        output.lines().count() > 20 && output.contains("DEBUG"),
        "trace logging is on: {output}"
    );
    assert_clean("the log of roombridge serve", &output, &secrets);
    assert_clean("the API answers and /metrics", &answers, &secrets);

    // The booking reached Exchange, so the password was used.
    let (status, items) = admin_get(
        simulator.local_addr(),
        "/admin/mailboxes/alice@example.com/items?folder=calendar",
    )
    .await;
    assert_eq!(status, 200);
    assert!(items.contains("Secret scan"), "meeting created: {items}");

    // A wrong password: the error names the account but not the password.
    let failed = tokio::task::spawn_blocking({
        let config = config.clone();
        move || {
            command()
                .env("ROOMBRIDGE_EXCHANGE_PASSWORD", WRONG_PASSWORD)
                .arg("--config")
                .arg(&config)
                .arg("sync")
                .output()
                .expect("run roombridge sync")
        }
    })
    .await
    .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&failed.stdout),
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(
        all.contains("401") || all.to_lowercase().contains("auth"),
        "the sync reports the failed sign-in: {all}"
    );
    assert_clean(
        "the output of a sync with a wrong password",
        &all,
        &[WRONG_PASSWORD, wrong_basic.as_str()],
    );
}

/// Prepares a user and token, runs `serve`, books, syncs, reads metrics and
/// sends a wrong token; returns the token, the service's whole output and
/// every response body.
fn serve_and_use(config: &std::path::Path) -> (String, String, String) {
    let run = |args: &[&str]| {
        let output = command()
            .env("ROOMBRIDGE_EXCHANGE_PASSWORD", PASSWORD)
            .arg("--config")
            .arg(config)
            .args(args)
            .output()
            .expect("run roombridge");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    };
    run(&["migrate"]);
    run(&["user", "add", "alice@example.com", "--name", "Alice"]);
    let token = String::from_utf8_lossy(&run(&["token", "create", "alice@example.com"]).stdout)
        .trim()
        .to_owned();
    assert!(token.len() >= 16, "a token: {token}");

    let mut child = command()
        .env("ROOMBRIDGE_EXCHANGE_PASSWORD", PASSWORD)
        .arg("--config")
        .arg(config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start roombridge serve");
    let (sender, lines) = std::sync::mpsc::channel();
    for pipe in [
        Box::new(child.stderr.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stdout.take().unwrap()),
    ] {
        let sender = sender.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
    }
    drop(sender);
    let mut output = String::new();
    let address = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("serve did not report its address: {output}"));
        output.push_str(&line);
        output.push('\n');
        if let Some((_, rest)) = line.split_once("listening on http://") {
            break rest
                .split(|c: char| c.is_whitespace() || c == '"')
                .next()
                .unwrap()
                .to_owned();
        }
    };

    let mut answers = String::new();
    let start = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(72))
        .unwrap();
    let end = start
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap();
    let booking = serde_json::json!({
        "room": "room-101@example.com",
        "subject": "Secret scan",
        "start": start.to_string(),
        "end": end.to_string(),
        "time_zone": "UTC",
    })
    .to_string();
    let (status, body) = http(&address, "POST", "/api/v1/bookings", &token, &booking);
    assert_eq!(status, 201, "{body}");
    answers.push_str(&body);
    let (status, body) = http(&address, "POST", "/api/v1/sync", &token, "{}");
    assert_eq!(status, 200, "{body}");
    answers.push_str(&body);
    let (status, body) = http(&address, "POST", "/api/v1/bookings", FAKE_TOKEN, &booking);
    assert_eq!(status, 401, "{body}");
    answers.push_str(&body);
    let (status, body) = http(&address, "GET", "/metrics", &token, "");
    assert_eq!(status, 200, "{body}");
    answers.push_str(&body);

    // SIGTERM to the child this test started, then collect what it wrote.
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(stopped.success());
    child.wait().expect("wait for serve");
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(5)) {
        output.push_str(&line);
        output.push('\n');
    }
    (token, output, answers)
}

/// Sends a PUT with a JSON body to the simulator's admin interface.
async fn admin(address: std::net::SocketAddr, path: &str, body: &str) -> (u16, String) {
    let address = address.to_string();
    let path = path.to_owned();
    let body = body.to_owned();
    tokio::task::spawn_blocking(move || http(&address, "PUT", &path, "none", &body))
        .await
        .unwrap()
}

/// Sends a GET to the simulator's admin interface.
async fn admin_get(address: std::net::SocketAddr, path: &str) -> (u16, String) {
    let address = address.to_string();
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || http(&address, "GET", &path, "none", ""))
        .await
        .unwrap()
}
