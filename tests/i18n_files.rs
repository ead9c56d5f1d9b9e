//! The two language files: both parse, have the same keys with the same placeholders, and
//! every key the code names is in them (and none is left unused).

use std::collections::BTreeSet;
use std::path::Path;

use sockviz::i18n::{Lang, Table, placeholders};

fn table(lang: Lang) -> Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(lang.file_name());
    let text = std::fs::read_to_string(&path).unwrap();
    Table::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", lang.file_name()))
}

#[test]
fn both_files_have_the_same_keys() {
    let en = table(Lang::En);
    let ko = table(Lang::Ko);
    let en_keys: BTreeSet<&str> = en.keys().collect();
    let ko_keys: BTreeSet<&str> = ko.keys().collect();
    let only_en: Vec<_> = en_keys.difference(&ko_keys).collect();
    let only_ko: Vec<_> = ko_keys.difference(&en_keys).collect();
    assert!(
        only_en.is_empty() && only_ko.is_empty(),
        "only in en.txt: {only_en:?}\nonly in ko.txt: {only_ko:?}"
    );
    assert!(!en.is_empty());
}

#[test]
fn both_files_have_the_same_placeholders_per_key() {
    let en = table(Lang::En);
    let ko = table(Lang::Ko);
    let mut wrong = Vec::new();
    for key in en.keys() {
        let (Some(e), Some(k)) = (en.get(key), ko.get(key)) else {
            continue;
        };
        if placeholders(e) != placeholders(k) {
            wrong.push(format!(
                "{key}: en {:?} ko {:?}",
                placeholders(e),
                placeholders(k)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "placeholders differ:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_text_is_empty_and_korean_text_is_not_a_copy_of_the_english() {
    let en = table(Lang::En);
    let ko = table(Lang::Ko);
    let mut empty = Vec::new();
    let mut copied = Vec::new();
    for key in en.keys() {
        let (e, k) = (en.get(key).unwrap_or(""), ko.get(key).unwrap_or(""));
        if e.is_empty() || k.is_empty() {
            empty.push(key.to_string());
        }
        // A Korean text identical to the English is allowed only when it has no English word
        // to translate (a unit, a flag name, an API call).
        if e == k && !sockviz::i18n::english_words(k).is_empty() {
            copied.push(format!("{key} = {k}"));
        }
    }
    assert!(empty.is_empty(), "empty texts: {empty:?}");
    assert!(
        copied.is_empty(),
        "untranslated in ko.txt:\n{}",
        copied.join("\n")
    );
}

/// Every key named in the code (`t("…")`, `tr!("…")`, `key!("…")`), with the file naming it.
fn keys_in_code() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for key in named_keys(&text) {
                    found.push((key, path.display().to_string()));
                }
            }
        }
    }
    found
}

fn named_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for opener in ["t(", "tr!(", "key!("] {
        let mut from = 0;
        while let Some(at) = text[from..].find(opener) {
            let start = from + at;
            from = start + opener.len();
            let before = text[..start].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            // Examples in comments name no real key.
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            if text[line_start..start].trim_start().starts_with("//") {
                continue;
            }
            let rest = text[from..].trim_start();
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            if let Some(end) = rest.find('"') {
                let key = &rest[..end];
                if key.contains('.') && !key.contains(' ') {
                    keys.push(key.to_string());
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_the_code_names_is_in_the_files() {
    let en = table(Lang::En);
    let missing: Vec<_> = keys_in_code()
        .into_iter()
        .filter(|(k, _)| en.get(k).is_none())
        .map(|(k, f)| format!("{k} ({f})"))
        .collect();
    assert!(
        missing.is_empty(),
        "keys not in en.txt:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_key_in_the_files_is_used() {
    let en = table(Lang::En);
    let used: BTreeSet<String> = keys_in_code().into_iter().map(|(k, _)| k).collect();
    // Keys looked up by a name built at run time: the command line's help (`cli.…`).
    let unused: Vec<_> = en
        .keys()
        .filter(|k| !k.starts_with("cli.") && !used.contains(*k))
        .collect();
    assert!(unused.is_empty(), "keys no code names: {unused:?}");
}
