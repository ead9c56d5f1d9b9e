//! The ladder diagram as data: one row per call, segment or note, which the SVG and text
//! exports lay out (two lifelines, client left, server right, as the lecture draws them).

use crate::tcp::Direction;
use crate::timeline::{EventKind, Side, Timeline};

use super::labels::{call_text, segment_text};

/// One row of the ladder.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A segment crossing: its label, and the two endpoints' states after it.
    Arrow {
        t_ms: f64,
        to_server: bool,
        label: String,
        states: String,
    },
    /// A socket call on one lifeline.
    Call {
        t_ms: f64,
        client_side: bool,
        text: String,
        failed: bool,
    },
    Note {
        t_ms: f64,
        text: String,
    },
}

/// The rows of `tl`, in timeline order (probes are left out: a diagram shows what crossed).
pub fn rows(tl: &Timeline) -> Vec<Row> {
    tl.events()
        .iter()
        .filter_map(|ev| {
            let t_ms = tl.secs(ev.at) * 1e3;
            Some(match &ev.kind {
                EventKind::Segment(s) => Row::Arrow {
                    t_ms,
                    to_server: s.dir == Direction::ToServer,
                    label: segment_text(s),
                    states: format!("{} / {}", s.client_state, s.server_state),
                },
                EventKind::Call(c) => Row::Call {
                    t_ms,
                    client_side: c.side == Side::Client,
                    text: call_text(c),
                    failed: !c.ok(),
                },
                EventKind::Note(text) => Row::Note {
                    t_ms,
                    text: text.clone(),
                },
                EventKind::Probe(_) => return None,
            })
        })
        .collect()
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
