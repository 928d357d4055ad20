//! An Exchange simulator: an EWS endpoint on loopback that behaves like
//! Exchange Server for calendars, meetings and rooms, with an
//! administrative interface to seed mailboxes and inject faults.
//!
//! Start one in-process for a test:
//!
//! ```no_run
//! # async fn demo() -> Result<(), roombridge_simulator::StartError> {
//! let simulator = roombridge_simulator::Simulator::start(Default::default()).await?;
//! println!("EWS at {}", simulator.ews_url());
//! # Ok(()) }
//! ```
//!
//! See the crate README for what is simulated and to which fidelity.

mod admin;
mod auth;
pub mod calendar;
mod ews;
pub mod faults;
pub mod generate;
mod ics;
mod ids;
pub mod meeting;
pub mod model;
pub mod org;
pub mod organisation;
pub mod recurrence;
mod rooms;
mod server;
mod sync_state;
mod tz;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use organisation::{Booking, OrganisationError, OrganisationFile};
pub use server::{RunningSimulator, StartError};

/// Settings for starting a simulator.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Organisation to load instead of the sample organisation; takes
    /// precedence over `organisation_file`.
    pub organisation: Option<OrganisationFile>,
    /// Organisation file (TOML or JSON) to load instead of the sample organisation.
    pub organisation_file: Option<PathBuf>,
    /// File the state is saved to after every change and loaded from at start-up when it exists.
    pub state_file: Option<PathBuf>,
    /// Age after which a sync state is rejected as invalid.
    pub sync_state_max_age: Duration,
    /// NetBIOS domain accepted in NTLM and `DOMAIN\user` sign-ins.
    pub netbios_domain: String,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            organisation: None,
            organisation_file: None,
            state_file: None,
            sync_state_max_age: Duration::from_secs(7 * 24 * 3600),
            netbios_domain: "EXAMPLE".to_string(),
        }
    }
}

/// Entry point for starting simulators.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Loads the organisation and starts serving EWS and the admin interface.
    ///
    /// # Errors
    ///
    /// Fails when the organisation or state file is invalid or the address
    /// cannot be bound.
    pub async fn start(config: SimulatorConfig) -> Result<RunningSimulator, StartError> {
        server::start(config).await
    }
}

pub(crate) use server::Shared;

#[doc(hidden)]
pub fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Arc<Shared>>();
}
