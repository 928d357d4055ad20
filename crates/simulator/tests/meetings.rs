//! The meeting workflow over EWS: attendee copies, room processing,
//! responses, updates, cancellations and change keys.

mod support;

use support::*;

fn accept(id: &str, change_key: &str) -> String {
    format!(
        r#"<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:Items><t:AcceptItem><t:ReferenceItemId Id="{id}" ChangeKey="{change_key}"/></t:AcceptItem></m:Items></m:CreateItem>"#
    )
}

fn update_times(id: &str, change_key: &str, start: &str, end: &str, resolution: &str) -> String {
    format!(
        r#"<m:UpdateItem ConflictResolution="{resolution}" MessageDisposition="SaveOnly" SendMeetingInvitationsOrCancellations="SendToAllAndSaveCopy"><m:ItemChanges><t:ItemChange><t:ItemId Id="{id}" ChangeKey="{change_key}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="calendar:Start"/><t:CalendarItem><t:Start>{start}</t:Start></t:CalendarItem></t:SetItemField><t:SetItemField><t:FieldURI FieldURI="calendar:End"/><t:CalendarItem><t:End>{end}</t:End></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
    )
}

fn delete(id: &str, delete_type: &str) -> String {
    format!(
        r#"<m:DeleteItem DeleteType="{delete_type}" SendMeetingCancellations="SendToAllAndSaveCopy"><m:ItemIds><t:ItemId Id="{id}"/></m:ItemIds></m:DeleteItem>"#
    )
}

/// Returns (ItemId, ChangeKey) of the calendar item with `uid` in a calendar view.
async fn copy_in(
    sim: &roombridge_simulator::RunningSimulator,
    mailbox: &str,
    uid: &str,
    start: &str,
    end: &str,
) -> Option<(String, String)> {
    let view = call(sim, mailbox, &calendar_view(mailbox, start, end))
        .await
        .body;
    let uids = texts(&view, "UID");
    let ids = attributes(&view, "ItemId", "Id");
    let keys = attributes(&view, "ItemId", "ChangeKey");
    let index = uids.iter().position(|candidate| candidate == uid)?;
    Some((ids[index].clone(), keys[index].clone()))
}

