//! Runs the built `roombridge` binary: administration commands, then
//! `serve` on a free port serving a real request with the printed token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");

/// Builds a command with a clean environment for roombridge settings.
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

fn run(database_url: &str, args: &[&str]) -> Output {
    roombridge(database_url, args)
        .output()
        .expect("run roombridge")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_success(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed: {}\nstdout: {}",
        text(&output.stderr),
        text(&output.stdout)
    );
}

/// Sends one HTTP/1.1 request and returns the status code and body.
fn http(address: &str, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect to roombridge serve");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A running `roombridge serve`, stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    address: String,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Server {
    fn start(database_url: &str) -> Server {
        Server::start_with_env(database_url, &[])
    }

    fn start_with_env(database_url: &str, env: &[(&str, &str)]) -> Server {
        let mut child = roombridge(database_url, &["serve", "--listen", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start roombridge serve");
        let (sender, stderr) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let mut seen = Vec::new();
        let address = loop {
            let line = stderr
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("serve did not report its address; stderr: {seen:?}"));
            if let Some((_, rest)) = line.split_once("listening on http://") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
            seen.push(line);
        };
        Server {
            child,
            address,
            stderr,
        }
    }

    /// Stops the server with SIGTERM and returns everything it logged.
    fn stop(mut self) -> String {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("send SIGTERM");
        assert!(status.success());
        let exit = self.child.wait().expect("wait for serve");
        assert!(exit.success(), "serve exited with {exit} after SIGTERM");
        let mut lines = Vec::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            lines.push(line);
        }
        lines.join("\n")
    }
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("cli.db").display())
}

#[test]
fn admin_commands_then_serve() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());

    assert_success(&run(&url, &["migrate"]), "migrate");
    let added = run(
        &url,
        &[
            "room",
            "add",
            "Room-101@Example.com",
            "--name",
            "Room 101",
            "--capacity",
            "8",
            "--mode",
            "accept-as-room",
            "--location",
            "Floor 1",
        ],
    );
    assert_success(&added, "room add");
    assert_eq!(text(&added.stdout), "room room-101@example.com saved\n");

    let listed = run(&url, &["room", "list"]);
    assert_success(&listed, "room list");
    assert_eq!(
        text(&listed.stdout),
        "room-101@example.com\tRoom 101\t8\taccept-as-room\tFloor 1\n"
    );

    assert_success(
        &run(
            &url,
            &["user", "add", "alice@example.com", "--name", "Alice"],
        ),
        "user add",
    );
    let created = run(&url, &["token", "create", "alice@example.com"]);
    assert_success(&created, "token create");
    let stdout = text(&created.stdout);
    let token = stdout.trim_end();
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the token goes to stdout: {stdout}"
    );
    assert!(token.starts_with("rb_"), "{token}");
    assert!(
        !text(&created.stderr).contains(token),
        "the token is printed to stdout only"
    );

    let server = Server::start(&url);
    let (status, body) = http(&server.address, "GET", "/api/v1/rooms", token, None);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"address\":\"room-101@example.com\""),
        "{body}"
    );

    let booking = r#"{"room": "room-101@example.com", "subject": "Planning",
        "start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T10:00:00+01:00",
        "time_zone": "Europe/Berlin"}"#;
    let (status, body) = http(
        &server.address,
        "POST",
        "/api/v1/bookings",
        token,
        Some(booking),
    );
    assert_eq!(status, 201, "{body}");
    let (status, _) = http(&server.address, "GET", "/api/v1/rooms", "rb_wrong", None);
    assert_eq!(status, 401);
    let logs = server.stop();
    assert!(logs.contains("request finished"), "{logs}");
    assert!(!logs.contains(token), "the token reached the log: {logs}");

    let bookings = run(
        &url,
        &["bookings", "list", "--room", "room-101@example.com"],
    );
    assert_success(&bookings, "bookings list");
    let line = text(&bookings.stdout);
    let columns: Vec<&str> = line.trim_end().split('\t').collect();
    assert_eq!(
        columns[1..],
        [
            "room-101@example.com",
            "2027-03-01T08:00:00Z",
            "2027-03-01T09:00:00Z",
            "confirmed",
            "internal",
            "alice@example.com",
            "Planning"
        ]
    );
    let outside = run(
        &url,
        &["bookings", "list", "--from", "2027-03-02T00:00:00Z"],
    );
    assert_success(&outside, "bookings list --from");
    assert_eq!(text(&outside.stdout), "");
}

