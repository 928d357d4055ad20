//! Builders of every request the crate can write, shared by the tests.

#![allow(dead_code, unreachable_pub)]

pub mod server;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use roombridge_ews::envelope::request_xml;
use roombridge_ews::operation::Operation;
use roombridge_ews::operations::*;
use roombridge_ews::types::paths::*;
use roombridge_ews::types::*;

pub fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

pub fn header() -> RequestHeader {
    RequestHeader {
        request_server_version: Some(ExchangeVersion::Exchange2013Sp1),
        impersonation: Some(ExchangeImpersonation::primary_smtp("alice@example.com")),
        time_zone_context: Some(TimeZoneDefinition::id("W. Europe Standard Time")),
    }
}

pub fn booking_property() -> ExtendedFieldUri {
    ExtendedFieldUri::named_in_set(
        "c11ff724-aa03-4555-9952-8fa248a11c3e",
        "RoombridgeBookingId",
        MapiPropertyType::String,
    )
}

fn room_calendar() -> BaseFolderId {
    DistinguishedFolderId::of_mailbox(DistinguishedFolderIdName::Calendar, "room1@example.com")
        .into()
}

/// Builds a calendar item with every field a client writes.
pub fn full_calendar_item(
    subject: &str,
    body: &str,
    recurrence: Option<Recurrence>,
) -> CalendarItem {
    CalendarItem {
        subject: Some(subject.to_owned()),
        sensitivity: Some(Sensitivity::Normal),
        body: Some(Body::html(body)),
        categories: vec![String::from("Roombridge")],
        importance: Some(Importance::Normal),
        reminder_is_set: Some(false),
        reminder_minutes_before_start: Some(0),
        extended_properties: vec![ExtendedProperty {
            field_uri: booking_property(),
            value: ExtendedValue::Single(String::from("0190a8f2-7a1c-7cc3-b5a5-3f3b8a9e1d20")),
        }],
        start: Some(ts("2030-01-15T09:00:00Z")),
        end: Some(ts("2030-01-15T10:00:00Z")),
        is_all_day_event: Some(false),
        legacy_free_busy_status: Some(LegacyFreeBusyType::Busy),
        location: Some(String::from("Room 1")),
        is_response_requested: Some(true),
        required_attendees: vec![Attendee::smtp("bob@example.com")],
        optional_attendees: vec![Attendee::smtp("carol@example.com")],
        resources: vec![Attendee::smtp("room1@example.com")],
        recurrence,
        start_time_zone: Some(TimeZoneDefinition::id("W. Europe Standard Time")),
        end_time_zone: Some(TimeZoneDefinition::id("W. Europe Standard Time")),
        allow_new_time_proposal: Some(true),
        ..CalendarItem::default()
    }
}

pub fn all_recurrences() -> Vec<Recurrence> {
    let start_date = Date::constant(2030, 1, 15);
    let patterns = vec![
        RecurrencePattern::Daily { interval: 1 },
        RecurrencePattern::Weekly {
            interval: 2,
            days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Wednesday],
            first_day_of_week: Some(DayOfWeek::Monday),
        },
        RecurrencePattern::AbsoluteMonthly {
            interval: 1,
            day_of_month: 15,
        },
        RecurrencePattern::RelativeMonthly {
            interval: 1,
            days_of_week: vec![DayOfWeek::Tuesday],
            day_of_week_index: DayOfWeekIndex::Second,
        },
        RecurrencePattern::AbsoluteYearly {
            day_of_month: 15,
            month: Month::January,
        },
        RecurrencePattern::RelativeYearly {
            days_of_week: vec![DayOfWeek::Weekday],
            day_of_week_index: DayOfWeekIndex::Last,
            month: Month::March,
        },
    ];
    let ranges = [
        RecurrenceRange::NoEnd { start_date },
        RecurrenceRange::EndDate {
            start_date,
            end_date: Date::constant(2030, 12, 31),
        },
        RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences: 10,
        },
    ];
    patterns
        .into_iter()
        .enumerate()
        .map(|(index, pattern)| Recurrence {
            pattern,
            range: ranges[index % ranges.len()].clone(),
        })
        .collect()
}

