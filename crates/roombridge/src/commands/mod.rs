//! Command-line parsing and dispatch; each subcommand lives in its own module.

mod bookings;
mod demo;
mod failure;
mod migrate;
mod room;
mod serve;
mod simulate;
mod sync;
mod token;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
pub(crate) use failure::Failure;

use crate::config::Config;

/// Keeps meeting rooms in two-way sync with Microsoft Exchange.
#[derive(Debug, Parser)]
#[command(name = "roombridge", version, about)]
pub(crate) struct Cli {
    /// TOML configuration file (see roombridge.example.toml). Without it,
    /// defaults and ROOMBRIDGE_* environment variables apply; the database
    /// defaults to the SQLite file `roombridge.db` in the working directory
    /// and is overridden by ROOMBRIDGE_DATABASE_URL.
    #[arg(long, global = true, value_name = "FILE", env = "ROOMBRIDGE_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the REST API, /healthz and /metrics, and with an `[exchange]`
    /// section the scheduled sync. Migrates the database and saves the
    /// rooms listed in the configuration first.
    Serve(serve::ServeArgs),
    /// Create or upgrade the database schema and save the rooms listed in
    /// the configuration.
    Migrate,
    /// Add, change or list rooms.
    #[command(subcommand)]
    Room(room::RoomCommand),
    /// Add or change users, the people who book through roombridge.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Create API tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Show bookings.
    #[command(subcommand)]
    Bookings(bookings::BookingsCommand),
    /// Serve the built-in Exchange simulator (EWS over HTTP) on loopback.
    Simulate(simulate::SimulateArgs),
    /// Push pending changes to Exchange and read every room's calendar
    /// once (or one room's with --room), printing a report per room.
    Sync(sync::SyncArgs),
    /// Start the Exchange simulator and roombridge on loopback, book, move
    /// and cancel from both sides, and check every effect in both.
    Demo(demo::DemoArgs),
}

/// Runs the parsed command and returns the process exit status.
pub(crate) fn run(cli: Cli) -> ExitCode {
    let command = match cli.command {
        Command::Simulate(args) => {
            note_config_unused(cli.config.as_deref(), "simulate");
            return simulate::run(args);
        }
        Command::Demo(args) => {
            note_config_unused(cli.config.as_deref(), "demo");
            return demo::run(args);
        }
        other => other,
    };
    match run_with_config(cli.config, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::FAILURE
        }
    }
}

/// Tells the user that `command` runs on its own settings, so that a
/// `--config` (or ROOMBRIDGE_CONFIG) they expected it to follow does not go
/// unnoticed.
fn note_config_unused(file: Option<&std::path::Path>, command: &str) {
    if let Some(file) = file {
        eprintln!(
            "note: `{command}` does not read the configuration file {}; it runs on its own \
             settings (see `roombridge {command} --help`)",
            file.display()
        );
    }
}

fn run_with_config(file: Option<PathBuf>, command: Command) -> Result<(), Failure> {
    let config = Config::load(file.as_deref())?;
    let serving = matches!(command, Command::Serve(_));
    crate::logging::init(config.log_format, if serving { "info" } else { "warn" });
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| Failure::new(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(async move {
        match command {
            Command::Serve(args) => serve::run(&config, args).await,
            Command::Migrate => migrate::run(&config).await,
            Command::Room(command) => room::run(&config, command).await,
            Command::User(command) => user::run(&config, command).await,
            Command::Token(command) => token::run(&config, command).await,
            Command::Bookings(command) => bookings::run(&config, command).await,
            Command::Sync(args) => sync::run(&config, args).await,
            Command::Simulate(_) | Command::Demo(_) => {
                unreachable!("handled before the configuration is loaded")
            }
        }
    })
}

/// Escapes text for one tab-separated column: backslash, tab, line feed
/// and carriage return as `\\`, `\t`, `\n` and `\r`, other control
/// characters as `\u{1b}`. Bookings read from Exchange are stored as
/// Exchange sent them, so their text could otherwise split a line or send
/// escape sequences to the terminal.
pub(crate) fn tsv_field(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '\t' => escaped.push_str("\\t"),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            c if c.is_control() => escaped.push_str(&c.escape_unicode().to_string()),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Opens the configured database.
async fn open_store(config: &Config) -> Result<roombridge_store::Store, Failure> {
    let store = roombridge_store::Store::connect(&config.database_url)
        .await
        .map_err(|error| {
            Failure::new(format!(
                "cannot open the database {}: {error}",
                crate::config::redact_url(&config.database_url)
            ))
        })?;
    Ok(store.with_limits(config.limits))
}

/// Applies the migrations and saves the rooms listed in the configuration.
async fn prepare_database(
    config: &Config,
    store: &roombridge_store::Store,
) -> Result<usize, Failure> {
    store
        .migrate()
        .await
        .map_err(|error| Failure::new(format!("{error}")))?;
    let rooms = config.rooms.iter().map(room::to_domain).collect();
    store.upsert_rooms(rooms).await.map_err(|error| {
        Failure::new(format!(
            "cannot save the rooms from the configuration: {error}"
        ))
    })?;
    Ok(config.rooms.len())
}
