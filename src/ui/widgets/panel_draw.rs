//! Drawing one socket panel from its [`PanelView`]: the title with the state, each line's
//! label in a column as wide as the labels need (Korean ones are wider), the gauges.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Widget};
use unicode_width::UnicodeWidthStr;

use crate::ui::app::App;

use super::socket_panel::{Gauge, GaugePart, Line, PanelView, REMOTE, WINDOW};
use super::{fit, put};

pub(super) fn draw_panel(app: &App, v: &PanelView, r: Rect, full: bool, buf: &mut Buffer) {
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
    let gw = if full { 10 } else { 6 };
    let lw = label_width(v, inner.width, gw);
    for line in &v.lines {
        if y >= inner.bottom() {
            break;
        }
        // Compact panels keep the numbers that change: state, local, buffers.
        if !full && (line.detail || line.label == REMOTE.0 || line.label == WINDOW.0) {
            continue;
        }
        if !line.label.is_empty() {
            put(buf, inner.x, y, label_text(line, lw), lw, t.dim);
        }
        match &line.gauge {
            Some(g) => {
                draw_gauge(app, g, inner.x + lw, y, gw, buf);
                let room = inner.width.saturating_sub(lw + gw + 3);
                let text = match &line.short {
                    Some(short) if line.text.width() > room as usize => short.clone(),
                    _ => line.text.clone(),
                };
                put(
                    buf,
                    inner.x + lw + gw + 3,
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
                    inner.x + lw
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

/// The label column's width: as wide as the widest label and a space, never narrower than
/// English's 7 cells; the labels whole (`수신 버퍼`) unless their short forms (`수신`) let more
/// lines' (short) texts fit whole beside them.
fn label_width(v: &PanelView, width: u16, gw: u16) -> u16 {
    let column = |short: bool| {
        v.lines
            .iter()
            .filter(|l| !l.label.is_empty())
            .map(|l| crate::i18n::t(if short { l.short_label } else { l.label }).width() as u16 + 1)
            .max()
            .unwrap_or(0)
            .max(7)
    };
    let fitting = |lw: u16| {
        v.lines
            .iter()
            .filter(|l| !l.label.is_empty())
            .filter(|l| {
                let text = l.short.as_deref().unwrap_or(&l.text).width() as u16;
                match l.gauge {
                    Some(_) => text + lw + gw + 3 <= width,
                    None => text + lw <= width,
                }
            })
            .count()
    };
    let (whole, short) = (column(false), column(true));
    // Short labels only where they let more lines show whole.
    if fitting(short) > fitting(whole) {
        short
    } else {
        whole
    }
}

/// The label drawn in a column `lw` cells wide: whole when it fits, else its short form.
fn label_text(line: &Line, lw: u16) -> &'static str {
    let whole = crate::i18n::t(line.label);
    if (whole.width() as u16) < lw {
        whole
    } else {
        crate::i18n::t(line.short_label)
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
