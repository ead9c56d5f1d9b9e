//! Text too long for one ladder row, kept whole (issue 11): a note wrapped across the ladder's
//! width, and under a call whose lesson does not fit beside its lifeline (an error as Python
//! raises it, the option a `setsockopt` set, the `how` of a `shutdown`) that call as the
//! lecture's Python writes it. The row layout ([`super::ladder_rows`]) and the renderer ask
//! here, so they agree on how many rows an event takes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use crate::export::labels::{call_label_plain, python_error, python_line, wrap};
use crate::timeline::{Call, CallEvent, EventKind, Side};
use crate::ui::app::App;

use super::ladder::Geometry;
use super::ladder_rows::{LadderRow, RowKind};
use super::put;

/// Cells a call's label has beside its lifeline: left of the client's (one column kept free at
/// the screen's edge), right of the server's.
pub fn call_room(side: Side, g: Geometry, area: Rect) -> usize {
    if side == Side::Client {
        g.lx.saturating_sub(area.x + g.time_w.max(1) + 1) as usize
    } else {
        area.right().saturating_sub(g.rx + 2) as usize
    }
}

/// The band's first column and width: the whole ladder but its time column.
pub fn band(area: Rect, g: Geometry) -> (u16, usize) {
    let x = area.x + g.time_w;
    (x, area.right().saturating_sub(x + 1) as usize)
}

/// The text an event draws in the band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BandText {
    /// Nothing beyond the event's own row.
    None,
    /// A note that fits on its row between the lifelines: drawn there, as one line.
    Inline(String),
    /// A note's lines across the band, the first on the note's own row.
    Note(Vec<String>),
    /// Lines under a call's row.
    Under(Vec<String>),
}

impl BandText {
    /// Rows this event takes beyond its own.
    pub fn extra_rows(&self) -> usize {
        match self {
            BandText::None | BandText::Inline(_) => 0,
            BandText::Note(l) => l.len().saturating_sub(1),
            BandText::Under(l) => l.len(),
        }
    }

    /// The line for band row `k` (1-based beyond the event's own row).
    pub fn line(&self, k: usize) -> Option<&str> {
        match self {
            BandText::Note(l) => l.get(k).map(String::as_str),
            BandText::Under(l) => l.get(k.checked_sub(1)?).map(String::as_str),
            _ => None,
        }
    }
}

/// `· text` wrapped to `width`, continuation lines indented under the text.
fn wrapped(mark: &str, text: &str, width: usize) -> Vec<String> {
    wrap(text, width.saturating_sub(2))
        .into_iter()
        .enumerate()
        .map(|(k, l)| format!("{}{l}", if k == 0 { mark } else { "  " }))
        .collect()
}

/// Whether a call's argument is its lesson (`SO_LINGER (1, 0)`, `SHUT_WR`): its label must show
/// it, on the row or under it.
fn argument_is_lesson(c: &CallEvent) -> bool {
    matches!(c.call, Call::SetSockOpt(_) | Call::Shutdown(_))
}

/// The call without its error: the row's label; the error goes under it.
pub fn without_error(c: &CallEvent) -> CallEvent {
    CallEvent {
        errno: None,
        ..c.clone()
    }
}

/// Whether a call's row shows its whole lesson label (else it shows the short one and the
/// band under it the Python line).
pub fn lesson_fits(c: &CallEvent, g: Geometry, area: Rect) -> bool {
    !argument_is_lesson(c)
        || call_label_plain(&without_error(c)).width() <= call_room(c.side, g, area)
}

/// What `kind` draws in the band of a ladder drawn in `area`.
pub fn band_text(kind: &EventKind, area: Rect, g: Geometry) -> BandText {
    let (_, width) = band(area, g);
    match kind {
        EventKind::Note(text) => {
            let inline = format!("· {text}");
            let room = area.right().saturating_sub(g.lx + 3) as usize;
            if inline.width() <= room && !inline.chars().any(char::is_control) {
                BandText::Inline(inline)
            } else {
                BandText::Note(wrapped("· ", text, width))
            }
        }
        EventKind::Call(c) if c.errno.is_some() || argument_is_lesson(c) => {
            let mut lines = Vec::new();
            if !lesson_fits(c, g, area) {
                lines.extend(wrapped("└ ", &python_line(&without_error(c)), width));
            }
            if let Some(e) = c.errno {
                lines.extend(wrapped(
                    "✗ ",
                    &format!("{} ({})", python_error(e), e.name),
                    width,
                ));
            }
            if lines.is_empty() {
                BandText::None
            } else {
                BandText::Under(lines)
            }
        }
        _ => BandText::None,
    }
}

/// Draw row `row` of `rows` if it belongs to the band: a note's wrapped lines, the lines under
/// a call, or (when the event's own row scrolled off the top) bare lifelines rather than half a
/// sentence. Returns the event's band text and whether the row was drawn here.
pub fn draw_row(
    app: &App,
    rows: &[LadderRow],
    row: usize,
    g: Geometry,
    area: Rect,
    y: u16,
    buf: &mut Buffer,
) -> (BandText, bool) {
    let t = &app.theme;
    let r = rows[row];
    let i = r.event;
    let Some(ev) = app.events().get(i) else {
        return (BandText::None, false);
    };
    let band = match (r.kind, &ev.kind) {
        (RowKind::Band(_), _) | (RowKind::Event, EventKind::Note(_)) => {
            band_text(&ev.kind, area, g)
        }
        _ => BandText::None,
    };
    let line = match (r.kind, &band) {
        (RowKind::Band(k), _) => band.line(k as usize),
        (RowKind::Event, BandText::Note(lines)) => lines.first().map(String::as_str),
        _ => None,
    };
    if let RowKind::Band(_) = r.kind
        && !rows[..row]
            .iter()
            .any(|p| p.event == i && p.kind == RowKind::Event)
    {
        for x in [g.lx, g.rx] {
            put(buf, x, y, "│", 1, t.border);
        }
        return (band, true);
    }
    let Some(line) = line.filter(|_| r.kind != RowKind::Event || matches!(band, BandText::Note(_)))
    else {
        return (band, matches!(r.kind, RowKind::Band(_)));
    };
    let (x, width) = self::band(area, g);
    let style = match &ev.kind {
        EventKind::Call(c) if c.errno.is_some() && line.starts_with(['✗', ' ']) => t.error,
        EventKind::Call(_) => t.call,
        _ => t.note,
    };
    let style = if app.focus() == Some(i) {
        style.patch(t.selected)
    } else {
        style
    };
    put(buf, x, y, line, width as u16, style);
    (band, true)
}
