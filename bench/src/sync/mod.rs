//! `roombridge-bench sync`: roombridge's room sync beside the original
//! design's (the exchangelib script), on one simulator, each system in its
//! own process.
//!
//! The simulator runs as `roombridge simulate --generate-rooms N
//! --generate-bookings M`. For each system the benchmark times a full sync,
//! an incremental sync after 1% of the bookings moved and 0.5% were
//! cancelled through the admin interface (the same changes for both), and
//! an incremental sync with no changes. Requests are counted at the
//! simulator; peak memory is the measured process's VmHWM.

mod admin;
mod process;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use serde_json::{Value, json};

use self::admin::Admin;
use self::process::{SimulatorProcess, measure};

/// Share of the bookings moved before the incremental sync.
const MOVED_SHARE: f64 = 0.01;
/// Share of the bookings cancelled before the incremental sync.
const DELETED_SHARE: f64 = 0.005;

/// Options of `roombridge-bench sync`.
#[derive(Debug, clap::Args)]
pub(crate) struct SyncArgs {
    /// Rooms of the generated organisation.
    #[arg(long, default_value_t = 1_000)]
    rooms: usize,
    /// Bookings of the generated organisation (one in twenty a weekly series).
    #[arg(long, default_value_t = 50_000)]
    bookings: usize,
    /// Delay the simulator adds to every EWS request, in milliseconds.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Concurrent EWS requests the simulator allows one account; more are
    /// rejected with ErrorServerBusy.
    #[arg(long, default_value_t = 27)]
    max_concurrent_per_account: u32,
    /// Write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// The `roombridge` binary (default: next to this benchmark's binary).
    #[arg(long, value_name = "PATH")]
    roombridge: Option<PathBuf>,
    /// Python of the exchangelib 5.6.0 environment (default: the one the
    /// conformance harness creates).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// The baseline script.
    #[arg(
        long,
        value_name = "PATH",
        default_value = "../shared/bench/exchangelib_baseline.py"
    )]
    baseline_script: PathBuf,
    /// Rooms the baseline reads at once; 1 is the original design.
    #[arg(long, default_value_t = 1)]
    baseline_workers: usize,
    /// Measure roombridge only.
    #[arg(long)]
    skip_baseline: bool,
}

/// One phase of one system.
#[derive(Debug, Clone, Default, Serialize)]
struct Phase {
    seconds: f64,
    requests: u64,
    peak_rss_mb: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    deletions_made: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deletions_seen: Option<u64>,
}

/// The three phases of one system.
#[derive(Debug, Clone, Default, Serialize)]
struct Phases {
    full: Phase,
    incremental: Phase,
    nochange: Phase,
}

#[derive(Debug, Serialize)]
struct Report {
    rooms: usize,
    bookings: usize,
    latency_ms: u64,
    max_concurrent_per_account: u32,
    baseline_workers: usize,
    systems: Systems,
}

#[derive(Debug, Serialize)]
struct Systems {
    roombridge: Phases,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<Phases>,
}

