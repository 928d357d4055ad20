//! Every request the crate builds validates against Microsoft's Exchange
//! 2016 schema with xmllint (Debian package libxml2-utils).

mod common;

use std::path::Path;
use std::process::Command;

/// Validates documents with xmllint against a schema entry point and
/// returns the failures, one message per document.
fn validate(schema: &Path, documents: &[(String, String)]) -> Vec<String> {
    let folder = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, xml) in documents {
        let path = folder.path().join(format!("{name}.xml"));
        std::fs::write(&path, xml).unwrap();
        paths.push(path);
    }
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .args(&paths)
        .output()
        .expect("xmllint not found; install Debian's libxml2-utils");
    let report = String::from_utf8_lossy(&output.stderr).to_string();
    let mut failures = Vec::new();
    for path in &paths {
        let validated = format!("{} validates", path.display());
        if !report.contains(&validated) {
            failures.push(format!("{} did not validate", path.display()));
        }
    }
    if !failures.is_empty() {
        failures.push(report);
    }
    failures
}

#[test]
fn requests_validate_against_exchange2016_schema() {
    let Some(shared) = roombridge_testkit::shared_dir("EWS schema validation") else {
        return;
    };
    let schema = shared.join("ews-reference/schema/validation/exchange2016-envelope.xsd");
    let requests = common::all_requests();
    assert!(
        requests.len() >= 14,
        "expected a request per operation, got {}",
        requests.len()
    );
    let failures = validate(&schema, &requests);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn broken_request_fails_validation() {
    let Some(shared) = roombridge_testkit::shared_dir("EWS schema validation") else {
        return;
    };
    let schema = shared.join("ews-reference/schema/validation/exchange2016-envelope.xsd");
    // Subject after Start breaks the schema's element order, so the
    // validator must reject it; this proves the check can fail.
    let (name, xml) = common::all_requests()
        .into_iter()
        .find(|(name, _)| name == "create-item-calendar-batch")
        .unwrap();
    let broken = xml
        .replacen("<t:Subject>Planning</t:Subject>", "", 1)
        .replacen("<t:Start>", "<t:Subject>Planning</t:Subject><t:Start>", 1);
    let failures = validate(&schema, &[(name, broken)]);
    assert!(!failures.is_empty(), "a misordered request validated");
}

#[test]
fn responses_validate_against_exchange2016_schema() {
    let Some(shared) = roombridge_testkit::shared_dir("EWS schema validation") else {
        return;
    };
    let schema = shared.join("ews-reference/schema/validation/exchange2016-envelope.xsd");
    let responses = common::all_responses();
    assert!(
        responses.len() >= 15,
        "expected a response per operation, got {}",
        responses.len()
    );
    let failures = validate(&schema, &responses);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn response_codes_exist_in_schema() {
    let Some(shared) = roombridge_testkit::shared_dir("EWS schema validation") else {
        return;
    };
    let messages =
        std::fs::read_to_string(shared.join("ews-reference/schema/exchange2016/messages.xsd"))
            .unwrap();
    for code in roombridge_ews::types::ResponseCode::NAMED {
        let enumeration = format!("<xs:enumeration value=\"{}\"/>", code.as_str());
        assert!(
            messages.contains(&enumeration),
            "`{code}` is not a ResponseCodeType value"
        );
    }
}
