//! Korean and English: every string a person reads comes from a data file per language,
//! `assets/i18n/en.txt` and `assets/i18n/ko.txt`, compiled into the binary.
//!
//! The Korean follows the lecture's own way of writing: API names, states, flags and Python
//! values stay as they are (`connect()`, `ESTABLISHED`, `SYN`, `b''`) and the explanation
//! around them is Korean (`connect()가 return되기까지 RTT가 소요된다`).
//!
//! The language is chosen once, before anything is printed: `--lang ko|en`, else the first of
//! `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty (POSIX's order), else English.
//! Code names a string by its key: [`t`] for plain text, [`tr!`](crate::tr) to fill its
//! `{placeholders}`, [`key!`](crate::key) where a table stores the key to look up later.
//!
//! The file format: one `key = text` a line, `#` starts a comment line, `\n` in the text is a
//! line break and `\\` a backslash; text is trimmed at both ends. Both files must have the same
//! keys with the same placeholders (tests check it).

mod table;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

pub use table::{Table, TableError, placeholders};

/// A language sockviz speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// `--lang`'s value: `en` or `ko`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    /// A locale's value (`ko_KR.UTF-8`, `ko`, `en_US.UTF-8`, `C`): Korean for `ko` and
    /// `ko_*`, English for anything else (the languages sockviz has no text for included).
    pub fn from_locale(value: &str) -> Lang {
        let language = value.split(['_', '.', '@']).next().unwrap_or("");
        if language.eq_ignore_ascii_case("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    /// The language the environment asks for: the first of `LC_ALL`, `LC_MESSAGES`, `LANG`
    /// that is set and not empty decides (POSIX's precedence); none of them: English.
    pub fn from_env_with(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| var(name).filter(|v| !v.is_empty()))
            .map_or(Lang::En, |v| Lang::from_locale(&v))
    }

    /// [`Lang::from_env_with`] on this process's environment.
    pub fn from_env() -> Lang {
        Lang::from_env_with(|name| std::env::var(name).ok())
    }

    /// `--lang X` or `--lang=X` among the arguments (before `--`), then the environment.
    /// Read before the command line is parsed, since `--help` itself is in the language.
    pub fn from_args_and_env<S: AsRef<str>>(args: &[S]) -> Lang {
        let mut it = args.iter().map(AsRef::as_ref);
        while let Some(a) = it.next() {
            if a == "--" {
                break;
            }
            let value = match a.strip_prefix("--lang") {
                Some("") => it.next(),
                Some(rest) => rest.strip_prefix('='),
                None => None,
            };
            if let Some(lang) = value.and_then(Lang::parse) {
                return lang;
            }
        }
        Lang::from_env()
    }

    /// The data file's text.
    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../../assets/i18n/en.txt"),
            Lang::Ko => include_str!("../../assets/i18n/ko.txt"),
        }
    }

    /// The language's table, parsed once. A file that does not parse is a build mistake the
    /// tests catch; the binary then gets an empty table and shows keys rather than failing.
    pub fn table(self) -> &'static Table {
        static EN: OnceLock<Table> = OnceLock::new();
        static KO: OnceLock<Table> = OnceLock::new();
        let cell = match self {
            Lang::En => &EN,
            Lang::Ko => &KO,
        };
        cell.get_or_init(|| Table::parse(self.source()).unwrap_or_default())
    }

    /// The file name the tests and errors name.
    pub fn file_name(self) -> &'static str {
        match self {
            Lang::En => "assets/i18n/en.txt",
            Lang::Ko => "assets/i18n/ko.txt",
        }
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Choose the language for everything printed or drawn from now on (once, at start).
pub fn set(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

/// The language chosen with [`set`] (English until then).
pub fn current() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Ko,
        _ => Lang::En,
    }
}

/// The text of `key` in the current language; English where the current language lacks it;
/// the key itself where both do (visible, and caught by the tests).
pub fn t(key: &'static str) -> &'static str {
    lookup(key).unwrap_or(key)
}

/// The text of a key built at run time (`cli.lab.about`), if either language has it.
pub fn lookup(key: &str) -> Option<&'static str> {
    current()
        .table()
        .get(key)
        .or_else(|| Lang::En.table().get(key))
}

