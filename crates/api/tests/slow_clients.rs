//! Clients that hold connections open: one that never finishes its request
//! header is disconnected after `HEADER_READ_TIMEOUT`, and idle keep-alive
//! connections do not hold up a graceful shutdown.

use std::time::{Duration, Instant};

use roombridge_api::{AppState, HEADER_READ_TIMEOUT};
use roombridge_store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Server {
    address: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("slow.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(roombridge_api::serve(
        listener,
        AppState::new(store),
        async move {
            let _ = stopped.await;
        },
    ));
    Server {
        address,
        stop,
        task,
        _dir: dir,
    }
}

/// Sends a complete `GET /healthz` on `stream` and returns the status line.
async fn health(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = vec![0; 1024];
    let read = stream.read(&mut buffer).await.unwrap();
    let text = String::from_utf8_lossy(&buffer[..read]).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn unfinished_header_disconnected() {
    let server = start().await;
    let mut slow = TcpStream::connect(server.address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        .await
        .unwrap();
    let started = Instant::now();

    // Other clients are served meanwhile.
    let mut other = TcpStream::connect(server.address).await.unwrap();
    assert_eq!(health(&mut other).await, "HTTP/1.1 200 OK");

    let mut buffer = vec![0; 1024];
    let limit = HEADER_READ_TIMEOUT + Duration::from_secs(10);
    let read = tokio::time::timeout(limit, async {
        let mut total = 0;
        loop {
            match slow.read(&mut buffer[total..]).await {
                Ok(0) | Err(_) => return total,
                Ok(read) => total += read,
            }
        }
    })
    .await
    .expect("the server kept a connection with an unfinished header open");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= HEADER_READ_TIMEOUT - Duration::from_secs(1),
        "closed after {elapsed:?}"
    );
    // hyper sends 408 before closing, or closes without a response.
    let response = String::from_utf8_lossy(&buffer[..read]).into_owned();
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 408"),
        "{response}"
    );

    server.stop.send(()).unwrap();
    server.task.await.unwrap().unwrap();
}

#[tokio::test]
async fn idle_connection_does_not_block_shutdown() {
    let server = start().await;
    let mut idle = TcpStream::connect(server.address).await.unwrap();
    assert_eq!(health(&mut idle).await, "HTTP/1.1 200 OK");

    server.stop.send(()).unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("shutdown waited for an idle keep-alive connection");
    stopped.unwrap().unwrap();
    let mut buffer = [0; 16];
    let read = idle.read(&mut buffer).await.unwrap_or(0);
    assert_eq!(read, 0, "the idle connection is closed");
    assert!(TcpStream::connect(server.address).await.is_err());
}
