//! The shared EWS types read every request exchangelib 5.6.0 sends during
//! the booking flow.

#[test]
fn exchangelib_requests_parse() {
    let Some(shared) = roombridge_testkit::shared_dir("exchangelib request samples") else {
        return;
    };
    let dir = shared.join("ews-reference/samples/exchangelib-5.6.0");
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "xml") {
            continue;
        }
        count += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(error) = roombridge_ews::request::Request::parse_envelope(&text) {
            failures.push(format!("{}: {error}", path.display()));
        }
    }
    assert!(count > 20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
