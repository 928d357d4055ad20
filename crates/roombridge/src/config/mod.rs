//! Service configuration: a TOML file (`--config FILE`) with environment
//! overrides, checked as a whole so that every bad key is reported at once.
//!
//! Every key, its default and its environment variable are described in
//! `roombridge.example.toml` at the repository root and in this crate's
//! README. Secrets are read only from the environment or from a file named
//! in the configuration, never from the configuration file itself.

mod reader;
mod secret;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reader::{KeyError, Problems, Section};
use roombridge_domain::{Limits, ResponseMode};
pub(crate) use secret::Secret;

/// Default database: an SQLite file in the working directory, created on
/// first start.
pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://roombridge.db";

/// Default address of the HTTP API.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Default time between two sync runs.
pub(crate) const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Default number of past days the sync window covers.
pub(crate) const DEFAULT_SYNC_PAST_DAYS: u32 = 30;

/// Default number of future days the sync window covers.
pub(crate) const DEFAULT_SYNC_FUTURE_DAYS: u32 = 180;

/// Default number of rooms read at once. The default throttling policy of
/// Exchange 2013 and later (`EWSMaxConcurrency`) allows 27 concurrent EWS
/// requests per account and rejects more with ErrorServerBusy, so 24
/// leaves room for other clients of the service account.
pub(crate) const DEFAULT_SYNC_CONCURRENCY: u32 = 24;

/// Default `RequestServerVersion`, understood by Exchange 2013 SP1 and every
/// later on-premises release.
pub(crate) const DEFAULT_SERVER_VERSION: &str = "Exchange2013_SP1";

/// Environment variable holding the Exchange password or bearer token.
pub(crate) const PASSWORD_VAR: &str = "ROOMBRIDGE_EXCHANGE_PASSWORD";

/// The values of `ExchangeVersionType` in Microsoft's EWS schema
/// (`types.xsd` of Exchange 2016), which `RequestServerVersion` accepts.
const SERVER_VERSIONS: &[&str] = &[
    "Exchange2007",
    "Exchange2007_SP1",
    "Exchange2009",
    "Exchange2010",
    "Exchange2010_SP1",
    "Exchange2010_SP2",
    "Exchange2012",
    "Exchange2013",
    "Exchange2013_SP1",
    "Exchange2015",
    "Exchange2016",
    "V2015_10_05",
    "V2016_01_06",
    "V2016_04_13",
    "V2016_07_13",
    "V2016_10_10",
    "V2017_01_07",
    "V2017_04_14",
    "V2017_07_11",
];

/// The kind of value an environment override carries.
#[derive(Debug, Clone, Copy)]
enum EnvKind {
    Text,
    Integer,
    Boolean,
    CommaList,
}

/// Environment variables that override configuration keys, with the key path
/// (section, key) each one sets.
const ENV_OVERRIDES: &[(&str, Option<&str>, &str, EnvKind)] = &[
    (
        "ROOMBRIDGE_DATABASE_URL",
        None,
        "database_url",
        EnvKind::Text,
    ),
    ("ROOMBRIDGE_LISTEN", None, "listen", EnvKind::Text),
    ("ROOMBRIDGE_LOG_FORMAT", None, "log_format", EnvKind::Text),
    (
        "ROOMBRIDGE_EXCHANGE_URL",
        Some("exchange"),
        "url",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_EXCHANGE_AUTH",
        Some("exchange"),
        "auth",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_EXCHANGE_USERNAME",
        Some("exchange"),
        "username",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_EXCHANGE_PASSWORD_FILE",
        Some("exchange"),
        "password_file",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_EXCHANGE_SERVER_VERSION",
        Some("exchange"),
        "server_version",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_EXCHANGE_CA_BUNDLE",
        Some("exchange"),
        "ca_bundle",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_EXCHANGE_DANGER_ACCEPT_INVALID_CERTS",
        Some("exchange"),
        "danger_accept_invalid_certs",
        EnvKind::Boolean,
    ),
    (
        "ROOMBRIDGE_EXCHANGE_IMPERSONATION_DOMAINS",
        Some("exchange"),
        "impersonation_domains",
        EnvKind::CommaList,
    ),
    (
        "ROOMBRIDGE_BOOKINGS_MAX_DURATION",
        Some("bookings"),
        "max_duration",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_BOOKINGS_MAX_SUBJECT_CHARS",
        Some("bookings"),
        "max_subject_chars",
        EnvKind::Integer,
    ),
    (
        "ROOMBRIDGE_BOOKINGS_MAX_BODY_CHARS",
        Some("bookings"),
        "max_body_chars",
        EnvKind::Integer,
    ),
    (
        "ROOMBRIDGE_BOOKINGS_MAX_ATTENDEES",
        Some("bookings"),
        "max_attendees",
        EnvKind::Integer,
    ),
    (
        "ROOMBRIDGE_SYNC_INTERVAL",
        Some("sync"),
        "interval",
        EnvKind::Text,
    ),
    (
        "ROOMBRIDGE_SYNC_PAST_DAYS",
        Some("sync"),
        "past_days",
        EnvKind::Integer,
    ),
    (
        "ROOMBRIDGE_SYNC_FUTURE_DAYS",
        Some("sync"),
        "future_days",
        EnvKind::Integer,
    ),
    (
        "ROOMBRIDGE_SYNC_CONCURRENCY",
        Some("sync"),
        "concurrency",
        EnvKind::Integer,
    ),
];

