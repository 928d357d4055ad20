//! Runs the built `roombridge` binary with broken configurations and
//! database URLs that hold secrets, and checks that each failure is one
//! line (or one line per key), exits with status 1 and never prints the
//! secret.

use std::path::Path;
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");

/// A password no message may contain.
const SECRET: &str = "hunter2-Sekr3t";

/// Builds a command without the caller's roombridge settings.
fn roombridge(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command.args(args);
    command
}

fn with_config(config: &Path, args: &[&str]) -> Output {
    let mut full = vec!["--config", config.to_str().expect("UTF-8 path")];
    full.extend_from_slice(args);
    roombridge(&full).output().expect("run roombridge")
}

/// Returns the URL of a SQLite database in `dir`, created on first use.
fn local_database(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("roombridge.db").display())
}

fn with_local_database(config: &Path, dir: &Path, args: &[&str]) -> Output {
    let mut full = vec!["--config", config.to_str().expect("UTF-8 path")];
    full.extend_from_slice(args);
    roombridge(&full)
        .env("ROOMBRIDGE_DATABASE_URL", local_database(dir))
        .output()
        .expect("run roombridge")
}

fn with_database(url: &str, args: &[&str]) -> Output {
    roombridge(args)
        .env("ROOMBRIDGE_DATABASE_URL", url)
        .output()
        .expect("run roombridge")
}

/// Checks the exit status and that neither stream contains the secret,
/// and returns standard error.
fn failure_without_secret(output: &Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{what}: {stderr}");
    assert!(
        !stderr.contains(SECRET),
        "{what} printed the secret: {stderr}"
    );
    assert!(
        !stdout.contains(SECRET),
        "{what} printed the secret: {stdout}"
    );
    stderr
}

#[test]
fn toml_syntax_error_hides_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("unquoted", format!("[exchange]\npassword = {SECRET}\n")),
        ("open quote", format!("[exchange]\npassword = \"{SECRET}\n")),
    ];
    for (what, content) in cases {
        let config = dir.path().join("roombridge.toml");
        std::fs::write(&config, content).unwrap();
        let stderr = failure_without_secret(&with_config(&config, &["migrate"]), what);
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        assert!(stderr.starts_with("error: "), "{what}: {stderr}");
        assert!(
            stderr.contains("is not valid TOML: line 2, column "),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn password_key_in_file_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        format!(
            "[exchange]\nurl = \"https://mail.example.com/EWS/Exchange.asmx\"\n\
             auth = \"ntlm\"\nusername = \"svc@example.com\"\npassword = \"{SECRET}\"\n"
        ),
    )
    .unwrap();
    let stderr = failure_without_secret(&with_config(&config, &["migrate"]), "password key");
    assert!(
        stderr.contains("`exchange.password`: secrets are not read from the configuration file"),
        "{stderr}"
    );
}

#[test]
fn password_file_problems_named() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let missing = dir.path().join("missing");
    let cases = [
        (missing.clone(), "cannot read"),
        (empty.clone(), "is empty; write the password into it"),
        (dir.path().to_owned(), "cannot read"),
    ];
    for (path, expected) in cases {
        let config = dir.path().join("roombridge.toml");
        std::fs::write(
            &config,
            format!(
                "[exchange]\nurl = \"https://mail.example.com/EWS/Exchange.asmx\"\n\
                 auth = \"basic\"\nusername = \"svc@example.com\"\npassword_file = \"{}\"\n",
                path.display()
            ),
        )
        .unwrap();
        let migrate = with_local_database(&config, dir.path(), &["migrate"]);
        assert!(
            migrate.status.success(),
            "migrate needs no Exchange credential: {}",
            String::from_utf8_lossy(&migrate.stderr)
        );
        let stderr = failure_without_secret(
            &with_local_database(&config, dir.path(), &["sync"]),
            &path.display().to_string(),
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(
                "error: the Exchange credential is not usable: `exchange.password_file`: "
            ),
            "{stderr}"
        );
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}

