//! Issue 11 item 5, discoverability, on screens rendered through a `TestBackend` from the real
//! lab's echo: `? help` in the status bar at 80×24, the help's legend whole at 120 and 200
//! columns and scrollable at 80×24, what the panels' figures and the two counters mean, the
//! panel column growing with the screen, real time's moving clock, the send prompt's Korean
//! and its Esc, and the CLI's help texts.

mod ui_support;

use std::process::Command;
use std::sync::OnceLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use sockviz::timeline::{Event, Timeline};
use sockviz::ui::action::{Action, Effect};
use sockviz::ui::app::{App, Pacing};
use sockviz::ui::keymap::Mode;
use sockviz::ui::{layout, widgets};

use ui_support::{lab_app, lab_timeline, rows};

fn echo() -> Timeline {
    static T: OnceLock<Vec<Event>> = OnceLock::new();
    let mut tl = Timeline::new(sockviz::capture::Timestamp(0));
    for e in T.get_or_init(|| lab_timeline("echo").events().to_vec()) {
        tl.push_event(e.clone());
    }
    tl
}

fn draw(app: &App) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("backend");
    term.draw(|f| widgets::draw(f, app)).expect("draws");
    term.backend().buffer().clone()
}

fn screen(app: &App) -> Vec<String> {
    rows(&draw(app))
}

#[test]
fn the_status_bar_keeps_help_at_every_width_and_says_what_it_counts() {
    for (w, h) in [(80, 24), (120, 40), (200, 50)] {
        for attached in [true, false] {
            let mut app = lab_app(echo(), w, h);
            app.lab.attached = attached;
            app.playback.pos = app.len() / 2;
            app.message = Some("a long message that the status bar has no room for".into());
            let s = screen(&app);
            let status = s.last().expect("a status row");
            assert!(
                status.trim_end().ends_with("? help  q quit"),
                "{w}×{h}: {status:?}"
            );
            let (played, all) = app.steps();
            assert!(
                status.contains(&format!(" step {played}/{all}")),
                "{status:?}"
            );
        }
    }
    // The scrubber's counter counts every event and says so when the probes make it differ.
    let mut app = lab_app(echo(), 120, 40);
    app.playback.pos = app.len();
    let n = app.len();
    assert!(app.steps().1 < n, "echo has probes");
    let text = screen(&app).join("\n");
    assert!(
        text.contains(&format!("event {n}/{n} (with probes)")),
        "{text}"
    );
}

/// Every line of the legend, as wrapped for the overlay's width, is on screen whole at 120 and
/// 200 columns; at 80×24 ↓ scrolls to each of them, with every key on the first screen.
#[test]
fn the_help_legend_is_whole_and_explains_the_figures() {
    // The legend's lines are keys of the language files (English in this test binary).
    let legend: Vec<&str> = widgets::help::LEGEND
        .iter()
        .map(|k| sockviz::i18n::t(k))
        .collect();
    let joined = legend.join(" ");
    for want in [
        "0+0 of 69120",
        "unsent",
        "unacked",
        "queue 1 of backlog 5",
        "step 29/29",
        "event 45/45",
        "SYN dropped",
        "c1 c2",
    ] {
        assert!(joined.contains(want), "the legend explains {want}");
    }
    for (w, h) in [(120, 40), (200, 50), (80, 24)] {
        let mut app = lab_app(echo(), w, h);
        app.update(Action::ToggleHelp);
        let mut seen = String::new();
        let mut last = String::new();
        for _ in 0..40 {
            let text = screen(&app).join("\n");
            seen.push_str(&text);
            if text == last {
                break;
            }
            last = text;
            app.update(Action::HelpDown);
        }
        let inner = (w.min(102) - 2 - 4) as usize;
        for line in &legend {
            for part in sockviz::export::labels::wrap(line, inner) {
                assert!(seen.contains(&part), "{w}×{h}: {part:?} whole on screen");
            }
        }
        assert!(!seen.contains("blocked in a c…"), "{seen}");
        // Every key's description whole, on the first screen too.
        for (_, help) in widgets::help::help_rows(true) {
            assert!(seen.contains(help), "{w}×{h}: {help:?} whole");
        }
        if w < 120 {
            assert!(app.help_scroll > 0, "80×24 scrolls to the legend");
            app.update(Action::HelpUp);
            assert_eq!(app.mode, Mode::Help, "↑ scrolls, it does not close");
        }
    }
}