/// The whole service configuration, validated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// sqlx database URL: `sqlite://...` or `postgres://...`.
    pub(crate) database_url: String,
    /// Address and port of the HTTP API.
    pub(crate) listen: SocketAddr,
    /// Format of log lines on standard error.
    pub(crate) log_format: LogFormat,
    /// Exchange connection; absent when no `[exchange]` section is configured.
    pub(crate) exchange: Option<ExchangeConfig>,
    /// Sync schedule and window.
    pub(crate) sync: SyncConfig,
    /// Rooms to create or update at `serve` and `migrate`.
    pub(crate) rooms: Vec<RoomConfig>,
    /// Limits that bookings made through roombridge must respect.
    pub(crate) limits: Limits,
}

/// Format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Authentication scheme for Exchange Web Services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExchangeAuth {
    /// HTTP Basic over TLS.
    Basic,
    /// NTLM handshake on one keep-alive connection.
    Ntlm,
    /// OAuth 2.0 bearer token, the password being the access token.
    Bearer,
}

/// Connection to Exchange Web Services.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExchangeConfig {
    /// EWS endpoint, for example `https://mail.example.com/EWS/Exchange.asmx`.
    pub(crate) url: String,
    /// Authentication scheme.
    pub(crate) auth: ExchangeAuth,
    /// Service account, required for `basic` and `ntlm`.
    pub(crate) username: Option<String>,
    /// Password, or the access token for `bearer`, read when the
    /// configuration loads. A missing or unreadable credential is kept as
    /// its problem and reported by [`ExchangeConfig::password`], so that
    /// commands that never contact Exchange run without it.
    pub(crate) password: Result<Secret, KeyError>,
    /// `RequestServerVersion` sent with every request.
    pub(crate) server_version: String,
    /// PEM bundle of extra certificate authorities to trust.
    pub(crate) ca_bundle: Option<PathBuf>,
    /// Skips certificate verification; `serve` logs a warning when set.
    pub(crate) danger_accept_invalid_certs: bool,
    /// Mail domains whose users the service account may impersonate; empty
    /// allows every domain.
    pub(crate) impersonation_domains: Vec<String>,
}

/// Sync schedule and window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyncConfig {
    /// Time between two scheduled sync runs.
    pub(crate) interval: Duration,
    /// Days before today that the sync window covers.
    pub(crate) past_days: u32,
    /// Days after today that the sync window covers.
    pub(crate) future_days: u32,
    /// Rooms read at once, and outbox records pushed at once. Each has at
    /// most one EWS request in flight.
    pub(crate) concurrency: u32,
}

/// A room declared in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoomConfig {
    /// Mailbox address of the room.
    pub(crate) address: String,
    /// Display name.
    pub(crate) name: String,
    /// Number of seats.
    pub(crate) capacity: Option<u32>,
    /// Free-text location, such as a building and floor.
    pub(crate) location: Option<String>,
    /// Response mode: the party that accepts meeting requests.
    pub(crate) mode: ResponseMode,
}

