//! Fault injection through the admin interface: latency, throttling, HTTP
//! errors, dropped connections after a commit and malformed responses.

mod support;

use std::time::{Duration, Instant};

use support::*;

const GET_CALENDAR: &str = r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>"#;

async fn set_faults(sim: &roombridge_simulator::RunningSimulator, json: &str) {
    let reply = admin(sim, "PUT", "/admin/faults", json).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}

#[tokio::test]
async fn fixed_latency_delays_requests() {
    let sim = start().await;
    set_faults(&sim, r#"{"latency_ms": 300}"#).await;
    let started = Instant::now();
    let reply = call(&sim, "alice@example.com", GET_CALENDAR).await;
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn concurrency_limit_returns_server_busy_with_back_off() {
    let sim = start().await;
    set_faults(
        &sim,
        r#"{"latency_ms": 400, "max_concurrent_per_account": 1, "back_off_ms": 1234}"#,
    )
    .await;
    let first = call(&sim, "alice@example.com", GET_CALENDAR);
    let second = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        call(&sim, "alice@example.com", GET_CALENDAR).await
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.status, 200);
    assert_eq!(second.status, 500);
    assert_eq!(text(&second.body, "faultcode"), "a:ErrorServerBusy");
    assert_eq!(text(&second.body, "Value"), "1234");
    assert_eq!(
        attributes(&second.body, "Value", "Name"),
        vec!["BackOffMilliseconds"]
    );

    let other_account = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut connection = Connection::open(&sim).await;
        connection
            .ews(
                Some(&basic("bob@example.com", "bob-password")),
                &envelope(None, GET_CALENDAR),
            )
            .await
            .unwrap()
    };
    let (_, bob) = tokio::join!(call(&sim, "alice@example.com", GET_CALENDAR), other_account);
    assert_eq!(bob.status, 200, "the limit is per account");
}

#[tokio::test]
async fn http_errors_strike_a_counted_number_of_requests() {
    let sim = start().await;
    set_faults(&sim, r#"{"rules": [{"kind": "http503", "operation": "GetFolder", "count": 1}, {"kind": "http500", "operation": "FindItem", "count": 1}]}"#).await;
    assert_eq!(
        call(&sim, "alice@example.com", GET_CALENDAR).await.status,
        503
    );
    assert_eq!(
        call(&sim, "alice@example.com", GET_CALENDAR).await.status,
        200,
        "the rule expired"
    );
    assert_eq!(
        call(
            &sim,
            "alice@example.com",
            &find_all("calendar", "alice@example.com")
        )
        .await
        .status,
        500
    );
    assert_eq!(
        call(
            &sim,
            "alice@example.com",
            &find_all("calendar", "alice@example.com")
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn injected_server_busy_fault() {
    let sim = start().await;
    set_faults(
        &sim,
        r#"{"back_off_ms": 50, "rules": [{"kind": "server_busy", "count": 1}]}"#,
    )
    .await;
    let busy = call(&sim, "alice@example.com", GET_CALENDAR).await;
    assert_eq!(text(&busy.body, "ResponseCode"), "ErrorServerBusy");
    assert_eq!(text(&busy.body, "Value"), "50");
}

#[tokio::test]
async fn dropped_connection_after_commit_keeps_the_change() {
    let sim = start().await;
    set_faults(
        &sim,
        r#"{"rules": [{"kind": "drop_after_commit", "operation": "CreateItem", "count": 1}]}"#,
    )
    .await;
    let mut connection = Connection::open(&sim).await;
    let body = envelope(
        Some("carol@example.com"),
        &create_meeting("Committed", &slot(11, 9, 0), &slot(11, 10, 0), &[], ""),
    );
    let outcome = connection.ews(Some(&svc()), &body).await;
    assert!(outcome.is_err(), "the connection closes without a response");
    let view = call(
        &sim,
        "carol@example.com",
        &calendar_view("carol@example.com", &slot(11, 0, 0), &slot(12, 0, 0)),
    )
    .await
    .body;
    assert_eq!(
        texts(&view, "Subject"),
        vec!["Committed"],
        "the meeting was created before the drop"
    );
}

#[tokio::test]
async fn malformed_response_after_commit() {
    let sim = start().await;
    set_faults(
        &sim,
        r#"{"rules": [{"kind": "malformed_xml", "count": 1}]}"#,
    )
    .await;
    let mut connection = Connection::open(&sim).await;
    let reply = connection
        .ews(
            Some(&svc()),
            &envelope(Some("alice@example.com"), GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    let mut reader = quick_xml::Reader::from_str(&reply.body);
    let mut broken = false;
    loop {
        match reader.read_event() {
            Err(_) => {
                broken = true;
                break;
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
        }
    }
    let closed = reply.body.trim_end().ends_with("</s:Envelope>");
    assert!(broken || !closed, "the body is cut off: {}", reply.body);
}

#[tokio::test]
async fn invalid_fault_settings_are_rejected_with_every_problem() {
    let sim = start().await;
    let reply = admin(
        &sim,
        "PUT",
        "/admin/faults",
        r#"{"max_concurrent_per_account": 0, "rules": [{"kind": "http500", "probability": 2.0}]}"#,
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("max_concurrent_per_account"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("probability"), "{}", reply.body);
    assert_eq!(admin(&sim, "DELETE", "/admin/faults", "").await.status, 204);
}
