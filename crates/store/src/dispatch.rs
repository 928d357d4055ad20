//! Macros that run one query function on whichever database the store
//! uses. The function exists once per database (see `sqlite.rs` and
//! `postgres.rs`), so each call expands to one match arm per database.

/// Runs `module::function(connection, args…)` inside a write transaction
/// and commits it. On SQLite the transaction starts with `BEGIN IMMEDIATE`,
/// taking the database's write lock before the first read, so a conflict
/// check and the insert that follows it cannot interleave with another
/// writer.
macro_rules! write_transaction {
    ($store:expr, $module:ident :: $function:ident ( $($arg:expr),* $(,)? )) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite { writer, .. } => {
                let mut transaction = writer.begin_with("BEGIN IMMEDIATE").await?;
                let value =
                    $crate::sqlite::$module::$function(&mut transaction, $($arg),*).await?;
                transaction.commit().await?;
                Ok::<_, $crate::StoreError>(value)
            }
            $crate::store::Backend::Postgres { pool } => {
                let mut transaction = pool.begin().await?;
                let value =
                    $crate::postgres::$module::$function(&mut transaction, $($arg),*).await?;
                transaction.commit().await?;
                Ok::<_, $crate::StoreError>(value)
            }
        }
    };
}

/// Runs `module::function(connection, args…)` on a pooled connection
/// outside any explicit transaction.
macro_rules! read_only {
    ($store:expr, $module:ident :: $function:ident ( $($arg:expr),* $(,)? )) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite { readers, .. } => {
                let mut connection = readers.acquire().await?;
                $crate::sqlite::$module::$function(&mut connection, $($arg),*).await
            }
            $crate::store::Backend::Postgres { pool } => {
                let mut connection = pool.acquire().await?;
                $crate::postgres::$module::$function(&mut connection, $($arg),*).await
            }
        }
    };
}

pub(crate) use {read_only, write_transaction};
