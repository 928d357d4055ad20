//! Requests and responses written by the crate read back to the same values,
//! whatever text they carry.

mod common;

use proptest::prelude::*;
use roombridge_ews::envelope::{parse_response, request_xml, response_xml};
use roombridge_ews::operations::*;
use roombridge_ews::request::Request;
use roombridge_ews::types::*;

fn create_request_round_trip(items: Vec<CalendarItem>) -> Vec<CalendarItem> {
    let request =
        CreateItem::calendar_items(None, SendMeetingInvitations::SendToAllAndSaveCopy, items);
    let xml = request_xml(&common::header(), &request);
    let (header, parsed) = Request::parse_envelope(&xml).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(header, common::header());
    let Request::CreateItem(parsed) = parsed else {
        panic!("expected CreateItem, got {parsed:?}");
    };
    parsed
        .items
        .into_iter()
        .map(|item| match item {
            NewItem::CalendarItem(item) => *item,
            other => panic!("expected a calendar item, got {other:?}"),
        })
        .collect()
}

fn get_item_response_round_trip(item: CalendarItem) -> CalendarItem {
    let response = GetItemResponse {
        messages: vec![ResponseMessage::success(ItemsContent {
            items: vec![Item::CalendarItem(Box::new(item))],
        })],
    };
    let info = ServerVersionInfo {
        major_version: Some(15),
        minor_version: Some(1),
        major_build_number: Some(2507),
        minor_build_number: Some(6),
        version: Some(String::from("V2017_07_11")),
    };
    let xml = response_xml(Some(&info), &response);
    let envelope =
        parse_response::<GetItemResponse>(&xml).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(envelope.server_version_info, Some(info));
    let ResponseBody::Response(mut parsed) = envelope.body else {
        panic!("expected a response");
    };
    let Item::CalendarItem(item) = parsed.messages.remove(0).content.items.remove(0) else {
        panic!("expected a calendar item");
    };
    *item
}

#[test]
fn full_items_round_trip_in_requests() {
    let mut items = vec![common::full_calendar_item(
        "Planning",
        "<p>Agenda</p>",
        None,
    )];
    for recurrence in common::all_recurrences() {
        items.push(common::full_calendar_item(
            "Series",
            "Weekly",
            Some(recurrence),
        ));
    }
    assert_eq!(create_request_round_trip(items.clone()), items);
}

#[test]
fn special_characters_round_trip() {
    let subject = "Q&A <budget> \"review\" 'draft' ]]> <![CDATA[ x ]]> &amp; &#x41;";
    let body = "line one\r\nline two\n\ttabbed ]]> end\r";
    let item = common::full_calendar_item(subject, body, None);
    let parsed = create_request_round_trip(vec![item.clone()]);
    assert_eq!(parsed[0].subject.as_deref(), Some(subject));
    assert_eq!(parsed[0].body.as_ref().unwrap().content, body);
    assert_eq!(get_item_response_round_trip(item.clone()), item);
}

#[test]
fn chinese_text_round_trips() {
    let mut item = common::full_calendar_item(
        "季度评审 — 会议室 A",
        "请准时参加。议程：预算、招聘。",
        None,
    );
    item.location = Some(String::from("北京 3 楼 大会议室"));
    item.required_attendees[0].mailbox.name = Some(String::from("王伟"));
    assert_eq!(
        create_request_round_trip(vec![item.clone()]),
        vec![item.clone()]
    );
    assert_eq!(get_item_response_round_trip(item.clone()), item);
}

#[test]
fn long_body_round_trips() {
    let paragraph = "Room booking notes with <markup> & symbols, 会议 ]]> repeated.\n";
    let body: String = paragraph.repeat(40_000);
    assert!(body.len() > 2_000_000);
    let item = common::full_calendar_item("Long", &body, None);
    let parsed = get_item_response_round_trip(item.clone());
    assert_eq!(parsed.body.as_ref().unwrap().content.len(), body.len());
    assert_eq!(parsed, item);
}

#[test]
fn control_characters_are_replaced() {
    let item = common::full_calendar_item("bell\u{7} here", "nul\u{0} here", None);
    let parsed = create_request_round_trip(vec![item]);
    assert_eq!(parsed[0].subject.as_deref(), Some("bell\u{fffd} here"));
    assert_eq!(parsed[0].body.as_ref().unwrap().content, "nul\u{fffd} here");
}

#[test]
fn every_built_request_parses_back() {
    for (name, xml) in common::all_requests() {
        let (header, request) =
            Request::parse_envelope(&xml).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(header, common::header(), "{name}");
        let expected = match name.as_str() {
            "get-folder" | "get-folder-distinguished" => "GetFolder",
            "find-item-calendar-view"
            | "find-item-restriction"
            | "find-item-calendar-view-constructor" => "FindItem",
            "get-item-batch" | "get-item-calendar-items" => "GetItem",
            "create-item-calendar-batch"
            | "create-item-responses"
            | "create-item-accept-saved-folder" => "CreateItem",
            "update-item" => "UpdateItem",
            "delete-item" => "DeleteItem",
            "move-item" => "MoveItem",
            "sync-folder-items" | "sync-folder-items-first-page" => "SyncFolderItems",
            "get-user-availability" => "GetUserAvailabilityRequest",
            "get-room-lists" => "GetRoomLists",
            "get-rooms" => "GetRooms",
            "resolve-names" => "ResolveNames",
            "convert-id" => "ConvertId",
            other => panic!("no expectation for {other}"),
        };
        assert_eq!(request.operation_name(), expected, "{name}");
    }
}

