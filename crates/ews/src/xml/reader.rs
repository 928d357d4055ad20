//! Pull reader over an EWS document that tracks the element path for errors.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::Ns;

/// A malformed or unexpected document, with the element path where it failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at `{path}`")]
pub struct ParseError {
    /// Element path from the root, such as `/Envelope/Body/GetItemResponse`.
    pub path: String,
    /// Description of the problem.
    pub message: String,
}

/// A start tag: its namespace, local name and unqualified attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Namespace the element's prefix resolved to.
    pub ns: Ns,
    /// Local name without prefix.
    pub name: String,
    attributes: Vec<(String, String)>,
}

impl Element {
    /// Returns true when the element has this namespace and local name.
    pub fn is(&self, ns: Ns, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// Returns the value of an attribute without namespace prefix.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns an attribute the schema requires, or an error naming it.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the attribute is absent.
    pub fn required_attr(&self, reader: &XmlReader<'_>, name: &str) -> Result<&str, ParseError> {
        self.attr(name)
            .ok_or_else(|| reader.error(format!("missing attribute `{name}` on `{}`", self.name)))
    }

    /// Parses an optional attribute holding a schema enumeration value.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the attribute has a value outside the
    /// enumeration.
    pub fn enum_attr<T: WireValue>(
        &self,
        reader: &XmlReader<'_>,
        name: &str,
    ) -> Result<Option<T>, ParseError> {
        self.attr(name)
            .map(|value| reader.parse_value(value))
            .transpose()
    }
}

/// A value with a fixed set of wire spellings, parsed with a helpful error.
pub trait WireValue: Sized {
    /// Schema type name used in error messages.
    const TYPE_NAME: &'static str;
    /// Parses the wire spelling.
    fn parse_wire(value: &str) -> Option<Self>;
    /// Lists the accepted spellings for an error message.
    fn expected() -> String;
}

/// Deepest element nesting the reader descends into. EWS documents nest
/// about a dozen levels. The readers of nested types such as restrictions
/// recurse once per level, so the limit also bounds their stack use.
pub(crate) const MAX_DEPTH: usize = 128;

/// Most items (calendar items, messages and other item elements) one
/// document may contain. An empty `<t:CalendarItem/>` of 17 bytes becomes
/// about a kilobyte in memory, so without a limit a 64 MiB response could
/// take gigabytes.
// NOTE: this is this crate's bound, set far above what Exchange sends: the
// schema allows at most 512 changes per SyncFolderItems page, and the
// EWSFindCountLimit throttling setting caps FindItem results.
pub const MAX_ITEMS: usize = 100_000;

/// Streaming reader over one EWS document.
///
/// Each `ReadXml` implementation is called right after its start tag and
/// consumes everything up to and including the matching end tag, with
/// [`XmlReader::next_child`], [`XmlReader::read_text`] or [`XmlReader::skip`].
pub struct XmlReader<'i> {
    inner: NsReader<&'i [u8]>,
    path: Vec<String>,
    time_zone: TimeZone,
    items: usize,
}

impl fmt::Debug for XmlReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XmlReader")
            .field("path", &self.path_string())
            .finish_non_exhaustive()
    }
}

