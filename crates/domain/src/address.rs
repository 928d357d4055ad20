//! Mailbox address checks.
//!
//! Addresses are SMTP addresses as Exchange uses them for mailboxes. The
//! check is deliberately shallow: it rejects what can never name a mailbox
//! (no `@`, empty parts, whitespace, no dot in the domain) and leaves the
//! rest to Exchange, which resolves the address or reports it unknown.

/// Maximum length of an SMTP address (RFC 5321: 256 octets for a path,
/// minus the angle brackets).
pub const MAX_ADDRESS_LEN: usize = 254;

/// Returns whether `address` has the shape `local@domain.tld` with no
/// whitespace or control characters and at most 254 characters.
pub fn is_valid_address(address: &str) -> bool {
    if address.is_empty() || address.len() > MAX_ADDRESS_LEN {
        return false;
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.contains('@') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|label| !label.is_empty())
}

/// Returns the canonical form of a mailbox address: trimmed and in lower
/// case, because Exchange matches SMTP addresses without regard to case.
pub fn normalize_address(address: &str) -> String {
    address.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_accepted() {
        for address in ["a@b.c", "room.4@corp.example.com", "x+y@example.org"] {
            assert!(is_valid_address(address), "{address}");
        }
    }

    #[test]
    fn malformed_addresses_rejected() {
        let long = format!("{}@example.com", "a".repeat(250));
        for address in [
            "",
            "plain",
            "@example.com",
            "user@",
            "user@localhost",
            "user@example..com",
            "user@@example.com",
            "us er@example.com",
            long.as_str(),
        ] {
            assert!(!is_valid_address(address), "{address:?}");
        }
    }

    #[test]
    fn normalize_lowercases_and_trims() {
        assert_eq!(
            normalize_address(" Room.A@Example.COM "),
            "room.a@example.com"
        );
    }
}
