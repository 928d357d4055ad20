//! The admin interface, directory operations, free/busy, organisation
//! files and the state file.

mod support;

use support::*;

#[tokio::test]
async fn sample_organisation_has_the_conformance_accounts() {
    let sim = start().await;
    let reply = admin(&sim, "GET", "/admin/mailboxes", "").await;
    assert_eq!(reply.status, 200);
    let list: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let find = |address: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["address"] == address)
            .cloned()
            .unwrap_or_else(|| panic!("{address} missing"))
    };
    assert_eq!(find("svc@example.com")["impersonation"], true);
    assert_eq!(find("alice@example.com")["impersonation"], false);
    assert_eq!(
        find("room-101@example.com")["room_settings"]["automate_processing"],
        "AutoAccept"
    );
    assert_eq!(
        find("room-102@example.com")["room_settings"]["automate_processing"],
        "AutoUpdate"
    );
    assert_eq!(find("wang.wei@example.com")["name"], "王伟");
    assert!(
        !reply.body.contains("password"),
        "passwords never leave the simulator"
    );
}

#[tokio::test]
async fn sample_organisation_has_existing_bookings() {
    let sim = start().await;
    let items: serde_json::Value = serde_json::from_str(
        &admin(
            &sim,
            "GET",
            "/admin/mailboxes/room-201@example.com/items?folder=calendar",
            "",
        )
        .await
        .body,
    )
    .unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(
        items[0]["calendar"]["recurrence"].is_object(),
        "the room holds a recurring series"
    );
    assert_eq!(items[0]["calendar"]["my_response"], "Accept");
}

