//! Domain types of roombridge: rooms, users, bookings, their validation,
//! history and the outbox records that the sync engine consumes.
//!
//! This crate performs no I/O. Storage lives in `roombridge-store`, the REST
//! API in `roombridge-api` and everything Exchange-specific in
//! `roombridge-ews` and the sync engine.

mod address;
mod booking;
mod history;
mod interval;
mod outbox;
mod room;
mod validation;

pub use address::{MAX_ADDRESS_LEN, is_valid_address, normalize_address};
pub use booking::{
    Attendee, AttendeeRole, Booking, BookingStatus, ExchangeChange, ExchangeLink, ExternalBooking,
    Origin,
};
pub use history::{Actor, FieldChange, HistoryAction, HistoryEntry, Side};
pub use interval::{BusyInterval, merge_intervals, overlaps};
pub use outbox::{OutboxKind, OutboxRecord, OutboxState};
pub use room::{ResponseMode, Room, User};
pub use validation::{BookingPatch, FieldError, Limits, NewBooking};
