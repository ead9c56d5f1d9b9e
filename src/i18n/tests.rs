use super::*;

#[test]
fn a_data_file_parses_keys_escapes_and_comments() {
    let t = Table::parse("# comment\n\nui.a = one\\ntwo \nui.b=  back\\\\slash  \n").unwrap();
    assert_eq!(t.get("ui.a"), Some("one\ntwo"));
    assert_eq!(t.get("ui.b"), Some("back\\slash"));
    assert_eq!(t.keys().collect::<Vec<_>>(), ["ui.a", "ui.b"]);
}

#[test]
fn a_broken_data_file_names_the_line() {
    assert_eq!(
        Table::parse("a = 1\na = 2").unwrap_err(),
        TableError::Duplicate {
            line: 2,
            key: "a".into(),
            first: 1
        }
    );
    assert_eq!(
        Table::parse("\nno equals").unwrap_err(),
        TableError::NoEquals { line: 2 }
    );
    assert!(matches!(
        Table::parse("Bad Key = x").unwrap_err(),
        TableError::BadKey { line: 1, .. }
    ));
    assert_eq!(
        Table::parse("a = \\t").unwrap_err(),
        TableError::BadEscape {
            line: 1,
            escape: 't'
        }
    );
}

#[test]
fn fill_replaces_named_placeholders_and_keeps_other_braces() {
    let n = 3;
    assert_eq!(
        fill("{n}개의 세그먼트 {x} {", &[("n", &n)]),
        "3개의 세그먼트 {x} {"
    );
    assert_eq!(
        placeholders("{n} of {total} {not a name} {}"),
        ["n", "total"].into()
    );
}

#[test]
fn the_locale_picks_korean_only_for_ko() {
    assert_eq!(Lang::from_locale("ko_KR.UTF-8"), Lang::Ko);
    assert_eq!(Lang::from_locale("ko"), Lang::Ko);
    assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
    assert_eq!(Lang::from_locale("C"), Lang::En);
    assert_eq!(Lang::from_locale("kok_IN"), Lang::En);
}

#[test]
fn posix_order_lc_all_then_lc_messages_then_lang() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        Lang::from_env_with(env(&[("LANG", "ko_KR.UTF-8")])),
        Lang::Ko
    );
    assert_eq!(
        Lang::from_env_with(env(&[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "C")])),
        Lang::En
    );
    assert_eq!(
        Lang::from_env_with(env(&[("LC_ALL", ""), ("LC_MESSAGES", "ko_KR.UTF-8")])),
        Lang::Ko
    );
    assert_eq!(Lang::from_env_with(env(&[])), Lang::En);
}

#[test]
fn lang_on_the_command_line_wins_and_stops_at_double_dash() {
    assert_eq!(
        Lang::from_args_and_env(&["sockviz", "--lang", "ko"]),
        Lang::Ko
    );
    assert_eq!(
        Lang::from_args_and_env(&["sockviz", "lab", "--lang=ko"]),
        Lang::Ko
    );
    // `run -- prog --lang ko` is the program's argument, not sockviz's.
    let after = Lang::from_args_and_env(&["sockviz", "run", "--", "p", "--lang", "ko"]);
    assert_eq!(after, Lang::from_env());
}

#[test]
fn english_words_skips_code_api_names_and_commands() {
    let text = "connect()가 return되기까지 RTT가 소요된다 `--json` with sendall\nsee the file a/b.txt\n  sockviz lab --scenario echo --headless";
    assert_eq!(english_words(text), ["see", "the", "file"]);
    assert!(english_words("수신 버퍼가 비어 있으면 recv는 block된다").is_empty());
}

#[test]
fn pad_counts_terminal_cells() {
    assert_eq!(pad("설명", 6), "설명  ");
    assert_eq!(pad("note", 6), "note  ");
    assert_eq!(pad("toolong", 3), "toolong");
}