#[test]
fn configured_limits_apply_to_api_bookings() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert_success(&run(&url, &["migrate"]), "migrate");
    assert_success(
        &run(
            &url,
            &["room", "add", "room-101@example.com", "--name", "Room 101"],
        ),
        "room add",
    );
    assert_success(
        &run(
            &url,
            &["user", "add", "alice@example.com", "--name", "Alice"],
        ),
        "user add",
    );
    let created = run(&url, &["token", "create", "alice@example.com"]);
    assert_success(&created, "token create");
    let token = text(&created.stdout).trim_end().to_owned();

    let server = Server::start_with_env(
        &url,
        &[
            ("ROOMBRIDGE_BOOKINGS_MAX_DURATION", "30m"),
            ("ROOMBRIDGE_BOOKINGS_MAX_SUBJECT_CHARS", "8"),
        ],
    );
    let booking = |subject: &str, end: &str| {
        format!(
            r#"{{"room": "room-101@example.com", "subject": "{subject}",
            "start": "2027-03-01T09:00:00Z", "end": "{end}", "time_zone": "UTC"}}"#
        )
    };
    let (status, body) = http(
        &server.address,
        "POST",
        "/api/v1/bookings",
        &token,
        Some(&booking("Planning", "2027-03-01T10:00:00Z")),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("\"end\""), "{body}");
    let (status, body) = http(
        &server.address,
        "POST",
        "/api/v1/bookings",
        &token,
        Some(&booking("Planning!", "2027-03-01T09:30:00Z")),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("\"subject\""), "{body}");
    let (status, body) = http(
        &server.address,
        "POST",
        "/api/v1/bookings",
        &token,
        Some(&booking("Planning", "2027-03-01T09:30:00Z")),
    );
    assert_eq!(status, 201, "{body}");
    server.stop();
}

#[test]
fn tokens_expire_and_are_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert_success(&run(&url, &["migrate"]), "migrate");
    for (address, name) in [("alice@example.com", "Alice"), ("bob@example.com", "Bob")] {
        assert_success(
            &run(&url, &["user", "add", address, "--name", name]),
            "user add",
        );
    }
    let create = |args: &[&str]| {
        let output = run(&url, args);
        assert_success(&output, "token create");
        text(&output.stdout).trim_end().to_owned()
    };
    let short = create(&["token", "create", "alice@example.com", "--expires-in", "1s"]);
    let lasting = create(&["token", "create", "alice@example.com"]);
    let bobs = create(&["token", "create", "bob@example.com", "--expires-in", "90d"]);
    let bad = run(
        &url,
        &["token", "create", "bob@example.com", "--expires-in", "soon"],
    );
    assert_eq!(bad.status.code(), Some(2), "clap rejects the value");
    assert!(
        text(&bad.stderr).contains("`soon`"),
        "{}",
        text(&bad.stderr)
    );

    let listed = run(&url, &["token", "list"]);
    assert_success(&listed, "token list");
    let listing = text(&listed.stdout);
    assert_eq!(listing.lines().count(), 3, "{listing}");
    for token in [&short, &lasting, &bobs] {
        assert!(
            !listing.contains(&token[3..]),
            "a token was listed: {listing}"
        );
    }
    let bob_line = listing
        .lines()
        .find(|line| line.contains("bob@example.com"))
        .unwrap();
    let bob_id = bob_line.split('\t').next().unwrap();
    assert_eq!(bob_id.len(), 12, "{bob_line}");

    let revoked = run(&url, &["token", "revoke", bob_id]);
    assert_success(&revoked, "token revoke");
    assert_eq!(
        text(&revoked.stderr),
        format!("token {bob_id} of bob@example.com revoked\n")
    );
    let unknown = run(&url, &["token", "revoke", bob_id]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(text(&unknown.stderr).lines().count(), 1);

    std::thread::sleep(Duration::from_millis(1_100));
    let expired = run(&url, &["token", "list", "alice@example.com"]);
    assert_eq!(
        text(&expired.stdout)
            .lines()
            .filter(|line| line.ends_with("\texpired"))
            .count(),
        1,
        "{}",
        text(&expired.stdout)
    );

    let server = Server::start(&url);
    for (token, expected) in [(&short, 401), (&bobs, 401), (&lasting, 200)] {
        let (status, body) = http(&server.address, "GET", "/api/v1/rooms", token, None);
        assert_eq!(status, expected, "{body}");
    }
    server.stop();

    let all = run(&url, &["token", "revoke", "--user", "Alice@Example.com"]);
    assert_success(&all, "token revoke --user");
    assert_eq!(
        text(&all.stderr),
        "2 token(s) of alice@example.com revoked\n"
    );
    assert_eq!(text(&run(&url, &["token", "list"]).stdout), "");
}

