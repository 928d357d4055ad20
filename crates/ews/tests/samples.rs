//! Every response sample in the reference material parses to the values
//! it contains.

use jiff::Timestamp;
use roombridge_ews::envelope::parse_response;
use roombridge_ews::operation::OperationResponse;
use roombridge_ews::operations::*;
use roombridge_ews::types::*;

fn sample(name: &str) -> Option<String> {
    let shared = roombridge_testkit::shared_dir("EWS response samples")?;
    let path = shared.join("ews-reference/samples").join(name);
    Some(
        std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display())),
    )
}

fn parse<R: OperationResponse>(name: &str) -> Option<ResponseEnvelope<R>> {
    let xml = sample(name)?;
    Some(parse_response::<R>(&xml).unwrap_or_else(|error| panic!("{name}: {error}")))
}

fn body<R: OperationResponse>(envelope: ResponseEnvelope<R>) -> R {
    match envelope.body {
        ResponseBody::Response(response) => response,
        ResponseBody::Fault(fault) => panic!("unexpected fault {fault:?}"),
    }
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn calendar(item: &Item) -> &CalendarItem {
    item.as_calendar_item()
        .unwrap_or_else(|| panic!("expected a calendar item, got {item:?}"))
}

fn items_of(response: &GetItemResponse) -> Vec<&CalendarItem> {
    response
        .messages
        .iter()
        .flat_map(|message| message.content.items.iter().map(calendar))
        .collect()
}

#[test]
fn get_item_recurring_master_real() {
    let Some(envelope) =
        parse::<GetItemResponse>("get-item-calendar-recurring-master-response-ex2010sp2-real.xml")
    else {
        return;
    };
    let info = envelope.server_version_info.clone().unwrap();
    assert_eq!(
        (info.major_version, info.minor_version),
        (Some(14), Some(3))
    );
    assert_eq!(info.major_build_number, Some(123));
    assert_eq!(info.version.as_deref(), Some("Exchange2010_SP2"));
    let response = body(envelope);
    let items = items_of(&response);
    assert_eq!(items.len(), 1);
    let item = items[0];
    let id = item.item_id.as_ref().unwrap();
    assert!(id.id.starts_with("AAMkAGQ4OGYyYzE0LTYxY2Mt"), "{}", id.id);
    assert_eq!(
        id.change_key.as_deref(),
        Some("DwAAABYAAABCkOY/jjhKQ7mo2IjGzUWvAAAAEq4d")
    );
    assert_eq!(item.subject.as_deref(), Some("test5 (15min)"));
    assert_eq!(item.body, Some(Body::text("")));
    assert_eq!(
        item.uid.as_deref(),
        Some(
            "040000008200E00074C5B7101A82E008000000001BCFE1DAA354CE01000000000000000010000000A7F20CAF2EF2DA4D8870306202531473"
        )
    );
    assert_eq!(item.start, Some(ts("2013-05-19T16:00:00Z")));
    assert_eq!(item.end, Some(ts("2013-05-19T17:00:00Z")));
    assert_eq!(item.is_all_day_event, Some(false));
    assert_eq!(item.location.as_deref(), Some(""));
    assert_eq!(item.is_cancelled, Some(false));
    assert_eq!(
        item.calendar_item_type,
        Some(CalendarItemType::RecurringMaster)
    );
    assert_eq!(item.my_response_type, Some(ResponseType::Organizer));
    let organizer = &item.organizer.as_ref().unwrap().mailbox;
    assert_eq!(organizer.name.as_deref(), Some("alarm test"));
    assert_eq!(
        organizer.email_address.as_deref(),
        Some("alarmtest@example.com")
    );
    assert_eq!(organizer.mailbox_type, Some(MailboxType::Mailbox));
    assert_eq!(
        item.recurrence,
        Some(Recurrence {
            pattern: RecurrencePattern::Daily { interval: 1 },
            range: RecurrenceRange::Numbered {
                start_date: jiff::civil::date(2013, 5, 19),
                number_of_occurrences: 3,
            },
        })
    );
    let zone = item.start_time_zone.as_ref().unwrap();
    assert_eq!(zone.id.as_deref(), Some("W. Europe Standard Time"));
    assert_eq!(
        item.end_time_zone.as_ref().unwrap().id.as_deref(),
        Some("W. Europe Standard Time")
    );
    assert_eq!(item.extended_properties.len(), 3);
    let reminder = &item.extended_properties[0];
    assert_eq!(
        reminder.field_uri.distinguished_property_set_id,
        Some(DistinguishedPropertySetId::Common)
    );
    assert_eq!(reminder.field_uri.property_id, Some(34144));
    assert_eq!(
        reminder.field_uri.property_type,
        MapiPropertyType::SystemTime
    );
    assert_eq!(reminder.single_value(), Some("2013-05-20T17:45:00+02:00"));
    assert_eq!(item.duration.as_deref(), Some("PT1H"));
}

#[test]
fn get_item_all_properties() {
    let Some(envelope) = parse::<GetItemResponse>("get-item-calendar-allproperties-response.xml")
    else {
        return;
    };
    let response = body(envelope);
    let item = items_of(&response)[0];
    assert!(item.item_id.as_ref().unwrap().id.starts_with("ASUAdT"));
    assert_eq!(item.start, Some(ts("2006-06-16T00:30:00Z")));
    assert_eq!(item.is_cancelled, Some(false));
    assert_eq!(item.calendar_item_type, Some(CalendarItemType::Single));
    assert_eq!(item.my_response_type, Some(ResponseType::Organizer));
    let organizer = &item.organizer.as_ref().unwrap().mailbox;
    assert_eq!(organizer.name.as_deref(), Some("Bob"));
    assert_eq!(
        organizer.email_address.as_deref(),
        Some("someone@example.com")
    );
    assert!(item.appointment_state.is_some());
}

#[test]
fn get_item_batch_with_attendees() {
    let Some(envelope) = parse::<GetItemResponse>("get-item-calendar-batch-response.xml") else {
        return;
    };
    assert_eq!(
        envelope
            .server_version_info
            .as_ref()
            .unwrap()
            .version
            .as_deref(),
        Some("V2_8")
    );
    let response = body(envelope);
    assert_eq!(response.messages.len(), 3);
    assert!(
        response
            .messages
            .iter()
            .all(|message| message.response_code == ResponseCode::NoError)
    );
    let items = items_of(&response);
    assert_eq!(
        items[0].subject.as_deref(),
        Some("Review current quarterly deliverables")
    );
    assert_eq!(items[0].start, Some(ts("2014-01-19T18:59:07Z")));
    assert_eq!(items[0].calendar_item_type, Some(CalendarItemType::Single));
    assert_eq!(items[1].subject.as_deref(), Some("Food bank delivery"));
    let attendees: Vec<&Attendee> = items
        .iter()
        .flat_map(|item| item.required_attendees.iter())
        .collect();
    assert!(
        !attendees.is_empty(),
        "the batch sample lists required attendees"
    );
    assert!(
        attendees
            .iter()
            .all(|attendee| attendee.response_type.is_some())
    );
}

#[test]
fn get_item_docs_sample() {
    let Some(envelope) = parse::<GetItemResponse>("get-item-calendar-response.xml") else {
        return;
    };
    assert_eq!(
        envelope.server_version_info.as_ref().unwrap().major_version,
        Some(8)
    );
    let response = body(envelope);
    assert_eq!(response.messages.len(), 1);
    let item = items_of(&response)[0];
    assert!(item.item_id.as_ref().unwrap().id.starts_with("ASUAd"));
}

#[test]
fn find_item_calendar_views() {
    let Some(envelope) = parse::<FindItemResponse>("find-item-calendarview-response.xml") else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(content.total_items_in_view, Some(33));
    assert_eq!(content.includes_last_item_in_range, Some(false));
    assert_eq!(content.items.len(), 5);
    let first = calendar(&content.items[0]);
    assert_eq!(first.subject.as_deref(), Some("Contoso devs team meeting"));
    assert_eq!(first.start, Some(ts("2013-08-21T19:30:00Z")));
    assert_eq!(
        calendar(&content.items[2]).subject.as_deref(),
        Some("Lunch with sales team")
    );

    let Some(envelope) = parse::<FindItemResponse>("find-item-calendarview-recurring-response.xml")
    else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(content.total_items_in_view, Some(5));
    assert!(
        content
            .items
            .iter()
            .map(calendar)
            .all(|item| item.calendar_item_type == Some(CalendarItemType::Occurrence))
    );
    assert_eq!(
        calendar(&content.items[1]).start,
        Some(ts("2014-07-09T15:30:00Z"))
    );
}

#[test]
fn find_item_real_exchange_2010() {
    let Some(envelope) =
        parse::<FindItemResponse>("find-item-calendarview-response-ex2010sp2-real.xml")
    else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(content.total_items_in_view, Some(62));
    assert_eq!(content.items.len(), 62);
    let first = calendar(&content.items[0]);
    assert_eq!(first.subject.as_deref(), Some("Pea soup"));
    assert_eq!(first.start, Some(ts("2012-09-27T09:45:00Z")));
    assert_eq!(first.calendar_item_type, Some(CalendarItemType::Occurrence));
    assert!(
        first
            .uid
            .as_deref()
            .unwrap()
            .starts_with("040000008200E00074C5")
    );
    let kinds: Vec<CalendarItemType> = content
        .items
        .iter()
        .filter_map(|item| calendar(item).calendar_item_type)
        .collect();
    assert!(kinds.contains(&CalendarItemType::Exception));
    assert!(kinds.contains(&CalendarItemType::Single));
}

#[test]
fn find_item_restriction_and_search() {
    let Some(envelope) = parse::<FindItemResponse>("find-item-restriction-response.xml") else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(content.total_items_in_view, Some(1));
    let master = calendar(&content.items[0]);
    assert_eq!(master.subject.as_deref(), Some("Swim Team Practice"));
    assert_eq!(
        master.calendar_item_type,
        Some(CalendarItemType::RecurringMaster)
    );

    let Some(envelope) = parse::<FindItemResponse>("find-item-search-filter-response.xml") else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(content.total_items_in_view, Some(3));
    let subjects: Vec<&str> = content
        .items
        .iter()
        .filter_map(|item| {
            item.as_message()
                .and_then(|message| message.subject.as_deref())
        })
        .collect();
    assert_eq!(
        subjects,
        ["meeting notes", "Meeting Notes", "Meeting notes"]
    );
}

#[test]
fn create_item_responses() {
    for name in [
        "create-item-calendar-response.xml",
        "create-item-impersonation-response.xml",
        "create-item-cancel-calendar-item-response.xml",
    ] {
        let Some(envelope) = parse::<CreateItemResponse>(name) else {
            return;
        };
        let response = body(envelope);
        assert_eq!(response.messages.len(), 1, "{name}");
        assert_eq!(
            response.messages[0].response_code,
            ResponseCode::NoError,
            "{name}"
        );
        assert_eq!(
            response.messages[0].content.items[0].item_id().unwrap().id,
            "AAMkA",
            "{name}"
        );
    }
    let Some(envelope) = parse::<CreateItemResponse>("create-item-calendar-response.xml") else {
        return;
    };
    let id = body(envelope).messages[0].content.items[0]
        .item_id()
        .unwrap()
        .clone();
    assert_eq!(id, ItemId::with_change_key("AAMkA", "DwAAA"));

    let Some(envelope) = parse::<CreateItemResponse>("create-item-calendar-batch-response.xml")
    else {
        return;
    };
    assert_eq!(body(envelope).messages.len(), 3);

    let Some(envelope) = parse::<CreateItemResponse>("create-item-calendar-ex2007-response.xml")
    else {
        return;
    };
    let id = &body(envelope).messages[0].content.items[0];
    assert!(id.item_id().unwrap().id.starts_with("AAAlAFV"));
}

#[test]
fn accept_item_responses() {
    let Some(envelope) = parse::<CreateItemResponse>("accept-item-response.xml") else {
        return;
    };
    let response = body(envelope);
    assert_eq!(response.messages[0].response_class, ResponseClass::Success);
    assert!(response.messages[0].content.items.is_empty());

    let Some(envelope) = parse::<CreateItemResponse>("accept-item-propose-new-time-response.xml")
    else {
        return;
    };
    let response = body(envelope);
    let ids: Vec<&str> = response.messages[0]
        .content
        .items
        .iter()
        .map(|item| item.item_id().unwrap().id.as_str())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0].starts_with("AAMkAGRmOWE2OW"));
    assert!(ids[1].starts_with("AAMkAGRmOWE2AAABB"));
}

