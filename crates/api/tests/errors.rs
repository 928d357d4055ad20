//! Error responses over real HTTP: 401, 404, 405, 413, 415 and every 422
//! case, on SQLite and PostgreSQL.

mod common;

use common::{Db, ROOM_A, TestApp, booking};
use http::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    missing_token_401,
    unknown_token_401,
    not_found_404,
    invalid_fields_422,
    malformed_bodies_422,
    window_errors_422,
    media_type_and_size,
);

async fn missing_token_401(db: Db) {
    let Some(app) = TestApp::start(db, "missing_token_401").await else {
        return;
    };
    for path in [
        "/api/v1/rooms",
        "/api/v1/bookings/00000000-0000-0000-0000-000000000000",
    ] {
        let reply = app.client.get(path).send().await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            reply.header("www-authenticate").as_deref(),
            Some("Bearer realm=\"roombridge\"")
        );
        assert_eq!(reply.error_code(), "unauthorized");
    }
    let basic = app
        .client
        .get("/api/v1/rooms")
        .header("authorization", "Basic YWxpY2U6cHc=")
        .send()
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    let basic_body = String::from_utf8_lossy(&basic.body);
    assert!(
        basic_body.contains("unsupported `Authorization` header"),
        "a present header of another scheme is not called missing: {basic_body}"
    );
    assert!(
        !basic_body.contains("YWxpY2U6cHc="),
        "the credentials are not echoed: {basic_body}"
    );
    let post = app
        .client
        .post("/api/v1/bookings")
        .json(&booking(
            ROOM_A,
            "2027-03-01T09:00:00Z",
            "2027-03-01T10:00:00Z",
        ))
        .send()
        .await;
    assert_eq!(post.status, StatusCode::UNAUTHORIZED);
}

async fn unknown_token_401(db: Db) {
    let Some(app) = TestApp::start(db, "unknown_token_401").await else {
        return;
    };
    let valid = app.user("alice@example.com").await;
    let forged = format!("{}x", &valid[..valid.len() - 1]);
    let reply = app.client.get("/api/v1/rooms").token(&forged).send().await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.header("www-authenticate").as_deref(),
        Some("Bearer realm=\"roombridge\", error=\"invalid_token\"")
    );
    assert!(
        !String::from_utf8_lossy(&reply.body).contains(&forged),
        "the token is not echoed"
    );
    let lower_scheme = app
        .client
        .get("/api/v1/rooms")
        .header("authorization", &format!("bearer {valid}"))
        .send()
        .await;
    assert_eq!(
        lower_scheme.status,
        StatusCode::OK,
        "the scheme is case-insensitive"
    );
}

async fn not_found_404(db: Db) {
    let Some(app) = TestApp::start(db, "not_found_404").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let cases = [
        "/api/v1/bookings/0190a0a0-0000-7000-8000-000000000000",
        "/api/v1/bookings/not-a-uuid",
        "/api/v1/bookings/0190a0a0-0000-7000-8000-000000000000/history",
        "/api/v1/rooms/nowhere@example.com/bookings",
        "/api/v1/rooms/nowhere@example.com/availability",
        "/api/v1/no-such-endpoint",
    ];
    for path in cases {
        let reply = app.client.get(path).token(&alice).send().await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error_code(), "not_found", "{path}");
    }
    let patch = app
        .client
        .patch("/api/v1/bookings/0190a0a0-0000-7000-8000-000000000000")
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "x"}))
        .send()
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    let wrong_method = app
        .client
        .call(Method::PUT, "/api/v1/rooms")
        .token(&alice)
        .send()
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.error_code(), "method_not_allowed");
}

