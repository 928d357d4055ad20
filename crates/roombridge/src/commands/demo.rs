//! `roombridge demo`: the Exchange simulator and roombridge on loopback,
//! bookings made, moved and cancelled from both sides, and each effect
//! checked in both systems.
//!
//! The simulator runs in-process with its sample organisation. roombridge
//! runs against it as it would against Exchange. It reads a configuration
//! file with the EWS URL and the service account (NTLM), stores in SQLite
//! in a temporary folder and imports the rooms with GetRoomLists and
//! GetRooms. The REST API listens on 127.0.0.1 beside the sync engine. The
//! steps live in [`scenario`], and this module prints them and the summary
//! and decides the exit status.

/// Writes one line to standard output. A closed pipe (output piped to
/// `head`) is ignored, where `println!` would panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod driver;
mod environment;
mod http;
mod scenario;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use environment::Environment;
use scenario::{STEPS, Scenario};

use crate::config::LogFormat;

/// Width the step descriptions are wrapped to.
const LINE_WIDTH: usize = 88;

/// Options of `roombridge demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// After the steps, keep the simulator and the API running and print
    /// their addresses, the web UI's address, an API token and the sample
    /// sign-in, until Ctrl-C or SIGTERM.
    #[arg(long)]
    keep_running: bool,
    /// JSON file with fault settings for the Exchange simulator, in the
    /// form `PUT /admin/faults` takes (latency, throttling, HTTP errors,
    /// dropped connections), applied before the first step. Shows how
    /// roombridge copes with a misbehaving Exchange, and how the demo
    /// reports a step that fails.
    #[arg(long, value_name = "FILE")]
    exchange_faults: Option<PathBuf>,
}

/// The result of one step.
#[derive(Debug)]
enum Outcome {
    Passed,
    Failed(String),
    NotRun,
}

/// Runs the demo and returns status 0 only if every step passed.
pub(crate) fn run(args: DemoArgs) -> ExitCode {
    crate::logging::init(LogFormat::Text, "warn");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(demo(args))
}

async fn demo(args: DemoArgs) -> ExitCode {
    let started = Instant::now();
    say!("roombridge demo: an Exchange simulator and roombridge, both on loopback\n");
    let env = match Environment::start().await {
        Ok(env) => env,
        Err(error) => {
            eprintln!("error: the demo could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.exchange_faults
        && let Err(error) = inject_faults(&env, path).await
    {
        eprintln!("error: {error}");
        env.stop().await;
        return ExitCode::FAILURE;
    }
    print_setup(&env, args.exchange_faults.as_deref());

    // Ctrl-C or SIGTERM during the steps stops both sides, so that the
    // temporary folder is removed.
    let finished = tokio::select! {
        outcomes = run_steps(&env) => Some(outcomes),
        () = shutdown_signal() => None,
    };
    let Some(outcomes) = finished else {
        eprintln!("error: the demo was interrupted before its last step");
        env.stop().await;
        return ExitCode::FAILURE;
    };
    print_summary(&outcomes, started.elapsed());
    let failed = report_failure(&outcomes);

    if args.keep_running {
        keep_running(env).await;
    } else {
        env.stop().await;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Names the failed step and its reason on standard error; returns
/// whether a step failed.
fn report_failure(outcomes: &[Outcome]) -> bool {
    for (index, (outcome, title)) in outcomes.iter().zip(STEPS).enumerate() {
        if let Outcome::Failed(reason) = outcome {
            eprintln!("error: demo step {} failed: {title}: {reason}", index + 1);
            return true;
        }
    }
    false
}

fn print_setup(env: &Environment, faults: Option<&Path>) {
    say!("  Exchange simulator  {}", env.simulator.ews_url());
    say!(
        "                      sample organisation; roombridge signs in over NTLM as {}",
        environment::SERVICE_ACCOUNT
    );
    say!(
        "  roombridge API      http://{}/api/v1, SQLite in a temporary folder",
        env.api
    );
    let rooms: Vec<String> = env
        .rooms
        .values()
        .map(|room| format!("{} ({})", room.display_name, room.response_mode.as_str()))
        .collect();
    print_wrapped("  Rooms from EWS      ", &rooms.join(", "));
    if let Some(path) = faults {
        say!("  Exchange faults     from {}", path.display());
    }
    say!();
}

/// Sets the simulator's faults from the JSON file at `path`.
async fn inject_faults(env: &Environment, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        format!(
            "cannot read the fault file {}: {error}; check the path given to --exchange-faults",
            path.display()
        )
    })?;
    let faults: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("the fault file {} is not JSON: {error}", path.display()))?;
    driver::Driver { env }
        .admin(hyper::Method::PUT, "/admin/faults", Some(faults))
        .await
        .map(|_| ())
        .map_err(|error| format!("invalid fault file {}: {error}", path.display()))
}

/// Runs the steps in order; after a failure the remaining steps do not run,
/// because each builds on the state the previous ones left.
async fn run_steps(env: &Environment) -> Vec<Outcome> {
    let mut scenario = Scenario::new(driver::Driver { env });
    let mut outcomes = Vec::with_capacity(STEPS.len());
    for (index, title) in STEPS.iter().enumerate() {
        if outcomes
            .iter()
            .any(|outcome| matches!(outcome, Outcome::Failed(_)))
        {
            outcomes.push(Outcome::NotRun);
            continue;
        }
        say!("[{}/{}] {title}", index + 1, STEPS.len());
        match scenario.run_step(index).await {
            Ok(narration) => {
                print_wrapped("      ", &narration);
                outcomes.push(Outcome::Passed);
            }
            Err(reason) => {
                print_wrapped("      FAILED: ", &reason);
                outcomes.push(Outcome::Failed(reason));
            }
        }
    }
    outcomes
}

fn print_summary(outcomes: &[Outcome], elapsed: Duration) {
    say!("\nSummary");
    for (index, (outcome, title)) in outcomes.iter().zip(STEPS).enumerate() {
        let label = match outcome {
            Outcome::Passed => "passed",
            Outcome::Failed(_) => "FAILED",
            Outcome::NotRun => "not run",
        };
        say!("  {label:<8} {:>2}. {title}", index + 1);
    }
    let passed = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Outcome::Passed))
        .count();
    say!(
        "{passed} of {} steps passed in {:.1} s{}",
        STEPS.len(),
        elapsed.as_secs_f64(),
        if passed == STEPS.len() {
            ": every change reached both roombridge and Exchange."
        } else {
            "."
        }
    );
}

