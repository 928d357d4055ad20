//! SyncFolderItems: paging, incremental changes, deletes and invalid states.

mod support;

use support::*;

fn sync(mailbox: &str, state: Option<&str>, max: u32) -> String {
    let state = state
        .map(|state| format!("<m:SyncState>{state}</m:SyncState>"))
        .unwrap_or_default();
    format!(
        r#"<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId>{}</m:SyncFolderId>{state}<m:MaxChangesReturned>{max}</m:MaxChangesReturned></m:SyncFolderItems>"#,
        folder("calendar", mailbox)
    )
}

/// Syncs until IncludesLastItemInRange, returning (creates, updates, deletes, state, pages).
async fn drain(
    sim: &roombridge_simulator::RunningSimulator,
    mailbox: &str,
    mut state: Option<String>,
    max: u32,
) -> (Vec<String>, Vec<String>, Vec<String>, String, usize) {
    let (mut creates, mut updates, mut deletes, mut pages) =
        (Vec::new(), Vec::new(), Vec::new(), 0);
    loop {
        let reply = call(sim, mailbox, &sync(mailbox, state.as_deref(), max))
            .await
            .body;
        assert_eq!(codes(&reply), vec!["NoError"], "{reply}");
        pages += 1;
        let count = texts(&reply, "Create").len()
            + texts(&reply, "Update").len()
            + texts(&reply, "Delete").len();
        assert!(
            count <= max as usize,
            "a page holds at most MaxChangesReturned changes"
        );
        for (kind, list) in [
            ("Create", &mut creates),
            ("Update", &mut updates),
            ("Delete", &mut deletes),
        ] {
            for change in texts_with_ids(&reply, kind) {
                list.push(change);
            }
        }
        state = Some(text(&reply, "SyncState"));
        if text(&reply, "IncludesLastItemInRange") == "true" {
            return (creates, updates, deletes, state.unwrap(), pages);
        }
        assert!(pages < 100, "sync never reported the last page");
    }
}

/// Returns the ItemIds inside each `<t:{kind}>` change.
fn texts_with_ids(xml: &str, kind: &str) -> Vec<String> {
    let open = format!("<t:{kind}>");
    let close = format!("</t:{kind}>");
    xml.split(&open)
        .skip(1)
        .filter_map(|chunk| chunk.split(&close).next())
        .map(first_item_id)
        .collect()
}

#[tokio::test]
async fn initial_sync_pages_through_the_folder() {
    let sim = start().await;
    for hour in 0..5 {
        call(
            &sim,
            "carol@example.com",
            &create_meeting("Sync", &slot(7, hour, 0), &slot(7, hour, 30), &[], ""),
        )
        .await;
    }
    let (creates, updates, deletes, _, pages) = drain(&sim, "carol@example.com", None, 2).await;
    assert!(
        creates.len() >= 5,
        "every item arrives as a Create: {creates:?}"
    );
    assert!(updates.is_empty());
    assert!(deletes.is_empty());
    assert!(
        pages >= 3,
        "five items in pages of two take at least three calls"
    );
}

#[tokio::test]
async fn incremental_sync_reports_creates_updates_and_deletes() {
    let sim = start().await;
    let first = call(
        &sim,
        "carol@example.com",
        &create_meeting("Keep", &slot(8, 9, 0), &slot(8, 10, 0), &[], ""),
    )
    .await;
    let second = call(
        &sim,
        "carol@example.com",
        &create_meeting("Drop", &slot(8, 11, 0), &slot(8, 12, 0), &[], ""),
    )
    .await;
    let (keep, drop) = (first_item_id(&first.body), first_item_id(&second.body));
    let (_, _, _, state, _) = drain(&sim, "carol@example.com", None, 512).await;

    let (nothing, _, _, state, _) = drain(&sim, "carol@example.com", Some(state), 512).await;
    assert!(nothing.is_empty(), "no changes since the last state");

    let change = format!(
        r#"<m:UpdateItem ConflictResolution="AutoResolve" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="{keep}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Kept</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
    );
    assert_eq!(
        codes(&call(&sim, "carol@example.com", &change).await.body),
        vec!["NoError"]
    );
    let delete = format!(
        r#"<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="{drop}"/></m:ItemIds></m:DeleteItem>"#
    );
    assert_eq!(
        codes(&call(&sim, "carol@example.com", &delete).await.body),
        vec!["NoError"]
    );
    let third = call(
        &sim,
        "carol@example.com",
        &create_meeting("New", &slot(8, 13, 0), &slot(8, 14, 0), &[], ""),
    )
    .await;

    let (creates, updates, deletes, _, _) = drain(&sim, "carol@example.com", Some(state), 1).await;
    assert_eq!(creates, vec![first_item_id(&third.body)]);
    assert_eq!(updates, vec![keep]);
    assert_eq!(deletes, vec![drop]);
}