/// Returns the `(field, message)` pairs of a 422 response.
fn field_errors(reply: &common::Reply) -> Vec<(String, String)> {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    let body = reply.json();
    assert_eq!(body["error"]["code"], "invalid");
    body["error"]["details"]["fields"]
        .as_array()
        .expect("details.fields")
        .iter()
        .map(|error| {
            (
                error["field"].as_str().unwrap().to_owned(),
                error["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn fields(errors: &[(String, String)]) -> Vec<&str> {
    errors.iter().map(|(field, _)| field.as_str()).collect()
}

async fn invalid_fields_422(db: Db) {
    let Some(app) = TestApp::start(db, "invalid_fields_422").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let with = |changes: Value| {
        let mut body = booking(
            ROOM_A,
            "2027-03-01T09:00:00+01:00",
            "2027-03-01T10:00:00+01:00",
        );
        for (key, value) in changes.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };

    let end_before_start = app
        .create(&alice, &with(json!({"end": "2027-03-01T08:00:00+01:00"})))
        .await;
    let errors = field_errors(&end_before_start);
    assert_eq!(fields(&errors), ["end"]);
    assert!(
        errors[0].1.contains("expected `end` after `start`"),
        "{}",
        errors[0].1
    );

    let zero = app
        .create(&alice, &with(json!({"end": "2027-03-01T09:00:00+01:00"})))
        .await;
    assert!(field_errors(&zero)[0].1.contains("equal to start"));

    let too_long = app
        .create(&alice, &with(json!({"end": "2027-03-02T10:00:00+01:00"})))
        .await;
    let errors = field_errors(&too_long);
    assert_eq!(fields(&errors), ["end"]);
    assert!(errors[0].1.contains("at most 24h"), "{}", errors[0].1);

    let unknown_room = app
        .create(&alice, &with(json!({"room": "nowhere@example.com"})))
        .await;
    let errors = field_errors(&unknown_room);
    assert_eq!(fields(&errors), ["room"]);
    assert!(
        errors[0].1.contains("unknown room `nowhere@example.com`"),
        "{}",
        errors[0].1
    );

    let zone_less = app
        .create(&alice, &with(json!({"start": "2027-03-01T09:00:00"})))
        .await;
    let errors = field_errors(&zone_less);
    assert_eq!(fields(&errors), ["start"]);
    assert!(errors[0].1.contains("which has none"), "{}", errors[0].1);

    let malformed_time = app
        .create(&alice, &with(json!({"end": "next tuesday"})))
        .await;
    let errors = field_errors(&malformed_time);
    assert_eq!(fields(&errors), ["end"]);
    assert!(
        errors[0].1.contains("but found `next tuesday`"),
        "{}",
        errors[0].1
    );

    let long_text = app
        .create(
            &alice,
            &with(json!({"subject": "s".repeat(256), "body": "b".repeat(65_537)})),
        )
        .await;
    let errors = field_errors(&long_text);
    assert_eq!(fields(&errors), ["subject", "body"]);
    assert_eq!(
        errors[0].1,
        "expected `subject` of at most 255 characters, but found 256"
    );

    let bad_zone = app
        .create(&alice, &with(json!({"time_zone": "Mars/Base"})))
        .await;
    assert_eq!(fields(&field_errors(&bad_zone)), ["time_zone"]);

    let unknown_fields = app
        .create(&alice, &with(json!({"colour": "red", "priority": 1})))
        .await;
    let errors = field_errors(&unknown_fields);
    assert_eq!(fields(&errors), ["colour", "priority"]);
    assert!(
        errors[0]
            .1
            .starts_with("unknown field; expected one of `room`"),
        "{}",
        errors[0].1
    );

    let everything = app
        .create(
            &alice,
            &json!({"room": 7, "start": "2027-03-01T09:00:00", "all_day": "yes", "extra": null}),
        )
        .await;
    assert_eq!(
        fields(&field_errors(&everything)),
        ["room", "start", "end", "time_zone", "all_day", "extra"]
    );

    let bad_attendee = app
        .create(
            &alice,
            &with(json!({"attendees": [{"name": "No Address"}, "bob"]})),
        )
        .await;
    assert_eq!(
        fields(&field_errors(&bad_attendee)),
        ["attendees[0].address", "attendees[1]"]
    );
}

async fn malformed_bodies_422(db: Db) {
    let Some(app) = TestApp::start(db, "malformed_bodies_422").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    for (body, expected) in [
        ("{\"room\": ", "malformed JSON at line 1"),
        ("", "the body is empty"),
        ("[1, 2]", "expected a JSON object, but found an array"),
    ] {
        let reply = app
            .client
            .post("/api/v1/bookings")
            .token(&alice)
            .raw_json(body)
            .send()
            .await;
        let errors = field_errors(&reply);
        assert_eq!(fields(&errors), ["request"], "{body}");
        assert!(errors[0].1.contains(expected), "{body}: {}", errors[0].1);
    }
}

async fn window_errors_422(db: Db) {
    let Some(app) = TestApp::start(db, "window_errors_422").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let base = format!("/api/v1/rooms/{ROOM_A}/availability");
    let cases = [
        ("?from=2027-03-01T00:00:00", "from"),
        ("?from=2027-03-02T00:00:00Z&to=2027-03-01T00:00:00Z", "to"),
        ("?from=2027-01-01T00:00:00Z&to=2028-06-01T00:00:00Z", "to"),
        ("?since=yesterday", "since"),
    ];
    for (query, field) in cases {
        let reply = app
            .client
            .get(&format!("{base}{query}"))
            .token(&alice)
            .send()
            .await;
        assert_eq!(fields(&field_errors(&reply)), [field], "{query}");
    }
    let defaults = app.client.get(&base).token(&alice).send().await;
    assert_eq!(defaults.status, StatusCode::OK);
}

async fn media_type_and_size(db: Db) {
    let Some(app) = TestApp::start(db, "media_type_and_size").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let text = app
        .client
        .post("/api/v1/bookings")
        .token(&alice)
        .header("content-type", "text/plain")
        .raw("{}")
        .send()
        .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(text.error_code(), "unsupported_media_type");

    let huge = format!(
        "{{\"body\": \"{}\"}}",
        "x".repeat(roombridge_api::MAX_BODY_BYTES + 1)
    );
    let reply = app
        .client
        .post("/api/v1/bookings")
        .token(&alice)
        .raw_json(huge)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "payload_too_large");
}
