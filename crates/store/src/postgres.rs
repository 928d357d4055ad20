//! Queries for PostgreSQL. The query modules are shared with SQLite and
//! compiled once per database, so each is checked against its own driver.

pub(crate) type Db = sqlx::Postgres;

/// Whether the queries run on PostgreSQL, where they lock rows explicitly.
pub(crate) const POSTGRES: bool = true;

#[path = "sql/bookings.rs"]
pub(crate) mod bookings;
#[path = "sql/external.rs"]
pub(crate) mod external;
#[path = "sql/outbox.rs"]
pub(crate) mod outbox;
#[path = "sql/people.rs"]
pub(crate) mod people;
#[path = "sql/rows.rs"]
pub(crate) mod rows;
#[path = "sql/sync.rs"]
pub(crate) mod sync;
