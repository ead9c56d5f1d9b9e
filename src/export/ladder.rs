//! The ladder diagram as data: one row per call, segment or note, which the SVG and text
//! exports lay out (two lifelines, client left, server right, as the lecture draws them), and
//! the state changes written beside the lifelines (Stevens, TCP/IP Illustrated vol. 1, fig.
//! 18.3: at each transition, the new state name beside that side's line at that row).

use crate::tcp::{Direction, TcpState};
use crate::timeline::conn_tags::ConnTags;
use crate::timeline::dropped::{DroppedSyn, dropped_syns};
use crate::timeline::playback::PlaybackIndex;
use crate::timeline::truth::StateChange;
use crate::timeline::{CallEvent, EventKind, Side, Timeline};

use unicode_width::UnicodeWidthStr;

use super::labels::{call_text, segment_text};

/// One row of the ladder.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A segment crossing: its label, and the states each side entered at this row (`None`:
    /// unchanged).
    Arrow {
        t_ms: f64,
        to_server: bool,
        label: String,
        client_state: Option<TcpState>,
        server_state: Option<TcpState>,
        /// Its connection's tag number (`c2`), when the timeline holds several connections.
        tag: Option<usize>,
        /// Set when the listener dropped this SYN (accept queue full): the arrow stops short.
        dropped: Option<DroppedSyn>,
        /// Lost on a lab link: drawn stopping midway at a mark, never arriving.
        lost: bool,
        /// Over a lab link, drawn in flight ([`rows_in_flight`]): how many rows later its
        /// [`Row::Arrival`] is; it slopes down to there.
        lands: Option<usize>,
    },
    /// Over a lab link, where a segment reached its receiver (issue 12), and the state its
    /// receiver entered there.
    Arrival {
        t_ms: f64,
        to_server: bool,
        client_state: Option<TcpState>,
        server_state: Option<TcpState>,
    },
    /// A socket call on one lifeline, and the states entered at this row.
    Call {
        t_ms: f64,
        client_side: bool,
        text: String,
        failed: bool,
        client_state: Option<TcpState>,
        server_state: Option<TcpState>,
        /// Its socket's connection tag number; none for a listener's calls or one connection.
        tag: Option<usize>,
    },
    Note {
        t_ms: f64,
        text: String,
    },
}

/// A state change drawn beside a lifeline: at event `event`, `side` (client or server)
/// entered `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateMark {
    pub event: usize,
    pub side: Side,
    pub state: TcpState,
}

/// The lifeline marks for the timeline's state changes (`PlaybackIndex::state_changes`, or
/// `state_changes_in` for a screenful): the one place the lifelines' state names come from,
/// for the TUI and the exports alike. A listener's changes (LISTEN, CLOSED) are written on the
/// server's lifeline, which its calls stand on too.
pub fn state_marks(changes: &[StateChange]) -> Vec<StateMark> {
    changes
        .iter()
        .map(|c| StateMark {
            event: c.index,
            side: if c.side == Side::Client {
                Side::Client
            } else {
                Side::Server
            },
            state: c.state,
        })
        .collect()
}

/// A call that took at least this long is drawn as blocked: its start and its return on rows
/// of their own, its lifeline heavy in between.
pub const BLOCKED_SECS: f64 = 0.001;

/// Which end of a blocked call a row of its own draws (the other end is the event itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEdge {
    /// A call waiting for the peer (`recv`, `accept`, `connect`) is placed where it returned:
    /// its start gets a row where it was called.
    Start,
    /// A `send`/`sendall` is placed where it started: its return gets a row where it returned.
    Return,
}

/// Whether `c` blocked long enough to draw its start and its return apart.
pub fn blocked(c: &CallEvent) -> bool {
    c.call.may_block() && c.blocked_secs() >= BLOCKED_SECS
}

