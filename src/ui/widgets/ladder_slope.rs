//! Over a lab link (issue 12) a segment takes time to cross: its arrow leaves from its own row
//! and lands on its arrival's row ([`RowKind::Arrival`]), a line sloping down across the rows of
//! what happened meanwhile. Segments in flight together are drawn in flight together, as the
//! textbook draws a window of segments on a sequence diagram drawn to time. A segment still in
//! flight at the screen's moment reaches as far across the wire as the share of its one-way
//! delay that has passed, so real-time pacing grows it as time passes.
//!
//! Each row the arrow spans carries an equal part of the wire: a run of its phase's line
//! (`═ ─ ╌`) that steps down to the next row at `╲` (to the server) or `╱` (to the client),
//! the last run ending at its head. Its label rides on its departure row, inside the first run
//! when that is the longer room, else just past it, in cells no other arrow took. Segments
//! seen at one capture point only (a loopback, a file, a segment the link lost) keep their
//! one-row arrow ([`super::ladder_arrow`]).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use crate::tcp::Direction;
use crate::timeline::{EventKind, SegmentEvent, Side};
use crate::ui::app::App;

use super::ladder::Geometry;
use super::ladder_arrow::{arrow_look, segment_label};
use super::ladder_rows::{LadderRow, RowKind};
use super::put;
use crate::export::ladder::{slope_label, slope_runs};

/// One arrow across rows, its rows counted from the window's first (negative: above it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slope {
    /// The segment's event.
    pub event: usize,
    /// The departure row.
    pub from: i32,
    /// The row it has reached: its arrival's, or the newest row while still in flight.
    pub to: i32,
    /// Share of the wire crossed at `to` (1 once arrived).
    pub reach: f64,
}

impl Slope {
    pub fn arrived(&self) -> bool {
        self.reach >= 1.0
    }
}

/// The arrows that span rows among `rows` (a window starting at `rows[top]`, with rows of
/// context around it), in order of departure.
pub fn slopes(app: &App, rows: &[LadderRow], top: usize) -> Vec<Slope> {
    let events = app.events();
    let moment = app.playback.moment(&app.timeline);
    let rel = |k: usize| k as i32 - top as i32;
    let mut out: Vec<Slope> = Vec::new();
    for (k, r) in rows.iter().enumerate() {
        let Some(EventKind::Segment(s)) = events.get(r.event).map(|e| &e.kind) else {
            continue;
        };
        let Some(arrived) = s.arrived() else {
            continue;
        };
        match r.kind {
            RowKind::Event => {
                let landing = rows[k..]
                    .iter()
                    .position(|a| a.event == r.event && a.kind == RowKind::Arrival);
                let (to, reach) = match landing {
                    Some(d) => (rel(k + d), 1.0),
                    // Landed below the rows laid out (the window scrolled up).
                    None if arrived <= moment => (rel(rows.len()), 1.0),
                    None => {
                        let left = events[r.event].at.as_nanos();
                        let trip = (arrived.as_nanos() - left).max(1) as f64;
                        let gone = moment.as_nanos().saturating_sub(left) as f64;
                        (rel(rows.len() - 1), (gone / trip).clamp(0.0, 1.0 - 1e-9))
                    }
                };
                out.push(Slope {
                    event: r.event,
                    from: rel(k),
                    to,
                    reach,
                });
            }
            // Left above the rows laid out: drawn from just above them.
            RowKind::Arrival if !out.iter().any(|o| o.event == r.event) => out.push(Slope {
                event: r.event,
                from: -(top as i32) - 1,
                to: rel(k),
                reach: 1.0,
            }),
            _ => {}
        }
    }
    out.sort_by_key(|o| (o.from, o.event));
    out
}

/// The lifeline a segment lands on.
pub fn receiver(s: &SegmentEvent) -> Side {
    match s.dir {
        Direction::ToServer => Side::Server,
        Direction::ToClient => Side::Client,
    }
}

/// Whether the segment of event `i` is drawn across rows (else on its own row).
pub fn spans_rows(app: &App, i: usize) -> bool {
    matches!(app.events().get(i).map(|e| &e.kind), Some(EventKind::Segment(s)) if s.arrived().is_some())
}

/// Draw `slopes` into the window's rows (`rows`, under the ladder's heading): lines first, then
/// labels where they fit. A note's rows and the band's (text across the ladder) are left to
/// their text: the lines pass behind them.
pub fn draw(
    app: &App,
    slopes: &[Slope],
    g: Geometry,
    area: Rect,
    rows: &[LadderRow],
    buf: &mut Buffer,
) {
    let height = rows.len();
    let a = g.lx + 1;
    let b = g.rx.saturating_sub(1);
    if b <= a || height == 0 {
        return;
    }
    let width = (b - a + 1) as usize;
    // Cells taken on each row, counted from the client's side.
    let mut taken = vec![vec![false; width]; height];
    let events = app.events();
    let text_row: Vec<bool> = rows
        .iter()
        .map(|r| {
            matches!(r.kind, RowKind::Band(_))
                || matches!(
                    events.get(r.event).map(|e| &e.kind),
                    Some(EventKind::Note(_))
                )
        })
        .collect();
    let focus = app.focus();
    // Each visible departure row: (event, row, cells of its first run).
    let mut firsts: Vec<(usize, usize, usize)> = Vec::new();
    for sl in slopes {
        let Some(EventKind::Segment(s)) = events.get(sl.event).map(|e| &e.kind) else {
            continue;
        };
        let (style, line, right_head, left_head) =
            arrow_look(app, sl.event, s, focus == Some(sl.event));
        let to_server = s.dir == Direction::ToServer;
        let (step, head) = if to_server {
            ("╲", right_head)
        } else {
            ("╱", left_head)
        };
        let len = ((width as f64 * sl.reach).round() as usize).clamp(1, width);
        let n = (sl.to - sl.from + 1).max(1) as usize;
        for (j, cells) in slope_runs(len, n).enumerate() {
            let r = sl.from + j as i32;
            if r < 0 || r as usize >= height {
                continue;
            }
            let last = j + 1 == n;
            let end = cells.end - 1;
            if text_row[r as usize] {
                continue;
            }
            if j == 0 {
                firsts.push((sl.event, r as usize, cells.end));
            }
            for p in cells {
                let glyph = match (p == end, last) {
                    (true, true) => head,
                    (true, false) => step,
                    _ => line,
                };
                let col = if to_server { p } else { width - 1 - p };
                let y = area.y + 1 + r as u16;
                put(buf, a + col as u16, y, glyph, 1, style);
                taken[r as usize][col] = true;
            }
        }
    }
    for (event, r, run) in firsts {
        let Some(EventKind::Segment(s)) = events.get(event).map(|e| &e.kind) else {
            continue;
        };
        let (style, ..) = arrow_look(app, event, s, focus == Some(event));
        let row = &mut taken[r];
        let y = area.y + 1 + r as u16;
        let to_server = s.dir == Direction::ToServer;
        let col = |p: usize| if to_server { p } else { width - 1 - p };
        let Some((start, text)) =
            slope_label(run, width, |p| !row[col(p)], |room| segment_label(s, room))
        else {
            continue;
        };
        let w = text.width();
        let first = if to_server { start } else { width - start - w };
        put(buf, a + first as u16, y, &text, w as u16, style);
        for c in row.iter_mut().skip(first).take(w) {
            *c = true;
        }
    }
}