#[test]
fn database_url_passwords_redacted() {
    // `sslmode=bogus` makes sqlx reject each URL before connecting.
    let urls = [
        format!("postgres://app:{SECRET}@127.0.0.1:1/roombridge?sslmode=bogus"),
        format!("postgres://app:at@{SECRET}@127.0.0.1:1/roombridge?sslmode=bogus"),
        format!("postgres://app@127.0.0.1:1/roombridge?password={SECRET}&sslmode=bogus"),
        format!("postgres://app@127.0.0.1:1/roombridge?PASSWORD={SECRET}&sslmode=bogus"),
        format!("postgres://app@127.0.0.1:1/roombridge?passwd={SECRET}&sslmode=bogus"),
        format!("postgress://app:{SECRET}@127.0.0.1:1/roombridge"),
    ];
    for url in urls {
        let output = with_database(&url, &["room", "list"]);
        let stderr = failure_without_secret(&output, &url);
        assert!(stderr.contains("[redacted]"), "{url}: {stderr}");
        assert!(stderr.contains("127.0.0.1:1"), "{url}: {stderr}");
    }
}

#[test]
fn unmigrated_database_names_fix() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    for args in [
        &["room", "list"][..],
        &["bookings", "list"][..],
        &["token", "create", "alice@example.com"][..],
    ] {
        let stderr = failure_without_secret(&with_database(&url, args), &args.join(" "));
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("run `roombridge migrate`"), "{stderr}");
    }
}

#[test]
fn unusable_sqlite_path_named() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("no-such-folder").join("x.db").display()
    );
    let stderr = failure_without_secret(&with_database(&url, &["migrate"]), "missing folder");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot open the database {url}: ")),
        "{stderr}"
    );
}

#[test]
fn port_in_use_named() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("serve.db").display());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = with_database(&url, &["serve", "--listen", &address]);
    let stderr = failure_without_secret(&output, "port in use");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("error: cannot listen on {address}: ")),
        "{stderr}"
    );
    assert!(last.contains("choose another address"), "{stderr}");
}

#[test]
fn room_list_problems_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        "[[rooms]]\naddress = \"room-a@example.com\"\nname = \"Room A\"\n\
         [[rooms]]\naddress = \" Room-A@Example.COM\"\nname = \"Room A again\"\n\
         [[rooms]]\naddress = \"room-b@example.com\"\nname = \" \"\n\
         [[rooms]]\naddress = \"room-c@example.com\"\nname = \"Room\\u0000C\"\n",
    )
    .unwrap();
    let output = with_config(&config, &["migrate"]);
    let stderr = failure_without_secret(&output, "room list");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(lines[0].ends_with("(3 problems):"), "{stderr}");
    assert!(
        lines[1].starts_with(
            "  `rooms[1].address`: room `room-a@example.com` is already listed at \
             `rooms[0].address`"
        ),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with("  `rooms[2].name`: the name is empty"),
        "{stderr}"
    );
    assert!(
        lines[3].starts_with("  `rooms[3].name`: the name contains the control character U+0000"),
        "{stderr}"
    );
}

#[test]
fn empty_password_variable_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, format!("{SECRET}\n")).unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        format!(
            "[exchange]\nurl = \"https://mail.example.com/EWS/Exchange.asmx\"\n\
             auth = \"ntlm\"\nusername = \"svc@example.com\"\npassword_file = \"{}\"\n",
            password.display()
        ),
    )
    .unwrap();
    let output = roombridge(&["--config", config.to_str().unwrap(), "sync"])
        .env("ROOMBRIDGE_EXCHANGE_PASSWORD", "")
        .env("ROOMBRIDGE_DATABASE_URL", local_database(dir.path()))
        .output()
        .unwrap();
    let stderr = failure_without_secret(&output, "empty variable");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("`exchange.password_file`: ROOMBRIDGE_EXCHANGE_PASSWORD is set but empty"),
        "{stderr}"
    );
}
