//! The lab as an ordinary user: the private user + network namespace needs no privileges.
//! When the test runs as root (CI), the binary is run as uid/gid 65534 (`nobody`) through
//! `setpriv`. If this kernel forbids unprivileged user namespaces, the lab must say so
//! (`unavailable: ...` with the fix) and must not invent a single segment.

mod lab_support;

use std::process::Command;

use lab_support::{BIN, LabRun, parse};

fn as_ordinary_user(args: &[&str]) -> Option<LabRun> {
    // Who runs the test: the effective uid is the third field of `Uid:` in /proc/self/status.
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false);
    let mut cmd = if root {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("setpriv (util-linux) is missing: cannot drop to an ordinary user");
            return None;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(BIN);
        c
    } else {
        Command::new(BIN)
    };
    let out = cmd.args(args).output().expect("run sockviz");
    Some(parse(out))
}

#[test]
fn echo_runs_and_captures_as_an_ordinary_user() {
    let Some(run) = as_ordinary_user(&["lab", "--scenario", "echo", "--headless", "--json"]) else {
        return;
    };
    let capture = run.summary["capture"]
        .as_str()
        .expect("capture")
        .to_string();
    // The calls happen either way.
    let recv = run.calls("client", "recv");
    assert_eq!(
        recv[0]["data"], "Hello, 대한민국!",
        "stderr: {}",
        run.stderr
    );
    if capture == "namespace" {
        run.assert_handshake();
        run.assert_fin_exchange();
        run.assert_causal();
        run.assert_recvs_cover_sends();
        // Issue 10: the derived truth agrees with the kernel's probes as an ordinary user too.
        run.assert_probes_agree_with_truth();
    } else {
        assert!(capture.starts_with("unavailable: "), "{capture}");
        assert!(
            capture.contains("setcap") && capture.contains("sysctl"),
            "names the fix: {capture}"
        );
        assert!(run.segments().is_empty(), "no capture, no segments");
    }
}

#[test]
fn host_loopback_without_privileges_reports_unavailable_and_invents_nothing() {
    let Some(run) = as_ordinary_user(&[
        "lab",
        "--scenario",
        "echo",
        "--headless",
        "--json",
        "--host-loopback",
        "--port",
        "47007",
    ]) else {
        return;
    };
    let capture = run.summary["capture"].as_str().expect("capture");
    assert!(capture.starts_with("unavailable: "), "{capture}");
    assert!(
        capture.contains("setcap cap_net_raw,cap_net_admin=eip"),
        "{capture}"
    );
    assert!(run.segments().is_empty(), "never invents segments");
    // Sockets and probes still ran on the host loopback.
    assert_eq!(run.calls("client", "recv")[0]["ret"], 20);
    assert!(run.kind("probe").count() > 0);
}

#[test]
fn every_scenario_runs_as_an_ordinary_user() {
    for name in [
        "echo",
        "segments",
        "coalesce",
        "half-close",
        "refused",
        "backlog",
        "slow-reader",
        "reset",
        "utf8-split",
    ] {
        let Some(run) = as_ordinary_user(&["lab", "--scenario", name, "--headless", "--json"])
        else {
            return;
        };
        assert!(run.status.success(), "{name}: {}", run.stderr);
        let capture = run.summary["capture"].as_str().expect("capture");
        if capture != "namespace" {
            assert!(capture.starts_with("unavailable: "), "{name}: {capture}");
            assert!(run.segments().is_empty(), "{name}: no capture, no segments");
            continue;
        }
        run.assert_namespace_capture();
        run.assert_causal();
        assert_eq!(run.flag_trace()[0], "c2s:SYN", "{name} opens with a SYN");
        if !matches!(name, "refused" | "reset") {
            run.assert_handshake();
            run.assert_recvs_cover_sends();
        }
    }
}
