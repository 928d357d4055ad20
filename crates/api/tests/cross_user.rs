//! One user against another's booking, over real HTTP on SQLite and
//! PostgreSQL: no reply Bob gets carries Alice's private fields (body and
//! attendees), whatever route he takes, and no request field lets him act
//! as Alice or take over her booking.

mod common;

use common::{Db, ROOM_A, ROOM_B, Reply, TestApp, booking};
use http::StatusCode;
use serde_json::json;

on_both_databases!(
    private_fields_never_reach_others,
    organizer_cannot_be_assigned
);

const PRIVATE_BODY: &str = "Private agenda 5f1e";
const PRIVATE_ATTENDEE: &str = "erin-5f1e@example.com";

/// Fails when a reply to Bob shows Alice's private fields.
fn assert_private(what: &str, reply: &Reply) {
    let text = String::from_utf8_lossy(&reply.body);
    assert!(
        !text.contains(PRIVATE_BODY) && !text.contains(PRIVATE_ATTENDEE),
        "{what} ({}) shows Alice's private fields: {text}",
        reply.status
    );
}

async fn private_fields_never_reach_others(db: Db) {
    let Some(app) = TestApp::start(db, "private_fields_never_reach_others").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let bob = app.user("bob@example.com").await;
    let mut request = booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
    request["body"] = json!(PRIVATE_BODY);
    request["attendees"] = json!([{ "address": PRIVATE_ATTENDEE, "name": "Erin" }]);
    let created = app.create(&alice, &request).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/bookings/{id}");

    let mut replies = Vec::new();
    replies.push(("GET", app.client.get(&path).token(&bob).send().await));
    replies.push((
        "room listing",
        app.client
            .get(&format!(
                "/api/v1/rooms/{ROOM_A}/bookings?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z"
            ))
            .token(&bob)
            .send()
            .await,
    ));
    replies.push((
        "history",
        app.client
            .get(&format!("{path}/history"))
            .token(&bob)
            .send()
            .await,
    ));
    replies.push((
        "outbox",
        app.client.get("/api/v1/outbox").token(&bob).send().await,
    ));
    for etag in ["\"1\"", "\"7\"", "*"] {
        replies.push((
            "PATCH",
            app.client
                .patch(&path)
                .token(&bob)
                .header("if-match", etag)
                .json(&json!({ "subject": "Mine", "body": "Mine" }))
                .send()
                .await,
        ));
        replies.push((
            "DELETE",
            app.client
                .delete(&path)
                .token(&bob)
                .header("if-match", etag)
                .send()
                .await,
        ));
    }
    // Conflicts name the booking in the way, with limited fields only.
    replies.push((
        "conflicting create",
        app.create(
            &bob,
            &booking(ROOM_A, "2027-03-01T09:30:00Z", "2027-03-01T10:30:00Z"),
        )
        .await,
    ));
    let own = app
        .create(
            &bob,
            &booking(ROOM_B, "2027-03-01T09:30:00Z", "2027-03-01T10:30:00Z"),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.body);
    let own_path = format!("/api/v1/bookings/{}", own.json()["id"].as_str().unwrap());
    replies.push((
        "conflicting move",
        app.client
            .patch(&own_path)
            .token(&bob)
            .header("if-match", "\"1\"")
            .json(&json!({ "room": ROOM_A }))
            .send()
            .await,
    ));

    for (what, reply) in &replies {
        assert!(
            !reply.status.is_server_error(),
            "{what}: {} {:?}",
            reply.status,
            reply.body
        );
        assert_private(what, reply);
    }
    let forbidden = replies
        .iter()
        .filter(|(what, _)| matches!(*what, "PATCH" | "DELETE" | "history"))
        .filter(|(_, reply)| reply.status == StatusCode::FORBIDDEN)
        .count();
    assert_eq!(forbidden, 7, "every write and the history are refused");
    let conflicts = replies
        .iter()
        .filter(|(what, _)| what.starts_with("conflicting"))
        .filter(|(_, reply)| reply.status == StatusCode::CONFLICT)
        .count();
    assert_eq!(conflicts, 2, "both conflicts are reported");

    let unchanged = app.client.get(&path).token(&alice).send().await.json();
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["body"], PRIVATE_BODY);
    assert!(unchanged["deleted_at"].is_null(), "{unchanged}");
}

async fn organizer_cannot_be_assigned(db: Db) {
    let Some(app) = TestApp::start(db, "organizer_cannot_be_assigned").await else {
        return;
    };
    let _alice = app.user("alice@example.com").await;
    let bob = app.user("bob@example.com").await;

    // A booking "for" Alice is Bob's, or refused.
    let mut request = booking(ROOM_A, "2027-03-02T09:00:00Z", "2027-03-02T10:00:00Z");
    request["organizer"] = json!("alice@example.com");
    let created = app.create(&bob, &request).await;
    assert!(
        created.status == StatusCode::CREATED || created.status.is_client_error(),
        "{}",
        created.status
    );
    if created.status == StatusCode::CREATED {
        assert_eq!(created.json()["organizer"], "bob@example.com");
    }

    // Bob's own booking cannot be handed to Alice either.
    let own = app
        .create(
            &bob,
            &booking(ROOM_B, "2027-03-02T09:00:00Z", "2027-03-02T10:00:00Z"),
        )
        .await;
    let path = format!("/api/v1/bookings/{}", own.json()["id"].as_str().unwrap());
    for field in ["organizer", "origin", "status", "version", "id"] {
        let patched = app
            .client
            .patch(&path)
            .token(&bob)
            .header("if-match", "\"1\"")
            .json(&json!({ field: "alice@example.com" }))
            .send()
            .await;
        assert!(
            patched.status.is_client_error(),
            "PATCH {field}: {} {:?}",
            patched.status,
            patched.body
        );
    }
    let after = app.client.get(&path).token(&bob).send().await.json();
    assert_eq!(after["organizer"], "bob@example.com");
    assert_eq!(after["version"], 1);
}
