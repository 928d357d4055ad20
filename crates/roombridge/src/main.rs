//! The `roombridge` command: the service, its administration and the
//! Exchange simulator.

mod commands;
mod config;
mod logging;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = commands::Cli::parse();
    commands::run(cli)
}
