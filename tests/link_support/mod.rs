//! Shared helpers for the link lab's tests (issue 12): run the real binary as this user and,
//! when that is root, as an ordinary one too (uid 65534 through `setpriv`).
#![allow(dead_code)]

use std::process::Command;

use serde_json::Value;

use crate::lab_support::{BIN, LabRun, parse};

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

/// Who a run is made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum As {
    Me,
    /// uid/gid 65534 with no groups (only when the test runs as root).
    Nobody,
}

/// The users to run each check as: this one, and an ordinary one when this one is root.
pub fn users() -> Vec<As> {
    let nobody = is_root() && Command::new("setpriv").arg("--version").output().is_ok();
    if nobody {
        vec![As::Me, As::Nobody]
    } else {
        vec![As::Me]
    }
}

pub fn run_as(who: As, args: &[&str]) -> LabRun {
    let mut cmd = match who {
        As::Me => Command::new(BIN),
        As::Nobody => {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                BIN,
            ]);
            c
        }
    };
    let out = cmd
        .args(["lab", "--headless", "--json"])
        .args(args)
        .output()
        .expect("run sockviz");
    let run = parse(out);
    assert!(
        run.summary["capture"] == "namespace",
        "{who:?} {args:?}: the link lab captured: {}\nstderr: {}",
        run.summary,
        run.stderr
    );
    run
}

pub fn t(e: &Value) -> f64 {
    e["t"].as_f64().expect("a time")
}

pub fn within(measured: f64, set: f64, share: f64) -> bool {
    (measured - set).abs() <= set * share
}

/// One timed lab at a time in this test binary: the link's timing is asserted within 10%, and
/// labs started together on a 2-core machine delay each other's relay.
pub fn timed() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run `args` as every user of [`users`] and hand each run to `check`: one after the other
/// (see [`timed`]), but the seconds-long backoffs, whose 10% is far above any scheduling delay,
/// run at once and wait for nothing.
pub fn each_user(args: &[&str], check: impl Fn(As, &LabRun)) {
    let tolerant = args
        .iter()
        .any(|a| matches!(*a, "syn-timeout" | "unreachable"));
    let runs: Vec<(As, LabRun)> = if tolerant {
        std::thread::scope(|scope| {
            let handles: Vec<_> = users()
                .into_iter()
                .map(|who| scope.spawn(move || (who, run_as(who, args))))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a run"))
                .collect()
        })
    } else {
        users()
            .into_iter()
            .map(|who| {
                let _one_at_a_time = timed();
                (who, run_as(who, args))
            })
            .collect()
    };
    for (who, run) in &runs {
        check(*who, run);
    }
}
