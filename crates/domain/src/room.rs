//! Rooms and users.

use serde::{Deserialize, Serialize};

/// Response mode of a room to the meeting requests that roombridge sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseMode {
    /// The room mailbox processes requests itself (Exchange's resource
    /// booking attendant, `AutomateProcessing` set to `AutoAccept`).
    AutoAccept,
    /// roombridge accepts on the room's behalf by impersonating the room
    /// mailbox.
    AcceptAsRoom,
}

impl ResponseMode {
    /// Returns the name used in configuration, JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::AutoAccept => "auto-accept",
            ResponseMode::AcceptAsRoom => "accept-as-room",
        }
    }
}

impl std::str::FromStr for ResponseMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "auto-accept" => Ok(ResponseMode::AutoAccept),
            "accept-as-room" => Ok(ResponseMode::AcceptAsRoom),
            other => Err(format!(
                "invalid response mode `{other}`: expected `auto-accept` or `accept-as-room`"
            )),
        }
    }
}

impl std::fmt::Display for ResponseMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bookable room, identified by its Exchange room mailbox address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    /// SMTP address of the room mailbox, in lower case.
    pub address: String,
    /// Name shown to people booking the room.
    pub display_name: String,
    /// Number of seats, when known.
    pub capacity: Option<u32>,
    /// Free-form location, such as building and floor.
    pub location: Option<String>,
    /// Response mode of the room to meeting requests.
    pub response_mode: ResponseMode,
}

/// A person who books through roombridge and organises the resulting
/// Exchange meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// SMTP address of the user's mailbox, in lower case.
    pub address: String,
    /// Name shown on bookings.
    pub display_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_mode_round_trips() {
        for mode in [ResponseMode::AutoAccept, ResponseMode::AcceptAsRoom] {
            assert_eq!(mode.as_str().parse::<ResponseMode>(), Ok(mode));
            let json = serde_json::to_string(&mode).unwrap();
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
        }
    }

    #[test]
    fn response_mode_rejects_unknown_name() {
        let error = "manual".parse::<ResponseMode>().unwrap_err();
        assert_eq!(
            error,
            "invalid response mode `manual`: expected `auto-accept` or `accept-as-room`"
        );
    }
}
