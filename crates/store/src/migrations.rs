//! Schema migrations, embedded in the binary. SQLite and PostgreSQL each
//! have their own set because their column types differ.

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Version, description and SQL of each SQLite migration.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "sync",
        include_str!("../migrations/sqlite/0002_sync.sql"),
    ),
    (
        3,
        "token expiry",
        include_str!("../migrations/sqlite/0003_token_expiry.sql"),
    ),
];

/// Version, description and SQL of each PostgreSQL migration.
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "sync",
        include_str!("../migrations/postgres/0002_sync.sql"),
    ),
    (
        3,
        "token expiry",
        include_str!("../migrations/postgres/0003_token_expiry.sql"),
    ),
];

fn migrator(set: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = set
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                description.into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

pub(crate) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

pub(crate) fn postgres() -> Migrator {
    migrator(POSTGRES)
}
