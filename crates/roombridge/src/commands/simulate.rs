//! `roombridge simulate`: serves the Exchange simulator.

use std::path::PathBuf;
use std::process::ExitCode;

use roombridge_simulator::{Simulator, SimulatorConfig};

/// Options of `roombridge simulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct SimulateArgs {
    /// Address and port to listen on, for example `127.0.0.1:8765`. Only
    /// loopback addresses are accepted unless --allow-remote is given.
    #[arg(long, default_value = "127.0.0.1:8765")]
    listen: std::net::SocketAddr,
    /// Accept a --listen address that is not loopback. The simulator's
    /// accounts have published passwords and its admin interface has no
    /// sign-in, so anyone who can reach the address controls it.
    #[arg(long)]
    allow_remote: bool,
    /// Organisation file (TOML or JSON) to serve instead of the built-in sample organisation.
    #[arg(long, value_name = "FILE")]
    organisation: Option<PathBuf>,
    /// File to save the state to after every change; loaded at start-up when it exists.
    #[arg(long, value_name = "FILE")]
    state_file: Option<PathBuf>,
    /// Hours after which a SyncFolderItems sync state is rejected as invalid.
    #[arg(long, value_name = "HOURS", default_value_t = 168)]
    sync_state_max_age_hours: u64,
    /// Serve a generated organisation of this many rooms (`room-00000@example.com` on),
    /// with organizers `person-NNNNN@example.com` and the service account `EXAMPLE\svc`.
    #[arg(long, value_name = "N", conflicts_with = "organisation")]
    generate_rooms: Option<usize>,
    /// Bookings of the generated organisation (one in twenty a weekly series).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        requires = "generate_rooms"
    )]
    generate_bookings: usize,
}

pub(crate) fn run(args: SimulateArgs) -> ExitCode {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        eprintln!(
            "error: --listen {} is not a loopback address; the simulator's accounts have \
             published passwords and its admin interface has no sign-in. Listen on \
             127.0.0.1 or ::1, or add --allow-remote to serve other hosts anyway",
            args.listen
        );
        return ExitCode::FAILURE;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
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
    let organisation = match args.generate_rooms {
        None => None,
        Some(rooms) => {
            let spec = roombridge_simulator::generate::GenerateSpec {
                rooms,
                bookings: args.generate_bookings,
                seed: 1,
            };
            match roombridge_simulator::generate::generate(&spec, jiff::Timestamp::now()) {
                Ok(file) => Some(file),
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let config = SimulatorConfig {
        listen: args.listen,
        organisation,
        organisation_file: args.organisation,
        state_file: args.state_file,
        sync_state_max_age: std::time::Duration::from_secs(
            args.sync_state_max_age_hours.saturating_mul(3600),
        ),
        ..SimulatorConfig::default()
    };
    runtime.block_on(async move {
        let simulator = match Simulator::start(config).await {
            Ok(simulator) => simulator,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!(
            "Exchange simulator: EWS at {}, admin at {}",
            simulator.ews_url(),
            simulator.admin_url()
        );
        if let Err(error) = tokio::signal::ctrl_c().await {
            eprintln!("error: cannot wait for Ctrl-C: {error}");
        }
        simulator.shutdown().await;
        ExitCode::SUCCESS
    })
}
