//! End to end: the real binary in a real terminal (tmux), read the way a person reads it.
//!
//! Starts `sockviz lab` in a 120×40 tmux pane, waits for the handshake to be drawn, pauses,
//! steps, opens the help, quits, and checks the shell got its terminal back (cooked mode).

use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

mod tmux_support;

use tmux_support::{Session, capture, tmux, wait_for};

#[test]
fn the_live_lab_shows_the_handshake_steps_helps_and_quits_cleanly() {
    tmux_support::require_tmux();
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let name = format!("sockviz-e2e-{}", std::process::id());
    let script =
        format!("{bin} lab; echo EXITED:$?; stty -a | grep -o -- '-icanon\\|icanon'; sleep 30");
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        &name,
        "bash",
        "-c",
        &script,
    ]);
    let _session = Session(name.clone());

    let (ok, screen) = wait_for(&name, 20, |s| {
        s.contains(" SYN seq=0")
            && s.contains(" SYN,ACK seq=0 ack=1")
            && s.contains(" ACK seq=1 ack=1")
    });
    assert!(ok, "the handshake never showed:\n{screen}");
    assert!(screen.contains("server 127.0.0.1:7"), "{screen}");
    assert!(screen.contains("client 127.0.0.1:"), "{screen}");
    assert!(
        screen.contains("SYN seq=0 ack=0 len=0 win=") && screen.contains("►"),
        "{screen}"
    );

    // Pause: the position stops.
    tmux(&["send-keys", "-t", &name, "space"]);
    let (ok, paused) = wait_for(&name, 5, |s| s.contains("LIVE ⏸"));
    assert!(ok, "pause not shown:\n{paused}");
    // The status bar's `step N/M`.
    let count = |s: &str| -> Option<String> {
        s.lines()
            .last()
            .and_then(|l| l.split_whitespace().nth(1))
            .map(str::to_string)
    };
    let before = count(&paused);
    sleep(Duration::from_millis(1500));
    assert_eq!(count(&capture(&name)), before, "paused, the position holds");

    // Step forward and back one event.
    tmux(&["send-keys", "-t", &name, "Right"]);
    sleep(Duration::from_millis(400));
    let stepped = count(&capture(&name));
    assert_ne!(stepped, before, "→ steps");
    tmux(&["send-keys", "-t", &name, "Left"]);
    sleep(Duration::from_millis(400));
    assert_eq!(count(&capture(&name)), before, "← steps back");

    // Once the connection is up, both sides read ESTABLISHED.
    tmux(&["send-keys", "-t", &name, "End"]);
    // `recv(1024) → b''`, or `recv(1024)→b''` when the row is narrow (issue 11: one form).
    let (ok, screen) = wait_for(&name, 40, |s| s.contains("→ b''") || s.contains(")→b''"));
    assert!(ok, "the lab never finished:\n{screen}");
    tmux(&["send-keys", "-t", &name, "g"]);
    for _ in 0..16 {
        tmux(&["send-keys", "-t", &name, "Right"]);
    }
    let (ok, screen) = wait_for(&name, 5, |s| s.contains("ESTABLISHED"));
    assert!(ok, "ESTABLISHED never showed:\n{screen}");

    tmux(&["send-keys", "-t", &name, "?"]);
    let (ok, help) = wait_for(&name, 5, |s| s.contains("keys · ? or Esc closes"));
    assert!(ok, "help overlay:\n{help}");
    assert!(help.contains("step forward"), "{help}");
    assert!(help.contains("lab: client recv(bufsize)"), "{help}");
    tmux(&["send-keys", "-t", &name, "Escape"]);
    let (ok, _) = wait_for(&name, 5, |s| !s.contains("keys · ? or Esc closes"));
    assert!(ok, "Esc closes the help");

    tmux(&["send-keys", "-t", &name, "q"]);
    let (ok, after) = wait_for(&name, 10, |s| s.contains("EXITED:") && s.contains("icanon"));
    assert!(ok, "sockviz did not exit:\n{after}");
    assert!(after.contains("EXITED:0"), "{after}");
    assert!(
        after.lines().any(|l| l.trim() == "icanon"),
        "the terminal is back in cooked mode:\n{after}"
    );
    assert!(
        !after.contains("server 127.0.0.1:7"),
        "the alternate screen is gone:\n{after}"
    );
}

