//! Render functions: each takes the app (read-only) and a `Rect`, draws into the buffer and
//! returns. No I/O, no clock: the playback position and every choice are in [`App`].

pub mod bytes;
pub mod bytes_split;
pub mod call_log;
pub mod conn_tag;
pub mod help;
pub mod ladder;
pub mod ladder_arrow;
pub mod ladder_band;
pub mod ladder_rows;
pub mod ladder_slope;
pub mod panel_pages;
pub mod picker;
pub mod quiz;
pub mod scrubber;
pub mod socket_panel;
pub mod stream_map;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Widget};
use unicode_width::UnicodeWidthStr;

use super::action::Pane;
use super::app::{App, Pacing, SourceLabel};
use super::keymap::{self, Mode};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::theme::Theme;

/// Draw the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    render(app, area, frame.buffer_mut());
}

/// Draw the whole screen into `buf` (what tests and the benchmark call).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    // The projector theme's own background under every cell (a no-op for the others).
    buf.set_style(area, app.theme.screen);
    let Some(a) = layout::areas(area) else {
        too_small(area, buf);
        return;
    };
    header(app, a.header, buf);
    ladder::render(app, a.ladder, buf);
    socket_panel::render(app, a.panels, buf);
    scrubber::render(app, a.scrubber, buf);
    match app.pane {
        Pane::Bytes => bytes::render(app, a.bottom, buf),
        Pane::CallLog => call_log::render(app, a.bottom, buf),
        Pane::StreamMap => stream_map::render(app, a.bottom, buf),
    }
    status(app, a.status, buf);
    match app.mode {
        Mode::Help => help::render(app, area, buf),
        Mode::Input => help::render_input(app, area, buf),
        Mode::Picker => help::render_picker(app, area, buf),
        Mode::Quiz => quiz::render_question(app, area, buf),
        Mode::QuizScore => quiz::render_score(app, area, buf),
        // The connection picker is a screen of its own (`picker_screen.rs`).
        Mode::Normal | Mode::Connections | Mode::Filter => {}
    }
}

/// Put `text` at (x, y), clipped to `max` cells; returns the cells used.
pub fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, max: u16, style: Style) -> u16 {
    if max == 0 {
        return 0;
    }
    if let Some(used) = put_plain(buf, x, y, text, max, style) {
        return used;
    }
    // Text from a file or a traced program shows its control characters (`␛`), never obeys them.
    let text = crate::text::visible(text);
    let (end, _) = buf.set_stringn(x, y, text.as_ref(), max as usize, style);
    end.saturating_sub(x)
}

/// [`put`] for text whose every character is one cell on its own (printable ASCII, the
/// ladder's and the stream map's box drawing, blocks, arrows and shapes): cell by cell, without
/// the grapheme segmentation and width tables `set_stringn` goes through. Most of a frame is
/// such text, so this keeps drawing cheap. `None`: use the general path.
fn put_plain(buf: &mut Buffer, x: u16, y: u16, text: &str, max: u16, style: Style) -> Option<u16> {
    let area = buf.area;
    if y < area.top() || y >= area.bottom() || x < area.left() || !text.chars().all(one_cell) {
        return None;
    }
    let room = area.right().saturating_sub(x).min(max);
    let mut used = 0;
    for c in text.chars().take(room as usize) {
        buf[(x + used, y)].set_char(c).set_style(style);
        used += 1;
    }
    Some(used)
}

/// A character a terminal shows in exactly one cell, never combining with its neighbours and
/// never a control (so [`crate::text::visible`] leaves it as it is).
fn one_cell(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '·' | '…' | '✕'
        | '\u{2190}'..='\u{21FF}' // arrows
        | '\u{2500}'..='\u{259F}' // box drawing, block elements
        | '\u{25A0}'..='\u{25FC}' // geometric shapes (◽ ◾ U+25FD, U+25FE are wide)
    )
}

/// `text` cut to `max` cells with a trailing `…` when cut (Korean counts two cells a syllable).
/// Draw a bottom pane's frame (a rule with its title) and return the area inside it.
pub fn pane(area: Rect, buf: &mut Buffer, theme: &Theme, title: String) -> Rect {
    Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(crate::text::visible(&title).into_owned())
        .title_style(theme.title)
        .render(area, buf);
    Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(1),
    )
}

pub use crate::export::labels::fit;