/// For the call at event `i`, if it was drawn blocked: the row of its other end, shown once
/// that many events have happened (the number of events at or before that moment).
///
/// A call that waits for the peer (`recv`, `accept`, `connect`) is drawn from its start when
/// something the ladder draws happened while it waited (the SYN,ACK a `connect` waits for, the
/// data a `recv` waits for), however short the wait: that is the lecture's story. A `send` is
/// drawn to its return when it blocked ([`BLOCKED_SECS`]); a quick one keeps its single row.
pub fn call_edge(tl: &Timeline, index: &PlaybackIndex, i: usize) -> Option<(usize, CallEdge)> {
    let EventKind::Call(c) = &tl.events().get(i)?.kind else {
        return None;
    };
    if !c.call.may_block() {
        return None;
    }
    if c.call.waits_for_peer() {
        // Never after the call's own row.
        let k = tl.index_at(c.started).min(i);
        (index.visible_before(k) < index.visible_before(i)).then_some((k, CallEdge::Start))
    } else {
        blocked(c).then(|| (tl.index_at(c.returned).max(i + 1), CallEdge::Return))
    }
}

/// The rows of `tl`, in timeline order (probes are left out: a diagram shows what crossed), a
/// blocked call on two rows (where it was called, with its arguments; where it returned, with
/// its result), each state change beside its lifeline on the row of the event that made it.
pub fn rows(tl: &Timeline) -> Vec<Row> {
    numbered_rows(tl).into_iter().map(|(_, r)| r).collect()
}

/// [`rows`], each with its event number: 1-based, the number of events that have happened when
/// the row is drawn (what the screens' scrubber shows as `event N/M`, and what
/// [`super::range::EventRange`] selects).
pub fn numbered_rows(tl: &Timeline) -> Vec<(usize, Row)> {
    numbered_rows_in(tl, false)
}