/// The TCP state names a screen row carries in the ladder (the left 82 columns at 120×40),
/// split by side: left of the middle between the lifelines is the client's.
fn row_states(row: &str) -> (Vec<String>, Vec<String>) {
    const STATES: [&str; 11] = [
        "CLOSED",
        "LISTEN",
        "SYN_SENT",
        "SYN_RECEIVED",
        "ESTABLISHED",
        "FIN_WAIT_1",
        "FIN_WAIT_2",
        "CLOSE_WAIT",
        "CLOSING",
        "LAST_ACK",
        "TIME_WAIT",
    ];
    let ladder: String = row.chars().take(82).collect();
    let (mut client, mut server) = (Vec::new(), Vec::new());
    let mut col = 0;
    for word in ladder.split(' ') {
        if STATES.contains(&word) {
            // Lifelines at columns 29 and 61 (a 120-column screen).
            if col < 45 {
                client.push(word.to_string());
            } else {
                server.push(word.to_string());
            }
        }
        col += word.chars().count() + 1;
    }
    (client, server)
}

/// The state a socket panel's title shows (`┌ client #2 ──── ESTABLISHED ┐`, `… TIME_WAIT ·
/// fd closed ┐`).
fn panel_state(screen: &str, who: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains(&format!("┌ {who} #")))?;
    let title = line.split('┌').nth(1)?.split('┐').next()?;
    title
        .split(' ')
        .filter(|w| {
            w.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        })
        .rfind(|w| w.len() > 2)
        .map(str::to_string)
}

/// `wanted` appears in `seen` in this order (other values may come between).
fn in_order(seen: &[String], wanted: &[&str]) -> bool {
    let mut it = seen.iter();
    wanted.iter().all(|w| it.any(|s| s == w))
}

