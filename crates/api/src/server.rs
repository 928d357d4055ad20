//! The HTTP/1.1 server loop: accepts connections, serves the router on each
//! with a deadline for request headers, and shuts down gracefully.
//!
//! `axum::serve` (axum 0.8) gives hyper no timer, so hyper cannot enforce
//! its header read timeout and a client that sends a request line and then
//! stops keeps its connection, and a task, forever. This loop sets the
//! timer.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// Time a client has to send the complete header of a request, and the
/// longest a kept-alive connection may wait for its next request. A
/// connection that exceeds it is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Pause after a failed `accept`, such as when the process has no file
/// descriptors left, before accepting again.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting, lets each connection finish its request in flight and
/// returns once all connections are closed.
pub(crate) async fn serve_router(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_sender, stop_receiver) = watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    tracing::warn!(target: "roombridge::api", %error, "failed to accept a connection; retrying");
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                    continue;
                }
            },
        };
        // Reap finished connection tasks, so the set does not grow.
        while connections.try_join_next().is_some() {}
        connections.spawn(serve_connection(
            stream,
            router.clone(),
            stop_receiver.clone(),
        ));
    }
    drop(listener);
    // OK to ignore: `send` fails only when every receiver is dropped, and
    // each open connection keeps one.
    let _ = stop_sender.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let router = router.clone();
        async move {
            let response = router
                .oneshot(request.map(axum::body::Body::new))
                .await
                .unwrap_or_else(|never: Infallible| match never {});
            Ok::<_, Infallible>(response)
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(target: "roombridge::api", %error, "connection ended with an error");
                }
                break;
            }
            // An error means the server loop is gone, which also calls for
            // shutting down.
            _ = stop.changed(), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}
