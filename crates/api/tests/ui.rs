//! The web UI's assets and `/api/v1/me` over real HTTP. Every asset is
//! served with its content type, an `ETag` and the security headers. The
//! markup and scripts contain no inline code and no HTML injection sinks.
//! Every API call in the scripts names an endpoint and method that the
//! OpenAPI document lists.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Db, Reply, TestApp};
use http::StatusCode;

on_both_databases!(me_names_token_user);

/// Returns the UI's assets, found by following the page's `src` and `href`
/// attributes and the scripts' `import` statements from `/ui/`.
async fn crawl_assets(app: &TestApp) -> BTreeMap<String, Reply> {
    let mut assets = BTreeMap::new();
    let mut queue = vec!["/ui/".to_owned()];
    while let Some(path) = queue.pop() {
        if assets.contains_key(&path) {
            continue;
        }
        let reply = app.client.get(&path).send().await;
        assert_eq!(reply.status, StatusCode::OK, "GET {path}");
        let text = String::from_utf8_lossy(&reply.body).into_owned();
        for marker in ["src=\"", "href=\""] {
            for link in quoted_after(&text, marker) {
                queue.push(link);
            }
        }
        for module in quoted_after(&text, "from \"./") {
            queue.push(format!("/ui/{module}"));
        }
        assets.insert(path, reply);
    }
    assets
}

