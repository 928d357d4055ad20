//! Exchange Web Services (EWS) for calendars, rooms and impersonation.
//!
//! This crate owns the EWS wire format (SOAP envelopes, headers, item types,
//! response codes, one module per operation) in both directions, so a client
//! writes requests and reads responses with the same types that an Exchange
//! simulator uses to read requests and write responses. It knows nothing
//! about bookings or storage.

pub mod envelope;
pub mod operation;
pub mod operations;
pub mod request;
pub mod types;
pub mod xml;
