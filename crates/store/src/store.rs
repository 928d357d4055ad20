//! The [`Store`] handle and its public operations.

use std::str::FromStr;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use roombridge_domain::{
    Actor, Booking, BookingPatch, BookingStatus, BusyInterval, ExchangeChange, ExchangeLink,
    ExternalBooking, FieldError, HistoryEntry, Limits, NewBooking, Origin, OutboxRecord, Room,
    User, is_valid_address, normalize_address,
};
use sqlx::ConnectOptions;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use uuid::Uuid;

use crate::codec::{self, truncate};
use crate::dispatch::{read_only, write_transaction};
use crate::{StoreError, TokenInfo, migrations, token};

/// How long a claimed outbox record stays with the instance that claimed
/// it. After that another instance may claim it again.
pub const OUTBOX_LEASE: SignedDuration = SignedDuration::from_mins(5);

/// Number of bookings [`Store::list_bookings`] returns when the filter sets
/// no limit.
pub const DEFAULT_LIST_LIMIT: u32 = 1_000;

/// Number of SQLite connections for reads.
const SQLITE_READERS: u32 = 8;

/// How long opening the first PostgreSQL connection may take.
const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an SQLite connection waits for another process's write lock.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Criteria for [`Store::list_bookings`]. Empty criteria match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingFilter {
    /// Only bookings of this room.
    pub room: Option<String>,
    /// Only bookings organised by this address.
    pub organizer: Option<String>,
    /// Only internal or only external bookings.
    pub origin: Option<Origin>,
    /// Only bookings in this state.
    pub status: Option<BookingStatus>,
    /// Only bookings ending after this instant.
    pub from: Option<Timestamp>,
    /// Only bookings starting before this instant.
    pub to: Option<Timestamp>,
    /// Whether deleted bookings are included.
    pub include_deleted: bool,
    /// Maximum number of bookings, [`DEFAULT_LIST_LIMIT`] when unset.
    pub limit: Option<u32>,
}

/// Summary of the rooms table from [`Store::rooms_version`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomsVersion {
    rooms: i64,
    latest: Option<i64>,
}

/// Outcome of [`Store::upsert_external_booking`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalUpsert {
    /// Stored a booking not seen before.
    Created(Booking),
    /// Changed a known external booking.
    Updated(Booking),
    /// Found the external booking as it was; at most its Exchange link was
    /// refreshed.
    Unchanged(Booking),
    /// The item is the room's copy of a booking made in roombridge, which
    /// was left untouched.
    Internal(Booking),
}

#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite {
        /// The one connection that writes. Writers of this process queue for
        /// it instead of polling SQLite's busy handler, and its page cache
        /// stays valid because no other connection of the process writes.
        writer: SqlitePool,
        /// Connections for reads, which WAL mode runs beside the writer.
        readers: SqlitePool,
    },
    Postgres {
        pool: PgPool,
    },
}

/// Handle to the database; cheap to clone and share between tasks.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    limits: Limits,
}

impl std::fmt::Debug for Store {
    // The connection URL can hold a password, so only the kind is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("database", &self.database_kind())
            .field("limits", &self.limits)
            .finish()
    }
}

