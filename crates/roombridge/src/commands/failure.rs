//! The error a command ends with: one line for the operator.

use std::fmt;

use roombridge_store::StoreError;

use crate::config::ConfigError;

/// Why a command failed, phrased for the operator.
#[derive(Debug)]
pub(crate) struct Failure(String);

impl Failure {
    /// Wraps a message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        Self(error.to_string())
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Database(message) => Self(format!(
                "database error: {message}; if the schema is missing or old, run `roombridge migrate`"
            )),
            other => Self(other.to_string()),
        }
    }
}
