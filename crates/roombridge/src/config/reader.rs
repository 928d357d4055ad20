//! Reads typed values out of a parsed TOML table while collecting every
//! problem, so that one run reports all bad keys at once.
//!
//! Serde's `deny_unknown_fields` stops at the first unknown key, so the
//! configuration is walked key by key instead. Each section takes its known
//! keys and reports the remaining ones as unknown.

use std::collections::HashMap;
use std::fmt;

/// One invalid or unknown configuration key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyError {
    /// Dotted key path, for example `exchange.auth` or `rooms[2].mode`.
    pub(crate) key: String,
    /// Environment variable the value came from, when it did.
    pub(crate) env_var: Option<&'static str>,
    /// Explanation of the problem and its fix.
    pub(crate) message: String,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.key)?;
        if let Some(var) = self.env_var {
            write!(f, " (from {var})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Collects errors and remembers which key paths an environment variable set.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    errors: Vec<KeyError>,
    env_origin: HashMap<String, &'static str>,
}

impl Problems {
    /// Records that the value at `key` came from the environment variable `var`.
    pub(crate) fn set_origin(&mut self, key: &str, var: &'static str) {
        self.env_origin.insert(key.to_owned(), var);
    }

    /// Returns the environment variable that set the value at `key`, if one did.
    pub(crate) fn origin(&self, key: &str) -> Option<&'static str> {
        self.env_origin.get(key).copied()
    }

    /// Records an error on `key`.
    pub(crate) fn push(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(KeyError {
            key: key.to_owned(),
            env_var: self.env_origin.get(key).copied(),
            message: message.into(),
        });
    }

    /// Returns the errors collected so far.
    pub(crate) fn into_errors(self) -> Vec<KeyError> {
        self.errors
    }

    /// Returns true when an error on `key` was already recorded, so that a
    /// present but invalid key is not also reported as missing.
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.errors.iter().any(|error| error.key == key)
    }

    /// Returns true when no error was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A TOML table being read; keys are removed as they are taken.
#[derive(Debug)]
pub(crate) struct Section {
    path: String,
    entries: toml::Table,
    known: Vec<&'static str>,
}

impl Section {
    /// Starts reading `entries`, found at the dotted `path` (empty at the root).
    pub(crate) fn new(path: impl Into<String>, entries: toml::Table) -> Self {
        Self {
            path: path.into(),
            entries,
            known: Vec::new(),
        }
    }

    /// Returns the dotted path of `key` in this section.
    pub(crate) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Removes and returns the raw value of `key`, noting it as a known key.
    pub(crate) fn take_value(&mut self, key: &'static str) -> Option<toml::Value> {
        self.known.push(key);
        self.entries.remove(key)
    }

    /// Takes a string value.
    pub(crate) fn string(&mut self, key: &'static str, problems: &mut Problems) -> Option<String> {
        match self.take_value(key)? {
            toml::Value::String(text) => Some(text),
            other => {
                problems.push(&self.key_path(key), expected("a string", &other));
                None
            }
        }
    }

    /// Takes a string value and converts it with `parse`, whose error message
    /// is reported as is.
    pub(crate) fn parsed<T>(
        &mut self,
        key: &'static str,
        problems: &mut Problems,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.string(key, problems)?;
        match parse(&text) {
            Ok(value) => Some(value),
            Err(message) => {
                problems.push(&self.key_path(key), message);
                None
            }
        }
    }

    /// Takes an integer value within `range`.
    pub(crate) fn integer<T>(
        &mut self,
        key: &'static str,
        range: std::ops::RangeInclusive<T>,
        problems: &mut Problems,
    ) -> Option<T>
    where
        T: TryFrom<i64> + PartialOrd + fmt::Display + Copy,
    {
        let value = self.take_value(key)?;
        let path = self.key_path(key);
        let toml::Value::Integer(number) = value else {
            problems.push(&path, expected("an integer", &value));
            return None;
        };
        let outside = || {
            format!(
                "expected an integer from {} to {}, but found {number}",
                range.start(),
                range.end()
            )
        };
        match T::try_from(number) {
            Ok(converted) if range.contains(&converted) => Some(converted),
            _ => {
                problems.push(&path, outside());
                None
            }
        }
    }

    /// Takes a boolean value.
    pub(crate) fn boolean(&mut self, key: &'static str, problems: &mut Problems) -> Option<bool> {
        match self.take_value(key)? {
            toml::Value::Boolean(flag) => Some(flag),
            other => {
                problems.push(&self.key_path(key), expected("`true` or `false`", &other));
                None
            }
        }
    }

    /// Takes an array of strings.
    pub(crate) fn strings(
        &mut self,
        key: &'static str,
        problems: &mut Problems,
    ) -> Option<Vec<String>> {
        let value = self.take_value(key)?;
        let path = self.key_path(key);
        let toml::Value::Array(items) = value else {
            problems.push(&path, expected("an array of strings", &value));
            return None;
        };
        let mut strings = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            match item {
                toml::Value::String(text) => strings.push(text),
                other => problems.push(&format!("{path}[{index}]"), expected("a string", &other)),
            }
        }
        Some(strings)
    }

    /// Takes a sub-table, as `[name]` in the file.
    pub(crate) fn table(&mut self, key: &'static str, problems: &mut Problems) -> Option<Section> {
        let path = self.key_path(key);
        match self.take_value(key)? {
            toml::Value::Table(entries) => Some(Section::new(path, entries)),
            other => {
                problems.push(&path, expected("a table such as `[{key}]`", &other));
                None
            }
        }
    }

    /// Takes an array of tables, as `[[name]]` in the file.
    pub(crate) fn tables(&mut self, key: &'static str, problems: &mut Problems) -> Vec<Section> {
        let path = self.key_path(key);
        let Some(value) = self.take_value(key) else {
            return Vec::new();
        };
        let toml::Value::Array(items) = value else {
            problems.push(
                &path,
                expected(&format!("an array of tables (`[[{key}]]`)"), &value),
            );
            return Vec::new();
        };
        let mut sections = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let item_path = format!("{path}[{index}]");
            match item {
                toml::Value::Table(entries) => sections.push(Section::new(item_path, entries)),
                other => problems.push(&item_path, expected("a table", &other)),
            }
        }
        sections
    }

    /// Reports every key that no reader took as unknown.
    pub(crate) fn finish(self, problems: &mut Problems) {
        let mut known = self.known.clone();
        known.sort_unstable();
        known.dedup();
        let known = known
            .iter()
            .map(|key| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        for key in self.entries.keys() {
            problems.push(
                &self.key_path(key),
                format!("unknown key; remove it or use one of {known}"),
            );
        }
    }
}

/// Builds "expected WHAT, but found a KIND `VALUE`".
pub(crate) fn expected(what: &str, found: &toml::Value) -> String {
    let kind = match found {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    };
    match found {
        toml::Value::Array(_) | toml::Value::Table(_) => {
            format!("expected {what}, but found {kind}")
        }
        scalar => format!("expected {what}, but found {kind} `{scalar}`"),
    }
}
