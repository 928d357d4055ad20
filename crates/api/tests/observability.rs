//! Health, metrics, the OpenAPI document, request ids, logs that never hold
//! tokens, and the 500 path, over real HTTP.
//!
//! This binary installs a global tracing subscriber that writes into a
//! buffer, so every test here can read what the server logged.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::{Db, ROOM_A, TestApp, booking};
use http::StatusCode;

/// Everything the server logged in this test binary.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = SharedWriter(buffer.clone());
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buffer
    })
}

fn logged_text() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

on_both_databases!(
    health_reports_database,
    metrics_count_routes,
    request_id_propagates,
    tokens_never_logged,
    internal_error_is_generic,
);

async fn health_reports_database(db: Db) {
    let Some(app) = TestApp::start(db, "health_reports_database").await else {
        return;
    };
    let healthy = app.client.get("/healthz").send().await;
    assert_eq!(healthy.status, StatusCode::OK);
    assert_eq!(healthy.json()["status"], "ok");

    app.store.close().await;
    let down = app.client.get("/healthz").send().await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.json()["status"], "unavailable");
}

async fn metrics_count_routes(db: Db) {
    let Some(app) = TestApp::start(db, "metrics_count_routes").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let created = app
        .create(
            &alice,
            &booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        )
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    app.client
        .get(&format!("/api/v1/bookings/{id}"))
        .token(&alice)
        .send()
        .await;
    app.client.get("/api/v1/rooms").send().await;

    let reply = app.client.get("/metrics").send().await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = String::from_utf8(reply.body.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let has = |needle: &str| lines.iter().any(|line| line.starts_with(needle));
    assert!(
        has(
            r#"roombridge_http_requests_total{route="/api/v1/bookings",method="POST",status="201"} 1"#
        ),
        "{text}"
    );
    assert!(
        has(
            r#"roombridge_http_requests_total{route="/api/v1/bookings/{id}",method="GET",status="200"} 1"#
        ),
        "the label is the route template, never the booking id: {text}"
    );
    assert!(
        has(r#"roombridge_http_requests_total{route="/api/v1/rooms",method="GET",status="401"} 1"#),
        "{text}"
    );
    assert!(
        has("roombridge_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(has("roombridge_bookings_created_total 1"), "{text}");
    assert!(has("roombridge_booking_conflicts_total 0"), "{text}");
    assert!(!text.contains(&id), "{text}");
    assert!(text.trim_end().ends_with("# EOF"));
}

async fn request_id_propagates(db: Db) {
    let _ = logs();
    let Some(app) = TestApp::start(db, "request_id_propagates").await else {
        return;
    };
    let generated = app.client.get("/healthz").send().await;
    let id = generated.header("x-request-id").expect("x-request-id");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");

    let kept = app
        .client
        .get("/healthz")
        .header("x-request-id", "trace-abc.123")
        .send()
        .await;
    assert_eq!(
        kept.header("x-request-id").as_deref(),
        Some("trace-abc.123")
    );

    let replaced = app
        .client
        .get("/healthz")
        .header("x-request-id", "has spaces and {braces}")
        .send()
        .await;
    let replacement = replaced.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(&replacement).is_ok(), "{replacement}");
    assert!(logged_text().contains("trace-abc.123"));
}

async fn tokens_never_logged(db: Db) {
    let _ = logs();
    let Some(app) = TestApp::start(db, "tokens_never_logged").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let forged = "rb_forged-token-that-must-not-appear-in-logs";
    let created = app
        .client
        .post("/api/v1/bookings")
        .token(&alice)
        .header("x-request-id", "token-test-request")
        .json(&booking(
            ROOM_A,
            "2027-03-01T09:00:00Z",
            "2027-03-01T10:00:00Z",
        ))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    app.client.get("/api/v1/rooms").token(forged).send().await;
    app.client
        .get("/api/v1/rooms")
        .header("authorization", &format!("Basic {forged}"))
        .send()
        .await;

    let text = logged_text();
    let request_lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("token-test-request"))
        .collect();
    assert!(
        request_lines
            .iter()
            .any(|line| line.contains("booking created") && line.contains("room-a@example.com")),
        "the request is logged with its id and room: {request_lines:?}"
    );
    assert!(!text.contains(&alice), "a valid token was logged");
    assert!(!text.contains(forged), "an invalid token was logged");
    assert!(
        !text.to_ascii_lowercase().contains("authorization"),
        "a header was logged"
    );
}

async fn internal_error_is_generic(db: Db) {
    let _ = logs();
    let Some(app) = TestApp::start(db, "internal_error_is_generic").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    app.store.close().await;

    let reply = app
        .client
        .get("/api/v1/rooms")
        .token(&alice)
        .header("x-request-id", format!("fail-{db:?}").as_str())
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body = reply.json();
    assert_eq!(body["error"]["code"], "internal");
    assert_eq!(body["error"]["message"], "internal error");
    assert!(body["error"]["details"].is_null());

    let text = logged_text();
    let errors: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(&format!("fail-{db:?}")) && line.contains("internal error"))
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "logged once, with the request id: {errors:?}"
    );
    assert!(errors[0].contains("ERROR"), "{}", errors[0]);
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let Some(app) = TestApp::start(Db::Sqlite, "openapi_lists_every_route").await else {
        return;
    };
    let reply = app.client.get("/api/v1/openapi.json").send().await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = reply.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));

    let paths = document["paths"].as_object().unwrap();
    let mut listed: Vec<String> = Vec::new();
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            listed.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    listed.sort();
    assert_eq!(
        listed,
        [
            "DELETE /api/v1/bookings/{id}",
            "GET /api/v1/bookings/{id}",
            "GET /api/v1/bookings/{id}/history",
            "GET /api/v1/me",
            "GET /api/v1/outbox",
            "GET /api/v1/rooms",
            "GET /api/v1/rooms/{address}/availability",
            "GET /api/v1/rooms/{address}/bookings",
            "PATCH /api/v1/bookings/{id}",
            "POST /api/v1/bookings",
            "POST /api/v1/sync",
        ]
    );

    let schemas = &document["components"]["schemas"];
    let mut properties: Vec<&str> = schemas["CreateBookingRequest"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    properties.sort_unstable();
    assert_eq!(
        properties,
        [
            "all_day",
            "attendees",
            "body",
            "end",
            "room",
            "start",
            "subject",
            "time_zone"
        ]
    );

    let booking_fields = schemas["BookingView"]["properties"].as_object().unwrap();
    for field in [
        "id",
        "room",
        "organizer",
        "subject",
        "body",
        "start",
        "end",
        "time_zone",
        "all_day",
        "attendees",
        "origin",
        "status",
        "deleted_at",
        "version",
    ] {
        assert!(
            booking_fields.contains_key(field),
            "BookingView lacks `{field}`"
        );
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn metrics_share_caller_registry() {
    use prometheus_client::metrics::counter::Counter;

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("metrics.db").display());
    let store = roombridge_store::Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mut registry = prometheus_client::registry::Registry::with_prefix("roombridge");
    let sync_runs = Counter::<u64>::default();
    registry.register("sync_runs", "Sync runs", sync_runs.clone());
    sync_runs.inc();

    let metrics = roombridge_api::Metrics::with_registry(registry);
    let state = roombridge_api::AppState::with_metrics(store, metrics);
    let text = state.metrics().encode();
    assert!(text.contains("roombridge_sync_runs_total 1"), "{text}");
    assert!(
        text.contains("roombridge_bookings_created_total 0"),
        "{text}"
    );
}
