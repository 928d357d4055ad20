//! `roombridge user add`.

use clap::Subcommand;
use roombridge_domain::User;

use super::{Failure, open_store};
use crate::config::Config;

/// Subcommands of `roombridge user`.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Add a user, or change the name when the address exists.
    Add {
        /// Mailbox address of the user, such as `alice@example.com`; the
        /// service account organizes meetings in this mailbox.
        address: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
}

/// Runs a `user` subcommand.
pub(crate) async fn run(config: &Config, command: UserCommand) -> Result<(), Failure> {
    let store = open_store(config).await?;
    match command {
        UserCommand::Add { address, name } => {
            let user = User {
                address: roombridge_domain::normalize_address(&address),
                display_name: name,
            };
            if !roombridge_domain::is_valid_address(&user.address) {
                return Err(Failure::new(format!(
                    "invalid user address `{address}`: expected a mailbox address such as `alice@example.com`"
                )));
            }
            let user = store.upsert_user(user).await?;
            println!("user {} saved", user.address);
        }
    }
    Ok(())
}
