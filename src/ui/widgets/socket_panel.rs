//! Socket panels: one per socket (listener, client, accepted), with what is true at the playback
//! position ([`crate::timeline::truth`]): the kernel's TCP state (after `close()` too, when the fd
//! is gone and the connection is not), the send buffer's unsent and unacknowledged bytes and the
//! receive queue, exact from the calls and the wire; a newer probe that disagrees wins the state
//! and is shown beside the derivation. In a replay of a plain capture the buffers come from
//! sequence and acknowledgment numbers only, and the panel says "inferred".

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tcp::ConnId;
use crate::timeline::Side;
use crate::timeline::playback::{PlayState, SocketInfo};
use crate::timeline::truth::SocketTruth;
use crate::ui::app::App;

use super::{panel_pages, put};

/// Full panels need this many rows each; below that, compact four-line panels.
const FULL_ROWS: u16 = 8;
const COMPACT_ROWS: u16 = 4;

/// The sockets worth a panel at the position: the newest listener, client and accepted socket.
pub fn shown_sockets(app: &App) -> Vec<&SocketInfo> {
    let born = app.playback.pos.max(1);
    [Side::Listener, Side::Client, Side::Server]
        .iter()
        .filter_map(|side| {
            app.index
                .sockets()
                .iter()
                .rev()
                .find(|s| s.side == *side && (s.inferred || s.born < born))
        })
        .collect()
}

/// The connection a socket belongs to, by its addresses.
pub fn conn_of(app: &App, s: &SocketInfo) -> Option<ConnId> {
    app.index.conn_of(s)
}

/// What one panel shows, computed from the play state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelView {
    pub title: String,
    pub state: String,
    pub flash: bool,
    pub lines: Vec<Line>,
}

/// One line of a panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The label's key in the language files (`ui.panel.send`: `send`, `송신 버퍼`), printed
    /// in a column as wide as the widest label (7 cells in English); its short form's key for
    /// a narrow panel (Korean labels are wider than English ones).
    pub label: &'static str,
    pub short_label: &'static str,
    /// The text in a narrow room (`0+0/69120` for `0+0 of 69120`), when it has one.
    pub short: Option<String>,
    pub text: String,
    pub gauge: Option<Gauge>,
    /// Shown only in the full (boxed) panels.
    pub detail: bool,
}

impl Line {
    fn new(label: (&'static str, &'static str), text: String) -> Self {
        Line {
            label: label.0,
            short_label: label.1,
            short: None,
            text,
            gauge: None,
            detail: false,
        }
    }
    fn detail(text: String) -> Self {
        Line {
            label: "",
            short_label: "",
            short: None,
            text,
            gauge: None,
            detail: true,
        }
    }
}

/// A buffer drawn as filled parts of a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauge {
    /// (bytes, which style) from the left.
    pub parts: [(u64, GaugePart); 2],
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaugePart {
    Unsent,
    Unacked,
    Queued,
}

pub fn panel_view(app: &App, ps: &PlayState, s: &SocketInfo) -> PanelView {
    let t = app.index.truth(app.events(), ps, s);
    panel_from_truth(app, ps, s, &t)
}