/// Runs the benchmark and prints the table.
pub(crate) fn run(args: SyncArgs) -> Result<(), String> {
    if args.rooms == 0 || args.bookings == 0 {
        return Err("`--rooms` and `--bookings` must be at least 1".into());
    }
    let roombridge = match &args.roombridge {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|error| error.to_string())?
            .with_file_name("roombridge"),
    };
    if !roombridge.exists() {
        return Err(format!(
            "no roombridge binary at {}; build it with `cargo build --release -p roombridge` or pass --roombridge PATH",
            roombridge.display()
        ));
    }
    let python = match &args.python {
        Some(path) => path.clone(),
        None => default_python(),
    };
    if !args.skip_baseline && !python.exists() {
        return Err(format!(
            "no Python at {}; create the exchangelib environment with ../shared/conformance/run, \
             pass --python PATH, or run with --skip-baseline",
            python.display()
        ));
    }
    let work = tempfile::tempdir().map_err(|error| error.to_string())?;

    eprintln!(
        "sync: {} rooms, {} bookings, {} ms latency; generating the organisation",
        args.rooms, args.bookings, args.latency_ms
    );
    let simulator = SimulatorProcess::start(&roombridge, args.rooms, args.bookings)?;
    let admin = Admin::new(&simulator.admin_url)?;
    admin.send(
        "PUT",
        "/faults",
        Some(&json!({
            "latency_ms": args.latency_ms,
            "max_concurrent_per_account": args.max_concurrent_per_account,
            "back_off_ms": 1000,
        })),
    )?;
    let rooms: Vec<String> = (0..args.rooms)
        .map(roombridge_simulator_address::room)
        .collect();

    let config = write_roombridge_config(work.path(), &simulator.ews_url, &rooms)?;
    let mut migrate = Command::new(&roombridge);
    migrate
        .arg("--config")
        .arg(&config)
        .arg("migrate")
        .env("ROOMBRIDGE_EXCHANGE_PASSWORD", "svc-password");
    measure(migrate, "roombridge migrate")?;
    let rooms_file = work.path().join("rooms.txt");
    std::fs::write(&rooms_file, rooms.join("\n") + "\n").map_err(|error| error.to_string())?;
    let systems = Systems {
        roombridge: Phases::default(),
        baseline: (!args.skip_baseline).then(Phases::default),
    };
    let mut report = Report {
        rooms: args.rooms,
        bookings: args.bookings,
        latency_ms: args.latency_ms,
        max_concurrent_per_account: args.max_concurrent_per_account,
        baseline_workers: args.baseline_workers,
        systems,
    };
    let baseline = Baseline {
        python,
        script: args.baseline_script.clone(),
        endpoint: simulator.ews_url.clone(),
        rooms_file,
        state: work.path().join("baseline-state.json"),
        workers: args.baseline_workers,
    };

    let sync_roombridge = |admin: &Admin| -> Result<(Phase, u64), String> {
        let mut command = Command::new(&roombridge);
        command
            .arg("--config")
            .arg(&config)
            .args(["sync", "--json"])
            .env("ROOMBRIDGE_EXCHANGE_PASSWORD", "svc-password")
            .env("RUST_LOG", "warn");
        let before = admin.ews_requests()?;
        let measured = measure(command, "roombridge sync")?;
        let requests = admin.ews_requests()? - before;
        let json: Value = serde_json::from_str(&measured.stdout)
            .map_err(|error| format!("roombridge sync printed no JSON report: {error}"))?;
        let cancelled = json["rooms"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|room| room["cancelled"].as_u64())
            .sum();
        let phase = Phase {
            seconds: measured.seconds,
            requests,
            peak_rss_mb: measured.peak_rss_mb,
            ..Phase::default()
        };
        Ok((phase, cancelled))
    };
    let sync_baseline = |admin: &Admin| -> Result<(Phase, u64), String> {
        let before = admin.ews_requests()?;
        let measured = measure(baseline.command(), "the exchangelib baseline")?;
        let requests = admin.ews_requests()? - before;
        let json: Value = serde_json::from_str(measured.stdout.trim())
            .map_err(|error| format!("the baseline printed no JSON: {error}"))?;
        if json["errors"].as_u64().unwrap_or(0) > 0 {
            return Err(format!("the baseline reported errors: {json}"));
        }
        let phase = Phase {
            seconds: measured.seconds,
            requests,
            peak_rss_mb: measured.peak_rss_mb,
            ..Phase::default()
        };
        Ok((phase, json["deletions_seen"].as_u64().unwrap_or(0)))
    };

    eprintln!("sync: full sync, roombridge");
    report.systems.roombridge.full = sync_roombridge(&admin)?.0;
    if let Some(phases) = report.systems.baseline.as_mut() {
        eprintln!("sync: full sync, baseline");
        phases.full = sync_baseline(&admin)?.0;
    }

    let organizers: Vec<String> = admin
        .send("GET", "/mailboxes", None)?
        .as_array()
        .into_iter()
        .flatten()
        .filter(|mailbox| mailbox["kind"] == "user")
        .filter_map(|mailbox| mailbox["address"].as_str().map(str::to_owned))
        .collect();
    let changes = admin::change(
        &admin,
        &organizers,
        args.bookings,
        MOVED_SHARE,
        DELETED_SHARE,
    )?;
    eprintln!(
        "sync: moved {} meetings and cancelled {}",
        changes.moved, changes.deleted
    );

    eprintln!("sync: incremental sync, roombridge");
    let (mut phase, seen) = sync_roombridge(&admin)?;
    phase.deletions_made = Some(changes.deleted);
    phase.deletions_seen = Some(seen);
    report.systems.roombridge.incremental = phase;
    if let Some(phases) = report.systems.baseline.as_mut() {
        eprintln!("sync: incremental sync, baseline");
        let (mut phase, seen) = sync_baseline(&admin)?;
        phase.deletions_made = Some(changes.deleted);
        phase.deletions_seen = Some(seen);
        phases.incremental = phase;
    }

    eprintln!("sync: sync with no changes, roombridge");
    report.systems.roombridge.nochange = sync_roombridge(&admin)?.0;
    if let Some(phases) = report.systems.baseline.as_mut() {
        eprintln!("sync: sync with no changes, baseline");
        phases.nochange = sync_baseline(&admin)?.0;
    }
    drop(simulator);

    print!("{}", table(&report));
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|error| format!("failed to write {}: {error}", path.display()))?;
    }
    Ok(())
}

