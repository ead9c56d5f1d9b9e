//! Issue 14, item 1, the lab's words: every scenario's summary and notes, the quiz's questions,
//! a lab error and the Korean lesson script, run by the real binary with `--lang ko`, hold no
//! English left (`i18n::english_words`: API names, states, flags and Python values aside), and
//! the JSON's machine fields are the English run's.

mod lab_support;

use std::process::Command;

use lab_support::{BIN, LabRun, parse};
use serde_json::Value;
use sockviz::i18n::english_words;

/// Run `sockviz COMMAND --lang LANG ARGS…` and parse its JSON lines.
fn run(args: &[&str], lang: &str) -> LabRun {
    // Right after the command: what follows `--` is the student's program's.
    let out = Command::new(BIN)
        .args(&args[..1])
        .args(["--lang", lang])
        .args(&args[1..])
        .output()
        .expect("run sockviz");
    parse(out)
}

fn assert_korean(what: &str, text: &str) {
    let left = english_words(text);
    assert!(left.is_empty(), "{what}: English left {left:?} in: {text}");
    assert!(
        text.chars().any(|c| ('가'..='힣').contains(&c)),
        "{what}: no Korean in: {text}"
    );
}

fn notes(run: &LabRun) -> Vec<&str> {
    run.kind("note")
        .map(|n| n["text"].as_str().expect("a note has text"))
        .collect()
}

/// An ARP frame seen on a link, which the timeline (not the lab) writes as a note in
/// tcpdump's words (`who has 192.0.2.3? tell 192.0.2.1`, `192.0.2.2 is at 02:…`).
fn is_arp(text: &str) -> bool {
    text.starts_with("who has ") || text.contains(" is at ")
}

