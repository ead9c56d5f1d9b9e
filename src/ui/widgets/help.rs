//! Overlays: the `?` help (every key of the current tables, so it cannot drift from the key
//! handler), the message prompt for `send`, and the scenario picker.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

use crate::ui::app::{App, SourceLabel};
use crate::ui::keymap::{self, Mode};

use super::{fit, put};

pub(super) fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub(super) fn frame(app: &App, r: Rect, title: &str, buf: &mut Buffer) -> Rect {
    Clear.render(r, buf);
    buf.set_style(r, app.theme.screen);
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.title)
        .title(format!(" {title} "))
        .title_style(app.theme.title)
        .render(r, buf);
    Rect::new(
        r.x + 2,
        r.y + 1,
        r.width.saturating_sub(4),
        r.height.saturating_sub(2),
    )
}

/// Rows of the help: one per key, keys with the same description merged (`→ l`).
pub fn help_rows(lab: bool) -> Vec<(String, &'static str)> {
    let mut rows: Vec<(String, &'static str)> = Vec::new();
    for b in keymap::table(Mode::Normal)
        .iter()
        .filter(|b| lab || !b.lab_only)
    {
        match rows.iter_mut().find(|(_, h)| *h == b.help) {
            Some((keys, _)) => {
                keys.push(' ');
                keys.push_str(b.label);
            }
            None => rows.push((b.label.to_string(), b.help)),
        }
    }
    rows
}

/// What the screen's figures and marks mean, under the keys (`?`), in the order a student
/// meets them.
pub const LEGEND: &[&str] = &[
    "═► handshake  ─► data  ╌► teardown  ━✕ reset  ┃ a lifeline blocked in a call",
    "c1 c2 …  the connection an arrow or a call belongs to, when a scenario has several",
    "═✕ SYN dropped: the listener's accept queue was full (the probes' figures beside it); \
     the client's kernel sends the SYN again a second later",
    "send 0+0 of 69120: unsent + unacked bytes in the send buffer, of its size (SO_SNDBUF)",
    "unsent: written by send(), not yet on the wire · unacked: on the wire, not yet \
     acknowledged by the peer",
    "recv 0 of 131072: bytes arrived in order, not yet returned by recv(), of SO_RCVBUF",
    "queue 1 of backlog 5: handshakes completed, waiting for accept(), against listen(5)'s \
     backlog",
    "step 29/29 (status bar): rows drawn, calls, segments and notes · event 45/45 \
     (scrubber): every event, the probes too",
];

/// What `sockviz run`'s screen adds, first under the keys: where the program's output and
/// keyboard are, and the calls only a traced program makes.
pub const RUN_LEGEND: &[&str] = &[
    "sockviz run: your program's output is printed when this screen closes (q); it reads no \
     keyboard here (for an interactive program: sockviz run --headless)",
    "exit(fd 3 closed by the kernel): the program ended without close(); the kernel closed the \
     socket, and the FIN that follows is the kernel's",
    "poll(…) select(…): the program waits for its socket to be ready, drawn ┃ as a blocked recv",
];

/// `sockviz run`'s screen: a live source the lab's keys are not attached to.
pub fn is_run(app: &App) -> bool {
    !app.lab.attached
        && matches!(&app.source, SourceLabel::Lab { scenario, .. } if scenario.starts_with("run "))
}

/// The help's lines at `width` cells: the keys (two columns when `two_cols`), a blank line,
/// the legend wrapped whole (`sockviz run`'s lines first on its screen).
fn help_lines(lab: bool, run: bool, width: usize, two_cols: bool) -> (usize, Vec<String>) {
    let rows = help_rows(lab);
    let per_col = if two_cols {
        rows.len().div_ceil(2)
    } else {
        rows.len()
    };
    let mut legend = vec![String::new()];
    let run_lines = if run { RUN_LEGEND } else { &[] };
    for text in run_lines.iter().chain(LEGEND) {
        legend.extend(crate::export::labels::wrap(text, width));
    }
    (per_col, legend)
}

/// The help's shape on a screen: (two columns of keys, popup width, keys per column, legend
/// lines, rows of text it shows at once).
fn shape(lab: bool, run: bool, area: Rect) -> (bool, u16, usize, Vec<String>, usize) {
    let rows = help_rows(lab);
    // The keys in one column when they fit, else two side by side (80×24 holds every key on
    // the first screen that way); the legend under them, scrolled to with ↓ when it does not fit.
    let w = area.width.saturating_sub(2).min(100);
    let inner_w = w.saturating_sub(4) as usize;
    let (_, legend) = help_lines(lab, run, inner_w, false);
    let two_cols = rows.len() + legend.len() + 2 > area.height as usize;
    let (per_col, legend) = help_lines(lab, run, inner_w, two_cols);
    let total = per_col + legend.len();
    let h = (total as u16 + 2).min(area.height);
    (two_cols, w, per_col, legend, h.saturating_sub(2) as usize)
}

/// How far the help scrolls at the app's screen size.
pub fn max_scroll(app: &App) -> usize {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let (_, _, per_col, legend, room) = shape(app.lab.attached, is_run(app), area);
    (per_col + legend.len()).saturating_sub(room)
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let rows = help_rows(app.lab.attached);
    let (two_cols, w, per_col, legend, room) = shape(app.lab.attached, is_run(app), area);
    let total = per_col + legend.len();
    let r = popup(area, w, room as u16 + 2);
    let scroll = app.help_scroll.min(total.saturating_sub(room));
    let title = if total > room {
        "keys · ↓↑ scroll · ? or Esc closes"
    } else {
        "keys · ? or Esc closes"
    };
    let inner = frame(app, r, title, buf);
    let t = &app.theme;
    // Each column as wide as its keys and words need (the left one first), so 80 columns
    // hold every description whole.
    let col = |k: usize| &rows[(k * per_col).min(rows.len())..((k + 1) * per_col).min(rows.len())];
    let key_w = |k: usize| {
        col(k)
            .iter()
            .map(|(keys, _)| keys.width())
            .max()
            .unwrap_or(0) as u16
            + 1
    };
    let left_w = col(0)
        .iter()
        .map(|(_, help)| help.width() as u16 + key_w(0) + 2)
        .max()
        .unwrap_or(0)
        .min(inner.width);
    let columns = if two_cols { 2 } else { 1 };
    for line in scroll..(scroll + room).min(total) {
        let y = inner.y + (line - scroll) as u16;
        if line < per_col {
            for k in 0..columns {
                let Some((keys, help)) = col(k).get(line) else {
                    continue;
                };
                let (x, right) = if k == 0 {
                    (inner.x, inner.x + left_w)
                } else {
                    (inner.x + left_w, inner.right())
                };
                let kw = key_w(k);
                put(buf, x, y, keys, kw - 1, t.key);
                let room = right.saturating_sub(x + kw);
                put(buf, x + kw, y, &fit(help, room as usize), room, t.text);
            }
        } else {
            let text = &legend[line - per_col];
            put(buf, inner.x, y, text, inner.width, t.dim);
        }
    }
    if total > room && scroll + room < total {
        let more = " ↓ more ";
        put(
            buf,
            r.right().saturating_sub(10),
            r.bottom() - 1,
            more,
            8,
            t.title,
        );
    }
}

pub fn render_input(app: &App, area: Rect, buf: &mut Buffer) {
    let r = popup(area, 70, 5);
    let call = if app.lab.input_all { "sendall" } else { "send" };
    let inner = frame(
        app,
        r,
        &format!("client {call}() · Enter sends · Esc cancels"),
        buf,
    );
    let t = &app.theme;
    let text = format!("> {}▏", app.lab.input);
    // Keep the end of a long message (where the cursor is) in view, cutting whole characters
    // by their cells (a Korean syllable is two), never half of one.
    let mut shown = text.as_str();
    while shown.width() > inner.width as usize {
        let mut chars = shown.chars();
        chars.next();
        shown = chars.as_str();
    }
    put(buf, inner.x, inner.y, shown, inner.width, t.text);
    let info = format!(
        "{} characters, {} bytes of UTF-8",
        app.lab.input.chars().count(),
        app.lab.input.len()
    );
    put(buf, inner.x, inner.y + 2, &info, inner.width, t.dim);
}

pub fn render_picker(app: &App, area: Rect, buf: &mut Buffer) {
    let all = crate::lab::scenario::ALL;
    let r = popup(area, 100, all.len() as u16 + 2);
    let inner = frame(app, r, "scenario · Enter runs · Esc cancels", buf);
    let t = &app.theme;
    for (k, s) in all.iter().enumerate() {
        let y = inner.y + k as u16;
        if y >= inner.bottom() {
            break;
        }
        let style = if k == app.lab.scenario {
            t.selected
        } else {
            t.text
        };
        let line = format!("{:<12} {}", s.name, s.summary());
        put(
            buf,
            inner.x,
            y,
            &fit(&line, inner.width as usize),
            inner.width,
            style,
        );
    }
}
