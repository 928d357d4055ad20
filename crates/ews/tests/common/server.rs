//! A scripted EWS stand-in on 127.0.0.1:0 that records what it receives.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: Instant,
    pub headers: http::HeaderMap,
    pub body: String,
    pub connection: usize,
}

pub type Reply = (StatusCode, Vec<(&'static str, String)>, String);
pub type Handler =
    Arc<dyn Fn(Recorded, usize) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

#[derive(Default)]
pub struct State {
    pub requests: Vec<Recorded>,
    pub in_flight: HashMap<String, usize>,
    pub max_in_flight: HashMap<String, usize>,
    pub max_total: usize,
}

pub struct TestServer {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl TestServer {
    /// Starts a server that replies to request number `n` (0-based) with `handler`.
    pub async fn start(handler: Handler) -> TestServer {
        TestServer::start_with("127.0.0.1:0".parse().unwrap(), true, handler).await
    }

    /// Starts a server on a given loopback address.
    pub async fn start_at(address: std::net::SocketAddr, handler: Handler) -> TestServer {
        TestServer::start_with(address, true, handler).await
    }

    /// Starts a server that closes each connection after one response.
    pub async fn start_closing(handler: Handler) -> TestServer {
        TestServer::start_with("127.0.0.1:0".parse().unwrap(), false, handler).await
    }

    async fn start_with(
        address: std::net::SocketAddr,
        keep_alive: bool,
        handler: Handler,
    ) -> TestServer {
        let listener = TcpListener::bind(address).await.unwrap();
        let address = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            let mut connection_number = 0;
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                connection_number += 1;
                let connection = connection_number;
                let state = shared.clone();
                let handler = handler.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let state = state.clone();
                        let handler = handler.clone();
                        async move {
                            Ok::<_, std::convert::Infallible>(
                                serve(request, connection, state, handler).await,
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(keep_alive)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        TestServer {
            url: format!("http://{address}/EWS/Exchange.asmx"),
            state,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }
}

async fn serve(
    request: Request<Incoming>,
    connection: usize,
    state: Arc<Mutex<State>>,
    handler: Handler,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let anchor = parts
        .headers
        .get("X-AnchorMailbox")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let recorded = Recorded {
        at: Instant::now(),
        headers: parts.headers.clone(),
        body: String::from_utf8_lossy(&body).to_string(),
        connection,
    };
    let number = {
        let mut state = state.lock().unwrap();
        state.requests.push(recorded.clone());
        let count = state.in_flight.entry(anchor.clone()).or_default();
        *count += 1;
        let now = *count;
        let max = state.max_in_flight.entry(anchor.clone()).or_default();
        *max = (*max).max(now);
        let total: usize = state.in_flight.values().sum();
        state.max_total = state.max_total.max(total);
        state.requests.len() - 1
    };
    let (status, headers, body) = handler(recorded, number).await;
    {
        let mut state = state.lock().unwrap();
        if let Some(count) = state.in_flight.get_mut(&anchor) {
            *count -= 1;
        }
    }
    let mut response = Response::builder()
        .status(status)
        .header("Content-Type", "text/xml; charset=utf-8");
    for (name, value) in headers {
        response = response.header(name, value);
    }
    response.body(Full::new(Bytes::from(body))).unwrap()
}

/// Wraps a synchronous reply function as a handler.
pub fn handler(reply: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Handler {
    let reply = Arc::new(reply);
    Arc::new(move |recorded, number| {
        let reply = reply.clone();
        Box::pin(async move { reply(&recorded, number) })
    })
}