fn envelope<O: Operation>(operation: &O) -> String {
    request_xml(&header(), operation)
}

/// Builds every request the crate can write, by name.
pub fn all_requests() -> Vec<(String, String)> {
    let mut requests = Vec::new();
    let mut add = |name: &str, xml: String| requests.push((name.to_owned(), xml));

    add(
        "get-folder",
        envelope(&GetFolder {
            folder_shape: Shape::new(BaseShape::IdOnly),
            folder_ids: vec![
                room_calendar(),
                DistinguishedFolderId::new(DistinguishedFolderIdName::Inbox).into(),
                DistinguishedFolderId::new(DistinguishedFolderIdName::DeletedItems).into(),
                FolderId {
                    id: String::from("AAMkAF"),
                    change_key: Some(String::from("AQAAAA==")),
                }
                .into(),
            ],
        }),
    );
    add(
        "find-item-calendar-view",
        envelope(&FindItem {
            traversal: ItemQueryTraversal::Shallow,
            item_shape: Shape::id_only_with(&[
                ITEM_SUBJECT,
                CALENDAR_START,
                CALENDAR_END,
                CALENDAR_UID,
            ]),
            view: Some(View::CalendarView {
                max_entries_returned: Some(500),
                start_date: ts("2030-01-01T00:00:00Z"),
                end_date: ts("2030-02-01T00:00:00Z"),
            }),
            restriction: None,
            sort_order: Vec::new(),
            parent_folder_ids: vec![room_calendar()],
        }),
    );
    let restriction = SearchExpression::And(vec![
        SearchExpression::compare(
            Comparison::IsGreaterThan,
            PropertyPath::field(ITEM_LAST_MODIFIED_TIME),
            "2030-01-01T00:00:00Z",
        ),
        SearchExpression::compare(
            Comparison::IsLessThan,
            PropertyPath::field(CALENDAR_START),
            "2030-03-01T00:00:00Z",
        ),
        SearchExpression::compare(
            Comparison::IsGreaterThanOrEqualTo,
            PropertyPath::field(CALENDAR_END),
            "2030-01-01T00:00:00Z",
        ),
        SearchExpression::compare(
            Comparison::IsEqualTo,
            PropertyPath::ExtendedFieldUri(booking_property()),
            "0190a8f2-7a1c-7cc3-b5a5-3f3b8a9e1d20",
        ),
        SearchExpression::Or(vec![
            SearchExpression::Exists(PropertyPath::field(CALENDAR_UID)),
            SearchExpression::Not(Box::new(SearchExpression::compare(
                Comparison::IsNotEqualTo,
                PropertyPath::field(CALENDAR_IS_CANCELLED),
                "true",
            ))),
        ]),
    ]);
    add(
        "find-item-restriction",
        envelope(&FindItem {
            traversal: ItemQueryTraversal::Shallow,
            item_shape: Shape::new(BaseShape::IdOnly),
            view: Some(View::IndexedPage {
                max_entries_returned: Some(100),
                offset: 0,
                base_point: IndexBasePoint::Beginning,
            }),
            restriction: Some(restriction),
            sort_order: vec![FieldOrder {
                order: SortDirection::Ascending,
                path: PropertyPath::field(ITEM_LAST_MODIFIED_TIME),
            }],
            parent_folder_ids: vec![room_calendar()],
        }),
    );
    let mut shape = Shape::id_only_with(CALENDAR_SYNC_PROPERTIES);
    shape.body_type = Some(BodyTypeResponse::Text);
    shape
        .additional_properties
        .push(PropertyPath::ExtendedFieldUri(booking_property()));
    add(
        "get-item-batch",
        envelope(&GetItem {
            item_shape: shape.clone(),
            item_ids: vec![
                ItemId::with_change_key("AAMkA1", "DwAAA1").into(),
                ItemId::new("AAMkA2").into(),
                BaseItemId::OccurrenceItemId(OccurrenceItemId {
                    recurring_master_id: String::from("AAMkA3"),
                    change_key: None,
                    instance_index: 2,
                }),
                BaseItemId::RecurringMasterItemId(RecurringMasterItemId {
                    occurrence_id: String::from("AAMkA4"),
                    change_key: None,
                }),
            ],
        }),
    );
    let recurrences = all_recurrences();
    let mut items = vec![full_calendar_item("Planning", "<p>Agenda</p>", None)];
    for (index, recurrence) in recurrences.into_iter().enumerate() {
        items.push(full_calendar_item(
            &format!("Series {index}"),
            "Weekly",
            Some(recurrence),
        ));
    }
    add(
        "create-item-calendar-batch",
        envelope(&CreateItem::calendar_items(
            Some(
                DistinguishedFolderId::of_mailbox(
                    DistinguishedFolderIdName::Calendar,
                    "alice@example.com",
                )
                .into(),
            ),
            SendMeetingInvitations::SendToAllAndSaveCopy,
            items,
        )),
    );
    let mut accept = ResponseObject::new(
        ResponseObjectKind::AcceptItem,
        ItemId::with_change_key("AAMkR", "CwAAA"),
    );
    accept.body = Some(Body::text("Accepted by roombridge"));
    accept.sensitivity = Some(Sensitivity::Normal);
    let mut propose = ResponseObject::new(
        ResponseObjectKind::TentativelyAcceptItem,
        ItemId::new("AAMkT"),
    );
    propose.proposed_start = Some(ts("2030-01-15T11:00:00Z"));
    propose.proposed_end = Some(ts("2030-01-15T12:00:00Z"));
    let decline = ResponseObject::new(ResponseObjectKind::DeclineItem, ItemId::new("AAMkD"));
    let mut cancel = ResponseObject::new(
        ResponseObjectKind::CancelCalendarItem,
        ItemId::with_change_key("AAMkC", "DwAAC"),
    );
    cancel.body = Some(Body::text("Cancelled in roombridge"));
    add(
        "create-item-responses",
        envelope(&CreateItem::responses(vec![
            accept, propose, decline, cancel,
        ])),
    );
    let mut respond_in_room = CreateItem::responses(vec![ResponseObject::new(
        ResponseObjectKind::AcceptItem,
        ItemId::new("AAMkRoom"),
    )]);
    respond_in_room.saved_item_folder_id = Some(
        DistinguishedFolderId::of_mailbox(
            DistinguishedFolderIdName::SentItems,
            "room1@example.com",
        )
        .into(),
    );
    add(
        "create-item-accept-saved-folder",
        envelope(&respond_in_room),
    );
    add(
        "update-item",
        envelope(&UpdateItem {
            conflict_resolution: ConflictResolution::NeverOverwrite,
            message_disposition: None,
            send_meeting_invitations_or_cancellations: Some(
                SendMeetingInvitationsOrCancellations::SendToAllAndSaveCopy,
            ),
            suppress_read_receipts: Some(true),
            saved_item_folder_id: None,
            item_changes: vec![
                ItemChange {
                    item_id: ItemId::with_change_key("AAMkU", "DwAAU").into(),
                    updates: vec![
                        ItemUpdate::set_calendar(
                            PropertyPath::field(ITEM_SUBJECT),
                            CalendarItem {
                                subject: Some(String::from("Moved")),
                                ..CalendarItem::default()
                            },
                        ),
                        ItemUpdate::set_calendar(
                            PropertyPath::field(CALENDAR_START),
                            CalendarItem {
                                start: Some(ts("2030-01-15T10:00:00Z")),
                                ..CalendarItem::default()
                            },
                        ),
                        ItemUpdate::set_calendar(
                            PropertyPath::ExtendedFieldUri(booking_property()),
                            CalendarItem {
                                extended_properties: vec![ExtendedProperty {
                                    field_uri: booking_property(),
                                    value: ExtendedValue::Single(String::from("b-2")),
                                }],
                                ..CalendarItem::default()
                            },
                        ),
                        ItemUpdate::append_calendar(
                            PropertyPath::field(CALENDAR_RESOURCES),
                            CalendarItem {
                                resources: vec![Attendee::smtp("room2@example.com")],
                                ..CalendarItem::default()
                            },
                        ),
                        ItemUpdate::DeleteItemField {
                            path: PropertyPath::field(CALENDAR_OPTIONAL_ATTENDEES),
                        },
                    ],
                },
                ItemChange {
                    item_id: BaseItemId::OccurrenceItemId(OccurrenceItemId {
                        recurring_master_id: String::from("AAMkM"),
                        change_key: Some(String::from("DwAAM")),
                        instance_index: 3,
                    }),
                    updates: vec![ItemUpdate::set_calendar(
                        PropertyPath::field(CALENDAR_LOCATION),
                        CalendarItem {
                            location: Some(String::from("Room 2")),
                            ..CalendarItem::default()
                        },
                    )],
                },
            ],
        }),
    );
    add(
        "delete-item",
        envelope(&DeleteItem {
            delete_type: DisposalType::MoveToDeletedItems,
            send_meeting_cancellations: Some(SendMeetingInvitations::SendToAllAndSaveCopy),
            affected_task_occurrences: Some(AffectedTaskOccurrences::AllOccurrences),
            suppress_read_receipts: Some(true),
            item_ids: vec![
                ItemId::with_change_key("AAMkX", "DwAAX").into(),
                ItemId::new("AAMkY").into(),
            ],
        }),
    );
    add(
        "move-item",
        envelope(&MoveItem {
            to_folder_id: DistinguishedFolderId::of_mailbox(
                DistinguishedFolderIdName::DeletedItems,
                "room1@example.com",
            )
            .into(),
            item_ids: vec![ItemId::with_change_key("AAMkM", "DwAAM").into()],
            return_new_item_ids: Some(true),
        }),
    );
    add(
        "sync-folder-items",
        envelope(&SyncFolderItems {
            item_shape: shape,
            sync_folder_id: room_calendar(),
            sync_state: Some(String::from(
                "H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++999577733",
            )),
            ignore: vec![ItemId::new("AAMkI")],
            max_changes_returned: 512,
            sync_scope: Some(SyncFolderItemsScope::NormalItems),
        }),
    );
    add(
        "get-user-availability",
        envelope(&GetUserAvailability {
            time_zone: SerializableTimeZone::utc(),
            mailbox_data: vec![
                MailboxData {
                    address: String::from("room1@example.com"),
                    attendee_type: MeetingAttendeeType::Room,
                    exclude_conflicts: Some(false),
                },
                MailboxData {
                    address: String::from("bob@example.com"),
                    attendee_type: MeetingAttendeeType::Required,
                    exclude_conflicts: None,
                },
            ],
            free_busy_view_options: FreeBusyViewOptions {
                start_time: DateTime::constant(2030, 1, 15, 0, 0, 0, 0),
                end_time: DateTime::constant(2030, 1, 16, 0, 0, 0, 0),
                merged_free_busy_interval_in_minutes: Some(30),
                requested_view: Some(FreeBusyViewType::Detailed),
            },
        }),
    );
    add(
        "get-folder-distinguished",
        envelope(&GetFolder::distinguished(
            DistinguishedFolderIdName::Inbox,
            Some("room1@example.com"),
        )),
    );
    add(
        "get-item-calendar-items",
        envelope(&GetItem::calendar_items(vec![ItemId::new("AAMkA1").into()])),
    );
    add(
        "find-item-calendar-view-constructor",
        envelope(&FindItem::calendar_view(
            room_calendar(),
            ts("2030-01-01T00:00:00Z"),
            ts("2030-01-08T00:00:00Z"),
            Shape::new(BaseShape::Default),
        )),
    );
    add(
        "sync-folder-items-first-page",
        envelope(&SyncFolderItems::next_page(room_calendar(), None, 100)),
    );
    add("get-room-lists", envelope(&GetRoomLists));
    add(
        "get-rooms",
        envelope(&GetRooms {
            room_list: EmailAddress::smtp("rooms@example.com"),
        }),
    );
    add(
        "resolve-names",
        envelope(&ResolveNames {
            return_full_contact_data: true,
            search_scope: Some(ResolveNamesSearchScope::ActiveDirectory),
            unresolved_entry: String::from("room1@example.com"),
        }),
    );
    add(
        "convert-id",
        envelope(&ConvertId {
            destination_format: IdFormat::EwsId,
            source_ids: vec![AlternateId {
                format: IdFormat::EwsLegacyId,
                id: String::from("AAMkLegacy"),
                mailbox: String::from("alice@example.com"),
                is_archive: None,
            }],
        }),
    );
    requests
}

