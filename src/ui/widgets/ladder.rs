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

use crate::timeline::{CallEvent, EventKind, Side};
use crate::ui::app::App;

use super::conn_tag;
use super::ladder_arrow::{ArrowRow, draw_arrow};
use super::ladder_band::{self, BandText};
use super::ladder_rows::LOOK;
pub use super::ladder_rows::{LadderRow, RowKind, event_at_row, rows};
use super::{fit, put};
use super::{ladder_rows, ladder_slope};
pub use crate::export::labels::{
    call_label, call_label_plain, call_label_short, call_label_start, segment_label,
};
use crate::export::ladder::state_marks;
use crate::tcp::TcpState;
use crate::ui::playback;

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
    // 80 columns: 15 cells for a call beside each lifeline (`recv(1024)→1024`), 16 for the
    // arrows' labels in a student's words between them; 120: 16 (`recv(1024) → b''`).
    let side_w = match area.width {
        90.. => 20,
        75..90 => 18,
        _ => 17,
    };
    let lx = area.x + time_w + side_w;
    let rx = area.right().saturating_sub(side_w + 1).max(lx + 4);
    Geometry { time_w, lx, rx }
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height < 2 || area.width < 30 {
        return;
    }
    let t = &app.theme;
    let g = geometry(area);
    let sockets = app.index.sockets();
    let client = sockets.iter().rev().find(|s| {
        s.side == Side::Client && s.born < app.playback.pos.max(1) && s.born >= app.start
    });
    let server = sockets.iter().rev().find(|s| {
        s.side != Side::Client
            && s.born < app.playback.pos.max(1)
            && s.local.is_some()
            && s.closed.is_none_or(|c| c >= app.start)
    });
    let name = |label: &str, addr: Option<std::net::SocketAddr>| match addr {
        Some(a) => format!("{label} {a}"),
        None => label.to_string(),
    };
    let tags = conn_tag::of(app);
    let right = name("server", server.and_then(|s| s.local));
    if tags.active() {
        // Every connection on screen by its tag and client port, in the tag's colour.
        let room = area.width.saturating_sub(right.width() as u16 + 1);
        conn_tag::draw_heading(app, &tags, area, room, buf);
    } else {
        let left = name("client", client.and_then(|c| c.local));
        let lw = (g.lx - area.x + 1) as usize;
        let left = fit(&left, lw.max(8) + 8);
        put(buf, area.x, area.y, &left, area.width / 2, t.title);
    }
    let rw = right.width() as u16;
    let rstart = (g.rx + 1)
        .saturating_sub(rw / 2)
        .min(area.right().saturating_sub(rw));
    // Several clients' names take the room the server's name leaves (it moves to the edge).
    let rstart = if tags.active() {
        area.right().saturating_sub(rw)
    } else {
        rstart.max(area.x + area.width / 2)
    };
    put(buf, rstart, area.y, &right, area.right() - rstart, t.title);

    let height = area.height as usize - 1;
    // Over a link, with rows around the window: where an arrow in flight through it left or
    // lands (a loopback's frame lays out its window only).
    let around = if app.timeline.over_link() {
        height * 2
    } else {
        0
    };
    let (top, context) = ladder_rows::rows_in_context(app, height, around);
    let rows = &context[top..(top + height).min(context.len())];
    let slopes = ladder_slope::slopes(app, &context, top);
    ladder_slope::draw(app, &slopes, g, area, rows, buf);
    // A state a sloped arrow brings its receiver into shows where it lands.
    let mut landing: Vec<(usize, TcpState)> = Vec::new();
    let events = app.events();
    let focus = app.focus();
    let newest = app.playback.pos.checked_sub(1);

    // Calls that may be blocking during the window: those drawn, and those returning later
    // (bounded look-ahead so drawing cost does not grow with the timeline).
    let first = rows
        .iter()
        .map(|r| r.event)
        .filter(|&e| e < events.len())
        .min()
        .unwrap_or(0);
    let last = rows
        .iter()
        .map(|r| r.event)
        .filter(|&e| e < events.len())
        .max()
        .unwrap_or(0);
    let now = newest.and_then(|i| events.get(i)).map(|e| e.at);
    // The earliest moment a row stands at (a call's start row stands before its event): a call
    // that returned before it makes no row heavy.
    let earliest = rows
        .iter()
        .filter_map(|r| events.get(r.event))
        .map(|e| match &e.kind {
            EventKind::Call(c) => c.started.min(e.at),
            _ => e.at,
        })
        .min()
        .map_or(i64::MIN, |t| t.as_nanos());
    let mut blocking: Vec<(Side, i64, i64)> = Vec::new();
    let scan = first.saturating_sub(LOOK)..(last + LOOK).min(events.len());
    for &i in app.index.calls_that_may_block(scan) {
        if let EventKind::Call(c) = &events[i].kind
            && c.returned > c.started
            && c.returned.as_nanos() > earliest
            && c.call.may_block()
            && now.is_some_and(|n| c.started <= n)
        {
            blocking.push((
                lifeline(c.side),
                c.started.as_nanos(),
                c.returned.as_nanos(),
            ));
        }
    }
    // Calls the lab has begun and not yet returned: heavy from their start on.
    for p in &app.lab.pending {
        if let Some(t) = p.started {
            blocking.push((p.side, t.as_nanos(), i64::MAX));
        }
    }
    let blocked = |side: Side, at: i64| {
        blocking
            .iter()
            .any(|&(s, a, b)| s == side && a <= at && at < b)
    };

    // The state changes among the drawn events (the timeline knows them; looked up by range):
    // from just after the drawable event above the top row, so a change on an undrawn event
    // (a probe) shows on the next row, and none from above the window does.
    let top = rows
        .iter()
        .filter(|r| r.kind == RowKind::Event)
        .map(|r| r.event)
        .min()
        .unwrap_or(0);
    let vis = app.index.visible();
    let from = app
        .index
        .visible_before(top)
        .checked_sub(1)
        .map_or(0, |k| vis[k] + 1);
    let marks = state_marks(app.index.state_changes_in(from..last + 1));
    let mut mark = 0;

    for (row, r) in rows.iter().enumerate() {
        let y = area.y + 1 + row as u16;
        if let RowKind::Pending(j) = r.kind {
            if let Some(p) = app.lab.pending.get(j) {
                draw_pending(app, p, g, area, y, buf);
            }
            continue;
        }
        let i = r.event;
        let ev = &events[i];
        let c = match &ev.kind {
            EventKind::Call(c) => Some(c),
            _ => None,
        };
        // A call's start or return row sits at that moment, not at the event's anchor.
        let at = match (r.kind, c, &ev.kind) {
            (RowKind::CallStart, Some(c), _) => c.started,
            (RowKind::CallReturn, Some(c), _) => c.returned,
            (RowKind::Arrival, _, EventKind::Segment(s)) => s.arrived().unwrap_or(ev.at),
            _ => ev.at,
        };
        let selected = focus == Some(i) && r.kind == RowKind::Event;
        // A note or call text longer than its row: the band rows, across the ladder.
        let (band, drawn) = ladder_band::draw_row(app, rows, row, g, area, y, buf);
        if drawn {
            continue;
        }
        if g.time_w > 0 {
            let ms = app.secs(at) * 1000.0;
            put(buf, area.x, y, &format!("{ms:>8.3}"), g.time_w, t.dim);
        }
        for (side, x) in [(Side::Client, g.lx), (Side::Server, g.rx)] {
            let heavy = blocked(side, at.as_nanos())
                || (r.kind == RowKind::CallStart && c.is_some_and(|c| lifeline(c.side) == side));
            let (sym, style) = if heavy {
                ("┃", t.call_blocked)
            } else {
                ("│", t.border)
            };
            put(buf, x, y, sym, 1, style);
        }
        match (&ev.kind, r.kind) {
            (EventKind::Segment(s), RowKind::Arrival) => {
                let state = landing.iter().find(|l| l.0 == i).map(|l| l.1);
                let states = match ladder_slope::receiver(s) {
                    Side::Client => (state, None),
                    _ => (None, state),
                };
                draw_states(app, states, None, g, area, y, buf);
            }
            // Drawn across rows with the other arrows in flight.
            (EventKind::Segment(_), _) if ladder_slope::spans_rows(app, i) => {}
            (EventKind::Segment(s), _) => {
                let progress = if Some(i) == newest && app.playback.playing {
                    app.playback.progress
                } else {
                    1.0
                };
                let row = ArrowRow {
                    y,
                    progress,
                    selected,
                    tag: tags.of_conn(s.conn),
                };
                draw_arrow(app, i, s, g, area, row, buf);
            }
            (EventKind::Call(c), kind) => {
                let tag = tags.of_socket(c.socket);
                draw_call(app, c, kind, g, area, (y, selected, tag), buf)
            }
            (EventKind::Note(text), _) => {
                let w = area.right().saturating_sub(g.lx + 2);
                let text = match &band {
                    BandText::Inline(line) => fit(line, w as usize),
                    _ => fit(&format!("· {text}"), w as usize),
                };
                let style = if selected { t.selected } else { t.note };
                put(buf, g.lx + 2, y, &text, w.saturating_sub(1), style);
            }
            (EventKind::Probe(_), _) => {}
        }
        // State names entered at this event (or at undrawn events just before it).
        if r.kind == RowKind::Event {
            let mut client_state = None;
            let mut server_state = None;
            while let Some(m) = marks.get(mark).filter(|m| m.event <= i) {
                match m.side {
                    Side::Client => client_state = Some(m.state),
                    _ => server_state = Some(m.state),
                }
                mark += 1;
            }
            let call_side = c.map(|c| lifeline(c.side));
            // A dropped SYN's reason holds the server's side of its row.
            if app.dropped_at(i).is_some() {
                server_state = None;
            }
            // A segment in flight changes its receiver's state where it lands.
            if let EventKind::Segment(s) = &ev.kind
                && ladder_slope::spans_rows(app, i)
            {
                let receiver = match ladder_slope::receiver(s) {
                    Side::Client => &mut client_state,
                    _ => &mut server_state,
                };
                if let Some(state) = receiver.take() {
                    landing.push((i, state));
                }
            }
            draw_states(
                app,
                (client_state, server_state),
                call_side,
                g,
                area,
                y,
                buf,
            );
        }
    }
}

