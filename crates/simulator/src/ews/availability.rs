//! GetUserAvailability: free/busy of users and rooms.
//!
//! Request and response times are local to the request's `TimeZone`
//! element. NOTE: only its `Bias` is applied; the daylight saving rules
//! it may carry are ignored, so a window that crosses a DST change is off
//! by the DST shift.

use jiff::{SignedDuration, Timestamp};

use crate::calendar;
use crate::ews::errors::EwsError;
use crate::ews::{Context, envelope};
use crate::model::FreeBusy;
use crate::xml::{Element, XmlWriter};

/// Answers GetUserAvailability with one FreeBusyResponse per mailbox.
pub(crate) fn get_user_availability(
    context: &mut Context<'_>,
    request: &Element,
    w: &mut XmlWriter,
) -> Result<(), EwsError> {
    let bias = request
        .path(&["TimeZone", "Bias"])
        .and_then(|bias| bias.text.trim().parse::<i64>().ok())
        .map_or(SignedDuration::ZERO, SignedDuration::from_mins);
    let options = request
        .child("FreeBusyViewOptions")
        .ok_or_else(|| EwsError::schema_validation("FreeBusyViewOptions is missing"))?;
    let window = options
        .child("TimeWindow")
        .ok_or_else(|| EwsError::schema_validation("TimeWindow is missing"))?;
    let start = local_to_utc(window.child_text("StartTime").unwrap_or_default(), bias)?;
    let end = local_to_utc(window.child_text("EndTime").unwrap_or_default(), bias)?;
    if end <= start {
        return Err(EwsError::end_before_start());
    }
    let view = options
        .child_text("RequestedView")
        .unwrap_or("Detailed")
        .to_string();
    let interval = options
        .child_text("MergedFreeBusyIntervalInMinutes")
        .and_then(|minutes| minutes.parse::<i64>().ok())
        .filter(|minutes| *minutes > 0)
        .unwrap_or(30);
    let mailboxes = request
        .child("MailboxDataArray")
        .ok_or_else(|| EwsError::schema_validation("MailboxDataArray is missing"))?;

    w.start(
        "m:GetUserAvailabilityResponse",
        &[
            ("xmlns:m", envelope::MESSAGES_NS),
            ("xmlns:t", envelope::TYPES_NS),
        ],
    );
    w.start("m:FreeBusyResponseArray", &[]);
    for data in mailboxes.children_named("MailboxData") {
        let address = data
            .path(&["Email", "Address"])
            .map(|address| address.text.trim())
            .unwrap_or_default();
        w.start("m:FreeBusyResponse", &[]);
        let Some(mailbox) = context.org.mailbox(address).cloned() else {
            let error = EwsError {
                code: "ErrorMailRecipientNotFound",
                text: format!(
                    "Unable to resolve e-mail address {address} to an Active Directory object."
                ),
                back_off_ms: None,
            };
            envelope::open_message(w, "m:ResponseMessage", Some(&error));
            w.end();
            w.end();
            continue;
        };
        envelope::open_message(w, "m:ResponseMessage", None);
        w.end();
        let events: Vec<_> = calendar::instances(context.org, &mailbox.address, start, end)
            .into_iter()
            .filter(|item| {
                item.calendar
                    .as_ref()
                    .is_some_and(|c| !c.is_cancelled && c.free_busy != FreeBusy::Free)
            })
            .collect();
        w.start("m:FreeBusyView", &[]);
        let view_type = if view.starts_with("Detailed") {
            view.as_str()
        } else {
            "FreeBusy"
        };
        w.leaf("t:FreeBusyViewType", view_type);
        if view.ends_with("Merged") {
            w.leaf("t:MergedFreeBusy", &merged(&events, start, end, interval));
        }
        w.start("t:CalendarEventArray", &[]);
        for item in &events {
            let data = item.calendar.as_ref().expect("filtered above");
            w.start("t:CalendarEvent", &[]);
            w.leaf("t:StartTime", &utc_to_local(data.start, bias));
            w.leaf("t:EndTime", &utc_to_local(data.end, bias));
            w.leaf("t:BusyType", data.free_busy.as_str());
            if view.starts_with("Detailed") {
                let instance = calendar::instance_type(item);
                w.start("t:CalendarEventDetails", &[]);
                w.leaf("t:ID", &crate::ids::item_id(item));
                w.leaf("t:Subject", &item.subject);
                w.leaf("t:Location", &data.location);
                w.bool("t:IsMeeting", data.is_meeting);
                w.bool("t:IsRecurring", instance != calendar::InstanceType::Single);
                w.bool(
                    "t:IsException",
                    instance == calendar::InstanceType::Exception,
                );
                w.bool("t:IsReminderSet", item.reminder_is_set);
                w.bool("t:IsPrivate", item.sensitivity == "Private");
                w.end();
            }
            w.end();
        }
        w.end();
        w.end();
        w.end();
    }
    w.end();
    w.end();
    Ok(())
}

fn local_to_utc(text: &str, bias: SignedDuration) -> Result<Timestamp, EwsError> {
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Ok(timestamp);
    }
    let local: jiff::civil::DateTime = text.parse().map_err(|_| {
        EwsError::schema_validation(&format!("`{text}` is not a valid xs:dateTime"))
    })?;
    let as_utc = jiff::tz::TimeZone::UTC
        .to_ambiguous_timestamp(local)
        .compatible()
        .map_err(|_| EwsError::schema_validation("time out of range"))?;
    as_utc
        .checked_add(bias)
        .map_err(|_| EwsError::schema_validation("time out of range"))
}

fn utc_to_local(timestamp: Timestamp, bias: SignedDuration) -> String {
    let local = timestamp.checked_sub(bias).unwrap_or(timestamp);
    jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%S", local).unwrap_or_default()
}

/// Returns one digit per interval: 0 free, 1 tentative, 2 busy, 3 away,
/// 4 working elsewhere, the strongest status overlapping each interval.
fn merged(events: &[crate::model::Item], start: Timestamp, end: Timestamp, minutes: i64) -> String {
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