impl Store {
    /// Connects to the database that `url` names: `sqlite:PATH` (the file
    /// is created on first start, in WAL mode with foreign keys on) or
    /// `postgres://…`. Call [`Store::migrate`] before other operations.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::InvalidUrl`] for any other URL and
    /// [`StoreError::Database`] when the database cannot be opened.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            // The pool retries a failed connection until its acquire timeout
            // (30 seconds) and then reports only that it timed out. One
            // direct connection first reports the cause at once, such as a
            // refused connection or a failed password check.
            let probe = tokio::time::timeout(POSTGRES_CONNECT_TIMEOUT, options.connect())
                .await
                .map_err(|_| {
                    StoreError::Database(format!(
                        "connecting to PostgreSQL timed out after {} seconds; check the host \
                         and port in the URL and that the server accepts connections",
                        POSTGRES_CONNECT_TIMEOUT.as_secs()
                    ))
                })??;
            probe.close().await?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .connect_with(options)
                .await?;
            Backend::Postgres { pool }
        } else if url.starts_with("sqlite:") {
            let options = sqlite_options(url)?;
            // The writer connects first, so that it creates the file and
            // switches it to WAL mode before any reader opens it.
            let writer = sqlite_pool(options.clone(), 1).await?;
            let readers = sqlite_pool(options, SQLITE_READERS).await?;
            Backend::Sqlite { writer, readers }
        } else {
            // Only the scheme is shown, because the rest can hold a password.
            let found = match url.split_once(':') {
                Some((scheme, _)) => format!("scheme `{scheme}`"),
                None => "no scheme".to_owned(),
            };
            return Err(StoreError::InvalidUrl(format!(
                "expected `sqlite:PATH` or `postgres://USER@HOST/DATABASE`, but found {found}"
            )));
        };
        Ok(Store {
            backend,
            limits: Limits::default(),
        })
    }

    /// Returns the store with `limits` for validating bookings.
    pub fn with_limits(mut self, limits: Limits) -> Store {
        self.limits = limits;
        self
    }

    /// Returns the limits bookings are validated against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Returns `sqlite` or `postgres`.
    pub fn database_kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    /// Applies the migrations that the database lacks. On PostgreSQL,
    /// instances starting at once take turns through an advisory lock.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when a migration fails or the
    /// database contains a migration this build does not know.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        match &self.backend {
            Backend::Sqlite { writer, .. } => migrations::sqlite().run(writer).await?,
            Backend::Postgres { pool } => migrations::postgres().run(pool).await?,
        }
        tracing::info!(
            target: "roombridge::store",
            database = self.database_kind(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "database schema is up to date"
        );
        Ok(())
    }

    /// Closes every connection; pending operations finish first.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { writer, readers } => {
                writer.close().await;
                readers.close().await;
            }
            Backend::Postgres { pool } => pool.close().await,
        }
    }

    /// Creates the room or replaces its fields; the address is normalized to
    /// lower case.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Invalid`] for a malformed address or an empty
    /// display name.
    pub async fn upsert_room(&self, room: Room) -> Result<Room, StoreError> {
        let room = Room {
            address: normalize_address(&room.address),
            ..room
        };
        let mut errors = Vec::new();
        check_address(&room.address, &mut errors);
        check_display_name(&room.display_name, &mut errors);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let now = codec::now();
        write_transaction!(self, people::upsert_room(&room, now))?;
        Ok(room)
    }

    /// Creates or replaces every room of `rooms` in one transaction, like
    /// [`Store::upsert_room`] for each but with one commit.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Invalid`] listing every malformed address and
    /// empty display name, each field named `rooms[INDEX].FIELD`. Nothing
    /// is saved then.
    pub async fn upsert_rooms(&self, rooms: Vec<Room>) -> Result<Vec<Room>, StoreError> {
        let mut errors = Vec::new();
        let rooms: Vec<Room> = rooms
            .into_iter()
            .enumerate()
            .map(|(index, room)| {
                let room = Room {
                    address: normalize_address(&room.address),
                    ..room
                };
                let mut found = Vec::new();
                check_address(&room.address, &mut found);
                check_display_name(&room.display_name, &mut found);
                errors.extend(found.into_iter().map(|error| FieldError {
                    field: format!("rooms[{index}].{}", error.field),
                    ..error
                }));
                room
            })
            .collect();
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let now = codec::now();
        write_transaction!(self, people::upsert_rooms(&rooms, now))?;
        Ok(rooms)
    }

    /// Lists every room, ordered by address.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn list_rooms(&self) -> Result<Vec<Room>, StoreError> {
        read_only!(self, people::list_rooms())
    }

    /// Returns a value that changes whenever a room is added, changed or
    /// removed: the number of rooms and the latest change. Callers keep a
    /// copy of the room list and read it again only when this changes.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn rooms_version(&self) -> Result<RoomsVersion, StoreError> {
        let (rooms, latest) = read_only!(self, people::rooms_version())?;
        Ok(RoomsVersion { rooms, latest })
    }

    /// Returns the room with this address, if any.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn room(&self, address: &str) -> Result<Option<Room>, StoreError> {
        let address = normalize_address(address);
        read_only!(self, people::room(&address))
    }

    /// Creates the user or replaces the display name; the address is
    /// normalized to lower case.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Invalid`] for a malformed address or an empty
    /// display name.
    pub async fn upsert_user(&self, user: User) -> Result<User, StoreError> {
        let user = User {
            address: normalize_address(&user.address),
            ..user
        };
        let mut errors = Vec::new();
        check_address(&user.address, &mut errors);
        check_display_name(&user.display_name, &mut errors);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let now = codec::now();
        write_transaction!(self, people::upsert_user(&user, now))?;
        Ok(user)
    }

    /// Returns the user with this address, if any.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn user(&self, address: &str) -> Result<Option<User>, StoreError> {
        let address = normalize_address(address);
        read_only!(self, people::user(&address))
    }

    /// Lists every user, ordered by address.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        read_only!(self, people::list_users())
    }

    /// Creates an API token for the user and returns it. The token is
    /// returned only here: the database keeps its SHA-256 hash.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when the user does not exist.
    pub async fn create_token(&self, user_address: &str) -> Result<String, StoreError> {
        self.create_token_until(user_address, None).await
    }

    /// Creates an API token that stops working at `expires_at` (never when
    /// `None`) and returns it, as [`Store::create_token`] does.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when the user does not exist and
    /// [`StoreError::Invalid`] when `expires_at` is not in the future.
    pub async fn create_token_until(
        &self,
        user_address: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<String, StoreError> {
        let address = normalize_address(user_address);
        let now = codec::now();
        if let Some(expires_at) = expires_at
            && expires_at <= now
        {
            return Err(StoreError::invalid(
                "expires_at",
                format!("expected a time after now ({now}), but found {expires_at}"),
            ));
        }
        let token = token::generate()?;
        let hash = token::hash(&token);
        let expires_at = expires_at.map(codec::truncate);
        write_transaction!(self, people::insert_token(&address, &hash, now, expires_at))?;
        Ok(token)
    }

    /// Returns the user the token belongs to, or `None` for an unknown,
    /// revoked or expired token.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        let hash = token::hash(token);
        let now = codec::now();
        read_only!(self, people::user_by_token_hash(&hash, now))
    }

    /// Lists the tokens of one user, or of every user, expired ones
    /// included, without the tokens themselves.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn list_tokens(
        &self,
        user_address: Option<&str>,
    ) -> Result<Vec<TokenInfo>, StoreError> {
        let address = user_address.map(normalize_address);
        read_only!(self, people::list_tokens(address.as_deref()))
    }

    /// Deletes one token, named by its id from [`Store::list_tokens`] (at
    /// least [`crate::MIN_TOKEN_ID_CHARS`] of its hex digits) or by the
    /// token itself, and returns it.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Invalid`] for a malformed id or one that
    /// matches several tokens, and [`StoreError::NotFound`] when none
    /// matches.
    pub async fn revoke_token(&self, id_or_token: &str) -> Result<TokenInfo, StoreError> {
        let prefix = token::revocation_prefix(id_or_token)?;
        write_transaction!(self, people::revoke_token(&prefix))
    }

    /// Deletes every token of a user and returns how many there were.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn revoke_user_tokens(&self, user_address: &str) -> Result<u64, StoreError> {
        let address = normalize_address(user_address);
        write_transaction!(self, people::revoke_user_tokens(&address))
    }

    /// Validates the request, checks the room for overlapping blocking
    /// bookings (external ones included) and stores a confirmed internal
    /// booking with its history entry and `create` outbox record.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Invalid`] listing every invalid field (an
    /// unknown room included), or [`StoreError::Conflict`] with the
    /// overlapping bookings.
    pub async fn create_booking(
        &self,
        request: NewBooking,
        actor: &Actor,
    ) -> Result<Booking, StoreError> {
        let request = NewBooking {
            start: truncate(request.start),
            end: truncate(request.end),
            ..request
        };
        let room = request.room.clone();
        let request = match request.validate(&self.limits) {
            Ok(request) => request,
            Err(errors) => {
                return self
                    .add_unknown_room(Some(&room), Err(StoreError::Invalid(errors)))
                    .await;
            }
        };
        let now = codec::now();
        write_transaction!(self, bookings::create(request, actor, now))
    }

    /// Adds an unknown `room` to the field errors of a rejected request, so
    /// that one response lists every problem. The room is otherwise checked
    /// only once the other fields are valid.
    async fn add_unknown_room(
        &self,
        room: Option<&str>,
        result: Result<Booking, StoreError>,
    ) -> Result<Booking, StoreError> {
        let Err(StoreError::Invalid(mut errors)) = result else {
            return result;
        };
        if let Some(room) = room
            && !errors.iter().any(|error| error.field == "room")
        {
            let room = normalize_address(room);
            if is_valid_address(&room) && self.room(&room).await?.is_none() {
                errors.insert(
                    0,
                    FieldError::new("room", crate::error::unknown_room_message(&room)),
                );
            }
        }
        Err(StoreError::Invalid(errors))
    }

    /// Returns the booking, deleted or not.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn booking(&self, id: Uuid) -> Result<Option<Booking>, StoreError> {
        read_only!(self, bookings::fetch(id, false))
    }

    /// Applies the patch when the booking is still at `expected_version`,
    /// and stores the change with its history entry and `update` outbox
    /// record. A patch that changes nothing returns the booking as it is.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`], [`StoreError::StaleVersion`] with
    /// the current version, [`StoreError::External`] or
    /// [`StoreError::Deleted`] for bookings that cannot change,
    /// [`StoreError::Invalid`] and [`StoreError::Conflict`].
    pub async fn update_booking(
        &self,
        id: Uuid,
        expected_version: i64,
        patch: &BookingPatch,
        actor: &Actor,
    ) -> Result<Booking, StoreError> {
        let patch = &BookingPatch {
            start: patch.start.map(truncate),
            end: patch.end.map(truncate),
            ..patch.clone()
        };
        let now = codec::now();
        // The macro returns errors with `?`, so it runs in a block of its own.
        let result = async {
            write_transaction!(
                self,
                bookings::update(Update {
                    id,
                    expected_version,
                    patch,
                    actor,
                    limits: &self.limits,
                    now,
                })
            )
        }
        .await;
        self.add_unknown_room(patch.room.as_deref(), result).await
    }

    /// Marks the booking deleted (it stays readable) and stores the change
    /// with its history entry and `delete` outbox record. With
    /// `expected_version`, the booking must still be at that version.
    /// Deleting a deleted booking returns it unchanged.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`], [`StoreError::StaleVersion`] or
    /// [`StoreError::External`].
    pub async fn delete_booking(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<Booking, StoreError> {
        let now = codec::now();
        write_transaction!(self, bookings::delete(id, expected_version, actor, now))
    }

    /// Lists the bookings of a room that overlap `[from, to)`, of every
    /// status but not deleted, ordered by start.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn bookings_in_room(
        &self,
        room: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Booking>, StoreError> {
        let room = normalize_address(room);
        read_only!(self, bookings::in_room(&room, from, to))
    }

    /// Lists the intervals within `[from, to)` during which the room is
    /// taken, one per blocking booking (internal and external), ordered by
    /// start. Intervals may overlap each other when Exchange accepted
    /// overlapping meetings; `roombridge_domain::merge_intervals` joins them.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn busy_intervals(
        &self,
        room: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<BusyInterval>, StoreError> {
        let room = normalize_address(room);
        read_only!(self, bookings::busy(&room, from, to))
    }

    /// Lists bookings that match the filter, ordered by start.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn list_bookings(&self, filter: &BookingFilter) -> Result<Vec<Booking>, StoreError> {
        let filter = BookingFilter {
            room: filter.room.as_deref().map(normalize_address),
            organizer: filter.organizer.as_deref().map(normalize_address),
            ..filter.clone()
        };
        read_only!(self, bookings::list(&filter))
    }

    /// Lists the history of a booking, oldest first.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when the booking does not exist.
    pub async fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, StoreError> {
        if self.booking(id).await?.is_none() {
            return Err(StoreError::not_found("booking", id));
        }
        read_only!(self, bookings::history(id))
    }

    /// Stores a booking read from a room calendar, matched to an earlier
    /// copy by room, UID and recurrence id. It is stored without a conflict
    /// check, because Exchange accepted it, and without an outbox record.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Invalid`] without a UID and
    /// [`StoreError::NotFound`] for an unknown room.
    pub async fn upsert_external_booking(
        &self,
        external: ExternalBooking,
    ) -> Result<ExternalUpsert, StoreError> {
        let exchange = ExchangeLink {
            recurrence_id: external.exchange.recurrence_id.map(truncate),
            last_modified: external.exchange.last_modified.map(truncate),
            ..external.exchange
        };
        let external = ExternalBooking {
            room: normalize_address(&external.room),
            organizer: normalize_address(&external.organizer),
            start: truncate(external.start),
            end: truncate(external.end),
            exchange,
            ..external
        };
        let now = codec::now();
        write_transaction!(self, external::upsert(external, now))
    }

    /// Returns the booking of the room whose Exchange meeting has this UID
    /// and recurrence id, internal or external.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn booking_by_exchange_id(
        &self,
        room: &str,
        uid: &str,
        recurrence_id: Option<Timestamp>,
    ) -> Result<Option<Booking>, StoreError> {
        let room = normalize_address(room);
        read_only!(
            self,
            external::find_by_exchange_id(&room, uid, recurrence_id)
        )
    }

    /// Stores a change that the sync engine read from Exchange for a known
    /// booking, internal or external: an edit made in Outlook, the room's
    /// response, new identifiers. It is stored as Exchange reports it, without
    /// validation or conflict check, with a history entry from the
    /// `exchange` side and no outbox record. A change that changes nothing
    /// returns the booking as it is.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when the booking does not exist.
    pub async fn apply_exchange_change(
        &self,
        id: Uuid,
        change: &ExchangeChange,
    ) -> Result<Booking, StoreError> {
        let patch = BookingPatch {
            start: change.patch.start.map(truncate),
            end: change.patch.end.map(truncate),
            ..change.patch.clone()
        };
        let change = ExchangeChange {
            patch,
            ..change.clone()
        };
        let now = codec::now();
        write_transaction!(self, external::apply_change(id, &change, now))
    }

    /// Replaces the Exchange identifiers of a booking after the sync engine
    /// pushed or read it. The version stays, because the booking's content
    /// did not change.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when the booking does not exist.
    pub async fn set_exchange_link(&self, id: Uuid, link: &ExchangeLink) -> Result<(), StoreError> {
        let found = write_transaction!(self, bookings::write_exchange_link(id, link))?;
        if found {
            Ok(())
        } else {
            Err(StoreError::not_found("booking", id))
        }
    }

    /// Claims up to `limit` due outbox records for [`OUTBOX_LEASE`], oldest
    /// first. Records of one booking are handed out one at a time, in order.
    /// Instances sharing a PostgreSQL database never claim the same record.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn claim_outbox(&self, limit: u32) -> Result<Vec<OutboxRecord>, StoreError> {
        let now = codec::now();
        write_transaction!(self, outbox::claim(limit, OUTBOX_LEASE, now))
    }

    /// Marks a claimed record as pushed to Exchange.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when no claimed record has this id.
    pub async fn complete_outbox(&self, id: i64) -> Result<(), StoreError> {
        let now = codec::now();
        let found = write_transaction!(self, outbox::finish(id, "done", None, None, now))?;
        claimed_or_not_found(found, id)
    }

    /// Returns a claimed record to the queue after a failed attempt, to be
    /// claimed again from `next_attempt_at`. `error` must hold no secret.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when no claimed record has this id.
    pub async fn fail_outbox(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: Timestamp,
    ) -> Result<(), StoreError> {
        let now = codec::now();
        let found = write_transaction!(
            self,
            outbox::finish(id, "pending", Some(error), Some(next_attempt_at), now)
        )?;
        claimed_or_not_found(found, id)
    }

    /// Gives up on a claimed record; it stays parked for an operator.
    /// `error` must hold no secret.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::NotFound`] when no claimed record has this id.
    pub async fn park_outbox(&self, id: i64, error: &str) -> Result<(), StoreError> {
        let now = codec::now();
        let found = write_transaction!(self, outbox::finish(id, "parked", Some(error), None, now))?;
        claimed_or_not_found(found, id)
    }

    /// Lists every outbox record of a booking, oldest first.
    ///
    /// # Errors
    ///
    /// Returns [`StoreError::Database`] when the query fails.
    pub async fn outbox_for_booking(&self, id: Uuid) -> Result<Vec<OutboxRecord>, StoreError> {
        read_only!(self, outbox::for_booking(id))
    }
}

