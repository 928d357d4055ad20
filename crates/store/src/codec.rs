//! Conversions between domain values and column values shared by both
//! databases: instants as microseconds since the Unix epoch, enums as their
//! names, lists as JSON text.

use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::StoreError;

/// Returns the current time truncated to the microseconds the database
/// keeps, so that a value returned by a write equals the one read back.
pub(crate) fn now() -> Timestamp {
    truncate(Timestamp::now())
}

/// Truncates an instant to whole microseconds, the precision stored.
pub(crate) fn truncate(instant: Timestamp) -> Timestamp {
    // OK because an instant truncated towards its epoch offset's zero stays
    // within the range of `Timestamp`.
    Timestamp::from_microsecond(instant.as_microsecond()).unwrap_or(instant)
}

pub(crate) fn micros(instant: Timestamp) -> i64 {
    instant.as_microsecond()
}

pub(crate) fn optional_micros(instant: Option<Timestamp>) -> Option<i64> {
    instant.map(micros)
}

pub(crate) fn timestamp(column: &str, value: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(value).map_err(|error| StoreError::corrupt(column, error))
}

pub(crate) fn optional_timestamp(
    column: &str,
    value: Option<i64>,
) -> Result<Option<Timestamp>, StoreError> {
    value.map(|value| timestamp(column, value)).transpose()
}

pub(crate) fn parse_name<T>(
    column: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(value).ok_or_else(|| StoreError::corrupt(column, format!("unknown name `{value}`")))
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::Database(format!("failed to encode JSON: {error}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| StoreError::corrupt(column, error))
}