#[test]
fn update_item_responses() {
    let Some(envelope) = parse::<UpdateItemResponse>("update-item-calendar-response.xml") else {
        return;
    };
    let response = body(envelope);
    let content = &response.messages[0].content;
    assert_eq!(
        content.items[0].item_id().unwrap(),
        &ItemId::with_change_key("AAMkA", "DwAAA")
    );
    assert_eq!(content.conflict_results, Some(0));

    let Some(envelope) = parse::<UpdateItemResponse>("update-item-calendar-batch-response.xml")
    else {
        return;
    };
    assert_eq!(body(envelope).messages.len(), 3);
}

#[test]
fn delete_item_responses() {
    let Some(envelope) = parse::<DeleteItemResponse>("delete-item-calendar-response.xml") else {
        return;
    };
    assert_eq!(
        body(envelope).messages[0].response_code,
        ResponseCode::NoError
    );
    let Some(envelope) = parse::<DeleteItemResponse>("delete-item-batch-response.xml") else {
        return;
    };
    assert_eq!(body(envelope).messages.len(), 3);
}

#[test]
fn error_item_not_found() {
    for name in [
        "error-item-not-found-delete-response.xml",
        "error-item-not-found-delete-batch-response.xml",
    ] {
        let Some(envelope) = parse::<DeleteItemResponse>(name) else {
            return;
        };
        let response = body(envelope);
        for message in &response.messages {
            assert_eq!(message.response_class, ResponseClass::Error, "{name}");
            assert_eq!(
                message.response_code,
                ResponseCode::ErrorItemNotFound,
                "{name}"
            );
            assert_eq!(
                message.message_text.as_deref(),
                Some("The specified object was not found in the store.")
            );
        }
    }
    let Some(envelope) = parse::<CreateItemResponse>("error-item-not-found-accept-response.xml")
    else {
        return;
    };
    assert_eq!(
        body(envelope).messages[0].response_code,
        ResponseCode::ErrorItemNotFound
    );
}

