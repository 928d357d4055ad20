//! Command-line parsing and dispatch; each subcommand lives in its own module.

mod simulate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Keeps meeting rooms in two-way sync with Microsoft Exchange.
#[derive(Debug, Parser)]
#[command(name = "roombridge", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the built-in Exchange simulator (EWS over HTTP) on loopback.
    Simulate(simulate::SimulateArgs),
}

/// Runs the parsed command and returns the process exit status.
pub(crate) fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Simulate(args) => simulate::run(args),
    }
}