/// [`rows`] with each segment that crossed a lab link drawn in flight (issue 12): its arrow
/// leaves on its own row and lands on a [`Row::Arrival`] at the moment it arrived, so segments
/// in flight together span overlapping rows; the state a segment brings its receiver into is
/// written where it lands. Without a link, the same rows as [`rows`].
pub fn rows_in_flight(tl: &Timeline) -> Vec<Row> {
    numbered_rows_in(tl, true)
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// The cells of each row an arrow `len` cells long spends over `rows` rows, from its sender's
/// side: equal parts, so the line slopes evenly (a row with no cell of its own, on an arrow
/// steeper than one cell a row, keeps the cell where the line is). The screens and the text
/// export draw the same line.
pub fn slope_runs(len: usize, rows: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let rows = rows.max(1);
    let len = len.max(1);
    (0..rows).map(move |j| {
        let (p0, p1) = (len * j / rows, len * (j + 1) / rows);
        if p1 > p0 {
            p0..p1
        } else {
            let p = p0.min(len - 1);
            p..p + 1
        }
    })
}

/// Where an arrow drawn in flight writes its label on its departure row, counted in cells from
/// its sender's side of a wire `width` cells wide: inside its first run (`run` cells: a line
/// cell before, a line cell and the step after, a space either side of the text), or past it,
/// a cell after the step, up to the next cell taken (`free` says which are not) and a cell
/// short of the receiver's lifeline, whichever room is larger. `label(room)` is the label that
/// fits `room` cells. `None`: no room for three cells of it.
pub fn slope_label(
    run: usize,
    width: usize,
    free: impl Fn(usize) -> bool,
    label: impl Fn(usize) -> String,
) -> Option<(usize, String)> {
    let inside = run.saturating_sub(6);
    let past = (run + 1..width.saturating_sub(1))
        .take_while(|&p| free(p))
        .count()
        .saturating_sub(1);
    let (start, text) = if inside >= past {
        let text = format!(" {} ", label(inside));
        (1 + run.saturating_sub(2 + text.width()) / 2, text)
    } else {
        (run + 1, label(past))
    };
    (text.trim().width() >= 3 && start + text.width() <= width).then_some((start, text))
}

fn numbered_rows_in(tl: &Timeline, in_flight: bool) -> Vec<(usize, Row)> {
    let events = tl.events();
    let index = PlaybackIndex::build(events);
    let marks = state_marks(index.state_changes());
    let tags = ConnTags::from_index(&index, 0);
    let dropped = dropped_syns(events);
    let mut k = 0;
    // (shown once this many events happened, order among equals, row)
    let mut rows: Vec<(usize, u8, Row)> = Vec::new();
    // Over a link: (event, row) of each segment drawn in flight, and of its landing.
    let mut flights: Vec<usize> = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        // A change on an event no row draws (a probe) shows on the next row that can carry it.
        let mut client_state = None;
        let mut server_state = None;
        if matches!(ev.kind, EventKind::Segment(_) | EventKind::Call(_)) {
            while let Some(m) = marks.get(k).filter(|m| m.event <= i) {
                match m.side {
                    Side::Client => client_state = Some(m.state),
                    _ => server_state = Some(m.state),
                }
                k += 1;
            }
        }
        let t_ms = tl.secs(ev.at) * 1e3;
        let row = match &ev.kind {
            EventKind::Segment(s) => {
                let to_server = s.dir == Direction::ToServer;
                if let Some(at) = s.arrived().filter(|_| in_flight) {
                    // The receiver's state changes where the segment lands.
                    let (mut client_in, mut server_in) = (None, None);
                    if to_server {
                        server_in = server_state.take();
                    } else {
                        client_in = client_state.take();
                    }
                    flights.push(i);
                    rows.push((
                        tl.index_at(at).max(i + 1),
                        1,
                        Row::Arrival {
                            t_ms: tl.secs(at) * 1e3,
                            to_server,
                            client_state: client_in,
                            server_state: server_in,
                        },
                    ));
                }
                Row::Arrow {
                    t_ms,
                    to_server,
                    label: segment_text(s),
                    client_state,
                    server_state,
                    tag: tags.of_conn(s.conn),
                    dropped: dropped.iter().find(|d| d.event == i).copied(),
                    lost: s.lost,
                    lands: None,
                }
            }
            EventKind::Call(c) => {
                let edge = call_edge(tl, &index, i);
                if let Some((after, edge)) = edge {
                    // The call's other end, at its own moment.
                    let (at, text) = match edge {
                        CallEdge::Start => (c.started, call_text_start(c)),
                        CallEdge::Return => (c.returned, call_text(c)),
                    };
                    rows.push((
                        after,
                        1,
                        Row::Call {
                            t_ms: tl.secs(at) * 1e3,
                            client_side: c.side == Side::Client,
                            text,
                            failed: edge == CallEdge::Return && !c.ok(),
                            client_state: None,
                            server_state: None,
                            tag: tags.of_socket(c.socket),
                        },
                    ));
                }
                // A blocked send's own row is its start: the result is on its return row.
                let text = match edge {
                    Some((_, CallEdge::Return)) => call_text_start(c),
                    _ => call_text(c),
                };
                Row::Call {
                    t_ms,
                    client_side: c.side == Side::Client,
                    text,
                    failed: !c.ok() && !matches!(edge, Some((_, CallEdge::Return))),
                    client_state,
                    server_state,
                    tag: tags.of_socket(c.socket),
                }
            }
            EventKind::Note(text) => Row::Note {
                t_ms,
                text: text.clone(),
            },
            EventKind::Probe(_) => continue,
        };
        rows.push((i + 1, 0, row));
    }
    if flights.is_empty() {
        rows.sort_by_key(|(after, order, _)| (*after, *order));
        return rows.into_iter().map(|(after, _, r)| (after, r)).collect();
    }
    // Rows between the same two events (a call's other end, an arrival) in time order.
    rows.sort_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then(row_ms(&a.2).total_cmp(&row_ms(&b.2)))
    });
    let mut rows: Vec<(usize, Row)> = rows.into_iter().map(|(after, _, r)| (after, r)).collect();
    // Each arrow drawn in flight: how far below its landing is. The k-th arrival of a direction
    // among the rows is not necessarily the k-th departure's (a link may reorder), so they are
    // matched by their times.
    let arrivals: Vec<(usize, f64, bool)> = rows
        .iter()
        .enumerate()
        .filter_map(|(k, (_, r))| match r {
            Row::Arrival {
                t_ms, to_server, ..
            } => Some((k, *t_ms, *to_server)),
            _ => None,
        })
        .collect();
    let mut used = vec![false; arrivals.len()];
    for (k, (n, row)) in rows.iter_mut().enumerate() {
        let Some(i) = n
            .checked_sub(1)
            .filter(|i| flights.binary_search(i).is_ok())
        else {
            continue;
        };
        let Some(at) = segment_arrival_ms(tl, i) else {
            continue;
        };
        if let Row::Arrow {
            lands, to_server, ..
        } = row
            && let Some(a) = (0..arrivals.len()).find(|&a| {
                let (ak, t, dir) = arrivals[a];
                !used[a] && ak > k && dir == *to_server && t == at
            })
        {
            used[a] = true;
            *lands = Some(arrivals[a].0 - k);
        }
    }
    rows
}

