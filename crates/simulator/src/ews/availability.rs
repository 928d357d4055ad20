//! GetUserAvailability: free/busy of users and rooms.
//!
//! Request and response times are local to the request's `TimeZone`
//! element.
//!
//! NOTE: only the zone's `Bias` is applied and its daylight saving rules
//! are ignored. A window that crosses a DST change is off by the shift.

use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};
use roombridge_ews::operations::{
    CalendarEvent, CalendarEventDetails, FreeBusyResponse, FreeBusyView, FreeBusyViewType,
    GetUserAvailability, GetUserAvailabilityResponse,
};
use roombridge_ews::types::{LegacyFreeBusyType, ResponseMessage};

use crate::calendar;
use crate::ews::Context;
use crate::ews::convert::error_message;
use crate::ews::errors::EwsError;
use crate::model::{FreeBusy, Item};

/// Runs GetUserAvailability and returns one FreeBusyResponse per mailbox.
pub(crate) fn get_user_availability(
    context: &mut Context<'_>,
    request: &GetUserAvailability,
) -> Result<GetUserAvailabilityResponse, EwsError> {
    let bias = SignedDuration::from_mins(i64::from(request.time_zone.bias));
    let options = &request.free_busy_view_options;
    let start = local_to_utc(options.start_time, bias)?;
    let end = local_to_utc(options.end_time, bias)?;
    if end <= start {
        return Err(EwsError::end_before_start());
    }
    let view = options.requested_view.unwrap_or(FreeBusyViewType::Detailed);
    let detailed = matches!(
        view,
        FreeBusyViewType::Detailed | FreeBusyViewType::DetailedMerged
    );
    let merged = matches!(
        view,
        FreeBusyViewType::DetailedMerged
            | FreeBusyViewType::FreeBusyMerged
            | FreeBusyViewType::MergedOnly
    );
    let interval = options
        .merged_free_busy_interval_in_minutes
        .filter(|minutes| *minutes > 0)
        .unwrap_or(30);
    let responses = request
        .mailbox_data
        .iter()
        .map(|data| {
            let Some(mailbox) = context.org.mailbox(&data.address).cloned() else {
                let error = EwsError {
                    code: "ErrorMailRecipientNotFound",
                    text: format!(
                        "Unable to resolve e-mail address {} to an Active Directory object.",
                        data.address
                    ),
                    back_off_ms: None,
                };
                return FreeBusyResponse {
                    message: error_message(&error),
                    view: FreeBusyView::default(),
                };
            };
            let events: Vec<Item> = calendar::instances(context.org, &mailbox.address, start, end)
                .into_iter()
                .filter(|item| {
                    item.calendar
                        .as_ref()
                        .is_some_and(|c| !c.is_cancelled && c.free_busy != FreeBusy::Free)
                })
                .collect();
            let view = FreeBusyView {
                free_busy_view_type: Some(if detailed {
                    view
                } else {
                    FreeBusyViewType::FreeBusy
                }),
                merged_free_busy: merged
                    .then(|| merged_string(&events, start, end, i64::from(interval))),
                calendar_events: events
                    .iter()
                    .map(|item| event(item, bias, detailed))
                    .collect(),
            };
            FreeBusyResponse {
                message: ResponseMessage::success(()),
                view,
            }
        })
        .collect();
    Ok(GetUserAvailabilityResponse { responses })
}

fn event(item: &Item, bias: SignedDuration, detailed: bool) -> CalendarEvent {
    let data = item
        .calendar
        .as_ref()
        .expect("instances carry calendar data");
    let instance = calendar::instance_type(item);
    CalendarEvent {
        start_time: utc_to_local(data.start, bias),
        end_time: utc_to_local(data.end, bias),
        busy_type: LegacyFreeBusyType::from_wire(data.free_busy.as_str())
            .unwrap_or(LegacyFreeBusyType::Busy),
        details: detailed.then(|| CalendarEventDetails {
            id: Some(crate::ids::item_id(item)),
            subject: Some(item.subject.clone()),
            location: Some(data.location.clone()),
            is_meeting: data.is_meeting,
            is_recurring: instance != calendar::InstanceType::Single,
            is_exception: instance == calendar::InstanceType::Exception,
            is_reminder_set: item.reminder_is_set,
            is_private: item.sensitivity == "Private",
        }),
    }
}

fn local_to_utc(local: DateTime, bias: SignedDuration) -> Result<Timestamp, EwsError> {
    let as_utc = jiff::tz::TimeZone::UTC
        .to_ambiguous_timestamp(local)
        .compatible()
        .map_err(|_| EwsError::schema_validation("time out of range"))?;
    as_utc
        .checked_add(bias)
        .map_err(|_| EwsError::schema_validation("time out of range"))
}

fn utc_to_local(timestamp: Timestamp, bias: SignedDuration) -> DateTime {
    let local = timestamp.checked_sub(bias).unwrap_or(timestamp);
    jiff::tz::TimeZone::UTC.to_datetime(local)
}

/// Returns one digit per interval: 0 free, 1 tentative, 2 busy, 3 away,
/// 4 working elsewhere, the strongest status overlapping each interval.
fn merged_string(events: &[Item], start: Timestamp, end: Timestamp, minutes: i64) -> String {
    let mut digits = String::new();
    let mut slot = start;
    while slot < end {
        let slot_end = slot
            .checked_add(SignedDuration::from_mins(minutes))
            .unwrap_or(end);
        let strongest = events
            .iter()
            .filter_map(|item| item.calendar.as_ref())
            .filter(|data| data.start < slot_end && data.end > slot)
            .map(|data| match data.free_busy {
                FreeBusy::Tentative => 1,
                FreeBusy::Busy => 2,
                FreeBusy::OOF => 3,
                FreeBusy::WorkingElsewhere => 4,
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        digits.push(char::from(b'0' + strongest));
        slot = slot_end;
    }
    digits
}
