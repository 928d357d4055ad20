-- State of the sync engine. Instants are microseconds since the Unix epoch.

-- One row per room: the opaque cursor of the room calendar's change feed
-- (an EWS sync state or a Graph delta link) and the window whose recurring
-- meetings were expanded last.
CREATE TABLE room_sync_states (
    room          TEXT PRIMARY KEY NOT NULL REFERENCES rooms (address),
    cursor        TEXT,
    window_start  BIGINT,
    window_end    BIGINT,
    synced_at     BIGINT NOT NULL
);

-- Items of a room calendar as the change feed reported them: a deletion
-- names only the item id, so the UID it stood for is kept here.
CREATE TABLE room_items (
    room      TEXT NOT NULL REFERENCES rooms (address),
    item_id   TEXT NOT NULL,
    uid       TEXT NOT NULL,
    is_series BOOLEAN NOT NULL,
    PRIMARY KEY (room, item_id)
);

CREATE INDEX room_items_uid ON room_items (room, uid);

-- The field values roombridge and Exchange last agreed on, per booking,
-- as JSON: the base of echo suppression and of two-sided conflict checks.
CREATE TABLE sync_snapshots (
    booking_id UUID PRIMARY KEY NOT NULL REFERENCES bookings (id),
    snapshot   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