fn too_small(area: Rect, buf: &mut Buffer) {
    let lines = [
        format!("sockviz needs at least {MIN_WIDTH}×{MIN_HEIGHT} cells;"),
        format!("this terminal is {}×{}.", area.width, area.height),
        "Enlarge the window, or press q to quit.".to_string(),
    ];
    for (k, line) in lines.iter().enumerate() {
        let y = area.y + k as u16;
        if y < area.bottom() {
            put(buf, area.x, y, line, area.width, Style::default());
        }
    }
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    buf.set_style(area, t.status);
    let what = match &app.source {
        // A lesson says where it is and how to go on, whatever the status line says.
        SourceLabel::Lab { scenario, .. } if app.lesson.is_some() => {
            let section = app
                .lesson
                .as_ref()
                .and_then(|l| l.section.as_ref().map(|(n, t)| (n, t, l.sections_total())))
                .map(|(n, t, of)| format!(" · §{n}/{of} {t}"))
                .unwrap_or_default();
            let next = if app.lesson.as_ref().is_some_and(|l| l.over) {
                "the lesson is over"
            } else {
                "Enter: next step"
            };
            format!(" sockviz · lesson · {next} · scenario {scenario}{section}")
        }
        SourceLabel::Lab { scenario, capture } => {
            format!(" sockviz · lab · scenario {scenario} · capture {capture}")
        }
        SourceLabel::Replay {
            path,
            conn,
            connections,
        } if app.inferred() => {
            let conn = conn.unwrap_or(0);
            format!(" sockviz · replay {path} · connection {conn} of {connections} (wire only)")
        }
        SourceLabel::Replay {
            path,
            conn,
            connections,
        } => match conn {
            Some(n) if *connections > 1 => format!(
                " sockviz · replay {path} · sockviz recording, connection {n} of {connections} (calls, probes, wire)"
            ),
            None if *connections > 1 => format!(
                " sockviz · replay {path} · sockviz recording, all {connections} connections (calls, probes, wire)"
            ),
            _ => format!(" sockviz · replay {path} · sockviz recording (calls, probes, wire)"),
        },
        SourceLabel::Loading { path } => match app.loading.as_ref().and_then(|l| l.percent()) {
            Some(p) => format!(" sockviz · loading {path} … {p}%"),
            None => format!(" sockviz · loading {path} …"),
        },
        SourceLabel::Failed { message } => format!(" sockviz · {message}"),
    };
    // A traced program (`sockviz run`) is live too, without the lab's keys.
    let live = app.lab.attached || matches!(app.source, SourceLabel::Lab { .. });
    let mode = if live { "LIVE" } else { "REPLAY" };
    let play = if app.playback.playing { "▶" } else { "⏸" };
    // Real time shows its clock, moving while it waits for the next event (a blocked call can
    // leave 20 s between two rows).
    let pacing = match app.playback.pacing {
        Pacing::Lecture => "lecture".to_string(),
        Pacing::RealTime => format!("real time {:.3} ms", app.clock_secs() * 1000.0),
    };
    let right = format!(
        " {mode} {play} {pacing} ×{} ",
        speed_text(app.playback.speed)
    );
    let w = right.width() as u16;
    let room = area.width.saturating_sub(w);
    put(
        buf,
        area.x,
        area.y,
        &fit(&what, room as usize),
        room,
        t.status,
    );
    put(
        buf,
        area.right().saturating_sub(w),
        area.y,
        &right,
        w,
        t.status,
    );
}

/// `1`, `2`, `0.5`, `1/64`.
pub fn speed_text(s: f64) -> String {
    if s >= 0.125 {
        format!("{s}")
    } else {
        format!("1/{}", (1.0 / s).round())
    }
}

fn status(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    buf.set_style(area, t.status);
    let mut used = 0;
    if app.lab.recording.is_some() {
        // Red on any theme's status bar: a lecturer must see at a glance that it records.
        let rec = t.status.patch(t.recording).add_modifier(Modifier::BOLD);
        used = put(buf, area.x, area.y, " ● REC", area.width, rec);
    }
    // Drawn rows (calls, segments, notes) of the scenario on screen; the scrubber's `event`
    // counts probes too.
    let (played, all) = app.steps();
    let mut left = format!(" step {played}/{all}");
    let queued = app.queued();
    if app.lab.attached && !app.playback.playing && queued > 0 {
        left.push_str(&format!(" (+{queued} queued)"));
    }
    if let Some(m) = &app.message {
        left.push_str(" · ");
        left.push_str(m);
    }
    left.push_str("  ");
    // `? help` (and `q quit`) keep their place at the right end at any width: the other hints
    // and the message give way first.
    let hints = keymap::hints(app.mode, app.lab.attached);
    let (head, tail) = match hints.find("? help") {
        Some(k) => (&hints[..k], format!("{} ", &hints[k..])),
        None => (hints, String::new()),
    };
    let tw = tail.width() as u16;
    let room = area.width.saturating_sub(used + tw);
    used += put(
        buf,
        area.x + used,
        area.y,
        &fit(&left, room as usize),
        room,
        t.status,
    );
    let room = area.width.saturating_sub(used + tw + 1);
    put(
        buf,
        area.x + used,
        area.y,
        &fit(head, room as usize),
        room,
        t.status,
    );
    put(
        buf,
        area.right().saturating_sub(tw),
        area.y,
        &tail,
        tw,
        t.status,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain path draws exactly what the general one does, clipping included.
    #[test]
    fn plain_text_is_drawn_as_set_stringn_draws_it() {
        use unicode_width::UnicodeWidthChar;
        let area = Rect::new(2, 1, 30, 3);
        let style = Style::default().add_modifier(Modifier::BOLD);
        for text in [
            "recv(1024) → 20",
            "┃══ SYN seq=0 ack=0 ══►┃",
            "▕░░▒▒▏ · … ✕ ◆ ● ◄ ►",
            "a line longer than the area is wide, clipped",
            "",
        ] {
            for (x, max) in [(2, 30), (5, 4), (20, 30), (31, 5)] {
                let mut fast = Buffer::empty(area);
                let mut slow = Buffer::empty(area);
                let used = put(&mut fast, x, 2, text, max, style);
                let (end, _) = slow.set_stringn(x, 2, text, max as usize, style);
                assert_eq!(fast, slow, "{text:?} at {x} max {max}");
                assert_eq!(used, end.saturating_sub(x), "{text:?} at {x} max {max}");
            }
        }
        // Every character the plain path takes is one cell wide.
        for c in (0u32..0x2800)
            .filter_map(char::from_u32)
            .filter(|&c| one_cell(c))
        {
            assert_eq!(c.width(), Some(1), "{c:?} U+{:04X}", c as u32);
        }
    }
}
