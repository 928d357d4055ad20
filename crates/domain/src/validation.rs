//! Requests to create and change bookings, and their validation.
//!
//! Validation reports every invalid field at once, so a client can fix all
//! of them in one round.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::address::{is_valid_address, normalize_address};
use crate::{Attendee, Booking};

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldError {
    /// Field name as in the request's JSON form, such as `end` or
    /// `attendees[2].address`.
    pub field: String,
    /// Explanation, in lower case, of what is wrong and what is expected.
    pub message: String,
}

impl FieldError {
    /// Returns an error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Limits that bookings made in roombridge must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum duration of a booking that is not all-day. All-day bookings
    /// may span this many whole days, rounded down, but at least one.
    pub max_duration: SignedDuration,
    /// Maximum subject length in characters.
    pub max_subject_chars: usize,
    /// Maximum body length in characters.
    pub max_body_chars: usize,
    /// Maximum number of attendees besides the room.
    pub max_attendees: usize,
}

impl Default for Limits {
    /// Returns 24 hours, 255 subject characters, 65,536 body characters and
    /// 500 attendees.
    fn default() -> Limits {
        Limits {
            max_duration: SignedDuration::from_hours(24),
            max_subject_chars: 255,
            max_body_chars: 65_536,
            max_attendees: 500,
        }
    }
}

impl Limits {
    fn max_all_day_days(&self) -> i64 {
        (self.max_duration.as_hours() / 24).max(1)
    }
}

/// A request to create a booking in roombridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBooking {
    /// Mailbox address of the room to book.
    pub room: String,
    /// Mailbox address of the organizer.
    pub organizer: String,
    /// Meeting subject.
    #[serde(default)]
    pub subject: String,
    /// Meeting body as plain text.
    #[serde(default)]
    pub body: String,
    /// Start, inclusive.
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// IANA name of the time zone the booking is made in.
    pub time_zone: String,
    /// Whether the booking covers whole days in `time_zone`. Start and end
    /// must then fall on midnight there.
    #[serde(default)]
    pub all_day: bool,
    /// People invited besides the room.
    #[serde(default)]
    pub attendees: Vec<Attendee>,
}

