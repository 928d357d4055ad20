//! Builds XML text with every text node and attribute value escaped.

use quick_xml::escape::escape;

/// Appends elements to a string; callers close what they open.
#[derive(Debug, Default)]
pub(crate) struct XmlWriter {
    out: String,
    open: Vec<&'static str>,
}

impl XmlWriter {
    /// Creates a writer that starts with the XML declaration.
    pub(crate) fn new() -> XmlWriter {
        XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            open: Vec::new(),
        }
    }

    /// Opens `name` with attributes.
    pub(crate) fn start(&mut self, name: &'static str, attributes: &[(&str, &str)]) -> &mut Self {
        self.open_tag(name, attributes);
        self.out.push('>');
        self.open.push(name);
        self
    }

    /// Closes the innermost open element.
    pub(crate) fn end(&mut self) -> &mut Self {
        let name = self.open.pop().expect("end() matches a start()");
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Writes `<name attributes/>`.
    pub(crate) fn empty(&mut self, name: &'static str, attributes: &[(&str, &str)]) -> &mut Self {
        self.open_tag(name, attributes);
        self.out.push_str("/>");
        self
    }

    /// Writes `<name>text</name>`.
    pub(crate) fn leaf(&mut self, name: &'static str, text: &str) -> &mut Self {
        self.leaf_with(name, &[], text)
    }

    /// Writes `<name attributes>text</name>`.
    pub(crate) fn leaf_with(
        &mut self,
        name: &'static str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> &mut Self {
        self.open_tag(name, attributes);
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Returns the document.
    pub(crate) fn finish(self) -> String {
        debug_assert!(self.open.is_empty(), "unclosed elements: {:?}", self.open);
        self.out
    }

    fn open_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(&escape(*value));
            self.out.push('"');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        let mut writer = XmlWriter::default();
        writer
            .start("a", &[("k", "\"<&>")])
            .leaf("b", "x < y & z")
            .end();
        assert_eq!(
            writer.finish(),
            "<a k=\"&quot;&lt;&amp;&gt;\"><b>x &lt; y &amp; z</b></a>"
        );
    }
}
