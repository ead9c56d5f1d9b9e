//! Recordings: every lab scenario recorded, replayed headless, and compared with the live run;
//! tshark reads each recording; a lab killed mid-recording leaves a playable file; a full disk is
//! reported while the lab runs on; replaying a plain capture agrees with `inspect`.

mod lab_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lab_support::{BIN, LabRun, parse};
use serde_json::Value;

/// Run `scenario` headless with `--json --record file`, and read its JSON lines.
fn record(scenario: &str, file: &Path) -> LabRun {
    let out = Command::new(BIN)
        .args([
            "lab",
            "--scenario",
            scenario,
            "--headless",
            "--json",
            "--force",
            "--record",
        ])
        .arg(file)
        .output()
        .expect("run sockviz lab");
    parse(out)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("record_roundtrip");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

fn replay_json(file: &Path) -> LabRun {
    let out = Command::new(BIN)
        .arg("replay")
        .arg(file)
        .args(["--headless", "--json"])
        .output()
        .expect("run sockviz replay");
    let run = parse(out);
    assert!(
        run.status.success(),
        "sockviz replay {} failed: {}",
        file.display(),
        run.stderr
    );
    run
}

fn tshark_available() -> bool {
    Command::new("tshark").arg("--version").output().is_ok()
}

/// Record `scenario`, replay it, and require the same timeline.
///
/// Nothing legitimately differs: the recording keeps every source event with its nanosecond
/// timestamps in arrival order, and the replay pushes them through the same `Timeline::push` and
/// `settle`; the summary keeps the lab's own fields. The only extra is the replay's `replay`
/// object in the summary line (file, source, complete, warnings), removed before comparing.
fn round_trip(scenario: &str) {
    let file = scratch(&format!("{scenario}.pcapng"));
    let live = record(scenario, &file);
    assert!(
        live.status.success(),
        "lab --scenario {scenario} --record failed: {}",
        live.stderr
    );
    let replayed = replay_json(&file);
    assert_eq!(
        replayed.events.len(),
        live.events.len(),
        "{scenario}: same number of events"
    );
    for (a, b) in live.events.iter().zip(&replayed.events) {
        assert_eq!(a, b, "{scenario}: event differs after the round trip");
    }
    // The derived socket truth too: the replay shows what the live run showed.
    assert_eq!(
        replayed.sockets, live.sockets,
        "{scenario}: socket lines differ"
    );
    let mut summary = replayed.summary.clone();
    let extra = summary
        .as_object_mut()
        .and_then(|o| o.remove("replay"))
        .expect("the replay's summary has a replay object");
    assert_eq!(extra["complete"], true, "{scenario}: {extra}");
    assert_eq!(extra["source"], "recording");
    assert_eq!(summary, live.summary, "{scenario}: same summary");

    let segments = live.summary["segments"].as_u64().expect("segments");
    assert!(
        segments > 0 || scenario == "refused" || scenario == "unreachable",
        "{scenario} captured segments"
    );
    assert!(
        tshark_available(),
        "tshark is not installed: `bash scripts/dev test` installs it"
    );
    let all = Command::new("tshark")
        .arg("-r")
        .arg(&file)
        .output()
        .expect("run tshark");
    assert!(
        all.status.success(),
        "tshark -r {}: {}",
        file.display(),
        String::from_utf8_lossy(&all.stderr)
    );
    let tcp = Command::new("tshark")
        .arg("-r")
        .arg(&file)
        .args(["-Y", "tcp"])
        .output()
        .expect("run tshark");
    let counted = String::from_utf8_lossy(&tcp.stdout).lines().count() as u64;
    // Over a link each segment was captured at both hosts (once if the link lost it).
    let sightings: u64 = live
        .segments()
        .iter()
        .map(|s| s["seen"].as_array().map_or(1, |a| a.len() as u64))
        .sum();
    assert_eq!(
        counted, sightings,
        "{scenario}: tshark counts the live run's TCP packets"
    );
    let comments = Command::new("tshark")
        .arg("-r")
        .arg(&file)
        .args(["-Y", "frame.comment", "-T", "fields", "-e", "frame.comment"])
        .output()
        .expect("run tshark");
    let comments = String::from_utf8_lossy(&comments.stdout);
    assert!(
        comments.contains("note: scenario "),
        "{scenario}: the events carry readable comments:\n{comments}"
    );
}

macro_rules! scenarios {
    ($($test:ident => $name:expr),* $(,)?) => {
        $(#[test] fn $test() { round_trip($name); })*
    };
}

scenarios! {
    echo_round_trips => "echo",
    segments_round_trips => "segments",
    coalesce_round_trips => "coalesce",
    utf8_split_round_trips => "utf8-split",
    half_close_round_trips => "half-close",
    slow_reader_round_trips => "slow-reader",
    backlog_round_trips => "backlog",
    refused_round_trips => "refused",
    reset_round_trips => "reset",
    echo_link_round_trips => "echo-link",
    syn_timeout_round_trips => "syn-timeout",
    unreachable_round_trips => "unreachable",
    loss_round_trips => "loss",
    slow_start_round_trips => "slow-start",
}

#[test]
fn every_scenario_has_a_round_trip_test() {
    let out = Command::new(BIN)
        .args(["lab", "--list"])
        .output()
        .expect("lab --list");
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    let covered = [
        "echo",
        "segments",
        "coalesce",
        "utf8-split",
        "half-close",
        "slow-reader",
        "backlog",
        "refused",
        "reset",
        "echo-link",
        "syn-timeout",
        "unreachable",
        "loss",
        "slow-start",
    ];
    for name in &listed {
        assert!(covered.contains(&name.as_str()), "no round trip for {name}");
    }
}

/// SIGKILL mid-scenario: what was written replays, marked incomplete.
#[test]
fn a_recording_killed_mid_scenario_replays_up_to_its_last_record() {
    let file = scratch("killed.pcapng");
    let _ = std::fs::remove_file(&file);
    let mut child = Command::new(BIN)
        .args([
            "lab",
            "--scenario",
            "slow-reader",
            "--headless",
            "--json",
            "--force",
            "--record",
        ])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the lab");
    // slow-reader stalls for about a second in the middle: kill it once data is flowing.
    let start = Instant::now();
    loop {
        let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        if len > 20_000 || start.elapsed() > Duration::from_secs(10) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL the lab");
    let status = child.wait().expect("reap the lab");
    assert!(!status.success(), "the lab was killed, not finished");
    let replayed = replay_json(&file);
    let info = &replayed.summary["replay"];
    assert_eq!(info["complete"], false, "{info}");
    let warnings = info["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("no closing summary"))),
        "the replay says the recording was cut: {info}"
    );
    let segments = replayed.kind("segment").count();
    assert!(
        segments >= 3,
        "the handshake and some data were written before the kill ({segments} segments)"
    );
    assert!(replayed.kind("call").count() > 0, "calls were written too");
}

/// `/dev/full` answers every write with ENOSPC: the lab runs to its end, says the recording
/// stopped, and exits 1.
#[test]
fn a_full_disk_is_reported_and_the_lab_runs_on() {
    if !Path::new("/dev/full").exists() {
        eprintln!("no /dev/full here: skipping");
        return;
    }
    let run = record("echo", Path::new("/dev/full"));
    assert_eq!(run.status.code(), Some(1), "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .contains("recording stopped: disk full (/dev/full)"),
        "{}",
        run.stderr
    );
    assert!(run.summary["failure"].is_null(), "the scenario itself ran");
    assert!(run.kind("segment").count() >= 8, "the lab kept capturing");
    assert!(
        run.kind("note")
            .any(|n| n["text"].as_str().is_some_and(|t| t.contains("disk full"))),
        "the timeline says when the recording stopped"
    );
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn inspect_json(file: &Path) -> Value {
    let out = Command::new(BIN)
        .arg("inspect")
        .arg(file)
        .arg("--json")
        .output()
        .expect("run inspect");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("inspect JSON")
}

/// The same segments, final states and analysis flags as `inspect` for each checked-in capture.
#[test]
fn replaying_plain_captures_agrees_with_inspect() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data(""))
        .expect("tests/data")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the checked-in captures are there");
    for file in files {
        let report = inspect_json(&file);
        let replayed = replay_json(&file);
        let info = &replayed.summary["replay"];
        assert_eq!(info["source"], "capture");
        assert_eq!(info["inferred"], true);
        let conns = report["connections"].as_array().expect("connections");
        assert_eq!(info["connections"].as_u64(), Some(conns.len() as u64));
        let segs: Vec<&Value> = replayed.kind("segment").collect();
        let packets: u64 = conns
            .iter()
            .map(|c| {
                c["packets"]["to_server"].as_u64().unwrap_or(0)
                    + c["packets"]["to_client"].as_u64().unwrap_or(0)
            })
            .sum();
        assert_eq!(segs.len() as u64, packets, "{}: segments", file.display());
        // Analysis: the same count of every flag.
        for (inspect_name, line_name) in [
            ("retransmission", "retransmission"),
            ("fast_retransmission", "fast_retransmission"),
            ("spurious_retransmission", "spurious_retransmission"),
            ("out_of_order", "out_of_order"),
            ("dup_ack", "duplicate_ack"),
            ("zero_window", "zero_window"),
            ("zero_window_probe", "zero_window_probe"),
            ("window_full", "window_full"),
            ("window_update", "window_update"),
            ("keep_alive", "keep_alive"),
            ("zero_window_probe_ack", "zero_window_probe_ack"),
            ("keep_alive_ack", "keep_alive_ack"),
            ("lost_segment", "lost_segment"),
            ("acked_unseen", "ack_lost_segment"),
            ("reused_ports", "reused_ports"),
        ] {
            let want: u64 = conns
                .iter()
                .map(|c| c["analysis"][inspect_name].as_u64().unwrap_or(0))
                .sum();
            let got = segs
                .iter()
                .filter(|s| {
                    s["analysis"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|n| n == line_name))
                })
                .count() as u64;
            assert_eq!(got, want, "{}: {inspect_name}", file.display());
        }
        // Final states: the last segment of each 4-tuple, against the last connection on it
        // (a reused port pair is two connections in a row).
        for c in conns {
            let (client, server) = (&c["client"], &c["server"]);
            let later_on_same_tuple = conns
                .iter()
                .skip_while(|o| !std::ptr::eq(*o, c))
                .skip(1)
                .any(|o| o["client"] == *client && o["server"] == *server);
            if later_on_same_tuple {
                continue;
            }
            let last = segs
                .iter()
                .rev()
                .find(|s| {
                    (s["src"] == *client && s["dst"] == *server)
                        || (s["src"] == *server && s["dst"] == *client)
                })
                .expect("a segment of the connection");
            assert_eq!(
                (&last["client_state"], &last["server_state"]),
                (&c["final_state"]["client"], &c["final_state"]["server"]),
                "{}: final states of {client} → {server}",
                file.display()
            );
        }
    }
}

/// A recording is a capture: `inspect` reads it and counts the events apart.
#[test]
fn inspect_reads_a_recording_and_counts_its_events_apart() {
    let file = scratch("inspect-echo.pcapng");
    let live = record("echo", &file);
    let report = inspect_json(&file);
    assert_eq!(report["undecodable_packets"], 0, "{report}");
    assert!(report["recording_events"].as_u64().unwrap_or(0) > 10);
    assert!(
        report["warnings"].as_array().is_some_and(|w| w.is_empty()),
        "{report}"
    );
    let conn = &report["connections"][0];
    let packets = conn["packets"]["to_server"].as_u64().unwrap_or(0)
        + conn["packets"]["to_client"].as_u64().unwrap_or(0);
    assert_eq!(Some(packets), live.summary["segments"].as_u64());
}

/// `--conn N` narrows a recording to one connection: its segments, its sockets' calls.
#[test]
fn conn_narrows_a_recording_to_one_connection() {
    let file = scratch("backlog-conn.pcapng");
    let live = record("backlog", &file);
    let live_conns: BTreeSet<(String, String)> = live.kind("segment").map(tuple).collect();
    assert!(live_conns.len() >= 3, "backlog has several connections");
    let out = Command::new(BIN)
        .arg("replay")
        .arg(&file)
        .args(["--headless", "--json", "--conn", "1"])
        .output()
        .expect("replay --conn");
    let one = parse(out);
    let tuples: BTreeSet<(String, String)> = one.kind("segment").map(tuple).collect();
    assert_eq!(tuples.len(), 1, "one connection's segments: {tuples:?}");
    assert!(
        one.kind("call").any(|c| c["call"] == "connect"),
        "its client's connect() is kept"
    );
    assert!(one.kind("segment").count() < live.kind("segment").count());

    // Every connection: its segments are the packets `inspect` counts for it, and the
    // summary's `frames` counts that connection's frames (not 0, not the whole file's).
    let report = inspect_json(&file);
    let conns = report["connections"].as_array().expect("connections");
    for (k, c) in conns.iter().enumerate() {
        let out = Command::new(BIN)
            .arg("replay")
            .arg(&file)
            .args(["--json", "--conn", &k.to_string()])
            .output()
            .expect("replay --conn");
        let one = parse(out);
        assert!(one.status.success(), "--conn {k}: {}", one.stderr);
        let packets = c["packets"]["to_server"].as_u64().unwrap_or(0)
            + c["packets"]["to_client"].as_u64().unwrap_or(0);
        assert_eq!(one.kind("segment").count() as u64, packets, "--conn {k}");
        assert_eq!(
            one.summary["segments"].as_u64(),
            Some(packets),
            "--conn {k}"
        );
        assert_eq!(one.summary["frames"].as_u64(), Some(packets), "--conn {k}");
        assert_eq!(one.summary["replay"]["conn"].as_u64(), Some(k as u64));
        assert_eq!(
            one.summary["replay"]["connections"].as_u64(),
            Some(conns.len() as u64)
        );
    }
}

/// `--conn` past the last connection fails with one sentence (the file, the number asked
/// for, how many there are) and exit status 2, for a recording and a plain capture alike, in
/// `replay --headless` and `export`: never the whole file instead.
#[test]
fn conn_out_of_range_fails_with_the_file_the_number_and_the_count() {
    let rec = scratch("backlog-range.pcapng");
    let out = Command::new(BIN)
        .args([
            "lab",
            "--scenario",
            "backlog",
            "--headless",
            "--force",
            "--record",
        ])
        .arg(&rec)
        .output()
        .expect("run sockviz lab");
    assert!(out.status.success());
    for file in [rec, data("multi.pcap")] {
        let count = inspect_json(&file)["connections"]
            .as_array()
            .map(Vec::len)
            .expect("connections");
        assert!((2..9).contains(&count), "{}: {count}", file.display());
        let want = format!(
            "sockviz: {} has {count} TCP connection(s); --conn 9 is not one of them (0-based)\n",
            file.display()
        );
        for args in [
            &["replay", "--headless"][..],
            &["replay", "--json"],
            &["export", "--format", "txt"],
        ] {
            let out = Command::new(BIN)
                .args(&args[..1])
                .arg(&file)
                .args(&args[1..])
                .args(["--conn", "9"])
                .output()
                .expect("run sockviz");
            assert_eq!(out.status.code(), Some(2), "{args:?} {}", file.display());
            assert_eq!(String::from_utf8_lossy(&out.stderr), want, "{args:?}");
            assert!(out.stdout.is_empty(), "{args:?}: nothing printed");
        }
    }
}

/// A plain capture's `--conn N` summary counts that connection's frames too.
#[test]
fn conn_on_a_plain_capture_counts_its_frames() {
    let file = data("multi.pcap");
    let report = inspect_json(&file);
    let c = &report["connections"][1];
    let packets = c["packets"]["to_server"].as_u64().unwrap_or(0)
        + c["packets"]["to_client"].as_u64().unwrap_or(0);
    let out = Command::new(BIN)
        .arg("replay")
        .arg(&file)
        .args(["--json", "--conn", "1"])
        .output()
        .expect("replay --conn 1");
    let one = parse(out);
    assert!(one.status.success(), "{}", one.stderr);
    assert_eq!(
        one.summary["frames"].as_u64(),
        Some(packets),
        "{}",
        one.summary
    );
    assert_eq!(one.summary["segments"].as_u64(), Some(packets));
}

/// A segment's connection as an unordered address pair.
fn tuple(s: &Value) -> (String, String) {
    let (a, b) = (s["src"].to_string(), s["dst"].to_string());
    if a < b { (a, b) } else { (b, a) }
}

/// A plain capture replayed headless: two inferred endpoints per connection, their states from
/// the wire, unacknowledged bytes from sequence numbers, the receive queue unknowable (`null`).
#[test]
fn a_plain_capture_replays_with_inferred_socket_lines() {
    let lines = |name: &str| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name);
        replay_json(&file)
    };
    let echo = lines("echo.pcap");
    let states = |sock: u64| {
        let mut out: Vec<String> = Vec::new();
        for s in echo.sockets.iter().filter(|s| s["sock"] == sock) {
            assert_eq!(s["inferred"], true);
            assert!(s["recv_q"].is_null(), "{s}");
            let st = s["state"].as_str().unwrap_or("?").to_string();
            if out.last() != Some(&st) {
                out.push(st);
            }
        }
        out
    };
    assert_eq!(
        states(1),
        ["SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "TIME_WAIT"]
    );
    assert_eq!(
        states(2),
        [
            "SYN_RECEIVED",
            "ESTABLISHED",
            "CLOSE_WAIT",
            "LAST_ACK",
            "CLOSED"
        ]
    );
    assert!(
        echo.sockets
            .iter()
            .any(|s| s["sock"] == 1 && s["unacked"] == 20),
        "the client's 20 bytes in flight"
    );
    // connect() to a closed port: nothing ever entered SYN_RECEIVED.
    let refused = lines("refused.pcap");
    for e in refused.events.iter().chain(&refused.sockets) {
        assert!(!e.to_string().contains("SYN_RECEIVED"), "{e}");
    }
}