#[tokio::test]
async fn manual_room_waits_then_accepts() {
    let sim = start().await;
    let (start_at, end_at) = (slot(1, 9, 0), slot(1, 10, 0));
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Plan",
            &start_at,
            &end_at,
            &["room-102@example.com", "bob@example.com"],
            "",
        ),
    )
    .await;
    assert_eq!(codes(&created.body), vec!["NoError"]);
    let organizer_id = first_item_id(&created.body);
    let organizer = call(&sim, "alice@example.com", &get_item(&organizer_id))
        .await
        .body;
    let uid = text(&organizer, "UID");
    assert_eq!(text(&organizer, "MyResponseType"), "Organizer");

    // The room's copy is tentative and a request waits in its Inbox.
    let (room_id, room_key) = copy_in(&sim, "room-102@example.com", &uid, &start_at, &end_at)
        .await
        .expect("room copy");
    assert_ne!(room_id, organizer_id, "each copy has its own ItemId");
    let room_copy = call(&sim, "room-102@example.com", &get_item(&room_id))
        .await
        .body;
    assert_eq!(text(&room_copy, "MyResponseType"), "NoResponseReceived");
    assert_eq!(text(&room_copy, "LegacyFreeBusyStatus"), "Tentative");
    assert_eq!(
        text(&room_copy, "Subject"),
        "Plan",
        "without AutoAccept the subject stays"
    );
    let inbox = call(
        &sim,
        "room-102@example.com",
        &find_all("inbox", "room-102@example.com"),
    )
    .await
    .body;
    assert_eq!(
        texts(&inbox, "ItemClass"),
        vec!["IPM.Schedule.Meeting.Request"]
    );
    assert_eq!(text(&inbox, "UID"), uid);

    // Bob, a person, also has a copy and a request.
    assert!(
        copy_in(&sim, "bob@example.com", &uid, &start_at, &end_at)
            .await
            .is_some()
    );

    let accepted = call(&sim, "room-102@example.com", &accept(&room_id, &room_key)).await;
    assert_eq!(codes(&accepted.body), vec!["NoError"]);
    assert!(
        !attributes(&accepted.body, "ItemId", "ChangeKey").is_empty(),
        "AcceptItem returns an ItemId with a ChangeKey"
    );
    let room_copy = call(&sim, "room-102@example.com", &get_item(&room_id))
        .await
        .body;
    assert_eq!(text(&room_copy, "MyResponseType"), "Accept");
    assert_eq!(text(&room_copy, "LegacyFreeBusyStatus"), "Busy");
    let inbox = call(
        &sim,
        "room-102@example.com",
        &find_all("inbox", "room-102@example.com"),
    )
    .await
    .body;
    assert!(
        texts(&inbox, "ItemClass").is_empty(),
        "the answered request left the Inbox"
    );

    let organizer = call(&sim, "alice@example.com", &get_item(&organizer_id))
        .await
        .body;
    let responses = texts(&organizer, "ResponseType");
    let addresses = texts(&organizer, "EmailAddress");
    let room_index = addresses
        .iter()
        .filter(|a| a.as_str() != "alice@example.com")
        .position(|a| a == "room-102@example.com")
        .unwrap();
    assert_eq!(responses[room_index], "Accept");
    let alice_inbox = call(
        &sim,
        "alice@example.com",
        &find_all("inbox", "alice@example.com"),
    )
    .await
    .body;
    assert!(
        texts(&alice_inbox, "ItemClass").contains(&"IPM.Schedule.Meeting.Resp.Pos".to_string())
    );
}

#[tokio::test]
async fn auto_accept_room_books_and_rewrites_subject() {
    let sim = start().await;
    let (start_at, end_at) = (slot(1, 11, 0), slot(1, 12, 0));
    let created = call(
        &sim,
        "bob@example.com",
        &create_meeting(
            "Secret plan",
            &start_at,
            &end_at,
            &["room-101@example.com"],
            "",
        ),
    )
    .await;
    let organizer_id = first_item_id(&created.body);
    let uid = text(
        &call(&sim, "bob@example.com", &get_item(&organizer_id))
            .await
            .body,
        "UID",
    );
    let (room_id, _) = copy_in(&sim, "room-101@example.com", &uid, &start_at, &end_at)
        .await
        .expect("room copy");
    let room_copy = call(&sim, "room-101@example.com", &get_item(&room_id))
        .await
        .body;
    assert_eq!(text(&room_copy, "MyResponseType"), "Accept");
    assert_eq!(
        text(&room_copy, "Subject"),
        "Bob Jones",
        "DeleteSubject and AddOrganizerToSubject default to true"
    );
    assert!(
        !room_copy.contains("body of Secret plan"),
        "DeleteComments defaults to true"
    );
    assert!(
        room_copy.contains("<t:Body BodyType=\"Text\"></t:Body>"),
        "the room copy keeps an empty body"
    );
    let organizer = call(&sim, "bob@example.com", &get_item(&organizer_id))
        .await
        .body;
    assert_eq!(text(&organizer, "ResponseType"), "Accept");
    assert!(!texts(&organizer, "LastResponseTime").is_empty());
}

