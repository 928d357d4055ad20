//! Booking endpoints over real HTTP, on SQLite and PostgreSQL.

mod common;

use common::{Db, ROOM_A, ROOM_B, TestApp, booking};
use http::StatusCode;
use serde_json::json;

const NINE: &str = "2027-03-01T09:00:00+01:00";
const TEN: &str = "2027-03-01T10:00:00+01:00";
const ELEVEN: &str = "2027-03-01T11:00:00+01:00";

on_both_databases!(
    create_then_get,
    patch_needs_if_match,
    stale_version_412,
    delete_is_soft,
    history_lists_changes,
    others_booking_forbidden,
    external_booking_forbidden,
    overlap_conflicts_409,
    read_policy_hides_private_fields,
    room_listing_and_availability,
    concurrent_double_booking,
    move_to_other_room,
);

async fn create_then_get(db: Db) {
    let Some(app) = TestApp::start(db, "create_then_get").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;

    let created = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let body = created.json();
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/bookings/{id}"))
    );
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(body["room"], ROOM_A);
    assert_eq!(body["organizer"], "alice@example.com");
    assert_eq!(body["subject"], "Planning");
    assert_eq!(body["body"], "Quarterly numbers");
    assert_eq!(body["start"], NINE);
    assert_eq!(body["end"], TEN);
    assert_eq!(body["time_zone"], "Europe/Berlin");
    assert_eq!(body["all_day"], false);
    assert_eq!(body["attendees"][0]["address"], "dave@example.com");
    assert_eq!(body["origin"], "internal");
    assert_eq!(body["status"], "confirmed");
    assert_eq!(body["deleted_at"], serde_json::Value::Null);
    assert_eq!(body["version"], 1);
    assert_eq!(body["visibility"], "full");

    let fetched = app
        .client
        .get(&format!("/api/v1/bookings/{id}"))
        .token(&alice)
        .send()
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(fetched.json(), body);
}

async fn patch_needs_if_match(db: Db) {
    let Some(app) = TestApp::start(db, "patch_needs_if_match").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let id = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let path = format!("/api/v1/bookings/{}", id.as_str().unwrap());

    let missing = app
        .client
        .patch(&path)
        .token(&alice)
        .json(&json!({"subject": "Retro"}))
        .send()
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(missing.error_code(), "precondition_required");

    let malformed = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "1")
        .json(&json!({"subject": "Retro"}))
        .send()
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);

    let changed = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "Retro", "end": ELEVEN}))
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.header("etag").as_deref(), Some("\"2\""));
    let body = changed.json();
    assert_eq!(body["subject"], "Retro");
    assert_eq!(body["end"], ELEVEN);
    assert_eq!(body["version"], 2);

    let fetched = app.client.get(&path).token(&alice).send().await;
    assert_eq!(fetched.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(fetched.json()["subject"], "Retro");
    let weak = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "W/\"2\"")
        .json(&json!({"subject": "Weak"}))
        .send()
        .await;
    assert_eq!(
        weak.status,
        StatusCode::BAD_REQUEST,
        "If-Match compares strong tags only"
    );

    let any = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "*")
        .json(&json!({"subject": "Any"}))
        .send()
        .await;
    assert_eq!(any.status, StatusCode::OK, "{:?}", any.body);
    assert_eq!(any.header("etag").as_deref(), Some("\"3\""));
}

async fn stale_version_412(db: Db) {
    let Some(app) = TestApp::start(db, "stale_version_412").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let id = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let path = format!("/api/v1/bookings/{}", id.as_str().unwrap());

    let first = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "A"}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let second = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "B"}))
        .send()
        .await;
    assert_eq!(
        second.status,
        StatusCode::PRECONDITION_FAILED,
        "{:?}",
        second.body
    );
    let error = second.json();
    assert_eq!(error["error"]["code"], "stale_version");
    assert_eq!(error["error"]["details"]["current_version"], 2);

    let stale_delete = app
        .client
        .delete(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .send()
        .await;
    assert_eq!(stale_delete.status, StatusCode::PRECONDITION_FAILED);
    let current = app.client.get(&path).token(&alice).send().await.json();
    assert_eq!(current["subject"], "A");
    assert_eq!(current["deleted_at"], serde_json::Value::Null);
}

