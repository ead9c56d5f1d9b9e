//! Issue 11, item 3: labels show the argument that is the lesson. `setsockopt(SO_LINGER, (1, 0))`,
//! `setsockopt(TCP_NODELAY, 1)` and `shutdown(SHUT_WR)` on the ladder (on the call's row, or
//! whole under it when the row is too narrow) and in the txt/svg exports; one recv label form
//! (`recv(1024) → 20`, narrow `recv(1024)→20`) never reaching column 0; window probes named
//! `keep_alive` as the headless output names them; segments in a student's words at 80×24.

mod ui_support;

use std::process::Command;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockviz::capture::Timestamp;
use sockviz::tcp::Analysis;
use sockviz::timeline::{Call, EventKind, SockOpt, Timeline};
use sockviz::ui::app::{App, SourceLabel};
use sockviz::ui::theme::{Theme, ThemeName};
use sockviz::ui::widgets;

fn draw(app: &App) -> Vec<String> {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut buf = Buffer::empty(area);
    widgets::render(app, area, &mut buf);
    let ladder = sockviz::ui::layout::areas(area)
        .expect("80×24 or more")
        .ladder;
    ui_support::rows(&buf)
        .into_iter()
        .skip(ladder.y as usize)
        .take(ladder.height as usize)
        .map(|r| r.chars().take(ladder.width as usize).collect())
        .collect()
}

fn lab_app(scenario: &str, w: u16, h: u16) -> App {
    ui_support::lab_app(ui_support::lab_timeline(scenario), w, h)
}

fn replay_app(file: &str, w: u16, h: u16) -> App {
    let replay = sockviz::open::load(&ui_support::data(file), None).expect("capture loads");
    let mut app = App::new(
        Timeline::new(Timestamp(0)),
        SourceLabel::Loading { path: file.into() },
        Theme::new(ThemeName::Dark),
    );
    app.load_replay(replay, file.into());
    app.playback.playing = false;
    app.size = (w, h);
    app
}

/// Which call a case looks at.
type CallPick = dyn Fn(&Call) -> bool;

/// The ladder just after the first call `pick` chooses.
fn after_call(app: &mut App, pick: impl Fn(&Call) -> bool) -> Vec<String> {
    let i = app
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Call(c) if pick(&c.call)))
        .expect("the call");
    app.playback.pos = i + 1;
    draw(app)
}

#[test]
fn setsockopt_and_shutdown_show_their_argument_at_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let cases: [(&str, &CallPick, &str); 3] = [
            (
                "reset",
                &|c| matches!(c, Call::SetSockOpt(SockOpt::Linger(_))),
                "SO_LINGER, (1, 0))",
            ),
            (
                "coalesce",
                &|c| matches!(c, Call::SetSockOpt(SockOpt::NoDelay(true))),
                "TCP_NODELAY, 1)",
            ),
            (
                "half-close",
                &|c| matches!(c, Call::Shutdown(_)),
                "shutdown(socket.SHUT_WR)",
            ),
        ];
        for (scenario, pick, want) in cases {
            let mut app = lab_app(scenario, w, h);
            let rows = after_call(&mut app, pick);
            let screen = rows.join("\n");
            // On its row when it fits (`shutdown(SHUT_WR)`), else whole under it in Python.
            let shown = screen.contains(want)
                || (want.starts_with("shutdown") && screen.contains("shutdown(SHUT_WR) ●"));
            assert!(shown, "{scenario} {w}×{h}: no {want:?}\n{screen}");
            assert!(!screen.contains("setsockopt …"), "{screen}");
        }
    }
}

#[test]
fn recv_labels_have_one_form_and_never_reach_column_0() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = lab_app("segments", w, h);
        let n = app.len();
        let mut seen = 0;
        for pos in (1..=n).step_by(7).chain([n]) {
            app.playback.pos = pos;
            for row in draw(&app) {
                let Some(k) = row.find("recv") else { continue };
                let label = row[k..].split(" ●").next().unwrap_or("").trim_end();
                assert!(!label.starts_with("recv→"), "{label:?} in {row:?}");
                assert!(label.starts_with("recv("), "{label:?} in {row:?}");
                assert!(!row.starts_with("recv"), "column 0: {row:?}");
                seen += 1;
            }
        }
        assert!(seen > 50, "{seen} recv labels at {w}×{h}");
    }
}

#[test]
fn segments_read_in_a_students_words_at_80x24() {
    let mut app = replay_app("echo.pcap", 80, 24);
    app.playback.pos = app.len();
    let end = draw(&app).join("\n");
    app.playback.pos = 4;
    let start = draw(&app).join("\n");
    for want in [" SYN ", " SYN+ACK ", " ACK "] {
        assert!(start.contains(want), "{want:?}\n{start}");
    }
    for want in [" data 20 B ", " FIN "] {
        assert!(end.contains(want), "{want:?}\n{end}");
    }
    for screen in [&start, &end] {
        for code in [" S. ", " P. ", " F. ", "·0 w", " S 0:0"] {
            assert!(!screen.contains(code), "tcpdump code {code:?}\n{screen}");
        }
    }
}

#[test]
fn window_probes_are_named_keep_alive_as_headless_names_them() {
    let mut app = replay_app("slow_reader.pcap", 80, 24);
    let probe = app
        .events()
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Segment(s) if s.analysis.contains(Analysis::KEEP_ALIVE)))
        .expect("slow_reader.pcap has keep-alive probes");
    app.playback.pos = probe + 1;
    let screen = draw(&app).join("\n");
    assert!(screen.contains(" keep_alive "), "{screen}");
    // The same word in the headless output for that capture.
    let out = Command::new(env!("CARGO_BIN_EXE_sockviz"))
        .args(["replay", "--headless", "--json"])
        .arg(ui_support::data("slow_reader.pcap"))
        .output()
        .expect("run sockviz replay");
    assert!(String::from_utf8_lossy(&out.stdout).contains("keep_alive"));
}

#[test]
fn exports_show_the_argument_that_is_the_lesson() {
    let dir = std::env::temp_dir().join(format!("sockviz-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (scenario, want) in [
        ("reset", "setsockopt(SO_LINGER, (1, 0))"),
        ("coalesce", "setsockopt(TCP_NODELAY, 1)"),
        ("half-close", "shutdown(SHUT_WR)"),
    ] {
        let rec = dir.join(format!("{scenario}.pcapng"));
        let bin = env!("CARGO_BIN_EXE_sockviz");
        let ok = Command::new(bin)
            .args([
                "lab",
                "--scenario",
                scenario,
                "--headless",
                "--force",
                "--record",
            ])
            .arg(&rec)
            .output()
            .expect("run the lab");
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        for format in ["txt", "svg"] {
            let out = Command::new(bin)
                .arg("export")
                .arg(&rec)
                .args(["--format", format])
                .output()
                .expect("run export");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains(want),
                "{scenario} {format}: no {want:?}\n{text}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