#[test]
fn error_irresolvable_conflict() {
    let Some(envelope) = parse::<UpdateItemResponse>("error-irresolvable-conflict-response.xml")
    else {
        return;
    };
    let message = &body(envelope).messages[0];
    assert_eq!(
        message.response_code,
        ResponseCode::ErrorIrresolvableConflict
    );
    assert!(
        message
            .message_text
            .as_deref()
            .unwrap()
            .starts_with("The send or update operation could not be performed")
    );
    assert!(message.content.items.is_empty());
}

#[test]
fn error_invalid_sync_state() {
    let Some(envelope) =
        parse::<SyncFolderItemsResponse>("error-invalid-sync-state-data-response.xml")
    else {
        return;
    };
    let message = &body(envelope).messages[0];
    assert_eq!(
        message.response_code,
        ResponseCode::ErrorInvalidSyncStateData
    );
    assert_eq!(
        message.message_text.as_deref(),
        Some("Synchronization state data is corrupt or otherwise invalid.")
    );
    assert_eq!(message.content.sync_state, None);
    assert_eq!(message.content.includes_last_item_in_range, Some(true));
}

#[test]
fn fault_server_busy_carries_back_off() {
    let Some(envelope) = parse::<GetItemResponse>("error-server-busy-fault-response.xml") else {
        return;
    };
    let ResponseBody::Fault(fault) = envelope.body else {
        panic!("expected a fault");
    };
    assert_eq!(fault.code(), ResponseCode::ErrorServerBusy);
    assert_eq!(fault.fault_code, "a:ErrorServerBusy");
    assert_eq!(
        fault.fault_string,
        "The server cannot service this request right now. Try again later."
    );
    assert_eq!(back_off_milliseconds(&fault.message_xml), Some(297_749));
}

