//! Validates every kind of response the simulator produces against
//! Microsoft's Exchange 2016 schema with xmllint (Debian package
//! libxml2-utils).

mod support;

use std::process::Command;

use support::*;

/// Drives one request of every operation and outcome, returning
/// (label, response body) pairs.
async fn responses() -> Vec<(String, String)> {
    let sim = start().await;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut record = |label: &str, body: String| out.push((label.to_string(), body));

    let get_folders = r#"<m:GetFolder><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/><t:DistinguishedFolderId Id="inbox"/><t:DistinguishedFolderId Id="root"/><t:DistinguishedFolderId Id="nosuchfolder"/></m:FolderIds></m:GetFolder>"#;
    record(
        "GetFolder",
        call(&sim, "alice@example.com", get_folders).await.body,
    );

    let recurrence = r#"<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek><t:FirstDayOfWeek>Sunday</t:FirstDayOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>2031-03-03</t:StartDate><t:NumberOfOccurrences>3</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence><t:StartTimeZone Id="UTC"/><t:EndTimeZone Id="UTC"/>"#;
    let series = call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Series",
            "2031-03-03T09:00:00Z",
            "2031-03-03T10:00:00Z",
            &["room-102@example.com", "bob@example.com"],
            recurrence,
        ),
    )
    .await
    .body;
    record("CreateItem series", series.clone());
    let master = first_item_id(&series);
    let view = call(
        &sim,
        "alice@example.com",
        &calendar_view(
            "alice@example.com",
            "2031-03-01T00:00:00Z",
            "2031-03-31T00:00:00Z",
        ),
    )
    .await
    .body;
    let occurrences = attributes(&view, "ItemId", "Id");
    let move_occurrence = format!(
        r#"<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToAllAndSaveCopy"><m:ItemChanges><t:ItemChange><t:ItemId Id="{}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Changed</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#,
        occurrences[1]
    );
    record(
        "UpdateItem occurrence",
        call(&sim, "alice@example.com", &move_occurrence).await.body,
    );
    let delete_occurrence = format!(
        r#"<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToAllAndSaveCopy"><m:ItemIds><t:ItemId Id="{}"/></m:ItemIds></m:DeleteItem>"#,
        occurrences[2]
    );
    record(
        "DeleteItem occurrence",
        call(&sim, "alice@example.com", &delete_occurrence)
            .await
            .body,
    );
    record(
        "FindItem CalendarView",
        call(
            &sim,
            "alice@example.com",
            &calendar_view(
                "alice@example.com",
                "2031-03-01T00:00:00Z",
                "2031-03-31T00:00:00Z",
            ),
        )
        .await
        .body,
    );
    record(
        "GetItem master",
        call(&sim, "alice@example.com", &get_item(&master))
            .await
            .body,
    );
    record(
        "GetItem occurrence",
        call(&sim, "alice@example.com", &get_item(&occurrences[1]))
            .await
            .body,
    );
    record(
        "GetItem error",
        call(&sim, "alice@example.com", &get_item("DUMMY"))
            .await
            .body,
    );

    let single = call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Single & <special>",
            &slot(1, 9, 0),
            &slot(1, 10, 0),
            &["room-102@example.com"],
            "",
        ),
    )
    .await
    .body;
    let single_id = first_item_id(&single);
    let single_key = attributes(&single, "ItemId", "ChangeKey")[0].clone();
    record(
        "CreateItem error",
        call(
            &sim,
            "alice@example.com",
            &create_meeting("Backwards", &slot(1, 10, 0), &slot(1, 9, 0), &[], ""),
        )
        .await
        .body,
    );
    record(
        "FindItem room inbox",
        call(
            &sim,
            "room-102@example.com",
            &find_all("inbox", "room-102@example.com"),
        )
        .await
        .body,
    );
    let room_view = call(
        &sim,
        "room-102@example.com",
        &calendar_view("room-102@example.com", &slot(1, 0, 0), &slot(2, 0, 0)),
    )
    .await
    .body;
    let room_copy = first_item_id(&room_view);
    let accept = format!(
        r#"<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:Items><t:AcceptItem><t:ReferenceItemId Id="{room_copy}"/></t:AcceptItem></m:Items></m:CreateItem>"#
    );
    record(
        "CreateItem AcceptItem",
        call(&sim, "room-102@example.com", &accept).await.body,
    );
    record(
        "FindItem organizer inbox",
        call(
            &sim,
            "alice@example.com",
            &find_all("inbox", "alice@example.com"),
        )
        .await
        .body,
    );
    record(
        "FindItem sent items",
        call(
            &sim,
            "alice@example.com",
            &find_all("sentitems", "alice@example.com"),
        )
        .await
        .body,
    );
    let paged = format!(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="1" Offset="0" BasePoint="Beginning"/><m:SortOrder><t:FieldOrder Order="Descending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder><m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>"#,
        folder("calendar", "alice@example.com")
    );
    record(
        "FindItem paged",
        call(&sim, "alice@example.com", &paged).await.body,
    );

    let stale = format!(
        r#"<m:UpdateItem ConflictResolution="NeverOverwrite" SendMeetingInvitationsOrCancellations="SendToAllAndSaveCopy"><m:ItemChanges><t:ItemChange><t:ItemId Id="{single_id}" ChangeKey="{single_key}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="calendar:Location"/><t:CalendarItem><t:Location>Elsewhere</t:Location></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
    );
    record(
        "UpdateItem conflict",
        call(&sim, "alice@example.com", &stale).await.body,
    );
    let cancel = format!(
        r#"<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToAllAndSaveCopy"><m:ItemIds><t:ItemId Id="{single_id}"/><t:ItemId Id="DUMMY"/></m:ItemIds></m:DeleteItem>"#
    );
    record(
        "DeleteItem",
        call(&sim, "alice@example.com", &cancel).await.body,
    );
    record(
        "FindItem cancellations",
        call(
            &sim,
            "room-102@example.com",
            &find_all("inbox", "room-102@example.com"),
        )
        .await
        .body,
    );
    let move_back = format!(
        r#"<m:MoveItem><m:ToFolderId><t:DistinguishedFolderId Id="calendar"/></m:ToFolderId><m:ItemIds><t:ItemId Id="{single_id}"/></m:ItemIds></m:MoveItem>"#
    );
    record(
        "MoveItem",
        call(&sim, "alice@example.com", &move_back).await.body,
    );

    let sync = |state: &str| {
        format!(
            r#"<m:SyncFolderItems><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:SyncFolderId>{}</m:SyncFolderId>{state}<m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>"#,
            folder("calendar", "room-102@example.com")
        )
    };
    let first_sync = call(&sim, "room-102@example.com", &sync("")).await.body;
    let state = text(&first_sync, "SyncState");
    record("SyncFolderItems initial", first_sync);
    call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Later",
            &slot(2, 9, 0),
            &slot(2, 10, 0),
            &["room-102@example.com"],
            "",
        ),
    )
    .await;
    record(
        "SyncFolderItems changes",
        call(
            &sim,
            "room-102@example.com",
            &sync(&format!("<m:SyncState>{state}</m:SyncState>")),
        )
        .await
        .body,
    );
    record(
        "SyncFolderItems invalid",
        call(
            &sim,
            "room-102@example.com",
            &sync("<m:SyncState>Zm9yZ2Vk</m:SyncState>"),
        )
        .await
        .body,
    );

    let availability = format!(
        r#"<m:GetUserAvailabilityRequest><t:TimeZone><t:Bias>-480</t:Bias><t:StandardTime><t:Bias>0</t:Bias><t:Time>00:00:00</t:Time><t:DayOrder>0</t:DayOrder><t:Month>0</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:StandardTime><t:DaylightTime><t:Bias>0</t:Bias><t:Time>00:00:00</t:Time><t:DayOrder>0</t:DayOrder><t:Month>0</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:DaylightTime></t:TimeZone><m:MailboxDataArray><t:MailboxData><t:Email><t:Address>room-102@example.com</t:Address></t:Email><t:AttendeeType>Room</t:AttendeeType></t:MailboxData><t:MailboxData><t:Email><t:Address>ghost@example.com</t:Address></t:Email><t:AttendeeType>Required</t:AttendeeType></t:MailboxData></m:MailboxDataArray><t:FreeBusyViewOptions><t:TimeWindow><t:StartTime>{}</t:StartTime><t:EndTime>{}</t:EndTime></t:TimeWindow><t:MergedFreeBusyIntervalInMinutes>30</t:MergedFreeBusyIntervalInMinutes><t:RequestedView>DetailedMerged</t:RequestedView></t:FreeBusyViewOptions></m:GetUserAvailabilityRequest>"#,
        slot(1, 0, 0).trim_end_matches('Z'),
        slot(3, 0, 0).trim_end_matches('Z')
    );
    record(
        "GetUserAvailability",
        call(&sim, "alice@example.com", &availability).await.body,
    );
    record(
        "GetRoomLists",
        call(&sim, "alice@example.com", "<m:GetRoomLists/>")
            .await
            .body,
    );
    record("GetRooms", call(&sim, "alice@example.com", r#"<m:GetRooms><m:RoomList><t:EmailAddress>building-1@example.com</t:EmailAddress></m:RoomList></m:GetRooms>"#).await.body);
    record("GetRooms error", call(&sim, "alice@example.com", r#"<m:GetRooms><m:RoomList><t:EmailAddress>none@example.com</t:EmailAddress></m:RoomList></m:GetRooms>"#).await.body);
    record("ResolveNames", call(&sim, "alice@example.com", r#"<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>bob</m:UnresolvedEntry></m:ResolveNames>"#).await.body);
    record("ResolveNames error", call(&sim, "alice@example.com", r#"<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>zzz</m:UnresolvedEntry></m:ResolveNames>"#).await.body);
    let convert = format!(
        r#"<m:ConvertId DestinationFormat="HexEntryId"><m:SourceIds><t:AlternateId Format="EwsId" Id="{master}" Mailbox="alice@example.com"/><t:AlternateId Format="EwsId" Id="DUMMY" Mailbox="DUMMY"/></m:SourceIds></m:ConvertId>"#
    );
    record(
        "ConvertId",
        call(&sim, "alice@example.com", &convert).await.body,
    );

    let uri = r#"<t:ExtendedFieldURI PropertySetId="c11ff724-aa03-4555-9952-8fa248a11c3e" PropertyName="Tag" PropertyType="String"/>"#;
    let stamped = format!(
        r#"<m:CreateItem SendMeetingInvitations="SendToNone"><m:Items><t:CalendarItem><t:Subject>Stamped</t:Subject><t:ExtendedProperty>{uri}<t:Value>v1</t:Value></t:ExtendedProperty><t:Start>{}</t:Start><t:End>{}</t:End></t:CalendarItem></m:Items></m:CreateItem>"#,
        slot(3, 9, 0),
        slot(3, 10, 0)
    );
    let stamped = first_item_id(&call(&sim, "carol@example.com", &stamped).await.body);
    let with_property = format!(
        r#"<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:AdditionalProperties>{uri}</t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id="{stamped}"/></m:ItemIds></m:GetItem>"#
    );
    let with_property = call(&sim, "carol@example.com", &with_property).await.body;
    assert!(with_property.contains("v1"), "{with_property}");
    record("GetItem extended property", with_property);

    let mut connection = Connection::open(&sim).await;
    let denied = connection
        .ews(
            Some(&basic("alice@example.com", "alice-password")),
            &envelope(Some("bob@example.com"), "<m:GetRoomLists/>"),
        )
        .await
        .unwrap();
    record("Fault ErrorImpersonateUserDenied", denied.body);
    let bad = connection
        .ews(
            Some(&svc()),
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><oops",
        )
        .await
        .unwrap();
    record("Fault ErrorSchemaValidation", bad.body);
    admin(
        &sim,
        "PUT",
        "/admin/faults",
        r#"{"rules":[{"kind":"server_busy","count":1}]}"#,
    )
    .await;
    record(
        "Fault ErrorServerBusy",
        call(&sim, "alice@example.com", "<m:GetRoomLists/>")
            .await
            .body,
    );
    out
}

#[tokio::test]
async fn every_response_kind_is_schema_valid() {
    let Some(shared) = roombridge_testkit::shared_dir("schema validation of simulator responses")
    else {
        return;
    };
    let schema = shared.join("ews-reference/schema/validation/exchange2016-envelope.xsd");
    assert!(schema.is_file(), "missing {}", schema.display());
    let responses = responses().await;
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (index, (label, body)) in responses.iter().enumerate() {
        assert!(!body.is_empty(), "{label}: empty response");
        assert!(
            body.contains("ServerVersionInfo"),
            "{label}: no ServerVersionInfo"
        );
        let path = dir.path().join(format!("{index:02}.xml"));
        std::fs::write(&path, body).unwrap();
        files.push(path);
    }
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .args(&files)
        .output()
        .expect("xmllint runs; install the Debian package libxml2-utils");
    let report = String::from_utf8_lossy(&output.stderr);
    let mut failures = Vec::new();
    for (index, (label, body)) in responses.iter().enumerate() {
        let name = format!("{index:02}.xml");
        if !report
            .lines()
            .any(|line| line.contains(&name) && line.ends_with("validates"))
        {
            let problems: Vec<&str> = report.lines().filter(|line| line.contains(&name)).collect();
            failures.push(format!("{label}: {problems:?}\n{body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} responses fail the schema:\n{}",
        failures.len(),
        responses.len(),
        failures.join("\n\n")
    );
}
