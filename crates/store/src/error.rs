//! The store's error type.

use roombridge_domain::{Booking, FieldError};
use uuid::Uuid;

/// An error from a store operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The named record does not exist.
    #[error("{what} `{key}` not found")]
    NotFound {
        /// Kind of record, such as `booking` or `user`.
        what: &'static str,
        /// The key that was looked up.
        key: String,
    },
    /// The requested slot overlaps these blocking bookings, external ones
    /// included.
    #[error("the room is already booked by {} overlapping booking(s)", .0.len())]
    Conflict(Vec<Booking>),
    /// The booking changed since the caller read it.
    #[error("stale version: the booking is at version {current}; reload it and retry")]
    StaleVersion {
        /// The booking's current version.
        current: i64,
    },
    /// The request has invalid fields; every one is listed.
    #[error("invalid request: {}", join_field_errors(.0))]
    Invalid(Vec<FieldError>),
    /// The booking was read from Exchange and cannot be changed in
    /// roombridge.
    #[error("booking `{id}` is external and read-only: change it in Outlook")]
    External {
        /// The booking.
        id: Uuid,
    },
    /// The booking is deleted, so it cannot be changed any more.
    #[error("booking `{id}` is deleted and cannot be changed")]
    Deleted {
        /// The booking.
        id: Uuid,
    },
    /// The database URL is not one the store supports.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The database failed. The message carries no SQL parameters.
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, key: impl ToString) -> StoreError {
        StoreError::NotFound {
            what,
            key: key.to_string(),
        }
    }

    pub(crate) fn invalid(field: &str, message: String) -> StoreError {
        StoreError::Invalid(vec![FieldError::new(field, message)])
    }

    pub(crate) fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
        StoreError::Database(format!("invalid value in column `{column}`: {detail}"))
    }
}

/// Returns the message of a booking request that names a room the store
/// does not know.
pub(crate) fn unknown_room_message(room: &str) -> String {
    format!("unknown room `{room}`: add it first, for example with `roombridge room add`")
}

fn join_field_errors(errors: &[FieldError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        // Database errors carry the server's message only. The detail of a
        // PostgreSQL error can quote row values, so it is left out.
        let message = match error.as_database_error() {
            Some(database) => match database.code() {
                Some(code) => format!("{} (code {code})", database.message()),
                None => database.message().to_owned(),
            },
            None => error.to_string(),
        };
        StoreError::Database(message)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Database(format!("migration failed: {error}"))
    }
}