/// The scenarios, as `lab --list` names them.
fn scenarios() -> Vec<String> {
    let out = Command::new(BIN)
        .args(["lab", "--list"])
        .output()
        .expect("run sockviz lab --list");
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// A scenario over a link needs the lab's own user namespace; where the machine forbids it,
/// the run fails saying so, and that scenario is skipped (the loopback ones never are).
fn link_refused(run: &LabRun) -> bool {
    !run.status.success() && run.stderr.contains("네임스페이스")
}

#[test]
fn every_scenario_s_notes_and_summary_are_korean() {
    let link = [
        "echo-link",
        "syn-timeout",
        "unreachable",
        "loss",
        "slow-start",
    ];
    let names = scenarios();
    assert_eq!(names.len(), 14, "{names:?}");
    let mut skipped = Vec::new();
    for name in &names {
        let ko = run(&["lab", "--scenario", name, "--headless", "--json"], "ko");
        if link.contains(&name.as_str()) && link_refused(&ko) {
            eprintln!(
                "{name}: no user namespace for a link here; skipped: {}",
                ko.stderr
            );
            skipped.push(name.clone());
            continue;
        }
        assert!(ko.status.success(), "{name}: {}\n{}", ko.stderr, ko.summary);
        assert!(ko.summary["failure"].is_null(), "{name}: {}", ko.summary);
        let texts = notes(&ko);
        assert!(
            texts[0].starts_with(&format!("시나리오 {name}: ")),
            "{name}: the opening note names the scenario: {}",
            texts[0]
        );
        assert!(
            texts.len() >= 2,
            "{name}: the scenario's own notes: {texts:?}"
        );
        for text in texts.into_iter().filter(|t| !is_arp(t)) {
            assert_korean(name, text);
        }
        // Only human text changes: the summary line's fields are the machine's.
        assert_eq!(ko.summary["scenario"], name.as_str());
        assert_eq!(ko.summary["capture"], "namespace", "{name}: {}", ko.summary);
    }
    assert!(
        names.iter().filter(|n| !link.contains(&n.as_str())).count() == 9,
        "the nine loopback scenarios ran"
    );
    eprintln!("skipped: {skipped:?}");
}

#[test]
fn lab_list_is_korean_and_names_the_same_scenarios() {
    let list = |lang: &str| {
        let out = Command::new(BIN)
            .args(["lab", "--list", "--lang", lang])
            .output()
            .expect("run sockviz lab --list");
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let (en, ko) = (list("en"), list("ko"));
    assert_eq!(en.lines().count(), 14);
    assert_eq!(en.lines().count(), ko.lines().count());
    for (e, k) in en.lines().zip(ko.lines()) {
        let name = e.split_whitespace().next().expect("a name");
        assert_eq!(k.split_whitespace().next(), Some(name), "same order: {k}");
        assert_korean(name, k);
        assert!(
            !english_words(e).is_empty(),
            "the English stays English: {e}"
        );
    }
    assert!(
        en.contains(
            "echo         the lecture's echo client and server: connect, send 20 bytes, \
             recv(1024), close"
        ),
        "{en}"
    );
}

/// What an autograder reads from a question: everything but the human text.
fn machine(q: &Value) -> Value {
    let mut q = q.clone();
    let o = q.as_object_mut().expect("a question is an object");
    for human in ["text", "choices", "answer"] {
        o.remove(human);
    }
    q
}

#[test]
fn the_quiz_asks_in_korean_with_the_english_run_s_answers() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lab_korean");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut kinds = std::collections::BTreeSet::new();
    for name in ["echo", "half-close", "slow-reader"] {
        let file = dir.join(format!("{name}.pcapng"));
        let _ = std::fs::remove_file(&file);
        let path = file.to_str().expect("a UTF-8 path");
        // The live run, in Korean.
        let live = run(
            &[
                "lab",
                "--scenario",
                name,
                "--headless",
                "--json",
                "--quiz",
                "--record",
                path,
            ],
            "ko",
        );
        assert!(live.status.success(), "{name}: {}", live.stderr);
        assert!(live.kind("question").count() > 0, "{name}: questions asked");
        for q in live.kind("question") {
            assert_korean(name, q["text"].as_str().expect("text"));
        }
        // The same timeline asked in both languages: the same questions, the same answers.
        let replay = |lang| run(&["replay", path, "--headless", "--json", "--quiz"], lang);
        let (en, ko) = (replay("en"), replay("ko"));
        let (en_q, ko_q): (Vec<&Value>, Vec<&Value>) =
            (en.kind("question").collect(), ko.kind("question").collect());
        assert_eq!(en_q.len(), ko_q.len(), "{name}");
        assert!(!ko_q.is_empty(), "{name}: questions asked on replay");
        for (e, k) in en_q.iter().zip(&ko_q) {
            assert_eq!(machine(e), machine(k), "{name}");
            let kind = k["ask"].as_str().expect("ask").to_string();
            assert_korean(&kind, k["text"].as_str().expect("text"));
            assert!(!english_words(e["text"].as_str().expect("text")).is_empty());
            let chosen = |q: &Value| q["choices"].as_array().map_or(0, Vec::len);
            assert_eq!(chosen(e), chosen(k), "{name} {kind}: as many choices");
            // Flags, state names and `seq N ack M` are answers themselves: the same words.
            if matches!(kind.as_str(), "flags" | "state" | "seq_ack") {
                assert_eq!(e["answer"], k["answer"], "{name} {kind}");
                assert_eq!(e["choices"], k["choices"], "{name} {kind}");
            }
            if kind == "send_blocks" {
                for c in k["choices"].as_array().expect("choices") {
                    assert_korean(&kind, c.as_str().expect("a choice"));
                }
            }
            kinds.insert(kind);
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["flags", "recv", "send_blocks", "seq_ack", "state"],
        "every kind is asked in Korean"
    );
}

#[test]
fn a_bad_link_value_is_refused_in_korean_naming_its_key() {
    for (value, key) in [
        ("rtt=80", "`rtt`"),
        ("loss=ack", "`loss`"),
        ("jitter=5ms", "`jitter`"),
    ] {
        let out = Command::new(BIN)
            .args(["lab", "--headless", "--link", value, "--lang", "ko"])
            .output()
            .expect("run sockviz");
        assert!(!out.status.success(), "{value} refused");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("");
        // clap's own frame (`error: invalid value … for '--link …':`) is the CLI's; the reason
        // after it is the lab's.
        let reason = first.split_once("': ").map_or(first, |(_, reason)| reason);
        assert!(reason.contains(key), "{value}: {reason}");
        assert_korean(value, reason);
    }
}

#[test]
fn a_lesson_script_error_names_file_and_line_in_korean() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lab_korean");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("bad-lesson.txt");
    std::fs::write(&file, "title 수업\nscenario echo\nquiz flags,colour\n").expect("write");
    let out = Command::new(BIN)
        .arg("lesson")
        .arg(&file)
        .args(["--headless", "--lang", "ko"])
        .output()
        .expect("run sockviz lesson");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = format!("{}:3: ", file.display());
    let (_, reason) = stderr
        .split_once(&at)
        .unwrap_or_else(|| panic!("FILE:LINE named: {stderr}"));
    assert!(reason.contains("`colour`"), "{reason}");
    assert_korean("quiz line", reason.trim());
}

#[test]
fn the_korean_lesson_script_plays_headless() {
    let play = |file: &str, lang: &str| {
        let out = Command::new(BIN)
            .args(["lesson", file, "--headless", "--json", "--lang", lang])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run sockviz lesson");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("UTF-8")
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
            .collect::<Vec<Value>>()
    };
    let ko = play("examples/lesson-sockets-ko.txt", "ko");
    let en = play("examples/lesson-sockets.txt", "en");
    let of = |lines: &[Value], kind: &str| -> Vec<Value> {
        lines
            .iter()
            .filter(|l| l["kind"] == kind)
            .cloned()
            .collect()
    };
    // The same class: as many sections, the same scenarios in the same order, the same pauses.
    let scenarios = |lines: &[Value]| -> Vec<Value> {
        of(lines, "summary")
            .iter()
            .map(|s| s["scenario"].clone())
            .collect()
    };
    assert_eq!(scenarios(&ko), scenarios(&en));
    assert_eq!(scenarios(&ko).len(), 9);
    assert_eq!(of(&ko, "section").len(), of(&en, "section").len());
    assert_eq!(of(&ko, "pause").len(), of(&en, "pause").len());
    let kinds = |lines: &[Value]| -> Vec<Value> {
        of(lines, "question")
            .iter()
            .map(|q| q["ask"].clone())
            .collect::<Vec<_>>()
    };
    assert!(!kinds(&ko).is_empty(), "the lesson asks questions");
    for s in of(&ko, "summary") {
        assert!(s["failure"].is_null(), "{s}");
    }
    let title = &of(&ko, "lesson")[0]["title"];
    assert_korean("title", title.as_str().expect("title"));
    // The lecturer's own words, as the lecture notes write them.
    for l in of(&ko, "section").iter().chain(&of(&ko, "lesson_note")) {
        assert_korean("lesson", l["text"].as_str().expect("text"));
    }
    for q in of(&ko, "question") {
        assert_korean("question", q["text"].as_str().expect("text"));
    }
    for n in of(&ko, "note") {
        assert_korean("note", n["text"].as_str().expect("text"));
    }
}

/// Every text of the lab's section, errors and fixes that no run here shows included.
#[test]
fn every_lab_text_in_ko_txt_is_korean() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/i18n/ko.txt");
    let text = std::fs::read_to_string(path).expect("ko.txt");
    let table = sockviz::i18n::Table::parse(&text).expect("ko.txt parses");
    let mut keys = 0;
    for key in table.keys().filter(|k| k.starts_with("lab.")) {
        let value = table.get(key).expect("a text");
        // `{name}: {status}`, `{side} recv({bufsize})`: no sentence to translate.
        let words: String = value
            .split('{')
            .map(|part| part.split_once('}').map_or(part, |(_, after)| after))
            .collect();
        if !words.chars().any(char::is_alphabetic) || key.starts_with("lab.cmd.") {
            assert!(english_words(value).is_empty(), "{key} = {value}");
        } else {
            assert_korean(key, value);
        }
        keys += 1;
    }
    assert!(keys > 100, "{keys} lab keys");
}

/// `sockviz run` in Korean: the lab's own notes around the student's program (the first, the
/// command line itself, stays as typed).
#[test]
fn sockviz_run_notes_are_korean() {
    let dir = env!("CARGO_MANIFEST_DIR");
    for example in ["examples/echo_client.py", "examples/forgot_listen.py"] {
        let path = format!("{dir}/{example}");
        let ko = run(
            &["run", "--headless", "--json", "--", "python3", &path],
            "ko",
        );
        let en = run(
            &["run", "--headless", "--json", "--", "python3", &path],
            "en",
        );
        let texts = notes(&ko);
        assert!(texts[0].starts_with("sockviz run: "), "{texts:?}");
        assert!(texts.len() >= 3, "{example}: {texts:?}");
        for text in &texts[1..] {
            assert_korean(example, text);
        }
        assert_eq!(notes(&en).len(), texts.len(), "{example}: as many notes");
        assert_eq!(en.summary["exits"], ko.summary["exits"], "{example}");
    }
}
