//! A small XML tree for reading SOAP requests and an escaping writer for
//! building responses.
//!
//! Requests are read by local name: EWS uses fixed namespaces, and clients
//! differ only in the prefixes they bind to them, so matching on the local
//! part accepts every client without resolving namespaces.

mod dom;
mod write;

pub(crate) use dom::Element;
pub(crate) use write::XmlWriter;