#[tokio::test]
async fn auto_accept_room_declines_conflicts_long_and_far_meetings() {
    let sim = start().await;
    let (start_at, end_at) = (slot(2, 9, 0), slot(2, 10, 0));
    call(
        &sim,
        "alice@example.com",
        &create_meeting("First", &start_at, &end_at, &["room-101@example.com"], ""),
    )
    .await;
    let second = call(
        &sim,
        "bob@example.com",
        &create_meeting(
            "Second",
            &slot(2, 9, 30),
            &slot(2, 10, 30),
            &["room-101@example.com"],
            "",
        ),
    )
    .await;
    let second_id = first_item_id(&second.body);
    let organizer = call(&sim, "bob@example.com", &get_item(&second_id))
        .await
        .body;
    assert_eq!(
        text(&organizer, "ResponseType"),
        "Decline",
        "a conflicting request is declined"
    );
    let uid = text(&organizer, "UID");
    assert!(
        copy_in(
            &sim,
            "room-101@example.com",
            &uid,
            &start_at,
            &slot(2, 11, 0)
        )
        .await
        .is_none(),
        "the declined copy left the calendar"
    );

    let long = call(
        &sim,
        "bob@example.com",
        &create_meeting(
            "Long",
            &slot(3, 0, 0),
            &slot(4, 1, 0),
            &["room-101@example.com"],
            "",
        ),
    )
    .await;
    let long = call(
        &sim,
        "bob@example.com",
        &get_item(&first_item_id(&long.body)),
    )
    .await
    .body;
    assert_eq!(
        text(&long, "ResponseType"),
        "Decline",
        "longer than MaximumDurationInMinutes (1440)"
    );

    let far = call(
        &sim,
        "bob@example.com",
        &create_meeting(
            "Far",
            &slot(200, 9, 0),
            &slot(200, 10, 0),
            &["room-101@example.com"],
            "",
        ),
    )
    .await;
    let far = call(
        &sim,
        "bob@example.com",
        &get_item(&first_item_id(&far.body)),
    )
    .await
    .body;
    assert_eq!(
        text(&far, "ResponseType"),
        "Decline",
        "beyond BookingWindowInDays (180)"
    );

    let settings = r#"{"automate_processing":"AutoAccept","allow_conflicts":true,"booking_window_in_days":180,"maximum_duration_in_minutes":1440,"add_organizer_to_subject":false,"delete_subject":false,"delete_comments":false,"remove_canceled_meetings":false}"#;
    assert_eq!(
        admin(
            &sim,
            "PUT",
            "/admin/mailboxes/room-101@example.com/room-settings",
            settings
        )
        .await
        .status,
        204
    );
    let third = call(
        &sim,
        "carol@example.com",
        &create_meeting(
            "Third",
            &slot(2, 9, 15),
            &slot(2, 9, 45),
            &["room-101@example.com"],
            "",
        ),
    )
    .await;
    let third = call(
        &sim,
        "carol@example.com",
        &get_item(&first_item_id(&third.body)),
    )
    .await
    .body;
    assert_eq!(
        text(&third, "ResponseType"),
        "Accept",
        "AllowConflicts books over the first meeting"
    );
}

#[tokio::test]
async fn organizer_updates_reach_copies_and_change_keys_change() {
    let sim = start().await;
    let (start_at, end_at) = (slot(1, 13, 0), slot(1, 14, 0));
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting("Move me", &start_at, &end_at, &["room-102@example.com"], ""),
    )
    .await;
    let id = first_item_id(&created.body);
    let first_key = attributes(&created.body, "ItemId", "ChangeKey")[0].clone();
    let uid = text(
        &call(&sim, "alice@example.com", &get_item(&id)).await.body,
        "UID",
    );

    let (new_start, new_end) = (slot(1, 15, 0), slot(1, 16, 0));
    let updated = call(
        &sim,
        "alice@example.com",
        &update_times(&id, &first_key, &new_start, &new_end, "NeverOverwrite"),
    )
    .await;
    assert_eq!(codes(&updated.body), vec!["NoError"]);
    let second_key = attributes(&updated.body, "ItemId", "ChangeKey")[0].clone();
    assert_ne!(second_key, first_key);
    assert_eq!(
        attributes(&updated.body, "ItemId", "Id")[0],
        id,
        "an update keeps the ItemId"
    );

    let stale = call(
        &sim,
        "alice@example.com",
        &update_times(&id, &first_key, &new_start, &new_end, "NeverOverwrite"),
    )
    .await;
    assert_eq!(codes(&stale.body), vec!["ErrorIrresolvableConflict"]);
    let auto = call(
        &sim,
        "alice@example.com",
        &update_times(&id, &first_key, &new_start, &new_end, "AutoResolve"),
    )
    .await;
    assert_eq!(
        codes(&auto.body),
        vec!["NoError"],
        "AutoResolve accepts a stale change key"
    );

    assert!(
        copy_in(&sim, "room-102@example.com", &uid, &start_at, &end_at)
            .await
            .is_none()
    );
    let (room_id, _) = copy_in(&sim, "room-102@example.com", &uid, &new_start, &new_end)
        .await
        .expect("moved room copy");
    let room_copy = call(&sim, "room-102@example.com", &get_item(&room_id))
        .await
        .body;
    assert_eq!(
        text(&room_copy, "Start"),
        new_start.trim_end_matches('Z').to_string() + "Z"
    );
}