async fn delete_is_soft(db: Db) {
    let Some(app) = TestApp::start(db, "delete_is_soft").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let id = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let path = format!("/api/v1/bookings/{}", id.as_str().unwrap());

    let deleted = app
        .client
        .delete(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{:?}", deleted.body);
    assert_eq!(deleted.header("etag").as_deref(), Some("\"2\""));
    assert!(deleted.json()["deleted_at"].is_string());

    let fetched = app.client.get(&path).token(&alice).send().await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert!(fetched.json()["deleted_at"].is_string());

    let again = app.client.delete(&path).token(&alice).send().await;
    assert_eq!(again.status, StatusCode::OK, "deleting twice is idempotent");
    assert_eq!(again.json()["version"], 2);

    let patch = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"2\"")
        .json(&json!({"subject": "X"}))
        .send()
        .await;
    assert_eq!(patch.status, StatusCode::CONFLICT, "{:?}", patch.body);
    assert_eq!(patch.error_code(), "deleted");

    // The slot is free again.
    let rebooked = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await;
    assert_eq!(rebooked.status, StatusCode::CREATED);
}

async fn history_lists_changes(db: Db) {
    let Some(app) = TestApp::start(db, "history_lists_changes").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let id = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let path = format!("/api/v1/bookings/{}", id.as_str().unwrap());
    app.client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "Retro"}))
        .send()
        .await;
    app.client.delete(&path).token(&alice).send().await;

    let history = app
        .client
        .get(&format!("{path}/history"))
        .token(&alice)
        .send()
        .await;
    assert_eq!(history.status, StatusCode::OK);
    let entries = history.json();
    let entries = entries.as_array().expect("array");
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "updated", "deleted"]);
    let versions: Vec<i64> = entries
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    assert!(
        entries
            .iter()
            .all(|e| e["actor"] == "alice@example.com" && e["side"] == "internal")
    );
    let update = &entries[1]["changes"];
    assert_eq!(
        update,
        &json!([{"field": "subject", "from": "Planning", "to": "Retro"}])
    );
}

async fn others_booking_forbidden(db: Db) {
    let Some(app) = TestApp::start(db, "others_booking_forbidden").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let bob = app.user("bob@example.com").await;
    let id = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let path = format!("/api/v1/bookings/{}", id.as_str().unwrap());

    let patch = app
        .client
        .patch(&path)
        .token(&bob)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "Mine"}))
        .send()
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
    assert_eq!(patch.error_code(), "forbidden");
    let delete = app.client.delete(&path).token(&bob).send().await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    let history = app
        .client
        .get(&format!("{path}/history"))
        .token(&bob)
        .send()
        .await;
    assert_eq!(history.status, StatusCode::FORBIDDEN);

    let unchanged = app.client.get(&path).token(&alice).send().await.json();
    assert_eq!(unchanged["subject"], "Planning");
    assert_eq!(unchanged["version"], 1);
}

async fn external_booking_forbidden(db: Db) {
    let Some(app) = TestApp::start(db, "external_booking_forbidden").await else {
        return;
    };
    let carol = app.user("carol@example.com").await;
    let id = app
        .external(
            ROOM_A,
            "carol@example.com",
            "2027-03-01T08:00:00Z",
            "2027-03-01T09:00:00Z",
        )
        .await;
    let path = format!("/api/v1/bookings/{id}");

    let fetched = app.client.get(&path).token(&carol).send().await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json()["origin"], "external");

    // Even the organizer cannot change an external booking here.
    let patch = app
        .client
        .patch(&path)
        .token(&carol)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "X"}))
        .send()
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN, "{:?}", patch.body);
    assert!(
        patch.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Outlook")
    );
    let delete = app.client.delete(&path).token(&carol).send().await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
}

