//! `roombridge room add|list`.

use clap::Subcommand;
use roombridge_domain::{ResponseMode, Room};

use super::{Failure, open_store};
use crate::config::{Config, RoomConfig, parse_mode};

/// Subcommands of `roombridge room`.
#[derive(Debug, Subcommand)]
pub(crate) enum RoomCommand {
    /// Add a room, or change it when the address exists.
    Add {
        /// Mailbox address of the room, such as `room-101@example.com`.
        address: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Number of seats.
        #[arg(long, value_name = "N")]
        capacity: Option<u32>,
        /// Response mode: `auto-accept` (the room mailbox accepts meeting
        /// requests itself) or `accept-as-room` (roombridge accepts them on
        /// the room's behalf).
        #[arg(long, default_value = "auto-accept", value_parser = parse_mode)]
        mode: ResponseMode,
        /// Free-text location, such as a building and floor.
        #[arg(long, value_name = "TEXT")]
        location: Option<String>,
    },
    /// List every room, one per line: address, name, capacity, mode, location.
    List,
}

/// Runs a `room` subcommand.
pub(crate) async fn run(config: &Config, command: RoomCommand) -> Result<(), Failure> {
    let store = open_store(config).await?;
    match command {
        RoomCommand::Add {
            address,
            name,
            capacity,
            mode,
            location,
        } => {
            let room = Room {
                address: roombridge_domain::normalize_address(&address),
                display_name: name,
                capacity,
                location,
                response_mode: mode,
            };
            if !roombridge_domain::is_valid_address(&room.address) {
                return Err(Failure::new(format!(
                    "invalid room address `{address}`: expected a mailbox address such as `room-101@example.com`"
                )));
            }
            let room = store.upsert_room(room).await?;
            println!("room {} saved", room.address);
        }
        RoomCommand::List => {
            for room in store.list_rooms().await? {
                let capacity = room
                    .capacity
                    .map(|seats| seats.to_string())
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    super::tsv_field(&room.address),
                    super::tsv_field(&room.display_name),
                    capacity,
                    room.response_mode,
                    super::tsv_field(&room.location.unwrap_or_default())
                );
            }
        }
    }
    Ok(())
}

/// Converts a room from the configuration to the domain type.
pub(crate) fn to_domain(room: &RoomConfig) -> Room {
    Room {
        address: room.address.clone(),
        display_name: room.name.clone(),
        capacity: room.capacity,
        location: room.location.clone(),
        response_mode: room.mode,
    }
}
