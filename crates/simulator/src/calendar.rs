//! Expands a calendar folder into instances (single items, occurrences and
//! exceptions) within a window, for CalendarView, free/busy and conflict
//! checks.

use jiff::Timestamp;

use crate::model::{Folder, Item, ItemKind};
use crate::org::Org;
use crate::tz;

/// Place of a calendar item within its series (CalendarItemType).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceType {
    /// Not recurring.
    Single,
    /// An unchanged occurrence of a series.
    Occurrence,
    /// A changed occurrence of a series.
    Exception,
    /// The series itself.
    RecurringMaster,
}

impl InstanceType {
    /// Returns the schema's name.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceType::Single => "Single",
            InstanceType::Occurrence => "Occurrence",
            InstanceType::Exception => "Exception",
            InstanceType::RecurringMaster => "RecurringMaster",
        }
    }
}

/// Returns the instance type of a stored or synthesized calendar item.
pub fn instance_type(item: &Item) -> InstanceType {
    let Some(calendar) = &item.calendar else {
        return InstanceType::Single;
    };
    match calendar.recurrence_id {
        Some(original) if item.kind == ItemKind::CalendarItem => {
            if calendar.exceptions.contains_key(&original.as_second()) {
                InstanceType::Exception
            } else {
                InstanceType::Occurrence
            }
        }
        _ if calendar.recurrence.is_some() => InstanceType::RecurringMaster,
        _ => InstanceType::Single,
    }
}

/// Returns the occurrence of a series master that started at `original`,
/// with any exception applied, or `None` if the series has no such
/// occurrence or it was deleted.
pub fn occurrence(master: &Item, original: Timestamp) -> Option<Item> {
    let calendar = master.calendar.as_ref()?;
    let recurrence = calendar.recurrence.as_ref()?;
    let key = original.as_second();
    if calendar.deleted_occurrences.contains(&key) {
        return None;
    }
    let zone = tz::zone_for(&calendar.start_time_zone);
    let first_local = zone.to_datetime(calendar.start);
    let window_end = original
        .checked_add(jiff::SignedDuration::from_secs(1))
        .ok()?;
    let starts = recurrence.occurrence_starts(first_local, &zone, window_end);
    if !starts.contains(&original) {
        return None;
    }
    Some(synthesize(master, original))
}

/// Builds the occurrence item of `master` for one original start.
fn synthesize(master: &Item, original: Timestamp) -> Item {
    let mut item = master.clone();
    let calendar = item.calendar.as_mut().expect("masters carry calendar data");
    let duration = calendar.end.duration_since(calendar.start);
    calendar.recurrence_id = Some(original);
    calendar.start = original;
    calendar.end = original.checked_add(duration).unwrap_or(original);
    if let Some(change) = calendar.exceptions.get(&original.as_second()).cloned() {
        calendar.start = change.start;
        calendar.end = change.end;
        if let Some(subject) = change.subject {
            item.subject = subject;
        }
        if let Some(location) = change.location {
            calendar.location = location;
        }
        item.version = master.version * 1000 + change.version;
        item.modified = change.modified;
    }
    item
}

/// Returns every instance in `mailbox`'s calendar that overlaps
/// `[start, end)`, sorted by start: single items as stored, series
/// expanded into occurrences.
pub fn instances(org: &Org, mailbox: &str, start: Timestamp, end: Timestamp) -> Vec<Item> {
    let mut found = Vec::new();
    for item in org.folder_items(mailbox, Folder::Calendar) {
        let Some(calendar) = &item.calendar else {
            continue;
        };
        if item.kind != ItemKind::CalendarItem {
            continue;
        }
        match &calendar.recurrence {
            None => {
                if calendar.start < end && calendar.end > start {
                    found.push(item.clone());
                }
            }
            Some(recurrence) => {
                let zone = tz::zone_for(&calendar.start_time_zone);
                let first_local = zone.to_datetime(calendar.start);
                let duration = calendar.end.duration_since(calendar.start);
                // Exceptions may move an occurrence later than its original
                // start, so look one duration plus a day past the window.
                let horizon = end
                    .checked_add(jiff::SignedDuration::from_hours(24 * 30))
                    .unwrap_or(end);
                for original in recurrence.occurrence_starts(first_local, &zone, horizon) {
                    if calendar.deleted_occurrences.contains(&original.as_second()) {
                        continue;
                    }
                    let occurrence = synthesize(item, original);
                    let occurrence_calendar = occurrence
                        .calendar
                        .as_ref()
                        .expect("synthesized from a master");
                    let original_end = original.checked_add(duration).unwrap_or(original);
                    let overlaps =
                        occurrence_calendar.start < end && occurrence_calendar.end > start;
                    if overlaps && (original_end > start || occurrence_calendar.end > start) {
                        found.push(occurrence);
                    }
                }
            }
        }
    }
    found.sort_by_key(|item| item.calendar.as_ref().map(|calendar| calendar.start));
    found
}
