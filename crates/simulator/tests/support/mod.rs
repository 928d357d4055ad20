//! Test support: a simulator on 127.0.0.1:0, a one-connection HTTP client
//! (so NTLM's per-connection sign-in can be tested), SOAP request
//! builders and XML helpers for reading responses.

#![allow(dead_code, unreachable_pub)]

use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use quick_xml::escape::escape;
use roombridge_simulator::{RunningSimulator, Simulator, SimulatorConfig};

/// Starts a simulator with the sample organisation.
pub async fn start() -> RunningSimulator {
    Simulator::start(SimulatorConfig::default())
        .await
        .expect("simulator starts")
}

/// Every response body seen by the tests, for schema validation.
pub static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    /// Returns every `WWW-Authenticate` value.
    pub fn challenges(&self) -> Vec<String> {
        self.headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

/// One kept-alive HTTP/1.1 connection.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

impl Connection {
    /// Opens a connection to the simulator.
    pub async fn open(sim: &RunningSimulator) -> Connection {
        let stream = tokio::net::TcpStream::connect(sim.local_addr())
            .await
            .unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        Connection {
            sender,
            host: sim.local_addr().to_string(),
        }
    }

    /// Sends a request; `Err` when the connection closed without a response.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> Result<Reply, String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
            .header("content-type", content_type);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let body = String::from_utf8(body.to_vec()).unwrap();
        if path.eq_ignore_ascii_case("/EWS/Exchange.asmx") && !body.is_empty() {
            SEEN.lock().unwrap().push(body.clone());
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Posts a SOAP document to the EWS endpoint.
    pub async fn ews(&mut self, authorization: Option<&str>, soap: &str) -> Result<Reply, String> {
        self.send(
            "POST",
            "/EWS/Exchange.asmx",
            authorization,
            "text/xml; charset=utf-8",
            soap,
        )
        .await
    }
}

/// Returns a Basic `Authorization` value.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// Returns the service account's Basic credentials.
pub fn svc() -> String {
    basic("svc@example.com", "svc-password")
}

/// Builds a SOAP request acting as `mailbox` through impersonation.
pub fn envelope(impersonate: Option<&str>, body: &str) -> String {
    let impersonation = impersonate
        .map(|address| {
            format!(
                "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>",
                escape(address)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Header><t:RequestServerVersion Version="Exchange2016"/>{impersonation}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#
    )
}

/// Sends one EWS request as the service account impersonating `mailbox`, on a new connection.
pub async fn call(sim: &RunningSimulator, mailbox: &str, body: &str) -> Reply {
    let mut connection = Connection::open(sim).await;
    connection
        .ews(Some(&svc()), &envelope(Some(mailbox), body))
        .await
        .expect("a response")
}

/// Returns a DistinguishedFolderId naming a mailbox's folder.
pub fn folder(id: &str, mailbox: &str) -> String {
    format!(
        r#"<t:DistinguishedFolderId Id="{id}"><t:Mailbox><t:EmailAddress>{}</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>"#,
        escape(mailbox)
    )
}

/// Returns a CreateItem of a meeting from `start` to `end` (RFC 3339) inviting `attendees`.
pub fn create_meeting(
    subject: &str,
    start: &str,
    end: &str,
    attendees: &[&str],
    extra: &str,
) -> String {
    let attendees: String = attendees
        .iter()
        .map(|a| format!("<t:Attendee><t:Mailbox><t:EmailAddress>{}</t:EmailAddress></t:Mailbox></t:Attendee>", escape(*a)))
        .collect();
    let attendees = if attendees.is_empty() {
        String::new()
    } else {
        format!("<t:RequiredAttendees>{attendees}</t:RequiredAttendees>")
    };
    format!(
        r#"<m:CreateItem SendMeetingInvitations="SendToAllAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>{}</t:Subject><t:Body BodyType="Text">body of {}</t:Body><t:Start>{start}</t:Start><t:End>{end}</t:End><t:Location>somewhere</t:Location>{attendees}{extra}</t:CalendarItem></m:Items></m:CreateItem>"#,
        escape(subject),
        escape(subject)
    )
}

/// Returns a GetItem of one id with every property.
pub fn get_item(id: &str) -> String {
    format!(
        r#"<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="{}"/></m:ItemIds></m:GetItem>"#,
        escape(id)
    )
}

/// Returns a CalendarView FindItem over a window, with every property.
pub fn calendar_view(mailbox: &str, start: &str, end: &str) -> String {
    format!(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:CalendarView StartDate="{start}" EndDate="{end}"/><m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>"#,
        folder("calendar", mailbox)
    )
}

/// Returns a plain FindItem of a folder with every property.
pub fn find_all(folder_id: &str, mailbox: &str) -> String {
    format!(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>"#,
        folder(folder_id, mailbox)
    )
}

/// Returns the trimmed text of every element with this local name, in
/// document order (the text of nested elements included).
pub fn texts(xml: &str, local: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    // Open captures: the index in `found` and the nesting depth inside it.
    let mut open: Vec<(usize, usize)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed response") {
            Event::Start(start) => {
                for (_, depth) in open.iter_mut() {
                    *depth += 1;
                }
                if start.local_name().as_ref() == local {
                    found.push(String::new());
                    open.push((found.len() - 1, 0));
                }
            }
            Event::Empty(start) if start.local_name().as_ref() == local => {
                found.push(String::new())
            }
            Event::Text(text) => {
                for (index, _) in &open {
                    found[*index].push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let name: &str = reference.as_ref();
                let resolved = match name {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    _ => "'",
                };
                for (index, _) in &open {
                    found[*index].push_str(resolved);
                }
            }
            Event::End(_) => {
                if let Some((_, 0)) = open.last() {
                    open.pop();
                }
                for (_, depth) in open.iter_mut() {
                    *depth = depth.saturating_sub(1);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
        .into_iter()
        .map(|text| text.trim().to_string())
        .collect()
}

/// Returns the first text of an element, panicking with the document when absent.
pub fn text(xml: &str, local: &str) -> String {
    texts(xml, local)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no <{local}> in {xml}"))
}

/// Returns the value of `attribute` on every element with this local name.
pub fn attributes(xml: &str, local: &str, attribute: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed response") {
            Event::Start(start) | Event::Empty(start) if start.local_name().as_ref() == local => {
                for a in start.attributes().flatten() {
                    if a.key.local_name().as_ref() == attribute {
                        found.push(
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned(),
                        );
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// Returns the ItemId of the first item in a response.
pub fn first_item_id(xml: &str) -> String {
    attributes(xml, "ItemId", "Id")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no ItemId in {xml}"))
}

/// Returns the ResponseCode values of a response.
pub fn codes(xml: &str) -> Vec<String> {
    texts(xml, "ResponseCode")
}

/// Instants relative to now, far enough ahead to be free in the sample organisation.
pub fn slot(days: i64, hour: i64, minutes: i64) -> String {
    let day = jiff::Timestamp::now().as_second() / 86_400 + days;
    let seconds = day * 86_400 + hour * 3600 + minutes * 60;
    jiff::Timestamp::from_second(seconds).unwrap().to_string()
}

/// Admin JSON call on a new connection.
pub async fn admin(sim: &RunningSimulator, method: &str, path: &str, body: &str) -> Reply {
    let mut connection = Connection::open(sim).await;
    connection
        .send(method, path, None, "application/json", body)
        .await
        .expect("admin response")
}
