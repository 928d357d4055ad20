//! Opening a PostgreSQL database that cannot be reached: the error comes
//! at once and names the cause, not only a pool timeout.

use std::time::{Duration, Instant};

use roombridge_store::{Store, StoreError};

#[tokio::test]
async fn refused_connection_reported_at_once() {
    // Nothing listens on port 1 of the loopback address, so the operating
    // system refuses the connection.
    let started = Instant::now();
    let error = Store::connect("postgres://app@127.0.0.1:1/roombridge")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, StoreError::Database(_)), "{error:?}");
    assert!(
        error.to_string().to_lowercase().contains("refused"),
        "{error}"
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[tokio::test]
async fn unknown_database_named() {
    let Some(url) = std::env::var("ROOMBRIDGE_TEST_POSTGRES_URL").ok() else {
        assert!(
            std::env::var("ROOMBRIDGE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "ROOMBRIDGE_REQUIRE_POSTGRES=1 but ROOMBRIDGE_TEST_POSTGRES_URL is not set"
        );
        println!("skipped: ROOMBRIDGE_TEST_POSTGRES_URL is not set");
        return;
    };
    let Some((server, _database)) = url.rsplit_once('/') else {
        panic!("ROOMBRIDGE_TEST_POSTGRES_URL has no database name: {url}");
    };
    let error = Store::connect(&format!("{server}/roombridge_no_such_database"))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("database \"roombridge_no_such_database\" does not exist"),
        "{error}"
    );
}
