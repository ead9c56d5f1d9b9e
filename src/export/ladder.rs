//! The ladder diagram as data: one row per call, segment or note, which the SVG and text
//! exports lay out (two lifelines, client left, server right, as the lecture draws them), and
//! the state changes written beside the lifelines (Stevens, TCP/IP Illustrated vol. 1, fig.
//! 18.3: at each transition, the new state name beside that side's line at that row).

use crate::tcp::{Direction, TcpState};
use crate::timeline::playback::PlaybackIndex;
use crate::timeline::truth::StateChange;
use crate::timeline::{EventKind, Side, Timeline};

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
    },
    /// A socket call on one lifeline, and the states entered at this row.
    Call {
        t_ms: f64,
        client_side: bool,
        text: String,
        failed: bool,
        client_state: Option<TcpState>,
        server_state: Option<TcpState>,
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

/// The rows of `tl`, in timeline order (probes are left out: a diagram shows what crossed).
pub fn rows(tl: &Timeline) -> Vec<Row> {
    let events = tl.events();
    let index = PlaybackIndex::build(events);
    let marks = state_marks(index.state_changes());
    let mut k = 0;
    let mut rows = Vec::new();
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
        rows.push(match &ev.kind {
            EventKind::Segment(s) => Row::Arrow {
                t_ms,
                to_server: s.dir == Direction::ToServer,
                label: segment_text(s),
                client_state,
                server_state,
            },
            EventKind::Call(c) => Row::Call {
                t_ms,
                client_side: c.side == Side::Client,
                text: call_text(c),
                failed: !c.ok(),
                client_state,
                server_state,
            },
            EventKind::Note(text) => Row::Note {
                t_ms,
                text: text.clone(),
            },
            EventKind::Probe(_) => continue,
        });
    }
    rows
}

/// The two endpoints' names for the lifelines' heads: from the first segment, else generic.
pub fn endpoints(tl: &Timeline) -> (String, String) {
    tl.connections()
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
