//! FindItem: list a folder's items, as a calendar view (occurrences
//! expanded) or as pages, optionally filtered by a restriction.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation>

use jiff::Timestamp;

use crate::operation::{Operation, messages_response};
use crate::types::{
    BaseFolderId, Item, PropertyPath, ResponseContent, read_items_each, write_items,
};
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, format_timestamp, string_enum};

use super::restriction::{SearchExpression, read_restriction};
use super::shape::{Shape, expect_element, read_folder_ids, write_folder_ids};

string_enum! {
    /// `t:ItemQueryTraversalType`.
    pub enum ItemQueryTraversal {
        /// Items of the folder itself.
        Shallow = "Shallow",
        /// Items in the folder's dumpster.
        SoftDeleted = "SoftDeleted",
        /// Associated (hidden) items.
        Associated = "Associated",
    }
}

string_enum! {
    /// `t:IndexBasePointType`: where paging offsets count from.
    pub enum IndexBasePoint {
        /// From the first item.
        Beginning = "Beginning",
        /// From the last item.
        End = "End",
    }
}

string_enum! {
    /// `t:SortDirectionType`.
    pub enum SortDirection {
        /// Ascending.
        Ascending = "Ascending",
        /// Descending.
        Descending = "Descending",
    }
}

/// The paging view of a FindItem request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// `m:IndexedPageItemView`: a page of items by offset.
    IndexedPage {
        /// Maximum number of items in the page.
        max_entries_returned: Option<u32>,
        /// Offset of the first item.
        offset: u32,
        /// Base point the offset counts from.
        base_point: IndexBasePoint,
    },
    /// `m:CalendarView`: items and expanded occurrences that overlap a window.
    CalendarView {
        /// Maximum number of items; Exchange fails the request when more match.
        max_entries_returned: Option<u32>,
        /// Start of the window.
        start_date: Timestamp,
        /// End of the window.
        end_date: Timestamp,
    },
}

/// `t:FieldOrder`: one sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOrder {
    /// Direction.
    pub order: SortDirection,
    /// Property to sort by.
    pub path: PropertyPath,
}

/// `m:FindItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindItem {
    /// Traversal: the folder's items, deleted items or associated items.
    pub traversal: ItemQueryTraversal,
    /// Properties to return.
    pub item_shape: Shape,
    /// Paging or calendar view.
    pub view: Option<View>,
    /// Filter.
    pub restriction: Option<SearchExpression>,
    /// Sort keys.
    pub sort_order: Vec<FieldOrder>,
    /// Folders to search.
    pub parent_folder_ids: Vec<BaseFolderId>,
}

impl FindItem {
    /// Lists the items and expanded occurrences of a calendar folder that
    /// overlap `start..end`.
    pub fn calendar_view(
        folder: BaseFolderId,
        start: Timestamp,
        end: Timestamp,
        item_shape: Shape,
    ) -> FindItem {
        FindItem {
            traversal: ItemQueryTraversal::Shallow,
            item_shape,
            view: Some(View::CalendarView {
                max_entries_returned: None,
                start_date: start,
                end_date: end,
            }),
            restriction: None,
            sort_order: Vec::new(),
            parent_folder_ids: vec![folder],
        }
    }
}

impl FindItem {
    fn write_view(&self, writer: &mut XmlWriter) {
        match &self.view {
            None => {}
            Some(View::IndexedPage {
                max_entries_returned,
                offset,
                base_point,
            }) => {
                let max = max_entries_returned.map(|value| value.to_string());
                let offset = offset.to_string();
                writer.empty_opt(
                    "m:IndexedPageItemView",
                    &[
                        ("MaxEntriesReturned", max.as_deref()),
                        ("Offset", Some(offset.as_str())),
                        ("BasePoint", Some(base_point.as_str())),
                    ],
                );
            }
            Some(View::CalendarView {
                max_entries_returned,
                start_date,
                end_date,
            }) => {
                let max = max_entries_returned.map(|value| value.to_string());
                let start = format_timestamp(start_date);
                let end = format_timestamp(end_date);
                writer.empty_opt(
                    "m:CalendarView",
                    &[
                        ("MaxEntriesReturned", max.as_deref()),
                        ("StartDate", Some(start.as_str())),
                        ("EndDate", Some(end.as_str())),
                    ],
                );
            }
        }
    }
}

fn optional_number(
    reader: &XmlReader<'_>,
    start: &Element,
    name: &str,
) -> Result<Option<u32>, ParseError> {
    match start.attr(name) {
        None => Ok(None),
        Some(raw) => raw.trim().parse().map(Some).map_err(|_| {
            reader.error(format!(
                "invalid `{name}` `{raw}`, expected a non-negative integer"
            ))
        }),
    }
}

fn required_timestamp(
    reader: &XmlReader<'_>,
    start: &Element,
    name: &str,
) -> Result<Timestamp, ParseError> {
    let raw = start.required_attr(reader, name)?;
    reader.parse_timestamp(raw)
}

