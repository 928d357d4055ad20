//! Fresh PostgreSQL databases for tests.
//!
//! `ROOMBRIDGE_TEST_POSTGRES_URL` names a server that tests may create
//! databases on, such as `postgres://postgres@127.0.0.1:55432/postgres`.
//! Each call to [`fresh_postgres_database`] creates an empty database with
//! a unique name and returns its URL. Without the variable, tests print what
//! they skipped and pass, unless `ROOMBRIDGE_REQUIRE_POSTGRES=1` is set (CI
//! sets it), in which case they fail. The databases are left behind, so
//! point the variable at a throwaway server.

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Environment variable naming the PostgreSQL server for tests.
pub const TEST_POSTGRES_URL_VAR: &str = "ROOMBRIDGE_TEST_POSTGRES_URL";

/// Environment variable that turns a missing PostgreSQL server into a
/// failure.
pub const REQUIRE_POSTGRES_VAR: &str = "ROOMBRIDGE_REQUIRE_POSTGRES";

/// Creates an empty database on the test server and returns its URL, or
/// returns `None` after printing that the calling test skipped `what`.
///
/// # Panics
///
/// Panics when the variable is unset and `ROOMBRIDGE_REQUIRE_POSTGRES=1`,
/// or when the server cannot be reached or refuses to create the database.
pub async fn fresh_postgres_database(what: &str) -> Option<String> {
    let Ok(server_url) = std::env::var(TEST_POSTGRES_URL_VAR) else {
        let required = std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|value| value == "1");
        assert!(
            !required,
            "{what} needs PostgreSQL, but {TEST_POSTGRES_URL_VAR} is not set \
             (set it to a server URL such as postgres://postgres@127.0.0.1:5432/postgres)"
        );
        crate::report_skip(&format!(
            "{what} on PostgreSQL (set {TEST_POSTGRES_URL_VAR} to run it)"
        ));
        return None;
    };

    let name = format!("roombridge_test_{}", uuid::Uuid::new_v4().simple());
    let mut connection = PgConnection::connect(&server_url)
        .await
        .unwrap_or_else(|error| {
            panic!("cannot connect to {TEST_POSTGRES_URL_VAR} for {what}: {error}")
        });
    // The name is generated above from hex digits only, so quoting it is
    // enough; identifiers cannot be bound as parameters.
    let create = format!("CREATE DATABASE \"{name}\"");
    sqlx::raw_sql(sqlx::AssertSqlSafe(create))
        .execute(&mut connection)
        .await
        .unwrap_or_else(|error| panic!("cannot create database {name} for {what}: {error}"));
    connection.close().await.ok();

    Some(with_database(&server_url, &name))
}

/// Returns `server_url` with its database path replaced by `database`,
/// keeping any query string.
fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |index| authority_start + index);
    let mut url = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_path_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:55432/t1"
        );
    }

    #[test]
    fn missing_path_added_and_query_kept() {
        assert_eq!(
            with_database("postgres://u:p@localhost:5432?sslmode=disable", "t2"),
            "postgres://u:p@localhost:5432/t2?sslmode=disable"
        );
    }
}
