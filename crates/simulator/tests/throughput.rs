//! Throughput on loopback: the simulator must not be the bottleneck of
//! the benchmarks that run against it.

mod support;

use std::time::Instant;

use support::*;

/// Requests each connection sends.
const PER_CONNECTION: usize = 250;
/// Concurrent keep-alive connections.
const CONNECTIONS: usize = 8;
/// Lowest rate accepted, in requests per second. Release builds serve
/// several times more; this bound holds for unoptimised test builds on a
/// two-core machine too.
const MIN_RATE: f64 = 500.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_hundreds_of_requests_per_second_unoptimised() {
    let sim = start().await;
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Load",
            &slot(1, 9, 0),
            &slot(1, 10, 0),
            &["room-101@example.com"],
            "",
        ),
    )
    .await;
    let request = envelope(
        Some("alice@example.com"),
        &get_item(&first_item_id(&created.body)),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let request = request.clone();
        let mut connection = Connection::open(&sim).await;
        tasks.push(tokio::spawn(async move {
            for _ in 0..PER_CONNECTION {
                let reply = connection.ews(Some(&svc()), &request).await.unwrap();
                assert_eq!(reply.status, 200);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let rate = (CONNECTIONS * PER_CONNECTION) as f64 / started.elapsed().as_secs_f64();
    eprintln!("GetItem: {rate:.0} requests per second over {CONNECTIONS} connections");
    assert!(rate >= MIN_RATE, "only {rate:.0} requests per second");
}
