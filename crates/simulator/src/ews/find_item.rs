//! FindItem: CalendarView expansion, IndexedPageItemView paging,
//! restrictions and sort orders.

use crate::calendar;
use crate::ews::errors::EwsError;
use crate::ews::item_write::{Shape, write_item};
use crate::ews::{Context, envelope, restriction};
use crate::model::{Folder, Item, ItemKind};
use crate::xml::{Element, XmlWriter};

/// Answers FindItem with one response message per parent folder.
pub(crate) fn find_item(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let shape = Shape::parse(request.child("ItemShape"));
    let parents = request
        .child("ParentFolderIds")
        .ok_or_else(|| EwsError::schema_validation("FindItem has no ParentFolderIds"))?;
    let traversal = request.attribute("Traversal").unwrap_or("Shallow");
    envelope::open_response(w, "m:FindItemResponse");
    w.start("m:ResponseMessages", &[]);
    for parent in &parents.children {
        let outcome = context
            .resolve_folder(parent)
            .and_then(|(mailbox, folder)| {
                find_in_folder(context, request, traversal, &mailbox, folder)
            });
        match outcome {
            Ok(page) => {
                envelope::open_message(w, "m:FindItemResponseMessage", None);
                let total = page.total.to_string();
                let last = if page.includes_last { "true" } else { "false" };
                let offset = page.next_offset.map(|offset| offset.to_string());
                let mut attributes = Vec::new();
                if let Some(offset) = offset.as_deref() {
                    attributes.push(("IndexedPagingOffset", offset));
                }
                attributes.push(("TotalItemsInView", total.as_str()));
                attributes.push(("IncludesLastItemInRange", last));
                w.start("m:RootFolder", &attributes);
                w.start("t:Items", &[]);
                for item in &page.items {
                    write_item(w, item, &shape);
                }
                w.end();
                w.end();
                w.end();
            }
            Err(error) => {
                envelope::open_message(w, "m:FindItemResponseMessage", Some(&error));
                w.end();
            }
        }
    }
    w.end();
    w.end();
    Ok(())
}

struct Page {
    items: Vec<Item>,
    total: usize,
    includes_last: bool,
    next_offset: Option<usize>,
}

fn find_in_folder(
    context: &Context<'_>,
    request: &Element,
    traversal: &str,
    mailbox: &str,
    folder: Folder,
) -> Result<Page, EwsError> {
    if traversal != "Shallow" {
        // Associated and soft-deleted traversals see nothing the simulator stores.
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            includes_last: true,
            next_offset: None,
        });
    }
    if let Some(view) = request.child("CalendarView") {
        return calendar_view(context, view, request, mailbox, folder);
    }
    let mut items: Vec<Item> = context.org.folder_items(mailbox, folder).cloned().collect();
    if let Some(expression) = request
        .child("Restriction")
        .and_then(|restriction| restriction.children.first())
    {
        let mut kept = Vec::with_capacity(items.len());
        for item in items {
            if restriction::matches(context, expression, &item)? {
                kept.push(item);
            }
        }
        items = kept;
    }
    sort(&mut items, request.child("SortOrder"));
    let total = items.len();
    let Some(view) = request.child("IndexedPageItemView") else {
        return Ok(Page {
            items,
            total,
            includes_last: true,
            next_offset: None,
        });
    };
    let max = attribute_number(view, "MaxEntriesReturned")?.unwrap_or(usize::MAX);
    let offset = attribute_number(view, "Offset")?.unwrap_or(0);
    let from_end = view.attribute("BasePoint") == Some("End");
    let (start, stop) = if from_end {
        let stop = total.saturating_sub(offset);
        (stop.saturating_sub(max), stop)
    } else {
        let start = offset.min(total);
        (start, start.saturating_add(max).min(total))
    };
    let page: Vec<Item> = items[start..stop].to_vec();
    let includes_last = if from_end { start == 0 } else { stop >= total };
    let next_offset = if from_end { total - start } else { stop };
    Ok(Page {
        items: page,
        total,
        includes_last,
        next_offset: Some(next_offset),
    })
}

fn calendar_view(
    context: &Context<'_>,
    view: &Element,
    request: &Element,
    mailbox: &str,
    folder: Folder,
) -> Result<Page, EwsError> {
    let start = context.parse_time(view.attribute("StartDate").unwrap_or_default())?;
    let end = context.parse_time(view.attribute("EndDate").unwrap_or_default())?;
    if end < start {
        return Err(EwsError::end_before_start());
    }
    let mut items = if folder == Folder::Calendar {
        calendar::instances(context.org, mailbox, start, end)
    } else {
        Vec::new()
    };
    if let Some(expression) = request
        .child("Restriction")
        .and_then(|restriction| restriction.children.first())
    {
        let mut kept = Vec::with_capacity(items.len());
        for item in items {
            if restriction::matches(context, expression, &item)? {
                kept.push(item);
            }
        }
        items = kept;
    }
    let total = items.len();
    let max = attribute_number(view, "MaxEntriesReturned")?.unwrap_or(usize::MAX);
    let includes_last = total <= max;
    items.truncate(max);
    Ok(Page {
        items,
        total,
        includes_last,
        next_offset: None,
    })
}

fn attribute_number(element: &Element, name: &str) -> Result<Option<usize>, EwsError> {
    element
        .attribute(name)
        .map(|text| {
            text.parse().map_err(|_| {
                EwsError::schema_validation(&format!("{name} `{text}` is not a valid number"))
            })
        })
        .transpose()
}

fn sort(items: &mut [Item], order: Option<&Element>) {
    // Exchange's default order is newest DateTimeReceived first.
    let Some(field_order) = order.and_then(|order| order.child("FieldOrder")) else {
        items.sort_by(|a, b| b.received.cmp(&a.received).then(b.number.cmp(&a.number)));
        return;
    };
    let descending = field_order.attribute("Order") == Some("Descending");
    let uri = field_order
        .child("FieldURI")
        .and_then(|field| field.attribute("FieldURI"))
        .unwrap_or_default();
    items.sort_by(|a, b| {
        let ordering = match uri {
            "calendar:Start" => start_of(a).cmp(&start_of(b)),
            "calendar:End" => end_of(a).cmp(&end_of(b)),
            "item:Subject" => a.subject.cmp(&b.subject),
            "item:LastModifiedTime" => a.modified.cmp(&b.modified),
            "item:DateTimeCreated" => a.created.cmp(&b.created),
            _ => a.received.cmp(&b.received),
        }
        .then(a.number.cmp(&b.number));
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

fn start_of(item: &Item) -> Option<jiff::Timestamp> {
    item.calendar
        .as_ref()
        .filter(|_| item.kind == ItemKind::CalendarItem)
        .map(|calendar| calendar.start)
}

fn end_of(item: &Item) -> Option<jiff::Timestamp> {
    item.calendar.as_ref().map(|calendar| calendar.end)
}
