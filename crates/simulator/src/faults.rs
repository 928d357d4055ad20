//! Fault injection: latency, throttling, HTTP errors, dropped connections
//! and malformed responses, set through the admin interface.

use serde::{Deserialize, Serialize};

/// Every fault setting in force.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Delay added to every EWS request, in milliseconds.
    pub latency_ms: u64,
    /// Upper bound of an extra random delay per EWS request, in milliseconds.
    pub random_latency_ms: u64,
    /// Most EWS requests one account may have in flight; more get ErrorServerBusy.
    pub max_concurrent_per_account: Option<usize>,
    /// BackOffMilliseconds sent with ErrorServerBusy (default 5000 when unset).
    pub back_off_ms: Option<u64>,
    /// One-off or repeating faults, matched in order.
    pub rules: Vec<FaultRule>,
}

/// A fault applied to matching EWS requests.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// The fault.
    pub kind: FaultKind,
    /// EWS operation it applies to (`CreateItem`, ...); all when absent.
    #[serde(default)]
    pub operation: Option<String>,
    /// Number of requests it applies to before it is removed; unlimited when absent.
    #[serde(default)]
    pub count: Option<u32>,
    /// Chance from 0 to 1 that a matching request is hit; 1 when absent.
    #[serde(default)]
    pub probability: Option<f64>,
}

/// The kinds of fault.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 500 with no SOAP body, before the operation runs.
    Http500,
    /// HTTP 503 with no SOAP body, before the operation runs.
    Http503,
    /// An ErrorServerBusy fault with BackOffMilliseconds, before the operation runs.
    ServerBusy,
    /// The operation runs and commits, then the connection closes without a response.
    DropAfterCommit,
    /// The operation runs and commits, then the response is cut off mid-document.
    MalformedXml,
}

impl FaultKind {
    /// Returns whether the fault strikes after the operation committed.
    pub fn after_commit(self) -> bool {
        matches!(self, FaultKind::DropAfterCommit | FaultKind::MalformedXml)
    }
}

impl Faults {
    /// Takes the first rule that strikes `operation` at this point (before
    /// or after commit), counting it down.
    pub fn take(&mut self, operation: &str, after_commit: bool) -> Option<FaultKind> {
        let index = self.rules.iter().position(|rule| {
            rule.kind.after_commit() == after_commit
                && rule
                    .operation
                    .as_deref()
                    .is_none_or(|wanted| wanted.eq_ignore_ascii_case(operation))
                && rule
                    .probability
                    .is_none_or(|chance| rand::random::<f64>() < chance)
        })?;
        let rule = &mut self.rules[index];
        let kind = rule.kind;
        if let Some(count) = rule.count.as_mut() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.rules.remove(index);
            }
        }
        Some(kind)
    }

    /// Returns the BackOffMilliseconds to send.
    pub fn back_off(&self) -> u64 {
        self.back_off_ms.unwrap_or(5000)
    }

    /// Checks value ranges, returning every problem found.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if self.max_concurrent_per_account == Some(0) {
            problems.push(
                "`max_concurrent_per_account` must be at least 1; omit it to turn throttling off"
                    .to_string(),
            );
        }
        for (index, rule) in self.rules.iter().enumerate() {
            if let Some(chance) = rule.probability
                && !(0.0..=1.0).contains(&chance)
            {
                problems.push(format!(
                    "`rules[{index}].probability` is {chance}, but must be between 0 and 1"
                ));
            }
            if rule.count == Some(0) {
                problems.push(format!(
                    "`rules[{index}].count` must be at least 1; omit it for no limit"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rules_expire() {
        let mut faults = Faults {
            rules: vec![FaultRule {
                kind: FaultKind::Http503,
                operation: Some("GetItem".into()),
                count: Some(1),
                probability: None,
            }],
            ..Faults::default()
        };
        assert_eq!(faults.take("FindItem", false), None);
        assert_eq!(faults.take("GetItem", true), None);
        assert_eq!(faults.take("getitem", false), Some(FaultKind::Http503));
        assert_eq!(faults.take("GetItem", false), None);
    }
}
