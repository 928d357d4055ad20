//! The client against the Exchange simulator over HTTP on loopback: NTLMv2
//! with a right and a wrong password, an impersonated read, and a create
//! whose connection drops after the commit.

use std::time::Duration;

use roombridge_ews::auth::Credentials;
use roombridge_ews::operations::*;
use roombridge_ews::retry::RetryPolicy;
use roombridge_ews::types::*;
use roombridge_ews::{EwsClient, EwsClientBuilder, EwsError};
use roombridge_simulator::{Simulator, SimulatorConfig};

fn client(url: String, credentials: Credentials) -> EwsClient {
    EwsClientBuilder::new(url, credentials)
        .retry(RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(1),
        })
        .build()
        .unwrap()
}

fn room_calendar() -> GetFolder {
    GetFolder {
        folder_shape: Shape::new(BaseShape::Default),
        folder_ids: vec![
            DistinguishedFolderId::of_mailbox(
                DistinguishedFolderIdName::Calendar,
                "alice@example.com",
            )
            .into(),
        ],
    }
}

#[tokio::test]
async fn ntlm_right_password_signs_in() {
    let simulator = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let client = client(
        simulator.ews_url(),
        Credentials::ntlm("EXAMPLE\\svc", "svc-password"),
    );
    let response = client
        .call(Some("alice@example.com"), &room_calendar())
        .await
        .unwrap();
    let message = &response.messages[0];
    assert_eq!(message.response_code, ResponseCode::NoError);
    let folder = &message.content.folders[0];
    assert!(folder.folder_id.is_some());
    // The second call reuses the connection that the handshake authenticated.
    client
        .call(Some("alice@example.com"), &room_calendar())
        .await
        .unwrap();
    assert_eq!(client.idle_connections(), 1);
    assert!(client.server_version_info().is_some());
}

#[tokio::test]
async fn ntlm_wrong_password_is_rejected() {
    let simulator = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let client = client(
        simulator.ews_url(),
        Credentials::ntlm("EXAMPLE\\svc", "not-the-password"),
    );
    let error = client
        .call(Some("alice@example.com"), &room_calendar())
        .await
        .unwrap_err();
    assert!(
        matches!(error, EwsError::Unauthorized { scheme: "NTLM", .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("EXAMPLE\\svc"), "{text}");
    assert!(!text.contains("not-the-password"), "{text}");
}

#[tokio::test]
async fn impersonated_calendar_view_reads_seeded_meeting() {
    let simulator = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let client = client(
        simulator.ews_url(),
        Credentials::ntlm("EXAMPLE\\svc", "svc-password"),
    );
    let request = FindItem {
        traversal: ItemQueryTraversal::Shallow,
        item_shape: Shape::id_only_with(&[
            paths::ITEM_SUBJECT,
            paths::CALENDAR_START,
            paths::CALENDAR_END,
            paths::CALENDAR_UID,
        ]),
        view: Some(View::CalendarView {
            max_entries_returned: Some(100),
            start_date: "2000-01-01T00:00:00Z".parse().unwrap(),
            end_date: "2100-01-01T00:00:00Z".parse().unwrap(),
        }),
        restriction: None,
        sort_order: Vec::new(),
        parent_folder_ids: vec![
            DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into(),
        ],
    };
    let response = client
        .call(Some("alice@example.com"), &request)
        .await
        .unwrap();
    let message = &response.messages[0];
    assert_eq!(
        message.response_code,
        ResponseCode::NoError,
        "{:?}",
        message.message_text
    );
    let items: Vec<&CalendarItem> = message
        .content
        .items
        .iter()
        .map(|item| {
            item.as_calendar_item()
                .expect("calendar folders hold calendar items")
        })
        .collect();
    let subjects: Vec<&str> = items
        .iter()
        .filter_map(|item| item.subject.as_deref())
        .collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|subject| **subject == "Design review")
            .count(),
        3,
        "{subjects:?}"
    );
    assert!(subjects.contains(&"Quarterly planning"), "{subjects:?}");
    for item in items {
        assert!(item.item_id.is_some());
        assert!(item.uid.is_some());
        assert!(item.start < item.end);
    }

    let response = client
        .call(Some("wang.wei@example.com"), &request)
        .await
        .unwrap();
    let subjects: Vec<String> = response.messages[0]
        .content
        .items
        .iter()
        .filter_map(|item| item.as_calendar_item()?.subject.clone())
        .collect();
    assert!(
        subjects.iter().any(|subject| subject == "新员工培训"),
        "{subjects:?}"
    );
}

