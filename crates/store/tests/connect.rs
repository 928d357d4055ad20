//! Opening databases: URL handling and SQLite settings.

use roombridge_store::{Store, StoreError};
use sqlx::Connection;

#[tokio::test]
async fn sqlite_file_created_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    assert!(!path.exists());

    let url = format!("sqlite:{}", path.display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    assert!(path.exists());
    assert_eq!(store.database_kind(), "sqlite");

    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn unsupported_url_rejected() {
    let cases = [
        ("mysql://root:hunter2@localhost/db", "scheme `mysql`"),
        ("roombridge.db", "no scheme"),
        ("", "no scheme"),
    ];
    for (url, found) in cases {
        let error = Store::connect(url).await.unwrap_err();
        assert!(
            matches!(error, StoreError::InvalidUrl(_)),
            "{url}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "invalid database URL: expected `sqlite:PATH` or \
                 `postgres://USER@HOST/DATABASE`, but found {found}"
            )
        );
        assert!(!error.to_string().contains("hunter2"));
    }
}

#[tokio::test]
async fn debug_output_hides_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("secret-name.db").display());
    let store = Store::connect(&url).await.unwrap();
    let debug = format!("{store:?}");
    assert!(debug.contains("sqlite"), "{debug}");
    assert!(!debug.contains("secret-name"), "{debug}");
}
