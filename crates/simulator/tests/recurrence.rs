//! Recurring meetings: CalendarView expansion, series masters in FindItem
//! and SyncFolderItems, modified and deleted occurrences.

mod support;

use support::*;

fn weekly(start_date: &str, count: u32) -> String {
    format!(
        r#"<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday Wednesday</t:DaysOfWeek><t:FirstDayOfWeek>Monday</t:FirstDayOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>{start_date}</t:StartDate><t:NumberOfOccurrences>{count}</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence><t:StartTimeZone Id="China Standard Time"/><t:EndTimeZone Id="China Standard Time"/>"#
    )
}

#[tokio::test]
async fn weekly_series_expands_in_calendar_view_only() {
    let sim = start().await;
    // 2031-03-03 is a Monday; 09:00 in Shanghai is 01:00 UTC.
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Series",
            "2031-03-03T01:00:00Z",
            "2031-03-03T02:00:00Z",
            &["room-102@example.com"],
            &weekly("2031-03-03", 4),
        ),
    )
    .await;
    assert_eq!(codes(&created.body), vec!["NoError"]);
    let master_id = first_item_id(&created.body);

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
    assert_eq!(
        texts(&view, "Start"),
        vec![
            "2031-03-03T01:00:00Z",
            "2031-03-05T01:00:00Z",
            "2031-03-10T01:00:00Z",
            "2031-03-12T01:00:00Z"
        ]
    );
    assert_eq!(texts(&view, "CalendarItemType"), vec!["Occurrence"; 4]);
    let uids = texts(&view, "UID");
    assert!(
        uids.windows(2).all(|pair| pair[0] == pair[1]),
        "occurrences share the master's UID"
    );

    let plain = call(
        &sim,
        "alice@example.com",
        &find_all("calendar", "alice@example.com"),
    )
    .await
    .body;
    let series: Vec<String> = texts(&plain, "CalendarItemType");
    assert!(series.contains(&"RecurringMaster".to_string()));
    assert!(
        !series.contains(&"Occurrence".to_string()),
        "plain FindItem returns masters, not occurrences"
    );

    let master = call(&sim, "alice@example.com", &get_item(&master_id))
        .await
        .body;
    assert_eq!(text(&master, "NumberOfOccurrences"), "4");
    assert_eq!(texts(&master, "DaysOfWeek"), vec!["Monday Wednesday"]);

    // The room's copy is a series too.
    let room = call(
        &sim,
        "room-102@example.com",
        &calendar_view(
            "room-102@example.com",
            "2031-03-01T00:00:00Z",
            "2031-03-31T00:00:00Z",
        ),
    )
    .await
    .body;
    assert_eq!(texts(&room, "CalendarItemType"), vec!["Occurrence"; 4]);
}

