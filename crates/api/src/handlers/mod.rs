//! Request handlers, one module per resource.

pub(crate) mod bookings;
pub(crate) mod me;
pub(crate) mod rooms;
pub(crate) mod sync;
pub(crate) mod system;