#[test]
fn move_item_request_round_trips() {
    let move_item = MoveItem {
        to_folder_id: DistinguishedFolderId::new(DistinguishedFolderIdName::DeletedItems).into(),
        item_ids: vec![
            ItemId::with_change_key("AAMkA", "CQAAA").into(),
            ItemId::new("AAMkB").into(),
        ],
        return_new_item_ids: Some(false),
    };
    let xml = request_xml(&common::header(), &move_item);
    let (_, request) = Request::parse_envelope(&xml).unwrap();
    assert_eq!(request, Request::MoveItem(move_item));
}

#[test]
fn move_item_without_target_is_rejected() {
    let xml = request_xml(
        &common::header(),
        &MoveItem {
            to_folder_id: DistinguishedFolderId::new(DistinguishedFolderIdName::Inbox).into(),
            item_ids: vec![ItemId::new("AAMkA").into()],
            return_new_item_ids: None,
        },
    );
    let start = xml.find("<m:ToFolderId>").unwrap();
    let end = xml.find("</m:ToFolderId>").unwrap() + "</m:ToFolderId>".len();
    let broken = format!("{}{}", &xml[..start], &xml[end..]);
    let error = Request::parse_envelope(&broken).unwrap_err();
    assert!(error.to_string().contains("ToFolderId"), "{error}");
}

#[test]
fn message_with_sender_keeps_read_flag() {
    let mut message = MessageItem::new(MessageKind::MeetingRequest);
    message.item_id = Some(ItemId::new("AAMkR"));
    message.from = Some(SingleRecipient {
        mailbox: EmailAddress::smtp("alice@example.com"),
    });
    message.is_read = Some(true);
    let response = GetItemResponse {
        messages: vec![ResponseMessage::success(ItemsContent {
            items: vec![Item::Message(Box::new(message.clone()))],
        })],
    };
    let xml = response_xml(None, &response);
    let from = xml.find("<t:From>").unwrap();
    let is_read = xml.find("<t:IsRead>").unwrap();
    assert!(from < is_read, "IsRead is written before From: {xml}");
    let parsed = parse_response::<GetItemResponse>(&xml).unwrap();
    let ResponseBody::Response(parsed) = parsed.body else {
        panic!("expected a response, got a fault");
    };
    assert_eq!(
        parsed.messages[0].content.items[0],
        Item::Message(Box::new(message))
    );
}

/// Text that XML 1.0 can carry: no control characters other than tab, line
/// feed and carriage return, and no U+FFFE or U+FFFF.
fn xml_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..200).prop_map(|chars| {
        chars
            .into_iter()
            .filter(|ch| !matches!(ch, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}'))
            .collect()
    })
}

proptest! {
    #[test]
    fn any_text_round_trips(subject in xml_text(), body in xml_text(), location in xml_text()) {
        let mut item = common::full_calendar_item(&subject, &body, None);
        item.location = Some(location);
        let parsed = create_request_round_trip(vec![item.clone()]);
        prop_assert_eq!(&parsed[0], &item);
    }
}

#[test]
fn times_without_offset_use_time_zone_context() {
    let xml = request_xml(
        &common::header(),
        &CreateItem::calendar_items(
            None,
            SendMeetingInvitations::SendToNone,
            vec![common::full_calendar_item("Local", "", None)],
        ),
    )
    .replace(
        "<t:Start>2030-01-15T09:00:00Z</t:Start>",
        "<t:Start>2030-01-15T10:00:00</t:Start>",
    );
    let (_, request) = Request::parse_envelope(&xml).unwrap();
    let Request::CreateItem(request) = request else {
        panic!("expected CreateItem");
    };
    let NewItem::CalendarItem(item) = &request.items[0] else {
        panic!("expected a calendar item");
    };
    // 10:00 in Berlin in January is 09:00 UTC.
    assert_eq!(item.start, Some(common::ts("2030-01-15T09:00:00Z")));
}

#[test]
fn extended_property_found_by_uri() {
    let item = common::full_calendar_item("Planning", "", None);
    let mut upper_case = common::booking_property();
    upper_case.property_set_id = upper_case.property_set_id.map(|guid| guid.to_uppercase());
    assert_eq!(
        item.extended_property(&upper_case),
        Some("0190a8f2-7a1c-7cc3-b5a5-3f3b8a9e1d20")
    );
    let other = ExtendedFieldUri::named(
        DistinguishedPropertySetId::PublicStrings,
        "Other",
        MapiPropertyType::String,
    );
    assert_eq!(item.extended_property(&other), None);
}
