use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use super::*;

fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut file = tempfile::NamedTempFile::new().expect("create temporary file");
    file.write_all(text.as_bytes())
        .expect("write configuration");
    let env: HashMap<String, String> = env
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
    Config::load_with_env(Some(file.path()), &|name| env.get(name).cloned())
}

fn errors(text: &str, env: &[(&str, &str)]) -> Vec<String> {
    match load(text, env) {
        Ok(config) => panic!("expected an error, but the configuration loaded: {config:?}"),
        Err(ConfigError::Invalid { errors, .. }) => {
            errors.iter().map(ToString::to_string).collect()
        }
        Err(other) => panic!("expected invalid keys, but found {other}"),
    }
}

#[test]
fn empty_file_uses_defaults() {
    let config = load("", &[]).expect("empty configuration is valid");
    assert_eq!(config.database_url, "sqlite://roombridge.db");
    assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.exchange, None);
    assert_eq!(config.sync.interval, Duration::from_secs(600));
    assert_eq!(config.sync.past_days, 30);
    assert_eq!(config.sync.future_days, 180);
    assert_eq!(config.sync.concurrency, 24);
    assert!(config.rooms.is_empty());
}

#[test]
fn example_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../roombridge.example.toml");
    let text = std::fs::read_to_string(&path).expect("read roombridge.example.toml");
    let config = load(&text, &[("ROOMBRIDGE_EXCHANGE_PASSWORD", "pw")])
        .unwrap_or_else(|error| panic!("the example configuration is invalid: {error}"));
    let exchange = config.exchange.expect("the example configures Exchange");
    assert_eq!(exchange.auth, ExchangeAuth::Ntlm);
    assert_eq!(config.rooms.len(), 2);
    assert_eq!(config.rooms[1].mode, ResponseMode::AcceptAsRoom);
    assert_eq!(
        config.limits,
        Limits::default(),
        "the example states the defaults"
    );
}

#[test]
fn full_file_parses_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, "s3cret\n").unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "").unwrap();
    let text = format!(
        r#"
database_url = "postgres://roombridge@db.example.com/roombridge"
listen = "0.0.0.0:9000"
log_format = "json"

[exchange]
url = "https://mail.example.com/EWS/Exchange.asmx"
auth = "basic"
username = "svc@example.com"
password_file = "{}"
server_version = "Exchange2016"
ca_bundle = "{}"
danger_accept_invalid_certs = true
impersonation_domains = ["example.com", "example.org"]

[sync]
interval = "1h 30m"
past_days = 0
future_days = 365
concurrency = 8

[[rooms]]
address = "room-101@example.com"
name = "Room 101"
capacity = 8
location = "Floor 1"
mode = "accept-as-room"
"#,
        password_file.display(),
        ca.display()
    );
    let config = load(&text, &[]).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.listen, "0.0.0.0:9000".parse().unwrap());
    assert_eq!(config.log_format, LogFormat::Json);
    let exchange = config.exchange.unwrap();
    assert_eq!(exchange.auth, ExchangeAuth::Basic);
    assert_eq!(exchange.password().unwrap().expose(), "s3cret");
    assert_eq!(exchange.server_version, "Exchange2016");
    assert!(exchange.danger_accept_invalid_certs);
    assert_eq!(
        exchange.impersonation_domains,
        ["example.com", "example.org"]
    );
    assert_eq!(config.sync.interval, Duration::from_secs(90 * 60));
    assert_eq!(config.sync.past_days, 0);
    assert_eq!(config.sync.concurrency, 8);
    assert_eq!(
        config.rooms,
        [RoomConfig {
            address: "room-101@example.com".into(),
            name: "Room 101".into(),
            capacity: Some(8),
            location: Some("Floor 1".into()),
            mode: ResponseMode::AcceptAsRoom,
        }]
    );
}

#[test]
fn every_bad_key_reported_at_once() {
    let text = r#"
listen = "localhost"
colour = "blue"

[sync]
interval = "soon"
future_days = 0
concurrency = 0

[[rooms]]
address = "not-an-address"
mode = "maybe"
seats = 4
"#;
    let errors = errors(text, &[]);
    assert_eq!(
        errors,
        [
            "`listen`: expected an address and port such as `127.0.0.1:8080`, but found `localhost`",
            "`sync.interval`: expected a duration such as `10m`, `1h 30m` or `90s`, but found `soon`",
            "`sync.future_days`: expected an integer from 1 to 3650, but found 0",
            "`sync.concurrency`: expected an integer from 1 to 256, but found 0",
            "`rooms[0].address`: expected a mailbox address such as `room-101@example.com`, \
             but found `not-an-address`",
            "`rooms[0].mode`: expected `auto-accept` or `accept-as-room`, but found `maybe`",
            "`rooms[0].seats`: unknown key; remove it or use one of `address`, `capacity`, \
             `location`, `mode`, `name`",
            "`rooms[0].name`: missing; set the room's display name",
            "`colour`: unknown key; remove it or use one of `bookings`, `database_url`, \
             `exchange`, `listen`, `log_format`, `rooms`, `sync`",
        ]
    );
}

