//! Namespace-aware XML reading and writing shared by every EWS type.
//!
//! Reading is a pull parser over the response text: each type consumes its
//! own element and nothing else, so a large `FindItem` or `SyncFolderItems`
//! response is turned into items one at a time instead of into a document
//! tree. Elements are matched on namespace URI and local name, so any prefix
//! works. Writing always uses the prefixes `s`, `m` and `t`.

mod reader;
mod writer;

pub use reader::{Element, MAX_ITEMS, ParseError, WireValue, XmlReader, parse_timestamp};
pub use writer::XmlWriter;

/// Namespace of the SOAP 1.1 envelope.
pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// Namespace of EWS operation requests and responses (`m:` prefix).
pub const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
/// Namespace of EWS data types (`t:` prefix).
pub const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
/// Namespace of the children of a SOAP fault's `detail` element.
pub const ERRORS_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/errors";

/// The namespaces an EWS document uses, resolved from whatever prefix it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// The SOAP 1.1 envelope namespace.
    Soap,
    /// The EWS messages namespace.
    Messages,
    /// The EWS types namespace.
    Types,
    /// The EWS errors namespace used inside SOAP faults.
    Errors,
    /// No namespace, as on the children of `s:Fault`.
    None,
    /// Any other namespace.
    Other,
}

impl Ns {
    /// Classifies a namespace URI.
    pub fn from_uri(uri: &str) -> Ns {
        match uri {
            SOAP_NS => Ns::Soap,
            // NOTE: Microsoft's documentation pages print the SOAP namespace
            // with `https://`, a link-rewriting mistake that no Exchange
            // server sends; accepting it lets those published samples parse.
            "https://schemas.xmlsoap.org/soap/envelope/" => Ns::Soap,
            MESSAGES_NS => Ns::Messages,
            TYPES_NS => Ns::Types,
            ERRORS_NS => Ns::Errors,
            _ => Ns::Other,
        }
    }
}

/// A type that reads itself from the element whose start tag was just read.
pub trait ReadXml: Sized {
    /// Reads the element's content and its end tag.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] naming the element path when the content is
    /// not well-formed or a required value is missing or invalid.
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError>;
}

/// A type that writes itself as one element with the given qualified name.
pub trait WriteXml {
    /// Writes the element `name` (for example `t:ItemId`) with this value.
    fn write_xml(&self, writer: &mut XmlWriter, name: &str);
}

/// Declares a string-valued schema enumeration with its wire spellings.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in schema order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// Returns the value as spelled on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $wire, )+
                }
            }

            /// Parses the wire spelling, surrounding whitespace ignored.
            pub fn from_wire(value: &str) -> Option<$name> {
                match value.trim() {
                    $( $wire => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::xml::WireValue for $name {
            const TYPE_NAME: &'static str = stringify!($name);

            fn parse_wire(value: &str) -> Option<Self> {
                $name::from_wire(value)
            }

            fn expected() -> String {
                let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                names.join(", ")
            }
        }
    };
}

pub(crate) use string_enum;

pub(crate) use reader::parse_bool;
pub use writer::format_timestamp;
