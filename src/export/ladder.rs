//! The ladder diagram as data: one row per call, segment or note, which the SVG and text
//! exports lay out (two lifelines, client left, server right, as the lecture draws them).

use crate::tcp::Direction;
use crate::timeline::{CallEvent, EventKind, SegmentEvent, Side, Timeline};

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

/// Short UTF-8 payloads as quoted text (the lecture's `Hello, 대한민국!`).
fn payload_text(data: &[u8]) -> Option<String> {
    if data.is_empty() || data.len() > 40 {
        return None;
    }
    std::str::from_utf8(data)
        .ok()
        .filter(|t| !t.chars().any(char::is_control))
        .map(|t| format!("\"{t}\""))
}

/// `SYN seq=0 win=64240`, `PSH,ACK seq=1 ack=1 len=20 win=64512 "Hello, 대한민국!"`.
pub fn segment_label(s: &SegmentEvent) -> String {
    let mut label = format!("{} seq={}", s.flags, s.rel_seq);
    if s.flags.ack() {
        label.push_str(&format!(" ack={}", s.rel_ack));
    }
    if s.len > 0 {
        label.push_str(&format!(" len={}", s.len));
    }
    label.push_str(&format!(" win={}", s.window));
    if let Some(t) = payload_text(&s.payload) {
        label.push(' ');
        label.push_str(&t);
    }
    if !s.analysis.is_empty() {
        label.push_str(&format!(" [{}]", s.analysis));
    }
    label
}

/// `recv(1024) → 20`, `recv(1024) → b''` (the peer's FIN, as the lecture writes it),
/// `connect(('127.0.0.1', 7)) → ECONNREFUSED`.
pub fn call_text(c: &CallEvent) -> String {
    let result = match (c.errno, c.ret) {
        (Some(e), _) => format!(" → {}", e.name),
        (None, Some(0)) if c.call == "recv" => " → b''".to_string(),
        (None, Some(r)) => format!(" → {r}"),
        (None, None) => String::new(),
    };
    let blocked = c.blocked_secs() * 1e3;
    let blocked = if blocked >= 1.0 {
        format!(" (blocked {blocked:.0} ms)")
    } else {
        String::new()
    };
    format!("{}({}){result}{blocked}", c.call, c.args)
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
                    label: segment_label(s),
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
