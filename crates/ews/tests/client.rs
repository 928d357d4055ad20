//! The client against a scripted EWS stand-in on loopback: retries and
//! back-off, the concurrency cap, authentication headers and error kinds.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::server::{Reply, TestServer, handler};
use hyper::StatusCode;
use roombridge_ews::auth::{Credentials, TokenFuture, TokenProvider};
use roombridge_ews::envelope::response_xml;
use roombridge_ews::operations::*;
use roombridge_ews::retry::RetryPolicy;
use roombridge_ews::types::*;
use roombridge_ews::{EwsClient, EwsClientBuilder, EwsError, Secret};

fn basic() -> Credentials {
    Credentials::Basic {
        username: String::from("svc@example.com"),
        password: Secret::new("svc-password"),
    }
}

fn client(url: &str) -> EwsClient {
    EwsClientBuilder::new(url, basic())
        .retry(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(5),
        })
        .build()
        .unwrap()
}

fn get_folder() -> GetFolder {
    GetFolder {
        folder_shape: Shape::new(BaseShape::IdOnly),
        folder_ids: vec![DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into()],
    }
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

fn busy(milliseconds: u64) -> String {
    let mut message = ResponseMessage::<FoldersContent>::error(ResponseCode::ErrorServerBusy);
    message.message_xml = vec![MessageXmlValue {
        name: String::from("BackOffMilliseconds"),
        value: milliseconds.to_string(),
    }];
    response_xml(
        None,
        &GetFolderResponse {
            messages: vec![message],
        },
    )
}

fn busy_create(milliseconds: u64) -> String {
    let mut message = ResponseMessage::<ItemsContent>::error(ResponseCode::ErrorServerBusy);
    message.message_xml = vec![MessageXmlValue {
        name: String::from("BackOffMilliseconds"),
        value: milliseconds.to_string(),
    }];
    response_xml(
        None,
        &CreateItemResponse {
            messages: vec![message],
        },
    )
}

fn ok(body: String) -> Reply {
    (StatusCode::OK, Vec::new(), body)
}

#[tokio::test]
async fn server_busy_back_off_is_honoured() {
    let server = TestServer::start(handler(|_, number| {
        if number == 0 {
            ok(busy(400))
        } else {
            ok(folder_ok())
        }
    }))
    .await;
    let response = client(&server.url)
        .call(Some("room1@example.com"), &get_folder())
        .await
        .unwrap();
    assert_eq!(
        response.messages[0].content.folders[0]
            .folder_id
            .as_ref()
            .unwrap()
            .id,
        "AAMkF"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(400),
        "retried after {gap:?}, before the 400 ms back-off"
    );
    assert!(gap < Duration::from_secs(3), "waited {gap:?}");
}

#[tokio::test]
async fn server_busy_fault_back_off_is_honoured() {
    let fault = {
        let mut fault = SoapFault::for_code(ResponseCode::ErrorServerBusy);
        fault.message_xml = vec![MessageXmlValue {
            name: String::from("BackOffMilliseconds"),
            value: String::from("300"),
        }];
        write_fault_envelope(None, &fault)
    };
    let server = TestServer::start(handler(move |_, number| {
        if number == 0 {
            (StatusCode::INTERNAL_SERVER_ERROR, Vec::new(), fault.clone())
        } else {
            ok(folder_ok())
        }
    }))
    .await;
    client(&server.url).call(None, &get_folder()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].at - requests[0].at >= Duration::from_millis(300));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = TestServer::start(handler(|_, number| match number {
        0 => (
            StatusCode::SERVICE_UNAVAILABLE,
            vec![("Retry-After", String::from("1"))],
            String::new(),
        ),
        1 => (
            StatusCode::TOO_MANY_REQUESTS,
            vec![("Retry-After", String::from("1"))],
            String::new(),
        ),
        _ => ok(folder_ok()),
    }))
    .await;
    client(&server.url).call(None, &get_folder()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[1].at - requests[0].at >= Duration::from_secs(1));
    assert!(requests[2].at - requests[1].at >= Duration::from_secs(1));
}

#[tokio::test]
async fn back_off_longer_than_max_fails_at_once() {
    let server = TestServer::start(handler(|_, _| ok(busy(600_000)))).await;
    let error = client(&server.url)
        .call(None, &get_folder())
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert!(matches!(error, EwsError::ServerBusy { .. }), "{error:?}");
    assert_eq!(error.back_off(), Some(Duration::from_secs(600)));
}