#[test]
fn fault_impersonate_user_denied() {
    let Some(envelope) =
        parse::<CreateItemResponse>("error-impersonate-user-denied-fault-response.xml")
    else {
        return;
    };
    let ResponseBody::Fault(fault) = envelope.body else {
        panic!("expected a fault");
    };
    assert_eq!(fault.code(), ResponseCode::ErrorImpersonateUserDenied);
    assert_eq!(
        fault.message.as_deref(),
        Some("The account does not have permission to impersonate the requested user.")
    );
}

#[test]
fn sync_folder_items_pages() {
    let Some(envelope) = parse::<SyncFolderItemsResponse>("sync-folder-items-response.xml") else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert!(
        content
            .sync_state
            .as_deref()
            .unwrap()
            .starts_with("H4sIAAAAA")
    );
    assert_eq!(content.includes_last_item_in_range, Some(true));
    let SyncChange::Create(Item::Message(request)) = &content.changes[0] else {
        panic!(
            "expected a created meeting request, got {:?}",
            content.changes[0]
        );
    };
    assert_eq!(request.kind, MessageKind::MeetingRequest);
    assert_eq!(request.subject.as_deref(), Some("Budget Q3"));
    assert_eq!(
        request.response_type,
        Some(ResponseType::NoResponseReceived)
    );
    assert_eq!(request.start, Some(ts("2006-08-02T17:30:00Z")));
    assert!(request.organizer.is_some());

    let Some(envelope) = parse::<SyncFolderItemsResponse>("sync-folder-items-changes-response.xml")
    else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    let count = |kind: &str| {
        content
            .changes
            .iter()
            .filter(|change| match change {
                SyncChange::Create(_) => kind == "create",
                SyncChange::Update(_) => kind == "update",
                SyncChange::Delete(_) => kind == "delete",
                SyncChange::ReadFlagChange { .. } => kind == "read",
            })
            .count()
    };
    assert_eq!(
        (
            count("create"),
            count("update"),
            count("delete"),
            count("read")
        ),
        (2, 1, 1, 1)
    );
    let SyncChange::Update(Item::Message(updated)) = &content.changes[0] else {
        panic!("expected an updated message first");
    };
    assert_eq!(updated.subject.as_deref(), Some("RE: Company Soccer Team"));
    assert!(
        content
            .changes
            .iter()
            .any(|change| matches!(change, SyncChange::ReadFlagChange { is_read: true, .. }))
    );

    let Some(envelope) = parse::<SyncFolderItemsResponse>("sync-folder-items-initial-response.xml")
    else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(content.sync_state.as_deref(), Some("H4sIAAA=="));
    let created: Vec<&str> = content
        .changes
        .iter()
        .filter_map(|change| match change {
            SyncChange::Create(item) => item.item_id().map(|id| id.id.as_str()),
            _ => None,
        })
        .collect();
    assert!(created.len() >= 3);
    assert_eq!(&created[..3], ["q04QAAAA==", "q07AAAAA==", "q1AwAAAA=="]);
}