/// The lifeline a side's calls stand on: the listener shares the server's.
fn lifeline(side: Side) -> Side {
    if side == Side::Client {
        Side::Client
    } else {
        Side::Server
    }
}

/// The states entered at a row, beside their lifelines as Stevens writes them: outside the
/// lifelines (where a segment row has nothing), or just inside the gap when a call's label
/// holds that side's outside.
fn draw_states(
    app: &App,
    (client, server): (Option<TcpState>, Option<TcpState>),
    call_side: Option<Side>,
    g: Geometry,
    area: Rect,
    y: u16,
    buf: &mut Buffer,
) {
    let style = app.theme.title;
    if let Some(s) = client {
        let name = s.name();
        let w = name.width() as u16;
        if call_side == Some(Side::Client) {
            put(buf, g.lx + 2, y, name, w, style);
        } else {
            let room = g.lx.saturating_sub(area.x + g.time_w + 1);
            let name = fit(name, room as usize);
            let w = name.width() as u16;
            put(buf, g.lx - w - 1, y, &name, w, style);
        }
    }
    if let Some(s) = server {
        let name = s.name();
        let w = name.width() as u16;
        if call_side == Some(Side::Server) {
            put(buf, g.rx.saturating_sub(w + 1), y, name, w, style);
        } else {
            let room = area.right().saturating_sub(g.rx + 2);
            put(buf, g.rx + 2, y, &fit(name, room as usize), room, style);
        }
    }
}

