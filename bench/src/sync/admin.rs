//! A blocking client of the simulator's admin interface (JSON over HTTP on
//! loopback), and the changes the benchmark makes through it.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// The admin interface at `http://HOST:PORT/admin`.
pub(crate) struct Admin {
    authority: String,
    base_path: String,
}

impl Admin {
    /// Parses the admin URL the simulator printed.
    pub(crate) fn new(url: &str) -> Result<Admin, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("admin URL `{url}` does not start with http://"))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        Ok(Admin {
            authority: authority.to_owned(),
            base_path: format!("/{path}"),
        })
    }

    /// Sends one request; returns the JSON body (null when empty).
    pub(crate) fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let target = format!("{}{path}", self.base_path);
        let payload = body.map(Value::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.authority).map_err(|error| {
            format!(
                "cannot connect to the simulator at {}: {error}",
                self.authority
            )
        })?;
        // HTTP/1.0 so the reply is never chunked and ends with the connection.
        let head = format!(
            "{method} {target} HTTP/1.0\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.authority,
            payload.len()
        );
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(payload.as_bytes()))
            .map_err(|error| format!("{method} {target}: {error}"))?;
        let mut reply = Vec::new();
        stream
            .read_to_end(&mut reply)
            .map_err(|error| format!("{method} {target}: {error}"))?;
        let split = reply
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .ok_or_else(|| format!("{method} {target}: the reply has no header end"))?;
        let head = String::from_utf8_lossy(&reply[..split]);
        let status = head.split_whitespace().nth(1).unwrap_or("");
        let body = &reply[split + 4..];
        if !status.starts_with('2') {
            return Err(format!(
                "{method} {target} answered {status}: {}",
                String::from_utf8_lossy(body)
            ));
        }
        if body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(body).map_err(|error| format!("{method} {target}: {error}"))
    }

    /// EWS requests the simulator received since it started.
    pub(crate) fn ews_requests(&self) -> Result<u64, String> {
        self.send("GET", "/stats", None)?["ews_requests"]
            .as_u64()
            .ok_or_else(|| "GET /admin/stats has no `ews_requests`".to_owned())
    }
}

/// A single (not recurring) meeting in its organizer's calendar.
struct Meeting {
    number: u64,
    room: String,
    start: Timestamp,
    end: Timestamp,
}

/// What `change` did.
pub(crate) struct Changes {
    /// Meetings moved to another time.
    pub(crate) moved: usize,
    /// Meetings cancelled, which removes them from the room calendar.
    pub(crate) deleted: usize,
}

/// Moves `move_share` and cancels `delete_share` of the single meetings,
/// as their organizers would in Outlook. Meetings are picked evenly by
/// item number, so every run on the same organisation picks the same ones.
pub(crate) fn change(
    admin: &Admin,
    organizers: &[String],
    bookings: usize,
    move_share: f64,
    delete_share: f64,
) -> Result<Changes, String> {
    let mut meetings = Vec::new();
    for organizer in organizers {
        let items = admin.send(
            "GET",
            &format!("/mailboxes/{organizer}/items?folder=calendar"),
            None,
        )?;
        for item in items.as_array().into_iter().flatten() {
            if let Some(meeting) = single_meeting(item) {
                meetings.push(meeting);
            }
        }
    }
    meetings.sort_by_key(|meeting| meeting.number);
    let to_move = (bookings as f64 * move_share).round() as usize;
    let to_delete = (bookings as f64 * delete_share).round() as usize;
    if meetings.len() < to_move + to_delete {
        return Err(format!(
            "only {} single meetings to change, {} needed",
            meetings.len(),
            to_move + to_delete
        ));
    }
    let step = (meetings.len() / (to_move + to_delete).max(1)).max(1);
    let picked: Vec<&Meeting> = meetings.iter().step_by(step).collect();
    // A moved meeting goes to 17:00 UTC of its day, a slot the generator
    // leaves free; at most one a room and day, so the room accepts each.
    let mut evenings = BTreeSet::new();
    let mut moved = 0;
    let mut deleted = 0;
    for meeting in picked {
        if moved < to_move {
            let midnight = meeting.start.as_second() - meeting.start.as_second().rem_euclid(86_400);
            if !evenings.insert((meeting.room.clone(), midnight)) {
                continue;
            }
            let start = Timestamp::from_second(midnight + 17 * 3600).map_err(|e| e.to_string())?;
            let end = start
                + SignedDuration::from_secs(meeting.end.as_second() - meeting.start.as_second());
            admin.send(
                "POST",
                &format!("/items/{}/move", meeting.number),
                Some(&json!({ "start": start.to_string(), "end": end.to_string() })),
            )?;
            moved += 1;
        } else if deleted < to_delete {
            admin.send("POST", &format!("/items/{}/cancel", meeting.number), None)?;
            deleted += 1;
        }
    }
    if moved < to_move || deleted < to_delete {
        return Err(format!(
            "changed only {moved} of {to_move} meetings and cancelled {deleted} of {to_delete}"
        ));
    }
    Ok(Changes { moved, deleted })
}

fn single_meeting(item: &Value) -> Option<Meeting> {
    let calendar = item.get("calendar")?;
    if !calendar.get("recurrence")?.is_null() || calendar.get("my_response")? != "Organizer" {
        return None;
    }
    let room = calendar
        .get("resources")?
        .as_array()?
        .first()?
        .pointer("/person/address")?
        .as_str()?
        .to_owned();
    Some(Meeting {
        number: item.get("number")?.as_u64()?,
        room,
        start: calendar.get("start")?.as_str()?.parse().ok()?,
        end: calendar.get("end")?.as_str()?.parse().ok()?,
    })
}