async fn overlap_conflicts_409(db: Db) {
    let Some(app) = TestApp::start(db, "overlap_conflicts_409").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let bob = app.user("bob@example.com").await;
    let internal = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let external = app
        .external(
            ROOM_A,
            "carol@example.com",
            "2027-03-01T09:00:00Z",
            "2027-03-01T10:00:00Z",
        )
        .await;

    // 09:30 to 10:30 Berlin overlaps alice's booking (09:00-10:00) and the
    // external one (10:00-11:00 Berlin).
    let clash = app
        .create(
            &bob,
            &booking(
                ROOM_A,
                "2027-03-01T09:30:00+01:00",
                "2027-03-01T10:30:00+01:00",
            ),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{:?}", clash.body);
    let error = clash.json();
    assert_eq!(error["error"]["code"], "conflict");
    let conflicts = error["error"]["details"]["conflicts"]
        .as_array()
        .expect("conflicts")
        .clone();
    let ids: Vec<&str> = conflicts
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [internal.as_str().unwrap(), external.to_string().as_str()]
    );
    assert_eq!(conflicts[1]["origin"], "external");
    // Bob is not the organizer of either, so the private fields stay hidden.
    assert!(
        conflicts
            .iter()
            .all(|c| c["body"].is_null() && c["attendees"].is_null())
    );

    // Back to back is no overlap: [10:00, 11:00) Berlin is external, so
    // 11:00-12:00 is free.
    let after = app
        .create(&bob, &booking(ROOM_A, ELEVEN, "2027-03-01T12:00:00+01:00"))
        .await;
    assert_eq!(after.status, StatusCode::CREATED);

    // Moving into a taken slot conflicts too.
    let path = format!("/api/v1/bookings/{}", after.json()["id"].as_str().unwrap());
    let moved = app
        .client
        .patch(&path)
        .token(&bob)
        .header("if-match", "\"1\"")
        .json(&json!({"start": TEN}))
        .send()
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{:?}", moved.body);

    let metrics = app.client.get("/metrics").send().await;
    let text = String::from_utf8(metrics.body.to_vec()).unwrap();
    assert!(
        text.contains("roombridge_booking_conflicts_total 2"),
        "{text}"
    );
    assert!(
        text.contains("roombridge_bookings_created_total 2"),
        "{text}"
    );
}

async fn read_policy_hides_private_fields(db: Db) {
    let Some(app) = TestApp::start(db, "read_policy_hides_private_fields").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let bob = app.user("bob@example.com").await;
    let id = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let path = format!("/api/v1/bookings/{}", id.as_str().unwrap());

    let seen_by_bob = app.client.get(&path).token(&bob).send().await.json();
    assert_eq!(seen_by_bob["visibility"], "limited");
    assert_eq!(seen_by_bob["subject"], "Planning");
    assert_eq!(seen_by_bob["organizer"], "alice@example.com");
    assert_eq!(seen_by_bob["start"], NINE);
    assert!(seen_by_bob["body"].is_null());
    assert!(seen_by_bob["attendees"].is_null());

    let listed = app
        .client
        .get(&format!(
            "/api/v1/rooms/{ROOM_A}/bookings?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z"
        ))
        .token(&bob)
        .send()
        .await
        .json();
    assert_eq!(listed[0]["visibility"], "limited");
    assert!(listed[0]["body"].is_null());

    let seen_by_alice = app.client.get(&path).token(&alice).send().await.json();
    assert_eq!(seen_by_alice["visibility"], "full");
    assert_eq!(seen_by_alice["body"], "Quarterly numbers");
}