/// Prints `text` wrapped to [`LINE_WIDTH`], the first line after `lead`
/// and the others indented as deep.
fn print_wrapped(lead: &str, text: &str) {
    for line in wrap(lead, text) {
        say!("{line}");
    }
}

/// Wraps `text` into lines of at most [`LINE_WIDTH`] characters (unless a
/// single word is longer), the first after `lead` and the others indented
/// as deep.
fn wrap(lead: &str, text: &str) -> Vec<String> {
    let indent = " ".repeat(lead.chars().count());
    let mut lines = Vec::new();
    let mut line = lead.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > LINE_WIDTH {
            lines.push(std::mem::replace(&mut line, indent.clone()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

/// Leaves the simulator, the API and a scheduled sync running until
/// Ctrl-C or SIGTERM.
async fn keep_running(env: Environment) {
    let token = env.token(scenario::ALICE).to_owned();

    say!("\nThe simulator and roombridge keep running:");
    say!(
        "  Web UI:           http://{}/ui/ (sign in with the API token below)",
        env.api
    );
    say!("  roombridge API:   http://{}/api/v1", env.api);
    say!("  API token:        {token} (user {})", scenario::ALICE);
    say!(
        "  Try:              curl -H 'Authorization: Bearer {token}' http://{}/api/v1/rooms",
        env.api
    );
    say!(
        "  Sync now:         curl -X POST -H 'Authorization: Bearer {token}' http://{}/api/v1/sync",
        env.api
    );
    say!("  Exchange EWS:     {}", env.simulator.ews_url());
    say!(
        "  EWS sign-in:      {} / {} (Basic, or NTLM as {}); the service account is {} / {}",
        environment::SAMPLE_USER,
        environment::SAMPLE_PASSWORD,
        environment::SAMPLE_NTLM_USER,
        environment::SERVICE_ACCOUNT,
        environment::SERVICE_PASSWORD,
    );
    say!("  Simulator admin:  {}/", env.simulator.admin_url());
    say!(
        "  Sync:             every {}; bookings made through the API reach Exchange within seconds.",
        jiff::SignedDuration::try_from(env.engine.config().interval)
            .map(|interval| format!("{interval:#}"))
            .unwrap_or_default()
    );

    let scheduler = roombridge_sync::Scheduler::start(env.engine.clone());
    say!("Waiting for Ctrl-C or SIGTERM to stop both.");
    shutdown_signal().await;
    say!("Stopping.");
    scheduler.stop().await;
    env.stop().await;
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_width() {
        let text = "Alice booked Room 101 for 10:00-11:00 UTC on Sat 5 Dec through the API; \
                    Exchange now has her meeting with Room 101 accepted, and nothing else.";
        let lines = wrap("      ", text);

        assert!(lines.len() > 1, "long text is wrapped: {lines:?}");
        assert!(
            lines.iter().all(|line| line.chars().count() <= LINE_WIDTH),
            "{lines:?}"
        );
        assert!(
            lines.iter().all(|line| line.starts_with("      ")),
            "{lines:?}"
        );
        let words: Vec<&str> = lines
            .iter()
            .flat_map(|line| line.split_whitespace())
            .collect();
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn wrap_keeps_overlong_word_whole() {
        let word = "x".repeat(LINE_WIDTH + 10);
        let lines = wrap("  ", &format!("short {word} end"));

        assert_eq!(
            lines,
            vec![
                "  short".to_owned(),
                format!("  {word}"),
                "  end".to_owned()
            ]
        );
    }
}
