//! `roombridge token`: create, list and revoke API tokens.

use clap::Subcommand;
use roombridge_store::TokenInfo;

use super::{Failure, open_store, tsv_field};
use crate::config::Config;

/// Subcommands of `roombridge token`.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create an API token for a user and print it once to standard output.
    /// Only its hash is stored, so it cannot be shown again.
    Create {
        /// Mailbox address of an existing user (see `roombridge user add`).
        address: String,
        /// Lifetime of the token, such as `90d`, `12h` or `30m` (a day
        /// counts as 24 hours). Without it the token works until revoked.
        #[arg(long, value_name = "DURATION", value_parser = parse_lifetime)]
        expires_in: Option<jiff::SignedDuration>,
    },
    /// List tokens, one per line: id, user, created, expires (`never` when
    /// the token has no expiry) and `expired` for one past its expiry. The
    /// tokens themselves are never shown.
    List {
        /// Only the tokens of this user.
        address: Option<String>,
    },
    /// Revoke one token, named by its id from `token list` (8 or more of
    /// its characters) or by the token itself, or every token of a user
    /// with --user. A running `serve` rejects it within 60 seconds, the
    /// time it keeps a checked token.
    Revoke {
        /// Token id from `token list`, or the token.
        #[arg(required_unless_present = "user", conflicts_with = "user")]
        id: Option<String>,
        /// Revoke every token of this user instead.
        #[arg(long, value_name = "ADDRESS")]
        user: Option<String>,
    },
}

/// Runs a `token` subcommand.
pub(crate) async fn run(config: &Config, command: TokenCommand) -> Result<(), Failure> {
    let store = open_store(config).await?;
    match command {
        TokenCommand::Create {
            address,
            expires_in,
        } => {
            let address = roombridge_domain::normalize_address(&address);
            if store.user(&address).await?.is_none() {
                return Err(Failure::new(format!(
                    "user `{address}` not found; add it first with `roombridge user add {address} --name NAME`"
                )));
            }
            let expires_at = match expires_in {
                None => None,
                Some(lifetime) => {
                    Some(jiff::Timestamp::now().checked_add(lifetime).map_err(|_| {
                        Failure::new(format!("--expires-in {lifetime:#} is out of range"))
                    })?)
                }
            };
            let token = store.create_token_until(&address, expires_at).await?;
            println!("{token}");
            match expires_at {
                None => eprintln!("token for {address} created; it is shown only this once"),
                Some(at) => eprintln!(
                    "token for {address} created, valid until {at}; it is shown only this once"
                ),
            }
        }
        TokenCommand::List { address } => {
            let now = jiff::Timestamp::now();
            for token in store.list_tokens(address.as_deref()).await? {
                println!("{}", list_line(&token, now));
            }
        }
        TokenCommand::Revoke { id, user } => match (id, user) {
            (_, Some(user)) => {
                let count = store.revoke_user_tokens(&user).await?;
                let user = roombridge_domain::normalize_address(&user);
                eprintln!("{count} token(s) of {user} revoked");
            }
            (Some(id), None) => {
                let token = store.revoke_token(&id).await?;
                eprintln!("token {} of {} revoked", token.id, token.user_address);
            }
            (None, None) => unreachable!("clap requires an id or --user"),
        },
    }
    Ok(())
}

/// Formats one tab-separated line of `token list`.
fn list_line(token: &TokenInfo, now: jiff::Timestamp) -> String {
    let expires = match token.expires_at {
        None => "never".to_owned(),
        Some(at) if at <= now => format!("{at}\texpired"),
        Some(at) => at.to_string(),
    };
    format!(
        "{}\t{}\t{}\t{expires}",
        token.id,
        tsv_field(&token.user_address),
        token.created_at
    )
}

/// Parses `--expires-in`: a positive span of at most ten years, in units
/// up to days.
fn parse_lifetime(text: &str) -> Result<jiff::SignedDuration, String> {
    let unparsable =
        || format!("expected a duration such as `90d`, `12h` or `30m`, but found `{text}`");
    let span: jiff::Span = text.parse().map_err(|_| unparsable())?;
    let lifetime = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| unparsable())?;
    let longest = jiff::SignedDuration::from_hours(3660 * 24);
    if lifetime < jiff::SignedDuration::from_secs(1) || lifetime > longest {
        return Err(format!(
            "expected a duration from `1s` to `3660d`, but found `{text}`"
        ));
    }
    Ok(lifetime)
}