/// Returns each text between `marker` and the next `"`.
fn quoted_after(text: &str, marker: &str) -> Vec<String> {
    text.split(marker)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

fn assert_security_headers(path: &str, reply: &Reply) {
    let policy = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(
            policy.contains(directive),
            "{path}: expected `{directive}` in the policy, but found `{policy}`"
        );
    }
    assert!(
        !policy.contains("unsafe"),
        "{path}: the policy allows unsafe sources: `{policy}`"
    );
    assert_eq!(
        reply.header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{path}"
    );
    assert_eq!(
        reply.header("x-frame-options").as_deref(),
        Some("DENY"),
        "{path}"
    );
    assert_eq!(
        reply.header("cache-control").as_deref(),
        Some("no-cache"),
        "{path}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_carry_type_and_headers() {
    let app = TestApp::start(Db::Sqlite, "assets_carry_type_and_headers")
        .await
        .expect("SQLite needs no server");
    let assets = crawl_assets(&app).await;

    let expected_types = [
        (".html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        (".css", "text/css; charset=utf-8"),
        (".js", "text/javascript; charset=utf-8"),
        (".svg", "image/svg+xml"),
    ];
    for (path, reply) in &assets {
        let (_, expected) = expected_types
            .iter()
            .find(|(suffix, _)| path.ends_with(suffix))
            .unwrap_or_else(|| panic!("no expected content type for {path}"));
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some(*expected),
            "{path}"
        );
        assert_security_headers(path, reply);

        // The asset is the file in `crates/api/ui`, byte for byte.
        let name = path.trim_start_matches("/ui/");
        let name = if name.is_empty() { "index.html" } else { name };
        let file = std::fs::read(format!("{}/ui/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|error| panic!("read ui/{name}: {error}"));
        assert_eq!(reply.body.as_ref(), file.as_slice(), "{path}");

        // A revalidation with the ETag gets 304 and no body.
        let etag = reply
            .header("etag")
            .unwrap_or_else(|| panic!("{path} has no ETag"));
        let again = app
            .client
            .get(path)
            .header("if-none-match", &etag)
            .send()
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty(), "{path}");
        assert_security_headers(path, &again);
    }

    // Every file in the folder is reachable from the page, so none is
    // missing from the binary's asset table.
    let served: BTreeSet<String> = assets
        .keys()
        .map(|path| match path.trim_start_matches("/ui/") {
            "" => "index.html".to_owned(),
            name => name.to_owned(),
        })
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(format!("{}/ui", env!("CARGO_MANIFEST_DIR")))
        .expect("list crates/api/ui")
        .map(|entry| entry.expect("a folder entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    assert_eq!(served, on_disk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_redirects_to_ui() {
    let app = TestApp::start(Db::Sqlite, "root_redirects_to_ui")
        .await
        .expect("SQLite needs no server");
    for path in ["/", "/ui"] {
        let reply = app.client.get(path).send().await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.header("location").as_deref(), Some("/ui/"), "{path}");
        assert_security_headers(path, &reply);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_asset_not_found() {
    let app = TestApp::start(Db::Sqlite, "unknown_asset_not_found")
        .await
        .expect("SQLite needs no server");
    for path in [
        "/ui/missing.js",
        "/ui/..%2FCargo.toml",
        "/ui/index.html.bak",
    ] {
        let reply = app.client.get(path).send().await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_security_headers(path, &reply);
    }
    // A nested path matches no UI route and gets the API's JSON 404.
    let nested = app.client.get("/ui/a/b.js").send().await;
    assert_eq!(nested.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_has_no_inline_code() {
    let app = TestApp::start(Db::Sqlite, "markup_has_no_inline_code")
        .await
        .expect("SQLite needs no server");
    let assets = crawl_assets(&app).await;
    let page = String::from_utf8_lossy(&assets["/ui/"].body).into_owned();
    assert!(!page.contains("<style"), "inline <style> in the page");
    assert!(!page.contains(" style="), "a style attribute in the page");
    let script_tags = page.matches("<script").count();
    let external_scripts = page.matches("<script type=\"module\" src=\"/ui/").count();
    assert_eq!(
        script_tags, external_scripts,
        "an inline <script> in the page"
    );
    for attribute in [
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
        "javascript:",
    ] {
        assert!(!page.contains(attribute), "`{attribute}` in the page");
    }

    for (path, reply) in assets.iter().filter(|(path, _)| path.ends_with(".js")) {
        let script = String::from_utf8_lossy(&reply.body);
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ] {
            assert!(!script.contains(sink), "{path} uses `{sink}`");
        }
    }
}

/// Returns the `(METHOD, /api/v1/path)` pairs of the scripts' API calls,
/// written as ``call("METHOD", `/api/v1/...`)`` (line breaks allowed
/// between the arguments), with each `${...}` replaced by `{}` and the
/// query string cut off.
fn api_calls(script: &str) -> Vec<(String, String)> {
    let mut calls = Vec::new();
    for rest in script.split("call(").skip(1) {
        let Some(rest) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some((method, rest)) = rest.split_once('"') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix(',') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('`') else {
            continue;
        };
        let template = rest.split('`').next().unwrap_or_default();
        let template = template.split('?').next().unwrap_or_default();
        calls.push((method.to_owned(), normalize_parameters(template, "${")));
    }
    calls
}

/// Replaces every `{name}` or `${expression}` in a path with `{}`.
fn normalize_parameters(path: &str, opening: &str) -> String {
    let mut normalized = String::new();
    let mut rest = path;
    while let Some(start) = rest.find(opening) {
        normalized.push_str(&rest[..start]);
        normalized.push_str("{}");
        let after = &rest[start..];
        rest = after.find('}').map_or("", |end| &after[end + 1..]);
    }
    normalized.push_str(rest);
    normalized
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ui_calls_documented_endpoints() {
    let app = TestApp::start(Db::Sqlite, "ui_calls_documented_endpoints")
        .await
        .expect("SQLite needs no server");
    let assets = crawl_assets(&app).await;
    let document = app.client.get("/api/v1/openapi.json").send().await.json();
    let mut documented = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            documented.insert((method.to_uppercase(), normalize_parameters(path, "{")));
        }
    }

    let mut used = BTreeSet::new();
    for (path, reply) in assets.iter().filter(|(path, _)| path.ends_with(".js")) {
        let script = String::from_utf8_lossy(&reply.body);
        let calls = api_calls(&script);
        // Every mention of the API is one of the calls read above, so no
        // request escapes the check.
        assert_eq!(
            script.matches("/api/v1/").count(),
            calls.len(),
            "{path} mentions `/api/v1/` outside a `call(\"METHOD\", `...`)`"
        );
        used.extend(calls);
    }
    for call in &used {
        assert!(
            documented.contains(call),
            "the UI calls {} {}, which the OpenAPI document does not list",
            call.0,
            call.1
        );
    }
    for expected in [
        ("GET", "/api/v1/me"),
        ("PATCH", "/api/v1/bookings/{}"),
        ("GET", "/api/v1/bookings/{}/history"),
        ("POST", "/api/v1/sync"),
    ] {
        let expected = (expected.0.to_owned(), expected.1.to_owned());
        assert!(used.contains(&expected), "the UI never calls {expected:?}");
    }
}

async fn me_names_token_user(db: Db) {
    let Some(app) = TestApp::start(db, "me_names_token_user").await else {
        return;
    };
    let token = app.user("alice@example.com").await;

    let anonymous = app.client.get("/api/v1/me").send().await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.header("www-authenticate").is_some());
    let unknown = app.client.get("/api/v1/me").token("nope").send().await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.error_code(), "unauthorized");

    let me = app.client.get("/api/v1/me").token(&token).send().await;
    assert_eq!(me.status, StatusCode::OK);
    let body = me.json();
    assert_eq!(body["address"], "alice@example.com");
    assert_eq!(body["name"], "alice@example.com");
    assert_eq!(body.as_object().expect("an object").len(), 2, "{body}");

    let document = app.client.get("/api/v1/openapi.json").send().await.json();
    assert!(
        document["paths"]["/api/v1/me"]["get"].is_object(),
        "GET /api/v1/me is documented"
    );
    assert!(document["components"]["schemas"]["UserView"].is_object());
}
