//! The simulator as a server under hostile requests: malformed and huge
//! documents, unknown operations, odd Basic encodings, missing mailboxes,
//! garbage sync states, stale change keys, concurrent writes and fault
//! combinations. Every request gets an answer and the server keeps serving.

mod support;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use support::*;

const GET_CALENDAR: &str = r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>"#;

/// Checks that the simulator still answers a plain request.
async fn assert_still_serving(sim: &roombridge_simulator::RunningSimulator) {
    let reply = call(sim, "alice@example.com", GET_CALENDAR).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(codes(&reply.body), vec!["NoError"]);
}

fn sync(mailbox: &str, state: &str, max: &str) -> String {
    format!(
        r#"<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId>{}</m:SyncFolderId><m:SyncState>{state}</m:SyncState><m:MaxChangesReturned>{max}</m:MaxChangesReturned></m:SyncFolderItems>"#,
        folder("calendar", mailbox)
    )
}

fn update_subject(id: &str, change_key: &str, subject: &str, resolution: &str) -> String {
    format!(
        r#"<m:UpdateItem ConflictResolution="{resolution}" MessageDisposition="SaveOnly" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="{id}" ChangeKey="{change_key}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>{subject}</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
    )
}

#[tokio::test]
async fn malformed_documents_get_faults() {
    let sim = start().await;
    let cases = [
        ("empty", String::new()),
        ("not XML", String::from("hello")),
        (
            "truncated",
            envelope(Some("alice@example.com"), GET_CALENDAR)[..200].to_owned(),
        ),
        (
            "not SOAP",
            String::from("<Envelope><Body><GetFolder/></Body></Envelope>"),
        ),
        (
            "unknown operation",
            envelope(Some("alice@example.com"), "<m:FrobnicateItem/>"),
        ),
        (
            "operation in another namespace",
            envelope(Some("alice@example.com"), r#"<GetFolder xmlns="urn:x"/>"#),
        ),
        (
            "DOCTYPE",
            format!(
                r#"<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "y">]>{}"#,
                &envelope(Some("alice@example.com"), GET_CALENDAR)[38..]
            ),
        ),
        (
            "undeclared prefix",
            envelope(Some("alice@example.com"), GET_CALENDAR).replace(
                r#" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types""#,
                "",
            ),
        ),
        (
            "missing FolderShape",
            envelope(
                Some("alice@example.com"),
                r#"<m:GetItem><m:ItemIds><t:ItemId Id="x"/></m:ItemIds></m:GetItem>"#,
            ),
        ),
    ];
    for (case, body) in cases {
        let mut connection = Connection::open(&sim).await;
        let reply = connection.ews(Some(&svc()), &body).await.unwrap();
        assert_eq!(reply.status, 500, "{case}: {}", reply.body);
        assert!(reply.body.contains("<s:Fault>"), "{case}: {}", reply.body);
        let code = texts(&reply.body, "ResponseCode");
        assert_eq!(code.len(), 1, "{case}: {}", reply.body);
        assert!(
            code[0] == "ErrorSchemaValidation" || code[0] == "ErrorInvalidRequest",
            "{case}: {}",
            reply.body
        );
        // The same connection serves the next request.
        let next = connection
            .ews(
                Some(&svc()),
                &envelope(Some("alice@example.com"), GET_CALENDAR),
            )
            .await
            .unwrap();
        assert_eq!(next.status, 200, "{case}: {}", next.body);
    }
}

#[tokio::test]
async fn deeply_nested_restriction_gets_fault() {
    let sim = start().await;
    let depth = 100_000;
    let restriction = format!(
        r#"{}<t:Exists><t:FieldURI FieldURI="item:Subject"/></t:Exists>{}"#,
        "<t:Not>".repeat(depth),
        "</t:Not>".repeat(depth)
    );
    let find = format!(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="10" Offset="0" BasePoint="Beginning"/><m:Restriction>{restriction}</m:Restriction><m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>"#,
        folder("calendar", "alice@example.com")
    );
    let reply = call(&sim, "alice@example.com", &find).await;
    assert_eq!(
        reply.status,
        500,
        "{}",
        &reply.body[..reply.body.len().min(500)]
    );
    assert!(
        reply.body.contains("nested deeper"),
        "{}",
        &reply.body[..500]
    );
    assert_still_serving(&sim).await;
}

#[tokio::test]
async fn request_above_limit_is_rejected() {
    let sim = start().await;
    let padding = "x".repeat(17 * 1024 * 1024);
    let body = envelope(
        Some("alice@example.com"),
        &format!("<m:GetFolder><!--{padding}--></m:GetFolder>"),
    );
    let mut connection = Connection::open(&sim).await;
    let reply = connection.ews(Some(&svc()), &body).await.unwrap();
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_still_serving(&sim).await;
}

#[tokio::test]
async fn non_utf8_body_gets_fault() {
    let sim = start().await;
    let stream = tokio::net::TcpStream::connect(sim.local_addr())
        .await
        .unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = http::Request::post("/EWS/Exchange.asmx")
        .header("host", sim.local_addr().to_string())
        .header("authorization", svc())
        .body(http_body_util::Full::new(hyper::body::Bytes::from_static(
            b"<s:Envelope \xff\xfe>",
        )))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_still_serving(&sim).await;
}

#[tokio::test]
async fn odd_basic_encodings_are_rejected() {
    let sim = start().await;
    let latin1: Vec<u8> = b"svc@example.com:svc-passw\xf6rd".to_vec();
    let values = [
        String::from("Basic"),
        String::from("Basic "),
        String::from("Basic !!!!"),
        String::from("Basic ===="),
        format!("Basic {}", STANDARD.encode("svc@example.com")),
        format!("Basic {}", STANDARD.encode(":")),
        format!("Basic {}", STANDARD.encode("svc@example.com:")),
        format!("Basic {}", STANDARD.encode(&latin1)),
        format!("Basic {}", STANDARD.encode(b"\xff\xfe:\x00")),
        format!(
            "Basic {}",
            STANDARD.encode("svc@example.com:svc-password:extra")
        ),
        format!("Basic {}", "A".repeat(100_000)),
        String::from("Bearer abc"),
        String::from("NTLM"),
        String::from("NTLM !!!!"),
        String::from("NTLM AAAA"),
        format!(
            "NTLM {}",
            STANDARD.encode(b"NTLMSSP\0\x03\0\0\0\xff\xff\xff\xff")
        ),
        format!("NTLM {}", STANDARD.encode([0u8; 4096])),
    ];
    for value in values {
        let mut connection = Connection::open(&sim).await;
        let reply = connection
            .ews(
                Some(&value),
                &envelope(Some("alice@example.com"), GET_CALENDAR),
            )
            .await
            .unwrap_or_else(|error| panic!("{value:.40}: no reply: {error}"));
        assert_eq!(reply.status, 401, "{value:.40}: {}", reply.body);
    }
    // HTTP authentication scheme names are case-insensitive.
    let mut connection = Connection::open(&sim).await;
    let lower = svc().replacen("Basic", "basic", 1);
    let reply = connection
        .ews(
            Some(&lower),
            &envelope(Some("alice@example.com"), GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_still_serving(&sim).await;
}

#[tokio::test]
async fn missing_mailbox_gets_non_existent_mailbox() {
    let sim = start().await;
    for mailbox in [
        "nobody@example.com",
        "",
        "a@b@c",
        "room-101@example.com.evil",
    ] {
        let mut connection = Connection::open(&sim).await;
        let reply = connection
            .ews(Some(&svc()), &envelope(Some(mailbox), GET_CALENDAR))
            .await
            .unwrap();
        assert_eq!(reply.status, 500, "{mailbox}: {}", reply.body);
        assert_eq!(
            texts(&reply.body, "ResponseCode"),
            vec!["ErrorNonExistentMailbox"],
            "{mailbox}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn garbage_sync_states_are_invalid() {
    let sim = start().await;
    let first = call(
        &sim,
        "alice@example.com",
        &sync("alice@example.com", "", "10"),
    )
    .await;
    let state = text(&first.body, "SyncState");
    let states = [
        String::from("!!!!"),
        String::from("AAAA"),
        STANDARD.encode([0xffu8; 64]),
        STANDARD.encode("x".repeat(10_000)),
        state[..state.len() / 2].to_owned(),
        format!("{state}AAAA"),
        state.chars().rev().collect(),
    ];
    for forged in states {
        let reply = call(
            &sim,
            "alice@example.com",
            &sync("alice@example.com", &forged, "10"),
        )
        .await;
        assert_eq!(reply.status, 200, "{forged:.40}: {}", reply.body);
        assert_eq!(
            codes(&reply.body),
            vec!["ErrorInvalidSyncStateData"],
            "{forged:.40}: {}",
            reply.body
        );
    }
    assert_still_serving(&sim).await;
}

#[tokio::test]
async fn absurd_max_changes_is_rejected() {
    let sim = start().await;
    for max in [
        "0",
        "-1",
        "513",
        "4294967296",
        "99999999999999999999",
        "ten",
    ] {
        let reply = call(
            &sim,
            "alice@example.com",
            &sync("alice@example.com", "", max),
        )
        .await;
        assert_eq!(reply.status, 500, "{max}: {}", reply.body);
        assert_eq!(
            texts(&reply.body, "ResponseCode"),
            vec!["ErrorSchemaValidation"],
            "{max}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn stale_change_key_per_conflict_resolution() {
    let sim = start().await;
    let created = call(
        &sim,
        "carol@example.com",
        &create_meeting("Original", &slot(20, 9, 0), &slot(20, 10, 0), &[], ""),
    )
    .await
    .body;
    let id = first_item_id(&created);
    let stale = attributes(&created, "ItemId", "ChangeKey")[0].clone();
    let first = call(
        &sim,
        "carol@example.com",
        &update_subject(&id, &stale, "First", "AlwaysOverwrite"),
    )
    .await;
    assert_eq!(codes(&first.body), vec!["NoError"], "{}", first.body);

    let never = call(
        &sim,
        "carol@example.com",
        &update_subject(&id, &stale, "Never", "NeverOverwrite"),
    )
    .await;
    assert_eq!(
        codes(&never.body),
        vec!["ErrorIrresolvableConflict"],
        "{}",
        never.body
    );
    for resolution in ["AutoResolve", "AlwaysOverwrite"] {
        let reply = call(
            &sim,
            "carol@example.com",
            &update_subject(&id, &stale, resolution, resolution),
        )
        .await;
        assert_eq!(
            codes(&reply.body),
            vec!["NoError"],
            "{resolution}: {}",
            reply.body
        );
    }
    let read = call(&sim, "carol@example.com", &get_item(&id)).await.body;
    assert_eq!(texts(&read, "Subject"), vec!["AlwaysOverwrite"]);
}

#[tokio::test]
async fn concurrent_updates_with_one_change_key() {
    let sim = start().await;
    let created = call(
        &sim,
        "carol@example.com",
        &create_meeting("Contended", &slot(21, 9, 0), &slot(21, 10, 0), &[], ""),
    )
    .await
    .body;
    let id = first_item_id(&created);
    let change_key = attributes(&created, "ItemId", "ChangeKey")[0].clone();

    let sim = std::sync::Arc::new(sim);
    let mut tasks = Vec::new();
    for number in 0..16 {
        let sim = sim.clone();
        let body = update_subject(
            &id,
            &change_key,
            &format!("Writer {number}"),
            "NeverOverwrite",
        );
        tasks.push(tokio::spawn(async move {
            codes(&call(&sim, "carol@example.com", &body).await.body)
        }));
    }

    let mut successes = 0;
    for task in tasks {
        let codes = task.await.unwrap();
        match codes[0].as_str() {
            "NoError" => successes += 1,
            "ErrorIrresolvableConflict" => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(successes, 1, "exactly one writer wins with NeverOverwrite");
}

#[tokio::test]
async fn dropped_commits_under_latency_and_throttling_happen_once() {
    let sim = start().await;
    let faults = r#"{"latency_ms": 50, "random_latency_ms": 50, "max_concurrent_per_account": 2, "back_off_ms": 100,
        "rules": [{"kind": "drop_after_commit", "operation": "CreateItem", "count": 3}]}"#;
    let reply = admin(&sim, "PUT", "/admin/faults", faults).await;
    assert_eq!(reply.status, 204, "{}", reply.body);

    let sim = std::sync::Arc::new(sim);
    let mut tasks = Vec::new();
    for number in 0..8 {
        let sim = sim.clone();
        tasks.push(tokio::spawn(async move {
            let subject = format!("Once {number}");
            let body = envelope(
                Some("carol@example.com"),
                &create_meeting(
                    &subject,
                    &slot(30, 8 + number, 0),
                    &slot(30, 8 + number, 30),
                    &[],
                    "",
                ),
            );
            let mut connection = Connection::open(&sim).await;
            match connection.ews(Some(&svc()), &body).await {
                Err(_) => (subject, "dropped".to_owned()),
                Ok(reply) => {
                    let code = texts(&reply.body, "ResponseCode");
                    (subject, code.first().cloned().unwrap_or_default())
                }
            }
        }));
    }

    let mut expected = Vec::new();
    let mut dropped = 0;
    for task in tasks {
        let (subject, outcome) = task.await.unwrap();
        match outcome.as_str() {
            "NoError" => expected.push(subject),
            "dropped" => {
                dropped += 1;
                expected.push(subject);
            }
            "ErrorServerBusy" => {}
            other => panic!("{subject}: unexpected {other}"),
        }
    }

    assert!(dropped >= 1, "no create reached the drop rule");
    assert!(dropped <= 3, "{dropped} drops from a rule of 3");
    admin(&sim, "PUT", "/admin/faults", "{}").await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    let view = call(
        &sim,
        "carol@example.com",
        &calendar_view("carol@example.com", &slot(30, 0, 0), &slot(31, 0, 0)),
    )
    .await
    .body;
    let mut subjects = texts(&view, "Subject");
    subjects.sort();
    expected.sort();
    assert_eq!(
        subjects, expected,
        "each committed create exists exactly once"
    );
}

#[tokio::test]
async fn extreme_recurrences_stay_bounded() {
    let sim = start().await;
    let accepted = [
        "<t:DailyRecurrence><t:Interval>4294967295</t:Interval></t:DailyRecurrence><t:NoEndRecurrence><t:StartDate>2030-01-01</t:StartDate></t:NoEndRecurrence>",
        "<t:AbsoluteMonthlyRecurrence><t:Interval>1</t:Interval><t:DayOfMonth>31</t:DayOfMonth></t:AbsoluteMonthlyRecurrence><t:NumberedRecurrence><t:StartDate>2030-01-01</t:StartDate><t:NumberOfOccurrences>4294967295</t:NumberOfOccurrences></t:NumberedRecurrence>",
    ];
    for recurrence in accepted {
        let extra = format!("<t:Recurrence>{recurrence}</t:Recurrence>");
        let created = call(
            &sim,
            "carol@example.com",
            &create_meeting(
                "Extreme",
                "2030-01-01T09:00:00Z",
                "2030-01-01T10:00:00Z",
                &[],
                &extra,
            ),
        )
        .await;
        assert_eq!(codes(&created.body), vec!["NoError"], "{}", created.body);
        let started = std::time::Instant::now();
        let view = call(
            &sim,
            "carol@example.com",
            &calendar_view(
                "carol@example.com",
                "2030-01-01T00:00:00Z",
                "9999-01-01T00:00:00Z",
            ),
        )
        .await;
        assert_eq!(view.status, 200, "{recurrence}");
        assert_eq!(codes(&view.body), vec!["NoError"], "{recurrence}");
        assert!(
            texts(&view.body, "Subject").len() <= 5000,
            "{recurrence}: {} occurrences",
            texts(&view.body, "Subject").len()
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        let id = first_item_id(&created.body);
        let deleted = call(
            &sim,
            "carol@example.com",
            &format!(r#"<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="{id}"/></m:ItemIds></m:DeleteItem>"#),
        )
        .await;
        assert_eq!(codes(&deleted.body), vec!["NoError"]);
    }
    let zero_intervals = [
        "<t:AbsoluteMonthlyRecurrence><t:Interval>0</t:Interval><t:DayOfMonth>31</t:DayOfMonth></t:AbsoluteMonthlyRecurrence>",
        "<t:RelativeMonthlyRecurrence><t:Interval>0</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek><t:DayOfWeekIndex>Last</t:DayOfWeekIndex></t:RelativeMonthlyRecurrence>",
    ];
    for pattern in zero_intervals {
        let extra = format!(
            "<t:Recurrence>{pattern}<t:NoEndRecurrence><t:StartDate>2030-01-01</t:StartDate></t:NoEndRecurrence></t:Recurrence>"
        );
        let created = call(
            &sim,
            "carol@example.com",
            &create_meeting(
                "Zero",
                "2030-01-01T09:00:00Z",
                "2030-01-01T10:00:00Z",
                &[],
                &extra,
            ),
        )
        .await;
        assert_eq!(
            codes(&created.body),
            vec!["ErrorSchemaValidation"],
            "{pattern}"
        );
    }
}

#[tokio::test]
async fn empty_id_lists_get_schema_errors() {
    let sim = start().await;
    let requests = [
        "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds/></m:GetItem>",
        r#"<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds/></m:DeleteItem>"#,
        r#"<m:MoveItem><m:ToFolderId><t:DistinguishedFolderId Id="deleteditems"/></m:ToFolderId><m:ItemIds/></m:MoveItem>"#,
        r#"<m:CreateItem SendMeetingInvitations="SendToNone"><m:Items/></m:CreateItem>"#,
        r#"<m:UpdateItem ConflictResolution="AutoResolve" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges/></m:UpdateItem>"#,
        "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds/></m:GetFolder>",
        // Ids in a namespace that is not the types namespace are skipped,
        // which leaves the list empty.
        r#"<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><x:ItemId xmlns:x="urn:wrong" Id="AAMk"/></m:ItemIds></m:GetItem>"#,
    ];
    for request in requests {
        let reply = call(&sim, "alice@example.com", request).await;
        assert_eq!(reply.status, 500, "{request}: {}", reply.body);
        assert_eq!(
            texts(&reply.body, "ResponseCode"),
            vec!["ErrorSchemaValidation"],
            "{request}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn missing_headers_are_tolerated_or_rejected() {
    let sim = start().await;
    let bare = format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Body>{GET_CALENDAR}</s:Body></s:Envelope>"#
    );
    // No SOAP header and no Content-Type: the request acts as the signed-in
    // account, as Exchange does without ExchangeImpersonation.
    let mut connection = Connection::open(&sim).await;
    let reply = connection
        .send("POST", "/EWS/Exchange.asmx", Some(&svc()), "", &bare)
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(codes(&reply.body), vec!["NoError"]);

    // No Authorization header: a challenge, never data.
    let reply = connection
        .send("POST", "/EWS/Exchange.asmx", None, "text/xml", &bare)
        .await
        .unwrap();
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert!(!reply.body.contains("FolderId"), "{}", reply.body);

    // GET is not an EWS request.
    let reply = connection
        .send("GET", "/EWS/Exchange.asmx", Some(&svc()), "", "")
        .await
        .unwrap();
    assert_eq!(reply.status, 405, "{}", reply.body);
}