/// `text` with each `{name}` replaced by its value; a name not given stays as written.
pub fn fill(text: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (close, v.to_string()))
        });
        match value {
            Some((close, v)) => {
                out.push_str(&v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of a key with its `{placeholders}` filled:
/// `tr!("ui.picker.count", n = rows.len(), file = name)`.
#[macro_export]
macro_rules! tr {
    ($key:literal $(,)?) => {
        $crate::i18n::t($key).to_string()
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::fill(
            $crate::i18n::t($key),
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),+],
        )
    };
}

/// A key stored to be looked up later (a table of keys, a help row): the literal itself,
/// marked so the tests find it and check both files have it.
#[macro_export]
macro_rules! key {
    ($key:literal) => {
        $key
    };
}

#[cfg(test)]
mod tests;

/// Words that stay in English in Korean text, as the lecture keeps them: API and Python names,
/// commands and scenario names, file formats, tools and units. (States and flags are upper
/// case and never mistaken for prose.) The tests that look for English left in Korean text
/// skip these.
pub const KEPT_IN_ENGLISH: &[&str] = &[
    // socket API and Python
    "socket",
    "connect",
    "bind",
    "listen",
    "accept",
    "send",
    "sendall",
    "recv",
    "close",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "poll",
    "select",
    "encode",
    "decode",
    "bytes",
    "utf",
    "python",
    "python3",
    "sock",
    "conn",
    "self",
    "print",
    "import",
    "with",
    "errno",
    "ptrace",
    "seccomp",
    // commands, modes and scenario names
    "sockviz",
    "lab",
    "run",
    "replay",
    "export",
    "inspect",
    "lesson",
    "server",
    "client",
    "echo",
    "segments",
    "coalesce",
    "slow",
    "reader",
    "half",
    "reset",
    "refused",
    "backlog",
    "loss",
    "start",
    "timeout",
    "unreachable",
    "link",
    "split",
    // files, tools, formats
    "pcap",
    "pcapng",
    "json",
    "svg",
    "txt",
    "cast",
    "tshark",
    "wireshark",
    "tcpdump",
    "tmux",
    "asciinema",
    "setcap",
    "sudo",
    "root",
    "cap_net_raw",
    "cap_net_admin",
    "eip",
    // units
    "mbit",
    "kbit",
    "gbit",
    "bit",
    "kib",
    "mib",
    "sec",
    // terms the lecture notes themselves write in English inside Korean sentences
    "buffer",
    "handshake",
    "way",
    "connection",
    "request",
    "queue",
    "segment",
    "byte",
    "return",
    "block",
    "blocking",
    "mode",
    "stream",
    "host",
    "port",
    "address",
    "data",
    "peer",
    "exception",
    "message",
    // "Full duplex, byte stream transmission (record boundary가 없다.)"
    "record",
    "boundary",
];

/// The English words left in a text meant to be Korean: words of three or more lower-case
/// ASCII letters, outside `backticks`, not in [`KEPT_IN_ENGLISH`], and not part of a token
/// that is code (an option `--json`, a path `a/b.txt`, `key=value`, `f()`, `snake_case`).
/// Lines that are commands (`sockviz …`, `python3 …`, `$ …`) are skipped whole.
pub fn english_words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if ["sockviz ", "python3 ", "$ "]
            .iter()
            .any(|p| t.starts_with(p))
        {
            continue;
        }
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 {
                continue; // inside backticks
            }
            for token in span.split_whitespace() {
                let word = token.trim_matches(|c: char| {
                    matches!(
                        c,
                        ',' | '.'
                            | ';'
                            | ':'
                            | '!'
                            | '?'
                            | '('
                            | ')'
                            | '['
                            | ']'
                            | '"'
                            | '\''
                            | '…'
                            | '·'
                    )
                });
                let plain = word.len() >= 3 && word.bytes().all(|b| b.is_ascii_lowercase());
                if plain && !KEPT_IN_ENGLISH.contains(&word) {
                    words.push(word);
                }
            }
        }
    }
    words
}

/// `text` followed by spaces up to `width` terminal cells (a Korean syllable takes two):
/// `format!("{:<11}")` counts characters and would misalign a column of Korean words.
pub fn pad(text: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(text);
    let mut out = String::with_capacity(text.len() + width.saturating_sub(w));
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}
