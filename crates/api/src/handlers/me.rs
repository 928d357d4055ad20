//! `/api/v1/me`: the user the request is authenticated as.

use axum::Json;

use crate::auth::Authenticated;
use crate::error::ErrorBody;
use crate::views::UserView;

/// Returns the user the bearer token belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The authenticated user", body = UserView),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
    )
)]
pub(crate) async fn me(Authenticated(user): Authenticated) -> Json<UserView> {
    Json(UserView::from(&user))
}