/// Builds a calendar item as a server returns it, with read-only fields set.
pub fn server_calendar_item() -> CalendarItem {
    let mut item = full_calendar_item("Planning", "Agenda", all_recurrences().into_iter().nth(1));
    item.item_id = Some(ItemId::with_change_key("AAMkS", "DwAAS"));
    item.parent_folder_id = Some(FolderId {
        id: String::from("AAMkF"),
        change_key: Some(String::from("AQAAAA==")),
    });
    item.item_class = Some(String::from("IPM.Appointment"));
    item.date_time_received = Some(ts("2030-01-10T08:00:00Z"));
    item.date_time_created = Some(ts("2030-01-10T08:00:00Z"));
    item.culture = Some(String::from("en-US"));
    item.last_modified_name = Some(String::from("Alice Smith"));
    item.last_modified_time = Some(ts("2030-01-10T08:05:00Z"));
    item.uid = Some(String::from("040000008200E00074C5B7101A82E00800000000"));
    item.date_time_stamp = Some(ts("2030-01-10T08:00:00Z"));
    item.is_meeting = Some(true);
    item.is_cancelled = Some(false);
    item.is_recurring = Some(true);
    item.meeting_request_was_sent = Some(true);
    item.calendar_item_type = Some(CalendarItemType::RecurringMaster);
    item.my_response_type = Some(ResponseType::Organizer);
    item.organizer = Some(SingleRecipient {
        mailbox: EmailAddress::smtp("alice@example.com"),
    });
    item.required_attendees[0].response_type = Some(ResponseType::Accept);
    item.required_attendees[0].last_response_time = Some(ts("2030-01-10T09:00:00Z"));
    item.duration = Some(String::from("PT1H"));
    item.time_zone = Some(String::from("(UTC+01:00) Amsterdam, Berlin"));
    item.appointment_sequence_number = Some(0);
    item.appointment_state = Some(1);
    item.modified_occurrences = vec![OccurrenceInfo {
        item_id: ItemId::new("AAMkO"),
        start: ts("2030-01-29T10:00:00Z"),
        end: ts("2030-01-29T11:00:00Z"),
        original_start: ts("2030-01-29T09:00:00Z"),
    }];
    item.deleted_occurrences = vec![ts("2030-02-12T09:00:00Z")];
    item
}

