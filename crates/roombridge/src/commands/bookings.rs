//! `roombridge bookings list`.

use clap::Subcommand;
use jiff::Timestamp;
use roombridge_store::BookingFilter;

use super::{Failure, open_store};
use crate::config::Config;

/// Subcommands of `roombridge bookings`.
#[derive(Debug, Subcommand)]
pub(crate) enum BookingsCommand {
    /// List bookings ordered by start, one per line: id, room, start, end
    /// (UTC), status, origin, organizer, subject. Backslash, tab, line
    /// breaks and other control characters in text are written as escapes
    /// such as `\t`.
    List {
        /// Only bookings of this room (mailbox address).
        #[arg(long, value_name = "ADDRESS")]
        room: Option<String>,
        /// Only bookings ending after this time, RFC 3339 with an offset,
        /// such as `2026-12-07T00:00:00Z`.
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        from: Option<Timestamp>,
        /// Only bookings starting before this time, RFC 3339 with an offset.
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        to: Option<Timestamp>,
        /// Include deleted bookings.
        #[arg(long)]
        include_deleted: bool,
        /// Maximum number of bookings to print.
        #[arg(long, value_name = "N", default_value_t = 1000)]
        limit: u32,
        /// Print one JSON object per line instead of columns.
        #[arg(long)]
        json: bool,
    },
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>().map_err(|_| {
        format!("expected an RFC 3339 time with an offset such as `2026-12-07T09:00:00Z`, but found `{text}`")
    })
}

/// Runs a `bookings` subcommand.
pub(crate) async fn run(config: &Config, command: BookingsCommand) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let BookingsCommand::List {
        room,
        from,
        to,
        include_deleted,
        limit,
        json,
    } = command;
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(Failure::new(format!(
            "--from {from} is not before --to {to}; swap them or widen the window"
        )));
    }
    let room = room.map(|room| roombridge_domain::normalize_address(&room));
    if let Some(room) = &room
        && !roombridge_domain::is_valid_address(room)
    {
        return Err(Failure::new(format!(
            "invalid room address `{}` in --room: expected a mailbox address such as \
             `room-101@example.com`",
            super::tsv_field(room)
        )));
    }
    let filter = BookingFilter {
        room,
        from,
        to,
        include_deleted,
        limit: Some(limit),
        ..BookingFilter::default()
    };
    for booking in store.list_bookings(&filter).await? {
        if json {
            let line = serde_json::to_string(&booking)
                .map_err(|error| Failure::new(format!("cannot encode booking as JSON: {error}")))?;
            println!("{line}");
        } else {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                booking.id,
                super::tsv_field(&booking.room),
                booking.start,
                booking.end,
                if booking.deleted_at.is_some() {
                    "deleted"
                } else {
                    booking.status.as_str()
                },
                booking.origin.as_str(),
                super::tsv_field(&booking.organizer),
                super::tsv_field(&booking.subject)
            );
        }
    }
    Ok(())
}
