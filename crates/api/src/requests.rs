//! Request bodies of the booking endpoints and how they are read.
//!
//! A body is read field by field rather than through serde's derive, which
//! stops at the first problem: a client gets every unknown field, wrong type
//! and malformed time in one 422 response. The structs below describe the
//! same fields for the OpenAPI document; a test keeps both in step.

use axum::http::{HeaderMap, header};
use jiff::Timestamp;
use roombridge_domain::{Attendee, AttendeeRole, BookingPatch, FieldError, NewBooking};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::ApiError;

/// Fields a booking request may carry; any other field is rejected.
pub(crate) const BOOKING_FIELDS: &[&str] = &[
    "room",
    "subject",
    "body",
    "start",
    "end",
    "time_zone",
    "all_day",
    "attendees",
];

const ATTENDEE_FIELDS: &[&str] = &["address", "name", "role"];

/// Body of `POST /api/v1/bookings`. The organizer is the authenticated user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateBookingRequest {
    /// Mailbox address of the room.
    #[schema(example = "room-101@example.com")]
    pub room: String,
    /// Meeting subject, at most 255 characters. Default: empty.
    pub subject: Option<String>,
    /// Meeting body as plain text, at most 65,536 characters. Default: empty.
    pub body: Option<String>,
    /// Start (inclusive), RFC 3339 with an offset.
    #[schema(value_type = String, format = DateTime, example = "2026-12-07T09:00:00+01:00")]
    pub start: String,
    /// End (exclusive), RFC 3339 with an offset; at most 24 hours after `start`.
    #[schema(value_type = String, format = DateTime, example = "2026-12-07T10:00:00+01:00")]
    pub end: String,
    /// IANA time zone the booking is made in.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    /// Whether the booking covers whole days. `start` and `end` must then be
    /// starts of days in `time_zone`: midnight, or the first time after it
    /// where daylight saving time skips midnight. Default: false.
    pub all_day: Option<bool>,
    /// People to invite besides the room. Default: none.
    pub attendees: Option<Vec<AttendeeRequest>>,
}

/// Body of `PATCH /api/v1/bookings/{id}`: only the fields to change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchBookingRequest {
    /// New room; the old room is released.
    pub room: Option<String>,
    /// New subject.
    pub subject: Option<String>,
    /// New body; `""` clears it.
    pub body: Option<String>,
    /// New start, RFC 3339 with an offset.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start: Option<String>,
    /// New end, RFC 3339 with an offset.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end: Option<String>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// New all-day flag.
    pub all_day: Option<bool>,
    /// New attendee list, replacing the old one.
    pub attendees: Option<Vec<AttendeeRequest>>,
}

/// A person to invite.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttendeeRequest {
    /// SMTP address.
    pub address: String,
    /// Display name.
    pub name: Option<String>,
    /// `required` (default) or `optional`.
    #[schema(example = "required")]
    pub role: Option<String>,
}

