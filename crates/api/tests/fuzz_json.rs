//! Generated input into `POST /api/v1/bookings` and `PATCH
//! /api/v1/bookings/{id}` over real HTTP on SQLite: random JSON values,
//! valid requests with one field replaced by a random value, random bytes
//! and deeply nested documents. The server must answer every request with
//! a success or a 4xx error body naming a code and a message; never a 5xx,
//! a dropped connection or a panic.
//!
//! The case count follows `PROPTEST_CASES` (64 when unset).

mod common;

use common::{ROOM_A, TestApp, booking};
use http::StatusCode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(64)
}

/// Any JSON value, up to a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|number| json!(number)),
        ".{0,40}".prop_map(Value::String),
        // Strings close to what the fields expect.
        prop_oneof![
            Just("2027-03-01T09:00:00Z".to_owned()),
            Just("-009999-01-01T00:00:00Z".to_owned()),
            Just("9999-12-31T23:59:59Z".to_owned()),
            Just("Europe/Berlin".to_owned()),
            Just(ROOM_A.to_owned()),
            Just("\u{0}".to_owned()),
            Just("</t:Subject>".to_owned()),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((field_name(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A field name of the booking request, or any other.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop_oneof![
            Just("room"),
            Just("subject"),
            Just("body"),
            Just("start"),
            Just("end"),
            Just("time_zone"),
            Just("all_day"),
            Just("attendees"),
            Just("address"),
            Just("name"),
            Just("role"),
        ]
        .prop_map(str::to_owned),
        1 => "[a-z_]{0,12}",
    ]
}

/// A valid booking request with one field replaced or added.
fn mutated_booking() -> impl Strategy<Value = Value> {
    (field_name(), json_value()).prop_map(|(field, value)| {
        let mut request = booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
        request[field] = value;
        request
    })
}

#[derive(Debug, Clone)]
enum Body {
    Json(Value),
    Bytes(Vec<u8>),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        2 => json_value().prop_map(Body::Json),
        3 => mutated_booking().prop_map(Body::Json),
        1 => proptest::collection::vec(any::<u8>(), 0..256).prop_map(Body::Bytes),
    ]
}

/// Checks one reply: success or a 4xx error body with a code and a message.
fn check_reply(what: &str, reply: &common::Reply) -> Result<(), TestCaseError> {
    prop_assert!(
        !reply.status.is_server_error(),
        "{} answered {}: {}",
        what,
        reply.status,
        String::from_utf8_lossy(&reply.body)
    );
    if reply.status.is_client_error() {
        let body: Value = serde_json::from_slice(&reply.body).map_err(|error| {
            TestCaseError::fail(format!("{what}: 4xx body is not JSON ({error})"))
        })?;
        prop_assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{} error body lacks a code or message: {}",
            what,
            body
        );
    }
    Ok(())
}

#[test]
fn generated_bodies_never_fail_the_server() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (app, token, id) = runtime.block_on(async {
        let app = TestApp::start(common::Db::Sqlite, "fuzz_json")
            .await
            .expect("SQLite test app");
        let token = app.user("alice@example.com").await;
        let created = app
            .create(
                &token,
                &booking(ROOM_A, "2027-02-01T09:00:00Z", "2027-02-01T10:00:00Z"),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let id = created.json()["id"].as_str().expect("id").to_owned();
        (app, token, id)
    });
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&body(), |body| {
        runtime.block_on(async {
            let bytes = match &body {
                Body::Json(value) => serde_json::to_vec(value).expect("JSON serializes"),
                Body::Bytes(bytes) => bytes.clone(),
            };
            let created = app
                .client
                .post("/api/v1/bookings")
                .token(&token)
                .raw_json(bytes.clone())
                .send()
                .await;
            check_reply("POST", &created)?;
            // The booking's version changes when a patch succeeds, so the
            // current one is read first; a patch is expected to pass or
            // fail on its content, not on a stale version.
            let current = app
                .client
                .get(&format!("/api/v1/bookings/{id}"))
                .token(&token)
                .send()
                .await;
            prop_assert_eq!(current.status, StatusCode::OK);
            let etag = current.header("etag").unwrap_or_default();
            let patched = app
                .client
                .patch(&format!("/api/v1/bookings/{id}"))
                .token(&token)
                .header("if-match", &etag)
                .raw_json(bytes)
                .send()
                .await;
            check_reply("PATCH", &patched)
        })
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_json_is_a_4xx() {
    let app = TestApp::start(common::Db::Sqlite, "nested_json")
        .await
        .expect("SQLite test app");
    let token = app.user("alice@example.com").await;
    for depth in [64usize, 1_000, 100_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let mut text = open.repeat(depth);
            text.push('1');
            text.push_str(&close.repeat(depth));
            let mut request =
                booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z").to_string();
            // The nested value replaces the subject.
            request = request.replacen("\"Planning\"", &text, 1);
            let reply = app
                .client
                .post("/api/v1/bookings")
                .token(&token)
                .raw_json(request)
                .send()
                .await;
            assert!(
                reply.status.is_client_error(),
                "depth {depth} answered {}",
                reply.status
            );
            check_reply("POST", &reply).unwrap();
        }
    }
}
