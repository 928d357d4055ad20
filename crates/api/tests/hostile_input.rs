//! Input a careless or hostile client sends, over real HTTP on SQLite and
//! PostgreSQL: control characters, odd Unicode, malformed room addresses,
//! historic time zone offsets, `If-Match` lists and unknown methods.

mod common;

use common::{Db, ROOM_A, ROOM_B, TestApp, booking};
use http::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Value, json};

on_both_databases!(
    control_characters_422,
    unicode_text_round_trips,
    malformed_room_address_404,
    seconds_offset_keeps_instant,
    if_match_lists_compared_strongly,
    unknown_methods_one_label,
    all_day_where_midnight_skipped,
    time_errors_name_cause,
    room_as_attendee_422,
    field_error_list_bounded,
);

/// Returns the `field` names of a 422 response.
fn invalid_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("expected a 422 body, but found {body}"))
        .iter()
        .map(|field| field["field"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn control_characters_422(db: Db) {
    let Some(app) = TestApp::start(db, "control_characters_422").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let mut request = booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
    request["subject"] = json!("a\u{0}b");
    request["body"] = json!("colour \u{1b}[31mred");
    request["attendees"] = json!([{ "address": "dave@example.com", "name": "Dave\u{0}" }]);
    let reply = app.create(&alice, &request).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert_eq!(
        invalid_fields(&reply.json()),
        ["subject", "body", "attendees[0].name"]
    );
    let message = reply.json()["error"]["details"]["fields"][0]["message"].clone();
    assert!(message.as_str().unwrap().contains("U+0000"), "{message}");

    let created = app
        .create(
            &alice,
            &booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let path = format!(
        "/api/v1/bookings/{}",
        created.json()["id"].as_str().unwrap()
    );
    let patched = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({ "subject": "\u{0}" }))
        .send()
        .await;
    assert_eq!(
        patched.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        patched.body
    );
    assert_eq!(invalid_fields(&patched.json()), ["subject"]);
}

async fn unicode_text_round_trips(db: Db) {
    let Some(app) = TestApp::start(db, "unicode_text_round_trips").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let subject = "周会 🚀 اجتماع\tשלום".to_owned();
    let body = "line one\r\nline two\n\u{7f}\u{200f}".to_owned();
    let mut request = booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
    request["subject"] = json!(subject);
    request["body"] = json!(body);
    let created = app.create(&alice, &request).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let path = format!(
        "/api/v1/bookings/{}",
        created.json()["id"].as_str().unwrap()
    );
    let fetched = app.client.get(&path).token(&alice).send().await.json();
    assert_eq!(fetched["subject"], subject);
    assert_eq!(fetched["body"], body);

    // Limits count characters, not bytes: 255 emoji fit, 256 do not.
    let mut at_limit = booking(ROOM_A, "2027-03-02T09:00:00Z", "2027-03-02T10:00:00Z");
    at_limit["subject"] = json!("😀".repeat(255));
    assert_eq!(
        app.create(&alice, &at_limit).await.status,
        StatusCode::CREATED
    );
    let mut over_limit = booking(ROOM_A, "2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z");
    over_limit["subject"] = json!("😀".repeat(256));
    let reply = app.create(&alice, &over_limit).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid_fields(&reply.json()), ["subject"]);
}

async fn malformed_room_address_404(db: Db) {
    let Some(app) = TestApp::start(db, "malformed_room_address_404").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    for room in [
        "room-a%00@example.com",
        "room-a%01@example.com",
        "no-at-sign",
        "%20",
    ] {
        for endpoint in ["bookings", "availability"] {
            let path = format!("/api/v1/rooms/{room}/{endpoint}");
            let reply = app.client.get(&path).token(&alice).send().await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{path}: {:?}",
                reply.body
            );
            assert_eq!(reply.error_code(), "not_found", "{path}");
        }
    }
    let odd_case = format!("/api/v1/rooms/{}/availability", ROOM_A.to_uppercase());
    let reply = app.client.get(&odd_case).token(&alice).send().await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

async fn seconds_offset_keeps_instant(db: Db) {
    let Some(app) = TestApp::start(db, "seconds_offset_keeps_instant").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    // Liberia kept local mean time, 44 minutes 30 seconds behind UTC, until
    // 1972.
    let start = "1971-06-01T10:00:00Z";
    let end = "1971-06-01T11:00:00Z";
    let mut request = booking(ROOM_A, start, end);
    request["time_zone"] = json!("Africa/Monrovia");
    let created = app.create(&alice, &request).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let view = created.json();
    let shown_start: Timestamp = view["start"].as_str().unwrap().parse().unwrap();
    let shown_end: Timestamp = view["end"].as_str().unwrap().parse().unwrap();
    assert_eq!(shown_start, start.parse::<Timestamp>().unwrap(), "{view}");
    assert_eq!(shown_end, end.parse::<Timestamp>().unwrap(), "{view}");

    // Whole-minute offsets are still shown as the zone's local time.
    let berlin = app
        .create(
            &alice,
            &booking(
                ROOM_A,
                "2027-03-01T09:00:00+01:00",
                "2027-03-01T10:00:00+01:00",
            ),
        )
        .await
        .json();
    assert_eq!(berlin["start"], "2027-03-01T09:00:00+01:00");
}

async fn if_match_lists_compared_strongly(db: Db) {
    let Some(app) = TestApp::start(db, "if_match_lists_compared_strongly").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let created = app
        .create(
            &alice,
            &booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        )
        .await;
    let path = format!(
        "/api/v1/bookings/{}",
        created.json()["id"].as_str().unwrap()
    );
    let patch = |if_match: &'static str, subject: &'static str| {
        app.client
            .patch(&path)
            .token(&alice)
            .header("if-match", if_match)
            .json(&json!({ "subject": subject }))
            .send()
    };

    let listed = patch("\"7\", \"1\"", "Listed").await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(listed.header("etag").as_deref(), Some("\"2\""));

    for stale in ["\"1\", \"3\"", "\"02\"", "\"+2\"", "\"\""] {
        let reply = patch(stale, "Stale").await;
        assert_eq!(
            reply.status,
            StatusCode::PRECONDITION_FAILED,
            "{stale}: {:?}",
            reply.body
        );
        assert_eq!(reply.error_code(), "stale_version", "{stale}");
        assert_eq!(reply.json()["error"]["details"]["current_version"], 2);
    }
    for malformed in ["W/\"2\"", "\"2\", W/\"2\"", "2", "\"2", "*, \"2\""] {
        let reply = patch(malformed, "Malformed").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{malformed}");
    }
    let fetched = app.client.get(&path).token(&alice).send().await.json();
    assert_eq!(fetched["subject"], "Listed");
    assert_eq!(fetched["version"], 2);

    let stale_delete = app
        .client
        .delete(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .send()
        .await;
    assert_eq!(stale_delete.status, StatusCode::PRECONDITION_FAILED);
    let deleted = app
        .client
        .delete(&path)
        .token(&alice)
        .header("if-match", "\"1\", \"2\"")
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{:?}", deleted.body);
    assert_eq!(deleted.header("etag").as_deref(), Some("\"3\""));
    let retried = app
        .client
        .delete(&path)
        .token(&alice)
        .header("if-match", "\"2\"")
        .send()
        .await;
    assert_eq!(retried.status, StatusCode::OK, "a retried delete succeeds");
    assert_eq!(retried.json()["version"], 3);
}

async fn unknown_methods_one_label(db: Db) {
    let Some(app) = TestApp::start(db, "unknown_methods_one_label").await else {
        return;
    };
    for index in 0..5 {
        let method = Method::from_bytes(format!("PROBE{index}").as_bytes()).unwrap();
        for path in ["/healthz", "/no/such/path"] {
            let reply = app.client.call(method.clone(), path).send().await;
            assert!(
                reply.status == StatusCode::METHOD_NOT_ALLOWED
                    || reply.status == StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                reply.status
            );
        }
    }
    let metrics = app.client.get("/metrics").send().await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(!text.contains("PROBE"), "{text}");
    assert!(
        text.contains(
            "roombridge_http_requests_total{route=\"/healthz\",method=\"other\",status=\"405\"} 5"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "roombridge_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 5"
        ),
        "{text}"
    );
}

async fn all_day_where_midnight_skipped(db: Db) {
    let Some(app) = TestApp::start(db, "all_day_where_midnight_skipped").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    // America/Santiago moves its clocks from 00:00 to 01:00 on 2027-09-05,
    // so that day starts at 01:00 -03:00.
    let days = [
        ("2027-09-04T04:00:00Z", "2027-09-05T04:00:00Z"),
        ("2027-09-05T04:00:00Z", "2027-09-06T03:00:00Z"),
    ];
    for (start, end) in days {
        let mut request = booking(ROOM_A, start, end);
        request["time_zone"] = json!("America/Santiago");
        request["all_day"] = json!(true);
        let reply = app.create(&alice, &request).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{start}: {:?}",
            reply.body
        );
    }
}

async fn time_errors_name_cause(db: Db) {
    let Some(app) = TestApp::start(db, "time_errors_name_cause").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let mut request = booking(ROOM_A, "9999-12-31T22:00:00Z", "9999-12-31T23:00:00Z");
    request["time_zone"] = json!("europe/berlin");
    let reply = app.create(&alice, &request).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.json();
    assert_eq!(invalid_fields(&body), ["start", "end"]);
    let message = body["error"]["details"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("but found `9999-12-31T22:00:00Z`: "),
        "{message}"
    );

    // The zone name is stored as the time zone database spells it.
    let mut lower_case = booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
    lower_case["time_zone"] = json!("europe/berlin");
    let created = app.create(&alice, &lower_case).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.json()["time_zone"], "Europe/Berlin");

    // An unencoded `+` in a query string arrives as a space.
    let path = format!("/api/v1/rooms/{ROOM_A}/bookings?from=2027-03-01T00:00:00+01:00");
    let reply = app.client.get(&path).token(&alice).send().await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.json();
    assert_eq!(invalid_fields(&body), ["from"]);
    let message = body["error"]["details"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("`%2B`"), "{message}");
}