/// Error loading the configuration.
#[derive(Debug)]
pub(crate) enum ConfigError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    Syntax { path: PathBuf, message: String },
    /// One or more keys are invalid or unknown.
    Invalid {
        origin: String,
        errors: Vec<KeyError>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => write!(
                f,
                "cannot read the configuration file {}: {source}; check the path given to --config",
                path.display()
            ),
            Self::Syntax { path, message } => write!(
                f,
                "the configuration file {} is not valid TOML: {}",
                path.display(),
                message.trim_end()
            ),
            Self::Invalid { origin, errors } => {
                let count = errors.len();
                let noun = if count == 1 { "problem" } else { "problems" };
                write!(f, "invalid configuration in {origin} ({count} {noun}):")?;
                for error in errors {
                    write!(f, "\n  {error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Loads the configuration from `file` (when given) and the process
    /// environment.
    ///
    /// # Errors
    ///
    /// Returns every invalid or unknown key at once; see [`ConfigError`].
    pub(crate) fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_env(file, &|name| std::env::var(name).ok())
    }

    /// Loads the configuration from `file` and the environment `env` looks up.
    ///
    /// # Errors
    ///
    /// Returns every invalid or unknown key at once; see [`ConfigError`].
    pub(crate) fn load_with_env(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let (text, origin) = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                (text, path.display().to_string())
            }
            None => (String::new(), "the environment".to_owned()),
        };
        let table: toml::Table = toml::from_str(&text).map_err(|error| ConfigError::Syntax {
            path: file.map(Path::to_owned).unwrap_or_default(),
            message: syntax_message(&text, &error),
        })?;
        Self::from_table(table, env).map_err(|errors| ConfigError::Invalid { origin, errors })
    }

    /// Validates a parsed table after applying the environment overrides.
    fn from_table(
        mut table: toml::Table,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Vec<KeyError>> {
        let mut problems = Problems::default();
        apply_env_overrides(&mut table, env, &mut problems);

        let mut root = Section::new("", table);
        let database_url = root
            .parsed("database_url", &mut problems, check_database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let listen = root.parsed("listen", &mut problems, parse_listen);
        let log_format = root.parsed("log_format", &mut problems, parse_log_format);
        let exchange = root
            .table("exchange", &mut problems)
            .and_then(|section| read_exchange(section, env, &mut problems));
        let sync = match root.table("sync", &mut problems) {
            Some(section) => read_sync(section, &mut problems),
            None => SyncConfig::default(),
        };
        let limits = match root.table("bookings", &mut problems) {
            Some(section) => read_limits(section, &mut problems),
            None => Limits::default(),
        };
        let rooms = read_rooms(root.tables("rooms", &mut problems), &mut problems);
        root.finish(&mut problems);

        if !problems.is_empty() {
            return Err(problems.into_errors());
        }
        Ok(Self {
            database_url,
            listen: listen.unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default")),
            log_format: log_format.unwrap_or(LogFormat::Text),
            exchange,
            sync,
            rooms,
            limits,
        })
    }
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            interval: DEFAULT_SYNC_INTERVAL,
            past_days: DEFAULT_SYNC_PAST_DAYS,
            future_days: DEFAULT_SYNC_FUTURE_DAYS,
            concurrency: DEFAULT_SYNC_CONCURRENCY,
        }
    }
}

/// Writes each set environment override into `table`, creating sections as
/// needed, and records where each value came from.
fn apply_env_overrides(
    table: &mut toml::Table,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Problems,
) {
    for &(var, section, key, kind) in ENV_OVERRIDES {
        let Some(raw) = env(var) else { continue };
        let path = match section {
            Some(section) => format!("{section}.{key}"),
            None => key.to_owned(),
        };
        problems.set_origin(&path, var);
        let value = match kind {
            EnvKind::Text => toml::Value::String(raw),
            EnvKind::Integer => match raw.trim().parse::<i64>() {
                Ok(number) => toml::Value::Integer(number),
                Err(_) => {
                    problems.push(&path, format!("expected an integer, but found `{raw}`"));
                    continue;
                }
            },
            EnvKind::Boolean => match raw.trim() {
                "true" | "1" => toml::Value::Boolean(true),
                "false" | "0" => toml::Value::Boolean(false),
                _ => {
                    problems.push(
                        &path,
                        format!("expected `true` or `false`, but found `{raw}`"),
                    );
                    continue;
                }
            },
            EnvKind::CommaList => toml::Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| toml::Value::String(item.to_owned()))
                    .collect(),
            ),
        };
        let target = match section {
            None => &mut *table,
            Some(section) => {
                let entry = table
                    .entry(section)
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                match entry {
                    toml::Value::Table(inner) => inner,
                    // The section's own reader reports the wrong type.
                    _ => continue,
                }
            }
        };
        target.insert(key.to_owned(), value);
    }
}

