//! The web UI: static HTML, CSS and JavaScript (ES modules) compiled into
//! the binary and served at `/ui/`, with `/` redirecting there.
//!
//! The assets contain no data, so they are served without a token. The
//! page signs in with an API token that the user pastes, and every data
//! request goes through the authenticated `/api/v1` endpoints. Each
//! response carries a Content-Security-Policy that allows scripts, styles
//! and requests from this origin only, with no inline script or style.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::AppState;

/// Content-Security-Policy of every UI response. `style-src 'self'` rejects
/// `style` attributes in markup, while the scripts may still set style
/// properties through the DOM, which is how bookings are positioned.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Asset names are not versioned, so browsers revalidate each one with its
/// `ETag` and get 304 while it is unchanged.
const CACHE_CONTROL: &str = "no-cache";

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// One file of the UI.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

/// Every file of the UI; `index.html` is served at `/ui/`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: HTML,
        body: include_str!("../ui/index.html"),
    },
    Asset {
        name: "style.css",
        content_type: CSS,
        body: include_str!("../ui/style.css"),
    },
    Asset {
        name: "app.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/app.js"),
    },
    Asset {
        name: "api.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/api.js"),
    },
    Asset {
        name: "dom.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/dom.js"),
    },
    Asset {
        name: "time.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/time.js"),
    },
    Asset {
        name: "timeline.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/timeline.js"),
    },
    Asset {
        name: "booking-dialog.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/booking-dialog.js"),
    },
    Asset {
        name: "details-dialog.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/details-dialog.js"),
    },
    Asset {
        name: "history.js",
        content_type: JAVASCRIPT,
        body: include_str!("../ui/history.js"),
    },
    Asset {
        name: "icon.svg",
        content_type: SVG,
        body: include_str!("../ui/icon.svg"),
    },
];

/// Builds the routes of the UI: `/` and `/ui` redirect to `/ui/`, which
/// serves the page, and `/ui/{file}` serves the other assets.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(redirect_to_ui))
        .route("/ui", get(redirect_to_ui))
        .route("/ui/", get(index))
        .route("/ui/{file}", get(asset))
        .layer(axum::middleware::map_response(add_security_headers))
}

async fn redirect_to_ui() -> Redirect {
    Redirect::to("/ui/")
}

async fn index(headers: HeaderMap) -> Response {
    serve_asset("index.html", &headers)
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    serve_asset(&file, &headers)
}

/// Serves the asset `name` with its content type and `ETag`, 304 when
/// `If-None-Match` names that tag, or 404 for an unknown name.
fn serve_asset(name: &str, request_headers: &HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|asset| asset.name == name) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "not found\n",
        )
            .into_response();
    };
    let asset = &ASSETS[index];
    let etag = &entity_tags()[index];
    let headers = [
        (header::CONTENT_TYPE, asset.content_type),
        (header::ETAG, etag.as_str()),
    ];
    if if_none_match(request_headers, etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (headers, asset.body).into_response()
}

/// Returns the strong `ETag` of each asset, in the order of [`ASSETS`]: the
/// first 16 hexadecimal digits of the SHA-256 of its content.
fn entity_tags() -> &'static [String] {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    TAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let digest = Sha256::digest(asset.body.as_bytes());
                let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!("\"{hex}\"")
            })
            .collect()
    })
}

/// Reports whether `If-None-Match` lists `etag` or is `*`. A weak tag
/// (`W/"..."`) matches too, because RFC 9110 compares `If-None-Match`
/// weakly.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// Adds the caching and security headers to every UI response, redirects
/// and 404s included.
async fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, CACHE_CONTROL),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_are_unique() {
        let mut names: Vec<&str> = ASSETS.iter().map(|asset| asset.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ASSETS.len());
    }

    #[test]
    fn if_none_match_lists_and_wildcard() {
        let tag = "\"0123456789abcdef\"";
        let cases = [
            ("\"0123456789abcdef\"", true),
            ("\"other\", \"0123456789abcdef\"", true),
            ("W/\"0123456789abcdef\"", true),
            ("*", true),
            ("\"other\"", false),
            ("0123456789abcdef", false),
        ];
        for (header_value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::IF_NONE_MATCH,
                HeaderValue::from_static(header_value),
            );
            assert_eq!(if_none_match(&headers, tag), expected, "{header_value}");
        }
        assert!(!if_none_match(&HeaderMap::new(), tag));
    }
}