#[test]
fn wrong_types_name_expected_and_found() {
    let errors = errors("listen = 8080\n[sync]\npast_days = \"7\"\n", &[]);
    assert_eq!(
        errors,
        [
            "`listen`: expected a string, but found an integer `8080`",
            "`sync.past_days`: expected an integer, but found a string `\"7\"`",
        ]
    );
}

#[test]
fn password_in_file_rejected() {
    let text = r#"
[exchange]
url = "https://mail.example.com/EWS/Exchange.asmx"
auth = "ntlm"
username = "svc"
password = "hunter2"
"#;
    let errors = errors(text, &[("ROOMBRIDGE_EXCHANGE_PASSWORD", "pw")]);
    assert_eq!(
        errors,
        [
            "`exchange.password`: secrets are not read from the configuration file; set \
          ROOMBRIDGE_EXCHANGE_PASSWORD or `exchange.password_file` instead"
        ]
    );
    assert!(errors.iter().all(|line| !line.contains("hunter2")));
}

#[test]
fn exchange_requires_url_and_auth() {
    let errors = errors("[exchange]\nusername = \"svc\"\n", &[]);
    assert_eq!(
        errors,
        [
            "`exchange.url`: missing; set the EWS endpoint, for example \
             `https://mail.example.com/EWS/Exchange.asmx`, or ROOMBRIDGE_EXCHANGE_URL",
            "`exchange.auth`: missing; set `basic`, `ntlm` or `bearer`, or ROOMBRIDGE_EXCHANGE_AUTH",
        ]
    );
}

const NTLM_EXCHANGE: &str = "[exchange]\nurl = \"https://mail.example.com/EWS/Exchange.asmx\"\n\
                             auth = \"ntlm\"\nusername = \"EXAMPLE\\\\svc\"\n";

#[test]
fn missing_password_is_reported_when_it_is_needed() {
    let config = load(NTLM_EXCHANGE, &[]).expect("loads without the credential");
    let exchange = config.exchange.expect("exchange is configured");
    assert_eq!(
        exchange.password().unwrap_err(),
        "the Exchange credential is not usable: `exchange.password_file`: missing; set \
         ROOMBRIDGE_EXCHANGE_PASSWORD or name a file holding the password"
    );
}

#[test]
fn unreadable_password_file_named() {
    let config = load(
        NTLM_EXCHANGE,
        &[(
            "ROOMBRIDGE_EXCHANGE_PASSWORD_FILE",
            "/nonexistent/roombridge-pw",
        )],
    )
    .expect("loads without the credential");
    let message = config.exchange.unwrap().password().unwrap_err();
    assert!(
        message.starts_with(
            "the Exchange credential is not usable: `exchange.password_file` (from \
             ROOMBRIDGE_EXCHANGE_PASSWORD_FILE): cannot read `/nonexistent/roombridge-pw`: "
        ),
        "{message}"
    );
}

#[test]
fn empty_password_variable_is_reported() {
    let config = load(NTLM_EXCHANGE, &[("ROOMBRIDGE_EXCHANGE_PASSWORD", "")]).unwrap();
    assert!(
        config
            .exchange
            .unwrap()
            .password()
            .unwrap_err()
            .contains("ROOMBRIDGE_EXCHANGE_PASSWORD is set but empty")
    );
}

#[test]
fn basic_auth_over_http_rejected() {
    let text = "[exchange]\nurl = \"http://mail.example.com/EWS/Exchange.asmx\"\nauth = \"basic\"\n\
                username = \"svc\"\n";
    let errors = errors(text, &[("ROOMBRIDGE_EXCHANGE_PASSWORD", "pw")]);
    assert_eq!(
        errors,
        [
            "`exchange.url`: basic authentication would send the password unencrypted; use an \
          https:// URL"
        ]
    );
    let loopback = text.replace("mail.example.com", "127.0.0.1:8765");
    assert!(load(&loopback, &[("ROOMBRIDGE_EXCHANGE_PASSWORD", "pw")]).is_ok());
}

#[test]
fn unknown_server_version_rejected() {
    let text = "[exchange]\nurl = \"https://mail.example.com/EWS/Exchange.asmx\"\n\
                auth = \"bearer\"\nserver_version = \"Exchange2019\"\n";
    let errors = errors(text, &[("ROOMBRIDGE_EXCHANGE_PASSWORD", "token")]);
    assert_eq!(
        errors,
        [
            "`exchange.server_version`: expected an EWS `RequestServerVersion` such as \
          `Exchange2013_SP1` or `Exchange2016`, but found `Exchange2019`"
        ]
    );
}

