//! The outbox: booking changes waiting for the sync engine.

use jiff::{SignedDuration, Timestamp};
use roombridge_domain::OutboxRecord;
use uuid::Uuid;

use super::{Db, POSTGRES, rows};
use crate::StoreError;
use crate::codec::micros;

type Connection = <Db as sqlx::Database>::Connection;

/// Claims up to `$3` records that are due at `$1`, or whose claim lapsed,
/// until `$2`. A record waits while an earlier record of the same booking is
/// open, so each booking's changes reach Exchange in order. PostgreSQL
/// skips rows that another instance is claiming at the same moment.
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET state = 'claimed', claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT candidate.id FROM outbox AS candidate \
             WHERE ((candidate.state = 'pending' AND candidate.next_attempt_at <= $1) \
             OR (candidate.state = 'claimed' AND candidate.claimed_until <= $1)) \
             AND NOT EXISTS (SELECT 1 FROM outbox AS earlier \
             WHERE earlier.booking_id = candidate.booking_id AND earlier.id < candidate.id \
             AND earlier.state IN ('pending', 'claimed')) \
             ORDER BY candidate.id LIMIT $3",
            $lock,
            ") RETURNING id, booking_id, kind, booking_version, previous_room, state, attempts, \
             last_error, next_attempt_at, claimed_until, created_at"
        )
    };
}

pub(crate) async fn claim(
    conn: &mut Connection,
    limit: u32,
    lease: SignedDuration,
    now: Timestamp,
) -> Result<Vec<OutboxRecord>, StoreError> {
    let sql = if POSTGRES {
        claim_sql!(" FOR UPDATE SKIP LOCKED")
    } else {
        claim_sql!("")
    };
    let claimed_until = now.saturating_add(lease).map_err(|error| {
        StoreError::Database(format!("invalid outbox lease {lease:#}: {error}"))
    })?;
    let rows = sqlx::query(sql)
        .bind(micros(now))
        .bind(micros(claimed_until))
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
    let mut records: Vec<OutboxRecord> = rows
        .iter()
        .map(rows::outbox_record)
        .collect::<Result<_, _>>()?;
    records.sort_by_key(|record| record.id);
    Ok(records)
}

/// Moves a claimed record to `state`, returning whether it was claimed.
pub(crate) async fn finish(
    conn: &mut Connection,
    id: i64,
    state: &'static str,
    error: Option<&str>,
    next_attempt_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE outbox SET state = $2, last_error = COALESCE($3, last_error), \
         next_attempt_at = COALESCE($4, next_attempt_at), claimed_until = NULL, \
         completed_at = CASE WHEN $2 = 'done' THEN $5 ELSE completed_at END \
         WHERE id = $1 AND state = 'claimed'",
    )
    .bind(id)
    .bind(state)
    .bind(error)
    .bind(next_attempt_at.map(micros))
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub(crate) async fn for_booking(
    conn: &mut Connection,
    booking_id: Uuid,
) -> Result<Vec<OutboxRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, booking_id, kind, booking_version, previous_room, state, attempts, \
         last_error, next_attempt_at, claimed_until, created_at FROM outbox \
         WHERE booking_id = $1 ORDER BY id",
    )
    .bind(booking_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(rows::outbox_record).collect()
}