async fn room_listing_and_availability(db: Db) {
    let Some(app) = TestApp::start(db, "room_listing_and_availability").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;

    let rooms = app.client.get("/api/v1/rooms").token(&alice).send().await;
    assert_eq!(rooms.status, StatusCode::OK);
    let rooms = rooms.json();
    assert_eq!(
        rooms[0],
        json!({"address": ROOM_A, "name": "Room A", "capacity": 6, "location": "Floor 1", "mode": "auto-accept"})
    );
    assert_eq!(rooms[1]["address"], ROOM_B);

    let internal = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let external = app
        .external(
            ROOM_A,
            "carol@example.com",
            "2027-03-01T12:00:00Z",
            "2027-03-01T13:00:00Z",
        )
        .await;
    let deleted = app
        .create(
            &alice,
            &booking(
                ROOM_A,
                "2027-03-01T15:00:00+01:00",
                "2027-03-01T16:00:00+01:00",
            ),
        )
        .await;
    let deleted_path = format!(
        "/api/v1/bookings/{}",
        deleted.json()["id"].as_str().unwrap()
    );
    app.client.delete(&deleted_path).token(&alice).send().await;
    app.create(&alice, &booking(ROOM_B, NINE, TEN)).await;

    let window = "from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z";
    let availability = app
        .client
        .get(&format!("/api/v1/rooms/{ROOM_A}/availability?{window}"))
        .token(&alice)
        .send()
        .await;
    assert_eq!(
        availability.status,
        StatusCode::OK,
        "{:?}",
        availability.body
    );
    let availability = availability.json();
    assert_eq!(availability["room"], ROOM_A);
    assert_eq!(availability["from"], "2027-03-01T00:00:00Z");
    let busy = availability["busy"].as_array().unwrap();
    assert_eq!(busy.len(), 2, "{busy:?}");
    assert_eq!(busy[0]["booking_id"], internal);
    assert_eq!(busy[0]["start"], "2027-03-01T08:00:00Z");
    assert_eq!(busy[0]["end"], "2027-03-01T09:00:00Z");
    assert_eq!(busy[1]["booking_id"], external.to_string());
    assert_eq!(busy[1]["origin"], "external");

    let listed = app
        .client
        .get(&format!("/api/v1/rooms/{ROOM_A}/bookings?{window}"))
        .token(&alice)
        .send()
        .await
        .json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [internal.as_str().unwrap(), external.to_string().as_str()]
    );

    // A window that ends before the bookings contains none.
    let early = app
        .client
        .get(&format!(
            "/api/v1/rooms/{ROOM_A}/availability?from=2027-03-01T00:00:00Z&to=2027-03-01T08:00:00Z"
        ))
        .token(&alice)
        .send()
        .await
        .json();
    assert_eq!(early["busy"], json!([]));

    // Addresses are case-insensitive.
    let upper = app
        .client
        .get(&format!(
            "/api/v1/rooms/ROOM-A@example.com/availability?{window}"
        ))
        .token(&alice)
        .send()
        .await;
    assert_eq!(upper.status, StatusCode::OK);
}

async fn concurrent_double_booking(db: Db) {
    let Some(app) = TestApp::start(db, "concurrent_double_booking").await else {
        return;
    };
    let mut tokens = Vec::new();
    for index in 0..8 {
        tokens.push(app.user(&format!("user{index}@example.com")).await);
    }
    let start = tokio::sync::Barrier::new(tokens.len());
    let start = std::sync::Arc::new(start);
    let mut tasks = Vec::new();
    for (index, token) in tokens.into_iter().enumerate() {
        let client = app.client;
        let start = start.clone();
        // Different but overlapping slots, so no two requests are identical.
        let begin = format!("2027-03-01T09:{:02}:00+01:00", index * 5);
        let end = format!("2027-03-01T10:{:02}:00+01:00", index * 5);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            client
                .post("/api/v1/bookings")
                .token(&token)
                .json(&booking(ROOM_A, &begin, &end))
                .send()
                .await
                .status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("request task"));
    }
    let created = statuses
        .iter()
        .filter(|status| **status == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|status| **status == StatusCode::CONFLICT)
        .count();
    assert_eq!(created, 1, "{statuses:?}");
    assert_eq!(conflicts, 7, "{statuses:?}");

    let availability = app
        .client
        .get(&format!(
            "/api/v1/rooms/{ROOM_A}/availability?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z"
        ))
        .token(&app.user("viewer@example.com").await)
        .send()
        .await
        .json();
    assert_eq!(availability["busy"].as_array().unwrap().len(), 1);
}

async fn move_to_other_room(db: Db) {
    let Some(app) = TestApp::start(db, "move_to_other_room").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let id = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await.json()["id"].clone();
    let path = format!("/api/v1/bookings/{}", id.as_str().unwrap());

    let moved = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"1\"")
        .json(&json!({"room": ROOM_B}))
        .send()
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.json()["room"], ROOM_B);

    // The old room is free again.
    let rebooked = app.create(&alice, &booking(ROOM_A, NINE, TEN)).await;
    assert_eq!(rebooked.status, StatusCode::CREATED);

    let unknown = app
        .client
        .patch(&path)
        .token(&alice)
        .header("if-match", "\"2\"")
        .json(&json!({"room": "nowhere@example.com"}))
        .send()
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        unknown.body
    );
    assert_eq!(
        unknown.json()["error"]["details"]["fields"][0]["field"],
        "room"
    );
}