/// The panel for `s` from its truth: the kernel state (a newer probe that disagrees wins, the
/// derivation is kept in a detail line), whether the fd is still open, and the exact buffers.
pub fn panel_from_truth(app: &App, ps: &PlayState, s: &SocketInfo, t: &SocketTruth) -> PanelView {
    let pos = app.playback.pos;
    let born = s.inferred || s.born < pos;
    let mut state = if born {
        t.state.name().to_string()
    } else {
        "—".to_string()
    };
    if !t.fd_open && !s.inferred {
        state.push_str(" · ");
        state.push_str(crate::i18n::t("ui.panel.fd_closed"));
    }
    let calls = ps.calls.get(&s.id);
    let changed = [
        t.conn.and_then(|c| ps.wire_state_changed.get(&c).copied()),
        // A probe's state flashes only when it is the one shown.
        ps.probe_state_changed
            .get(&s.id)
            .copied()
            .filter(|_| t.probe_disagrees),
        calls.and_then(|c| c.closed_at),
        calls.and_then(|c| c.listen_at),
    ]
    .into_iter()
    .flatten()
    .max();
    let flash = changed.is_some_and(|i| i + 3 >= pos && i < pos);
    let mut title = format!("{} #{}", super::side_name(s.side), s.id.0);
    if s.inferred {
        title.push_str(" · ");
        title.push_str(crate::i18n::t("ui.panel.inferred"));
    }
    let mut lines = Vec::new();
    let addr = |a: Option<std::net::SocketAddr>| a.map(|a| a.to_string()).unwrap_or("—".into());
    if s.side == Side::Listener {
        lines.push(Line::new(BOUND, addr(s.local)));
        let queue = match (t.accept_queue, t.probe.and_then(|(_, p)| p.accept_queue)) {
            (Some(q), _) if q.backlog.is_some() || q.established + q.syn_received > 0 => {
                let mut text = match q.backlog {
                    Some(b) => crate::tr!("ui.panel.queue_of", n = q.established, backlog = b),
                    None => format!("{}", q.established),
                };
                if q.syn_received > 0 {
                    text.push_str(&format!(" · {} SYN_RECEIVED", q.syn_received));
                }
                text
            }
            (_, Some(q)) => crate::tr!("ui.panel.queue_of", n = q.len, backlog = q.backlog),
            _ => "—".into(),
        };
        lines.push(Line::new(QUEUE, queue));
        lines.push(Line::detail(crate::tr!("ui.panel.queue_detail")));
        push_disagreement(&mut lines, t);
        return PanelView {
            title,
            state,
            flash,
            lines,
        };
    }
    lines.push(Line::new(LOCAL, addr(s.local)));
    lines.push(Line::new(REMOTE, addr(s.remote)));
    if s.inferred {
        // From the wire: sent beyond what the peer acknowledged is in flight; the peer's
        // window bounds it (RFC 9293 §3.8.6). What the application has not read yet is
        // invisible on the wire.
        let in_flight = t.unacked;
        let peer_win = u64::from(t.peer_window.unwrap_or(0));
        lines.push(Line {
            label: SEND.0,
            short_label: SEND.1,
            text: crate::tr!("ui.panel.of", n = in_flight, total = peer_win),
            short: Some(format!("{in_flight}/{peer_win}")),
            gauge: Some(Gauge {
                parts: [(0, GaugePart::Unsent), (in_flight, GaugePart::Unacked)],
                total: peer_win.max(in_flight).max(1),
            }),
            detail: false,
        });
        lines.push(Line::detail(crate::tr!(
            "ui.panel.in_flight_detail",
            n = in_flight
        )));
        lines.push(Line::new(RECV, crate::tr!("ui.panel.recv_inferred")));
    } else {
        let sndbuf = t.sndbuf.map(u64::from);
        let of = |b: Option<u64>| b.map(|b| b.to_string()).unwrap_or("?".into());
        let used = format!("{}+{}", t.unsent, t.unacked);
        lines.push(Line {
            label: SEND.0,
            short_label: SEND.1,
            short: Some(format!("{used}/{}", of(sndbuf))),
            text: crate::tr!("ui.panel.of", n = used, total = of(sndbuf)),
            gauge: Some(Gauge {
                parts: [
                    (t.unsent, GaugePart::Unsent),
                    (t.unacked, GaugePart::Unacked),
                ],
                total: sndbuf.unwrap_or(t.unsent + t.unacked).max(1),
            }),
            detail: false,
        });
        lines.push(Line::detail(crate::tr!(
            "ui.panel.send_detail",
            unsent = t.unsent,
            unacked = t.unacked,
            size = of(sndbuf)
        )));
        let rcvbuf = t.rcvbuf.map(u64::from);
        let mut text = crate::tr!("ui.panel.of", n = t.recv_q, total = of(rcvbuf));
        let mut short = format!("{}/{}", t.recv_q, of(rcvbuf));
        if t.out_of_order > 0 {
            let ooo = crate::tr!("ui.panel.out_of_order", n = t.out_of_order);
            text.push(' ');
            text.push_str(&ooo);
            short.push(' ');
            short.push_str(&ooo);
        }
        lines.push(Line {
            label: RECV.0,
            short_label: RECV.1,
            short: Some(short),
            text,
            gauge: Some(Gauge {
                parts: [(t.recv_q, GaugePart::Queued), (0, GaugePart::Queued)],
                total: rcvbuf.unwrap_or(t.recv_q).max(1),
            }),
            detail: false,
        });
        push_disagreement(&mut lines, t);
    }
    let window = t.window.map(|w| w.to_string()).unwrap_or("—".into());
    match t
        .probe
        .filter(|_| !s.inferred)
        .and_then(|(_, p)| path_line(&p))
    {
        // Over a link the path says more than the send legend (the same numbers are on the
        // send line): rtt and cwnd there, the bytes in flight beside the window.
        Some((path, in_flight)) => {
            if let Some(legend) = lines
                .iter_mut()
                .find(|l| l.detail && l.text.starts_with('█'))
            {
                legend.text = path;
            }
            lines.push(Line::new(
                WINDOW,
                crate::tr!("ui.panel.window_adv", window = window, n = in_flight),
            ));
        }
        None => lines.push(Line::new(
            WINDOW,
            crate::tr!("ui.panel.window_advertised", window = window),
        )),
    }
    PanelView {
        title,
        state,
        flash,
        lines,
    }
}

