//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::handlers::{bookings, me, rooms, sync};
use crate::requests::{AttendeeRequest, CreateBookingRequest, PatchBookingRequest};
use crate::views::{
    AttendeeView, AvailabilityView, BookingView, BusyView, FieldChangeView, HistoryEntryView,
    RoomView, UserView, Visibility,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "roombridge",
        description = "Meeting-room bookings kept in two-way sync with Microsoft Exchange. \
                       Every endpoint needs `Authorization: Bearer TOKEN`."
    ),
    paths(
        me::me,
        rooms::list_rooms,
        rooms::room_bookings,
        rooms::room_availability,
        bookings::create_booking,
        bookings::get_booking,
        bookings::patch_booking,
        bookings::delete_booking,
        bookings::booking_history,
        sync::run_sync,
        sync::list_outbox,
    ),
    components(schemas(
        BookingView,
        AttendeeView,
        Visibility,
        RoomView,
        UserView,
        AvailabilityView,
        BusyView,
        HistoryEntryView,
        FieldChangeView,
        CreateBookingRequest,
        PatchBookingRequest,
        AttendeeRequest,
        ErrorBody,
        ErrorDetail,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "users", description = "The authenticated user"),
        (name = "rooms", description = "Rooms, their bookings and busy intervals"),
        (name = "bookings", description = "Creating, reading, changing and deleting bookings"),
        (name = "sync", description = "Manual sync runs and the outbox of changes for Exchange"),
    )
)]
struct ApiDoc;

/// Registers the `bearer` security scheme the paths refer to.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Returns the OpenAPI document of the API.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
