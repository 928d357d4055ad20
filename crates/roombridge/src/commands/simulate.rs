//! `roombridge simulate`: serves the Exchange simulator.

use std::process::ExitCode;

/// Options of `roombridge simulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct SimulateArgs {
    /// Address and port to listen on, for example `127.0.0.1:8765`.
    #[arg(long, default_value = "127.0.0.1:8765")]
    listen: std::net::SocketAddr,
}

pub(crate) fn run(args: SimulateArgs) -> ExitCode {
    eprintln!("error: the simulator is not built yet (requested {})", args.listen);
    ExitCode::FAILURE
}
