//! `roombridge token create`.

use clap::Subcommand;

use super::{Failure, open_store};
use crate::config::Config;

/// Subcommands of `roombridge token`.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create an API token for a user and print it once to standard output.
    /// Only its hash is stored, so it cannot be shown again.
    Create {
        /// Mailbox address of an existing user (see `roombridge user add`).
        address: String,
    },
}

/// Runs a `token` subcommand.
pub(crate) async fn run(config: &Config, command: TokenCommand) -> Result<(), Failure> {
    let store = open_store(config).await?;
    match command {
        TokenCommand::Create { address } => {
            let address = roombridge_domain::normalize_address(&address);
            if store.user(&address).await?.is_none() {
                return Err(Failure::new(format!(
                    "user `{address}` not found; add it first with `roombridge user add {address} --name NAME`"
                )));
            }
            let token = store.create_token(&address).await?;
            println!("{token}");
            eprintln!("token for {address} created; it is shown only this once");
        }
    }
    Ok(())
}