#[tokio::test]
async fn delete_with_cancellations_marks_copies_cancelled() {
    let sim = start().await;
    let (start_at, end_at) = (slot(1, 17, 0), slot(1, 18, 0));
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Cancel me",
            &start_at,
            &end_at,
            &["room-102@example.com", "bob@example.com"],
            "",
        ),
    )
    .await;
    let id = first_item_id(&created.body);
    let uid = text(
        &call(&sim, "alice@example.com", &get_item(&id)).await.body,
        "UID",
    );
    let deleted = call(
        &sim,
        "alice@example.com",
        &delete(&id, "MoveToDeletedItems"),
    )
    .await;
    assert_eq!(codes(&deleted.body), vec!["NoError"]);

    assert!(
        copy_in(&sim, "alice@example.com", &uid, &start_at, &end_at)
            .await
            .is_none()
    );
    let trash = call(
        &sim,
        "alice@example.com",
        &find_all("deleteditems", "alice@example.com"),
    )
    .await
    .body;
    assert!(
        texts(&trash, "UID").contains(&uid),
        "MoveToDeletedItems puts the organizer's item in Deleted Items"
    );

    let (bob_copy, _) = copy_in(&sim, "bob@example.com", &uid, &start_at, &end_at)
        .await
        .expect("bob's copy stays");
    let bob_copy = call(&sim, "bob@example.com", &get_item(&bob_copy))
        .await
        .body;
    assert_eq!(text(&bob_copy, "IsCancelled"), "true");
    assert!(text(&bob_copy, "Subject").starts_with("Canceled: "));
    let bob_inbox = call(
        &sim,
        "bob@example.com",
        &find_all("inbox", "bob@example.com"),
    )
    .await
    .body;
    assert!(texts(&bob_inbox, "ItemClass").contains(&"IPM.Schedule.Meeting.Canceled".to_string()));

    let again = call(&sim, "alice@example.com", &get_item(&id)).await.body;
    assert_eq!(
        text(&again, "ResponseCode"),
        "NoError",
        "the moved item still resolves"
    );
    let hard = call(&sim, "alice@example.com", &delete(&id, "HardDelete")).await;
    assert_eq!(codes(&hard.body), vec!["NoError"]);
    let gone = call(&sim, "alice@example.com", &get_item(&id)).await.body;
    assert_eq!(codes(&gone), vec!["ErrorItemNotFound"]);
}

