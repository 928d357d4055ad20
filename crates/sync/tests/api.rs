//! The manual trigger `POST /api/v1/sync` and the outbox listing over real
//! HTTP, with the engine behind the REST API.

mod support;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use roombridge_api::AppState;
use serde_json::{Value, json};
use support::*;

/// Serves the API on 127.0.0.1:0 and returns its address.
async fn serve(state: AppState) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(roombridge_api::serve(
        listener,
        state,
        std::future::pending(),
    ));
    address
}

async fn request(
    address: std::net::SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let text = body.map(|body| body.to_string()).unwrap_or_default();
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", address.to_string())
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(text)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

#[tokio::test]
async fn sync_endpoint_reports_per_room() {
    let h = start().await;
    h.outlook_meeting(
        "bob@example.com",
        meeting("Via API", at(3, 9, 0), at(3, 10, 0), &[AUTO_ROOM]),
    )
    .await;
    let token = h.store.create_token("alice@example.com").await.unwrap();
    let address = serve(AppState::new(h.store.clone()).with_sync_engine(h.engine.clone())).await;

    let (status, one) = request(
        address,
        "POST",
        "/api/v1/sync",
        &token,
        Some(json!({ "room": AUTO_ROOM })),
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["rooms"].as_array().unwrap().len(), 1);
    assert_eq!(one["rooms"][0]["room"], AUTO_ROOM);
    assert_eq!(one["rooms"][0]["created"], 1);
    assert!(one["rooms"][0]["requests"].as_u64().unwrap() > 0);
    assert!(one["rooms"][0]["duration_ms"].is_u64());

    let (status, all) = request(address, "POST", "/api/v1/sync", &token, None).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        all["rooms"].as_array().unwrap().len(),
        3,
        "every room: {all}"
    );

    let (status, missing) = request(
        address,
        "POST",
        "/api/v1/sync",
        &token,
        Some(json!({ "room": "nowhere@example.com" })),
    )
    .await;
    assert_eq!(status, 404, "{missing}");
    let (status, _) = request(address, "POST", "/api/v1/sync", "rb_wrong", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn concurrent_sync_requests_share_runs() {
    let h = start().await;
    let token = h.store.create_token("alice@example.com").await.unwrap();
    let address = serve(AppState::new(h.store.clone()).with_sync_engine(h.engine.clone())).await;
    let (status, first) = request(address, "POST", "/api/v1/sync", &token, None).await;
    assert_eq!(status, 200, "{first}");

    // With every request slowed down, a run is still in progress when the
    // others arrive.
    h.faults(json!({ "latency_ms": 40 })).await;
    let before = h.sim.ews_requests();
    let one_run = request(address, "POST", "/api/v1/sync", &token, None).await;
    assert_eq!(one_run.0, 200, "{}", one_run.1);
    let per_run = h.sim.ews_requests() - before;

    let before = h.sim.ews_requests();
    let requests: Vec<_> = (0..12)
        .map(|_| {
            let token = token.clone();
            tokio::spawn(
                async move { request(address, "POST", "/api/v1/sync", &token, None).await },
            )
        })
        .collect();
    for handle in requests {
        let (status, report) = handle.await.unwrap();
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["rooms"].as_array().unwrap().len(), 3, "{report}");
    }
    let sent = h.sim.ews_requests() - before;
    assert!(
        sent <= 3 * per_run,
        "12 concurrent requests sent {sent} EWS requests; one run sends {per_run}"
    );
}

#[tokio::test]
async fn outbox_endpoint_shows_parked_errors() {
    let h = start_with(roombridge_sync::SyncConfig {
        park_after_attempts: 1,
        ..roombridge_sync::SyncConfig::default()
    })
    .await;
    h.store
        .upsert_user(roombridge_domain::User {
            address: "dave@example.com".to_owned(),
            display_name: "Dave".to_owned(),
        })
        .await
        .unwrap();
    h.book(
        AUTO_ROOM,
        "dave@example.com",
        "Nowhere",
        at(4, 9, 0),
        at(4, 10, 0),
    )
    .await;
    h.engine.push_outbox().await.unwrap();
    let token = h.store.create_token("alice@example.com").await.unwrap();
    let address = serve(AppState::new(h.store.clone())).await;

    let (status, body) = request(address, "GET", "/api/v1/outbox?state=parked", &token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["counts"]["parked"], 1);
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert!(
        records[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("dave@example.com")
    );

    let (status, body) = request(address, "GET", "/api/v1/outbox?state=stuck", &token, None).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = request(address, "POST", "/api/v1/sync", &token, None).await;
    assert_eq!(status, 503, "no engine configured: {body}");
    assert_eq!(body["error"]["code"], "sync_unavailable");
}