/// Addresses of the generated organisation, as the simulator names them.
mod roombridge_simulator_address {
    /// Room number `index`.
    pub(crate) fn room(index: usize) -> String {
        format!("room-{index:05}@example.com")
    }
}

fn default_python() -> PathBuf {
    let venv = std::env::var_os("CONFORMANCE_VENV").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/roombridge-conformance/exchangelib-5.6.0")
        },
        PathBuf::from,
    );
    venv.join("bin/python")
}

/// Writes a roombridge configuration for the simulator and the rooms.
fn write_roombridge_config(dir: &Path, ews_url: &str, rooms: &[String]) -> Result<PathBuf, String> {
    let database = dir.join("roombridge.db");
    let mut text = String::new();
    let quote = |value: &str| Value::String(value.to_owned()).to_string();
    let _ = writeln!(
        text,
        "database_url = {}",
        quote(&format!("sqlite://{}", database.display()))
    );
    let _ = writeln!(text, "\n[exchange]\nurl = {}", quote(ews_url));
    let _ = writeln!(
        text,
        "auth = \"ntlm\"\nusername = {}",
        quote("EXAMPLE\\svc")
    );
    for (index, room) in rooms.iter().enumerate() {
        let _ = writeln!(
            text,
            "\n[[rooms]]\naddress = {}\nname = {}",
            quote(room),
            quote(&format!("Room {index}"))
        );
    }
    let path = dir.join("roombridge.toml");
    std::fs::write(&path, text).map_err(|error| error.to_string())?;
    Ok(path)
}

/// How to run the exchangelib script.
struct Baseline {
    python: PathBuf,
    script: PathBuf,
    endpoint: String,
    rooms_file: PathBuf,
    state: PathBuf,
    workers: usize,
}

impl Baseline {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.python);
        command
            .arg(&self.script)
            .arg("--endpoint")
            .arg(&self.endpoint)
            .args([
                "--username",
                "EXAMPLE\\svc",
                "--password",
                "svc-password",
                "--auth",
                "ntlm",
            ])
            .arg("--rooms-file")
            .arg(&self.rooms_file)
            .arg("--state")
            .arg(&self.state)
            .arg("--workers")
            .arg(self.workers.to_string());
        command
    }
}

fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} rooms, {} bookings, {} ms latency, baseline workers {}",
        report.rooms, report.bookings, report.latency_ms, report.baseline_workers
    );
    let _ = writeln!(
        out,
        "{:<12} {:>10} {:>10} {:>8} {:>9} {:>9} {:>8} {:>8} {:>10}",
        "phase", "rb_s", "base_s", "speedup", "rb_req", "base_req", "rb_mb", "base_mb", "deletions"
    );
    let rb = &report.systems.roombridge;
    let base = report.systems.baseline.clone().unwrap_or_default();
    let has_baseline = report.systems.baseline.is_some();
    for (name, ours, theirs) in [
        ("full", &rb.full, &base.full),
        ("incremental", &rb.incremental, &base.incremental),
        ("nochange", &rb.nochange, &base.nochange),
    ] {
        let speedup = if has_baseline && ours.seconds > 0.0 {
            format!("{:.1}x", theirs.seconds / ours.seconds)
        } else {
            "-".to_owned()
        };
        let deletions = match (
            ours.deletions_made,
            ours.deletions_seen,
            theirs.deletions_seen,
        ) {
            (Some(made), Some(seen), other) => format!(
                "{seen}/{made} vs {}",
                other.map_or("-".to_owned(), |n| n.to_string())
            ),
            _ => String::new(),
        };
        let or_dash = |value: String| if has_baseline { value } else { "-".to_owned() };
        let _ = writeln!(
            out,
            "{:<12} {:>10.2} {:>10} {:>8} {:>9} {:>9} {:>8.1} {:>8} {:>10}",
            name,
            ours.seconds,
            or_dash(format!("{:.2}", theirs.seconds)),
            speedup,
            ours.requests,
            or_dash(theirs.requests.to_string()),
            ours.peak_rss_mb,
            or_dash(format!("{:.1}", theirs.peak_rss_mb)),
            deletions
        );
    }
    out
}