fn read_exchange(
    mut section: Section,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Problems,
) -> Option<ExchangeConfig> {
    let url = section.parsed("url", problems, check_ews_url);
    let auth = section.parsed("auth", problems, parse_auth);
    let username = section.string("username", problems);
    if section.take_value("password").is_some() {
        problems.push(
            &section.key_path("password"),
            format!(
                "secrets are not read from the configuration file; set {PASSWORD_VAR} or \
                 `exchange.password_file` instead"
            ),
        );
    }
    let password_file = section.string("password_file", problems);
    let server_version = section
        .parsed("server_version", problems, check_server_version)
        .unwrap_or_else(|| DEFAULT_SERVER_VERSION.to_owned());
    let ca_bundle = section.string("ca_bundle", problems).map(PathBuf::from);
    let danger_accept_invalid_certs = section
        .boolean("danger_accept_invalid_certs", problems)
        .unwrap_or(false);
    let impersonation_domains = section.strings("impersonation_domains", problems);

    let url_missing = section.key_path("url");
    let auth_missing = section.key_path("auth");
    let username_path = section.key_path("username");
    let password_path = section.key_path("password_file");
    let domains_path = section.key_path("impersonation_domains");
    let ca_path = section.key_path("ca_bundle");
    section.finish(problems);

    if url.is_none() && !problems.contains_key(&url_missing) {
        problems.push(
            &url_missing,
            "missing; set the EWS endpoint, for example \
             `https://mail.example.com/EWS/Exchange.asmx`, or ROOMBRIDGE_EXCHANGE_URL",
        );
    }
    if auth.is_none() && !problems.contains_key(&auth_missing) {
        problems.push(
            &auth_missing,
            "missing; set `basic`, `ntlm` or `bearer`, or ROOMBRIDGE_EXCHANGE_AUTH",
        );
    }
    if matches!(auth, Some(ExchangeAuth::Basic | ExchangeAuth::Ntlm)) && username.is_none() {
        problems.push(
            &username_path,
            "missing; `basic` and `ntlm` authentication need the service account, \
             for example `svc-roombridge@example.com`",
        );
    }
    if let (Some(url), Some(ExchangeAuth::Basic)) = (&url, auth)
        && url.starts_with("http://")
        && !is_loopback_url(url)
    {
        problems.push(
            &url_missing,
            "basic authentication would send the password unencrypted; use an https:// URL",
        );
    }
    if let Some(path) = &ca_bundle
        && !path.is_file()
    {
        problems.push(
            &ca_path,
            format!(
                "the file `{}` does not exist; give the path of a PEM bundle",
                path.display()
            ),
        );
    }
    if let Some(domains) = &impersonation_domains {
        for domain in domains {
            if domain.is_empty() || domain.contains('@') || domain.contains(char::is_whitespace) {
                problems.push(
                    &domains_path,
                    format!("expected a mail domain such as `example.com`, but found `{domain}`"),
                );
            }
        }
    }
    let password = read_password(
        password_file.as_deref(),
        env,
        &password_path,
        problems.origin(&password_path),
    );

    Some(ExchangeConfig {
        url: url?,
        auth: auth?,
        username,
        password,
        server_version,
        ca_bundle,
        danger_accept_invalid_certs,
        impersonation_domains: impersonation_domains.unwrap_or_default(),
    })
}

/// Reads the Exchange credential: the environment variable wins over the file.
fn read_password(
    file: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    key: &str,
    key_origin: Option<&'static str>,
) -> Result<Secret, KeyError> {
    let problem = |message: String| KeyError {
        key: key.to_owned(),
        env_var: key_origin,
        message,
    };
    if let Some(value) = env(PASSWORD_VAR) {
        // An empty variable would otherwise win over a valid file and fail
        // only at Exchange's sign-in.
        if value.is_empty() {
            return Err(problem(format!(
                "{PASSWORD_VAR} is set but empty; set it to the password, or unset it \
                 to read `exchange.password_file`"
            )));
        }
        return Ok(Secret::new(value));
    }
    let Some(file) = file else {
        return Err(problem(format!(
            "missing; set {PASSWORD_VAR} or name a file holding the password"
        )));
    };
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let value = text.trim_end_matches(['\r', '\n']).to_owned();
            if value.is_empty() {
                return Err(problem(format!(
                    "the file `{file}` is empty; write the password into it"
                )));
            }
            Ok(Secret::new(value))
        }
        Err(error) => Err(problem(format!("cannot read `{file}`: {error}"))),
    }
}