#[tokio::test]
async fn throttled_write_is_not_retried() {
    let server = TestServer::start(handler(|_, _| ok(busy_create(100)))).await;
    let request = CreateItem::calendar_items(
        None,
        SendMeetingInvitations::SendToAllAndSaveCopy,
        vec![common::full_calendar_item("Planning", "Agenda", None)],
    );
    let error = client(&server.url)
        .call(Some("alice@example.com"), &request)
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1, "a write was sent twice");
    assert_eq!(error.back_off(), Some(Duration::from_millis(100)));
    let text = error.to_string();
    assert!(
        text.contains("CreateItem") && text.contains("alice@example.com"),
        "{text}"
    );
}

#[tokio::test]
async fn unsent_write_is_retried() {
    // Nothing listens on the port at first, so the connection fails before
    // any byte is sent and even a write may be retried; a server appears
    // on the port a moment later and returns the response to the retry.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{address}/EWS/Exchange.asmx");
    let deleted = response_xml(
        None,
        &DeleteItemResponse {
            messages: vec![ResponseMessage::success(())],
        },
    );
    let late_server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        TestServer::start_at(address, handler(move |_, _| ok(deleted.clone()))).await
    });
    let client = EwsClientBuilder::new(url, basic())
        .retry(RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        })
        .build()
        .unwrap();
    let request = DeleteItem {
        delete_type: DisposalType::MoveToDeletedItems,
        send_meeting_cancellations: Some(SendMeetingInvitations::SendToAllAndSaveCopy),
        affected_task_occurrences: None,
        suppress_read_receipts: None,
        item_ids: vec![ItemId::new("AAMkX").into()],
    };
    let response = client.call(None, &request).await.unwrap();
    assert_eq!(response.messages[0].response_code, ResponseCode::NoError);
    let server = late_server.await.unwrap();
    assert_eq!(
        server.requests().len(),
        1,
        "the delete reached the server more than once"
    );
}

#[tokio::test]
async fn unreachable_server_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/EWS/Exchange.asmx",
        listener.local_addr().unwrap()
    );
    drop(listener);
    let client = EwsClientBuilder::new(url, basic())
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(1),
        })
        .build()
        .unwrap();
    let error = client.call(None, &get_folder()).await.unwrap_err();
    assert!(error.was_not_sent(), "{error:?}");
    assert!(error.to_string().contains("could not reach"), "{error}");
}