/// What a longer path adds, from the newest probe's `TCP_INFO` (issue 12): the smoothed RTT,
/// the congestion window and threshold (`rtt 43.4ms cwnd 10 ssthresh ∞`), and the bytes in
/// flight. `None` on a path shorter than a millisecond (a loopback: nothing to see there).
pub fn path_line(p: &crate::timeline::ProbeEvent) -> Option<(String, u32)> {
    if p.rtt_us < 1000 || p.accept_queue.is_some() {
        return None;
    }
    let ssthresh = p.ssthresh.map_or("∞".to_string(), |s| s.to_string());
    let line = crate::tr!(
        "ui.panel.path",
        rtt = format!("{:.1}", f64::from(p.rtt_us) / 1000.0),
        cwnd = p.cwnd,
        ssthresh = ssthresh,
    );
    Some((line, p.in_flight))
}

/// Where the newest probe says otherwise than the derivation, both are shown: the probe's
/// state on the title, the derivation and the probe's queues here.
fn push_disagreement(lines: &mut Vec<Line>, t: &SocketTruth) {
    let Some((_, p)) = t.probe.filter(|_| t.probe_disagrees) else {
        return;
    };
    let text = match p.accept_queue {
        Some(q) => crate::tr!("ui.panel.probe_queue", n = q.len, derived = t.derived),
        None => crate::tr!(
            "ui.panel.probe_buffers",
            unsent = p.unsent,
            unacked = p.unacked(),
            recv = p.recv_q,
            derived = t.derived
        ),
    };
    lines.push(Line::detail(text));
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let ps = app.play_state();
    let tags = super::conn_tag::of(app);
    let socks = panel_pages::sockets(app, &tags);
    if socks.is_empty() {
        put(
            buf,
            area.x + 1,
            area.y,
            crate::i18n::t("ui.panel.no_sockets"),
            area.width.saturating_sub(1),
            app.theme.dim,
        );
        return;
    }
    let (per, full) = panel_pages::capacity(
        area.height,
        area.width,
        socks.len(),
        FULL_ROWS,
        COMPACT_ROWS,
    );
    let (range, line) = panel_pages::page(socks.len(), per, app.panel_page);
    let mut y = area.y;
    for (tag, s) in &socks[range] {
        let mut view = panel_view(app, &ps, s);
        if let Some(n) = tag {
            view.title = format!("{} {}", super::conn_tag::text(*n), view.title);
        }
        let rows = if full { FULL_ROWS } else { COMPACT_ROWS };
        let h = rows.min(area.bottom().saturating_sub(y));
        if h == 0 {
            break;
        }
        let rect = Rect::new(area.x, y, area.width, h);
        super::panel_draw::draw_panel(app, &view, rect, full, buf);
        y += h;
    }
    if let Some(line) = line {
        let y = area.bottom().saturating_sub(1);
        put(
            buf,
            area.x + 1,
            y,
            &line,
            area.width.saturating_sub(1),
            app.theme.key,
        );
    }
}

/// A label's key and its short form's (panel lines name their labels by key).
pub(super) const BOUND: (&str, &str) = (
    crate::key!("ui.panel.bound"),
    crate::key!("ui.panel.bound_short"),
);
pub(super) const QUEUE: (&str, &str) = (
    crate::key!("ui.panel.queue"),
    crate::key!("ui.panel.queue_short"),
);
pub(super) const LOCAL: (&str, &str) = (
    crate::key!("ui.panel.local"),
    crate::key!("ui.panel.local_short"),
);
pub(super) const REMOTE: (&str, &str) = (
    crate::key!("ui.panel.remote"),
    crate::key!("ui.panel.remote_short"),
);
pub(super) const SEND: (&str, &str) = (
    crate::key!("ui.panel.send"),
    crate::key!("ui.panel.send_short"),
);
pub(super) const RECV: (&str, &str) = (
    crate::key!("ui.panel.recv"),
    crate::key!("ui.panel.recv_short"),
);
pub(super) const WINDOW: (&str, &str) = (
    crate::key!("ui.panel.window"),
    crate::key!("ui.panel.window_short"),
);
