//! Benchmarks of roombridge.
//!
//! `cargo run --release -p roombridge-bench -- core [--json PATH]` seeds
//! 1,000 rooms, creates 100,000 bookings (each passing the conflict check)
//! and then times availability queries, first through the storage layer and
//! then through the HTTP API on 127.0.0.1. It prints a table and, with
//! `--json`, writes `create_per_s` and `availability_p99_ms` per layer.
//!
//! `cargo run --release -p roombridge-bench -- sync [--rooms N] [--bookings N]
//! [--latency-ms N] [--json PATH]` times roombridge's room sync beside the
//! original exchangelib design on one simulator (see the `sync` module).

mod http;
mod stats;
mod storage;
mod sync;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::stats::LayerResult;
use crate::workload::Workload;

#[derive(Debug, Parser)]
#[command(name = "roombridge-bench", about = "Benchmarks of roombridge")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Booking creation with the conflict check, and availability queries,
    /// through the storage layer and through the HTTP API.
    Core(CoreArgs),
    /// Room sync of roombridge beside the original exchangelib design, on
    /// one simulator, each system in its own process.
    Sync(sync::SyncArgs),
}

#[derive(Debug, clap::Args)]
struct CoreArgs {
    /// Write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Number of rooms to seed.
    #[arg(long, default_value_t = 1_000)]
    rooms: usize,
    /// Number of bookings to create in each layer.
    #[arg(long, default_value_t = 100_000)]
    bookings: usize,
    /// Number of concurrent tasks (storage) or connections (HTTP) creating
    /// bookings.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Number of timed availability queries in each layer, after 200
    /// untimed warm-up queries.
    #[arg(long, default_value_t = 5_000)]
    queries: usize,
    /// Database for both layers: `sqlite` (a new file in a temporary
    /// folder per layer) or the URL of an empty PostgreSQL database per
    /// layer, given twice as `--database URL --database URL`.
    #[arg(long = "database", value_name = "sqlite|URL")]
    databases: Vec<String>,
    /// Run only the storage layer.
    #[arg(long)]
    storage_only: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    benchmark: &'static str,
    database: String,
    rooms: usize,
    bookings: usize,
    concurrency: usize,
    queries: usize,
    cpus: usize,
    storage: LayerResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    http: Option<LayerResult>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Core(args) => run_core(args).await,
        Command::Sync(args) => sync::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run_core(args: CoreArgs) -> Result<(), String> {
    if args.rooms == 0 || args.bookings == 0 || args.concurrency == 0 || args.queries == 0 {
        return Err(
            "`--rooms`, `--bookings`, `--concurrency` and `--queries` must be at least 1".into(),
        );
    }
    let workload = Workload::new(args.rooms, args.bookings, args.concurrency, args.queries);
    let (storage_database, http_database) = match args.databases.as_slice() {
        [] => (None, None),
        [sqlite] if sqlite == "sqlite" => (None, None),
        [storage, http] => (Some(storage.clone()), Some(http.clone())),
        other => {
            return Err(format!(
                "expected `--database sqlite` or two PostgreSQL URLs, but found {} value(s)",
                other.len()
            ));
        }
    };
    let database = if storage_database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };

    eprintln!(
        "core: {} rooms, {} bookings, {} concurrent, {} queries, {database}",
        args.rooms, args.bookings, args.concurrency, args.queries
    );
    let storage = storage::run(&workload, storage_database.as_deref()).await?;
    let http = if args.storage_only {
        None
    } else {
        Some(http::run(&workload, http_database.as_deref()).await?)
    };

    let report = Report {
        benchmark: "core",
        database: database.to_owned(),
        rooms: args.rooms,
        bookings: args.bookings,
        concurrency: args.concurrency,
        queries: args.queries,
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        storage,
        http,
    };
    print_table(&report);
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|error| format!("failed to write {}: {error}", path.display()))?;
    }
    Ok(())
}

fn print_table(report: &Report) {
    println!(
        "{:<8} {:>12} {:>14} {:>14} {:>14}",
        "layer", "create_per_s", "avail_p50_ms", "avail_p99_ms", "avail_max_ms"
    );
    let layers = [
        ("storage", Some(&report.storage)),
        ("http", report.http.as_ref()),
    ];
    for (name, result) in layers {
        if let Some(result) = result {
            println!(
                "{:<8} {:>12.0} {:>14.3} {:>14.3} {:>14.3}",
                name,
                result.create_per_s,
                result.availability_p50_ms,
                result.availability_p99_ms,
                result.availability_max_ms
            );
        }
    }
}
