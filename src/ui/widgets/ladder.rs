//! The ladder: client lifeline on the left, server lifeline on the right, the wire between.
//!
//! One row per drawable event (socket call, segment, note) up to the playback position. Calls
//! stand on their side's lifeline; a lifeline is drawn heavy (`┃`) while that side is inside a
//! blocking call (lecture: "connect()가 return되기까지 RTT가 소요된다"). Each segment is an arrow
//! whose line and head say its phase even without colour: `═►` handshake, `─►` data, `╌►`
//! teardown, `━✕` reset; while playing, the newest arrow grows across the wire.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use crate::tcp::Direction;
use crate::timeline::playback::{Phase, segment_phase};
use crate::timeline::{CallEvent, EventKind, SegmentEvent, Side};
use crate::ui::app::App;
use crate::ui::layout;

use super::{fit, put};
pub use crate::export::labels::{call_label, call_label_plain, call_label_short, segment_label};

/// Column positions of one ladder drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub time_w: u16,
    /// Client lifeline column.
    pub lx: u16,
    /// Server lifeline column.
    pub rx: u16,
}

pub fn geometry(area: Rect) -> Geometry {
    let time_w = if area.width >= 90 { 9 } else { 0 };
    let side_w = match area.width {
        90.. => 20,
        75..90 => 17,
        _ => 14,
    };
    let lx = area.x + time_w + side_w;
    let rx = area.right().saturating_sub(side_w + 1).max(lx + 4);
    Geometry { time_w, lx, rx }
}

/// Visible-event positions `[start, end)` the ladder shows in `rows` rows.
pub fn window(app: &App, rows: usize) -> (usize, usize) {
    let shown = app.index.visible_before(app.playback.pos);
    let mut start = shown.saturating_sub(rows);
    if let Some(sel) = app.selected.filter(|&i| i < app.playback.pos) {
        let k = app.index.visible().partition_point(|&v| v < sel);
        if k < start {
            start = k;
        }
    }
    (start, (start + rows).min(shown))
}

/// The event drawn on screen row `row` (a mouse click), by the same layout the renderer uses.
pub fn event_at_row(app: &App, row: u16) -> Option<usize> {
    let area = layout::areas(Rect::new(0, 0, app.size.0, app.size.1))?.ladder;
    if row <= area.y || row >= area.bottom() {
        return None;
    }
    let rows = area.height.saturating_sub(1) as usize;
    let (start, end) = window(app, rows);
    let k = start + (row - area.y - 1) as usize;
    (k < end).then(|| app.index.visible()[k])
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height < 2 || area.width < 30 {
        return;
    }
    let t = &app.theme;
    let g = geometry(area);
    let sockets = app.index.sockets();
    let client = sockets
        .iter()
        .rev()
        .find(|s| s.side == Side::Client && s.born < app.playback.pos.max(1));
    let server = sockets
        .iter()
        .rev()
        .find(|s| s.side != Side::Client && s.born < app.playback.pos.max(1) && s.local.is_some());
    let name = |label: &str, addr: Option<std::net::SocketAddr>| match addr {
        Some(a) => format!("{label} {a}"),
        None => label.to_string(),
    };
    let left = name("client", client.and_then(|c| c.local));
    let right = name("server", server.and_then(|s| s.local));
    let lw = (g.lx - area.x + 1) as usize;
    let left = fit(&left, lw.max(8) + 8);
    put(buf, area.x, area.y, &left, area.width / 2, t.title);
    let rw = right.width() as u16;
    let rstart = (g.rx + 1)
        .saturating_sub(rw / 2)
        .min(area.right().saturating_sub(rw));
    put(
        buf,
        rstart.max(area.x + area.width / 2),
        area.y,
        &right,
        area.right() - rstart.max(area.x + area.width / 2),
        t.title,
    );

    let rows = area.height as usize - 1;
    let (start, end) = window(app, rows);
    let vis = &app.index.visible()[start..end];
    let events = app.events();
    let focus = app.focus();
    let newest = app.playback.pos.checked_sub(1);

    // Calls that may be blocking during the window: those drawn, and those returning later
    // (bounded look-ahead so drawing cost does not grow with the timeline).
    let first = vis.first().copied().unwrap_or(0);
    let last = vis.last().copied().unwrap_or(0);
    let now = newest.and_then(|i| events.get(i)).map(|e| e.at);
    let mut blocking: Vec<(Side, i64, i64)> = Vec::new();
    for ev in events
        .iter()
        .take((last + 4096).min(events.len()))
        .skip(first)
    {
        if let EventKind::Call(c) = &ev.kind
            && c.returned > c.started
            && c.call.may_block()
            && now.is_some_and(|n| c.started <= n)
        {
            let side = if c.side == Side::Client {
                Side::Client
            } else {
                Side::Server
            };
            blocking.push((side, c.started.as_nanos(), c.returned.as_nanos()));
        }
    }
    let blocked = |side: Side, at: i64| {
        blocking
            .iter()
            .any(|&(s, a, b)| s == side && a <= at && at < b)
    };

    for (row, &i) in vis.iter().enumerate() {
        let y = area.y + 1 + row as u16;
        let ev = &events[i];
        let at = ev.at.as_nanos();
        let selected = focus == Some(i);
        if g.time_w > 0 {
            let ms = app.timeline.secs(ev.at) * 1000.0;
            put(buf, area.x, y, &format!("{ms:>8.3}"), g.time_w, t.dim);
        }
        for (side, x) in [(Side::Client, g.lx), (Side::Server, g.rx)] {
            let (sym, style) = if blocked(side, at) {
                ("┃", t.call_blocked)
            } else {
                ("│", t.border)
            };
            put(buf, x, y, sym, 1, style);
        }
        match &ev.kind {
            EventKind::Segment(s) => {
                let progress = if Some(i) == newest && app.playback.playing {
                    app.playback.progress
                } else {
                    1.0
                };
                draw_arrow(app, i, s, g, y, progress, selected, buf);
            }
            EventKind::Call(c) => draw_call(app, c, g, area, y, selected, buf),
            EventKind::Note(text) => {
                let w = area.right().saturating_sub(g.lx + 2);
                let text = fit(&format!("· {text}"), w as usize);
                let style = if selected { t.selected } else { t.note };
                put(buf, g.lx + 2, y, &text, w.saturating_sub(1), style);
            }
            EventKind::Probe(_) => {}
        }
    }
}

