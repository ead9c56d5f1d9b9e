//! `sockviz lesson` (issue 14, item 3): the shipped lecture script plays end to end headless,
//! every scenario on one real wire, under its section, with the questions the script asks.

mod lab_support;

use lab_support::BIN;
use serde_json::Value;

#[test]
fn the_shipped_lesson_plays_headless_with_every_scenario_captured() {
    let out = std::process::Command::new(BIN)
        .args([
            "lesson",
            "examples/lesson-sockets.txt",
            "--headless",
            "--json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sockviz lesson");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines[0]["kind"], "lesson");
    let of = |k: &'static str| lines.iter().filter(move |l| l["kind"] == k);
    let sections: Vec<&str> = of("section").filter_map(|l| l["text"].as_str()).collect();
    assert_eq!(sections.len(), 7, "{sections:?}");
    assert!(sections[0].contains("UTF-8") && sections[6].contains("fail"));
    // Every scenario ran to its end, captured in the lab's namespace.
    let summaries: Vec<&Value> = of("summary").collect();
    let names: Vec<&str> = summaries
        .iter()
        .filter_map(|s| s["scenario"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "utf8-split",
            "echo",
            "backlog",
            "slow-reader",
            "segments",
            "coalesce",
            "half-close",
            "reset",
            "refused"
        ]
    );
    for s in &summaries {
        assert!(s["failure"].is_null(), "{s}");
        assert_eq!(s["capture"], "namespace", "{s}");
        assert!(s["segments"].as_u64().unwrap_or(0) >= 2, "{s}");
    }
    // The echo after a scenario on the same wire is the echo alone: the handshake, 20 bytes
    // each way, the FIN exchange (10 segments).
    let echo = summaries
        .iter()
        .find(|s| s["scenario"] == "echo")
        .expect("echo");
    assert_eq!(echo["segments"], 10, "{echo}");
    // The script's quiz lines: recv questions in the UTF-8 section, flags/state in connect's.
    let asked: Vec<&str> = of("question").filter_map(|q| q["ask"].as_str()).collect();
    for kind in ["recv", "flags", "state", "send_blocks", "seq_ack"] {
        assert!(asked.contains(&kind), "{kind} asked: {asked:?}");
    }
    assert_eq!(of("pause").count(), 6);
}

#[test]
fn a_broken_script_names_the_line_and_exits_2() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lesson");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("broken.txt");
    std::fs::write(&file, "section one\nscenario echoo\n").expect("write the script");
    let out = std::process::Command::new(BIN)
        .arg("lesson")
        .arg(&file)
        .arg("--headless")
        .output()
        .expect("run sockviz lesson");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.txt:2: unknown scenario `echoo`; the scenarios are echo,"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
