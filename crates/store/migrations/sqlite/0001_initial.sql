-- Instants are microseconds since the Unix epoch (UTC) in INTEGER columns.
-- Bookings are keyed by their UUID alone (WITHOUT ROWID), which saves the
-- separate primary key index on every insert.

CREATE TABLE rooms (
    address       TEXT PRIMARY KEY NOT NULL,
    display_name  TEXT NOT NULL,
    capacity      INTEGER,
    location      TEXT,
    response_mode TEXT NOT NULL CHECK (response_mode IN ('auto-accept', 'accept-as-room')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE users (
    address      TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_address TEXT NOT NULL REFERENCES users (address) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL
);

CREATE TABLE bookings (
    id                      BLOB PRIMARY KEY NOT NULL,
    room                    TEXT NOT NULL REFERENCES rooms (address),
    organizer               TEXT NOT NULL,
    subject                 TEXT NOT NULL,
    body                    TEXT NOT NULL,
    start_at                INTEGER NOT NULL,
    end_at                  INTEGER NOT NULL,
    time_zone               TEXT NOT NULL,
    all_day                 BOOLEAN NOT NULL,
    attendees               TEXT NOT NULL,
    origin                  TEXT NOT NULL CHECK (origin IN ('internal', 'external')),
    status                  TEXT NOT NULL
        CHECK (status IN ('confirmed', 'tentative', 'declined', 'cancelled')),
    declined_reason         TEXT,
    deleted_at              INTEGER,
    version                 INTEGER NOT NULL,
    exchange_uid            TEXT,
    exchange_recurrence_id  INTEGER,
    organizer_item_id       TEXT,
    organizer_change_key    TEXT,
    room_item_id            TEXT,
    room_change_key         TEXT,
    exchange_last_modified  INTEGER,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CHECK (end_at >= start_at)
);

-- Availability and conflict checks: bookings of one room ending after an
-- instant. Future bookings are few compared with past ones.
CREATE INDEX bookings_room_end ON bookings (room, end_at);
CREATE INDEX bookings_organizer ON bookings (organizer, start_at);
CREATE INDEX bookings_exchange_uid ON bookings (exchange_uid, exchange_recurrence_id);

CREATE TABLE booking_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BLOB NOT NULL REFERENCES bookings (id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    side       TEXT NOT NULL CHECK (side IN ('internal', 'exchange')),
    action     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    changes    TEXT NOT NULL
);

CREATE INDEX booking_history_booking ON booking_history (booking_id, id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id      BLOB NOT NULL REFERENCES bookings (id),
    kind            TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete')),
    booking_version INTEGER NOT NULL,
    previous_room   TEXT,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'done', 'parked')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER
);

CREATE INDEX outbox_open ON outbox (state, next_attempt_at) WHERE state IN ('pending', 'claimed');
CREATE INDEX outbox_booking ON outbox (booking_id, id);