fn read_sort_order(reader: &mut XmlReader<'_>) -> Result<Vec<FieldOrder>, ParseError> {
    let mut orders = Vec::new();
    while let Some(child) = reader.next_child()? {
        if !child.is(Ns::Types, "FieldOrder") {
            reader.skip()?;
            continue;
        }
        let order = reader.parse_value(child.required_attr(reader, "Order")?)?;
        let mut path = None;
        while let Some(inner) = reader.next_child()? {
            match PropertyPath::read_if(reader, &inner)? {
                Some(found) => path = Some(found),
                None => reader.skip()?,
            }
        }
        let path = path.ok_or_else(|| reader.error("`FieldOrder` has no property path"))?;
        orders.push(FieldOrder { order, path });
    }
    Ok(orders)
}

impl Operation for FindItem {
    const NAME: &'static str = "FindItem";
    const IDEMPOTENT: bool = true;
    type Response = FindItemResponse;

    fn write_body(&self, writer: &mut XmlWriter) {
        writer.start("m:FindItem", &[("Traversal", self.traversal.as_str())]);
        self.item_shape.write(writer, "m:ItemShape");
        self.write_view(writer);
        if let Some(restriction) = &self.restriction {
            writer.start("m:Restriction", &[]);
            restriction.write(writer);
            writer.end("m:Restriction");
        }
        if !self.sort_order.is_empty() {
            writer.start("m:SortOrder", &[]);
            for order in &self.sort_order {
                writer.start("t:FieldOrder", &[("Order", order.order.as_str())]);
                order.path.write(writer);
                writer.end("t:FieldOrder");
            }
            writer.end("m:SortOrder");
        }
        write_folder_ids(writer, "m:ParentFolderIds", &self.parent_folder_ids);
        writer.end("m:FindItem");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let traversal = reader.parse_value(start.required_attr(reader, "Traversal")?)?;
        let mut request = FindItem {
            traversal,
            item_shape: Shape::new(super::shape::BaseShape::IdOnly),
            view: None,
            restriction: None,
            sort_order: Vec::new(),
            parent_folder_ids: Vec::new(),
        };
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Messages, "ItemShape") => request.item_shape = Shape::read(reader)?,
                (Ns::Messages, "IndexedPageItemView") => {
                    let offset = optional_number(reader, &child, "Offset")?.unwrap_or(0);
                    request.view = Some(View::IndexedPage {
                        max_entries_returned: optional_number(
                            reader,
                            &child,
                            "MaxEntriesReturned",
                        )?,
                        offset,
                        base_point: reader
                            .parse_value(child.required_attr(reader, "BasePoint")?)?,
                    });
                    reader.skip()?;
                }
                (Ns::Messages, "CalendarView") => {
                    request.view = Some(View::CalendarView {
                        max_entries_returned: optional_number(
                            reader,
                            &child,
                            "MaxEntriesReturned",
                        )?,
                        start_date: required_timestamp(reader, &child, "StartDate")?,
                        end_date: required_timestamp(reader, &child, "EndDate")?,
                    });
                    reader.skip()?;
                }
                (Ns::Messages, "Restriction") => {
                    request.restriction = Some(read_restriction(reader)?)
                }
                (Ns::Messages, "SortOrder") => request.sort_order = read_sort_order(reader)?,
                (Ns::Messages, "ParentFolderIds") => {
                    request.parent_folder_ids = read_folder_ids(reader)?
                }
                _ => reader.skip()?,
            }
        }
        Ok(request)
    }
}

/// `m:RootFolder` of a FindItem response message: one page of items.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FindItemContent {
    /// Offset of the next page, for an indexed view.
    pub indexed_paging_offset: Option<u32>,
    /// Number of items in the whole view.
    pub total_items_in_view: Option<u32>,
    /// True when this page ends the view.
    pub includes_last_item_in_range: Option<bool>,
    /// The items of this page.
    pub items: Vec<Item>,
}

impl ResponseContent for FindItemContent {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        if !child.is(Ns::Messages, "RootFolder") {
            return Ok(false);
        }
        self.indexed_paging_offset = optional_number(reader, child, "IndexedPagingOffset")?;
        self.total_items_in_view = optional_number(reader, child, "TotalItemsInView")?;
        self.includes_last_item_in_range = child
            .attr("IncludesLastItemInRange")
            .and_then(crate::xml::parse_bool);
        while let Some(inner) = reader.next_child()? {
            if inner.is(Ns::Types, "Items") {
                read_items_each(reader, |item| self.items.push(item))?;
            } else {
                reader.skip()?;
            }
        }
        Ok(true)
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        let offset = self.indexed_paging_offset.map(|value| value.to_string());
        let total = self.total_items_in_view.map(|value| value.to_string());
        let last = self
            .includes_last_item_in_range
            .map(|value| if value { "true" } else { "false" });
        writer.start_opt(
            "m:RootFolder",
            &[
                ("IndexedPagingOffset", offset.as_deref()),
                ("TotalItemsInView", total.as_deref()),
                ("IncludesLastItemInRange", last),
            ],
        );
        write_items(writer, "t:Items", &self.items);
        writer.end("m:RootFolder");
    }
}

messages_response! {
    /// `m:FindItemResponse`.
    FindItemResponse, "FindItemResponseMessage", FindItemContent
}
