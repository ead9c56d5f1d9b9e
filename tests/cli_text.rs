//! `--help` comes from the language files: every command and option has its text in both, and
//! the Korean help has no English left beyond the program's own words (commands, options,
//! values) and what the lecture keeps in English.

use std::collections::BTreeSet;
use std::process::Command;

use clap::CommandFactory;
use sockviz::cli::Cli;
use sockviz::i18n::{Lang, english_words};

const BIN: &str = env!("CARGO_BIN_EXE_sockviz");

/// `(key prefix, command)` for the top and every subcommand as written (clap's own `help`
/// and `--version` have generic keys).
fn commands() -> Vec<(String, clap::Command)> {
    let top = Cli::command();
    let mut all = vec![("cli".to_string(), top.clone())];
    for sub in top.get_subcommands() {
        all.push((format!("cli.{}", sub.get_name()), sub.clone()));
    }
    all
}

#[test]
fn every_command_and_option_has_its_text_in_both_languages() {
    let mut missing = Vec::new();
    for lang in Lang::ALL {
        let table = lang.table();
        for (prefix, cmd) in commands() {
            if table.get(&format!("{prefix}.about")).is_none() {
                missing.push(format!("{}: {prefix}.about", lang.file_name()));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                let own = format!("{prefix}.arg.{id}");
                let global = format!("cli.arg.{id}");
                if table.get(&own).is_none() && table.get(&global).is_none() {
                    missing.push(format!("{}: {own}", lang.file_name()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no text for:\n{}", missing.join("\n"));
}

/// The program's own words: subcommand names, option names' parts, possible values.
fn own_words() -> BTreeSet<String> {
    // clap's own `help` subcommand.
    let mut words = BTreeSet::from(["help".to_string()]);
    for (_, cmd) in commands() {
        words.insert(cmd.get_name().to_string());
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                words.extend(long.split('-').map(str::to_string));
            }
            for v in arg.get_possible_values() {
                words.insert(v.get_name().to_string());
            }
        }
    }
    words
}

fn help(lang_args: &[&str], env: Option<(&str, &str)>) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(lang_args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("sockviz runs");
    assert!(out.status.success(), "{lang_args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn korean_help_of_every_command_has_no_english_left() {
    let own = own_words();
    let mut names: Vec<String> = vec![String::new()];
    names.extend(
        Cli::command()
            .get_subcommands()
            .map(|s| s.get_name().to_string()),
    );
    for name in names {
        let mut args = vec!["--lang", "ko"];
        if !name.is_empty() {
            args.push(&name);
        }
        args.push("--help");
        let text = help(&args, None);
        assert!(text.contains("사용법:"), "{args:?}:\n{text}");
        let left: Vec<&str> = english_words(&text)
            .into_iter()
            .filter(|w| !own.contains(*w))
            .collect();
        assert!(left.is_empty(), "{args:?}: English left {left:?}:\n{text}");
    }
}

#[test]
fn the_locale_chooses_the_language_and_lang_overrides_it() {
    let ko = help(&["lab", "--help"], Some(("LANG", "ko_KR.UTF-8")));
    assert!(ko.contains("실행할 시나리오"), "{ko}");
    let en = help(
        &["--lang", "en", "lab", "--help"],
        Some(("LC_ALL", "ko_KR.UTF-8")),
    );
    assert!(en.contains("The scenario to run"), "{en}");
    let plain = help(&["lab", "--help"], None);
    assert!(plain.contains("Usage: sockviz lab"), "{plain}");
    assert!(plain.contains("[default: echo]"), "{plain}");
}