fn row_ms(r: &Row) -> f64 {
    match r {
        Row::Arrow { t_ms, .. }
        | Row::Arrival { t_ms, .. }
        | Row::Call { t_ms, .. }
        | Row::Note { t_ms, .. } => *t_ms,
    }
}

/// When segment event `i` arrived, in the rows' milliseconds.
fn segment_arrival_ms(tl: &Timeline, i: usize) -> Option<f64> {
    match &tl.events().get(i)?.kind {
        EventKind::Segment(s) => s.arrived().map(|at| tl.secs(at) * 1e3),
        _ => None,
    }
}

/// The states the client's and the server's lifelines are in just before event number `n`
/// (1-based): what a slide that starts there writes under its headings. A listener's states
/// count for the server's lifeline, as on the ladder.
pub fn states_before(tl: &Timeline, n: usize) -> (Option<TcpState>, Option<TcpState>) {
    let index = PlaybackIndex::build(tl.events());
    let mut client = None;
    let mut server = None;
    for m in state_marks(index.state_changes()) {
        if m.event + 1 >= n {
            break;
        }
        match m.side {
            Side::Client => client = Some(m.state),
            _ => server = Some(m.state),
        }
    }
    (client, server)
}

/// `(tag number, client port)` of each connection when the timeline holds two or more (the
/// exports' heading names them: `c1 :57118  c2 :57126`); empty for one connection.
pub fn tag_ports(tl: &Timeline) -> Vec<(usize, u16)> {
    let index = PlaybackIndex::build(tl.events());
    ConnTags::from_index(&index, 0).ports().collect()
}

/// The heading line naming each tag's client port: `clients c1 :57118  c2 :57126`.
pub fn tag_heading(ports: &[(usize, u16)]) -> String {
    let items: Vec<String> = ports
        .iter()
        .map(|(n, p)| format!("{} :{p}", tag_text(*n)))
        .collect();
    format!("clients {}", items.join("  "))
}

pub use crate::timeline::conn_tags::text as tag_text;

/// A call as it was made, before its result: `recv(1024) …`.
fn call_text_start(c: &CallEvent) -> String {
    format!("{} …", c.call)
}

/// The two endpoints' names for the lifelines' heads: from the first segment, else generic.
pub fn endpoints(tl: &Timeline) -> (String, String) {
    let conns = tl.connections();
    if let Some(c) = conns.first().filter(|_| conns.len() > 1) {
        // Several clients: the heading's tag line names each one's port.
        return (
            format!("client {} (c1–c{})", c.client.ip(), conns.len()),
            format!("server {}", c.server),
        );
    }
    conns
        .first()
        .map(|c| {
            (
                format!("client {}", c.client),
                format!("server {}", c.server),
            )
        })
        .or_else(|| {
            tl.events().iter().find_map(|e| match &e.kind {
                EventKind::Segment(s) => Some(match s.dir {
                    Direction::ToServer => {
                        (format!("client {}", s.src), format!("server {}", s.dst))
                    }
                    Direction::ToClient => {
                        (format!("client {}", s.dst), format!("server {}", s.src))
                    }
                }),
                _ => None,
            })
        })
        .unwrap_or_else(|| ("client".into(), "server".into()))
}
