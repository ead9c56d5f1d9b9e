//! Issue 12 in a real terminal: `sockviz lab --scenario unreachable` (a link scenario) runs in
//! the screens with its two hosts, showing the ARP requests and both connect failures as a
//! person reads them.

mod tmux_support;

use tmux_support::{start, tmux, wait_for};

#[test]
fn a_link_scenario_runs_in_the_screens() {
    let name = format!("sockviz-link-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let _session = start(
        &name,
        &format!("{bin} lab --scenario unreachable; sleep 30"),
    );
    let (seen, screen) = wait_for(&name, 20, |s| s.contains("Errno 113"));
    assert!(seen, "{screen}");
    for want in ["ENETUNREACH", "who has 192.0.2.3?", "192.0.2.1"] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
    tmux(&["send-keys", "-t", &name, "q"]);
}
