//! FindItem: CalendarView expansion, IndexedPageItemView paging,
//! restrictions and sort orders.

use jiff::Timestamp;
use roombridge_ews::operations::{
    FieldOrder, FindItem, FindItemContent, FindItemResponse, IndexBasePoint, ItemQueryTraversal,
    SortDirection, View,
};
use roombridge_ews::types::PropertyPath;

use crate::calendar;
use crate::ews::convert::{Shape, item_to_wire, message};
use crate::ews::errors::EwsError;
use crate::ews::{Context, restriction};
use crate::model::{Folder, Item, ItemKind};

/// Runs FindItem and returns one response message per parent folder.
pub(crate) fn find_item(context: &mut Context<'_>, request: &FindItem) -> FindItemResponse {
    let shape = Shape::from_wire(&request.item_shape);
    let messages = request
        .parent_folder_ids
        .iter()
        .map(|parent| {
            message(
                context
                    .resolve_folder(parent)
                    .and_then(|(mailbox, folder)| {
                        find_in_folder(context, request, &mailbox, folder)
                    })
                    .map(|page| FindItemContent {
                        indexed_paging_offset: page.next_offset,
                        total_items_in_view: Some(page.total as u32),
                        includes_last_item_in_range: Some(page.includes_last),
                        items: page
                            .items
                            .iter()
                            .map(|item| item_to_wire(item, &shape))
                            .collect(),
                    }),
            )
        })
        .collect();
    FindItemResponse { messages }
}

struct Page {
    items: Vec<Item>,
    total: usize,
    includes_last: bool,
    next_offset: Option<u32>,
}

fn restricted(
    context: &Context<'_>,
    request: &FindItem,
    items: Vec<Item>,
) -> Result<Vec<Item>, EwsError> {
    let Some(expression) = &request.restriction else {
        return Ok(items);
    };
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        if restriction::matches(context, expression, &item)? {
            kept.push(item);
        }
    }
    Ok(kept)
}

fn find_in_folder(
    context: &Context<'_>,
    request: &FindItem,
    mailbox: &str,
    folder: Folder,
) -> Result<Page, EwsError> {
    if request.traversal != ItemQueryTraversal::Shallow {
        // Associated and soft-deleted traversals see nothing the simulator stores.
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            includes_last: true,
            next_offset: None,
        });
    }
    match &request.view {
        Some(View::CalendarView {
            max_entries_returned,
            start_date,
            end_date,
        }) => calendar_view(
            context,
            request,
            mailbox,
            folder,
            (*start_date, *end_date),
            *max_entries_returned,
        ),
        Some(View::IndexedPage {
            max_entries_returned,
            offset,
            base_point,
        }) => {
            let items = folder_items(context, request, mailbox, folder)?;
            Ok(page(
                items,
                *max_entries_returned,
                *offset as usize,
                *base_point == IndexBasePoint::End,
            ))
        }
        None => {
            let items = folder_items(context, request, mailbox, folder)?;
            let total = items.len();
            Ok(Page {
                items,
                total,
                includes_last: true,
                next_offset: None,
            })
        }
    }
}

fn folder_items(
    context: &Context<'_>,
    request: &FindItem,
    mailbox: &str,
    folder: Folder,
) -> Result<Vec<Item>, EwsError> {
    let items: Vec<Item> = context.org.folder_items(mailbox, folder).cloned().collect();
    let mut items = restricted(context, request, items)?;
    sort(&mut items, &request.sort_order);
    Ok(items)
}

fn page(items: Vec<Item>, max: Option<u32>, offset: usize, from_end: bool) -> Page {
    let total = items.len();
    let max = max.map_or(usize::MAX, |max| max as usize);
    let (start, stop) = if from_end {
        let stop = total.saturating_sub(offset);
        (stop.saturating_sub(max), stop)
    } else {
        let start = offset.min(total);
        (start, start.saturating_add(max).min(total))
    };
    let includes_last = if from_end { start == 0 } else { stop >= total };
    let next_offset = if from_end { total - start } else { stop };
    Page {
        items: items[start..stop].to_vec(),
        total,
        includes_last,
        next_offset: Some(next_offset as u32),
    }
}

fn calendar_view(
    context: &Context<'_>,
    request: &FindItem,
    mailbox: &str,
    folder: Folder,
    (start, end): (Timestamp, Timestamp),
    max: Option<u32>,
) -> Result<Page, EwsError> {
    if end < start {
        return Err(EwsError::end_before_start());
    }
    let items = if folder == Folder::Calendar {
        calendar::instances(context.org, mailbox, start, end)
    } else {
        Vec::new()
    };
    let mut items = restricted(context, request, items)?;
    let total = items.len();
    let max = max.map_or(usize::MAX, |max| max as usize);
    let includes_last = total <= max;
    items.truncate(max);
    Ok(Page {
        items,
        total,
        includes_last,
        next_offset: None,
    })
}

fn sort(items: &mut [Item], order: &[FieldOrder]) {
    // Exchange's default order is newest DateTimeReceived first.
    let Some(field_order) = order.first() else {
        items.sort_by(|a, b| b.received.cmp(&a.received).then(b.number.cmp(&a.number)));
        return;
    };
    let descending = field_order.order == SortDirection::Descending;
    let uri = match &field_order.path {
        PropertyPath::FieldUri(uri) => uri.as_str(),
        _ => "",
    };
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

fn start_of(item: &Item) -> Option<Timestamp> {
    item.calendar
        .as_ref()
        .filter(|_| item.kind == ItemKind::CalendarItem)
        .map(|calendar| calendar.start)
}

fn end_of(item: &Item) -> Option<Timestamp> {
    item.calendar.as_ref().map(|calendar| calendar.end)
}
