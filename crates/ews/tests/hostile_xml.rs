//! Hostile documents through the readers: deep nesting, DOCTYPE and
//! entities, odd prefixes, unknown elements, missing parts and random byte
//! mutations of the reference samples. None may panic or overflow the stack.

mod common;

use proptest::prelude::*;
use roombridge_ews::envelope::{parse_response, request_xml};
use roombridge_ews::operations::*;
use roombridge_ews::request::Request;
use roombridge_ews::types::*;

const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
const TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

/// Runs `work` on a thread with the 2 MiB stack of a tokio worker, so a
/// stack overflow shows up here as it would in the client or simulator.
fn on_worker_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(work)
        .unwrap()
        .join()
        .expect("the reader panicked or overflowed its stack")
}

fn find_item_with_restriction(restriction: &str) -> String {
    let request = request_xml(
        &common::header(),
        &FindItem::calendar_view(
            DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into(),
            common::ts("2030-01-01T00:00:00Z"),
            common::ts("2030-02-01T00:00:00Z"),
            Shape::new(BaseShape::IdOnly),
        ),
    );
    request.replacen(
        "<m:CalendarView",
        &format!("<m:Restriction>{restriction}</m:Restriction><m:CalendarView"),
        1,
    )
}

#[test]
fn deeply_nested_restriction_is_rejected() {
    let depth = 100_000;
    let restriction = format!(
        "{}<t:Exists><t:FieldURI FieldURI=\"item:Subject\"/></t:Exists>{}",
        "<t:Not>".repeat(depth),
        "</t:Not>".repeat(depth)
    );
    let xml = find_item_with_restriction(&restriction);
    let result = on_worker_stack(move || Request::parse_envelope(&xml).map(|_| ()));
    let error = result.unwrap_err().to_string();
    assert!(error.contains("nested deeper"), "{error}");
}

#[test]
fn moderately_nested_restriction_is_read() {
    let depth = 100;
    let restriction = format!(
        "{}<t:Exists><t:FieldURI FieldURI=\"item:Subject\"/></t:Exists>{}",
        "<t:Not>".repeat(depth),
        "</t:Not>".repeat(depth)
    );
    let xml = find_item_with_restriction(&restriction);
    let result = on_worker_stack(move || Request::parse_envelope(&xml).map(|_| ()));
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn deeply_nested_unknown_elements_are_rejected_or_skipped() {
    let depth = 200_000;
    let xml = format!(
        r#"<s:Envelope xmlns:s="{SOAP}"><s:Body><m:GetFolderResponse xmlns:m="{MESSAGES}">{}{}</m:GetFolderResponse></s:Body></s:Envelope>"#,
        "<x>".repeat(depth),
        "</x>".repeat(depth)
    );
    on_worker_stack(move || {
        let _ = parse_response::<GetFolderResponse>(&xml);
    });
}

fn get_folder_response(inner: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="{SOAP}"><s:Body><m:GetFolderResponse xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages>{inner}</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>"#
    )
}

const FOLDER_MESSAGE: &str = r#"<m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:CalendarFolder><t:FolderId Id="AAMkF" ChangeKey="AQ"/></t:CalendarFolder></m:Folders></m:GetFolderResponseMessage>"#;

#[test]
fn doctype_and_entities_are_rejected() {
    let documents = [
        format!(
            r#"<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>{}"#,
            get_folder_response(FOLDER_MESSAGE)
        ),
        get_folder_response(FOLDER_MESSAGE).replace("AAMkF", "&b;"),
        get_folder_response(FOLDER_MESSAGE)
            .replace("<m:ResponseCode>NoError", "<m:ResponseCode>&xxe;"),
    ];
    for xml in documents {
        let error = parse_response::<GetFolderResponse>(&xml).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("DOCTYPE") || text.contains("entity") || text.contains("malformed"),
            "{text}"
        );
    }
}

#[test]
fn other_prefixes_and_default_namespaces_are_read() {
    let xml = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><GetFolderResponse xmlns="{MESSAGES}"><ResponseMessages><GetFolderResponseMessage ResponseClass="Success"><ResponseCode>NoError</ResponseCode><Folders><q:CalendarFolder xmlns:q="{TYPES}"><q:FolderId Id="AAMkF"/></q:CalendarFolder></Folders></GetFolderResponseMessage></ResponseMessages></GetFolderResponse></soap:Body></soap:Envelope>"#
    );
    let envelope = parse_response::<GetFolderResponse>(&xml).unwrap();
    let ResponseBody::Response(response) = envelope.body else {
        panic!("expected a response");
    };
    let folder = &response.messages[0].content.folders[0];
    assert_eq!(folder.folder_id.as_ref().unwrap().id, "AAMkF");
}

