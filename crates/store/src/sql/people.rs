//! Rooms, users and API tokens.

use jiff::Timestamp;
use roombridge_domain::{Room, User};
use sqlx::Row;

use super::{Db, rows};
use crate::codec::{micros, optional_micros};
use crate::{StoreError, TokenInfo};

type Connection = <Db as sqlx::Database>::Connection;

pub(crate) async fn upsert_room(
    conn: &mut Connection,
    room: &Room,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO rooms (address, display_name, capacity, location, response_mode, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (address) DO UPDATE SET display_name = excluded.display_name, \
         capacity = excluded.capacity, location = excluded.location, \
         response_mode = excluded.response_mode, updated_at = excluded.updated_at",
    )
    .bind(&room.address)
    .bind(&room.display_name)
    .bind(room.capacity.map(i64::from))
    .bind(&room.location)
    .bind(room.response_mode.as_str())
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn upsert_rooms(
    conn: &mut Connection,
    rooms: &[Room],
    now: Timestamp,
) -> Result<(), StoreError> {
    for room in rooms {
        upsert_room(conn, room, now).await?;
    }
    Ok(())
}

pub(crate) async fn list_rooms(conn: &mut Connection) -> Result<Vec<Room>, StoreError> {
    let rows = sqlx::query(
        "SELECT address, display_name, capacity, location, response_mode FROM rooms \
         ORDER BY address",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(rows::room).collect()
}

pub(crate) async fn rooms_version(conn: &mut Connection) -> Result<(i64, Option<i64>), StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS rooms, MAX(updated_at) AS latest FROM rooms")
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get("rooms")?, row.try_get("latest")?))
}

pub(crate) async fn room(conn: &mut Connection, address: &str) -> Result<Option<Room>, StoreError> {
    let row = sqlx::query(
        "SELECT address, display_name, capacity, location, response_mode FROM rooms \
         WHERE address = $1",
    )
    .bind(address)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(rows::room).transpose()
}

pub(crate) async fn upsert_user(
    conn: &mut Connection,
    user: &User,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (address, display_name, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (address) DO UPDATE SET \
         display_name = excluded.display_name, updated_at = excluded.updated_at",
    )
    .bind(&user.address)
    .bind(&user.display_name)
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn user(conn: &mut Connection, address: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT address, display_name FROM users WHERE address = $1")
        .bind(address)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(rows::user).transpose()
}

pub(crate) async fn list_users(conn: &mut Connection) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query("SELECT address, display_name FROM users ORDER BY address")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(rows::user).collect()
}

pub(crate) async fn insert_token(
    conn: &mut Connection,
    user_address: &str,
    token_hash: &str,
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<(), StoreError> {
    if user(conn, user_address).await?.is_none() {
        return Err(StoreError::not_found("user", user_address));
    }
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, user_address, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_address)
    .bind(micros(now))
    .bind(optional_micros(expires_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn user_by_token_hash(
    conn: &mut Connection,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(
        "SELECT users.address, users.display_name FROM api_tokens \
         JOIN users ON users.address = api_tokens.user_address \
         WHERE api_tokens.token_hash = $1 \
         AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > $2)",
    )
    .bind(token_hash)
    .bind(micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(rows::user).transpose()
}

pub(crate) async fn list_tokens(
    conn: &mut Connection,
    user_address: Option<&str>,
) -> Result<Vec<TokenInfo>, StoreError> {
    let rows = match user_address {
        Some(address) => {
            sqlx::query(
                "SELECT token_hash, user_address, created_at, expires_at FROM api_tokens \
                 WHERE user_address = $1 ORDER BY created_at, token_hash",
            )
            .bind(address)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(
                "SELECT token_hash, user_address, created_at, expires_at FROM api_tokens \
                 ORDER BY user_address, created_at, token_hash",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.iter().map(rows::token).collect()
}

/// Deletes the one token whose hash starts with `id` (lower-case hex,
/// checked by the caller) and returns it.
pub(crate) async fn revoke_token(conn: &mut Connection, id: &str) -> Result<TokenInfo, StoreError> {
    let rows = sqlx::query(
        "SELECT token_hash, user_address, created_at, expires_at FROM api_tokens \
         WHERE token_hash LIKE $1 LIMIT 2",
    )
    .bind(format!("{id}%"))
    .fetch_all(&mut *conn)
    .await?;
    let token = match rows.as_slice() {
        [] => return Err(StoreError::not_found("token", id)),
        [row] => rows::token(row)?,
        _ => {
            return Err(StoreError::invalid(
                "id",
                format!("`{id}` matches more than one token; give more of its characters"),
            ));
        }
    };
    sqlx::query("DELETE FROM api_tokens WHERE token_hash LIKE $1")
        .bind(format!("{id}%"))
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

pub(crate) async fn revoke_user_tokens(
    conn: &mut Connection,
    user_address: &str,
) -> Result<u64, StoreError> {
    let result = sqlx::query("DELETE FROM api_tokens WHERE user_address = $1")
        .bind(user_address)
        .execute(&mut *conn)
        .await?;
    Ok(result.rows_affected())
}
