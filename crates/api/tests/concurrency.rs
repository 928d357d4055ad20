//! Simultaneous requests over real HTTP on SQLite and PostgreSQL:
//! back-to-back slots all succeed, one of many changes from the same
//! version wins, and a delete racing changes leaves one consistent history.

mod common;

use std::sync::Arc;

use common::{Db, ROOM_A, TestApp, booking};
use http::StatusCode;
use serde_json::json;
use tokio::sync::Barrier;

on_both_databases!(
    back_to_back_all_created,
    same_version_patch_one_wins,
    delete_racing_patches_consistent,
);

/// Returns the path of the booking a 201 reply created.
fn booking_path(reply: &common::Reply) -> String {
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    format!("/api/v1/bookings/{}", reply.json()["id"].as_str().unwrap())
}

async fn back_to_back_all_created(db: Db) {
    let Some(app) = TestApp::start(db, "back_to_back_all_created").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let slots = 16;
    let barrier = Arc::new(Barrier::new(slots));
    let mut tasks = Vec::new();
    for slot in 0..slots {
        let (client, token, barrier) = (app.client, alice.clone(), barrier.clone());
        // Half-hour slots from 08:00 UTC, each ending where the next starts.
        let minutes = 8 * 60 + slot * 30;
        let start = format!("2027-03-01T{:02}:{:02}:00Z", minutes / 60, minutes % 60);
        let end = format!(
            "2027-03-01T{:02}:{:02}:00Z",
            (minutes + 30) / 60,
            (minutes + 30) % 60
        );
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            client
                .post("/api/v1/bookings")
                .token(&token)
                .json(&booking(ROOM_A, &start, &end))
                .send()
                .await
        }));
    }
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    let listed = app
        .client
        .get(&format!(
            "/api/v1/rooms/{ROOM_A}/bookings?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z"
        ))
        .token(&alice)
        .send()
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), slots);
}

async fn same_version_patch_one_wins(db: Db) {
    let Some(app) = TestApp::start(db, "same_version_patch_one_wins").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let created = app
        .create(
            &alice,
            &booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        )
        .await;
    let path = booking_path(&created);
    let writers = 12;
    let barrier = Arc::new(Barrier::new(writers));
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let (client, token, barrier, path) =
            (app.client, alice.clone(), barrier.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            client
                .patch(&path)
                .token(&token)
                .header("if-match", "\"1\"")
                .json(&json!({ "subject": format!("Writer {writer}") }))
                .send()
                .await
        }));
    }
    let mut winners = Vec::new();
    let mut stale = 0;
    for task in tasks {
        let reply = task.await.unwrap();
        match reply.status {
            StatusCode::OK => winners.push(reply.json()["subject"].clone()),
            StatusCode::PRECONDITION_FAILED => {
                stale += 1;
                assert_eq!(reply.json()["error"]["details"]["current_version"], 2);
            }
            other => panic!("unexpected {other}: {:?}", reply.body),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(stale, writers - 1);
    let fetched = app.client.get(&path).token(&alice).send().await.json();
    assert_eq!(fetched["version"], 2);
    assert_eq!(fetched["subject"], winners[0]);
    let history = app
        .client
        .get(&format!("{path}/history"))
        .token(&alice)
        .send()
        .await
        .json();
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
}

async fn delete_racing_patches_consistent(db: Db) {
    let Some(app) = TestApp::start(db, "delete_racing_patches_consistent").await else {
        return;
    };
    let alice = app.user("alice@example.com").await;
    let created = app
        .create(
            &alice,
            &booking(ROOM_A, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        )
        .await;
    let path = booking_path(&created);
    let racers = 10;
    let barrier = Arc::new(Barrier::new(racers));
    let mut tasks = Vec::new();
    for racer in 0..racers {
        let (client, token, barrier, path) =
            (app.client, alice.clone(), barrier.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let reply = if racer % 2 == 0 {
                client.delete(&path).token(&token).send().await
            } else {
                client
                    .patch(&path)
                    .token(&token)
                    .header("if-match", "*")
                    .json(&json!({ "subject": format!("Racer {racer}") }))
                    .send()
                    .await
            };
            (racer % 2 == 0, reply)
        }));
    }
    let mut patched = 0;
    for task in tasks {
        let (is_delete, reply) = task.await.unwrap();
        if is_delete {
            assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
            assert!(reply.json()["deleted_at"].is_string());
        } else if reply.status == StatusCode::OK {
            patched += 1;
        } else {
            assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
            assert_eq!(reply.error_code(), "deleted");
        }
    }

    let fetched = app.client.get(&path).token(&alice).send().await.json();
    assert!(fetched["deleted_at"].is_string(), "{fetched}");
    // One entry for the creation, one per successful change, one delete.
    let expected_entries = 1 + patched + 1;
    assert_eq!(fetched["version"], expected_entries);
    let history = app
        .client
        .get(&format!("{path}/history"))
        .token(&alice)
        .send()
        .await
        .json();
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), expected_entries, "{history}");
    assert_eq!(entries.last().unwrap()["action"], "deleted", "{history}");
}