#[test]
fn room_lists_and_rooms() {
    let Some(envelope) = parse::<GetRoomListsResponse>("get-room-lists-response.xml") else {
        return;
    };
    let lists = body(envelope).message.content.room_lists;
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].name.as_deref(), Some("Room List"));
    assert_eq!(
        lists[0].email_address.as_deref(),
        Some("RoomList@contoso.com")
    );
    assert_eq!(lists[0].mailbox_type, Some(MailboxType::PublicDl));

    let Some(envelope) = parse::<GetRoomListsResponse>("get-room-lists-howto-response.xml") else {
        return;
    };
    let addresses: Vec<String> = body(envelope)
        .message
        .content
        .room_lists
        .into_iter()
        .filter_map(|list| list.email_address)
        .collect();
    assert_eq!(
        addresses,
        [
            "bldg1rooms@contoso.com",
            "bldg2rooms@contoso.com",
            "bldg3rooms@contoso.com"
        ]
    );

    let Some(envelope) = parse::<GetRoomListsResponse>("get-room-lists-empty-response.xml") else {
        return;
    };
    assert!(body(envelope).message.content.room_lists.is_empty());

    let Some(envelope) = parse::<GetRoomsResponse>("get-rooms-response.xml") else {
        return;
    };
    let rooms: Vec<String> = body(envelope)
        .message
        .content
        .rooms
        .into_iter()
        .filter_map(|room| room.email_address)
        .collect();
    assert_eq!(rooms, ["Room01@contoso.com", "Room02@contoso.com"]);

    // This docs sample puts `Room` in a misspelt namespace (`scemas`), so a
    // namespace-aware reader finds no rooms in it.
    let Some(envelope) = parse::<GetRoomsResponse>("get-rooms-howto-response.xml") else {
        return;
    };
    assert!(envelope.server_version_info.is_none());
    assert!(body(envelope).message.content.rooms.is_empty());

    let Some(envelope) = parse::<GetRoomsResponse>("error-get-rooms-no-results-response.xml")
    else {
        return;
    };
    let message = body(envelope).message;
    assert_eq!(
        message.response_code,
        ResponseCode::ErrorNameResolutionNoResults
    );
    assert_eq!(message.response_class, ResponseClass::Error);
}