#[tokio::test]
async fn concurrency_cap_holds_per_mailbox() {
    let server = TestServer::start(Arc::new(|_, _| {
        Box::pin(async {
            tokio::time::sleep(Duration::from_millis(150)).await;
            ok(folder_ok())
        })
    }))
    .await;
    let client = EwsClientBuilder::new(&server.url, basic())
        .max_concurrency_per_account(2)
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for index in 0..12 {
        let client = client.clone();
        let mailbox = if index % 2 == 0 {
            "room1@example.com"
        } else {
            "room2@example.com"
        };
        tasks.push(tokio::spawn(async move {
            client.call(Some(mailbox), &get_folder()).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let state = server.state.lock().unwrap();
    assert_eq!(state.requests.len(), 12);
    assert_eq!(
        state.max_in_flight["room1@example.com"], 2,
        "cap not held or not reached for room1"
    );
    assert_eq!(
        state.max_in_flight["room2@example.com"], 2,
        "cap not held or not reached for room2"
    );
    assert!(
        state.max_total >= 3,
        "the cap is per account, so two accounts run side by side"
    );
}

#[tokio::test]
async fn basic_auth_and_impersonation_are_sent() {
    let server = TestServer::start(handler(|_, _| ok(folder_ok()))).await;
    let client = client(&server.url);
    client
        .call(Some("room1@example.com"), &get_folder())
        .await
        .unwrap();
    client
        .call(Some("room1@example.com"), &get_folder())
        .await
        .unwrap();
    let requests = server.requests();
    let request = &requests[0];
    // base64("svc@example.com:svc-password")
    assert_eq!(
        request.headers["authorization"],
        "Basic c3ZjQGV4YW1wbGUuY29tOnN2Yy1wYXNzd29yZA=="
    );
    assert_eq!(request.headers["x-anchormailbox"], "room1@example.com");
    assert_eq!(request.headers["content-type"], "text/xml; charset=utf-8");
    assert!(
        request
            .body
            .contains("<t:PrimarySmtpAddress>room1@example.com</t:PrimarySmtpAddress>")
    );
    assert!(
        request
            .body
            .contains("<t:RequestServerVersion Version=\"Exchange2013_SP1\"/>")
    );
    assert_eq!(
        requests[1].connection, requests[0].connection,
        "the kept-alive connection was not reused"
    );
    assert_eq!(client.idle_connections(), 1);
    assert!(!format!("{client:?}").contains("svc-password"));
}

#[tokio::test]
async fn unauthorized_names_account_not_password() {
    let server = TestServer::start(handler(|_, _| {
        (StatusCode::UNAUTHORIZED, Vec::new(), String::new())
    }))
    .await;
    let error = client(&server.url)
        .call(Some("room1@example.com"), &get_folder())
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::Unauthorized { .. }), "{error:?}");
    assert_eq!(server.requests().len(), 1, "a rejected sign-in was retried");
    let text = error.to_string();
    assert!(
        text.contains("svc@example.com") && text.contains("HTTP 401"),
        "{text}"
    );
    assert!(!text.contains("svc-password"));
    assert!(!format!("{error:?}").contains("svc-password"));
}

#[tokio::test]
async fn soap_fault_and_malformed_xml_are_distinct() {
    let fault = write_fault_envelope(
        None,
        &SoapFault::for_code(ResponseCode::ErrorImpersonateUserDenied),
    );
    let server = TestServer::start(handler(move |recorded, _| {
        if recorded.body.contains("deny@example.com") {
            (StatusCode::INTERNAL_SERVER_ERROR, Vec::new(), fault.clone())
        } else {
            ok(String::from(
                "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><oops",
            ))
        }
    }))
    .await;
    let client = client(&server.url);
    let error = client
        .call(Some("deny@example.com"), &get_folder())
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::SoapFault { .. }), "{error:?}");
    assert_eq!(
        error.response_code(),
        Some(&ResponseCode::ErrorImpersonateUserDenied)
    );
    assert!(error.to_string().contains("deny@example.com"));

    let error = client
        .call(Some("room1@example.com"), &get_folder())
        .await
        .unwrap_err();
    let EwsError::MalformedResponse {
        error: parse_error,
        excerpt,
        ..
    } = &error
    else {
        panic!("expected a malformed response, got {error:?}");
    };
    assert_eq!(parse_error.path, "/Envelope/Body");
    assert!(excerpt.starts_with("<s:Envelope"));
}

#[tokio::test]
async fn impersonation_denied_in_message_is_an_error() {
    let denied = response_xml(
        None,
        &GetFolderResponse {
            messages: vec![ResponseMessage::<FoldersContent>::error(
                ResponseCode::ErrorImpersonateUserDenied,
            )],
        },
    );
    let server = TestServer::start(handler(move |_, _| ok(denied.clone()))).await;
    let error = client(&server.url)
        .call(Some("ceo@example.com"), &get_folder())
        .await
        .unwrap_err();
    assert_eq!(
        error.response_code(),
        Some(&ResponseCode::ErrorImpersonateUserDenied)
    );
    assert!(
        error
            .to_string()
            .contains("The account does not have permission to impersonate"),
        "{error}"
    );
}

#[tokio::test]
async fn timeout_is_reported() {
    let server = TestServer::start(Arc::new(|_, _| {
        Box::pin(async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            ok(folder_ok())
        })
    }))
    .await;
    let client = EwsClientBuilder::new(&server.url, basic())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(1),
        })
        .build()
        .unwrap();
    let error = client.call(None, &get_folder()).await.unwrap_err();
    assert!(matches!(error, EwsError::Timeout { .. }), "{error:?}");
    assert_eq!(
        server.requests().len(),
        2,
        "a timed-out read is retried once with max_attempts 2"
    );
}

struct StaticToken;

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async { Ok(Secret::new("eyJ0eXAi.token")) })
    }
}

#[tokio::test]
async fn bearer_token_is_sent() {
    let server = TestServer::start(handler(|_, _| ok(folder_ok()))).await;
    let client = EwsClientBuilder::new(&server.url, Credentials::Bearer(Arc::new(StaticToken)))
        .build()
        .unwrap();
    client.call(None, &get_folder()).await.unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].headers["authorization"],
        "Bearer eyJ0eXAi.token"
    );
    assert!(requests[0].headers.get("x-anchormailbox").is_none());
    assert!(!requests[0].body.contains("ExchangeImpersonation"));
}