#[test]
fn environment_overrides_file() {
    let text = "database_url = \"sqlite://file.db\"\n[sync]\ninterval = \"5m\"\n";
    let config = load(
        text,
        &[
            ("ROOMBRIDGE_DATABASE_URL", "postgres://localhost/roombridge"),
            ("ROOMBRIDGE_LISTEN", "127.0.0.1:9999"),
            ("ROOMBRIDGE_SYNC_INTERVAL", "15m"),
            ("ROOMBRIDGE_SYNC_FUTURE_DAYS", "30"),
            ("ROOMBRIDGE_SYNC_CONCURRENCY", "12"),
            (
                "ROOMBRIDGE_EXCHANGE_URL",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
            ("ROOMBRIDGE_EXCHANGE_AUTH", "bearer"),
            ("ROOMBRIDGE_EXCHANGE_PASSWORD", "token"),
            (
                "ROOMBRIDGE_EXCHANGE_IMPERSONATION_DOMAINS",
                "example.com, example.org",
            ),
        ],
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.database_url, "postgres://localhost/roombridge");
    assert_eq!(config.listen, "127.0.0.1:9999".parse().unwrap());
    assert_eq!(config.sync.interval, Duration::from_secs(15 * 60));
    assert_eq!(config.sync.future_days, 30);
    assert_eq!(config.sync.concurrency, 12);
    let exchange = config.exchange.unwrap();
    assert_eq!(exchange.auth, ExchangeAuth::Bearer);
    assert_eq!(
        exchange.impersonation_domains,
        ["example.com", "example.org"]
    );
}

#[test]
fn environment_errors_name_variable() {
    let errors = errors(
        "",
        &[
            ("ROOMBRIDGE_SYNC_PAST_DAYS", "a week"),
            ("ROOMBRIDGE_LISTEN", "8080"),
        ],
    );
    assert_eq!(
        errors,
        [
            "`sync.past_days` (from ROOMBRIDGE_SYNC_PAST_DAYS): expected an integer, but found \
             `a week`",
            "`listen` (from ROOMBRIDGE_LISTEN): expected an address and port such as \
             `127.0.0.1:8080`, but found `8080`",
        ]
    );
}

#[test]
fn database_url_error_hides_password() {
    let errors = errors(
        "database_url = \"mysql://app:hunter2@db/roombridge\"\n",
        &[],
    );
    assert_eq!(
        errors,
        [
            "`database_url`: expected a URL starting with `sqlite:` or `postgres://`, but found \
          `mysql://app:[redacted]@db/roombridge`"
        ]
    );
}

#[test]
fn secret_never_in_debug_output() {
    let config = load(
        "",
        &[
            (
                "ROOMBRIDGE_EXCHANGE_URL",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
            ("ROOMBRIDGE_EXCHANGE_AUTH", "bearer"),
            ("ROOMBRIDGE_EXCHANGE_PASSWORD", "very-secret-token"),
        ],
    )
    .unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("very-secret-token"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}

#[test]
fn syntax_error_names_file_and_line() {
    let error = load("listen = \n", &[]).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("the configuration file "), "{message}");
    assert!(message.contains("line 1"), "{message}");
}

#[test]
fn missing_file_names_path() {
    let error = Config::load_with_env(Some(Path::new("/nonexistent/roombridge.toml")), &|_| None)
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("cannot read the configuration file /nonexistent/roombridge.toml: "),
        "{message}"
    );
    assert!(
        message.ends_with("; check the path given to --config"),
        "{message}"
    );
}

#[test]
fn interval_accepts_humane_durations() {
    for (text, seconds) in [
        ("10m", 600),
        ("90s", 90),
        ("1h 30m", 5400),
        ("2 hours", 7200),
    ] {
        assert_eq!(
            parse_interval(text),
            Ok(Duration::from_secs(seconds)),
            "{text}"
        );
    }
    assert!(parse_interval("0s").is_err());
    assert!(parse_interval("-5m").is_err());
}

#[test]
fn every_variable_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("../../roombridge.example.toml")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let variables = ENV_OVERRIDES
        .iter()
        .map(|(var, ..)| *var)
        .chain([PASSWORD_VAR]);
    for var in variables {
        assert!(
            example.contains(var),
            "roombridge.example.toml does not mention {var}"
        );
        assert!(
            readme.contains(var),
            "the crate README does not mention {var}"
        );
    }
}

#[test]
fn booking_limits_read_from_file_and_environment() {
    let config = load(
        "[bookings]\nmax_duration = \"8h 30m\"\nmax_subject_chars = 100\n",
        &[("ROOMBRIDGE_BOOKINGS_MAX_ATTENDEES", "20")],
    )
    .unwrap();
    assert_eq!(
        config.limits,
        Limits {
            max_duration: jiff::SignedDuration::from_mins(510),
            max_subject_chars: 100,
            max_body_chars: Limits::default().max_body_chars,
            max_attendees: 20,
        }
    );
    assert_eq!(load("", &[]).unwrap().limits, Limits::default());
    let fortnight = load("[bookings]\nmax_duration = \"14d\"\n", &[]).unwrap();
    assert_eq!(
        fortnight.limits.max_duration,
        jiff::SignedDuration::from_hours(14 * 24)
    );
}

#[test]
fn booking_limits_out_of_range_rejected() {
    let errors = errors(
        "[bookings]\nmax_duration = \"400d\"\nmax_subject_chars = 0\nmax_seats = 3\n",
        &[],
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with("`bookings.max_duration`: "),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("`bookings.max_subject_chars`: "),
        "{errors:?}"
    );
    assert!(
        errors[2].starts_with("`bookings.max_seats`: unknown key"),
        "{errors:?}"
    );
}