#[test]
fn resolve_names() {
    let Some(envelope) = parse::<ResolveNamesResponse>("resolve-names-response.xml") else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(content.total_items_in_view, Some(1));
    let resolution = &content.resolutions[0];
    assert_eq!(
        resolution.mailbox.email_address.as_deref(),
        Some("User2@example.com")
    );
    let contact = resolution.contact.as_ref().unwrap();
    assert_eq!(contact.display_name.as_deref(), Some("User2"));
    assert_eq!(
        contact.email_addresses,
        [(
            String::from("EmailAddress1"),
            String::from("SMTP:User2@example.com")
        )]
    );
    assert_eq!(contact.contact_source.as_deref(), Some("ActiveDirectory"));

    let Some(envelope) = parse::<ResolveNamesResponse>("resolve-names-howto-response.xml") else {
        return;
    };
    let content = &body(envelope).messages[0].content;
    assert_eq!(
        content.resolutions[0].mailbox.name.as_deref(),
        Some("Sadie Daniels")
    );

    let Some(envelope) =
        parse::<ResolveNamesResponse>("error-resolve-names-no-results-response.xml")
    else {
        return;
    };
    let message = &body(envelope).messages[0];
    assert_eq!(
        message.response_code,
        ResponseCode::ErrorNameResolutionNoResults
    );
    assert_eq!(
        message.message_text.as_deref(),
        Some("No results were found.")
    );
}

#[test]
fn user_availability() {
    let Some(envelope) = parse::<GetUserAvailabilityResponse>("get-user-availability-response.xml")
    else {
        return;
    };
    let response = body(envelope);
    assert_eq!(response.responses.len(), 2);
    let view = &response.responses[0].view;
    assert_eq!(
        view.free_busy_view_type,
        Some(FreeBusyViewType::DetailedMerged)
    );
    assert_eq!(
        view.merged_free_busy.as_deref(),
        Some("000002220220000000000000")
    );
    assert_eq!(view.calendar_events.len(), 3);
    let event = &view.calendar_events[2];
    assert_eq!(
        event.start_time,
        jiff::civil::datetime(2006, 10, 16, 9, 40, 0, 0)
    );
    assert_eq!(event.busy_type, LegacyFreeBusyType::Busy);
    let details = event.details.as_ref().unwrap();
    assert_eq!(details.subject.as_deref(), Some("Meet with doctor"));
    assert_eq!(details.location.as_deref(), Some("Kirkland"));

    let Some(envelope) =
        parse::<GetUserAvailabilityResponse>("get-user-availability-suggestions-response.xml")
    else {
        return;
    };
    let response = body(envelope);
    assert!(
        response
            .responses
            .iter()
            .all(|entry| entry.message.response_code == ResponseCode::NoError)
    );
    assert!(
        response.responses[0]
            .view
            .calendar_events
            .iter()
            .any(|event| event.busy_type == LegacyFreeBusyType::Free)
    );
}

#[test]
fn every_response_sample_parses() {
    let Some(shared) = roombridge_testkit::shared_dir("EWS response samples") else {
        return;
    };
    let mut parsed = 0;
    for entry in std::fs::read_dir(shared.join("ews-reference/samples")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with("-response.xml") && !name.ends_with("-response-ex2010sp2-real.xml") {
            continue;
        }
        let xml = std::fs::read_to_string(&path).unwrap();
        let result = if xml.contains("GetItemResponse") || xml.contains("s:Fault") {
            parse_response::<GetItemResponse>(&xml).map(drop)
        } else if xml.contains("CreateItemResponse") {
            parse_response::<CreateItemResponse>(&xml).map(drop)
        } else if xml.contains("UpdateItemResponse") {
            parse_response::<UpdateItemResponse>(&xml).map(drop)
        } else if xml.contains("DeleteItemResponse") {
            parse_response::<DeleteItemResponse>(&xml).map(drop)
        } else if xml.contains("FindItemResponse") {
            parse_response::<FindItemResponse>(&xml).map(drop)
        } else if xml.contains("SyncFolderItemsResponse") {
            parse_response::<SyncFolderItemsResponse>(&xml).map(drop)
        } else if xml.contains("GetUserAvailabilityResponse") {
            parse_response::<GetUserAvailabilityResponse>(&xml).map(drop)
        } else if xml.contains("GetRoomListsResponse") {
            parse_response::<GetRoomListsResponse>(&xml).map(drop)
        } else if xml.contains("GetRoomsResponse") {
            parse_response::<GetRoomsResponse>(&xml).map(drop)
        } else if xml.contains("ResolveNamesResponse") {
            parse_response::<ResolveNamesResponse>(&xml).map(drop)
        } else {
            panic!("{name}: no parser chosen for this sample");
        };
        result.unwrap_or_else(|error| panic!("{name}: {error}"));
        parsed += 1;
    }
    assert!(parsed >= 40, "parsed only {parsed} response samples");
}
