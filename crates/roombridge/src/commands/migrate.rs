//! `roombridge migrate`: creates or upgrades the schema and saves the
//! configured rooms.

use super::{Failure, open_store, prepare_database};
use crate::config::Config;

/// Runs the migrations and reports what was done on standard error.
pub(crate) async fn run(config: &Config) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let rooms = prepare_database(config, &store).await?;
    eprintln!(
        "database {} is up to date; {rooms} room(s) from the configuration saved",
        crate::config::redact_url(&config.database_url)
    );
    Ok(())
}
