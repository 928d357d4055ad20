//! Errors of the sync engine.

use roombridge_store::StoreError;

use crate::backend::BackendError;

/// A sync step that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The database failed.
    #[error("database error: {0}")]
    Store(String),
    /// Exchange failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The room is not configured in roombridge.
    #[error("unknown room `{0}`: add it with `roombridge room add` or check the address")]
    UnknownRoom(String),
    /// A booking the step needs is missing.
    #[error("booking {0} not found")]
    MissingBooking(uuid::Uuid),
}

impl From<StoreError> for SyncError {
    fn from(error: StoreError) -> SyncError {
        SyncError::Store(error.to_string())
    }
}

impl SyncError {
    /// Returns whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Backend(error) => error.is_transient(),
            SyncError::Store(_) => true,
            _ => false,
        }
    }
}