#[tokio::test]
async fn created_then_deleted_items_are_not_reported() {
    let sim = start().await;
    let (_, _, _, state, _) = drain(&sim, "carol@example.com", None, 512).await;
    let created = call(
        &sim,
        "carol@example.com",
        &create_meeting("Brief", &slot(9, 9, 0), &slot(9, 10, 0), &[], ""),
    )
    .await;
    let id = first_item_id(&created.body);
    let delete = format!(
        r#"<m:DeleteItem DeleteType="SoftDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="{id}"/></m:ItemIds></m:DeleteItem>"#
    );
    call(&sim, "carol@example.com", &delete).await;
    let (creates, updates, deletes, _, _) =
        drain(&sim, "carol@example.com", Some(state), 512).await;
    assert!(
        creates.is_empty() && updates.is_empty() && deletes.is_empty(),
        "{creates:?} {updates:?} {deletes:?}"
    );
}

#[tokio::test]
async fn forged_foreign_and_invalidated_states_are_rejected() {
    let sim = start().await;
    let (_, _, _, state, _) = drain(&sim, "carol@example.com", None, 512).await;

    let mut forged = state.clone().into_bytes();
    let middle = forged.len() / 2;
    forged[middle] = if forged[middle] == b'A' { b'B' } else { b'A' };
    let reply = call(
        &sim,
        "carol@example.com",
        &sync(
            "carol@example.com",
            Some(&String::from_utf8(forged).unwrap()),
            10,
        ),
    )
    .await
    .body;
    assert_eq!(codes(&reply), vec!["ErrorInvalidSyncStateData"]);
    assert_eq!(
        text(&reply, "MessageText"),
        "Synchronization state data is corrupt or otherwise invalid."
    );

    let foreign = call(
        &sim,
        "alice@example.com",
        &sync("alice@example.com", Some(&state), 10),
    )
    .await
    .body;
    assert_eq!(
        codes(&foreign),
        vec!["ErrorInvalidSyncStateData"],
        "a state belongs to one mailbox folder"
    );

    let other_sim = start().await;
    let other = call(
        &other_sim,
        "carol@example.com",
        &sync("carol@example.com", Some(&state), 10),
    )
    .await
    .body;
    assert_eq!(
        codes(&other),
        vec!["ErrorInvalidSyncStateData"],
        "another process's state is not accepted"
    );

    assert_eq!(
        codes(
            &call(
                &sim,
                "carol@example.com",
                &sync("carol@example.com", Some(&state), 10)
            )
            .await
            .body
        ),
        vec!["NoError"]
    );
    assert_eq!(
        admin(&sim, "POST", "/admin/sync-states/invalidate", "")
            .await
            .status,
        204
    );
    let invalidated = call(
        &sim,
        "carol@example.com",
        &sync("carol@example.com", Some(&state), 10),
    )
    .await
    .body;
    assert_eq!(codes(&invalidated), vec!["ErrorInvalidSyncStateData"]);
}

#[tokio::test]
async fn expired_states_are_rejected() {
    let config = roombridge_simulator::SimulatorConfig {
        sync_state_max_age: std::time::Duration::from_secs(1),
        ..Default::default()
    };
    let sim = roombridge_simulator::Simulator::start(config)
        .await
        .unwrap();
    let (_, _, _, state, _) = drain(&sim, "carol@example.com", None, 512).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let reply = call(
        &sim,
        "carol@example.com",
        &sync("carol@example.com", Some(&state), 10),
    )
    .await
    .body;
    assert_eq!(codes(&reply), vec!["ErrorInvalidSyncStateData"]);
}

#[tokio::test]
async fn max_changes_out_of_range_is_rejected() {
    let sim = start().await;
    let reply = call(
        &sim,
        "carol@example.com",
        &sync("carol@example.com", None, 0),
    )
    .await;
    assert_eq!(reply.status, 500);
    assert_eq!(text(&reply.body, "ResponseCode"), "ErrorSchemaValidation");
}