impl ExchangeConfig {
    /// Returns the Exchange password or access token.
    ///
    /// # Errors
    ///
    /// Returns the problem found when the configuration loaded: the
    /// credential is missing, empty or its file cannot be read.
    pub(crate) fn password(&self) -> Result<&Secret, String> {
        self.password
            .as_ref()
            .map_err(|problem| format!("the Exchange credential is not usable: {problem}"))
    }
}

fn read_limits(mut section: Section, problems: &mut Problems) -> Limits {
    let defaults = Limits::default();
    let max_duration = section.parsed("max_duration", problems, parse_max_duration);
    let max_subject_chars = section.integer("max_subject_chars", 1..=10_000, problems);
    let max_body_chars = section.integer("max_body_chars", 0..=100_000, problems);
    let max_attendees = section.integer("max_attendees", 0..=10_000, problems);
    section.finish(problems);
    Limits {
        max_duration: max_duration.unwrap_or(defaults.max_duration),
        max_subject_chars: max_subject_chars.unwrap_or(defaults.max_subject_chars),
        max_body_chars: max_body_chars.unwrap_or(defaults.max_body_chars),
        max_attendees: max_attendees.unwrap_or(defaults.max_attendees),
    }
}

/// Parses the longest booking allowed: from one minute to 366 days.
fn parse_max_duration(text: &str) -> Result<jiff::SignedDuration, String> {
    let unparsable =
        || format!("expected a duration such as `24h`, `8h 30m` or `14d`, but found `{text}`");
    // A span, unlike a SignedDuration, accepts days, counted as 24 hours.
    let span: jiff::Span = text.parse().map_err(|_| unparsable())?;
    let parsed = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| unparsable())?;
    let longest = jiff::SignedDuration::from_hours(366 * 24);
    if parsed < jiff::SignedDuration::from_mins(1) || parsed > longest {
        return Err(format!(
            "expected a duration from `1m` to `366d`, but found `{text}`"
        ));
    }
    Ok(parsed)
}

fn read_sync(mut section: Section, problems: &mut Problems) -> SyncConfig {
    let defaults = SyncConfig::default();
    let interval = section.parsed("interval", problems, parse_interval);
    let past_days = section.integer("past_days", 0..=3650, problems);
    let future_days = section.integer("future_days", 1..=3650, problems);
    let concurrency = section.integer("concurrency", 1..=256, problems);
    section.finish(problems);
    SyncConfig {
        interval: interval.unwrap_or(defaults.interval),
        past_days: past_days.unwrap_or(defaults.past_days),
        future_days: future_days.unwrap_or(defaults.future_days),
        concurrency: concurrency.unwrap_or(defaults.concurrency),
    }
}

fn read_rooms(sections: Vec<Section>, problems: &mut Problems) -> Vec<RoomConfig> {
    let mut rooms = Vec::with_capacity(sections.len());
    // Address (normalized) to the key path of the room that first used it.
    let mut seen = std::collections::HashMap::<String, String>::new();
    for mut section in sections {
        let address_path = section.key_path("address");
        let name_path = section.key_path("name");
        let address = section.parsed("address", problems, check_address);
        let name = section.parsed("name", problems, check_room_name);
        if let Some(address) = &address {
            match seen.get(address) {
                Some(first) => problems.push(
                    &address_path,
                    format!(
                        "room `{address}` is already listed at `{first}`; \
                         addresses match without regard to case, so remove one of them"
                    ),
                ),
                None => {
                    seen.insert(address.clone(), address_path.clone());
                }
            }
        }
        let capacity = section.integer("capacity", 0..=100_000, problems);
        let location = section.string("location", problems);
        let mode = section.parsed("mode", problems, parse_mode);
        section.finish(problems);

        if address.is_none() && !problems.contains_key(&address_path) {
            problems.push(&address_path, "missing; set the room's mailbox address");
        }
        if name.is_none() && !problems.contains_key(&name_path) {
            problems.push(&name_path, "missing; set the room's display name");
        }
        if let (Some(address), Some(name)) = (address, name) {
            let mode = mode.unwrap_or(ResponseMode::AutoAccept);
            rooms.push(RoomConfig {
                address,
                name,
                capacity,
                location,
                mode,
            });
        }
    }
    rooms
}

