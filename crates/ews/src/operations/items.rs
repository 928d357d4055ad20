//! `m:Items`, the content of GetItem and CreateItem response messages.

use crate::types::{Item, ResponseContent, read_items, write_items};
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter};

/// Response message content holding the items the operation returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemsContent {
    /// The items, in request order.
    pub items: Vec<Item>,
}

impl ResponseContent for ItemsContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        if child.is(Ns::Messages, "Items") {
            self.items = read_items(reader)?;
            return Ok(true);
        }
        Ok(false)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        write_items(writer, "m:Items", &self.items);
    }
}