impl<'i> XmlReader<'i> {
    /// Creates a reader over a whole document.
    pub fn new(xml: &'i str) -> XmlReader<'i> {
        let mut inner = NsReader::from_str(xml);
        let config = inner.config_mut();
        config.expand_empty_elements = true;
        config.trim_text(false);
        XmlReader {
            inner,
            path: Vec::new(),
            time_zone: TimeZone::UTC,
            items: 0,
        }
    }

    /// Counts one more item read from the document.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] once the document contains more than
    /// [`MAX_ITEMS`] items.
    pub fn count_item(&mut self) -> Result<(), ParseError> {
        self.items += 1;
        if self.items > MAX_ITEMS {
            return Err(self.error(format!("the document contains more than {MAX_ITEMS} items")));
        }
        Ok(())
    }

    /// Sets the zone for date-times that carry no offset, which EWS
    /// interprets in the request's `TimeZoneContext` (UTC when absent).
    pub fn set_time_zone(&mut self, time_zone: TimeZone) {
        self.time_zone = time_zone;
    }

    /// Parses an `xs:dateTime`; one without an offset is taken to be in the
    /// zone set with [`XmlReader::set_time_zone`].
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the text is not a date-time.
    pub fn parse_timestamp(&self, text: &str) -> Result<Timestamp, ParseError> {
        let trimmed = text.trim();
        if let Ok(timestamp) = parse_timestamp(trimmed) {
            return Ok(timestamp);
        }
        let local: DateTime = trimmed.parse().map_err(|error| {
            self.error(format!(
                "invalid date-time `{trimmed}`, expected `YYYY-MM-DDTHH:MM:SS` with an optional offset: {error}"
            ))
        })?;
        self.time_zone.to_timestamp(local).map_err(|error| {
            self.error(format!(
                "date-time `{trimmed}` does not exist in the request's zone: {error}"
            ))
        })
    }

    /// Builds an error at the current element path.
    pub fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            path: self.path_string(),
            message: message.into(),
        }
    }

    fn path_string(&self) -> String {
        if self.path.is_empty() {
            return "/".to_owned();
        }
        let mut path = String::new();
        for name in &self.path {
            path.push('/');
            path.push_str(name);
        }
        path
    }

    fn xml_error(&self, error: impl fmt::Display) -> ParseError {
        self.error(format!("malformed XML: {error}"))
    }

    /// Reads up to the document's root element and returns its start tag.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the document is empty, not well-formed
    /// or declares a DOCTYPE (EWS never sends one, and refusing it keeps
    /// entity declarations out).
    pub fn root(&mut self) -> Result<Element, ParseError> {
        match self.next_child()? {
            Some(element) => Ok(element),
            None => Err(self.error("document has no root element")),
        }
    }

    /// Returns the next child element of the current element, or `None`
    /// after consuming the current element's end tag.
    ///
    /// Text between child elements is ignored.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the document is not well-formed.
    pub fn next_child(&mut self) -> Result<Option<Element>, ParseError> {
        loop {
            let (resolved, event) = match self.inner.read_resolved_event() {
                Ok(pair) => pair,
                Err(error) => return Err(self.xml_error(error)),
            };
            match event {
                Event::Start(start) => {
                    if self.path.len() >= MAX_DEPTH {
                        return Err(self.error(format!(
                            "elements are nested deeper than {MAX_DEPTH} levels"
                        )));
                    }
                    // An undeclared prefix makes the document not namespace
                    // well-formed. Skipping such an element as unknown would
                    // silently drop data, such as every item of a response.
                    if let ResolveResult::Unknown(prefix) = &resolved {
                        return Err(
                            self.error(format!("namespace prefix `{prefix}` is not declared"))
                        );
                    }
                    let ns = resolve_ns(&resolved);
                    let element = self.element(ns, &start)?;
                    self.path.push(element.name.clone());
                    return Ok(Some(element));
                }
                Event::End(_) => {
                    self.path.pop();
                    return Ok(None);
                }
                Event::Eof => {
                    if self.path.is_empty() {
                        return Ok(None);
                    }
                    return Err(self.error("unexpected end of document"));
                }
                Event::DocType(_) => return Err(self.error("DOCTYPE is not allowed in EWS XML")),
                _ => {}
            }
        }
    }

    fn element(&self, ns: Ns, start: &BytesStart<'_>) -> Result<Element, ParseError> {
        let name = start.local_name().into_inner().to_owned();
        let mut attributes = Vec::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|error| self.xml_error(error))?;
            // Only unqualified attributes carry EWS data; `xmlns` and
            // `xml:lang` style attributes are skipped.
            let key = attribute.key.into_inner();
            if key.contains(':') || key == "xmlns" {
                continue;
            }
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|error| self.xml_error(error))?;
            attributes.push((key.to_owned(), value.into_owned()));
        }
        Ok(Element {
            ns,
            name,
            attributes,
        })
    }

    /// Reads the text content of the current element and its end tag.
    ///
    /// Character data, CDATA sections and entity references are joined;
    /// nested elements are skipped.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] on malformed XML or an unknown entity.
    pub fn read_text(&mut self) -> Result<String, ParseError> {
        let text = self.collect_text()?;
        self.path.pop();
        Ok(text)
    }

    /// Reads text up to the current element's end tag but leaves the
    /// element on the path, so that a parse error can name it.
    fn collect_text(&mut self) -> Result<String, ParseError> {
        let mut text = String::new();
        loop {
            let event = match self.inner.read_event() {
                Ok(event) => event,
                Err(error) => return Err(self.xml_error(error)),
            };
            match event {
                Event::Text(content) => text.push_str(&content.xml10_content()),
                Event::CData(content) => text.push_str(&content.xml10_content()),
                Event::GeneralRef(reference) => {
                    if let Some(ch) = reference
                        .resolve_char_ref()
                        .map_err(|error| self.xml_error(error))?
                    {
                        text.push(ch);
                    } else {
                        let name = reference.xml10_content();
                        match resolve_predefined_entity(&name) {
                            Some(value) => text.push_str(value),
                            None => return Err(self.error(format!("unknown entity `&{name};`"))),
                        }
                    }
                }
                Event::Start(_) => {
                    self.path.push(String::from("(nested)"));
                    self.skip()?;
                }
                Event::End(_) => return Ok(text),
                Event::Eof => return Err(self.error("unexpected end of document")),
                Event::DocType(_) => return Err(self.error("DOCTYPE is not allowed in EWS XML")),
                _ => {}
            }
        }
    }

    /// Skips the rest of the current element, including its end tag.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] on malformed XML.
    pub fn skip(&mut self) -> Result<(), ParseError> {
        let mut depth = 0usize;
        loop {
            let event = match self.inner.read_event() {
                Ok(event) => event,
                Err(error) => return Err(self.xml_error(error)),
            };
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => {
                    self.path.pop();
                    return Ok(());
                }
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(self.error("unexpected end of document")),
                Event::DocType(_) => return Err(self.error("DOCTYPE is not allowed in EWS XML")),
                _ => {}
            }
        }
    }

    /// Parses a wire value such as an enumeration member.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] naming the value and the accepted spellings.
    pub fn parse_value<T: WireValue>(&self, value: &str) -> Result<T, ParseError> {
        T::parse_wire(value).ok_or_else(|| {
            self.error(format!(
                "invalid {} `{}`, expected one of: {}",
                T::TYPE_NAME,
                value.trim(),
                T::expected()
            ))
        })
    }

    /// Reads the element's text as a schema enumeration value.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the text is not one of the values.
    pub fn read_enum<T: WireValue>(&mut self) -> Result<T, ParseError> {
        let text = self.collect_text()?;
        let parsed = self.parse_value(&text);
        self.path.pop();
        parsed
    }

    /// Reads the element's text as an `xs:boolean` (`true`, `false`, `1`, `0`).
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] for any other text.
    pub fn read_bool(&mut self) -> Result<bool, ParseError> {
        let text = self.collect_text()?;
        let parsed = parse_bool(&text).ok_or_else(|| {
            self.error(format!(
                "invalid boolean `{}`, expected `true`, `false`, `1` or `0`",
                text.trim()
            ))
        });
        self.path.pop();
        parsed
    }

    /// Reads the element's text as an integer.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the text is not an integer of type `T`.
    pub fn read_int<T: std::str::FromStr>(&mut self) -> Result<T, ParseError> {
        let text = self.collect_text()?;
        let parsed = text
            .trim()
            .parse()
            .map_err(|_| self.error(format!("invalid integer `{}`", text.trim())));
        self.path.pop();
        parsed
    }

    /// Reads the element's text as an `xs:dateTime` (see
    /// [`XmlReader::parse_timestamp`]).
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the text is not a date-time.
    pub fn read_timestamp(&mut self) -> Result<Timestamp, ParseError> {
        let text = self.collect_text()?;
        let parsed = self.parse_timestamp(&text);
        self.path.pop();
        parsed
    }
}