#[tokio::test]
async fn admin_creates_mailboxes_and_acts_as_outlook_user() {
    let sim = start().await;
    let user =
        r#"{"name":"Dan Brown","kind":"user","password":"dan-password","impersonation":false}"#;
    assert_eq!(
        admin(&sim, "PUT", "/admin/mailboxes/dan@example.com", user)
            .await
            .status,
        204
    );
    let room = r#"{"name":"Room 900","kind":"room","processing":{"automate_processing":"AutoUpdate"},"capacity":4}"#;
    assert_eq!(
        admin(&sim, "PUT", "/admin/mailboxes/room-900@example.com", room)
            .await
            .status,
        204
    );
    let mut connection = Connection::open(&sim).await;
    let signed_in = connection
        .ews(
            Some(&basic("dan@example.com", "dan-password")),
            &envelope(None, &find_all("calendar", "dan@example.com")),
        )
        .await
        .unwrap();
    assert_eq!(signed_in.status, 200);

    let meeting = format!(
        r#"{{"subject":"From Outlook","start":"{}","end":"{}","attendees":["room-900@example.com"]}}"#,
        slot(12, 9, 0),
        slot(12, 10, 0)
    );
    let created = admin(
        &sim,
        "POST",
        "/admin/mailboxes/dan@example.com/meetings",
        &meeting,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let number = created["number"].as_u64().unwrap();

    let room_items: serde_json::Value = serde_json::from_str(
        &admin(
            &sim,
            "GET",
            "/admin/mailboxes/room-900@example.com/items?folder=inbox",
            "",
        )
        .await
        .body,
    )
    .unwrap();
    let request = &room_items.as_array().unwrap()[0];
    assert_eq!(request["kind"], "MeetingRequest");
    let answered = admin(
        &sim,
        "POST",
        &format!("/admin/items/{}/respond", request["number"]),
        r#"{"response":"Accept"}"#,
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.body);

    let moved = format!(
        r#"{{"start":"{}","end":"{}"}}"#,
        slot(12, 11, 0),
        slot(12, 12, 0)
    );
    assert_eq!(
        admin(&sim, "POST", &format!("/admin/items/{number}/move"), &moved)
            .await
            .status,
        200
    );
    let view = call(
        &sim,
        "room-900@example.com",
        &calendar_view("room-900@example.com", &slot(12, 0, 0), &slot(13, 0, 0)),
    )
    .await
    .body;
    assert_eq!(texts(&view, "Start"), vec![slot(12, 11, 0)]);

    assert_eq!(
        admin(&sim, "POST", &format!("/admin/items/{number}/cancel"), "")
            .await
            .status,
        204
    );
    let view = call(
        &sim,
        "room-900@example.com",
        &calendar_view("room-900@example.com", &slot(12, 0, 0), &slot(13, 0, 0)),
    )
    .await
    .body;
    assert_eq!(texts(&view, "IsCancelled"), vec!["true"]);
}

#[tokio::test]
async fn admin_rejects_bad_input_with_the_value() {
    let sim = start().await;
    let reply = admin(
        &sim,
        "PUT",
        "/admin/mailboxes/room-101@example.com/room-settings",
        r#"{"automate_processing":"Sometimes"}"#,
    )
    .await;
    assert_eq!(reply.status, 422);
    let reply = admin(
        &sim,
        "PUT",
        "/admin/mailboxes/alice@example.com/room-settings",
        "{}",
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("alice@example.com"), "{}", reply.body);
    let reply = admin(&sim, "GET", "/admin/mailboxes/nobody@example.com/items", "").await;
    assert_eq!(reply.status, 404);
    let reply = admin(
        &sim,
        "GET",
        "/admin/mailboxes/alice@example.com/items?folder=attic",
        "",
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("attic"));
}

#[tokio::test]
async fn ics_import_creates_series_with_exdates() {
    let sim = start().await;
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:import-1@example.com\r\nSUMMARY:Imported stand-up\r\nDTSTART;TZID=Asia/Shanghai:20310303T090000\r\nDTEND;TZID=Asia/Shanghai:20310303T091500\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE;TZID=Asia/Shanghai:20310304T090000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:import-2@example.com\r\nSUMMARY:One-off\r\nDTSTART:20310310T100000Z\r\nDTEND:20310310T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let reply = admin(
        &sim,
        "POST",
        "/admin/mailboxes/room-301@example.com/ics",
        ics,
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let reply: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(reply["imported"], 2);
    let view = call(
        &sim,
        "room-301@example.com",
        &calendar_view(
            "room-301@example.com",
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
            "2031-03-10T10:00:00Z"
        ]
    );
    assert!(texts(&view, "UID").contains(&"import-1@example.com".to_string()));

    let broken = admin(
        &sim,
        "POST",
        "/admin/mailboxes/room-301@example.com/ics",
        "BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n",
    )
    .await;
    assert_eq!(broken.status, 422);
    assert!(broken.body.contains("DTSTART"), "{}", broken.body);
}

#[tokio::test]
async fn room_lists_and_rooms() {
    let sim = start().await;
    let lists = call(&sim, "alice@example.com", "<m:GetRoomLists/>")
        .await
        .body;
    assert_eq!(
        texts(&lists, "EmailAddress"),
        vec!["building-1@example.com", "beijing-office@example.com"]
    );
    let rooms = call(&sim, "alice@example.com", r#"<m:GetRooms><m:RoomList><t:EmailAddress>beijing-office@example.com</t:EmailAddress></m:RoomList></m:GetRooms>"#).await.body;
    assert_eq!(texts(&rooms, "Name"), vec!["会议室 201", "培训室 301"]);
    let none = call(&sim, "alice@example.com", r#"<m:GetRooms><m:RoomList><t:EmailAddress>nowhere@example.com</t:EmailAddress></m:RoomList></m:GetRooms>"#).await.body;
    assert_eq!(codes(&none), vec!["ErrorNameResolutionNoResults"]);
    let resolved = call(&sim, "alice@example.com", r#"<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>room-1</m:UnresolvedEntry></m:ResolveNames>"#).await.body;
    assert_eq!(
        texts(&resolved, "EmailAddress"),
        vec!["room-101@example.com", "room-102@example.com"]
    );
}

#[tokio::test]
async fn free_busy_of_a_room() {
    let sim = start().await;
    call(
        &sim,
        "alice@example.com",
        &create_meeting(
            "Busy time",
            &slot(13, 10, 0),
            &slot(13, 11, 0),
            &["room-101@example.com"],
            "",
        ),
    )
    .await;
    let request = format!(
        r#"<m:GetUserAvailabilityRequest><t:TimeZone><t:Bias>0</t:Bias><t:StandardTime><t:Bias>0</t:Bias><t:Time>00:00:00</t:Time><t:DayOrder>0</t:DayOrder><t:Month>0</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:StandardTime><t:DaylightTime><t:Bias>0</t:Bias><t:Time>00:00:00</t:Time><t:DayOrder>0</t:DayOrder><t:Month>0</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:DaylightTime></t:TimeZone><m:MailboxDataArray><t:MailboxData><t:Email><t:Address>room-101@example.com</t:Address></t:Email><t:AttendeeType>Room</t:AttendeeType></t:MailboxData><t:MailboxData><t:Email><t:Address>ghost@example.com</t:Address></t:Email><t:AttendeeType>Required</t:AttendeeType></t:MailboxData></m:MailboxDataArray><t:FreeBusyViewOptions><t:TimeWindow><t:StartTime>{}</t:StartTime><t:EndTime>{}</t:EndTime></t:TimeWindow><t:MergedFreeBusyIntervalInMinutes>60</t:MergedFreeBusyIntervalInMinutes><t:RequestedView>DetailedMerged</t:RequestedView></t:FreeBusyViewOptions></m:GetUserAvailabilityRequest>"#,
        slot(13, 8, 0).trim_end_matches('Z'),
        slot(13, 12, 0).trim_end_matches('Z')
    );
    let reply = call(&sim, "alice@example.com", &request).await.body;
    assert_eq!(codes(&reply), vec!["NoError", "ErrorMailRecipientNotFound"]);
    assert_eq!(texts(&reply, "BusyType"), vec!["Busy"]);
    assert_eq!(
        text(&reply, "MergedFreeBusy"),
        "0020",
        "08:00 to 12:00 in hours, busy 10:00 to 11:00"
    );
    assert_eq!(
        text(&reply, "StartTime"),
        slot(13, 10, 0).trim_end_matches('Z')
    );
}

#[tokio::test]
async fn organisation_file_replaces_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.toml");
    let file = r#"
[[mailbox]]
address = "ops@corp.example"
name = "Ops"
kind = "user"
password = "ops-password"
impersonation = true

[[mailbox]]
address = "lab@corp.example"
name = "Lab"
kind = "room"

[[room_list]]
address = "all-rooms@corp.example"
name = "All rooms"
rooms = ["lab@corp.example"]

[[booking]]
organizer = "ops@corp.example"
subject = "Calibration"
start = "START"
end = "END"
attendees = ["lab@corp.example"]
"#;
    std::fs::write(
        &path,
        file.replace("START", &slot(5, 9, 0))
            .replace("END", &slot(5, 10, 0)),
    )
    .unwrap();
    let config = roombridge_simulator::SimulatorConfig {
        organisation_file: Some(path),
        ..Default::default()
    };
    let sim = roombridge_simulator::Simulator::start(config)
        .await
        .unwrap();
    let mut connection = Connection::open(&sim).await;
    let view = connection
        .ews(
            Some(&basic("ops@corp.example", "ops-password")),
            &envelope(
                Some("lab@corp.example"),
                &calendar_view("lab@corp.example", &slot(5, 0, 0), &slot(6, 0, 0)),
            ),
        )
        .await
        .unwrap()
        .body;
    assert_eq!(
        texts(&view, "MyResponseType"),
        vec!["Accept"],
        "rooms default to AutoAccept"
    );
    let alice = connection
        .ews(
            Some(&basic("alice@example.com", "alice-password")),
            &envelope(None, "<m:GetRoomLists/>"),
        )
        .await
        .unwrap();
    assert_eq!(alice.status, 401, "the sample organisation is gone");
}

#[tokio::test]
async fn bad_organisation_file_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    std::fs::write(
        &path,
        r#"{"room_list":[{"address":"x@example.com","name":"X","rooms":["missing@example.com"]}]}"#,
    )
    .unwrap();
    let config = roombridge_simulator::SimulatorConfig {
        organisation_file: Some(path),
        ..Default::default()
    };
    let error = roombridge_simulator::Simulator::start(config)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("missing@example.com"), "{error}");
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let config = roombridge_simulator::SimulatorConfig {
        state_file: Some(state.clone()),
        ..Default::default()
    };
    let sim = roombridge_simulator::Simulator::start(config.clone())
        .await
        .unwrap();
    let created = call(
        &sim,
        "carol@example.com",
        &create_meeting("Persisted", &slot(14, 9, 0), &slot(14, 10, 0), &[], ""),
    )
    .await;
    let id = first_item_id(&created.body);
    sim.shutdown().await;
    assert!(state.exists());

    let restarted = roombridge_simulator::Simulator::start(config)
        .await
        .unwrap();
    let again = call(&restarted, "carol@example.com", &get_item(&id))
        .await
        .body;
    assert_eq!(text(&again, "Subject"), "Persisted");
}

#[tokio::test]
async fn starts_in_under_a_second() {
    let started = std::time::Instant::now();
    let sim = start().await;
    let reply = admin(&sim, "GET", "/admin/health", "").await;
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn in_process_organisation_and_faults() {
    use roombridge_simulator::faults::{FaultKind, FaultRule, Faults};
    use roombridge_simulator::model::{Mailbox, MailboxKind, Password};
    let organisation = roombridge_simulator::OrganisationFile {
        mailboxes: vec![Mailbox {
            address: "tester@example.org".into(),
            name: "Tester".into(),
            kind: MailboxKind::User {
                password: Password::new("secret"),
                impersonation: false,
                domain: None,
            },
        }],
        ..Default::default()
    };
    let config = roombridge_simulator::SimulatorConfig {
        organisation: Some(organisation),
        ..Default::default()
    };
    let sim = roombridge_simulator::Simulator::start(config)
        .await
        .unwrap();
    let mut connection = Connection::open(&sim).await;
    let tester = basic("tester@example.org", "secret");
    let ok = connection
        .ews(Some(&tester), &envelope(None, "<m:GetRoomLists/>"))
        .await
        .unwrap();
    assert_eq!(ok.status, 200);

    let rule = FaultRule {
        kind: FaultKind::Http503,
        operation: None,
        count: Some(1),
        probability: None,
    };
    sim.set_faults(Faults {
        rules: vec![rule],
        ..Faults::default()
    })
    .unwrap();
    let failed = connection
        .ews(Some(&tester), &envelope(None, "<m:GetRoomLists/>"))
        .await
        .unwrap();
    assert_eq!(failed.status, 503);
    let invalid = Faults {
        max_concurrent_per_account: Some(0),
        ..Faults::default()
    };
    assert!(sim.set_faults(invalid).is_err());
}