fn phase_glyphs(p: Phase) -> (&'static str, &'static str, &'static str) {
    // (line, head →, head ←)
    match p {
        Phase::Handshake => ("═", "►", "◄"),
        Phase::Data => ("─", "►", "◄"),
        Phase::Teardown => ("╌", "►", "◄"),
        Phase::Reset => ("━", "✕", "✕"),
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_arrow(
    app: &App,
    i: usize,
    s: &SegmentEvent,
    g: Geometry,
    y: u16,
    progress: f64,
    selected: bool,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    // The index knows the connection's phase (a bare ACK continues the handshake or the close).
    let phase = app
        .index
        .phase_at(i)
        .unwrap_or_else(|| segment_phase(s, None));
    let style = if selected {
        t.phase(phase).patch(t.selected)
    } else {
        t.phase(phase)
    };
    let (line, right_head, left_head) = phase_glyphs(phase);
    let a = g.lx + 1;
    let b = g.rx.saturating_sub(1);
    if b <= a {
        return;
    }
    let len = (b - a + 1) as usize;
    let n = ((len as f64 * progress.clamp(0.0, 1.0)).ceil() as usize).clamp(1, len);
    let to_server = s.dir == Direction::ToServer;
    let cells: Vec<u16> = if to_server {
        (a..a + n as u16).collect()
    } else {
        (b + 1 - n as u16..=b).collect()
    };
    for &x in &cells {
        put(buf, x, y, line, 1, style);
    }
    let head_x = if to_server {
        a + n as u16 - 1
    } else {
        b + 1 - n as u16
    };
    put(
        buf,
        head_x,
        y,
        if to_server { right_head } else { left_head },
        1,
        style,
    );
    // The label rides in the middle of the arrow, over the part already drawn.
    let label = format!(" {} ", segment_label(s, len.saturating_sub(4)));
    let lw = label.width() as u16;
    let lx = a + ((len as u16).saturating_sub(lw)) / 2;
    for (k, ch) in label.chars().enumerate() {
        let x = lx + k as u16;
        if cells.contains(&x) && x != head_x {
            let mut tmp = [0u8; 4];
            put(buf, x, y, ch.encode_utf8(&mut tmp), 1, style);
        }
    }
}

fn draw_call(
    app: &App,
    c: &CallEvent,
    g: Geometry,
    area: Rect,
    y: u16,
    selected: bool,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    let style = if c.errno.is_some() {
        t.error
    } else if c.blocked_secs() >= 0.001 {
        t.call_blocked
    } else {
        t.call
    };
    let style = if selected {
        style.patch(t.selected)
    } else {
        style
    };
    let client = c.side == Side::Client;
    let room = if client {
        (g.lx - area.x - g.time_w).saturating_sub(1) as usize
    } else {
        area.right().saturating_sub(g.rx + 2) as usize
    };
    let long = call_label(c);
    let text = if long.width() <= room {
        long
    } else {
        let plain = call_label_plain(c);
        if plain.width() <= room {
            plain
        } else {
            call_label_short(c)
        }
    };
    if client {
        let text = fit(&text, room);
        let w = text.width() as u16;
        put(buf, g.lx - w - 1, y, &text, w, style);
        put(buf, g.lx, y, "●", 1, style);
    } else {
        let text = fit(&text, room);
        put(buf, g.rx, y, "●", 1, style);
        put(buf, g.rx + 2, y, &text, room as u16, style);
    }
}
