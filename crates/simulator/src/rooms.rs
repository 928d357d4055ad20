//! Room mailbox processing: Exchange's resource booking attendant for rooms
//! set to `AutoAccept`, and the waiting Inbox for rooms without it.

use jiff::{SignedDuration, Timestamp};

use crate::calendar;
use crate::meeting::{self, Sending};
use crate::model::{AutomateProcessing, Body, Folder, FreeBusy, Mailbox, ResponseType};
use crate::org::Org;
use crate::tz;

/// Horizon for checking occurrences of a recurring request, in days,
/// when the room's booking window is larger.
const MAX_CHECK_DAYS: i64 = 3650;

/// Handles a request that just arrived in a room's Inbox. A room without
/// automatic processing leaves the request and the tentative copy in place.
pub(crate) fn process_request(
    org: &mut Org,
    room: &Mailbox,
    copy_number: u64,
    request_number: u64,
    now: Timestamp,
) {
    let Some(settings) = room.room().cloned() else {
        return;
    };
    if settings.automate_processing != AutomateProcessing::AutoAccept {
        return;
    }
    let decision = decide(org, room, copy_number, now);
    let response = if decision.is_ok() {
        ResponseType::Accept
    } else {
        ResponseType::Decline
    };
    let sending = Sending {
        send: true,
        save_copy: false,
        only_changed: false,
    };
    if response == ResponseType::Accept
        && let Some(copy) = org.items.get_mut(&copy_number)
    {
        let organizer = copy
            .calendar
            .as_ref()
            .map(|calendar| calendar.organizer.name.clone())
            .unwrap_or_default();
        copy.subject = room_subject(
            &copy.subject,
            &organizer,
            settings.delete_subject,
            settings.add_organizer_to_subject,
        );
        if settings.delete_comments {
            copy.body = Body {
                body_type: copy.body.body_type.clone(),
                content: String::new(),
            };
        }
    }
    // The attendant responds and removes the request. OK to ignore the
    // result because both numbers were created just now.
    let _ = meeting::respond(org, &room.address, request_number, response, sending, now);
    if let Err(reason) = decision {
        tracing::debug!(room = %room.address, reason, "room declined the request");
    }
}

/// Handles a cancellation that arrived in a room's Inbox.
pub(crate) fn process_cancellation(
    org: &mut Org,
    room: &Mailbox,
    copy: Option<u64>,
    message_number: u64,
    now: Timestamp,
) {
    let Some(settings) = room.room().cloned() else {
        return;
    };
    if settings.automate_processing != AutomateProcessing::AutoAccept {
        return;
    }
    if let Some(copy) = copy
        && settings.remove_canceled_meetings
    {
        org.move_to(copy, Folder::DeletedItems, now);
    }
    if let Some(message) = org.items.get_mut(&message_number) {
        message.has_been_processed = true;
    }
    org.move_to(message_number, Folder::DeletedItems, now);
}

/// Returns the subject the room copy gets. AddOrganizerToSubject replaces
/// the subject with the organizer's name; otherwise DeleteSubject removes it.
fn room_subject(
    subject: &str,
    organizer: &str,
    delete_subject: bool,
    add_organizer: bool,
) -> String {
    if add_organizer {
        organizer.to_string()
    } else if delete_subject {
        String::new()
    } else {
        subject.to_string()
    }
}

/// Decides whether the room accepts its copy: `Err` carries the reason for
/// declining.
fn decide(org: &Org, room: &Mailbox, copy_number: u64, now: Timestamp) -> Result<(), &'static str> {
    let settings = room.room().expect("only rooms are processed");
    let copy = org
        .items
        .get(&copy_number)
        .ok_or("the calendar copy is missing")?;
    let data = copy
        .calendar
        .as_ref()
        .ok_or("the copy has no calendar data")?;

    let duration = data.end.duration_since(data.start);
    if settings.maximum_duration_in_minutes > 0
        && duration > SignedDuration::from_mins(i64::from(settings.maximum_duration_in_minutes))
    {
        return Err("the meeting is longer than MaximumDurationInMinutes");
    }

    // BookingWindowInDays counts whole days from today; 0 allows today only.
    let window_days = i64::from(settings.booking_window_in_days).min(MAX_CHECK_DAYS);
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    let last_day = today
        .checked_add(jiff::Span::new().days(window_days))
        .map_err(|_| "window overflow")?;
    let window_end = jiff::tz::TimeZone::UTC
        .to_ambiguous_timestamp(
            last_day
                .tomorrow()
                .map_err(|_| "window overflow")?
                .to_datetime(jiff::civil::Time::midnight()),
        )
        .compatible()
        .map_err(|_| "window overflow")?;
    if data.start >= window_end {
        return Err("the meeting starts after the BookingWindowInDays");
    }

    let intervals = meeting_intervals(copy, window_end);
    if settings.enforce_scheduling_horizon && extends_past(data, window_end) {
        return Err(
            "the recurring meeting extends past the BookingWindowInDays (EnforceSchedulingHorizon)",
        );
    }

    if settings.allow_conflicts {
        return Ok(());
    }
    for (start, end) in intervals {
        let clash = calendar::instances(org, &room.address, start, end)
            .into_iter()
            .any(|other| {
                let other_data = other
                    .calendar
                    .as_ref()
                    .expect("instances carry calendar data");
                other_data.uid != data.uid
                    && !other_data.is_cancelled
                    && other_data.free_busy != FreeBusy::Free
                    && other_data.my_response != ResponseType::NoResponseReceived
            });
        if clash {
            return Err("the meeting conflicts with an existing booking");
        }
    }
    Ok(())
}

/// Returns whether a series has occurrences starting at or after `limit`.
fn extends_past(data: &crate::model::CalendarData, limit: Timestamp) -> bool {
    let Some(recurrence) = &data.recurrence else {
        return false;
    };
    if recurrence.end == crate::recurrence::RangeEnd::Never {
        return true;
    }
    let zone = tz::zone_for(&data.start_time_zone);
    let beyond = limit
        .checked_add(SignedDuration::from_hours(24 * 366 * 5))
        .unwrap_or(limit);
    recurrence
        .occurrence_starts(zone.to_datetime(data.start), &zone, beyond)
        .into_iter()
        .any(|start| start >= limit && !data.deleted_occurrences.contains(&start.as_second()))
}

/// Returns the time ranges a meeting occupies up to `until`.
fn meeting_intervals(item: &crate::model::Item, until: Timestamp) -> Vec<(Timestamp, Timestamp)> {
    let data = item
        .calendar
        .as_ref()
        .expect("meetings carry calendar data");
    let Some(recurrence) = &data.recurrence else {
        return vec![(data.start, data.end)];
    };
    let zone = tz::zone_for(&data.start_time_zone);
    let duration = data.end.duration_since(data.start);
    recurrence
        .occurrence_starts(zone.to_datetime(data.start), &zone, until)
        .into_iter()
        .filter(|start| !data.deleted_occurrences.contains(&start.as_second()))
        .map(|start| {
            let change = data.exceptions.get(&start.as_second());
            let begin = change.map_or(start, |change| change.start);
            let end = change.map_or(start.checked_add(duration).unwrap_or(start), |change| {
                change.end
            });
            (begin, end)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_rules() {
        assert_eq!(room_subject("Plan", "Alice", true, true), "Alice");
        assert_eq!(room_subject("Plan", "Alice", true, false), "");
        assert_eq!(room_subject("Plan", "Alice", false, true), "Alice");
        assert_eq!(room_subject("Plan", "Alice", false, false), "Plan");
    }
}
