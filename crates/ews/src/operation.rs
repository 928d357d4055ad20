//! The traits every EWS operation module implements: the request element,
//! its response element, and whether the request may be sent again safely.

use std::fmt::Debug;

use crate::types::{MessageXmlValue, ResponseClass, ResponseCode};
use crate::xml::{Element, ParseError, XmlReader, XmlWriter};

/// An EWS operation's request body.
pub trait Operation: Debug + Sized {
    /// Local name of the request element, such as `GetItem`.
    const NAME: &'static str;

    /// True when sending the request twice has the same effect as once,
    /// so that a retry after a lost response is safe.
    const IDEMPOTENT: bool;

    /// The response body.
    type Response: OperationResponse;

    /// Writes the request element inside `s:Body`.
    fn write_body(&self, writer: &mut XmlWriter);

    /// Reads the request element (its start tag was read), for a server.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] naming the element path when the request is
    /// malformed.
    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError>;

    /// Returns how many response messages the response must contain: one
    /// per id or item of a batch request, or `None` when the count is not
    /// fixed by the request.
    fn expected_messages(&self) -> Option<usize> {
        None
    }
}

/// The outcome of one response message, independent of its content.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    /// Success, warning or error.
    pub response_class: ResponseClass,
    /// Outcome code.
    pub response_code: &'a ResponseCode,
    /// Message text.
    pub message_text: Option<&'a str>,
    /// `MessageXml` values.
    pub message_xml: &'a [MessageXmlValue],
}

/// An EWS operation's response body.
pub trait OperationResponse: Debug + Sized {
    /// Local name of the response element, such as `GetItemResponse`.
    const NAME: &'static str;

    /// Writes the response element inside `s:Body`, for a server.
    fn write_body(&self, writer: &mut XmlWriter);

    /// Reads the response element (its start tag was read).
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] naming the element path when the response is
    /// malformed.
    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError>;

    /// Returns the outcome of each response message, in request order.
    fn outcomes(&self) -> Vec<Outcome<'_>>;
}

/// Declares a response that contains `m:ResponseMessages` with one message
/// type per request item.
macro_rules! messages_response {
    (
        $(#[$meta:meta])*
        $name:ident, $message:literal, $content:ty
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            /// One message per item or folder of the request, in order.
            pub messages: Vec<$crate::types::ResponseMessage<$content>>,
        }

        impl $crate::operation::OperationResponse for $name {
            const NAME: &'static str = stringify!($name);

            fn write_body(&self, writer: &mut $crate::xml::XmlWriter) {
                $crate::types::write_messages_response(
                    writer,
                    concat!("m:", stringify!($name)),
                    concat!("m:", $message),
                    &self.messages,
                );
            }

            fn read_body(
                reader: &mut $crate::xml::XmlReader<'_>,
                _start: &$crate::xml::Element,
            ) -> Result<Self, $crate::xml::ParseError> {
                Ok($name {
                    messages: $crate::types::read_messages_response(reader)?,
                })
            }

            fn outcomes(&self) -> Vec<$crate::operation::Outcome<'_>> {
                self.messages
                    .iter()
                    .map(|message| $crate::operation::Outcome {
                        response_class: message.response_class,
                        response_code: &message.response_code,
                        message_text: message.message_text.as_deref(),
                        message_xml: &message.message_xml,
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use messages_response;

impl<'a> Outcome<'a> {
    /// Returns the outcome of a response message.
    pub fn of<T>(message: &'a crate::types::ResponseMessage<T>) -> Outcome<'a> {
        Outcome {
            response_class: message.response_class,
            response_code: &message.response_code,
            message_text: message.message_text.as_deref(),
            message_xml: &message.message_xml,
        }
    }
}