#[test]
fn errors_are_one_line_and_nonzero() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert_success(&run(&url, &["migrate"]), "migrate");

    let missing_user = run(&url, &["token", "create", "nobody@example.com"]);
    assert_eq!(missing_user.status.code(), Some(1));
    assert_eq!(
        text(&missing_user.stderr),
        "error: user `nobody@example.com` not found; add it first with \
         `roombridge user add nobody@example.com --name NAME`\n"
    );
    assert_eq!(text(&missing_user.stdout), "");

    let bad_address = run(&url, &["room", "add", "lobby", "--name", "Lobby"]);
    assert_eq!(bad_address.status.code(), Some(1));
    assert_eq!(text(&bad_address.stderr).lines().count(), 1);
    assert!(text(&bad_address.stderr).starts_with("error: invalid room address `lobby`"));

    // The address is refused before anything binds it.
    let remote = run(&url, &["simulate", "--listen", "0.0.0.0:0"]);
    assert_eq!(remote.status.code(), Some(1));
    assert_eq!(text(&remote.stderr).lines().count(), 1);
    assert!(
        text(&remote.stderr).starts_with("error: --listen 0.0.0.0:0 is not a loopback address")
            && text(&remote.stderr).contains("--allow-remote"),
        "{}",
        text(&remote.stderr)
    );

    let bad_url = run("mysql://db/roombridge", &["room", "list"]);
    assert_eq!(bad_url.status.code(), Some(1));
    assert!(
        text(&bad_url.stderr).contains("`database_url` (from ROOMBRIDGE_DATABASE_URL)"),
        "{}",
        text(&bad_url.stderr)
    );
}

#[test]
fn config_file_errors_list_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        "listen = \"nowhere\"\ncolour = 1\n[sync]\ninterval = \"often\"\n",
    )
    .unwrap();
    let output = Command::new(BINARY)
        .env_remove("ROOMBRIDGE_DATABASE_URL")
        .args(["--config", config.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: invalid configuration in {} (3 problems):",
            config.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("`listen`: expected an address and port"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`sync.interval`: expected a duration"),
        "{stderr}"
    );
    assert!(stderr.contains("`colour`: unknown key"), "{stderr}");
}

#[test]
fn config_rooms_saved_at_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        "[[rooms]]\naddress = \"boardroom@example.com\"\nname = \"Boardroom\"\nmode = \"accept-as-room\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    assert_success(&run(&url, &["--config", config, "migrate"]), "migrate");
    let listed = run(&url, &["room", "list"]);
    assert_eq!(
        text(&listed.stdout),
        "boardroom@example.com\tBoardroom\t\taccept-as-room\t\n"
    );
}

#[test]
fn help_states_units_and_defaults() {
    let output = Command::new(BINARY)
        .args(["bookings", "list", "--help"])
        .output()
        .unwrap();
    let help = text(&output.stdout);
    assert!(help.contains("[default: 1000]"), "{help}");
    assert!(help.contains("RFC 3339"), "{help}");
    let serve = text(
        &Command::new(BINARY)
            .args(["serve", "--help"])
            .output()
            .unwrap()
            .stdout,
    );
    assert!(serve.contains("Default: 127.0.0.1:8080"), "{serve}");
    assert!(serve.contains("ROOMBRIDGE_CONFIG"), "{serve}");
}

#[test]
fn postgres_admin_commands() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = runtime.block_on(roombridge_testkit::fresh_postgres_database(
        "postgres_admin_commands",
    )) else {
        return;
    };
    assert_success(&run(&url, &["migrate"]), "migrate on PostgreSQL");
    assert_success(
        &run(
            &url,
            &["room", "add", "room-7@example.com", "--name", "Room 7"],
        ),
        "room add",
    );
    let listed = run(&url, &["room", "list"]);
    assert_eq!(
        text(&listed.stdout),
        "room-7@example.com\tRoom 7\t\tauto-accept\t\n"
    );
}
