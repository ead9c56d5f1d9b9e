//! Socket panels: one per socket (listener, client, accepted), with what is true at the playback
//! position ([`crate::timeline::truth`]): the kernel's TCP state (after `close()` too, when the fd
//! is gone and the connection is not), the send buffer's unsent and unacknowledged bytes and the
//! receive queue, exact from the calls and the wire; a newer probe that disagrees wins the state
//! and is shown beside the derivation. In a replay of a plain capture the buffers come from
//! sequence and acknowledgment numbers only, and the panel says "inferred".

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Widget};
use unicode_width::UnicodeWidthStr;

use crate::tcp::ConnId;
use crate::timeline::Side;
use crate::timeline::playback::{PlayState, SocketInfo};
use crate::timeline::truth::SocketTruth;
use crate::ui::app::App;

use super::{fit, panel_pages, put};

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
    /// `local`, `send`, …: printed in a 7-cell column.
    pub label: &'static str,
    pub text: String,
    pub gauge: Option<Gauge>,
    /// Shown only in the full (boxed) panels.
    pub detail: bool,
}

impl Line {
    fn new(label: &'static str, text: String) -> Self {
        Line {
            label,
            text,
            gauge: None,
            detail: false,
        }
    }
    fn detail(text: String) -> Self {
        Line {
            label: "",
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
        state.push_str(" · fd closed");
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
    let mut title = format!("{} #{}", s.side, s.id.0);
    if s.inferred {
        title.push_str(" · inferred");
    }
    let mut lines = Vec::new();
    let addr = |a: Option<std::net::SocketAddr>| a.map(|a| a.to_string()).unwrap_or("—".into());
    if s.side == Side::Listener {
        lines.push(Line::new("bound", addr(s.local)));
        let queue = match (t.accept_queue, t.probe.and_then(|(_, p)| p.accept_queue)) {
            (Some(q), _) if q.backlog.is_some() || q.established + q.syn_received > 0 => {
                let mut text = format!("{}", q.established);
                if let Some(b) = q.backlog {
                    text.push_str(&format!(" of backlog {b}"));
                }
                if q.syn_received > 0 {
                    text.push_str(&format!(" · {} SYN_RECEIVED", q.syn_received));
                }
                text
            }
            (_, Some(q)) => format!("{} of backlog {}", q.len, q.backlog),
            _ => "—".into(),
        };
        lines.push(Line::new("queue", queue));
        lines.push(Line::detail(
            "completed connections waiting for accept()".into(),
        ));
        push_disagreement(&mut lines, t);
        return PanelView {
            title,
            state,
            flash,
            lines,
        };
    }
    lines.push(Line::new("local", addr(s.local)));
    lines.push(Line::new("remote", addr(s.remote)));
    if s.inferred {
        // From the wire: sent beyond what the peer acknowledged is in flight; the peer's
        // window bounds it (RFC 9293 §3.8.6). What the application has not read yet is
        // invisible on the wire.
        let in_flight = t.unacked;
        let peer_win = u64::from(t.peer_window.unwrap_or(0));
        lines.push(Line {
            label: "send",
            text: format!("{in_flight} of {peer_win}"),
            gauge: Some(Gauge {
                parts: [(0, GaugePart::Unsent), (in_flight, GaugePart::Unacked)],
                total: peer_win.max(in_flight).max(1),
            }),
            detail: false,
        });
        lines.push(Line::detail(format!(
            "▓ {in_flight} in flight of the peer's window"
        )));
        lines.push(Line::new("recv", "inferred (wire only)".into()));
    } else {
        let sndbuf = t.sndbuf.map(u64::from);
        let of = |b: Option<u64>| b.map(|b| b.to_string()).unwrap_or("?".into());
        lines.push(Line {
            label: "send",
            text: format!("{}+{} of {}", t.unsent, t.unacked, of(sndbuf)),
            gauge: Some(Gauge {
                parts: [
                    (t.unsent, GaugePart::Unsent),
                    (t.unacked, GaugePart::Unacked),
                ],
                total: sndbuf.unwrap_or(t.unsent + t.unacked).max(1),
            }),
            detail: false,
        });
        lines.push(Line::detail(format!(
            "█ {} unsent  ▓ {} unacked  SO_SNDBUF {}",
            t.unsent,
            t.unacked,
            of(sndbuf)
        )));
        let rcvbuf = t.rcvbuf.map(u64::from);
        let mut text = format!("{} of {}", t.recv_q, of(rcvbuf));
        if t.out_of_order > 0 {
            text.push_str(&format!(" +{} out of order", t.out_of_order));
        }
        lines.push(Line {
            label: "recv",
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
                "window",
                format!("{window} adv, {in_flight} in flight"),
            ));
        }
        None => lines.push(Line::new("window", format!("{window} advertised"))),
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
    let line = format!(
        "rtt {:.1}ms cwnd {} ssthresh {ssthresh}",
        f64::from(p.rtt_us) / 1000.0,
        p.cwnd,
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
        Some(q) => format!("probe: queue {} (derived {})", q.len, t.derived),
        None => format!(
            "probe: {}+{} recv {} (derived {})",
            p.unsent,
            p.unacked(),
            p.recv_q,
            t.derived
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
            "no sockets yet",
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
        draw_panel(app, &view, rect, full, buf);
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

fn draw_panel(app: &App, v: &PanelView, r: Rect, full: bool, buf: &mut Buffer) {
    let t = &app.theme;
    let state_style = if v.flash { t.flash } else { t.title };
    let inner = if full {
        Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .render(r, buf);
        Rect::new(
            r.x + 1,
            r.y + 1,
            r.width.saturating_sub(2),
            r.height.saturating_sub(2),
        )
    } else {
        Rect::new(
            r.x + 1,
            r.y + 1,
            r.width.saturating_sub(1),
            r.height.saturating_sub(1),
        )
    };
    // Title row: name on the left, state on the right (on the border when boxed). The state
    // always shows; a long title is cut to make room for it.
    let ty = r.y;
    let tx = r.x + 1;
    let short = |t: &str| t.split(" · ").next().unwrap_or(t).to_string();
    let mut state = v.state.clone();
    let mut title = format!(" {} ", v.title);
    if title.width() + state.width() + 5 > r.width as usize {
        // "client #1 · inferred" → "client #1": the recv line still says "inferred".
        title = format!(" {} ", short(&v.title));
    }
    if title.width() + state.width() + 5 > r.width as usize {
        // A narrow column keeps the socket's name whole: "CLOSED · fd closed" → "CLOSED".
        state = short(&v.state);
    }
    let sw = state.width() as u16 + 2;
    let title_room = r.width.saturating_sub(sw + 3);
    put(
        buf,
        tx,
        ty,
        &fit(&title, title_room as usize),
        title_room,
        t.title,
    );
    put(
        buf,
        r.right().saturating_sub(sw + 1),
        ty,
        &format!(" {state} "),
        sw,
        state_style,
    );
    let mut y = inner.y;
    for line in &v.lines {
        if y >= inner.bottom() {
            break;
        }
        // Compact panels keep the numbers that change: state, local, buffers.
        if !full && (line.detail || matches!(line.label, "remote" | "window")) {
            continue;
        }
        put(buf, inner.x, y, line.label, 7, t.dim);
        match &line.gauge {
            Some(g) => {
                let gw = if full { 10 } else { 6 };
                draw_gauge(app, g, inner.x + 7, y, gw, buf);
                let room = inner.width.saturating_sub(7 + gw + 3);
                let text = if line.text.width() > room as usize {
                    line.text.replace(" of ", "/")
                } else {
                    line.text.clone()
                };
                put(
                    buf,
                    inner.x + 7 + gw + 3,
                    y,
                    &fit(&text, room as usize),
                    room,
                    t.text,
                );
            }
            None => {
                let x = if line.detail {
                    inner.x + 1
                } else {
                    inner.x + 7
                };
                let room = inner.right().saturating_sub(x);
                put(
                    buf,
                    x,
                    y,
                    &fit(&line.text, room as usize),
                    room,
                    if line.detail { t.dim } else { t.text },
                );
            }
        }
        y += 1;
    }
}

/// `▕██▓▓░░░░░░▏`: unsent, then unacked (or queued), then free, in proportion to the buffer.
fn draw_gauge(app: &App, g: &Gauge, x: u16, y: u16, w: u16, buf: &mut Buffer) {
    let t = &app.theme;
    let total = g.total.max(1) as f64;
    let mut cells: Vec<(&str, Style)> = Vec::new();
    for (bytes, part) in g.parts {
        if bytes == 0 {
            continue;
        }
        let n = ((bytes as f64 / total) * f64::from(w)).ceil() as usize;
        let (sym, style) = match part {
            GaugePart::Unsent => ("█", t.gauge_unsent),
            GaugePart::Unacked => ("▓", t.gauge_unacked),
            GaugePart::Queued => ("█", t.gauge_queued),
        };
        cells.extend(std::iter::repeat_n((sym, style), n));
    }
    cells.truncate(w as usize);
    while cells.len() < w as usize {
        cells.push(("░", t.gauge_free));
    }
    put(buf, x, y, "▕", 1, t.border);
    for (k, (sym, style)) in cells.iter().enumerate() {
        put(buf, x + 1 + k as u16, y, sym, 1, *style);
    }
    put(buf, x + 1 + w, y, "▏", 1, t.border);
}