#[test]
fn wrong_namespaces_are_errors_not_data() {
    // The right local names in the wrong namespaces are other documents.
    let wrong_soap = get_folder_response(FOLDER_MESSAGE).replace(SOAP, "urn:not-soap");
    let error = parse_response::<GetFolderResponse>(&wrong_soap).unwrap_err();
    assert!(error.to_string().contains("Envelope"), "{error}");

    let wrong_messages = get_folder_response(FOLDER_MESSAGE).replace(MESSAGES, "urn:other");
    let error = parse_response::<GetFolderResponse>(&wrong_messages).unwrap_err();
    assert!(error.to_string().contains("GetFolderResponse"), "{error}");

    let unbound =
        get_folder_response(FOLDER_MESSAGE).replace(&format!(r#" xmlns:t="{TYPES}""#), "");
    let error = parse_response::<GetFolderResponse>(&unbound).unwrap_err();
    assert!(error.to_string().contains("prefix `t`"), "{error}");
}

#[test]
fn unknown_elements_everywhere_are_skipped() {
    let noise = r#"<z:Noise xmlns:z="urn:noise" z:a="1"><z:Deeper>text<![CDATA[<x>]]></z:Deeper></z:Noise>"#;
    let message = FOLDER_MESSAGE
        .replace("<m:ResponseCode>", &format!("{noise}<m:ResponseCode>"))
        .replace("<m:Folders>", &format!("<m:Folders>{noise}"))
        .replace("<t:FolderId", &format!("{noise}<t:FolderId"))
        .replace(
            "</t:CalendarFolder>",
            &format!("<t:Unknown>1</t:Unknown>{noise}</t:CalendarFolder>"),
        );
    let xml = get_folder_response(&format!("{noise}{message}{noise}"))
        .replace("<s:Body>", &format!("<s:Header>{noise}</s:Header><s:Body>"));
    let envelope = parse_response::<GetFolderResponse>(&xml).unwrap();
    let ResponseBody::Response(response) = envelope.body else {
        panic!("expected a response");
    };
    assert_eq!(response.messages.len(), 1);
    let folder = &response.messages[0].content.folders[0];
    assert_eq!(folder.folder_id.as_ref().unwrap().id, "AAMkF");
}

#[test]
fn missing_parts_are_errors_with_path() {
    let cases = [
        (
            "no body",
            format!(r#"<s:Envelope xmlns:s="{SOAP}"></s:Envelope>"#),
        ),
        (
            "empty body",
            format!(r#"<s:Envelope xmlns:s="{SOAP}"><s:Body/></s:Envelope>"#),
        ),
        (
            "no folder id",
            get_folder_response(&FOLDER_MESSAGE.replace(
                r#"<t:FolderId Id="AAMkF" ChangeKey="AQ"/>"#,
                "<t:FolderId/>",
            )),
        ),
        (
            "truncated",
            get_folder_response(FOLDER_MESSAGE)[..300].to_owned(),
        ),
        ("empty", String::new()),
        ("text only", String::from("Service Unavailable")),
        (
            "html",
            String::from(
                "<html><head><title>Error</title></head><body><p>Server Error</body></html>",
            ),
        ),
    ];
    for (case, xml) in cases {
        let error = match parse_response::<GetFolderResponse>(&xml) {
            Ok(parsed) => panic!("{case}: parsed as {parsed:?}"),
            Err(error) => error,
        };
        assert!(error.path.starts_with('/'), "{case}: {error}");
        assert!(!error.message.is_empty(), "{case}");
    }
}

#[test]
fn huge_attribute_value_is_read() {
    let id = "A".repeat(8 * 1024 * 1024);
    let xml = get_folder_response(&FOLDER_MESSAGE.replace("AAMkF", &id));
    let envelope = parse_response::<GetFolderResponse>(&xml).unwrap();
    let ResponseBody::Response(response) = envelope.body else {
        panic!("expected a response");
    };
    assert_eq!(
        response.messages[0].content.folders[0]
            .folder_id
            .as_ref()
            .unwrap()
            .id
            .len(),
        id.len()
    );
}

/// Parses a document as every response type the client reads; only panics
/// and stack overflows are failures.
fn parse_as_every_response(xml: &str) {
    let _ = parse_response::<GetFolderResponse>(xml);
    let _ = parse_response::<FindItemResponse>(xml);
    let _ = parse_response::<GetItemResponse>(xml);
    let _ = parse_response::<CreateItemResponse>(xml);
    let _ = parse_response::<UpdateItemResponse>(xml);
    let _ = parse_response::<DeleteItemResponse>(xml);
    let _ = parse_response::<MoveItemResponse>(xml);
    let _ = parse_response::<SyncFolderItemsResponse>(xml);
    let _ = parse_response::<GetUserAvailabilityResponse>(xml);
    let _ = parse_response::<GetRoomListsResponse>(xml);
    let _ = parse_response::<GetRoomsResponse>(xml);
    let _ = parse_response::<ResolveNamesResponse>(xml);
    let _ = parse_response::<ConvertIdResponse>(xml);
    let _ = Request::parse_envelope(xml);
}

fn sample_documents() -> Vec<Vec<u8>> {
    let Some(shared) = roombridge_testkit::shared_dir("sample mutations") else {
        return Vec::new();
    };
    let folder = shared.join("ews-reference/samples");
    let mut documents: Vec<Vec<u8>> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "xml"))
        .map(|path| std::fs::read(path).unwrap())
        .collect();
    documents.sort();
    documents
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        (any::<usize>(), 1..64usize).prop_map(|(at, length)| Mutation::Delete(at, length)),
        (
            any::<usize>(),
            prop_oneof![
                Just(b"<".to_vec()),
                Just(b"</".to_vec()),
                Just(b"&amp;".to_vec()),
                Just(b"&#0;".to_vec()),
                Just(b"<![CDATA[".to_vec()),
                Just(b"<!DOCTYPE x>".to_vec()),
                Just(b"xmlns:t=\"urn:x\" ".to_vec()),
                proptest::collection::vec(any::<u8>(), 1..16),
            ]
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(document: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = document.to_vec();
    for mutation in mutations {
        if bytes.is_empty() {
            break;
        }
        match mutation {
            Mutation::Flip(at, byte) => {
                let at = at % bytes.len();
                bytes[at] = *byte;
            }
            Mutation::Delete(at, length) => {
                let at = at % bytes.len();
                let end = (at + length).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Insert(at, inserted) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, inserted.iter().copied());
            }
            Mutation::Truncate(at) => bytes.truncate(at % bytes.len()),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_samples_never_panic(
        index in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..8),
    ) {
        let documents = sample_documents();
        if documents.is_empty() {
            return Ok(());
        }
        let document = index.get(&documents);
        let mutated = apply(document, &mutations);
        let text = String::from_utf8_lossy(&mutated).into_owned();
        parse_as_every_response(&text);
    }
}

#[test]
fn unmutated_samples_never_panic() {
    for document in sample_documents() {
        parse_as_every_response(&String::from_utf8_lossy(&document));
    }
}

#[test]
fn byte_order_mark_and_whitespace_before_root_are_read() {
    for prefix in [
        "\u{feff}",
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n",
        "\n\n  ",
    ] {
        let xml = format!("{prefix}{}", get_folder_response(FOLDER_MESSAGE));
        let envelope = parse_response::<GetFolderResponse>(&xml)
            .unwrap_or_else(|error| panic!("{prefix:?}: {error}"));
        assert!(
            matches!(envelope.body, ResponseBody::Response(_)),
            "{prefix:?}"
        );
    }
}

#[test]
fn impersonated_address_is_escaped() {
    let header = RequestHeader {
        impersonation: Some(ExchangeImpersonation::primary_smtp(
            "a\"><t:Injected/>&b@example.com",
        )),
        ..common::header()
    };
    let xml = request_xml(
        &header,
        &GetFolder::distinguished(DistinguishedFolderIdName::Calendar, None),
    );
    assert!(!xml.contains("<t:Injected/>"), "{xml}");
    let (parsed, _) = Request::parse_envelope(&xml).unwrap();
    assert_eq!(parsed.impersonation, header.impersonation);
}

#[test]
fn item_flood_is_rejected() {
    let items = "<t:CalendarItem/>".repeat(roombridge_ews::xml::MAX_ITEMS + 1);
    let xml = format!(
        r#"<s:Envelope xmlns:s="{SOAP}"><s:Body><m:FindItemResponse xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder TotalItemsInView="1" IncludesLastItemInRange="true"><t:Items>{items}</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse></s:Body></s:Envelope>"#
    );
    let error = parse_response::<FindItemResponse>(&xml).unwrap_err();
    assert!(
        error.to_string().contains("more than 100000 items"),
        "{error}"
    );

    let page = xml.replace(&items, &"<t:CalendarItem/>".repeat(10_000));
    let envelope = parse_response::<FindItemResponse>(&page).unwrap();
    let ResponseBody::Response(response) = envelope.body else {
        panic!("expected a response");
    };
    assert_eq!(response.messages[0].content.items.len(), 10_000);
}
