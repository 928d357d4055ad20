//! The storage layer: `Store` calls in this process, no HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use roombridge_domain::Actor;
use roombridge_store::Store;

use crate::stats::LayerResult;
use crate::workload::{WARM_UP_QUERIES, Workload};

/// A migrated, seeded store and the temporary folder of its SQLite file.
pub(crate) struct SeededStore {
    pub(crate) store: Store,
    _dir: Option<tempfile::TempDir>,
}

/// Opens `database` (a new SQLite file when `None`), migrates it and adds
/// the workload's rooms and organizer.
pub(crate) async fn open_seeded(
    workload: &Workload,
    database: Option<&str>,
) -> Result<SeededStore, String> {
    let (url, dir) = match database {
        Some(url) => (url.to_owned(), None),
        None => {
            let dir = tempfile::tempdir()
                .map_err(|error| format!("failed to create a temporary folder: {error}"))?;
            let url = format!("sqlite:{}", dir.path().join("bench.db").display());
            (url, Some(dir))
        }
    };
    let store = Store::connect(&url)
        .await
        .map_err(|error| error.to_string())?;
    store.migrate().await.map_err(|error| error.to_string())?;
    for room in workload.rooms() {
        store
            .upsert_room(room)
            .await
            .map_err(|error| error.to_string())?;
    }
    store
        .upsert_user(Workload::organizer())
        .await
        .map_err(|error| error.to_string())?;
    Ok(SeededStore { store, _dir: dir })
}

pub(crate) async fn run(
    workload: &Workload,
    database: Option<&str>,
) -> Result<LayerResult, String> {
    let seeded = open_seeded(workload, database).await?;
    let store = seeded.store.clone();

    eprintln!("storage: creating {} bookings", workload.bookings);
    let create_time = create_all(&store, workload).await?;

    eprintln!("storage: {} availability queries", workload.queries);
    let queries = workload.queries(WARM_UP_QUERIES + workload.queries, 7);
    let mut latencies = Vec::with_capacity(workload.queries);
    let mut intervals = 0;
    for (index, (room, from, to)) in queries.iter().enumerate() {
        let started = Instant::now();
        let busy = store
            .busy_intervals(room, *from, *to)
            .await
            .map_err(|error| format!("availability query failed: {error}"))?;
        let elapsed = started.elapsed();
        if index >= WARM_UP_QUERIES {
            latencies.push(elapsed);
            intervals += busy.len();
        }
    }
    store.close().await;
    Ok(LayerResult::new(
        workload.bookings,
        create_time,
        latencies,
        intervals,
    ))
}

async fn create_all(store: &Store, workload: &Workload) -> Result<Duration, String> {
    let next = Arc::new(AtomicUsize::new(0));
    let requests: Arc<Vec<_>> = Arc::new(
        (0..workload.bookings)
            .map(|index| workload.new_booking(index))
            .collect(),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workload.concurrency {
        let store = store.clone();
        let next = next.clone();
        let requests = requests.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor::user(crate::workload::ORGANIZER);
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = requests.get(index) else {
                    return Ok::<(), String>(());
                };
                store
                    .create_booking(request.clone(), &actor)
                    .await
                    .map_err(|error| format!("booking {index} failed: {error}"))?;
            }
        }));
    }
    for task in tasks {
        task.await.map_err(|error| error.to_string())??;
    }
    Ok(started.elapsed())
}