#[tokio::test]
async fn server_version_info_is_kept() {
    let body = response_xml(
        Some(&ServerVersionInfo {
            major_version: Some(15),
            minor_version: Some(1),
            major_build_number: Some(2507),
            minor_build_number: Some(6),
            version: Some(String::from("V2017_07_11")),
        }),
        &GetFolderResponse {
            messages: vec![ResponseMessage::success(FoldersContent::default())],
        },
    );
    let server = TestServer::start(handler(move |_, _| ok(body.clone()))).await;
    let client = client(&server.url);
    assert_eq!(client.server_version_info(), None);
    client.call(None, &get_folder()).await.unwrap();
    let info = client.server_version_info().unwrap();
    assert_eq!(
        (
            info.major_version,
            info.minor_version,
            info.major_build_number
        ),
        (Some(15), Some(1), Some(2507))
    );
}

#[test]
fn invalid_configuration_is_rejected() {
    let error = EwsClientBuilder::new("ftp://mail.example.com/EWS", basic())
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("https://"), "{error}");
    let error = EwsClientBuilder::new("https://mail.example.com/EWS/Exchange.asmx", basic())
        .max_concurrency_per_account(0)
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("max_concurrency_per_account"),
        "{error}"
    );
    let error = EwsClientBuilder::new("https://mail.example.com/EWS/Exchange.asmx", basic())
        .ca_bundle("/nonexistent/ca.pem")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("/nonexistent/ca.pem"), "{error}");
}

#[tokio::test]
async fn closed_pooled_connection_is_replaced() {
    let deleted = response_xml(
        None,
        &DeleteItemResponse {
            messages: vec![ResponseMessage::success(())],
        },
    );
    let server = TestServer::start_closing(handler(move |_, _| ok(deleted.clone()))).await;
    let request = DeleteItem {
        delete_type: DisposalType::MoveToDeletedItems,
        send_meeting_cancellations: Some(SendMeetingInvitations::SendToNone),
        affected_task_occurrences: None,
        suppress_read_receipts: None,
        item_ids: vec![ItemId::new("AAMkX").into()],
    };
    let client = client(&server.url);
    // Writes back to back: none may fail because the server closed the
    // previous connection.
    for _ in 0..10 {
        client.call(None, &request).await.unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 10);
    let connections: std::collections::HashSet<usize> =
        requests.iter().map(|request| request.connection).collect();
    assert_eq!(connections.len(), 10, "a closed connection was reused");
}

#[tokio::test]
async fn per_item_errors_stay_in_the_response() {
    let mixed = response_xml(
        None,
        &GetItemResponse {
            messages: vec![
                ResponseMessage::success(ItemsContent::default()),
                ResponseMessage::error(ResponseCode::ErrorAccessDenied),
                ResponseMessage::error(ResponseCode::ErrorItemNotFound),
            ],
        },
    );
    let missing = response_xml(
        None,
        &GetItemResponse {
            messages: vec![ResponseMessage::<ItemsContent>::error(
                ResponseCode::ErrorNonExistentMailbox,
            )],
        },
    );
    let server = TestServer::start(handler(move |recorded, _| {
        if recorded.body.contains("gone@example.com") {
            ok(missing.clone())
        } else {
            ok(mixed.clone())
        }
    }))
    .await;
    let client = client(&server.url);
    let request = GetItem::calendar_items(vec![
        ItemId::new("A").into(),
        ItemId::new("B").into(),
        ItemId::new("C").into(),
    ]);

    let response = client
        .call(Some("room1@example.com"), &request)
        .await
        .unwrap();
    let codes: Vec<&ResponseCode> = response
        .messages
        .iter()
        .map(|message| &message.response_code)
        .collect();
    assert_eq!(
        codes,
        [
            &ResponseCode::NoError,
            &ResponseCode::ErrorAccessDenied,
            &ResponseCode::ErrorItemNotFound
        ]
    );
    let error = roombridge_ews::client::message_result(
        "GetItem",
        Some("room1@example.com"),
        response.messages[2].clone(),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("The specified object was not found in the store."),
        "{error}"
    );

    let error = client
        .call(Some("gone@example.com"), &request)
        .await
        .unwrap_err();
    assert_eq!(
        error.response_code(),
        Some(&ResponseCode::ErrorNonExistentMailbox)
    );
    assert!(error.to_string().contains("gone@example.com"), "{error}");
}
