//! Bearer-token authentication: `Authorization: Bearer TOKEN` is mapped to
//! a user through the store, which keeps only token hashes. Successful
//! lookups are reused for [`crate::TOKEN_CACHE_TTL`].

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use roombridge_domain::User;

use crate::{ApiError, AppState};

/// The user a request is authenticated as. Extracting it rejects the
/// request with 401 when the token is missing or unknown.
#[derive(Debug, Clone)]
pub struct Authenticated(pub User);

const MISSING: ApiError = ApiError::Unauthorized {
    invalid_token: false,
    message: "missing bearer token; send `Authorization: Bearer TOKEN` with a token from `roombridge token create`",
};

const NOT_BEARER: ApiError = ApiError::Unauthorized {
    invalid_token: false,
    message: "unsupported `Authorization` header; expected `Authorization: Bearer TOKEN` with a token from `roombridge token create`",
};

const UNKNOWN: ApiError = ApiError::Unauthorized {
    invalid_token: true,
    message: "invalid, expired or revoked bearer token; create a new one with `roombridge token create`",
};

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(MISSING);
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|text| text.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty());
        let Some(token) = token else {
            return Err(NOT_BEARER);
        };
        let user = match state.tokens().get(token) {
            Some(user) => user,
            None => {
                let found = state
                    .store()
                    .authenticate_token(token)
                    .await
                    .map_err(ApiError::internal)?;
                let Some(user) = found else {
                    return Err(UNKNOWN);
                };
                state.tokens().insert(token, &user);
                user
            }
        };
        tracing::Span::current().record("user", user.address.as_str());
        Ok(Self(user))
    }
}
