//! Escaping XML writer for requests and responses.

use std::fmt::Display;

use jiff::Timestamp;

/// Builds an XML document as a string, escaping every text and attribute
/// value it is given.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// Creates an empty writer.
    pub fn new() -> XmlWriter {
        XmlWriter::default()
    }

    /// Writes the XML declaration.
    pub fn declaration(&mut self) {
        self.out
            .push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    }

    /// Writes a start tag with attributes.
    pub fn start(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.open_tag(name, attributes);
        self.out.push('>');
    }

    /// Writes a start tag, skipping attributes whose value is `None`.
    pub fn start_opt(&mut self, name: &str, attributes: &[(&str, Option<&str>)]) {
        let present: Vec<(&str, &str)> = attributes
            .iter()
            .filter_map(|(key, value)| value.map(|value| (*key, value)))
            .collect();
        self.start(name, &present);
    }

    /// Writes an end tag.
    pub fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes an element without content.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.open_tag(name, attributes);
        self.out.push_str("/>");
    }

    /// Writes an element without content, skipping `None` attributes.
    pub fn empty_opt(&mut self, name: &str, attributes: &[(&str, Option<&str>)]) {
        let present: Vec<(&str, &str)> = attributes
            .iter()
            .filter_map(|(key, value)| value.map(|value| (*key, value)))
            .collect();
        self.empty(name, &present);
    }

    /// Writes an element holding escaped text.
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.start(name, &[]);
        self.text(text);
        self.end(name);
    }

    /// Writes an element holding the `Display` form of a value, if present.
    pub fn opt_element<T: Display>(&mut self, name: &str, value: Option<T>) {
        if let Some(value) = value {
            self.text_element(name, &value.to_string());
        }
    }

    /// Writes an `xs:boolean` element, if present.
    pub fn opt_bool(&mut self, name: &str, value: Option<bool>) {
        if let Some(value) = value {
            self.text_element(name, if value { "true" } else { "false" });
        }
    }

    /// Writes an `xs:dateTime` element in UTC, if present.
    pub fn opt_timestamp(&mut self, name: &str, value: Option<&Timestamp>) {
        if let Some(value) = value {
            self.text_element(name, &format_timestamp(value));
        }
    }

    /// Writes escaped character data.
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text, false);
    }

    /// Returns the document written so far.
    pub fn into_string(self) -> String {
        self.out
    }

    fn open_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
    }
}

/// Formats a timestamp as an `xs:dateTime` in UTC, such as `2030-01-15T10:00:00Z`.
pub fn format_timestamp(value: &Timestamp) -> String {
    value.to_string()
}

/// Escapes text for XML 1.0.
///
/// Carriage returns and, in attributes, tabs and line feeds become character
/// references so that a parser's line-end and attribute normalisation gives
/// back the same string.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(ch),
            // NOTE: XML 1.0 cannot carry other control characters or the
            // non-characters U+FFFE and U+FFFF, even as references, so they
            // are replaced with U+FFFD instead of producing a document the
            // server rejects.
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(ch),
        }
    }
}