/// At 200 columns the panel column is wider than at 120 and its lines are whole.
#[test]
fn the_panel_column_grows_with_the_screen() {
    let wide = |w, h| {
        layout::areas(ratatui::layout::Rect::new(0, 0, w, h))
            .expect("fits")
            .panels
    };
    assert_eq!(wide(120, 40).width, 38);
    assert!(wide(200, 50).width >= 60, "{:?}", wide(200, 50));
    let mut app = lab_app(echo(), 200, 50);
    app.playback.pos = app.len();
    let buf = draw(&app);
    let p = wide(200, 50);
    for y in p.y..p.bottom() {
        let row: String = (p.x..p.right())
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        assert!(!row.contains('…'), "panel row {y} cut: {row:?}");
    }
    let text = rows(&buf).join("\n");
    assert!(
        text.contains("completed connections waiting for accept()"),
        "{text}"
    );
}

/// Real-time pacing waiting for a far event: the header's clock moves with every tick while
/// the position stays.
#[test]
fn real_time_pacing_shows_a_moving_clock() {
    let mut app = lab_app(echo(), 80, 24);
    app.playback.pos = 1;
    app.update(Action::TogglePacing);
    assert_eq!(app.playback.pacing, Pacing::RealTime);
    app.playback.playing = true;
    let header = |app: &App| screen(app)[0].clone();
    let clock = |h: &str| -> f64 {
        let at = h.find("real time ").expect("the clock") + "real time ".len();
        h[at..]
            .split(' ')
            .next()
            .and_then(|t| t.parse().ok())
            .expect("ms")
    };
    let first = clock(&header(&app));
    let pos = app.playback.pos;
    // 1 ms of wall time is 1 µs of loopback at speed 1: far from the next event.
    app.update(Action::Tick(0.001));
    let second = clock(&header(&app));
    assert!(second > first, "{first} → {second}");
    assert_eq!(app.playback.pos, pos);
}

/// The prompt shows long Korean text by whole syllables (two cells each), the end in view;
/// Esc drops what was typed, so a later Enter sends nothing hidden.
#[test]
fn the_send_prompt_shows_korean_whole_and_esc_drops_the_text() {
    let mut app = lab_app(echo(), 80, 24);
    app.update(Action::StartInput { all: false });
    let text = "대한민국 만세! ".repeat(8);
    for c in text.chars() {
        app.update(Action::InputChar(c));
    }
    let buf = draw(&app);
    let row = rows(&buf)
        .into_iter()
        .find(|r| r.contains('▏'))
        .expect("the prompt row");
    let shown: String = row
        .split('│')
        .nth(1)
        .unwrap_or(&row)
        .trim_end()
        .trim_end_matches('▏')
        .trim_start_matches("> ")
        .to_string();
    let shown = shown.trim_start();
    assert!(shown.chars().count() > 10, "{row:?}");
    assert!(
        format!("> {text}").ends_with(shown.trim_end())
            || text.trim_end().ends_with(shown.trim_end()),
        "{shown:?} is the end of the text"
    );
    // The end of the message and the cursor, whole: the text's last syllables right before ▏.
    let tail: String = text
        .trim_end()
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        row.contains(&format!("{tail} ▏")) || row.contains(&format!("{tail}▏")),
        "{row:?}"
    );
    // What is shown fits the prompt's 66 cells, cut at a whole syllable.
    let cells = unicode_width::UnicodeWidthStr::width(shown);
    assert!(cells <= 66, "{cells}: {shown:?}");
    app.update(Action::CloseOverlay);
    assert!(app.lab.input.is_empty(), "Esc drops the text");
    app.update(Action::StartInput { all: false });
    let effects = app.update(Action::InputSubmit);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Lab(_))),
        "Enter after Esc sends nothing: {effects:?}"
    );
}

#[test]
fn the_cli_help_names_ctrl_r_and_describes_client_arguments() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sockviz"))
            .args(args)
            .output()
            .expect("help");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let lab = help(&["lab", "--help"]);
    assert!(lab.contains("Ctrl-R also starts/stops recording"), "{lab}");
    assert!(!lab.contains(" R also"), "{lab}");
    let client = help(&["client", "--help"]);
    assert!(client.contains("<HOST>  The server's address"), "{client}");
    assert!(client.contains("<PORT>  The server's TCP port"), "{client}");
}