impl NewBooking {
    /// Checks every field against `limits` and returns the request with
    /// room and organizer addresses normalized.
    ///
    /// # Errors
    ///
    /// Returns one [`FieldError`] per invalid field.
    pub fn validate(mut self, limits: &Limits) -> Result<NewBooking, Vec<FieldError>> {
        self.room = normalize_address(&self.room);
        self.organizer = normalize_address(&self.organizer);

        let mut errors = Vec::new();
        check_address("room", &self.room, &mut errors);
        check_address("organizer", &self.organizer, &mut errors);
        check_content(
            &Content {
                subject: &self.subject,
                body: &self.body,
                attendees: &self.attendees,
            },
            limits,
            &mut errors,
        );
        check_times(
            &Times {
                start: self.start,
                end: self.end,
                time_zone: &self.time_zone,
                all_day: self.all_day,
            },
            limits,
            &mut errors,
        );
        if errors.is_empty() {
            self.time_zone = canonical_zone_name(&self.time_zone);
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A request to change fields of a booking. Absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BookingPatch {
    /// New room. The booking moves and the old room is released.
    pub room: Option<String>,
    /// New subject.
    pub subject: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// New start.
    pub start: Option<Timestamp>,
    /// New end.
    pub end: Option<Timestamp>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// New all-day flag.
    pub all_day: Option<bool>,
    /// New attendee list, replacing the old one.
    pub attendees: Option<Vec<Attendee>>,
}

impl BookingPatch {
    /// Returns whether the patch changes no field.
    pub fn is_empty(&self) -> bool {
        *self == BookingPatch::default()
    }

    /// Applies the patch to a copy of `booking` without any check, for
    /// changes that Exchange already accepted.
    pub fn merge(&self, booking: &Booking) -> Booking {
        let mut patched = booking.clone();
        if let Some(room) = &self.room {
            patched.room = normalize_address(room);
        }
        if let Some(subject) = &self.subject {
            patched.subject.clone_from(subject);
        }
        if let Some(body) = &self.body {
            patched.body.clone_from(body);
        }
        if let Some(start) = self.start {
            patched.start = start;
        }
        if let Some(end) = self.end {
            patched.end = end;
        }
        if let Some(time_zone) = &self.time_zone {
            patched.time_zone.clone_from(time_zone);
        }
        if let Some(all_day) = self.all_day {
            patched.all_day = all_day;
        }
        if let Some(attendees) = &self.attendees {
            patched.attendees.clone_from(attendees);
        }
        patched
    }

    /// Applies the patch to a copy of `booking` and checks the result
    /// against `limits`. The version and timestamps are left to the caller.
    ///
    /// # Errors
    ///
    /// Returns one [`FieldError`] per invalid field of the patched booking.
    pub fn apply(&self, booking: &Booking, limits: &Limits) -> Result<Booking, Vec<FieldError>> {
        let mut patched = self.merge(booking);

        let mut errors = Vec::new();
        check_address("room", &patched.room, &mut errors);
        check_content(
            &Content {
                subject: &patched.subject,
                body: &patched.body,
                attendees: &patched.attendees,
            },
            limits,
            &mut errors,
        );
        check_times(
            &Times {
                start: patched.start,
                end: patched.end,
                time_zone: &patched.time_zone,
                all_day: patched.all_day,
            },
            limits,
            &mut errors,
        );
        if errors.is_empty() {
            patched.time_zone = canonical_zone_name(&patched.time_zone);
            Ok(patched)
        } else {
            Err(errors)
        }
    }
}

struct Content<'a> {
    subject: &'a str,
    body: &'a str,
    attendees: &'a [Attendee],
}

struct Times<'a> {
    start: Timestamp,
    end: Timestamp,
    time_zone: &'a str,
    all_day: bool,
}

/// Returns the time zone database's spelling of `name`, which jiff looks up
/// without regard to case: `europe/berlin` becomes `Europe/Berlin`. Other
/// components, such as the mapping to Windows zone ids, compare names
/// exactly.
fn canonical_zone_name(name: &str) -> String {
    TimeZone::get(name)
        .ok()
        .and_then(|zone| zone.iana_name().map(str::to_owned))
        .unwrap_or_else(|| name.to_owned())
}

fn check_address(field: &str, address: &str, errors: &mut Vec<FieldError>) {
    if !is_valid_address(address) {
        errors.push(FieldError::new(
            field,
            format!(
                "invalid address `{address}`: expected a mailbox address such as `room@example.com`"
            ),
        ));
    }
}

fn check_content(content: &Content<'_>, limits: &Limits, errors: &mut Vec<FieldError>) {
    check_length("subject", content.subject, limits.max_subject_chars, errors);
    check_length("body", content.body, limits.max_body_chars, errors);

    if content.attendees.len() > limits.max_attendees {
        errors.push(FieldError::new(
            "attendees",
            format!(
                "expected at most {} attendees, but found {}",
                limits.max_attendees,
                content.attendees.len()
            ),
        ));
    }
    for (index, attendee) in content.attendees.iter().enumerate() {
        check_address(
            &format!("attendees[{index}].address"),
            &attendee.address,
            errors,
        );
        if let Some(name) = &attendee.name {
            check_characters(&format!("attendees[{index}].name"), name, errors);
        }
    }
}

/// Rejects characters that XML 1.0 cannot carry (its `Char` production
/// allows tab, line feed, carriage return and everything from U+0020 up,
/// except U+FFFE and U+FFFF). EWS sends every text field as XML 1.0, so
/// such a booking could never reach Exchange, and PostgreSQL rejects U+0000
/// in text columns.
fn check_characters(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    let invalid = value.chars().enumerate().find(|(_, c)| {
        (*c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    });
    if let Some((position, c)) = invalid {
        errors.push(FieldError::new(
            field,
            format!(
                "invalid character U+{:04X} at character {}: `{field}` may contain tab, \
                 line feed and carriage return but no other control characters; remove it",
                u32::from(c),
                position + 1
            ),
        ));
    }
}

fn check_length(field: &str, value: &str, max_chars: usize, errors: &mut Vec<FieldError>) {
    check_characters(field, value, errors);
    let chars = value.chars().count();
    if chars > max_chars {
        errors.push(FieldError::new(
            field,
            format!("expected `{field}` of at most {max_chars} characters, but found {chars}"),
        ));
    }
}

/// Returns 0001-01-01T00:00:00Z. Exchange keeps times as .NET `DateTime`
/// values, whose `MinValue` is that instant, and `xs:dateTime` has no form
/// for the six-digit negative years that jiff writes before it.
fn earliest_start() -> Timestamp {
    jiff::civil::date(1, 1, 1)
        .at(0, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .map_or(Timestamp::MIN, |zoned| zoned.timestamp())
}

fn check_times(times: &Times<'_>, limits: &Limits, errors: &mut Vec<FieldError>) {
    let (start, end) = (times.start, times.end);
    let zone = match TimeZone::get(times.time_zone) {
        Ok(zone) => Some(zone),
        Err(_) => {
            errors.push(FieldError::new(
                "time_zone",
                format!(
                    "unknown time zone `{}`: expected an IANA time zone name such as `Europe/Berlin`",
                    times.time_zone
                ),
            ));
            None
        }
    };

    let earliest = earliest_start();
    if start < earliest {
        errors.push(FieldError::new(
            "start",
            format!(
                "expected `start` at {earliest} or later, the first instant Exchange can \
                 store, but found {start}"
            ),
        ));
        return;
    }
    if end < start {
        errors.push(FieldError::new(
            "end",
            format!("expected `end` after `start`, but found end {end} before start {start}"),
        ));
        return;
    }
    if end == start {
        errors.push(FieldError::new(
            "end",
            format!("expected `end` after `start`, but found end {end} equal to start {start}"),
        ));
        return;
    }

    match (times.all_day, zone) {
        (true, Some(zone)) => check_all_day(start, end, &zone, limits, errors),
        (true, None) => {}
        (false, _) => {
            let duration = end.duration_since(start);
            if duration > limits.max_duration {
                errors.push(FieldError::new(
                    "end",
                    format!(
                        "expected a booking of at most {:#}, but found {:#} from {start} to {end}",
                        limits.max_duration, duration
                    ),
                ));
            }
        }
    }
}

fn check_all_day(
    start: Timestamp,
    end: Timestamp,
    zone: &TimeZone,
    limits: &Limits,
    errors: &mut Vec<FieldError>,
) {
    let local_start = start.to_zoned_datetime(zone.clone());
    let local_end = end.to_zoned_datetime(zone.clone());
    let mut whole_days = true;
    let zone_name = zone.iana_name().unwrap_or("the time zone");
    for (field, local) in [("start", &local_start), ("end", &local_end)] {
        // A day starts at midnight, unless daylight saving time skips
        // midnight there (as in America/Santiago), when it starts at the
        // first time after the gap.
        let Ok(day_start) = local.start_of_day() else {
            whole_days = false;
            errors.push(FieldError::new(
                field,
                format!("expected an all-day booking to {field} at the start of a day in `{zone_name}`, but found {local}, whose day cannot be represented"),
            ));
            continue;
        };
        if day_start.timestamp() == local.timestamp() {
            continue;
        }
        whole_days = false;
        let expected = if day_start.time() == jiff::civil::Time::midnight() {
            "midnight".to_owned()
        } else {
            format!(
                "the start of the day, which is {day_start} because daylight saving time skips midnight"
            )
        };
        errors.push(FieldError::new(
            field,
            format!(
                "expected an all-day booking to {field} at {expected} in `{zone_name}`, but found {local}"
            ),
        ));
    }
    if !whole_days {
        return;
    }

    let days = local_start
        .date()
        .until(local_end.date())
        .map(|span| span.get_days());
    let max_days = limits.max_all_day_days();
    if let Ok(days) = days
        && i64::from(days) > max_days
    {
        errors.push(FieldError::new(
            "end",
            format!(
                "expected an all-day booking of at most {}, but found {}",
                count_days(max_days),
                count_days(i64::from(days))
            ),
        ));
    }
}

fn count_days(days: i64) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn request() -> NewBooking {
        NewBooking {
            room: "Room.A@Example.com".to_owned(),
            organizer: "alice@example.com".to_owned(),
            subject: "Planning".to_owned(),
            body: String::new(),
            start: at("2026-01-01T09:00:00Z"),
            end: at("2026-01-01T10:00:00Z"),
            time_zone: "Europe/Berlin".to_owned(),
            all_day: false,
            attendees: vec![],
        }
    }

    fn errors_of(request: NewBooking) -> Vec<FieldError> {
        request.validate(&Limits::default()).unwrap_err()
    }

    #[test]
    fn valid_request_normalizes_room() {
        let valid = request().validate(&Limits::default()).unwrap();
        assert_eq!(valid.room, "room.a@example.com");
    }

    #[test]
    fn end_before_start_rejected() {
        let mut bad = request();
        bad.start = at("2026-01-01T10:00:00Z");
        bad.end = at("2026-01-01T09:00:00Z");
        assert_eq!(
            errors_of(bad),
            vec![FieldError::new(
                "end",
                "expected `end` after `start`, but found end 2026-01-01T09:00:00Z before start 2026-01-01T10:00:00Z"
            )]
        );
    }

    #[test]
    fn zero_duration_rejected() {
        let mut bad = request();
        bad.end = bad.start;
        assert_eq!(
            errors_of(bad),
            vec![FieldError::new(
                "end",
                "expected `end` after `start`, but found end 2026-01-01T09:00:00Z equal to start 2026-01-01T09:00:00Z"
            )]
        );
    }

    #[test]
    fn over_long_duration_rejected() {
        let mut bad = request();
        bad.end = at("2026-01-02T10:00:00Z");
        assert_eq!(
            errors_of(bad),
            vec![FieldError::new(
                "end",
                "expected a booking of at most 24h, but found 25h from 2026-01-01T09:00:00Z to 2026-01-02T10:00:00Z"
            )]
        );
    }

    #[test]
    fn configured_maximum_applies() {
        let limits = Limits {
            max_duration: SignedDuration::from_mins(30),
            ..Limits::default()
        };
        let errors = request().validate(&limits).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "end");
        assert!(
            errors[0].message.contains("at most 30m"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn every_invalid_field_reported() {
        let mut bad = request();
        bad.room = "not-an-address".to_owned();
        bad.organizer = "".to_owned();
        bad.subject = "s".repeat(256);
        bad.body = "b".repeat(65_537);
        bad.time_zone = "Mars/Olympus_Mons".to_owned();
        bad.attendees = vec![Attendee {
            address: "bob at example.com".to_owned(),
            name: None,
            role: Default::default(),
        }];
        let fields: Vec<String> = errors_of(bad)
            .into_iter()
            .map(|error| error.field)
            .collect();
        assert_eq!(
            fields,
            [
                "room",
                "organizer",
                "subject",
                "body",
                "attendees[0].address",
                "time_zone"
            ]
        );
    }

    #[test]
    fn messages_name_value_and_expectation() {
        let mut bad = request();
        bad.subject = "s".repeat(300);
        bad.time_zone = "Mars/Olympus_Mons".to_owned();
        bad.room = "lobby".to_owned();
        let messages: Vec<String> = errors_of(bad)
            .into_iter()
            .map(|error| error.message)
            .collect();
        assert_eq!(
            messages,
            [
                "invalid address `lobby`: expected a mailbox address such as `room@example.com`",
                "expected `subject` of at most 255 characters, but found 300",
                "unknown time zone `Mars/Olympus_Mons`: expected an IANA time zone name such as `Europe/Berlin`",
            ]
        );
    }

    #[test]
    fn years_before_one_rejected() {
        let mut ancient = request();
        ancient.start = at("0000-12-31T23:00:00Z");
        ancient.end = at("0001-01-01T00:30:00Z");
        let errors = errors_of(ancient.clone());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "start");
        assert!(
            errors[0].message.contains("0001-01-01T00:00:00Z or later"),
            "{}",
            errors[0].message
        );

        ancient.start = at("0001-01-01T00:00:00Z");
        assert!(ancient.validate(&Limits::default()).is_ok());
    }

    #[test]
    fn zone_name_case_corrected() {
        let mut lower = request();
        lower.time_zone = "europe/berlin".to_owned();
        let valid = lower.validate(&Limits::default()).unwrap();
        assert_eq!(valid.time_zone, "Europe/Berlin");

        let patch = BookingPatch {
            time_zone: Some("AMERICA/NEW_YORK".to_owned()),
            ..BookingPatch::default()
        };
        let patched = patch.apply(&booking(), &Limits::default()).unwrap();
        assert_eq!(patched.time_zone, "America/New_York");
    }

    #[test]
    fn control_characters_rejected() {
        let mut with_nul = request();
        with_nul.subject = "a\0b".to_owned();
        with_nul.body = "line\u{1b}[31m".to_owned();
        with_nul.attendees = vec![Attendee {
            address: "dave@example.com".to_owned(),
            name: Some("Dave\u{FFFF}".to_owned()),
            role: crate::AttendeeRole::Required,
        }];
        let errors = errors_of(with_nul);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "body", "attendees[0].name"]);
        assert!(
            errors[0]
                .message
                .starts_with("invalid character U+0000 at character 2"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1].message.contains("U+001B"),
            "{}",
            errors[1].message
        );
        assert!(
            errors[2].message.contains("U+FFFF"),
            "{}",
            errors[2].message
        );
    }

    #[test]
    fn text_with_line_breaks_and_unicode_accepted() {
        let mut text = request();
        text.subject = "会议室 🚀 مرحبا\tTab".to_owned();
        text.body = "first line\r\nsecond line\n\u{7f}\u{85}".to_owned();
        assert!(text.validate(&Limits::default()).is_ok());
    }

    #[test]
    fn too_many_attendees_rejected() {
        let mut bad = request();
        let attendee = Attendee {
            address: "bob@example.com".to_owned(),
            name: None,
            role: Default::default(),
        };
        bad.attendees = vec![attendee; 501];
        assert_eq!(
            errors_of(bad),
            vec![FieldError::new(
                "attendees",
                "expected at most 500 attendees, but found 501"
            )]
        );
    }

    #[test]
    fn all_day_on_midnights_accepted() {
        let mut all_day = request();
        all_day.all_day = true;
        // Midnight in Berlin is 23:00 UTC in winter.
        all_day.start = at("2025-12-31T23:00:00Z");
        all_day.end = at("2026-01-01T23:00:00Z");
        assert!(all_day.validate(&Limits::default()).is_ok());
    }

    #[test]
    fn all_day_across_dst_change_accepted() {
        let mut all_day = request();
        all_day.all_day = true;
        // 2026-03-29 in Berlin has 23 hours.
        all_day.start = at("2026-03-28T23:00:00Z");
        all_day.end = at("2026-03-29T22:00:00Z");
        assert!(all_day.validate(&Limits::default()).is_ok());
    }

    #[test]
    fn all_day_where_midnight_skipped_accepted() {
        // America/Santiago moves its clocks from 00:00 to 01:00 on
        // 2027-09-05, so that day starts at 01:00 -03:00 (04:00 UTC).
        let mut around_gap = request();
        around_gap.time_zone = "America/Santiago".to_owned();
        around_gap.all_day = true;
        around_gap.start = at("2027-09-04T04:00:00Z");
        around_gap.end = at("2027-09-05T04:00:00Z");
        assert!(around_gap.clone().validate(&Limits::default()).is_ok());

        around_gap.start = at("2027-09-05T04:00:00Z");
        around_gap.end = at("2027-09-06T03:00:00Z");
        assert!(around_gap.clone().validate(&Limits::default()).is_ok());

        around_gap.start = at("2027-09-05T05:00:00Z");
        let errors = errors_of(around_gap);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "start");
        assert!(
            errors[0]
                .message
                .contains("which is 2027-09-05T01:00:00-03:00[America/Santiago]"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn all_day_second_midnight_rejected() {
        // America/Havana moves its clocks from 01:00 back to 00:00 on
        // 2027-11-07, so midnight comes twice and only the first starts the
        // day.
        let mut repeated = request();
        repeated.time_zone = "America/Havana".to_owned();
        repeated.all_day = true;
        repeated.start = at("2027-11-07T04:00:00Z");
        repeated.end = at("2027-11-08T05:00:00Z");
        assert!(repeated.clone().validate(&Limits::default()).is_ok());

        repeated.start = at("2027-11-07T05:00:00Z");
        let errors = errors_of(repeated);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "start");
    }

    #[test]
    fn all_day_off_midnight_rejected() {
        let mut bad = request();
        bad.all_day = true;
        assert_eq!(
            errors_of(bad),
            vec![
                FieldError::new(
                    "start",
                    "expected an all-day booking to start at midnight in `Europe/Berlin`, but found 2026-01-01T10:00:00+01:00[Europe/Berlin]"
                ),
                FieldError::new(
                    "end",
                    "expected an all-day booking to end at midnight in `Europe/Berlin`, but found 2026-01-01T11:00:00+01:00[Europe/Berlin]"
                ),
            ]
        );
    }

    #[test]
    fn all_day_too_many_days_rejected() {
        let mut bad = request();
        bad.all_day = true;
        bad.start = at("2025-12-31T23:00:00Z");
        bad.end = at("2026-01-02T23:00:00Z");
        assert_eq!(
            errors_of(bad),
            vec![FieldError::new(
                "end",
                "expected an all-day booking of at most 1 day, but found 2 days"
            )]
        );
    }

    fn booking() -> Booking {
        let valid = request().validate(&Limits::default()).unwrap();
        Booking {
            id: uuid::Uuid::nil(),
            room: valid.room,
            organizer: valid.organizer,
            subject: valid.subject,
            body: valid.body,
            start: valid.start,
            end: valid.end,
            time_zone: valid.time_zone,
            all_day: false,
            attendees: vec![],
            origin: crate::Origin::Internal,
            status: crate::BookingStatus::Confirmed,
            declined_reason: None,
            deleted_at: None,
            version: 1,
            exchange: Default::default(),
            created_at: valid.start,
            updated_at: valid.start,
        }
    }

    #[test]
    fn patch_checks_merged_booking() {
        let patch = BookingPatch {
            start: Some(at("2026-01-01T11:00:00Z")),
            ..BookingPatch::default()
        };
        let errors = patch.apply(&booking(), &Limits::default()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "end");
    }

    #[test]
    fn patch_changes_are_listed() {
        let before = booking();
        let patch = BookingPatch {
            subject: Some("Retro".to_owned()),
            end: Some(at("2026-01-01T10:30:00Z")),
            ..BookingPatch::default()
        };
        let after = patch.apply(&before, &Limits::default()).unwrap();
        let changes = after.changes_since(Some(&before));
        let fields: Vec<&str> = changes.iter().map(|change| change.field.as_str()).collect();
        assert_eq!(fields, ["subject", "end"]);
        assert_eq!(changes[0].from, serde_json::json!("Planning"));
        assert_eq!(changes[0].to, serde_json::json!("Retro"));
    }
}
