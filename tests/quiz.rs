//! Predict-then-reveal (issue 14, item 2): every scenario's questions, in `--quiz --headless
//! --json`, are answered by the event they stand before, read here from that event's own line
//! (not from the question generator); a recording replayed asks the same questions.

mod lab_support;

use lab_support::{BIN, LabRun, run_scenario};
use serde_json::{Value, json};

const SCENARIOS: [&str; 9] = [
    "echo",
    "segments",
    "coalesce",
    "half-close",
    "refused",
    "backlog",
    "slow-reader",
    "reset",
    "utf8-split",
];

/// The flags a student names (URG and the ECN bits left out), as tcpdump's order prints them.
fn core_flags(flags: &str) -> String {
    flags
        .split(',')
        .filter(|f| ["SYN", "FIN", "RST", "PSH", "ACK"].contains(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// Checks each question against its event; returns the kinds asked.
fn check(name: &str, run: &LabRun) -> Vec<String> {
    let questions: Vec<&Value> = run.kind("question").collect();
    assert!(questions.len() >= 2, "{name} asks: {questions:?}");
    let mut kinds = Vec::new();
    for q in &questions {
        let before = q["before"].as_u64().expect("before");
        // The question line comes right before its event's line.
        let at = run
            .events
            .iter()
            .position(|e| e["i"].as_u64() == Some(before))
            .unwrap_or_else(|| panic!("{name}: no event {before}"));
        let prev = &run.events[at - 1];
        assert!(
            prev["kind"] == "question" && prev["before"] == before,
            "{name}: the line before event {before} is {prev}"
        );
        let ev = &run.events[at];
        let value = &q["value"];
        match q["ask"].as_str() {
            Some("flags") => {
                assert_eq!(ev["kind"], "segment", "{name}: {q}");
                assert_eq!(
                    json!(core_flags(ev["flags"].as_str().unwrap_or(""))),
                    *value
                );
                assert_eq!(ev["dir"], q["dir"]);
            }
            Some("seq_ack") => {
                assert_eq!(ev["kind"], "segment", "{name}: {q}");
                assert_eq!(json!([ev["seq"], ev["ack"]]), *value, "{name}: {q} / {ev}");
            }
            Some("state") => {
                assert_eq!(ev["kind"], "segment", "{name}: {q}");
                let side = q["side"].as_str().expect("a state question names its side");
                assert_eq!(ev[format!("{side}_state")], *value, "{name}: {q} / {ev}");
            }
            Some("recv") => {
                assert_eq!((&ev["kind"], &ev["call"]), (&json!("call"), &json!("recv")));
                assert_eq!(ev["side"], q["side"]);
                assert_eq!(
                    json!(ev["len"].as_u64().unwrap_or(0)),
                    *value,
                    "{name}: {ev}"
                );
            }
            Some("send_blocks") => {
                assert_eq!(ev["kind"], "call", "{name}: {q}");
                assert!(ev["call"] == "send" || ev["call"] == "sendall", "{ev}");
                let asked = ev["args"].as_str().unwrap_or("");
                let len = ev["len"].as_u64().unwrap_or(0);
                let expected = if ev.get("errno").is_some() {
                    "fails"
                } else if ev.get("pieces").is_some() {
                    "blocks"
                } else if ev["ret"].as_u64().is_some_and(|r| r < len) {
                    "partial"
                } else {
                    "at_once"
                };
                assert_eq!(*value, json!(expected), "{name}: {asked} {ev}");
            }
            other => panic!("{name}: unknown ask {other:?}"),
        }
        if let Some(k) = q["answer_key"].as_u64() {
            let choices = q["choices"].as_array().expect("choices");
            assert_eq!(choices[k as usize - 1], q["answer"], "{name}: {q}");
        }
        kinds.push(q["ask"].as_str().unwrap_or("").to_string());
    }
    kinds
}

#[test]
fn every_scenario_s_questions_are_answered_by_their_events() {
    let mut kinds = std::collections::BTreeSet::new();
    for name in SCENARIOS {
        let run = run_scenario(name, &["--quiz"]);
        kinds.extend(check(name, &run));
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["flags", "recv", "send_blocks", "seq_ack", "state"],
        "every kind is asked somewhere"
    );
}

#[test]
fn a_recording_replayed_asks_what_the_live_run_asked() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("quiz");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("half-close.pcapng");
    let _ = std::fs::remove_file(&file);
    let live = run_scenario(
        "half-close",
        &["--quiz", "--record", file.to_str().expect("utf-8 path")],
    );
    let out = std::process::Command::new(BIN)
        .arg("replay")
        .arg(&file)
        .args(["--headless", "--json", "--quiz"])
        .output()
        .expect("run sockviz replay");
    let replayed = lab_support::parse(out);
    let asked = |run: &LabRun| -> Vec<(Value, Value, Value)> {
        run.kind("question")
            .map(|q| (q["before"].clone(), q["ask"].clone(), q["value"].clone()))
            .collect()
    };
    assert_eq!(asked(&live), asked(&replayed));
    check("half-close replayed", &replayed);
}
