//! End to end in Korean: the real binary in an 80×24 tmux pane, started with `--lang ko` and
//! with `LANG=ko_KR.UTF-8`, shows its status bar and its `?` help in Korean, read the way a
//! person reads them.

mod tmux_support;

use tmux_support::{Session, tmux, wait_for};

/// Start `script` under bash in a detached 80×24 session (UTF-8, so Korean is kept).
fn start_80x24(name: &str, script: &str) -> Session {
    tmux_support::require_tmux();
    tmux(&[
        "-u",
        "new-session",
        "-d",
        "-x",
        "80",
        "-y",
        "24",
        "-s",
        name,
        "bash",
        "-c",
        script,
    ]);
    Session(name.to_string())
}

/// The lab in Korean: the status bar's hints, the help's title, rows and legend, then `q`.
fn korean_lab(name: &str, script: &str) {
    let _session = start_80x24(name, script);
    // The status bar in Korean, `? 도움말` at its right end.
    let (ok, screen) = wait_for(name, 20, |s| {
        s.lines().last().is_some_and(|l| {
            l.contains("Space 재생/정지") && l.trim_end().ends_with("? 도움말  q 종료")
        })
    });
    assert!(ok, "the Korean status bar never showed:\n{screen}");
    assert!(
        screen.contains("시나리오 echo"),
        "the header in Korean:\n{screen}"
    );
    assert!(screen.contains("실시간"), "{screen}");
    // Paused, then the help.
    tmux(&["send-keys", "-t", name, "space"]);
    let (ok, paused) = wait_for(name, 5, |s| s.contains("실시간 ⏸"));
    assert!(ok, "pause not shown:\n{paused}");
    tmux(&["send-keys", "-t", name, "?"]);
    let rows = [
        "한 단계 앞으로",
        "이전 항목 선택",
        "실습: 새 연결",
        "이 도움말",
        "종료",
    ];
    // Waited for whole: a capture can land while the overlay is being drawn.
    let (ok, help) = wait_for(name, 5, |s| {
        s.contains("키 · ↓↑ 스크롤 · ? 또는 Esc로 닫기") && rows.iter().all(|r| s.contains(r))
    });
    assert!(ok, "the help's title in Korean:\n{help}");
    for row in rows {
        assert!(help.contains(row), "{row:?} in the help:\n{help}");
    }
    // ↓ scrolls to the legend, in Korean.
    for _ in 0..20 {
        tmux(&["send-keys", "-t", name, "Down"]);
    }
    let (ok, legend) = wait_for(name, 5, |s| s.contains("연결 요청 큐 1 / backlog 5"));
    assert!(ok, "the legend in Korean:\n{legend}");
    assert!(!legend.contains("keys ·"), "{legend}");
    tmux(&["send-keys", "-t", name, "Escape"]);
    tmux(&["send-keys", "-t", name, "q"]);
    let (ok, after) = wait_for(name, 10, |s| s.contains("EXITED:0"));
    assert!(ok, "q quits:\n{after}");
}

#[test]
fn lang_ko_shows_the_status_bar_and_the_help_in_korean_at_80x24() {
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let name = format!("sockviz-ko-{}", std::process::id());
    korean_lab(
        &name,
        &format!("LANG=C.UTF-8 {bin} --lang ko; echo EXITED:$?; sleep 30"),
    );
}

#[test]
fn lang_ko_kr_utf8_in_the_environment_chooses_korean() {
    let bin = env!("CARGO_BIN_EXE_sockviz");
    let name = format!("sockviz-ko-env-{}", std::process::id());
    korean_lab(
        &name,
        &format!("unset LC_ALL LC_MESSAGES; LANG=ko_KR.UTF-8 {bin}; echo EXITED:$?; sleep 30"),
    );
}
