//! Logging of EWS calls, in its own test binary because tracing caches
//! per-callsite interest process-wide, so a test that runs beside tests
//! without a subscriber can miss events.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::server::{TestServer, handler};
use hyper::StatusCode;
use roombridge_ews::auth::Credentials;
use roombridge_ews::envelope::response_xml;
use roombridge_ews::operations::*;
use roombridge_ews::retry::RetryPolicy;
use roombridge_ews::types::*;
use roombridge_ews::{EwsClientBuilder, Secret};

fn folder_ok() -> String {
    response_xml(
        None,
        &GetFolderResponse {
            messages: vec![ResponseMessage::success(FoldersContent::default())],
        },
    )
}

fn busy() -> String {
    let mut message = ResponseMessage::<FoldersContent>::error(ResponseCode::ErrorServerBusy);
    message.message_xml = vec![MessageXmlValue {
        name: String::from("BackOffMilliseconds"),
        value: String::from("50"),
    }];
    response_xml(
        None,
        &GetFolderResponse {
            messages: vec![message],
        },
    )
}

/// Collects formatted log lines in memory.
#[derive(Clone, Default)]
struct LogBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn call_logs_one_event_without_secrets() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start(handler(|_, number| {
        let body = if number == 0 { busy() } else { folder_ok() };
        (StatusCode::OK, Vec::new(), body)
    }))
    .await;
    let credentials = Credentials::Basic {
        username: String::from("svc@example.com"),
        password: Secret::new("svc-password"),
    };
    let client = EwsClientBuilder::new(&server.url, credentials)
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(1),
        })
        .build()
        .unwrap();
    let request = GetFolder {
        folder_shape: Shape::new(BaseShape::IdOnly),
        folder_ids: vec![DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into()],
    };
    client
        .call(Some("room1@example.com"), &request)
        .await
        .unwrap();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let calls: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("EWS call finished"))
        .collect();
    assert_eq!(calls.len(), 1, "{text}");
    assert!(calls[0].contains("roombridge::ews"), "{text}");
    assert!(calls[0].contains("operation=\"GetFolder\""), "{text}");
    assert!(calls[0].contains("mailbox=\"room1@example.com\""), "{text}");
    assert!(calls[0].contains("elapsed_ms="), "{text}");
    assert!(calls[0].contains("attempts=2"), "{text}");
    assert!(calls[0].contains("result=\"ok\""), "{text}");
    assert_eq!(
        text.lines()
            .filter(|line| line.contains("retrying EWS call"))
            .count(),
        1,
        "{text}"
    );
    assert!(!text.contains("svc-password"), "{text}");
    assert!(!text.contains("c3ZjQGV4YW1wbGUuY29t"), "{text}");
    assert!(!text.contains("<t:"), "a SOAP body reached the log: {text}");
}
