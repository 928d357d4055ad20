//! The HTTP layer: the API router served on 127.0.0.1, driven by HTTP/1.1
//! clients over keep-alive connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use roombridge_api::AppState;
use serde_json::json;

use crate::stats::LayerResult;
use crate::storage::open_seeded;
use crate::workload::{WARM_UP_QUERIES, Workload};

pub(crate) async fn run(
    workload: &Workload,
    database: Option<&str>,
) -> Result<LayerResult, String> {
    let seeded = open_seeded(workload, database).await?;
    let token = seeded
        .store
        .create_token(crate::workload::ORGANIZER)
        .await
        .map_err(|error| error.to_string())?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| format!("failed to bind 127.0.0.1:0: {error}"))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(seeded.store.clone());
    let server = tokio::spawn(roombridge_api::serve(listener, state, async {
        stopped.await.ok();
    }));

    eprintln!("http: creating {} bookings on {address}", workload.bookings);
    let create_time = create_all(address, &token, workload).await?;

    eprintln!("http: {} availability queries", workload.queries);
    let mut client = Client::connect(address, &token).await?;
    let queries = workload.queries(WARM_UP_QUERIES + workload.queries, 11);
    let mut latencies = Vec::with_capacity(workload.queries);
    let mut intervals = 0;
    for (index, (room, from, to)) in queries.iter().enumerate() {
        let path = format!("/api/v1/rooms/{room}/availability?from={from}&to={to}");
        let started = Instant::now();
        let body = client
            .send(Method::GET, &path, None, StatusCode::OK)
            .await?;
        let elapsed = started.elapsed();
        if index >= WARM_UP_QUERIES {
            latencies.push(elapsed);
            intervals += busy_count(&body)?;
        }
    }

    stop.send(()).ok();
    drop(client);
    server
        .await
        .map_err(|error| error.to_string())?
        .map_err(|error| format!("server failed: {error}"))?;
    seeded.store.close().await;
    Ok(LayerResult::new(
        workload.bookings,
        create_time,
        latencies,
        intervals,
    ))
}

fn busy_count(body: &Bytes) -> Result<usize, String> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|error| format!("invalid availability JSON: {error}"))?;
    value["busy"]
        .as_array()
        .map(Vec::len)
        .ok_or_else(|| format!("availability response without `busy`: {value}"))
}

async fn create_all(
    address: SocketAddr,
    token: &str,
    workload: &Workload,
) -> Result<Duration, String> {
    let bodies: Arc<Vec<Bytes>> = Arc::new(
        (0..workload.bookings)
            .map(|index| {
                let request = workload.new_booking(index);
                let body = json!({
                    "room": request.room,
                    "subject": request.subject,
                    "start": request.start.to_string(),
                    "end": request.end.to_string(),
                    "time_zone": request.time_zone,
                });
                Bytes::from(body.to_string())
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..workload.concurrency {
        clients.push(Client::connect(address, token).await?);
    }

    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut client in clients {
        let next = next.clone();
        let bodies = bodies.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(index) else {
                    return Ok::<(), String>(());
                };
                client
                    .send(
                        Method::POST,
                        "/api/v1/bookings",
                        Some(body.clone()),
                        StatusCode::CREATED,
                    )
                    .await
                    .map_err(|error| format!("booking {index}: {error}"))?;
            }
        }));
    }
    for task in tasks {
        task.await.map_err(|error| error.to_string())??;
    }
    Ok(started.elapsed())
}

/// One keep-alive HTTP/1.1 connection.
struct Client {
    sender: SendRequest<Full<Bytes>>,
    address: SocketAddr,
    authorization: String,
}

impl Client {
    async fn connect(address: SocketAddr, token: &str) -> Result<Client, String> {
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|error| format!("failed to connect to {address}: {error}"))?;
        stream
            .set_nodelay(true)
            .map_err(|error| error.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| format!("HTTP handshake with {address} failed: {error}"))?;
        tokio::spawn(connection);
        Ok(Client {
            sender,
            address,
            authorization: format!("Bearer {token}"),
        })
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        expected: StatusCode,
    ) -> Result<Bytes, String> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.address.to_string())
            .header(header::AUTHORIZATION, &self.authorization);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|error| error.to_string())?;

        self.sender
            .ready()
            .await
            .map_err(|error| error.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|error| format!("{path} failed: {error}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| error.to_string())?
            .to_bytes();
        if status != expected {
            return Err(format!(
                "{path}: expected status {expected}, but found {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(body)
    }
}