/// A lab call still blocked: its arguments beside its (heavy) lifeline, and how long so far.
fn draw_pending(
    app: &App,
    p: &crate::ui::lab_controls::PendingCall,
    g: Geometry,
    area: Rect,
    y: u16,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    let side = lifeline(p.side);
    for (s, x) in [(Side::Client, g.lx), (Side::Server, g.rx)] {
        let (sym, style) = if s == side {
            ("┃", t.call_blocked)
        } else {
            ("│", t.border)
        };
        put(buf, x, y, sym, 1, style);
    }
    let room = ladder_band::call_room(side, g, area);
    // The time so far as long as it fits (80×24 leaves 15 cells beside a lifeline).
    let text = [
        format!("{} … {:.1} s", p.label, p.secs),
        format!("{} …{:.1}s", p.label, p.secs),
    ]
    .into_iter()
    .find(|t| t.width() <= room)
    .unwrap_or_else(|| format!("{} …", p.label));
    if side == Side::Client {
        // Cut to the room left of the lifeline (a narrow screen may leave none).
        let text = fit(&text, room);
        let w = text.width() as u16;
        put(buf, g.lx.saturating_sub(w + 1), y, &text, w, t.call_blocked);
    } else {
        let room = area.right().saturating_sub(g.rx + 2);
        put(
            buf,
            g.rx + 2,
            y,
            &fit(&text, room as usize),
            room,
            t.call_blocked,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_call(
    app: &App,
    c: &CallEvent,
    kind: RowKind,
    g: Geometry,
    area: Rect,
    (y, selected, tag): (u16, bool, Option<usize>),
    buf: &mut Buffer,
) {
    let t = &app.theme;
    // The start of a call that blocked shows what was asked; its result is drawn where it
    // returned.
    let starting = match kind {
        RowKind::CallStart => true,
        RowKind::Event => playback::blocked(c) && !c.call.waits_for_peer(),
        _ => false,
    };
    let style = if starting {
        t.call_blocked
    } else if c.errno.is_some() {
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
    // With several connections, the tag stands between the label and the screen's edge.
    let tag = tag.map(|n| (n, conn_tag::text(n)));
    let tag_w = tag.as_ref().map_or(0, |(_, t)| t.width() + 1);
    let room = ladder_band::call_room(c.side, g, area).saturating_sub(tag_w);
    // An error is written whole under the row (as Python raises it); the row marks it `✗`.
    // A lesson's argument that does not fit here is written under the row too.
    let bare;
    let (c, failed) = if c.errno.is_some() {
        bare = ladder_band::without_error(c);
        (&bare, " ✗")
    } else {
        (c, "")
    };
    let lesson_here = ladder_band::lesson_fits(c, g, area);
    let long = if starting {
        format!("{} …", call_label_start(c))
    } else {
        format!("{}{failed}", call_label(c))
    };
    let text = if starting {
        fit(&long, room)
    } else if long.width() <= room && lesson_here {
        long
    } else {
        let plain = format!("{}{failed}", call_label_plain(c));
        if plain.width() <= room && lesson_here {
            plain
        } else {
            format!("{}{failed}", call_label_short(c))
        }
    };
    let text = fit(&text, room);
    let w = text.width() as u16;
    if client {
        put(buf, g.lx - w - 1, y, &text, w, style);
        put(buf, g.lx, y, "●", 1, style);
        if let Some((n, tag)) = &tag {
            let x = g.lx.saturating_sub(w + 1 + tag_w as u16);
            put(buf, x, y, tag, tag.width() as u16, conn_tag::style(app, *n));
        }
    } else {
        put(buf, g.rx, y, "●", 1, style);
        let x = g.rx + 2 + tag_w as u16;
        put(buf, x, y, &text, room as u16, style);
        if let Some((n, tag)) = &tag {
            put(
                buf,
                g.rx + 2,
                y,
                tag,
                tag.width() as u16,
                conn_tag::style(app, *n),
            );
        }
    }
}