/// Counts the items with `subject` in carol's mailbox.
fn items_with_subject(simulator: &roombridge_simulator::RunningSimulator, subject: &str) -> usize {
    simulator
        .snapshot()
        .items
        .values()
        .filter(|item| item.subject == subject && item.mailbox == "carol@example.com")
        .count()
}

#[tokio::test]
async fn dropped_create_is_committed_once() {
    use roombridge_simulator::faults::{FaultKind, FaultRule, Faults};

    let simulator = Simulator::start(SimulatorConfig::default()).await.unwrap();
    simulator
        .set_faults(Faults {
            latency_ms: 20,
            max_concurrent_per_account: Some(4),
            back_off_ms: Some(200),
            rules: vec![
                FaultRule {
                    kind: FaultKind::ServerBusy,
                    operation: Some(String::from("GetFolder")),
                    count: Some(1),
                    probability: None,
                },
                FaultRule {
                    kind: FaultKind::DropAfterCommit,
                    operation: Some(String::from("CreateItem")),
                    count: Some(1),
                    probability: None,
                },
            ],
            ..Faults::default()
        })
        .unwrap();
    // The retrying client a sync engine uses: reads are retried, writes
    // whose request left the client are not.
    let client = EwsClientBuilder::new(
        simulator.ews_url(),
        Credentials::ntlm("EXAMPLE\\svc", "svc-password"),
    )
    .retry(RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(10),
    })
    .build()
    .unwrap();
    // The throttled read is retried after the simulator's back-off.
    client
        .call(
            Some("carol@example.com"),
            &room_calendar_of("carol@example.com"),
        )
        .await
        .unwrap();

    let mut item = CalendarItem {
        subject: Some(String::from("Committed once")),
        start: Some("2031-03-03T09:00:00Z".parse().unwrap()),
        end: Some("2031-03-03T10:00:00Z".parse().unwrap()),
        ..CalendarItem::default()
    };
    item.location = Some(String::from("Desk"));
    let request = CreateItem::calendar_items(None, SendMeetingInvitations::SendToNone, vec![item]);
    let error = client
        .call(Some("carol@example.com"), &request)
        .await
        .unwrap_err();
    assert!(matches!(error, EwsError::Connection { .. }), "{error:?}");
    assert!(!error.was_not_sent(), "{error:?}");
    assert_eq!(
        items_with_subject(&simulator, "Committed once"),
        1,
        "the dropped create is committed and not resent"
    );

    // The next create on the same client goes through on a new connection.
    let second = CalendarItem {
        subject: Some(String::from("After the drop")),
        start: Some("2031-03-04T09:00:00Z".parse().unwrap()),
        end: Some("2031-03-04T10:00:00Z".parse().unwrap()),
        ..CalendarItem::default()
    };
    client
        .call(
            Some("carol@example.com"),
            &CreateItem::calendar_items(None, SendMeetingInvitations::SendToNone, vec![second]),
        )
        .await
        .unwrap();
    assert_eq!(items_with_subject(&simulator, "After the drop"), 1);
    assert_eq!(items_with_subject(&simulator, "Committed once"), 1);
}

fn room_calendar_of(mailbox: &str) -> GetFolder {
    GetFolder {
        folder_shape: Shape::new(BaseShape::IdOnly),
        folder_ids: vec![
            DistinguishedFolderId::of_mailbox(DistinguishedFolderIdName::Calendar, mailbox).into(),
        ],
    }
}