async fn room_as_attendee_422(db: Db) {
    let Some(app) = TestApp::start(db, "room_as_attendee_422").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    // Exchange books a room mailbox invited like a person, which would pass
    // by the conflict check of room B.
    let mut request = booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
    request["attendees"] = json!([
        { "address": "dave@example.com" },
        { "address": ROOM_B.to_uppercase() },
    ]);
    let reply = app.create(&alice, &request).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert_eq!(invalid_fields(&reply.json()), ["attendees[1].address"]);

    let created = app
        .create(
            &alice,
            &booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let path = format!(
        "/api/v1/bookings/{}",
        created.json()["id"].as_str().unwrap()
    );
    let patched = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({ "attendees": [{ "address": ROOM_A }] }))
        .send()
        .await;
    assert_eq!(
        patched.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        patched.body
    );
    assert_eq!(invalid_fields(&patched.json()), ["attendees[0].address"]);

    let renamed = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({ "subject": "Still fine" }))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
}

async fn field_error_list_bounded(db: Db) {
    let Some(app) = TestApp::start(db, "field_error_list_bounded").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let mut request = booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
    request["attendees"] = json!(vec![json!({}); 50_000]);
    let reply = app.create(&alice, &request).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.len() < 64 * 1024, "{} bytes", reply.body.len());
    let body = reply.json();
    assert_eq!(
        body["error"]["message"],
        "the request has 50000 invalid field(s)"
    );
    let fields = invalid_fields(&body);
    assert_eq!(fields.len(), roombridge_api::MAX_LISTED_FIELD_ERRORS + 1);
    assert_eq!(fields[0], "attendees[0].address");
    assert_eq!(fields[fields.len() - 1], "request");
    let summary = body["error"]["details"]["fields"][fields.len() - 1]["message"].clone();
    assert!(
        summary
            .as_str()
            .unwrap()
            .starts_with("49900 more invalid field(s) not listed"),
        "{summary}"
    );
}
