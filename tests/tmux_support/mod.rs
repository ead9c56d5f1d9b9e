//! Driving the real binary in a tmux pane, shared by the end-to-end tests.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn capture(session: &str) -> String {
    tmux(&["capture-pane", "-p", "-t", session])
}

/// Poll the pane until `pred` holds or `secs` pass; returns the last screen.
pub fn wait_for(session: &str, secs: u64, pred: impl Fn(&str) -> bool) -> (bool, String) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = capture(session);
        if pred(&screen) {
            return (true, screen);
        }
        if Instant::now() > deadline {
            return (false, screen);
        }
        sleep(Duration::from_millis(100));
    }
}

/// A tmux session, killed when the test ends (pass or fail).
pub struct Session(pub String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

pub fn require_tmux() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed: `bash scripts/dev test` installs it (the end-to-end tests need it)"
    );
}

/// Start `script` under bash in a detached 120×40 session called `name`.
pub fn start(name: &str, script: &str) -> Session {
    require_tmux();
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        name,
        "bash",
        "-c",
        script,
    ]);
    Session(name.to_string())
}
