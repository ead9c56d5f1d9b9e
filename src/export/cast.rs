//! The replay as an asciicast v2 movie (docs.asciinema.org/manual/asciicast/v2): the real TUI
//! frames, rendered headless into a ratatui `Buffer` while the playback steps in lecture
//! pacing, written as ANSI output events, with a marker (`"m"`) at each milestone of the
//! connection so the player can jump between them.
//!
//! Only the cells that changed since the previous frame are written, as a terminal backend
//! would, so a lecture-length movie stays small.

use std::fmt::Write as _;
use std::io::{self, Write};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use serde_json::json;

use crate::open::Replay;
use crate::tcp::TcpState;
use crate::timeline::{EventKind, Timeline};
use crate::ui::Action;
/// The cast draws the real screens, in their theme.
pub use crate::ui::Theme;
use crate::ui::app::{App, LoadedReplay, Pacing, SourceLabel};

/// Seconds of movie per rendered frame (10 frames per second is smooth enough for arrows).
const FRAME_SECS: f64 = 0.1;
/// A movie never runs longer than this many frames (a big capture would be hours long).
const MAX_FRAMES: usize = 20_000;

/// The terminal the movie is played in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CastSize {
    pub width: u16,
    pub height: u16,
}

impl Default for CastSize {
    /// The size the screens are designed for, plus room: fits a projector's terminal.
    fn default() -> Self {
        CastSize {
            width: 120,
            height: 36,
        }
    }
}