#[tokio::test]
async fn decline_removes_attendee_copy() {
    let sim = start().await;
    let (start_at, end_at) = (slot(1, 19, 0), slot(1, 20, 0));
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting("Maybe", &start_at, &end_at, &["bob@example.com"], ""),
    )
    .await;
    let uid = text(
        &call(
            &sim,
            "alice@example.com",
            &get_item(&first_item_id(&created.body)),
        )
        .await
        .body,
        "UID",
    );
    let (bob_id, bob_key) = copy_in(&sim, "bob@example.com", &uid, &start_at, &end_at)
        .await
        .unwrap();
    let decline = format!(
        r#"<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:Items><t:DeclineItem><t:ReferenceItemId Id="{bob_id}" ChangeKey="{bob_key}"/></t:DeclineItem></m:Items></m:CreateItem>"#
    );
    assert_eq!(
        codes(&call(&sim, "bob@example.com", &decline).await.body),
        vec!["NoError"]
    );
    assert!(
        copy_in(&sim, "bob@example.com", &uid, &start_at, &end_at)
            .await
            .is_none()
    );
    let organizer = call(
        &sim,
        "alice@example.com",
        &get_item(&first_item_id(&created.body)),
    )
    .await
    .body;
    assert_eq!(text(&organizer, "ResponseType"), "Decline");
}

#[tokio::test]
async fn bad_ids_and_times_get_exchange_errors() {
    let sim = start().await;
    assert_eq!(
        codes(
            &call(&sim, "alice@example.com", &get_item("DUMMY"))
                .await
                .body
        ),
        vec!["ErrorInvalidIdMalformed"]
    );
    let reversed = call(
        &sim,
        "alice@example.com",
        &create_meeting("Backwards", &slot(1, 10, 0), &slot(1, 9, 0), &[], ""),
    )
    .await;
    assert_eq!(
        codes(&reversed.body),
        vec!["ErrorCalendarEndDateIsEarlierThanStartDate"]
    );
    // Bob's items are not Alice's.
    let created = call(
        &sim,
        "bob@example.com",
        &create_meeting("Private", &slot(1, 8, 0), &slot(1, 9, 0), &[], ""),
    )
    .await;
    let foreign = call(
        &sim,
        "alice@example.com",
        &get_item(&first_item_id(&created.body)),
    )
    .await
    .body;
    assert_eq!(codes(&foreign), vec!["ErrorItemNotFound"]);
}

#[tokio::test]
async fn find_item_filters_by_last_modified_time() {
    let sim = start().await;
    let created = call(
        &sim,
        "carol@example.com",
        &create_meeting("Filtered", &slot(1, 6, 0), &slot(1, 7, 0), &[], ""),
    )
    .await;
    let id = first_item_id(&created.body);
    let range = |from: &str, to: &str| {
        format!(
            r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="100" Offset="0" BasePoint="Beginning"/><m:Restriction><t:And><t:IsGreaterThanOrEqualTo><t:FieldURI FieldURI="item:LastModifiedTime"/><t:FieldURIOrConstant><t:Constant Value="{from}"/></t:FieldURIOrConstant></t:IsGreaterThanOrEqualTo><t:IsLessThanOrEqualTo><t:FieldURI FieldURI="item:LastModifiedTime"/><t:FieldURIOrConstant><t:Constant Value="{to}"/></t:FieldURIOrConstant></t:IsLessThanOrEqualTo></t:And></m:Restriction><m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>"#,
            folder("calendar", "carol@example.com")
        )
    };
    let now = slot(0, 0, 0);
    let hits = call(
        &sim,
        "carol@example.com",
        &range(&slot(-1, 0, 0), &slot(1, 0, 0)),
    )
    .await
    .body;
    assert!(attributes(&hits, "ItemId", "Id").contains(&id));
    assert_eq!(
        attributes(&hits, "RootFolder", "IncludesLastItemInRange"),
        vec!["true"]
    );
    let past = call(
        &sim,
        "carol@example.com",
        &range(&slot(-30, 0, 0), &slot(-29, 0, 0)),
    )
    .await
    .body;
    assert!(
        !attributes(&past, "ItemId", "Id").contains(&id),
        "range before {now} excludes it"
    );
}

