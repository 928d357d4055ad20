//! A small iCalendar (RFC 5545) reader for importing events: VEVENT with
//! UID, SUMMARY, DESCRIPTION, LOCATION, DTSTART, DTEND, DURATION, RRULE and
//! EXDATE, with TZID parameters or UTC times.
//!
//! Written here rather than taken from a crate because the importer needs
//! only these properties and the maintained iCalendar crates pull in a
//! parser framework for the whole standard. It does not read VTIMEZONE
//! blocks: a TZID must be an IANA or Windows zone name. RRULE supports
//! FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and
//! WKST as far as EWS recurrence patterns can express them.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::recurrence::{DayOfWeek, Pattern, RangeEnd, Recurrence, WeekIndex};

/// One imported event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub(crate) uid: Option<String>,
    pub(crate) summary: String,
    pub(crate) description: String,
    pub(crate) location: String,
    pub(crate) start: Timestamp,
    pub(crate) end: Timestamp,
    pub(crate) all_day: bool,
    /// Windows time zone id (or IANA name without a Windows mapping).
    pub(crate) time_zone: String,
    pub(crate) recurrence: Option<Recurrence>,
    pub(crate) exdates: Vec<Timestamp>,
}

/// A calendar that cannot be imported, with the line at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid iCalendar data at line {line}: {message}")]
pub(crate) struct IcsError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

struct Property {
    line: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Parses every VEVENT of an iCalendar text.
pub(crate) fn parse(text: &str) -> Result<Vec<Event>, IcsError> {
    let mut events = Vec::new();
    let mut current: Option<Vec<Property>> = None;
    let mut nested = 0usize;
    for property in unfold(text)? {
        match (
            property.name.as_str(),
            property.value.to_ascii_uppercase().as_str(),
        ) {
            ("BEGIN", "VEVENT") if current.is_none() => current = Some(Vec::new()),
            ("BEGIN", _) if current.is_some() => nested += 1,
            ("END", "VEVENT") if nested == 0 => {
                let properties = current.take().ok_or_else(|| IcsError {
                    line: property.line,
                    message: "END:VEVENT without BEGIN:VEVENT".into(),
                })?;
                events.push(event(&properties, property.line)?);
            }
            ("END", _) if nested > 0 => nested -= 1,
            _ => {
                if let Some(properties) = current.as_mut()
                    && nested == 0
                {
                    properties.push(property);
                }
            }
        }
    }
    if current.is_some() {
        return Err(IcsError {
            line: text.lines().count(),
            message: "the calendar ends inside a VEVENT".into(),
        });
    }
    Ok(events)
}

fn unfold(text: &str) -> Result<Vec<Property>, IcsError> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        if let Some(continuation) = raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t')) {
            if let Some((_, last)) = logical.last_mut() {
                last.push_str(continuation);
            }
        } else if !raw.trim().is_empty() {
            logical.push((index + 1, raw.to_string()));
        }
    }
    logical
        .into_iter()
        .map(|(line, text)| property(line, &text))
        .collect()
}

fn property(line: usize, text: &str) -> Result<Property, IcsError> {
    let colon = find_value_colon(text).ok_or_else(|| IcsError {
        line,
        message: format!("expected `NAME:VALUE`, but found `{text}`"),
    })?;
    let (head, value) = (&text[..colon], &text[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default().to_ascii_uppercase();
    let params = parts
        .filter_map(|part| part.split_once('='))
        .map(|(key, value)| {
            (
                key.to_ascii_uppercase(),
                value.trim_matches('"').to_string(),
            )
        })
        .collect();
    Ok(Property {
        line,
        name,
        params,
        value: value.to_string(),
    })
}

/// Finds the colon that ends the property name and parameters, skipping
/// colons inside quoted parameter values.
fn find_value_colon(text: &str) -> Option<usize> {
    let mut quoted = false;
    for (index, ch) in text.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some(index),
            _ => {}
        }
    }
    None
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(ch);
        }
    }
    out
}

struct Moment {
    instant: Timestamp,
    date_only: bool,
    zone_name: String,
    local: DateTime,
}

fn moment(property: &Property) -> Result<Moment, IcsError> {
    let error = |message: String| IcsError {
        line: property.line,
        message,
    };
    let value = property.value.trim();
    let date_only = property
        .param("VALUE")
        .is_some_and(|kind| kind.eq_ignore_ascii_case("DATE"))
        || value.len() == 8;
    let zone_name = property.param("TZID").unwrap_or("UTC").to_string();

    let zone = crate::tz::zone_for(&zone_name);
    if property.param("TZID").is_some()
        && zone == TimeZone::UTC
        && !zone_name.eq_ignore_ascii_case("UTC")
    {
        return Err(error(format!(
            "unknown time zone `{zone_name}`; use an IANA name such as `Asia/Shanghai`"
        )));
    }

    let local = if date_only {
        let date = Date::strptime("%Y%m%d", value)
            .map_err(|_| error(format!("`{value}` is not a DATE (YYYYMMDD)")))?;
        date.to_datetime(jiff::civil::Time::midnight())
    } else {
        let trimmed = value.trim_end_matches('Z');
        DateTime::strptime("%Y%m%dT%H%M%S", trimmed)
            .map_err(|_| error(format!("`{value}` is not a DATE-TIME (YYYYMMDDTHHMMSS)")))?
    };
    let zone = if value.ends_with('Z') {
        TimeZone::UTC
    } else {
        zone
    };

    let instant = zone
        .to_ambiguous_timestamp(local)
        .compatible()
        .map_err(|_| error(format!("`{value}` does not exist in `{zone_name}`")))?;
    let zone_name = if value.ends_with('Z') {
        "UTC".to_string()
    } else {
        zone_name
    };
    Ok(Moment {
        instant,
        date_only,
        zone_name,
        local,
    })
}

