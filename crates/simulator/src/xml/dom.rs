//! Parses a document into an owned tree of elements.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// An element with its local name, attributes (by local name), text and children.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
}

/// A request body that is not well-formed XML.
#[derive(Debug, thiserror::Error)]
#[error("the request is not well-formed XML: {0}")]
pub(crate) struct ParseError(String);

impl Element {
    /// Parses `input` and returns its root element.
    pub(crate) fn parse(input: &str) -> Result<Element, ParseError> {
        let mut reader = Reader::from_str(input);
        let mut stack: Vec<Element> = Vec::new();
        loop {
            let event = reader.read_event().map_err(|e| ParseError(e.to_string()))?;
            match event {
                Event::Start(start) => stack.push(open(&start)?),
                Event::Empty(start) => {
                    let element = open(&start)?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                }
                Event::End(_) => {
                    let element = stack
                        .pop()
                        .ok_or_else(|| ParseError("unbalanced end tag".into()))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                }
                Event::Text(text) => {
                    if let Some(current) = stack.last_mut() {
                        current.text.push_str(&text.xml10_content());
                    }
                }
                Event::CData(data) => {
                    if let Some(current) = stack.last_mut() {
                        current.text.push_str(&data);
                    }
                }
                Event::GeneralRef(reference) => {
                    let resolved = resolve_reference(&reference)?;
                    if let Some(current) = stack.last_mut() {
                        current.text.push(resolved);
                    }
                }
                Event::Eof => {
                    return Err(ParseError(
                        "the document ended before its root element closed".into(),
                    ));
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Returns the first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Follows a path of child names.
    pub(crate) fn path(&self, names: &[&str]) -> Option<&Element> {
        names
            .iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// Returns the trimmed text of the child named `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|child| child.text.trim())
    }

    /// Returns the value of the attribute named `name`.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

fn open(start: &BytesStart<'_>) -> Result<Element, ParseError> {
    let name = start.local_name().as_ref().to_string();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| ParseError(e.to_string()))?;
        let key = attribute.key.local_name();
        let key = key.as_ref().to_string();
        if attribute.key.as_ref().starts_with("xmlns") {
            continue;
        }
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| ParseError(e.to_string()))?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attributes,
        ..Element::default()
    })
}

fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<char, ParseError> {
    if let Some(ch) = reference
        .resolve_char_ref()
        .map_err(|e| ParseError(e.to_string()))?
    {
        return Ok(ch);
    }
    let name: &str = reference.as_ref();
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        other => Err(ParseError(format!("unknown entity `&{other};`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixed_elements_by_local_name() {
        let doc = r#"<s:Envelope xmlns:s="x" xmlns:t="y"><s:Body><t:Subject a:Id="1" xmlns:a="z">A &amp; B &#x4e2d;</t:Subject><t:Empty/></s:Body></s:Envelope>"#;
        let root = Element::parse(doc).unwrap();
        assert_eq!(root.name, "Envelope");
        let subject = root.path(&["Body", "Subject"]).unwrap();
        assert_eq!(subject.text, "A & B 中");
        assert_eq!(subject.attribute("Id"), Some("1"));
        assert!(root.path(&["Body", "Empty"]).is_some());
    }

    #[test]
    fn rejects_unclosed_document() {
        assert!(Element::parse("<a><b></b>").is_err());
    }
}
