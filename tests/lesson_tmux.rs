//! `sockviz lesson` in the terminal (issue 14, item 3): the shipped script plays end to end in
//! tmux: each section's heading on the ladder, its scenario run, its questions asked (passed
//! over here with Esc), Enter going on, until the lesson says it is over.

mod tmux_support;

use tmux_support::{capture, start, tmux};

#[test]
fn the_shipped_lesson_plays_end_to_end_in_tmux() {
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let dir = env!("CARGO_MANIFEST_DIR");
    let name = format!("sockviz-lesson-{}", std::process::id());
    let _s = start(
        &name,
        &format!("cd {dir} && {bin} lesson examples/lesson-sockets.txt; sleep 30"),
    );
    let (ok, screen) = tmux_support::wait_for(&name, 20, |s| s.contains("══ 1/7. Bytes and UTF-8"));
    assert!(ok, "the first section:\n{screen}");
    // The lecture pace, sped up (×64): the test is about the script, not the animation.
    for _ in 0..6 {
        tmux(&["send-keys", "-t", &name, "+"]);
    }
    let mut sections = std::collections::BTreeSet::new();
    let mut questions = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(150);
    let mut last = String::new();
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the lesson did not end; sections seen {sections:?}, screen:\n{last}"
        );
        let screen = capture(&name);
        // The header names the section (its heading is the first note of its ladder).
        for n in 1..=7 {
            if screen.contains(&format!("══ {n}/7.")) || screen.contains(&format!("§{n}/7 ")) {
                sections.insert(n);
            }
        }
        let header = screen.lines().next().unwrap_or("").to_string();
        let status = screen.lines().last().unwrap_or("").to_string();
        if screen.contains("predict, then reveal") {
            questions += 1;
            tmux(&["send-keys", "-t", &name, "Escape"]);
        } else if header.contains("the lesson is over") {
            break;
        } else if header.contains("Enter: next step") && !status.contains("queued") {
            tmux(&["send-keys", "-t", &name, "Enter"]);
            // A scenario takes up to ~1.2 s (backlog); the lecturer watches it before going on.
            std::thread::sleep(std::time::Duration::from_millis(2500));
        }
        last = screen;
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    assert_eq!(
        sections.len(),
        7,
        "every section's heading was on screen: {sections:?}"
    );
    assert!(
        questions >= 5,
        "the script's questions were asked ({questions})"
    );
    tmux(&["send-keys", "-t", &name, "q"]);
}
