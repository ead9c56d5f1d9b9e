//! One language's data file, parsed: `key = text` lines.

use std::collections::{BTreeSet, HashMap};

/// A language's strings by key.
#[derive(Debug, Default)]
pub struct Table {
    strings: HashMap<String, String>,
    /// The keys in file order (for the parity tests' messages).
    order: Vec<String>,
}

/// Why a data file does not parse: the line (1-based) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("line {line}: expected `key = text`")]
    NoEquals { line: usize },
    #[error("line {line}: `{key}` is not a key (lower-case letters, digits, `_`, `-` and `.`)")]
    BadKey { line: usize, key: String },
    #[error("line {line}: `{key}` is already defined on line {first}")]
    Duplicate {
        line: usize,
        key: String,
        first: usize,
    },
    #[error("line {line}: `\\{escape}` is not an escape (only `\\n` and `\\\\`)")]
    BadEscape { line: usize, escape: char },
}

impl Table {
    pub fn parse(source: &str) -> Result<Table, TableError> {
        let mut table = Table::default();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        for (i, raw) in source.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (key, text) = trimmed
                .split_once('=')
                .ok_or(TableError::NoEquals { line })?;
            let key = key.trim();
            let valid = !key.is_empty()
                && key.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
                });
            if !valid {
                return Err(TableError::BadKey {
                    line,
                    key: key.to_string(),
                });
            }
            if let Some(&first) = first_line.get(key) {
                return Err(TableError::Duplicate {
                    line,
                    key: key.to_string(),
                    first,
                });
            }
            let text = unescape(text.trim(), line)?;
            first_line.insert(key.to_string(), line);
            table.order.push(key.to_string());
            table.strings.insert(key.to_string(), text);
        }
        Ok(table)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.strings.get(key).map(String::as_str)
    }

    /// The keys in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

fn unescape(text: &str, line: usize) -> Result<String, TableError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(escape) => return Err(TableError::BadEscape { line, escape }),
            None => return Err(TableError::BadEscape { line, escape: ' ' }),
        }
    }
    Ok(out)
}

/// The `{name}` placeholders of a text (names of ASCII letters, digits and `_`).
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if close > 0
                    && after[..close]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                names.insert(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    names
}