/// Reads the body of a booking creation made by `organizer`.
pub(crate) fn parse_create(
    headers: &HeaderMap,
    body: &[u8],
    organizer: &str,
) -> Result<NewBooking, ApiError> {
    let mut fields = Fields::new(parse_object(headers, body)?);
    let room = fields.required_string("room", "the room's mailbox address");
    let subject = fields.string("subject");
    let text = fields.string("body");
    let start = fields.required_timestamp("start");
    let end = fields.required_timestamp("end");
    let time_zone =
        fields.required_string("time_zone", "an IANA time zone such as `Europe/Berlin`");
    let all_day = fields.boolean("all_day");
    let attendees = fields.attendees("attendees");
    let errors = fields.into_errors();

    // A required reader records an error whenever it returns `None`, so the
    // first arm matches exactly when the request is valid.
    match (room, start, end, time_zone) {
        (Some(room), Some(start), Some(end), Some(time_zone)) if errors.is_empty() => {
            Ok(NewBooking {
                room,
                organizer: organizer.to_owned(),
                subject: subject.unwrap_or_default(),
                body: text.unwrap_or_default(),
                start,
                end,
                time_zone,
                all_day: all_day.unwrap_or(false),
                attendees: attendees.unwrap_or_default(),
            })
        }
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Reads the body of a booking change.
pub(crate) fn parse_patch(headers: &HeaderMap, body: &[u8]) -> Result<BookingPatch, ApiError> {
    let mut fields = Fields::new(parse_object(headers, body)?);
    let patch = BookingPatch {
        room: fields.string("room"),
        subject: fields.string("subject"),
        body: fields.string("body"),
        start: fields.timestamp("start"),
        end: fields.timestamp("end"),
        time_zone: fields.string("time_zone"),
        all_day: fields.boolean("all_day"),
        attendees: fields.attendees("attendees"),
    };
    fields.finish()?;
    Ok(patch)
}

/// Checks the content type and parses the body as a JSON object.
fn parse_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || mime.to_ascii_lowercase().ends_with("+json")
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_field(
            "request",
            "expected a JSON object, but the body is empty",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::invalid_field(
            "request",
            format!("expected a JSON object, but found {}", json_kind(&other)),
        )),
        Err(error) => Err(ApiError::invalid_field(
            "request",
            format!(
                "malformed JSON at line {} column {}: {error}",
                error.line(),
                error.column()
            ),
        )),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON object being read; fields are removed as they are taken and
/// problems are collected.
struct Fields {
    map: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Fields {
    fn new(map: Map<String, Value>) -> Self {
        Self {
            map,
            errors: Vec::new(),
        }
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    fn reject(&mut self, key: &str, message: String) {
        self.errors.push(FieldError::new(key, message));
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.take(key)? {
            Value::String(text) => Some(text),
            other => {
                self.reject(
                    key,
                    format!("expected a string, but found {}", json_kind(&other)),
                );
                None
            }
        }
    }

    fn required_string(&mut self, key: &str, what: &str) -> Option<String> {
        if !self.map.contains_key(key) {
            self.reject(key, format!("missing; set `{key}` to {what}"));
            return None;
        }
        self.string(key)
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.take(key)? {
            Value::Bool(flag) => Some(flag),
            other => {
                self.reject(
                    key,
                    format!(
                        "expected `true` or `false`, but found {}",
                        json_kind(&other)
                    ),
                );
                None
            }
        }
    }

    fn timestamp(&mut self, key: &str) -> Option<Timestamp> {
        let text = self.string(key)?;
        match parse_timestamp(&text) {
            Ok(instant) => Some(instant),
            Err(message) => {
                self.reject(key, message);
                None
            }
        }
    }

    fn required_timestamp(&mut self, key: &str) -> Option<Timestamp> {
        if !self.map.contains_key(key) {
            self.reject(
                key,
                format!(
                    "missing; set `{key}` to an RFC 3339 time such as `2026-12-07T09:00:00+01:00`"
                ),
            );
            return None;
        }
        self.timestamp(key)
    }

    fn attendees(&mut self, key: &str) -> Option<Vec<Attendee>> {
        let value = self.take(key)?;
        let Value::Array(items) = value else {
            self.reject(
                key,
                format!(
                    "expected an array of attendees, but found {}",
                    json_kind(&value)
                ),
            );
            return None;
        };
        let mut attendees = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let path = format!("{key}[{index}]");
            let Value::Object(map) = item else {
                self.reject(
                    &path,
                    format!("expected an object, but found {}", json_kind(&item)),
                );
                continue;
            };
            if let Some(attendee) = self.attendee(&path, map) {
                attendees.push(attendee);
            }
        }
        Some(attendees)
    }

    fn attendee(&mut self, path: &str, map: Map<String, Value>) -> Option<Attendee> {
        let mut inner = Fields::new(map);
        let address = inner.required_string("address", "the attendee's SMTP address");
        let name = inner.string("name");
        let role = match inner.string("role").as_deref() {
            None | Some("required") => Some(AttendeeRole::Required),
            Some("optional") => Some(AttendeeRole::Optional),
            Some(other) => {
                inner.reject(
                    "role",
                    format!("expected `required` or `optional`, but found `{other}`"),
                );
                None
            }
        };
        inner.reject_unknown(ATTENDEE_FIELDS);
        let ok = inner.errors.is_empty();
        for error in inner.errors {
            self.reject(&format!("{path}.{}", error.field), error.message);
        }
        if !ok {
            return None;
        }
        Some(Attendee {
            address: address?,
            name,
            role: role?,
        })
    }

    fn reject_unknown(&mut self, known: &[&str]) {
        let known_list = known
            .iter()
            .map(|key| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for key in unknown {
            self.reject(&key, format!("unknown field; expected one of {known_list}"));
        }
    }

    /// Rejects the fields no reader took and returns every error.
    fn into_errors(mut self) -> Vec<FieldError> {
        self.reject_unknown(BOOKING_FIELDS);
        self.errors
    }

    fn finish(self) -> Result<(), ApiError> {
        let errors = self.into_errors();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(errors))
        }
    }
}

/// Parses an RFC 3339 time that carries an offset (`Z` or `+01:00`).
pub(crate) fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let error = match text.parse::<Timestamp>() {
        Ok(instant) => return Ok(instant),
        Err(error) => error,
    };
    if text.parse::<jiff::civil::DateTime>().is_ok() {
        return Err(format!(
            "expected an RFC 3339 time with an offset, but found `{text}`, which has none; \
             append `Z` for UTC or an offset such as `+01:00`"
        ));
    }
    // jiff's message names the part that failed, such as an hour of 25 or
    // an instant after 9999-12-30T22:00:00Z, the last one it represents.
    Err(format!(
        "expected an RFC 3339 time with an offset such as `2026-12-07T09:00:00+01:00`, \
         but found `{text}`: {error}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        headers
    }

    fn fields_of(error: ApiError) -> Vec<(String, String)> {
        match error {
            ApiError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
            other => panic!("expected 422, but found {other:?}"),
        }
    }

    #[test]
    fn create_reports_every_field() {
        let body = br#"{"room": 5, "start": "2026-12-07T09:00:00", "end": "tomorrow",
                        "colour": "red", "attendees": [{"address": "a@example.com", "role": "boss"}]}"#;
        let errors =
            fields_of(parse_create(&json_headers(), body, "alice@example.com").unwrap_err());
        let fields: Vec<&str> = errors.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "room",
                "start",
                "end",
                "time_zone",
                "attendees[0].role",
                "colour"
            ]
        );
        assert_eq!(errors[0].1, "expected a string, but found a number");
        assert!(errors[1].1.contains("which has none"), "{}", errors[1].1);
        assert_eq!(
            errors[5].1,
            format!(
                "unknown field; expected one of {}",
                BOOKING_FIELDS
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }

    #[test]
    fn create_fills_defaults() {
        let body = br#"{"room": "room-101@example.com", "start": "2026-12-07T09:00:00+01:00",
                        "end": "2026-12-07T10:00:00Z", "time_zone": "Europe/Berlin"}"#;
        let booking = parse_create(&json_headers(), body, "alice@example.com").unwrap();
        assert_eq!(booking.organizer, "alice@example.com");
        assert_eq!(
            booking.start,
            "2026-12-07T08:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(booking.subject, "");
        assert!(!booking.all_day);
        assert!(booking.attendees.is_empty());
    }

    #[test]
    fn malformed_json_names_position() {
        let errors = fields_of(parse_patch(&json_headers(), b"{\"subject\": }").unwrap_err());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "request");
        assert!(
            errors[0]
                .1
                .starts_with("malformed JSON at line 1 column 13"),
            "{}",
            errors[0].1
        );
    }

    #[test]
    fn non_json_content_type_rejected() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(matches!(
            parse_patch(&headers, b"{}"),
            Err(ApiError::UnsupportedMediaType)
        ));
        assert!(matches!(
            parse_patch(&HeaderMap::new(), b"{}"),
            Err(ApiError::UnsupportedMediaType)
        ));
    }

    #[test]
    fn patch_null_rejected() {
        let errors = fields_of(parse_patch(&json_headers(), br#"{"body": null}"#).unwrap_err());
        assert_eq!(
            errors,
            [(
                "body".to_owned(),
                "expected a string, but found null".to_owned()
            )]
        );
    }
}
