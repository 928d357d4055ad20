//! Whole SOAP documents for one operation: a request to send, a response
//! to return, and the parsing of each.

use crate::operation::{Operation, OperationResponse};
use crate::types::{
    RequestHeader, ResponseEnvelope, ServerVersionInfo, read_response_envelope,
    write_request_envelope, write_response_envelope,
};
use crate::xml::{Ns, ParseError};

/// Writes the SOAP request for an operation.
pub fn request_xml<O: Operation>(header: &RequestHeader, operation: &O) -> String {
    write_request_envelope(header, |writer| operation.write_body(writer))
}

/// Writes the SOAP response for an operation, as a server returns it.
pub fn response_xml<R: OperationResponse>(
    server_version_info: Option<&ServerVersionInfo>,
    response: &R,
) -> String {
    write_response_envelope(server_version_info, |writer| response.write_body(writer))
}

/// Parses a SOAP response to an operation, or the fault in its place.
///
/// # Errors
///
/// Returns a [`ParseError`] naming the element path when the document is
/// malformed or its body is another operation's response.
pub fn parse_response<R: OperationResponse>(xml: &str) -> Result<ResponseEnvelope<R>, ParseError> {
    read_response_envelope(xml, |reader, start| {
        if start.ns != Ns::Messages || start.name != R::NAME {
            return Err(reader.error(format!(
                "expected `{}`, but found `{}`",
                R::NAME,
                start.name
            )));
        }
        R::read_body(reader, start)
    })
}