/// The lecture's walk (issue 10): `sockviz`, pause, go to the start, step with → through the
/// echo story, reading at each step the state names the newest ladder row writes beside the
/// lifelines, and the socket panels' states.
#[test]
fn stepping_through_echo_shows_each_state_on_the_lifelines_and_in_the_panels() {
    tmux_support::require_tmux();
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let name = format!("sockviz-e2e-states-{}", std::process::id());
    let _session = tmux_support::start(&name, &format!("{bin} lab; sleep 30"));
    let (ok, screen) = wait_for(&name, 20, |s| s.contains("interactive: n opens"));
    assert!(ok, "the echo story never finished:\n{screen}");
    tmux(&["send-keys", "-t", &name, "space"]);
    let (ok, _) = wait_for(&name, 5, |s| s.contains("LIVE ⏸"));
    assert!(ok, "paused");
    tmux(&["send-keys", "-t", &name, "g"]);
    let (ok, _) = wait_for(&name, 5, |s| s.contains(" event 0/"));
    assert!(ok, "at the start");
    let event = |s: &str| -> Option<String> {
        let at = s.find(" event ")?;
        s[at..].split_whitespace().nth(1).map(str::to_string)
    };
    let (mut client_line, mut server_line) = (Vec::new(), Vec::new());
    let (mut client_panel, mut server_panel) = (Vec::<String>::new(), Vec::<String>::new());
    let mut screen = capture(&name);
    for _ in 0..60 {
        let before = event(&screen);
        tmux(&["send-keys", "-t", &name, "Right"]);
        let (_, now) = wait_for(&name, 3, |s| event(s) != before);
        screen = now;
        // The newest ladder row: the last of rows 2..=24 with a lifeline on it.
        let rows: Vec<&str> = screen.lines().collect();
        if let Some(row) = rows
            .iter()
            .take(25)
            .skip(2)
            .rev()
            .find(|r| r.chars().take(82).any(|c| matches!(c, '│' | '┃' | '●')))
        {
            let (c, s) = row_states(row);
            client_line.extend(c);
            server_line.extend(s);
        }
        for (who, seen) in [("client", &mut client_panel), ("server", &mut server_panel)] {
            if let Some(st) = panel_state(&screen, who)
                && seen.last() != Some(&st)
            {
                seen.push(st);
            }
        }
        if event(&screen) == before || screen.contains("interactive: n opens") {
            break;
        }
    }
    assert!(
        in_order(
            &client_line,
            &["SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "TIME_WAIT"]
        ),
        "client lifeline: {client_line:?}\n{screen}"
    );
    assert!(
        in_order(
            &server_line,
            &[
                "LISTEN",
                "SYN_RECEIVED",
                "ESTABLISHED",
                "CLOSE_WAIT",
                "LAST_ACK",
                "CLOSED"
            ]
        ),
        "server lifeline: {server_line:?}\n{screen}"
    );
    // The panels keep the current value, the kernel's state after close() included.
    assert!(
        in_order(
            &client_panel,
            &["SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "TIME_WAIT"]
        ),
        "client panel: {client_panel:?}\n{screen}"
    );
    assert!(
        in_order(
            &server_panel,
            &["ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
        ),
        "server panel: {server_panel:?}\n{screen}"
    );
}

#[test]
fn a_replay_ended_by_sigterm_gives_the_terminal_back() {
    tmux_support::require_tmux();
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/echo.pcap");
    let name = format!("sockviz-e2e-term-{}", std::process::id());
    let script = format!(
        "{bin} replay {file}; echo EXITED:$?; stty -a | grep -o -- '-icanon\\|icanon'; sleep 30"
    );
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "100",
        "-y",
        "30",
        "-s",
        &name,
        "bash",
        "-c",
        &script,
    ]);
    let _session = Session(name.clone());
    let (ok, screen) = wait_for(&name, 10, |s| {
        s.contains("replay") && s.contains("inferred")
    });
    assert!(ok, "the replay never showed:\n{screen}");
    let shell = tmux(&["list-panes", "-t", &name, "-F", "#{pane_pid}"]);
    let children = Command::new("pgrep")
        .args(["-P", shell.trim()])
        .output()
        .expect("pgrep runs");
    let pid = String::from_utf8_lossy(&children.stdout).trim().to_string();
    assert!(!pid.is_empty(), "sockviz's pid");
    Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    let (ok, after) = wait_for(&name, 10, |s| s.contains("EXITED:") && s.contains("icanon"));
    assert!(ok, "sockviz did not exit on SIGTERM:\n{after}");
    assert!(after.contains("EXITED:143"), "128 + SIGTERM:\n{after}");
    assert!(
        after.lines().any(|l| l.trim() == "icanon"),
        "cooked mode:\n{after}"
    );
}

#[test]
fn a_panic_with_the_terminal_taken_restores_it_and_shows_the_message() {
    tmux_support::require_tmux();
    // `cargo test` builds the examples next to the binaries.
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_sockviz"));
    let example = bin
        .parent()
        .map(|d| d.join("examples/panic_restore"))
        .filter(|p| p.exists())
        .expect("cargo test builds examples/panic_restore next to the binary");
    let name = format!("sockviz-e2e-panic-{}", std::process::id());
    let script = format!(
        "{}; echo EXITED:$?; stty -a | grep -o -- '-icanon\\|icanon'; sleep 30",
        example.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "100",
        "-y",
        "30",
        "-s",
        &name,
        "bash",
        "-c",
        &script,
    ]);
    let _session = Session(name.clone());
    let (ok, after) = wait_for(&name, 10, |s| s.contains("EXITED:") && s.contains("icanon"));
    assert!(ok, "the example did not end:\n{after}");
    assert!(after.contains("EXITED:101"), "a panic's status:\n{after}");
    assert!(
        after.contains("a deliberate panic"),
        "the message is readable:\n{after}"
    );
    assert!(
        after.lines().any(|l| l.trim() == "icanon"),
        "cooked mode:\n{after}"
    );
    assert!(
        !after.contains("about to panic"),
        "the alternate screen is gone:\n{after}"
    );
}