#[tokio::test]
async fn indexed_paging_reports_the_last_page() {
    let sim = start().await;
    for hour in 0..3 {
        call(
            &sim,
            "carol@example.com",
            &create_meeting("Page", &slot(6, hour, 0), &slot(6, hour, 30), &[], ""),
        )
        .await;
    }
    let page = |offset: usize| {
        format!(
            r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="2" Offset="{offset}" BasePoint="Beginning"/><m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>"#,
            folder("calendar", "carol@example.com")
        )
    };
    let first = call(&sim, "carol@example.com", &page(0)).await.body;
    assert_eq!(attributes(&first, "ItemId", "Id").len(), 2);
    assert_eq!(
        attributes(&first, "RootFolder", "IncludesLastItemInRange"),
        vec!["false"]
    );
    let total: usize = attributes(&first, "RootFolder", "TotalItemsInView")[0]
        .parse()
        .unwrap();
    let last = call(&sim, "carol@example.com", &page(total - 1)).await.body;
    assert_eq!(
        attributes(&last, "RootFolder", "IncludesLastItemInRange"),
        vec!["true"]
    );
}

#[tokio::test]
async fn extended_property_round_trips_and_filters() {
    let sim = start().await;
    let property = r#"<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="c11ff724-aa03-4555-9952-8fa248a11c3e" PropertyName="RoombridgeBookingId" PropertyType="String"/><t:Value>booking-42</t:Value></t:ExtendedProperty>"#;
    // ExtendedProperty comes right after the ItemType fields Subject..Body.
    let create = format!(
        r#"<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>Stamped</t:Subject>{property}<t:Start>{}</t:Start><t:End>{}</t:End></t:CalendarItem></m:Items></m:CreateItem>"#,
        slot(15, 9, 0),
        slot(15, 10, 0)
    );
    let created = call(&sim, "carol@example.com", &create).await;
    assert_eq!(codes(&created.body), vec!["NoError"]);
    let id = first_item_id(&created.body);
    let uri = r#"<t:ExtendedFieldURI PropertySetId="c11ff724-aa03-4555-9952-8fa248a11c3e" PropertyName="RoombridgeBookingId" PropertyType="String"/>"#;

    let get = format!(
        r#"<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>{uri}</t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id="{id}"/></m:ItemIds></m:GetItem>"#
    );
    let got = call(&sim, "carol@example.com", &get).await.body;
    assert_eq!(texts(&got, "Value"), vec!["booking-42"]);

    let find = |value: &str| {
        format!(
            r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>{uri}</t:AdditionalProperties></m:ItemShape><m:Restriction><t:IsEqualTo>{uri}<t:FieldURIOrConstant><t:Constant Value="{value}"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction><m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>"#,
            folder("calendar", "carol@example.com")
        )
    };
    let hit = call(&sim, "carol@example.com", &find("booking-42"))
        .await
        .body;
    assert_eq!(attributes(&hit, "ItemId", "Id"), vec![id.clone()]);
    assert_eq!(texts(&hit, "Value"), vec!["booking-42"]);
    let miss = call(&sim, "carol@example.com", &find("booking-43"))
        .await
        .body;
    assert!(attributes(&miss, "ItemId", "Id").is_empty());

    let plain = call(&sim, "carol@example.com", &get_item(&id)).await.body;
    assert!(
        texts(&plain, "Value").is_empty(),
        "extended properties come only when requested"
    );
}

