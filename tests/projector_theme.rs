//! The projector theme (`--theme contrast`) reads on a black and on a white screen: every cell
//! of every frame has the theme's own background, no cell is left to the terminal's default
//! colours or its palette (no named colour, no reverse video, no dim), and every character's ink
//! stands at least 4.5:1 (WCAG AA) against what is behind it, whichever background the terminal
//! has. Computed from the rendered TestBackend buffer of real lab traffic, every pane, the help.

mod ui_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use sockviz::ui::action::{Action, Pane};
use sockviz::ui::app::App;
use sockviz::ui::theme::{Theme, ThemeName};
use sockviz::ui::widgets;

/// xterm's 256-colour table (16-255); named colours (0-15) are the palette's to choose.
fn xterm_rgb(i: u8) -> Option<(u8, u8, u8)> {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        0..=15 => None,
        16..=231 => {
            let k = i - 16;
            Some((
                LEVELS[(k / 36) as usize],
                LEVELS[(k / 6 % 6) as usize],
                LEVELS[(k % 6) as usize],
            ))
        }
        232..=255 => {
            let g = 8 + 10 * (i - 232);
            Some((g, g, g))
        }
    }
}

/// WCAG 2 relative luminance.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A terminal: its default ink and background.
#[derive(Debug, Clone, Copy)]
struct Terminal {
    name: &'static str,
    fg: (u8, u8, u8),
    bg: (u8, u8, u8),
}

const DARK: Terminal = Terminal {
    name: "black terminal",
    fg: (229, 229, 229),
    bg: (0, 0, 0),
};
const LIGHT: Terminal = Terminal {
    name: "white terminal",
    fg: (0, 0, 0),
    bg: (255, 255, 255),
};

/// The colour a cell's `c` resolves to on `term` (`None`: a palette colour, which differs
/// between terminals).
fn resolve(c: Color, default: (u8, u8, u8)) -> Option<(u8, u8, u8)> {
    match c {
        Color::Reset => Some(default),
        Color::Rgb(r, g, b) => Some((r, g, b)),
        Color::Indexed(i) => xterm_rgb(i),
        _ => None,
    }
}

/// Every problem with `buf` drawn in the projector theme, as sentences.
fn problems(buf: &Buffer, what: &str) -> Vec<String> {
    let mut out = Vec::new();
    let area = buf.area;
    for y in 0..area.height {
        let mut covered = 0;
        for x in 0..area.width {
            let cell = &buf[(x, y)];
            // The cell after a wide character (Korean) is drawn by that character's glyph.
            if covered > 0 {
                covered -= 1;
                continue;
            }
            covered = unicode_width::UnicodeWidthStr::width(cell.symbol()).saturating_sub(1);
            let at = format!("{what} ({x},{y}) {:?}", cell.symbol());
            if cell.bg == Color::Reset {
                out.push(format!("{at}: the terminal's own background shows"));
                continue;
            }
            if cell.modifier.intersects(Modifier::REVERSED | Modifier::DIM) {
                out.push(format!("{at}: {:?}", cell.modifier));
            }
            if cell.symbol().trim().is_empty() {
                continue;
            }
            for term in [DARK, LIGHT] {
                let (Some(fg), Some(bg)) = (resolve(cell.fg, term.fg), resolve(cell.bg, term.bg))
                else {
                    out.push(format!(
                        "{at}: palette colour {:?} on {:?}",
                        cell.fg, cell.bg
                    ));
                    break;
                };
                let ratio = contrast(fg, bg);
                if ratio < 4.5 {
                    out.push(format!(
                        "{at} on a {}: {:?} on {:?} is {ratio:.2}:1",
                        term.name, cell.fg, cell.bg
                    ));
                }
            }
        }
    }
    out
}

fn draw(app: &App) -> Buffer {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut buf = Buffer::empty(area);
    widgets::render(app, area, &mut buf);
    buf
}

/// The frames a lecture shows: every pane, mid-handshake, mid-data and at the end, the help,
/// at the three sizes the issue was tried at.
fn frames(events: &[sockviz::timeline::Event], theme: Theme) -> Vec<(String, Buffer)> {
    let mut out = Vec::new();
    for (w, h) in [(80, 24), (120, 40), (200, 50)] {
        let mut tl = sockviz::timeline::Timeline::new(sockviz::capture::Timestamp(0));
        for e in events {
            tl.push_event(e.clone());
        }
        let mut app = ui_support::lab_app(tl, w, h);
        app.theme = theme;
        let n = app.len();
        for pos in [n / 4, n / 2, n] {
            for pane in [Pane::Bytes, Pane::CallLog, Pane::StreamMap] {
                app.playback.pos = pos;
                app.pane = pane;
                out.push((format!("{w}x{h} event {pos} {pane:?}"), draw(&app)));
            }
        }
        app.update(Action::ToggleHelp);
        out.push((format!("{w}x{h} help"), draw(&app)));
    }
    out
}

#[test]
fn the_projector_theme_reads_on_a_black_and_on_a_white_terminal() {
    let theme = Theme::new(ThemeName::Contrast);
    for scenario in ["echo", "segments", "reset"] {
        let tl = ui_support::lab_timeline(scenario);
        let frames = frames(tl.events(), theme);
        assert!(frames.len() >= 30);
        for (what, buf) in &frames {
            let found = problems(buf, &format!("{scenario} {what}"));
            assert!(
                found.is_empty(),
                "{} problems, first: {:#?}\n{}",
                found.len(),
                &found[..found.len().min(8)],
                ui_support::screen(buf)
            );
        }
    }
}

#[test]
fn the_old_contrast_theme_would_fail_this_check_so_it_can_catch_a_regression() {
    // The dark theme (named colours on the terminal's background) is what the check exists to
    // catch: on it, cells show the terminal's own background.
    let tl = ui_support::lab_timeline("echo");
    let mut app = ui_support::lab_app(tl, 120, 40);
    app.theme = Theme::new(ThemeName::Dark);
    app.playback.pos = app.len();
    assert!(!problems(&draw(&app), "dark").is_empty());
}

#[test]
fn contrast_arithmetic_matches_wcag() {
    assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
    assert_eq!(xterm_rgb(16), Some((0, 0, 0)));
    assert_eq!(xterm_rgb(231), Some((255, 255, 255)));
    assert_eq!(xterm_rgb(226), Some((255, 255, 0)));
    assert_eq!(xterm_rgb(250), Some((188, 188, 188)));
    // Yellow on white, what the old theme drew on a white screen: unreadable.
    assert!(contrast((255, 255, 0), (255, 255, 255)) < 1.1);
}

#[test]
fn the_connection_picker_reads_on_both_terminals_too() {
    use sockviz::ui::picker::reports;
    use sockviz::ui::picker_screen::{Offer, offer};

    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("projector_theme");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("backlog.pcapng");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sockviz"))
        .args(["lab", "--scenario", "backlog", "--headless", "--force"])
        .arg("--record")
        .arg(&file)
        .output()
        .expect("run sockviz lab");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scanned = sockviz::open::scan(&file, |_| {}).expect("the recording reads");
    let Offer::Pick(picker) = offer("backlog.pcapng".into(), true, &reports(&scanned)) else {
        panic!("several connections open the picker");
    };
    for (w, h) in [(80, 24), (120, 40)] {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        widgets::picker::render(&picker, &Theme::new(ThemeName::Contrast), area, &mut buf);
        let found = problems(&buf, &format!("picker {w}x{h}"));
        assert!(
            found.is_empty(),
            "{:#?}\n{}",
            &found[..found.len().min(8)],
            ui_support::screen(&buf)
        );
    }
}