fn server_info() -> ServerVersionInfo {
    ServerVersionInfo {
        major_version: Some(15),
        minor_version: Some(1),
        major_build_number: Some(2507),
        minor_build_number: Some(6),
        version: Some(String::from("V2017_07_11")),
    }
}

fn respond<R: roombridge_ews::operation::OperationResponse>(response: &R) -> String {
    roombridge_ews::envelope::response_xml(Some(&server_info()), response)
}

/// Builds every response the crate can write, by name, as a server sends it.
pub fn all_responses() -> Vec<(String, String)> {
    let mut responses = Vec::new();
    let mut add = |name: &str, xml: String| responses.push((name.to_owned(), xml));
    let calendar_item = Item::CalendarItem(Box::new(server_calendar_item()));
    let mut request = MessageItem::new(MessageKind::MeetingRequest);
    request.item_id = Some(ItemId::new("AAMkMR"));
    request.subject = Some(String::from("Planning"));
    request.sender = Some(SingleRecipient {
        mailbox: EmailAddress::smtp("alice@example.com"),
    });
    request.from = Some(SingleRecipient {
        mailbox: EmailAddress::smtp("alice@example.com"),
    });
    request.is_read = Some(false);
    request.associated_calendar_item_id = Some(ItemId::new("AAMkRoomCopy"));
    request.is_out_of_date = Some(false);
    request.has_been_processed = Some(true);
    request.response_type = Some(ResponseType::NoResponseReceived);
    request.uid = Some(String::from("040000008200E00074C5B7101A82E00800000000"));
    request.meeting_request_type = Some(MeetingRequestType::NewMeetingRequest);
    request.start = Some(ts("2030-01-15T09:00:00Z"));
    request.end = Some(ts("2030-01-15T10:00:00Z"));
    request.location = Some(String::from("Room 1"));
    request.calendar_item_type = Some(CalendarItemType::Single);
    request.organizer = Some(SingleRecipient {
        mailbox: EmailAddress::smtp("alice@example.com"),
    });
    let mut cancellation = request.clone();
    cancellation.kind = MessageKind::MeetingCancellation;
    cancellation.meeting_request_type = None;
    cancellation.organizer = None;

    let mut folder = Folder::new(
        "CalendarFolder",
        FolderId {
            id: String::from("AAMkF"),
            change_key: Some(String::from("AQAAAA==")),
        },
    );
    folder.display_name = Some(String::from("Calendar"));
    folder.folder_class = Some(String::from("IPF.Appointment"));
    folder.total_count = Some(3);
    folder.child_folder_count = Some(0);
    add(
        "get-folder",
        respond(&GetFolderResponse {
            messages: vec![ResponseMessage::success(FoldersContent {
                folders: vec![folder],
            })],
        }),
    );
    add(
        "find-item",
        respond(&FindItemResponse {
            messages: vec![ResponseMessage::success(FindItemContent {
                indexed_paging_offset: Some(1),
                total_items_in_view: Some(1),
                includes_last_item_in_range: Some(true),
                items: vec![calendar_item.clone()],
            })],
        }),
    );
    add(
        "get-item",
        respond(&GetItemResponse {
            messages: vec![
                ResponseMessage::success(ItemsContent {
                    items: vec![calendar_item.clone()],
                }),
                ResponseMessage::success(ItemsContent {
                    items: vec![Item::Message(Box::new(request.clone()))],
                }),
                ResponseMessage::error(ResponseCode::ErrorItemNotFound),
            ],
        }),
    );
    add(
        "create-item",
        respond(&CreateItemResponse {
            messages: vec![ResponseMessage::success(ItemsContent {
                items: vec![Item::CalendarItem(Box::new(CalendarItem {
                    item_id: Some(ItemId::with_change_key("AAMkN", "DwAAN")),
                    ..CalendarItem::default()
                }))],
            })],
        }),
    );
    add(
        "update-item",
        respond(&UpdateItemResponse {
            messages: vec![
                ResponseMessage::success(UpdateItemContent {
                    items: vec![Item::CalendarItem(Box::new(CalendarItem {
                        item_id: Some(ItemId::with_change_key("AAMkU", "DwAAV")),
                        ..CalendarItem::default()
                    }))],
                    conflict_results: Some(0),
                }),
                ResponseMessage::error(ResponseCode::ErrorIrresolvableConflict),
            ],
        }),
    );
    add(
        "delete-item",
        respond(&DeleteItemResponse {
            messages: vec![
                ResponseMessage::success(()),
                ResponseMessage::error(ResponseCode::ErrorItemNotFound),
            ],
        }),
    );
    add(
        "move-item",
        respond(&MoveItemResponse {
            messages: vec![
                ResponseMessage::success(ItemsContent {
                    items: vec![Item::Message(Box::new(MessageItem {
                        item_id: Some(ItemId::with_change_key("AAMkMoved", "CQAAM")),
                        ..MessageItem::new(MessageKind::MeetingRequest)
                    }))],
                }),
                ResponseMessage::error(ResponseCode::ErrorItemNotFound),
            ],
        }),
    );
    let mut busy = ResponseMessage::<()>::error(ResponseCode::ErrorServerBusy);
    busy.message_xml = vec![MessageXmlValue {
        name: String::from("BackOffMilliseconds"),
        value: String::from("1500"),
    }];
    add(
        "delete-item-busy",
        respond(&DeleteItemResponse {
            messages: vec![busy],
        }),
    );
    add(
        "sync-folder-items",
        respond(&SyncFolderItemsResponse {
            messages: vec![ResponseMessage::success(SyncFolderItemsContent {
                sync_state: Some(String::from("H4sIAAAA")),
                includes_last_item_in_range: Some(false),
                changes: vec![
                    SyncChange::Create(calendar_item.clone()),
                    SyncChange::Update(Item::Message(Box::new(request))),
                    SyncChange::Create(Item::Message(Box::new(cancellation))),
                    SyncChange::Delete(ItemId::new("AAMkGone")),
                    SyncChange::ReadFlagChange {
                        item_id: ItemId::new("AAMkRead"),
                        is_read: true,
                    },
                ],
            })],
        }),
    );
    add(
        "get-user-availability",
        respond(&GetUserAvailabilityResponse {
            responses: vec![FreeBusyResponse {
                message: ResponseMessage::success(()),
                view: FreeBusyView {
                    free_busy_view_type: Some(FreeBusyViewType::Detailed),
                    merged_free_busy: None,
                    calendar_events: vec![CalendarEvent {
                        start_time: DateTime::constant(2030, 1, 15, 9, 0, 0, 0),
                        end_time: DateTime::constant(2030, 1, 15, 10, 0, 0, 0),
                        busy_type: LegacyFreeBusyType::Busy,
                        details: Some(CalendarEventDetails {
                            id: Some(String::from("0000")),
                            subject: Some(String::from("Planning")),
                            location: Some(String::from("Room 1")),
                            is_meeting: true,
                            ..CalendarEventDetails::default()
                        }),
                    }],
                },
            }],
        }),
    );
    add(
        "get-room-lists",
        respond(&GetRoomListsResponse {
            message: ResponseMessage::success(RoomListsContent {
                room_lists: vec![EmailAddress {
                    name: Some(String::from("Rooms")),
                    email_address: Some(String::from("rooms@example.com")),
                    routing_type: Some(String::from("SMTP")),
                    mailbox_type: Some(MailboxType::PublicDl),
                    item_id: None,
                }],
            }),
        }),
    );
    add(
        "get-rooms",
        respond(&GetRoomsResponse {
            message: ResponseMessage::success(RoomsContent {
                rooms: vec![EmailAddress::smtp("room1@example.com")],
            }),
        }),
    );
    add(
        "get-rooms-error",
        respond(&GetRoomsResponse {
            message: ResponseMessage::error(ResponseCode::ErrorNameResolutionNoResults),
        }),
    );
    add(
        "resolve-names",
        respond(&ResolveNamesResponse {
            messages: vec![ResponseMessage::success(ResolveNamesContent {
                total_items_in_view: Some(1),
                includes_last_item_in_range: Some(true),
                resolutions: vec![Resolution {
                    mailbox: EmailAddress::smtp("room1@example.com"),
                    contact: Some(ResolvedContact {
                        display_name: Some(String::from("Room 1")),
                        email_addresses: vec![(
                            String::from("EmailAddress1"),
                            String::from("SMTP:room1@example.com"),
                        )],
                        contact_source: Some(String::from("ActiveDirectory")),
                    }),
                }],
            })],
        }),
    );
    add(
        "convert-id",
        respond(&ConvertIdResponse {
            messages: vec![ResponseMessage::success(ConvertIdContent {
                alternate_id: Some(AlternateId {
                    format: IdFormat::EwsId,
                    id: String::from("AAMkC"),
                    mailbox: String::from("alice@example.com"),
                    is_archive: None,
                }),
            })],
        }),
    );
    add("fault-server-busy", {
        let mut fault = SoapFault::for_code(ResponseCode::ErrorServerBusy);
        fault.message_xml = vec![MessageXmlValue {
            name: String::from("BackOffMilliseconds"),
            value: String::from("2000"),
        }];
        write_fault_envelope(None, &fault)
    });
    add(
        "fault-impersonation-with-server-version",
        write_fault_envelope(
            Some(&server_info()),
            &SoapFault::for_code(ResponseCode::ErrorImpersonateUserDenied),
        ),
    );
    responses
}