/// The milestones a lecture pauses at, by event index: the first SYN, the first time both ends
/// are ESTABLISHED, the first data, the first FIN (or RST), and both ends closed.
pub fn milestones(tl: &Timeline) -> Vec<(usize, &'static str)> {
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    let mark = |i: usize, name: &'static str, found: &mut Vec<(usize, &'static str)>| {
        if !found.iter().any(|(_, n)| *n == name) {
            found.push((i, name));
        }
    };
    for (i, ev) in tl.events().iter().enumerate() {
        let EventKind::Segment(s) = &ev.kind else {
            continue;
        };
        if s.flags.syn() && !s.flags.ack() {
            mark(i, "SYN", &mut found);
        }
        if s.client_state == TcpState::Established && s.server_state == TcpState::Established {
            mark(i, "ESTABLISHED", &mut found);
        }
        if s.len > 0 {
            mark(i, crate::i18n::t("out.cast.first_data"), &mut found);
        }
        if s.flags.fin() {
            mark(i, "FIN", &mut found);
        }
        if s.flags.rst() {
            mark(i, "RST", &mut found);
        }
        let done = |st: TcpState| st == TcpState::Closed || st == TcpState::TimeWait;
        if (s.flags.fin() || s.flags.rst() || s.flags.ack())
            && found.iter().any(|(_, n)| *n == "FIN" || *n == "RST")
            && done(s.client_state)
            && done(s.server_state)
        {
            mark(i, "CLOSED", &mut found);
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found
}

fn sgr_color(c: Color, fg: bool, out: &mut String) {
    let base = if fg { 30 } else { 40 };
    let _ = match c {
        Color::Reset => write!(out, ";{}", base + 9),
        Color::Black => write!(out, ";{base}"),
        Color::Red => write!(out, ";{}", base + 1),
        Color::Green => write!(out, ";{}", base + 2),
        Color::Yellow => write!(out, ";{}", base + 3),
        Color::Blue => write!(out, ";{}", base + 4),
        Color::Magenta => write!(out, ";{}", base + 5),
        Color::Cyan => write!(out, ";{}", base + 6),
        Color::Gray => write!(out, ";{}", base + 7),
        Color::DarkGray => write!(out, ";{}", base + 60),
        Color::LightRed => write!(out, ";{}", base + 61),
        Color::LightGreen => write!(out, ";{}", base + 62),
        Color::LightYellow => write!(out, ";{}", base + 63),
        Color::LightBlue => write!(out, ";{}", base + 64),
        Color::LightMagenta => write!(out, ";{}", base + 65),
        Color::LightCyan => write!(out, ";{}", base + 66),
        Color::White => write!(out, ";{}", base + 67),
        Color::Indexed(n) => write!(out, ";{};5;{n}", base + 8),
        Color::Rgb(r, g, b) => write!(out, ";{};2;{r};{g};{b}", base + 8),
    };
}

/// The escape sequences that turn `prev` into `next` on a terminal (the whole screen when
/// `prev` is `None`).
pub fn ansi_diff(prev: Option<&Buffer>, next: &Buffer) -> String {
    let mut out = String::new();
    let mut last_style = None;
    let mut cursor: Option<(u16, u16)> = None;
    let changes: Vec<(u16, u16, &ratatui::buffer::Cell)> = match prev {
        Some(p) => p.diff(next),
        None => {
            out.push_str("\x1b[0m\x1b[2J");
            let area = next.area;
            (area.top()..area.bottom())
                .flat_map(|y| (area.left()..area.right()).map(move |x| (x, y)))
                .map(|(x, y)| (x, y, &next[(x, y)]))
                .filter(|(_, _, c)| !c.skip)
                .collect()
        }
    };
    for (x, y, cell) in changes {
        if cursor != Some((x, y)) {
            let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
        }
        let style = (cell.fg, cell.bg, cell.modifier);
        if last_style != Some(style) {
            let mut sgr = String::from("\x1b[0");
            if cell.modifier.contains(Modifier::BOLD) {
                sgr.push_str(";1");
            }
            if cell.modifier.contains(Modifier::DIM) {
                sgr.push_str(";2");
            }
            if cell.modifier.contains(Modifier::ITALIC) {
                sgr.push_str(";3");
            }
            if cell.modifier.contains(Modifier::UNDERLINED) {
                sgr.push_str(";4");
            }
            if cell.modifier.contains(Modifier::REVERSED) {
                sgr.push_str(";7");
            }
            sgr_color(cell.fg, true, &mut sgr);
            sgr_color(cell.bg, false, &mut sgr);
            sgr.push('m');
            out.push_str(&sgr);
            last_style = Some(style);
        }
        out.push_str(cell.symbol());
        let w = unicode_width::UnicodeWidthStr::width(cell.symbol()).max(1) as u16;
        cursor = Some((x + w, y));
    }
    if !out.is_empty() {
        out.push_str("\x1b[0m");
    }
    out
}

/// Play `replay` in lecture pacing through the real screens and write the movie.
pub fn write(
    out: &mut dyn Write,
    replay: &Replay,
    name: &str,
    title: &str,
    theme: Theme,
    size: CastSize,
) -> io::Result<()> {
    let marks = milestones(&replay.timeline);
    // The App owns its timeline: give it a copy of the events.
    let mut timeline = Timeline::new(replay.timeline.origin());
    for ev in replay.timeline.events() {
        timeline.push_event(ev.clone());
    }
    let loaded = LoadedReplay::prepare(Replay {
        timeline,
        sockets: replay.sockets.clone(),
        connections: replay.connections,
        conn: replay.conn,
        // A movie shows the replay, not a status line about the file.
        warnings: Vec::new(),
    });
    let mut app = App::new(
        Timeline::new(replay.timeline.origin()),
        SourceLabel::Loading {
            path: name.to_string(),
        },
        theme,
    );
    app.install_replay(loaded, name.to_string());
    app.playback.pacing = Pacing::Lecture;
    app.playback.playing = true;
    app.update(Action::Resize(size.width, size.height));

    let header = json!({
        "version": 2,
        "width": size.width,
        "height": size.height,
        "timestamp": replay.timeline.origin().as_nanos() / 1_000_000_000,
        "title": title,
        "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"},
    });
    writeln!(out, "{header}")?;
    let area = Rect::new(0, 0, size.width, size.height);
    let mut prev: Option<Buffer> = None;
    let mut next_mark = 0;
    let mut t = 0.0f64;
    for frame in 0..MAX_FRAMES {
        let mut buf = Buffer::empty(area);
        crate::ui::widgets::render(&app, area, &mut buf);
        let data = ansi_diff(prev.as_ref(), &buf);
        if !data.is_empty() {
            writeln!(out, "{}", json!([round(t), "o", data]))?;
        }
        // A milestone is marked once the event that reaches it has arrived on screen: the
        // arrow has finished crossing, or playback has moved past it.
        while let Some((i, name)) = marks.get(next_mark) {
            if app.playback.pos > *i + 1 || (app.playback.pos > *i && app.playback.progress >= 1.0)
            {
                writeln!(out, "{}", json!([round(t), "m", name]))?;
                next_mark += 1;
            } else {
                break;
            }
        }
        prev = Some(buf);
        if app.playback.pos >= app.len() && app.playback.progress >= 1.0 && frame > 0 {
            break;
        }
        app.update(Action::Tick(FRAME_SECS));
        t += FRAME_SECS;
    }
    // Hold the last frame a moment so the end is readable.
    writeln!(out, "{}", json!([round(t + 2.0), "o", ""]))?;
    out.flush()
}

/// Times with millisecond precision (asciinema's own files use microseconds; less is fine).
fn round(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}
