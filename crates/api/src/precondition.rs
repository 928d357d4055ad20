//! The `If-Match` request header: `*` or a comma-separated list of entity
//! tags (RFC 9110, sections 8.8.3 and 13.1.1).

use axum::http::{HeaderMap, header};

use crate::ApiError;

/// The condition an `If-Match` header sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IfMatch {
    /// `*`: any current version.
    Any,
    /// The opaque parts of strong entity tags, without their quotes.
    Tags(Vec<String>),
}

impl IfMatch {
    /// Reads `If-Match`, joining repeated header lines into one list.
    /// Returns `None` when the header is absent.
    ///
    /// # Errors
    ///
    /// Returns 400 for a header that is not `*` or a list of entity tags,
    /// and for weak tags: `If-Match` compares strong tags only, and every
    /// `ETag` this API sends is strong.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Option<IfMatch>, ApiError> {
        let mut lines = Vec::new();
        for value in headers.get_all(header::IF_MATCH) {
            let Ok(text) = value.to_str() else {
                return Err(invalid("(not visible ASCII)"));
            };
            lines.push(text);
        }
        if lines.is_empty() {
            return Ok(None);
        }
        let text = lines.join(", ");
        if text.trim() == "*" {
            return Ok(Some(IfMatch::Any));
        }
        parse_tags(&text).map(|tags| Some(IfMatch::Tags(tags)))
    }

    /// Returns whether the condition holds for a booking at `version`. A
    /// tag matches when its opaque part equals the `ETag` of that version
    /// character for character, so `"03"` does not match version 3.
    pub(crate) fn matches(&self, version: i64) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tags(tags) => {
                let current = version.to_string();
                tags.contains(&current)
            }
        }
    }
}

/// Parses `#entity-tag`: tags separated by commas and optional spaces or
/// tabs, with empty list elements allowed.
fn parse_tags(text: &str) -> Result<Vec<String>, ApiError> {
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        if rest.starts_with("W/") {
            return Err(ApiError::BadRequest(format!(
                "weak entity tag in `If-Match` header `{text}`; `If-Match` compares strong tags \
                 only, so send the `ETag` of the booking as returned, such as `\"3\"`"
            )));
        }
        let Some(after_quote) = rest.strip_prefix('"') else {
            return Err(invalid(text));
        };
        let Some(end) = after_quote.find('"') else {
            return Err(invalid(text));
        };
        let opaque = &after_quote[..end];
        // etagc = %x21 / %x23-7E / obs-text; `to_str` already excluded
        // bytes above 0x7E.
        if !opaque
            .bytes()
            .all(|byte| byte == 0x21 || (0x23..=0x7e).contains(&byte))
        {
            return Err(invalid(text));
        }
        tags.push(opaque.to_owned());
        rest = &after_quote[end + 1..];
        if !(rest.is_empty() || rest.starts_with([' ', '\t', ','])) {
            return Err(invalid(text));
        }
    }
    if tags.is_empty() {
        return Err(invalid(text));
    }
    Ok(tags)
}

fn invalid(text: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "invalid `If-Match` header `{text}`; send the `ETag` of the booking, such as `\"3\"`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<Option<IfMatch>, ApiError> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::IF_MATCH, value.parse().unwrap());
        }
        IfMatch::from_headers(&headers)
    }

    fn tags(list: &[&str]) -> Option<IfMatch> {
        Some(IfMatch::Tags(
            list.iter().map(|tag| (*tag).to_owned()).collect(),
        ))
    }

    #[test]
    fn absent_header_is_none() {
        assert_eq!(parse(&[]).unwrap(), None);
    }

    #[test]
    fn star_matches_any_version() {
        let condition = parse(&[" * "]).unwrap().unwrap();
        assert_eq!(condition, IfMatch::Any);
        assert!(condition.matches(7));
    }

    #[test]
    fn lists_and_repeated_lines_parsed() {
        assert_eq!(parse(&["\"1\""]).unwrap(), tags(&["1"]));
        assert_eq!(parse(&["\"1\", \"2\""]).unwrap(), tags(&["1", "2"]));
        assert_eq!(parse(&["\"1\",,\t\"2\","]).unwrap(), tags(&["1", "2"]));
        assert_eq!(parse(&["\"1\"", "\"2\""]).unwrap(), tags(&["1", "2"]));
        assert_eq!(parse(&["\"\""]).unwrap(), tags(&[""]));
    }

    #[test]
    fn strong_comparison_is_exact() {
        let condition = parse(&["\"1\", \"3\""]).unwrap().unwrap();
        assert!(condition.matches(3));
        assert!(condition.matches(1));
        assert!(!condition.matches(2));
        for text in ["\"03\"", "\"+3\"", "\"\""] {
            let condition = parse(&[text]).unwrap().unwrap();
            assert!(!condition.matches(3), "{text}");
        }
    }

    #[test]
    fn malformed_headers_rejected() {
        for text in [
            "1",
            "\"1",
            "garbage",
            "\"1\"\"2\"",
            "\"1\" x",
            ",",
            "W/\"1\"",
            "\"1\", W/\"2\"",
            "*, \"1\"",
        ] {
            let error = parse(&[text]).unwrap_err();
            assert!(
                matches!(error, ApiError::BadRequest(_)),
                "{text}: {error:?}"
            );
        }
    }
}