fn resolve_ns(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Bound(namespace) => Ns::from_uri(namespace.into_inner()),
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(_) => Ns::Other,
    }
}

/// Parses an `xs:boolean`.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Parses an `xs:dateTime` that carries a UTC offset or `Z`.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let trimmed = text.trim();
    trimmed.parse::<Timestamp>().map_err(|error| {
        format!("invalid date-time `{trimmed}`, expected RFC 3339 with an offset: {error}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_bool_at(xml: &str) -> Result<bool, ParseError> {
        let mut reader = XmlReader::new(xml);
        reader.root().unwrap();
        reader.next_child().unwrap().unwrap();
        reader.read_bool()
    }

    #[test]
    fn typed_error_names_element_path() {
        let error = read_bool_at("<a><IsCancelled>maybe</IsCancelled></a>").unwrap_err();
        assert_eq!(error.path, "/a/IsCancelled");
        assert!(error.message.contains("`maybe`"), "{}", error.message);
    }

    #[test]
    fn text_joins_entities_and_cdata() {
        let mut reader = XmlReader::new("<a>x &amp; y &#x4E2D;<![CDATA[ <z> ]]>!</a>");
        reader.root().unwrap();
        assert_eq!(reader.read_text().unwrap(), "x & y 中 <z> !");
        assert_eq!(reader.next_child().unwrap(), None);
    }

    #[test]
    fn doctype_is_rejected() {
        let mut reader = XmlReader::new("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>");
        let error = reader.root().unwrap_err();
        assert!(error.message.contains("DOCTYPE"), "{}", error.message);
    }

    #[test]
    fn truncated_document_is_an_error() {
        let mut reader = XmlReader::new("<a><b>text");
        reader.root().unwrap();
        reader.next_child().unwrap().unwrap();
        let error = reader.read_text().unwrap_err();
        assert!(
            error.message.contains("end of document"),
            "{}",
            error.message
        );
    }
}
