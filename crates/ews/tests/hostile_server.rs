//! The client against a raw TCP server on 127.0.0.1:0 that sends hostile
//! bytes: bodies cut off, trickled or oversized, wrong encodings, error
//! pages, absurd waits and endless 401s. Every case must end in a typed
//! error that names the operation and mailbox and never the password.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use roombridge_ews::auth::Credentials;
use roombridge_ews::envelope::response_xml;
use roombridge_ews::operations::*;
use roombridge_ews::retry::RetryPolicy;
use roombridge_ews::types::*;
use roombridge_ews::{EwsClient, EwsClientBuilder, EwsError, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PASSWORD: &str = "pa55-w0rd-secret";
const MAILBOX: &str = "room1@example.com";

/// One step of a scripted reply.
#[derive(Clone)]
enum Step {
    Write(Vec<u8>),
    Sleep(Duration),
    /// Keeps the connection open for the next request.
    KeepAlive,
}

struct RawServer {
    url: String,
    requests: Arc<AtomicUsize>,
}

/// Reads one HTTP/1.1 request (headers and a Content-Length body); returns
/// the raw headers, or `None` when the client closed the connection.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let headers = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let length = headers
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = buffer.len() - header_end;
    while body < length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        body += read;
    }
    Some(headers)
}

impl RawServer {
    /// Serves each request with the steps `script(n, headers)` returns for
    /// request number `n` (0-based), then closes the connection.
    async fn start(script: impl Fn(usize, &str) -> Vec<Step> + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let script = Arc::new(script);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let counter = counter.clone();
                let script = script.clone();
                tokio::spawn(async move {
                    while let Some(headers) = read_request(&mut stream).await {
                        let number = counter.fetch_add(1, Ordering::SeqCst);
                        let steps = script(number, &headers);
                        let keep_open = steps.iter().any(|step| matches!(step, Step::KeepAlive));
                        for step in steps {
                            match step {
                                Step::Write(bytes) => {
                                    if stream.write_all(&bytes).await.is_err() {
                                        return;
                                    }
                                }
                                Step::Sleep(wait) => tokio::time::sleep(wait).await,
                                Step::KeepAlive => {}
                            }
                        }
                        if !keep_open {
                            let _ = stream.shutdown().await;
                            return;
                        }
                    }
                });
            }
        });
        RawServer {
            url: format!("http://{address}/EWS/Exchange.asmx"),
            requests,
        }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<Step> {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    vec![Step::Write(bytes)]
}

fn basic() -> Credentials {
    Credentials::Basic {
        username: String::from("svc@example.com"),
        password: Secret::new(PASSWORD),
    }
}

fn ntlm() -> Credentials {
    Credentials::ntlm("EXAMPLE\\svc", PASSWORD)
}

fn client_with(url: &str, credentials: Credentials, timeout: Duration) -> EwsClient {
    EwsClientBuilder::new(url, credentials)
        .timeout(timeout)
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(5),
        })
        .build()
        .unwrap()
}

fn client(url: &str) -> EwsClient {
    client_with(url, basic(), Duration::from_secs(10))
}

fn get_folder() -> GetFolder {
    GetFolder {
        folder_shape: Shape::new(BaseShape::IdOnly),
        folder_ids: vec![DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into()],
    }
}

fn create_item() -> CreateItem {
    CreateItem::calendar_items(
        None,
        SendMeetingInvitations::SendToAllAndSaveCopy,
        vec![common::full_calendar_item("Planning", "Agenda", None)],
    )
}

fn folder_ok() -> String {
    let folder = Folder::new(
        "CalendarFolder",
        FolderId {
            id: String::from("AAMkF"),
            change_key: None,
        },
    );
    response_xml(
        None,
        &GetFolderResponse {
            messages: vec![ResponseMessage::success(FoldersContent {
                folders: vec![folder],
            })],
        },
    )
}

fn busy(back_off: Option<&str>) -> String {
    let mut message = ResponseMessage::<FoldersContent>::error(ResponseCode::ErrorServerBusy);
    if let Some(value) = back_off {
        message.message_xml = vec![MessageXmlValue {
            name: String::from("BackOffMilliseconds"),
            value: value.to_owned(),
        }];
    }
    response_xml(
        None,
        &GetFolderResponse {
            messages: vec![message],
        },
    )
}

/// Checks what every error message must and must not contain.
fn assert_names_call(error: &EwsError) {
    let text = error.to_string();
    assert!(
        text.contains("GetFolder") || text.contains("CreateItem"),
        "{text}"
    );
    assert!(text.contains(MAILBOX), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("svc@example.com:{PASSWORD}"));
    assert!(!text.contains(&encoded), "{text}");
    let debug = format!("{error:?}");
    assert!(!debug.contains(PASSWORD), "{debug}");
}