fn event(properties: &[Property], end_line: usize) -> Result<Event, IcsError> {
    let find = |name: &str| properties.iter().find(|property| property.name == name);
    let start_property = find("DTSTART").ok_or_else(|| IcsError {
        line: end_line,
        message: "VEVENT has no DTSTART".into(),
    })?;
    let start = moment(start_property)?;

    let end = match (find("DTEND"), find("DURATION")) {
        (Some(end), _) => moment(end)?.instant,
        (None, Some(duration)) => {
            let span: jiff::Span = duration.value.trim().parse().map_err(|_| IcsError {
                line: duration.line,
                message: format!("`{}` is not a DURATION such as `PT1H`", duration.value),
            })?;
            let seconds = span.total(jiff::Unit::Second).unwrap_or(0.0) as i64;
            start
                .instant
                .checked_add(SignedDuration::from_secs(seconds))
                .unwrap_or(start.instant)
        }
        (None, None) if start.date_only => start
            .instant
            .checked_add(SignedDuration::from_hours(24))
            .unwrap_or(start.instant),
        (None, None) => start.instant,
    };
    if end < start.instant {
        return Err(IcsError {
            line: start_property.line,
            message: "DTEND is before DTSTART".into(),
        });
    }

    let recurrence = find("RRULE")
        .map(|rule| recurrence(rule, &start))
        .transpose()?;

    let mut exdates = Vec::new();
    for exdate in properties
        .iter()
        .filter(|property| property.name == "EXDATE")
    {
        for value in exdate.value.split(',') {
            let single = Property {
                line: exdate.line,
                name: exdate.name.clone(),
                params: exdate.params.clone(),
                value: value.to_string(),
            };
            exdates.push(moment(&single)?.instant);
        }
    }
    let time_zone =
        crate::tz::windows_id_for(&start.zone_name).map_or(start.zone_name.clone(), str::to_string);
    let text = |name: &str| {
        find(name)
            .map(|property| unescape(&property.value))
            .unwrap_or_default()
    };
    Ok(Event {
        uid: find("UID").map(|property| property.value.trim().to_string()),
        summary: text("SUMMARY"),
        description: text("DESCRIPTION"),
        location: text("LOCATION"),
        start: start.instant,
        end,
        all_day: start.date_only,
        time_zone,
        recurrence,
        exdates,
    })
}

fn ical_day(code: &str) -> Option<DayOfWeek> {
    Some(match code {
        "SU" => DayOfWeek::Sunday,
        "MO" => DayOfWeek::Monday,
        "TU" => DayOfWeek::Tuesday,
        "WE" => DayOfWeek::Wednesday,
        "TH" => DayOfWeek::Thursday,
        "FR" => DayOfWeek::Friday,
        "SA" => DayOfWeek::Saturday,
        _ => return None,
    })
}

fn position_index(position: i32) -> Option<WeekIndex> {
    Some(match position {
        1 => WeekIndex::First,
        2 => WeekIndex::Second,
        3 => WeekIndex::Third,
        4 => WeekIndex::Fourth,
        -1 => WeekIndex::Last,
        _ => return None,
    })
}