#[tokio::test]
async fn room_without_processing_books_only_on_accept() {
    let sim = start().await;
    let room = r#"{"name":"Quiet Room","kind":"room","processing":{"automate_processing":"None"}}"#;
    assert_eq!(
        admin(&sim, "PUT", "/admin/mailboxes/quiet@example.com", room)
            .await
            .status,
        204
    );
    let (start_at, end_at) = (slot(1, 21, 0), slot(1, 22, 0));
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting("Quiet", &start_at, &end_at, &["quiet@example.com"], ""),
    )
    .await;
    let organizer_id = first_item_id(&created.body);
    let uid = text(
        &call(&sim, "alice@example.com", &get_item(&organizer_id))
            .await
            .body,
        "UID",
    );
    assert!(
        copy_in(&sim, "quiet@example.com", &uid, &start_at, &end_at)
            .await
            .is_none(),
        "no Calendar Attendant, no tentative copy"
    );

    let inbox = call(
        &sim,
        "quiet@example.com",
        &find_all("inbox", "quiet@example.com"),
    )
    .await
    .body;
    let request_id = first_item_id(&inbox);
    let accept = format!(
        r#"<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:Items><t:AcceptItem><t:ReferenceItemId Id="{request_id}"/></t:AcceptItem></m:Items></m:CreateItem>"#
    );
    assert_eq!(
        codes(&call(&sim, "quiet@example.com", &accept).await.body),
        vec!["NoError"]
    );
    let (copy_id, _) = copy_in(&sim, "quiet@example.com", &uid, &start_at, &end_at)
        .await
        .expect("accepting creates the copy");
    let copy = call(&sim, "quiet@example.com", &get_item(&copy_id))
        .await
        .body;
    assert_eq!(text(&copy, "MyResponseType"), "Accept");
    let organizer = call(&sim, "alice@example.com", &get_item(&organizer_id))
        .await
        .body;
    assert_eq!(text(&organizer, "ResponseType"), "Accept");

    // A cancellation waits in the Inbox; the copy stays until someone acts.
    let delete = format!(
        r#"<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToAllAndSaveCopy"><m:ItemIds><t:ItemId Id="{organizer_id}"/></m:ItemIds></m:DeleteItem>"#
    );
    call(&sim, "alice@example.com", &delete).await;
    let copy = call(&sim, "quiet@example.com", &get_item(&copy_id))
        .await
        .body;
    assert_eq!(text(&copy, "IsCancelled"), "false");
    let inbox = call(
        &sim,
        "quiet@example.com",
        &find_all("inbox", "quiet@example.com"),
    )
    .await
    .body;
    assert!(texts(&inbox, "ItemClass").contains(&"IPM.Schedule.Meeting.Canceled".to_string()));
}

#[tokio::test]
async fn series_past_booking_window_is_declined() {
    let sim = start().await;
    let endless = r#"<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek></t:WeeklyRecurrence><t:NoEndRecurrence><t:StartDate>START</t:StartDate></t:NoEndRecurrence></t:Recurrence>"#;
    let start_day = &slot(20, 0, 0)[..10];
    let weekday = jiff::civil::Date::strptime("%Y-%m-%d", start_day)
        .unwrap()
        .weekday();
    let endless = endless
        .replace("START", start_day)
        .replace("Monday", &format!("{weekday:?}"));
    let created = call(
        &sim,
        "bob@example.com",
        &create_meeting(
            "Forever",
            &slot(20, 9, 0),
            &slot(20, 10, 0),
            &["room-101@example.com"],
            &endless,
        ),
    )
    .await;
    let organizer = call(
        &sim,
        "bob@example.com",
        &get_item(&first_item_id(&created.body)),
    )
    .await
    .body;
    assert_eq!(
        text(&organizer, "ResponseType"),
        "Decline",
        "EnforceSchedulingHorizon declines a series without end"
    );

    let settings = r#"{"automate_processing":"AutoAccept","enforce_scheduling_horizon":false}"#;
    assert_eq!(
        admin(
            &sim,
            "PUT",
            "/admin/mailboxes/room-101@example.com/room-settings",
            settings
        )
        .await
        .status,
        204
    );
    let again = call(
        &sim,
        "carol@example.com",
        &create_meeting(
            "Forever again",
            &slot(20, 11, 0),
            &slot(20, 12, 0),
            &["room-101@example.com"],
            &endless,
        ),
    )
    .await;
    let organizer = call(
        &sim,
        "carol@example.com",
        &get_item(&first_item_id(&again.body)),
    )
    .await
    .body;
    assert_eq!(text(&organizer, "ResponseType"), "Accept");
}