#[tokio::test]
async fn body_cut_mid_way_is_a_connection_error() {
    let body = folder_ok();
    let server = RawServer::start(move |_, _| {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&body.as_bytes()[..body.len() / 2]);
        vec![Step::Write(bytes)]
    })
    .await;
    let error = client(&server.url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::Connection { .. }), "{error:?}");
    assert_names_call(&error);
    assert_eq!(server.requests(), 3, "a read is retried up to max_attempts");
}

#[tokio::test]
async fn write_cut_mid_way_is_not_resent() {
    let server = RawServer::start(move |_, _| {
        vec![Step::Write(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<s:Envelope".to_vec(),
        )]
    })
    .await;
    let error = client(&server.url)
        .call(Some(MAILBOX), &create_item())
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::Connection { .. }), "{error:?}");
    assert!(!error.was_not_sent(), "{error:?}");
    assert_names_call(&error);
    assert_eq!(
        server.requests(),
        1,
        "a write whose reply was cut was resent"
    );
}

#[tokio::test]
async fn trickled_body_times_out() {
    let server = RawServer::start(|_, _| {
        let mut steps = vec![Step::Write(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".to_vec(),
        )];
        for _ in 0..100 {
            steps.push(Step::Write(b"<".to_vec()));
            steps.push(Step::Sleep(Duration::from_millis(100)));
        }
        steps
    })
    .await;
    let client = client_with(&server.url, basic(), Duration::from_millis(500));
    let started = Instant::now();
    let error = client
        .call(Some(MAILBOX), &create_item())
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::Timeout { .. }), "{error:?}");
    assert_names_call(&error);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    let server = RawServer::start(|_, _| vec![Step::Sleep(Duration::from_secs(30))]).await;
    let client = client_with(&server.url, basic(), Duration::from_millis(300));
    let started = Instant::now();
    let error = client.call(Some(MAILBOX), &get_folder()).await.unwrap_err();
    assert!(matches!(error, EwsError::Timeout { .. }), "{error:?}");
    assert_names_call(&error);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn hundred_megabyte_body_is_cut_at_limit() {
    let server = RawServer::start(|_, _| {
        let size = 100 * 1024 * 1024;
        let mut steps = vec![Step::Write(
            format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").into_bytes(),
        )];
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..100 {
            steps.push(Step::Write(chunk.clone()));
        }
        steps
    })
    .await;
    let client = EwsClientBuilder::new(&server.url, basic())
        .max_response_bytes(8 * 1024 * 1024)
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let error = client.call(Some(MAILBOX), &get_folder()).await.unwrap_err();
    assert!(
        error.to_string().contains("larger than 8388608 bytes"),
        "{error}"
    );
    assert_names_call(&error);
}

#[tokio::test]
async fn chunked_body_without_length_is_cut_at_limit() {
    let server = RawServer::start(|_, _| {
        let mut steps = vec![Step::Write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
        )];
        let mut chunk = format!("{:x}\r\n", 1024 * 1024).into_bytes();
        chunk.extend(std::iter::repeat_n(b'y', 1024 * 1024));
        chunk.extend_from_slice(b"\r\n");
        for _ in 0..20 {
            steps.push(Step::Write(chunk.clone()));
        }
        steps
    })
    .await;
    let client = EwsClientBuilder::new(&server.url, basic())
        .max_response_bytes(4 * 1024 * 1024)
        .build()
        .unwrap();
    let error = client.call(Some(MAILBOX), &get_folder()).await.unwrap_err();
    assert!(error.to_string().contains("larger than"), "{error}");
    assert_names_call(&error);
}

#[tokio::test]
async fn bodies_that_are_not_ews_are_malformed_responses() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("not UTF-8", b"<s:Envelope \xff\xfe\x80>".to_vec()),
        (
            "HTML page",
            b"<html><head><title>Sign in</title></head><body>Please sign in</body></html>".to_vec(),
        ),
        ("truncated", folder_ok().as_bytes()[..120].to_vec()),
        (
            "DOCTYPE",
            format!(
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}",
                folder_ok()
            )
            .into_bytes(),
        ),
    ];
    for (case, body) in cases {
        let server = RawServer::start(move |_, _| response("200 OK", &[], &body)).await;
        let error = client(&server.url)
            .call(Some(MAILBOX), &get_folder())
            .await
            .unwrap_err();
        assert!(
            matches!(error, EwsError::MalformedResponse { .. }),
            "{case}: {error:?}"
        );
        assert_names_call(&error);
        assert_eq!(
            server.requests(),
            1,
            "{case}: a malformed reply was retried"
        );
    }
}

