//! Structure-aware fuzzing of the response readers: well-formed SOAP
//! envelopes whose response messages hold random trees of real EWS element
//! names, in any order and nesting, with attribute and text values that
//! are valid, out of range or of the wrong kind. Where the byte mutations
//! of the reference samples mostly yield broken XML, these documents reach
//! the readers' value and structure checks. No reader may panic or
//! overflow a worker's stack; every document is read or rejected.
//!
//! The case count follows `PROPTEST_CASES` (256 when unset).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use roombridge_ews::envelope::parse_response;
use roombridge_ews::operations::*;

/// Element names the readers know, with their namespace prefix.
const ELEMENTS: &[&str] = &[
    "m:ResponseCode",
    "m:MessageText",
    "m:DescriptiveLinkKey",
    "m:MessageXml",
    "m:Items",
    "m:SyncState",
    "m:IncludesLastItemInRange",
    "m:Changes",
    "m:RootFolder",
    "t:Items",
    "t:CalendarItem",
    "t:Message",
    "t:MeetingRequest",
    "t:ItemId",
    "t:ParentFolderId",
    "t:Subject",
    "t:Body",
    "t:Start",
    "t:End",
    "t:UID",
    "t:RecurrenceId",
    "t:IsCancelled",
    "t:IsAllDayEvent",
    "t:MyResponseType",
    "t:CalendarItemType",
    "t:LegacyFreeBusyStatus",
    "t:Organizer",
    "t:Mailbox",
    "t:Name",
    "t:EmailAddress",
    "t:RoutingType",
    "t:RequiredAttendees",
    "t:OptionalAttendees",
    "t:Resources",
    "t:Attendee",
    "t:ResponseType",
    "t:LastResponseTime",
    "t:ExtendedProperty",
    "t:ExtendedFieldURI",
    "t:Value",
    "t:Create",
    "t:Update",
    "t:Delete",
    "t:ReadFlagChange",
    "t:Recurrence",
    "t:WeeklyRecurrence",
    "t:DailyRecurrence",
    "t:Interval",
    "t:DaysOfWeek",
    "t:FirstDayOfWeek",
    "t:NumberedRecurrence",
    "t:EndDateRecurrence",
    "t:NoEndRecurrence",
    "t:StartDate",
    "t:EndDate",
    "t:NumberOfOccurrences",
    "t:ModifiedOccurrences",
    "t:DeletedOccurrences",
    "t:Occurrence",
    "t:DeletedOccurrence",
    "t:OriginalStart",
    "t:StartTimeZone",
    "t:EndTimeZone",
    "t:TimeZoneDefinition",
    "t:LastModifiedTime",
    "t:Sensitivity",
    "t:ResponseObjects",
];

const ATTRIBUTES: &[&str] = &[
    "Id",
    "ChangeKey",
    "BodyType",
    "ResponseClass",
    "TotalItemsInView",
    "IncludesLastItemInRange",
    "IndexedPagingOffset",
    "PropertySetId",
    "DistinguishedPropertySetId",
    "PropertyName",
    "PropertyType",
    "PropertyTag",
    "Name",
];

/// Values of the right kind, out of range, or of the wrong kind.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop_oneof![
            Just("2027-03-01T09:00:00Z"),
            Just("2027-03-01T09:00:00+14:00"),
            Just("2027-02-30T25:61:61Z"),
            Just("-999999-01-01T00:00:00Z"),
            Just("2027-03-01"),
            Just("NoError"),
            Just("ErrorServerBusy"),
            Just("ErrorInvalidSyncStateData"),
            Just("Success"),
            Just("Warning"),
            Just("Error"),
            Just("true"),
            Just("false"),
            Just("0"),
            Just("-1"),
            Just("18446744073709551616"),
            Just("Accept"),
            Just("Organizer"),
            Just("Unknown"),
            Just("Single"),
            Just("Occurrence"),
            Just("RecurringMaster"),
            Just("Busy"),
            Just("Text"),
            Just("HTML"),
            Just("PublicStrings"),
            Just("String"),
            Just("BackOffMilliseconds"),
            Just("Monday Tuesday"),
            Just("W. Europe Standard Time"),
            Just(""),
        ]
        .prop_map(str::to_owned),
        "[a-zA-Z0-9 :+-]{0,24}",
        proptest::collection::vec(any::<char>(), 0..16)
            .prop_map(|chars| escape(&chars.into_iter().collect::<String>())),
    ]
}