#[tokio::test]
async fn modified_and_deleted_occurrences() {
    let sim = start().await;
    let created = call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Series",
            "2031-04-07T01:00:00Z",
            "2031-04-07T02:00:00Z",
            &["bob@example.com"],
            &weekly("2031-04-07", 4),
        ),
    )
    .await;
    let master_id = first_item_id(&created.body);
    let view = |sim| async move {
        call(
            sim,
            "alice@example.com",
            &calendar_view(
                "alice@example.com",
                "2031-04-01T00:00:00Z",
                "2031-04-30T00:00:00Z",
            ),
        )
        .await
        .body
    };
    let before = view(&sim).await;
    let occurrence_ids = attributes(&before, "ItemId", "Id");

    // Move the second occurrence by an hour, through its occurrence id.
    let second = &occurrence_ids[1];
    let update = format!(
        r#"<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToAllAndSaveCopy"><m:ItemChanges><t:ItemChange><t:ItemId Id="{second}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="calendar:Start"/><t:CalendarItem><t:Start>2031-04-09T02:00:00Z</t:Start></t:CalendarItem></t:SetItemField><t:SetItemField><t:FieldURI FieldURI="calendar:End"/><t:CalendarItem><t:End>2031-04-09T03:00:00Z</t:End></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
    );
    assert_eq!(
        codes(&call(&sim, "alice@example.com", &update).await.body),
        vec!["NoError"]
    );

    // Delete the third through OccurrenceItemId (InstanceIndex counts from 1).
    let delete = format!(
        r#"<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToAllAndSaveCopy"><m:ItemIds><t:OccurrenceItemId RecurringMasterId="{master_id}" InstanceIndex="3"/></m:ItemIds></m:DeleteItem>"#
    );
    assert_eq!(
        codes(&call(&sim, "alice@example.com", &delete).await.body),
        vec!["NoError"]
    );

    let after = view(&sim).await;
    assert_eq!(
        texts(&after, "Start"),
        vec![
            "2031-04-07T01:00:00Z",
            "2031-04-09T02:00:00Z",
            "2031-04-16T01:00:00Z"
        ]
    );
    assert_eq!(
        texts(&after, "CalendarItemType"),
        vec!["Occurrence", "Exception", "Occurrence"]
    );

    let master = call(&sim, "alice@example.com", &get_item(&master_id))
        .await
        .body;
    assert_eq!(texts(&master, "DeletedOccurrence").len(), 1);
    assert_eq!(
        texts(&master, "OriginalStart"),
        vec!["2031-04-09T01:00:00Z"],
        "ModifiedOccurrences lists the moved occurrence by its original start"
    );

    // Bob's copy follows the organizer.
    let bob = call(
        &sim,
        "bob@example.com",
        &calendar_view(
            "bob@example.com",
            "2031-04-01T00:00:00Z",
            "2031-04-30T00:00:00Z",
        ),
    )
    .await
    .body;
    assert_eq!(
        texts(&bob, "Start"),
        vec![
            "2031-04-07T01:00:00Z",
            "2031-04-09T02:00:00Z",
            "2031-04-16T01:00:00Z"
        ]
    );
}

#[tokio::test]
async fn monthly_and_yearly_patterns_expand() {
    let sim = start().await;
    let monthly = r#"<t:Recurrence><t:RelativeMonthlyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Friday</t:DaysOfWeek><t:DayOfWeekIndex>Last</t:DayOfWeekIndex></t:RelativeMonthlyRecurrence><t:EndDateRecurrence><t:StartDate>2031-01-01</t:StartDate><t:EndDate>2031-03-31</t:EndDate></t:EndDateRecurrence></t:Recurrence>"#;
    call(
        &sim,
        "carol@example.com",
        &create_meeting(
            "Monthly",
            "2031-01-31T10:00:00Z",
            "2031-01-31T11:00:00Z",
            &[],
            monthly,
        ),
    )
    .await;
    let yearly = r#"<t:Recurrence><t:AbsoluteYearlyRecurrence><t:DayOfMonth>15</t:DayOfMonth><t:Month>June</t:Month></t:AbsoluteYearlyRecurrence><t:NoEndRecurrence><t:StartDate>2031-06-15</t:StartDate></t:NoEndRecurrence></t:Recurrence>"#;
    call(
        &sim,
        "carol@example.com",
        &create_meeting(
            "Yearly",
            "2031-06-15T08:00:00Z",
            "2031-06-15T09:00:00Z",
            &[],
            yearly,
        ),
    )
    .await;
    let view = call(
        &sim,
        "carol@example.com",
        &calendar_view(
            "carol@example.com",
            "2031-01-01T00:00:00Z",
            "2033-12-31T00:00:00Z",
        ),
    )
    .await
    .body;
    let starts = texts(&view, "Start");
    for expected in [
        "2031-01-31T10:00:00Z",
        "2031-02-28T10:00:00Z",
        "2031-03-28T10:00:00Z",
        "2031-06-15T08:00:00Z",
        "2032-06-15T08:00:00Z",
        "2033-06-15T08:00:00Z",
    ] {
        assert!(
            starts.contains(&expected.to_string()),
            "{expected} missing from {starts:?}"
        );
    }
    assert!(
        !starts.contains(&"2031-04-25T10:00:00Z".to_string()),
        "the monthly series ends in March"
    );
}
