//! One segment as an arrow across the wire: its line and head say its phase even without
//! colour (`═►` handshake, `─►` data, `╌►` teardown, `━✕` reset); with several connections on
//! screen its connection's tag (`c2`) rides at the sender's end; a SYN the listener dropped
//! with its accept queue full stops short of the server's lifeline at `✕`, and says why beside it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

use crate::tcp::Direction;
use crate::timeline::SegmentEvent;
use crate::timeline::dropped::DroppedSyn;
use crate::timeline::playback::{Phase, segment_phase};
use crate::ui::app::App;

use super::conn_tag;
use super::ladder::Geometry;
use super::{fit, put};
pub use crate::export::labels::segment_label;

fn phase_glyphs(p: Phase) -> (&'static str, &'static str, &'static str) {
    // (line, head →, head ←)
    match p {
        Phase::Handshake => ("═", "►", "◄"),
        Phase::Data => ("─", "►", "◄"),
        Phase::Teardown => ("╌", "►", "◄"),
        Phase::Reset => ("━", "✕", "✕"),
    }
}

/// How an arrow is drawn besides its segment: its row's place and what marks it.
pub struct ArrowRow {
    pub y: u16,
    /// How much of the wire it has crossed (the newest arrow grows while playing).
    pub progress: f64,
    pub selected: bool,
    /// Its connection's tag number, when several connections are on screen.
    pub tag: Option<usize>,
}

/// The words for a dropped SYN beside the server's lifeline, the longest that fits `room`.
pub fn dropped_reason(d: &DroppedSyn, room: usize) -> String {
    let q = d.queue;
    [
        d.reason(),
        format!("accept queue full {}/{}", q.len, q.backlog),
        "accept queue full".to_string(),
        format!("queue full {}/{}", q.len, q.backlog),
        "queue full".to_string(),
    ]
    .into_iter()
    .find(|t| t.width() <= room)
    .unwrap_or_default()
}

/// An arrow's style and glyphs: (style, line, head →, head ←), by its connection's phase
/// (the index knows it: a bare ACK continues the handshake or the close), red when dropped.
pub fn arrow_look(
    app: &App,
    i: usize,
    s: &SegmentEvent,
    selected: bool,
) -> (Style, &'static str, &'static str, &'static str) {
    let t = &app.theme;
    let phase = app
        .index
        .phase_at(i)
        .unwrap_or_else(|| segment_phase(s, None));
    let base = if app.dropped_at(i).is_some() {
        t.error
    } else {
        t.phase(phase)
    };
    let style = if selected {
        base.patch(t.selected)
    } else {
        base
    };
    let (line, right_head, left_head) = phase_glyphs(phase);
    (style, line, right_head, left_head)
}

pub fn draw_arrow(
    app: &App,
    i: usize,
    s: &SegmentEvent,
    g: Geometry,
    area: Rect,
    row: ArrowRow,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    let y = row.y;
    let dropped = app.dropped_at(i);
    let (style, line, right_head, left_head) = arrow_look(app, i, s, row.selected);
    let (right_head, left_head) = if s.lost {
        // Lost on a lab link (issue 12): the arrow stops midway at a mark, never arriving.
        ("✗", "✗")
    } else if dropped.is_some() {
        ("✕", "✕")
    } else {
        (right_head, left_head)
    };
    let a = g.lx + 1;
    // A dropped SYN never reaches the server: it stops two cells short of its lifeline.
    let b = g.rx.saturating_sub(if dropped.is_some() { 3 } else { 1 });
    if b <= a {
        return;
    }
    let len = (b - a + 1) as usize;
    let progress = if s.lost {
        row.progress.min(0.5)
    } else {
        row.progress
    };
    let n = ((len as f64 * progress.clamp(0.0, 1.0)).ceil() as usize).clamp(1, len);
    let to_server = s.dir == Direction::ToServer;
    // The cells drawn so far: from the sender's lifeline towards the receiver's.
    let cells = if to_server {
        a..a + n as u16
    } else {
        b + 1 - n as u16..b + 1
    };
    for x in cells.clone() {
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
    // A cell of air after the mark: the lines of other segments in flight that cross this row
    // do not read as the lost one going on.
    if s.lost {
        let gap = if to_server {
            head_x + 1
        } else {
            head_x.saturating_sub(1)
        };
        if (a..=b).contains(&gap) {
            put(buf, gap, y, " ", 1, t.border);
        }
    }
    // The tag at the sender's end, the label in the middle of what is left.
    let tag = row.tag.map(conn_tag::text);
    let tag_w = tag.as_ref().map_or(0, |t| t.width() as u16 + 1);
    let (from, to) = if to_server {
        (a + tag_w, b)
    } else {
        (a, b.saturating_sub(tag_w))
    };
    let room = (to + 1).saturating_sub(from) as usize;
    let text = match dropped {
        Some(d) => [
            format!("SYN dropped: {}", d.reason()),
            format!(
                "SYN dropped: queue {} of backlog {}",
                d.queue.len, d.queue.backlog
            ),
            "SYN dropped".to_string(),
            "dropped".to_string(),
        ]
        .into_iter()
        .find(|l| l.width() + 4 <= room)
        .unwrap_or_default(),
        None => segment_label(s, room.saturating_sub(4)),
    };
    let label = format!(" {text} ");
    let lw = label.width() as u16;
    let lx = from + ((room as u16).saturating_sub(lw)) / 2;
    for (k, ch) in label.chars().enumerate() {
        let x = lx + k as u16;
        if cells.contains(&x) && x != head_x {
            let mut tmp = [0u8; 4];
            put(buf, x, y, ch.encode_utf8(&mut tmp), 1, style);
        }
    }
    if let (Some(n), Some(tag)) = (row.tag, &tag) {
        let w = tag_w - 1;
        let x = if to_server {
            a
        } else {
            (b + 1).saturating_sub(w)
        };
        if cells.contains(&x) {
            put(buf, x, y, tag, w, conn_tag::style(app, n));
        }
    }
    if let Some(d) = dropped {
        let x = g.rx + 2;
        let room = area.right().saturating_sub(x);
        let why = dropped_reason(d, room as usize);
        put(buf, x, y, &fit(&why, room as usize), room, t.error);
    }
}