fn check_database_url(text: &str) -> Result<String, String> {
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|prefix| text.starts_with(prefix)) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "expected a URL starting with `sqlite:` or `postgres://`, but found `{}`",
            redact_url(text)
        ))
    }
}

/// Describes a TOML syntax error by position and message only. The
/// toml crate's own text quotes the line in error, which may hold a
/// password written into the file by mistake.
fn syntax_message(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    let Some(span) = error.span() else {
        return message.to_owned();
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let column = before[line_start..].chars().count() + 1;
    format!("line {line}, column {column}: {message}")
}

/// Hides the passwords in a database URL, so that an error message or log
/// line never repeats them. It hides the one in
/// `scheme://user:password@host` and the value of every query parameter
/// whose name contains `pass`: sqlx reads `password`, libpq also
/// `sslpassword`, and a misspelt name is hidden too. The user part ends at
/// the last `@` before the query, because a password may contain an
/// unencoded `@` or `/`.
pub(crate) fn redact_url(url: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (url, None),
    };
    let mut redacted = match main.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:[redacted]@{host}"),
                None => main.to_owned(),
            },
            None => main.to_owned(),
        },
        None => main.to_owned(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.to_ascii_lowercase().contains("pass") => {
                    format!("{key}=[redacted]")
                }
                _ => pair.to_owned(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&pairs.join("&"));
    }
    redacted
}

fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| {
        format!("expected an address and port such as `127.0.0.1:8080`, but found `{text}`")
    })
}

fn parse_log_format(text: &str) -> Result<LogFormat, String> {
    match text {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(format!("expected `text` or `json`, but found `{other}`")),
    }
}

fn check_ews_url(text: &str) -> Result<String, String> {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return Err(format!(
            "expected an https:// URL such as `https://mail.example.com/EWS/Exchange.asmx`, \
             but found `{text}`"
        ));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("the URL `{text}` has no host name"));
    }
    Ok(text.to_owned())
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => authority,
    };
    matches!(host, "localhost" | "[::1]") || host.starts_with("127.")
}

/// Parses a room's response mode; the command line uses the same spelling.
pub(crate) fn parse_mode(text: &str) -> Result<ResponseMode, String> {
    text.parse::<ResponseMode>()
        .map_err(|_| format!("expected `auto-accept` or `accept-as-room`, but found `{text}`"))
}

fn parse_auth(text: &str) -> Result<ExchangeAuth, String> {
    match text {
        "basic" => Ok(ExchangeAuth::Basic),
        "ntlm" => Ok(ExchangeAuth::Ntlm),
        "bearer" => Ok(ExchangeAuth::Bearer),
        other => Err(format!(
            "expected `basic`, `ntlm` or `bearer`, but found `{other}`"
        )),
    }
}

fn check_server_version(text: &str) -> Result<String, String> {
    if SERVER_VERSIONS.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "expected an EWS `RequestServerVersion` such as `Exchange2013_SP1` or `Exchange2016`, \
             but found `{text}`"
        ))
    }
}

/// Parses a duration such as `10m`, `1h 30m` or `90s` (jiff's friendly
/// format; ISO 8601 `PT10M` works too).
fn parse_interval(text: &str) -> Result<Duration, String> {
    let parsed: jiff::SignedDuration = text.parse().map_err(|_| {
        format!("expected a duration such as `10m`, `1h 30m` or `90s`, but found `{text}`")
    })?;
    if parsed < jiff::SignedDuration::from_secs(1) {
        return Err(format!(
            "expected a duration of at least `1s`, but found `{text}`"
        ));
    }
    Duration::try_from(parsed).map_err(|_| format!("the duration `{text}` is out of range"))
}

/// Checks a mailbox address and returns it in the normalized (lower-case)
/// form the store uses.
/// Checks a room's display name: not blank and without control
/// characters, which Exchange and PostgreSQL text cannot carry.
fn check_room_name(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("the name is empty; set the room's display name".to_owned());
    }
    if let Some(control) = text.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the name contains the control character U+{:04X}; remove it",
            u32::from(control)
        ));
    }
    Ok(text.to_owned())
}

fn check_address(text: &str) -> Result<String, String> {
    let normalized = roombridge_domain::normalize_address(text);
    if roombridge_domain::is_valid_address(&normalized) {
        Ok(normalized)
    } else {
        Err(format!(
            "expected a mailbox address such as `room-101@example.com`, but found `{text}`"
        ))
    }
}

#[cfg(test)]
mod tests;