/// Escapes text for XML; characters XML 1.0 cannot carry are dropped.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A random element tree as XML text.
fn tree() -> impl Strategy<Value = String> {
    let element = |children: BoxedStrategy<Vec<String>>| {
        (
            prop::sample::select(ELEMENTS),
            proptest::collection::vec((prop::sample::select(ATTRIBUTES), value()), 0..3),
            children,
        )
            .prop_map(|(name, attributes, children)| {
                let mut seen = Vec::new();
                let mut text = format!("<{name}");
                for (attribute, value) in attributes {
                    if !seen.contains(&attribute) {
                        seen.push(attribute);
                        text.push_str(&format!(" {attribute}=\"{}\"", escape(&value)));
                    }
                }
                text.push('>');
                for child in children {
                    text.push_str(&child);
                }
                text.push_str(&format!("</{name}>"));
                text
            })
    };
    let leaf = element(value().prop_map(|text| vec![escape(&text)]).boxed());
    leaf.prop_recursive(6, 64, 6, move |inner| {
        element(proptest::collection::vec(inner, 0..6).boxed())
    })
}

/// An envelope with one or two response messages holding random trees.
fn document() -> impl Strategy<Value = String> {
    (
        prop::sample::select(
            &[
                "GetItem",
                "FindItem",
                "SyncFolderItems",
                "CreateItem",
                "UpdateItem",
                "DeleteItem",
            ][..],
        ),
        prop::sample::select(&["Success", "Warning", "Error", "Other"][..]),
        proptest::collection::vec(tree(), 0..6),
        any::<bool>(),
    )
        .prop_map(|(operation, class, trees, twice)| {
            let body = trees.concat();
            envelope(operation, class, &body, twice)
        })
}

/// A response envelope of `operation` with one (or two) response messages
/// of class `class` holding `body`.
fn envelope(operation: &str, class: &str, body: &str, twice: bool) -> String {
    let message = format!(
        "<m:{operation}ResponseMessage ResponseClass=\"{class}\">{body}</m:{operation}ResponseMessage>"
    );
    let messages = if twice {
        format!("{message}{message}")
    } else {
        message
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <s:Header><h:ServerVersionInfo xmlns:h=\"http://schemas.microsoft.com/exchange/services/2006/types\" \
         MajorVersion=\"15\" MinorVersion=\"1\" MajorBuildNumber=\"2507\" MinorBuildNumber=\"6\"/></s:Header>\
         <s:Body><m:{operation}Response \
         xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" \
         xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">\
         <m:ResponseMessages>{messages}</m:ResponseMessages></m:{operation}Response></s:Body></s:Envelope>"
    )
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(256)
}

#[test]
fn generated_responses_are_read_or_rejected() {
    // A tokio worker's 2 MiB stack, so an overflow shows here as it would
    // in the client.
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let mut runner = TestRunner::new(Config {
                cases: cases(),
                failure_persistence: None,
                ..Config::default()
            });
            let result = runner.run(&document(), |xml| {
                let _ = parse_response::<GetItemResponse>(&xml);
                let _ = parse_response::<FindItemResponse>(&xml);
                let _ = parse_response::<SyncFolderItemsResponse>(&xml);
                let _ = parse_response::<CreateItemResponse>(&xml);
                let _ = parse_response::<UpdateItemResponse>(&xml);
                let _ = parse_response::<DeleteItemResponse>(&xml);
                Ok(())
            });
            if let Err(error) = result {
                panic!("{error}");
            }
        })
        .unwrap()
        .join()
        .expect("a reader panicked or overflowed its stack");
}

#[test]
fn the_generated_envelope_is_read() {
    // The envelope the generator wraps its trees in must get past the
    // readers' envelope checks, or the fuzzing above reaches only them.
    let xml = envelope(
        "GetItem",
        "Success",
        "<m:ResponseCode>NoError</m:ResponseCode><m:Items><t:CalendarItem>\
         <t:ItemId Id=\"AAA\" ChangeKey=\"BBB\"/><t:Subject>a &lt; b</t:Subject>\
         </t:CalendarItem></m:Items>",
        true,
    );
    let parsed = parse_response::<GetItemResponse>(&xml);
    let parsed = parsed.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        format!("{parsed:?}").matches("a < b").count(),
        2,
        "{parsed:?}"
    );
}
