//! A wrapper that keeps credentials out of `Debug` and `Display` output.

use std::fmt;

/// A credential (a password or an OAuth access token) read from the
/// environment or from a file. `Debug` and `Display` print `[redacted]`;
/// only [`Secret::expose`] returns the value.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }

    /// Returns the credential itself, for the one place that sends it.
    #[allow(dead_code)] // NOTE: read by the Exchange client once `serve` starts the sync engine.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_and_display_hide_value() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(Secret([redacted]))");
        assert_eq!(secret.expose(), "hunter2");
    }
}
