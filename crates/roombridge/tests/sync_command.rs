//! Runs `roombridge sync` against the Exchange simulator started in this
//! process on 127.0.0.1:0.

use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the binary with a clean environment for roombridge settings.
fn sync(config: &std::path::Path, args: &[&str]) -> Output {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("ROOMBRIDGE_EXCHANGE_PASSWORD", "svc-password")
        .arg("--config")
        .arg(config)
        .arg("sync")
        .args(args)
        .output()
        .expect("run roombridge sync")
}

#[tokio::test]
async fn sync_command_reports_each_room() {
    let simulator = roombridge_simulator::Simulator::start(Default::default())
        .await
        .expect("simulator starts");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roombridge.toml");
    std::fs::write(
        &config,
        format!(
            r#"database_url = "sqlite:{db}"

[exchange]
url = "{url}"
auth = "ntlm"
username = "EXAMPLE\\svc"

[[rooms]]
address = "room-101@example.com"
name = "Room 101"
mode = "auto-accept"

[[rooms]]
address = "room-201@example.com"
name = "Room 201"
mode = "auto-accept"
"#,
            db = dir.path().join("roombridge.db").display(),
            url = simulator.ews_url(),
        ),
    )
    .unwrap();

    let config_path = config.clone();
    let first = tokio::task::spawn_blocking(move || sync(&config_path, &["--json"]))
        .await
        .unwrap();
    assert!(
        first.status.success(),
        "sync failed: {}",
        text(&first.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON report");
    let rooms = report["rooms"].as_array().unwrap();
    assert_eq!(rooms.len(), 2);
    assert_eq!(rooms[0]["room"], "room-101@example.com");
    assert!(rooms[0]["full_read"].as_bool().unwrap());
    assert!(
        rooms[1]["created"].as_u64().unwrap() > 0,
        "the sample organisation books room-201: {report}"
    );

    let config_path = config.clone();
    let one = tokio::task::spawn_blocking(move || {
        sync(&config_path, &["--room", "room-201@example.com"])
    })
    .await
    .unwrap();
    assert!(one.status.success(), "sync failed: {}", text(&one.stderr));
    let table = text(&one.stdout);
    assert!(table.contains("room-201@example.com"), "{table}");
    assert!(!table.contains("room-101@example.com"), "{table}");

    let unknown =
        tokio::task::spawn_blocking(move || sync(&config, &["--room", "nowhere@example.com"]))
            .await
            .unwrap();
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("unknown room `nowhere@example.com`"),
        "{}",
        text(&unknown.stderr)
    );
}