fn recurrence(rule: &Property, start: &Moment) -> Result<Recurrence, IcsError> {
    let error = |message: String| IcsError {
        line: rule.line,
        message,
    };
    let mut parts = std::collections::HashMap::new();
    for part in rule.value.split(';') {
        if let Some((key, value)) = part.split_once('=') {
            parts.insert(key.to_ascii_uppercase(), value.to_ascii_uppercase());
        }
    }

    let interval: u32 = parts
        .get("INTERVAL")
        .map_or(Ok(1), |value| value.parse())
        .map_err(|_| error("INTERVAL is not a number".into()))?;
    let start_date = start.local.date();
    // BYDAY entries are `MO` or, for monthly and yearly rules, `2TU` / `-1FR`.

    let by_day: Vec<(Option<i32>, DayOfWeek)> = parts
        .get("BYDAY")
        .map(|value| {
            value
                .split(',')
                .map(|entry| {
                    let (number, code) = entry.split_at(entry.len().saturating_sub(2));
                    let day = ical_day(code)
                        .ok_or_else(|| error(format!("`{entry}` is not a BYDAY value")))?;
                    let position = if number.is_empty() {
                        None
                    } else {
                        Some(
                            number
                                .parse()
                                .map_err(|_| error(format!("`{entry}` is not a BYDAY value")))?,
                        )
                    };
                    Ok((position, day))
                })
                .collect::<Result<Vec<_>, IcsError>>()
        })
        .transpose()?
        .unwrap_or_default();

    let set_position: Option<i32> = parts.get("BYSETPOS").and_then(|value| value.parse().ok());
    let month: i8 = parts
        .get("BYMONTH")
        .and_then(|value| value.parse().ok())
        .unwrap_or(start_date.month());
    let month_day: i8 = parts
        .get("BYMONTHDAY")
        .and_then(|value| value.parse().ok())
        .unwrap_or(start_date.day());

    let relative = by_day.first().and_then(|(position, day)| {
        let index = position.or(set_position).and_then(position_index)?;
        Some((*day, index))
    });

    let frequency = parts.get("FREQ").map(String::as_str).unwrap_or_default();
    let pattern = match frequency {
        "DAILY" => Pattern::Daily { interval },
        "WEEKLY" => {
            let days = if by_day.is_empty() {
                vec![DayOfWeek::from_weekday(start_date.weekday())]
            } else {
                by_day.iter().map(|(_, day)| *day).collect()
            };
            let first_day_of_week = parts
                .get("WKST")
                .and_then(|code| ical_day(code))
                .unwrap_or(DayOfWeek::Monday);
            Pattern::Weekly {
                interval,
                days,
                first_day_of_week,
            }
        }
        "MONTHLY" => match relative {
            Some((days, index)) => Pattern::RelativeMonthly {
                interval,
                days,
                index,
            },
            None => Pattern::AbsoluteMonthly {
                interval,
                day_of_month: month_day,
            },
        },
        "YEARLY" => match relative {
            Some((days, index)) => Pattern::RelativeYearly { days, index, month },
            None => Pattern::AbsoluteYearly {
                day_of_month: month_day,
                month,
            },
        },
        other => {
            return Err(error(format!(
                "FREQ `{other}` is not supported; use DAILY, WEEKLY, MONTHLY or YEARLY"
            )));
        }
    };

    let end = if let Some(count) = parts.get("COUNT") {
        RangeEnd::Count(
            count
                .parse()
                .map_err(|_| error("COUNT is not a number".into()))?,
        )
    } else if let Some(until) = parts.get("UNTIL") {
        let date = Date::strptime("%Y%m%d", until.get(..8).unwrap_or(until))
            .map_err(|_| error(format!("UNTIL `{until}` is not a date")))?;
        RangeEnd::EndDate(date)
    } else {
        RangeEnd::Never
    };
    Ok(Recurrence {
        pattern,
        start_date,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_weekly_event_with_exdate() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:abc-1\r\nSUMMARY:Stand-up\\, daily\r\nDTSTART;TZID=Asia/Shanghai:20300107T090000\r\nDTEND;TZID=Asia/Shanghai:20300107T091500\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4\r\nEXDATE;TZID=Asia/Shanghai:20300109T090000\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let events = parse(text).unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.summary, "Stand-up, daily");
        assert_eq!(event.start.to_string(), "2030-01-07T01:00:00Z");
        assert_eq!(event.time_zone, "China Standard Time");
        assert_eq!(event.exdates[0].to_string(), "2030-01-09T01:00:00Z");
        let recurrence = event.recurrence.as_ref().unwrap();
        assert_eq!(recurrence.end, RangeEnd::Count(4));
        assert!(
            matches!(&recurrence.pattern, Pattern::Weekly { days, .. } if days == &[DayOfWeek::Monday, DayOfWeek::Wednesday])
        );
    }

    #[test]
    fn reads_relative_monthly_and_all_day() {
        let text = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20300101\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20300601T000000Z\nSUMMARY:Review\nEND:VEVENT\n";
        let event = &parse(text).unwrap()[0];
        assert!(event.all_day);
        assert_eq!(event.end.to_string(), "2030-01-02T00:00:00Z");
        let recurrence = event.recurrence.as_ref().unwrap();
        assert_eq!(
            recurrence.pattern,
            Pattern::RelativeMonthly {
                interval: 1,
                days: DayOfWeek::Friday,
                index: WeekIndex::Last
            }
        );
        assert_eq!(
            recurrence.end,
            RangeEnd::EndDate(jiff::civil::date(2030, 6, 1))
        );
    }

    #[test]
    fn rejects_missing_dtstart_with_line() {
        let error = parse("BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("DTSTART"));
    }

    #[test]
    fn rejects_unknown_zone() {
        let error = parse("BEGIN:VEVENT\nDTSTART;TZID=Mars/Olympus:20300101T090000\nEND:VEVENT\n")
            .unwrap_err();
        assert!(error.message.contains("Mars/Olympus"));
    }
}