#[tokio::test]
async fn status_500_page_is_http_error() {
    let server = RawServer::start(|_, _| {
        response(
            "500 Internal Server Error",
            &[],
            b"<html>Runtime Error</html>",
        )
    })
    .await;
    let error = client(&server.url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap_err();
    assert!(
        matches!(error, EwsError::HttpStatus { status: 500, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("Runtime Error"), "{error}");
    assert_names_call(&error);
}

#[tokio::test]
async fn server_busy_without_back_off_is_retried() {
    let server = RawServer::start(|number, _| {
        let body = if number == 0 { busy(None) } else { folder_ok() };
        response("200 OK", &[], body.as_bytes())
    })
    .await;
    client(&server.url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap();
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn absurd_back_off_is_capped() {
    for value in [
        "18446744073709551615",
        "99999999999999999999999",
        "-5",
        "soon",
        "1e9",
    ] {
        let body = busy(Some(value));
        let server = RawServer::start(move |_, _| response("200 OK", &[], body.as_bytes())).await;
        let error = client(&server.url)
            .call(Some(MAILBOX), &get_folder())
            .await
            .unwrap_err();
        assert!(
            matches!(error, EwsError::ServerBusy { .. }),
            "{value}: {error:?}"
        );
        assert_names_call(&error);
        if let Some(wait) = error.back_off() {
            assert!(
                wait <= Duration::from_secs(3600),
                "{value}: back-off {wait:?}"
            );
            // A caller schedules its next request with the wait.
            let _ = Instant::now() + wait;
        }
    }
}

#[tokio::test]
async fn absurd_retry_after_is_capped() {
    for value in ["18446744073709551615", "Wed, 01 Dec 9999 00:00:00 GMT"] {
        let server = RawServer::start(move |_, _| {
            response("503 Service Unavailable", &[("Retry-After", value)], b"")
        })
        .await;
        let error = client(&server.url)
            .call(Some(MAILBOX), &get_folder())
            .await
            .unwrap_err();
        assert!(
            matches!(error, EwsError::ServiceUnavailable { .. }),
            "{value}: {error:?}"
        );
        let wait = error.back_off().expect("a Retry-After wait");
        assert!(wait <= Duration::from_secs(3600), "{value}: {wait:?}");
        assert_eq!(
            server.requests(),
            1,
            "{value}: a wait above max_delay was waited"
        );
    }
}

#[tokio::test]
async fn retry_after_as_http_date_is_honoured() {
    let server = RawServer::start(|number, _| {
        if number == 0 {
            let when = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
            let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&when)
                .unwrap();
            response("429 Too Many Requests", &[("Retry-After", &date)], b"")
        } else {
            response("200 OK", &[], folder_ok().as_bytes())
        }
    })
    .await;
    let started = Instant::now();
    client(&server.url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap();
    assert_eq!(server.requests(), 2);
    // The date has whole seconds, so the wait is between 1 and 2 seconds.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn basic_401_is_not_retried() {
    let server = RawServer::start(|_, _| {
        response(
            "401 Unauthorized",
            &[("WWW-Authenticate", "Basic realm=\"x\"")],
            b"",
        )
    })
    .await;
    let error = client(&server.url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::Unauthorized { .. }), "{error:?}");
    assert_names_call(&error);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn ntlm_401_loop_ends() {
    let challenge = roombridge_ews::auth::ntlm::ChallengeMessage {
        flags: 0xe288_8215,
        server_challenge: [1, 2, 3, 4, 5, 6, 7, 8],
        target_name: String::from("EXAMPLE"),
        target_info: roombridge_ews::auth::ntlm::target_info("EXAMPLE", "EXCH01", 0),
    };
    let challenge = base64::engine::general_purpose::STANDARD.encode(challenge.to_bytes());
    let server = RawServer::start(move |_, _| {
        let value = format!("NTLM {challenge}");
        let mut steps = response("401 Unauthorized", &[("WWW-Authenticate", &value)], b"");
        // Keep the connection open for the next leg of the handshake.
        steps.push(Step::KeepAlive);
        steps
    })
    .await;
    let error = client_with(&server.url, ntlm(), Duration::from_secs(5))
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::Unauthorized { .. }), "{error:?}");
    assert_names_call(&error);
    assert!(server.requests() <= 2, "{} requests", server.requests());
}

#[tokio::test]
async fn ntlm_garbage_challenges_are_errors() {
    for header in [
        "NTLM !!!not base64!!!",
        "NTLM AAAA",
        "NTLM TlRMTVNTUAACAAAA////////",
        "Negotiate",
    ] {
        let server = RawServer::start(move |_, _| {
            response("401 Unauthorized", &[("WWW-Authenticate", header)], b"")
        })
        .await;
        let error = client_with(&server.url, ntlm(), Duration::from_secs(5))
            .call(Some(MAILBOX), &get_folder())
            .await
            .unwrap_err();
        assert_names_call(&error);
        assert!(
            server.requests() <= 3,
            "{header}: {} requests",
            server.requests()
        );
    }
}

#[tokio::test]
async fn echoed_credentials_stay_out_of_errors() {
    // A proxy that echoes the request into its error page must not leak the
    // Authorization header through the error's body excerpt.
    let server = RawServer::start(|_, headers| {
        let body = format!("<html><pre>{headers} password={PASSWORD}</pre></html>");
        response("400 Bad Request", &[], body.as_bytes())
    })
    .await;
    let error = client(&server.url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap_err();
    assert!(
        matches!(error, EwsError::HttpStatus { status: 400, .. }),
        "{error:?}"
    );
    assert_names_call(&error);
}

#[tokio::test]
async fn huge_fault_text_is_cut() {
    let text = "The server is busy. ".repeat(50_000);
    let cases = [
        {
            let mut fault = SoapFault::for_code(ResponseCode::ErrorInternalServerError);
            fault.fault_string = text.clone();
            (
                "500 Internal Server Error",
                write_fault_envelope(None, &fault),
            )
        },
        {
            let mut message =
                ResponseMessage::<FoldersContent>::error(ResponseCode::ErrorImpersonateUserDenied);
            message.message_text = Some(text.clone());
            (
                "200 OK",
                response_xml(
                    None,
                    &GetFolderResponse {
                        messages: vec![message],
                    },
                ),
            )
        },
    ];
    for (status, body) in cases {
        let server = RawServer::start(move |_, _| response(status, &[], body.as_bytes())).await;
        let error = client(&server.url)
            .call(Some(MAILBOX), &get_folder())
            .await
            .unwrap_err();
        assert_names_call(&error);
        let length = error.to_string().len();
        assert!(length < 2_000, "{status}: message of {length} bytes");
    }
}

#[tokio::test]
async fn missing_batch_messages_are_malformed() {
    let deleted = response_xml(
        None,
        &DeleteItemResponse {
            messages: vec![ResponseMessage::success(())],
        },
    );
    let server = RawServer::start(move |_, _| response("200 OK", &[], deleted.as_bytes())).await;
    let request = DeleteItem {
        delete_type: DisposalType::HardDelete,
        send_meeting_cancellations: Some(SendMeetingInvitations::SendToNone),
        affected_task_occurrences: None,
        suppress_read_receipts: None,
        item_ids: vec![ItemId::new("AAMkA").into(), ItemId::new("AAMkB").into()],
    };
    let error = client(&server.url)
        .call(Some(MAILBOX), &request)
        .await
        .unwrap_err();
    assert!(
        matches!(error, EwsError::MalformedResponse { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("expected 2 response messages"),
        "{error}"
    );
    assert!(error.to_string().contains(MAILBOX), "{error}");
    assert_eq!(server.requests(), 1, "a write was resent");
}

#[test]
fn back_off_milliseconds_are_capped() {
    for (value, expected) in [
        ("1500", Some(1500)),
        (" 297749 ", Some(297_749)),
        ("18446744073709551615", Some(3_600_000)),
        ("99999999999999999999999", Some(3_600_000)),
        ("-5", None),
        ("+5", None),
        ("1e9", None),
        ("", None),
    ] {
        let values = [MessageXmlValue {
            name: String::from("BackOffMilliseconds"),
            value: value.to_owned(),
        }];
        assert_eq!(back_off_milliseconds(&values), expected, "{value}");
    }
}

#[tokio::test]
async fn ipv6_loopback_endpoint_is_reached() {
    let Ok(listener) = TcpListener::bind("[::1]:0").await else {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    };
    let address = listener.local_addr().unwrap();
    let body = folder_ok();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await.unwrap();
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body.as_bytes()).await.unwrap();
    });
    let url = format!("http://{address}/EWS/Exchange.asmx");
    let response = client(&url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap();
    assert_eq!(response.messages.len(), 1);
}

#[tokio::test]
async fn huge_fault_code_is_cut() {
    let mut fault = SoapFault::for_code(ResponseCode::Other("X".repeat(1_000_000)));
    fault.fault_code = String::from("s:Server");
    let body = write_fault_envelope(None, &fault);
    let server =
        RawServer::start(move |_, _| response("500 Internal Server Error", &[], body.as_bytes()))
            .await;
    let error = client(&server.url)
        .call(Some(MAILBOX), &get_folder())
        .await
        .unwrap_err();
    assert!(
        matches!(error, EwsError::SoapFault { .. }),
        "{:.200}",
        error.to_string()
    );
    assert_names_call(&error);
    let length = error.to_string().len();
    assert!(length < 2_000, "message of {length} bytes");
}