/// The arguments of a booking update.
pub(crate) struct Update<'a> {
    pub(crate) id: Uuid,
    pub(crate) expected_version: i64,
    pub(crate) patch: &'a BookingPatch,
    pub(crate) actor: &'a Actor,
    pub(crate) limits: &'a Limits,
    pub(crate) now: Timestamp,
}

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| StoreError::InvalidUrl(format!("{error}: expected `sqlite:PATH`")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // In WAL mode, NORMAL keeps the database consistent after a crash
        // and may lose only the last commits on power loss.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true);
    Ok(options)
}

async fn sqlite_pool(
    options: SqliteConnectOptions,
    connections: u32,
) -> Result<SqlitePool, StoreError> {
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        // A connection to a local file cannot drop like a network
        // connection, so the liveness query before each use is skipped.
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    Ok(pool)
}

fn check_address(address: &str, errors: &mut Vec<FieldError>) {
    if !is_valid_address(address) {
        errors.push(FieldError::new(
            "address",
            format!(
                "invalid address `{address}`: expected a mailbox address such as `room@example.com`"
            ),
        ));
    }
}

fn check_display_name(name: &str, errors: &mut Vec<FieldError>) {
    if name.trim().is_empty() {
        errors.push(FieldError::new(
            "display_name",
            "missing display name: expected a non-empty name".to_owned(),
        ));
    }
    // PostgreSQL rejects U+0000 in text, and EWS cannot send control
    // characters in XML 1.0.
    if let Some(control) = name.chars().find(|c| c.is_control()) {
        errors.push(FieldError::new(
            "display_name",
            format!(
                "invalid display name: it contains the control character U+{:04X}; remove it",
                u32::from(control)
            ),
        ));
    }
}

fn claimed_or_not_found(found: bool, id: i64) -> Result<(), StoreError> {
    if found {
        Ok(())
    } else {
        Err(StoreError::not_found("claimed outbox record", id))
    }
}
