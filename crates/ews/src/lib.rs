//! Exchange Web Services (EWS) for calendars, rooms and impersonation.
//!
//! This crate owns the EWS wire format in both directions: SOAP envelopes,
//! headers, item types, response codes and one module per operation. A
//! client writes requests and reads responses with the same types that an
//! Exchange simulator uses to read requests and write responses. On top of
//! that it provides an asynchronous client with Basic, NTLMv2 and OAuth
//! authentication, impersonation, retries and a per-account concurrency
//! cap. It has no notion of bookings or storage.
//!
//! ```no_run
//! # async fn example() -> Result<(), roombridge_ews::error::EwsError> {
//! use roombridge_ews::auth::Credentials;
//! use roombridge_ews::client::EwsClientBuilder;
//! use roombridge_ews::operations::{BaseShape, GetFolder, Shape};
//! use roombridge_ews::types::{DistinguishedFolderId, DistinguishedFolderIdName};
//!
//! let client = EwsClientBuilder::new(
//!     "https://mail.contoso.com/EWS/Exchange.asmx",
//!     Credentials::ntlm("CONTOSO\\svc-rooms", "password"),
//! )
//! .build()?;
//! let request = GetFolder {
//!     folder_shape: Shape::new(BaseShape::IdOnly),
//!     folder_ids: vec![DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into()],
//! };
//! let response = client.call(Some("room1@contoso.com"), &request).await?;
//! # let _ = response;
//! # Ok(())
//! # }
//! ```

pub mod auth;
pub mod client;
pub mod envelope;
pub mod error;
pub mod operation;
pub mod operations;
pub mod request;
pub mod retry;
pub mod secret;
pub mod timezone;
pub mod transport;
pub mod types;
pub mod xml;

pub use client::{EwsClient, EwsClientBuilder};
pub use error::EwsError;
pub use secret::Secret;
