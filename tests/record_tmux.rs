//! End to end in a real terminal (tmux): the connection picker before a replay (a capture's and
//! a recording's), and recording
//! the live lab with Ctrl-R (`● REC` in the status bar) into a file that replays complete.

use std::path::Path;
use std::process::Command;

mod tmux_support;

use tmux_support::{start, tmux, wait_for};

#[test]
fn several_connections_open_the_picker_and_the_filter_chooses_one() {
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/multi.pcap");
    let name = format!("sockviz-picker-{}", std::process::id());
    let script = format!("{bin} replay {}; echo EXITED:$?; sleep 30", data.display());
    let _session = start(&name, &script);
    let (ok, screen) = wait_for(&name, 20, |s| s.contains("7 TCP connections"));
    assert!(ok, "the picker never showed:\n{screen}");
    assert!(screen.contains("127.0.0.1:40005"), "{screen}");
    assert!(screen.contains("half-close"), "flags per row: {screen}");
    tmux(&["send-keys", "-t", &name, "/", "40005", "Enter"]);
    let (ok, screen) = wait_for(&name, 20, |s| s.contains("connection 5 of 7"));
    assert!(ok, "the filtered connection did not play:\n{screen}");
    assert!(screen.contains("(wire only)"), "{screen}");
    tmux(&["send-keys", "-t", &name, "q"]);
    let (ok, screen) = wait_for(&name, 10, |s| s.contains("EXITED:0"));
    assert!(ok, "{screen}");
}

/// A recording of the backlog lesson (three clients): the picker opens with the whole session
/// first, the filter and arrows choose one connection, and that connection plays with its calls.
/// `--conn` past the last one closes no screen on the user: exit status 2 and the sentence.
#[test]
fn a_recording_with_several_connections_opens_the_picker() {
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rec-picker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("backlog.pcapng");
    let out = Command::new(bin)
        .args([
            "lab",
            "--scenario",
            "backlog",
            "--headless",
            "--force",
            "--record",
        ])
        .arg(&file)
        .output()
        .expect("run sockviz lab");
    assert!(out.status.success());
    let name = format!("sockviz-rec-picker-{}", std::process::id());
    // A short path, so the header fits in 120 columns.
    let script = format!(
        "cd {}; {bin} replay backlog.pcapng; echo EXITED:$?; sleep 30",
        dir.display()
    );
    let _session = start(&name, &script);
    let (ok, screen) = wait_for(&name, 20, |s| s.contains("3 TCP connections · choose one"));
    assert!(ok, "the picker never showed:\n{screen}");
    assert!(
        screen.contains(" all  all 3 connections: the whole lab session"),
        "{screen}"
    );
    assert!(screen.contains("   2  127.0.0.1:"), "{screen}");
    tmux(&["send-keys", "-t", &name, "Down", "Down", "Enter"]);
    let (ok, screen) = wait_for(&name, 20, |s| {
        s.contains("sockviz recording, connection 1 of 3 (calls, probes, wire)")
    });
    assert!(ok, "connection 1 did not play:\n{screen}");
    let (ok, screen) = wait_for(&name, 20, |s| s.contains("listener #1"));
    assert!(ok, "the listener's calls play too:\n{screen}");
    tmux(&["send-keys", "-t", &name, "q"]);
    let (ok, screen) = wait_for(&name, 10, |s| s.contains("EXITED:0"));
    assert!(ok, "{screen}");
    drop(_session);

    let name = format!("sockviz-rec-range-{}", std::process::id());
    let script = format!(
        "cd {}; {bin} replay backlog.pcapng --conn 3; echo EXITED:$?; sleep 30",
        dir.display()
    );
    let _session = start(&name, &script);
    let (ok, screen) = wait_for(&name, 20, |s| s.contains("EXITED:"));
    assert!(ok, "{screen}");
    assert!(screen.contains("EXITED:2"), "{screen}");
    let want =
        "sockviz: backlog.pcapng has 3 TCP connection(s); --conn 3 is not one of them (0-based)";
    assert!(screen.contains(want), "{screen}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_r_records_the_live_lab_with_a_rec_indicator() {
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rec-tmux-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let name = format!("sockviz-rec-{}", std::process::id());
    let script = format!("cd {}; {bin} lab; echo EXITED:$?; sleep 30", dir.display());
    let _session = start(&name, &script);
    let (ok, screen) = wait_for(&name, 20, |s| s.contains(" SYN,ACK seq=0 ack=1"));
    assert!(ok, "the lab never showed the handshake:\n{screen}");
    assert!(!screen.contains("● REC"), "not recording yet: {screen}");
    tmux(&["send-keys", "-t", &name, "C-r"]);
    let (ok, screen) = wait_for(&name, 10, |s| s.contains("● REC"));
    assert!(ok, "no REC indicator:\n{screen}");
    assert!(screen.contains("recording to sockviz-"), "{screen}");
    tmux(&["send-keys", "-t", &name, "C-r"]);
    let (ok, screen) = wait_for(&name, 10, |s| !s.contains("● REC"));
    assert!(ok, "the indicator stayed:\n{screen}");
    tmux(&["send-keys", "-t", &name, "q"]);
    let (ok, screen) = wait_for(&name, 10, |s| s.contains("EXITED:0"));
    assert!(ok, "{screen}");

    let file = std::fs::read_dir(&dir)
        .expect("scratch dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "pcapng"))
        .expect("a timestamped recording in the current directory");
    let out = Command::new(bin)
        .arg("replay")
        .arg(&file)
        .args(["--headless", "--json"])
        .output()
        .expect("replay");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("summary")).expect("JSON");
    assert_eq!(summary["replay"]["complete"], true, "{summary}");
    assert!(
        summary["segments"].as_u64().unwrap_or(0) >= 10,
        "the whole echo, from before Ctrl-R: {summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
