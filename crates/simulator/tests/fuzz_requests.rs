//! Mutated copies of every reference request (exchangelib's and
//! Microsoft's samples) sent to one simulator over HTTP: numbers and times
//! replaced by extreme values, bytes flipped, cut or inserted. Each request
//! must get a SOAP reply, and the simulator must keep serving.

mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use support::*;

const GET_CALENDAR: &str = r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>"#;

const EXTREME_VALUES: &[&str] = &[
    "0",
    "-1",
    "4294967295",
    "4294967296",
    "99999999999999999999",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00",
    "2030-02-30T25:61:61Z",
    "",
    "&amp;&lt;",
];

/// Reads every request sample, with the sample rooms renamed to a room of
/// the simulator's sample organisation so impersonation succeeds.
fn request_samples() -> Vec<String> {
    let Some(shared) = roombridge_testkit::shared_dir("request fuzzing") else {
        return Vec::new();
    };
    let samples = shared.join("ews-reference/samples");
    let mut paths: Vec<_> = std::fs::read_dir(samples.join("exchangelib-5.6.0"))
        .unwrap()
        .chain(std::fs::read_dir(&samples).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with("request.xml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .replace("room1@example.com", "room-101@example.com")
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replaces the n-th text or attribute value made of digits, dashes,
    /// colons and `T`/`Z` with an extreme value.
    Value(usize, usize),
    Flip(usize, u8),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..EXTREME_VALUES.len()).prop_map(|(at, value)| Mutation::Value(at, value)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        1 => (any::<usize>(), 1..32usize).prop_map(|(at, length)| Mutation::Delete(at, length)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Returns the byte ranges of values that look like numbers or times.
fn value_ranges(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'>' || bytes[at] == b'"' {
            let start = at + 1;
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_digit()
                    || matches!(bytes[end], b'-' | b':' | b'T' | b'Z' | b'.' | b'+'))
            {
                end += 1;
            }
            if end > start && end < bytes.len() && (bytes[end] == b'<' || bytes[end] == b'"') {
                ranges.push((start, end));
            }
        }
        at += 1;
    }
    ranges
}

fn apply(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut text = text.to_owned();
    let mut bytes = Vec::new();
    for mutation in mutations {
        if let Mutation::Value(index, value) = mutation {
            let ranges = value_ranges(&text);
            if let Some(&(start, end)) = ranges.get(index % ranges.len().max(1)) {
                text.replace_range(start..end, EXTREME_VALUES[*value]);
            }
        }
    }
    bytes.extend_from_slice(text.as_bytes());
    for mutation in mutations {
        if bytes.is_empty() {
            break;
        }
        match mutation {
            Mutation::Value(..) => {}
            Mutation::Flip(at, byte) => {
                let at = at % bytes.len();
                bytes[at] = *byte;
            }
            Mutation::Delete(at, length) => {
                let at = at % bytes.len();
                let end = (at + length).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Truncate(at) => bytes.truncate(at % bytes.len()),
        }
    }
    bytes
}

#[tokio::test]
async fn mutated_requests_always_get_replies() {
    let samples = request_samples();
    if samples.is_empty() {
        return;
    }
    let sim = start().await;
    let strategy = (
        0..samples.len(),
        proptest::collection::vec(mutation(), 1..4),
    );
    let mut runner = TestRunner::deterministic();
    for case in 0..1500 {
        let (index, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        let body = apply(&samples[index], &mutations);
        // The test client sends text; invalid UTF-8 is covered elsewhere.
        let body = String::from_utf8_lossy(&body).into_owned();
        let mut connection = Connection::open(&sim).await;
        let reply = connection
            .ews(Some(&svc()), &body)
            .await
            .unwrap_or_else(|error| {
                panic!("case {case}: sample {index} with {mutations:?} got no reply: {error}")
            });
        assert!(
            reply.status == 200 || reply.status == 500,
            "case {case}: sample {index} with {mutations:?}: HTTP {}",
            reply.status
        );
        // Every reply carries at least one response code: a response
        // without response messages is invalid against the schema.
        assert!(
            !texts(&reply.body, "ResponseCode").is_empty(),
            "case {case}: sample {index} with {mutations:?}: {}",
            reply.body
        );
    }
    let reply = call(&sim, "alice@example.com", GET_CALENDAR).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}
