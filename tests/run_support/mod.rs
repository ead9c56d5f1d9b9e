//! Shared helpers for the `sockviz run` tests: run the binary on a program (as this user and,
//! when root, as uid 65534), read its calls.
#![allow(dead_code)]

use std::process::Command;

use serde_json::Value;

use super::lab_support::{BIN, LabRun, parse};

/// Debian's python3: readable by every user (a pyenv under /root is not).
pub const PY: &str = "/usr/bin/python3";

pub fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// `sockviz run --headless --json OPTS -- ARGS`, as this user or (when root) as uid 65534.
pub fn sockviz_run(ordinary: bool, opts: &[&str], args: &[&str]) -> Option<LabRun> {
    let mut cmd = if ordinary && is_root() {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("setpriv (util-linux) is missing: cannot drop to an ordinary user");
            return None;
        }
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            BIN,
        ]);
        c
    } else if ordinary {
        return None;
    } else {
        Command::new(BIN)
    };
    cmd.current_dir("/")
        .args(["run", "--headless", "--json"])
        .args(opts)
        .arg("--")
        .args(args);
    Some(parse(cmd.output().expect("run sockviz")))
}

/// Run as this user and as an ordinary one, checking both.
pub fn both(opts: &[&str], args: &[&str], check: impl Fn(&LabRun)) {
    for ordinary in [false, true] {
        if let Some(run) = sockviz_run(ordinary, opts, args) {
            if run.summary["capture"] != "namespace" {
                // A kernel without unprivileged user namespaces: said so, nothing invented.
                assert!(run.segments().is_empty(), "{}", run.summary);
                continue;
            }
            check(&run);
        }
    }
}

/// `(call, args)` of one side's calls, in order.
pub fn calls_of(run: &LabRun, side: &str) -> Vec<(String, String)> {
    run.kind("call")
        .filter(|c| c["side"] == side)
        .map(|c| {
            (
                c["call"].as_str().unwrap_or("?").to_string(),
                c["args"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

pub fn names(calls: &[(String, String)]) -> Vec<&str> {
    calls.iter().map(|(n, _)| n.as_str()).collect()
}

/// The last `socket` line of a socket: the state the screen ends with.
pub fn final_state(run: &LabRun, sock: &Value) -> String {
    run.sockets
        .iter()
        .rfind(|s| s["sock"] == *sock)
        .map(|s| s["state"].as_str().unwrap_or("?").to_string())
        .unwrap_or_default()
}

pub fn one<'a>(run: &'a LabRun, side: &str, call: &str) -> &'a Value {
    let found = run.calls(side, call);
    assert_eq!(found.len(), 1, "one {side} {call}: {found:?}");
    found[0]
}

/// A script in a file every user can read.
pub fn script(name: &str, text: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("sockviz-run-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write script");
    let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
    path.to_string_lossy().into_owned()
}
