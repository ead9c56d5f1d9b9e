//! Overlays: the `?` help (every key of the current tables, so it cannot drift from the key
//! handler), the message prompt for `send`, and the scenario picker.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

use crate::ui::app::App;
use crate::ui::keymap::{self, Mode};

use super::{fit, put};

fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn frame(app: &App, r: Rect, title: &str, buf: &mut Buffer) -> Rect {
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

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let rows = help_rows(app.lab.attached);
    // One column when it fits; two side by side otherwise (80×24 holds every key that way).
    let one_col_h = rows.len() as u16 + 4;
    let two_cols = one_col_h > area.height;
    let per_col = if two_cols {
        rows.len().div_ceil(2)
    } else {
        rows.len()
    };
    let w = if two_cols {
        area.width.saturating_sub(2).min(84)
    } else {
        area.width.saturating_sub(2).min(52)
    };
    let h = (per_col as u16 + 4).min(area.height);
    let r = popup(area, w, h);
    let inner = frame(app, r, "keys · ? or Esc closes", buf);
    let t = &app.theme;
    let col_w = if two_cols {
        inner.width / 2
    } else {
        inner.width
    };
    let key_w = 9;
    for (k, (keys, help)) in rows.iter().enumerate() {
        let (col, row) = (k / per_col, k % per_col);
        let y = inner.y + row as u16;
        if y >= inner.bottom().saturating_sub(1) {
            continue;
        }
        let x = inner.x + col as u16 * col_w;
        put(buf, x, y, &fit(keys, key_w as usize - 1), key_w - 1, t.key);
        let room = col_w.saturating_sub(key_w + 1);
        put(buf, x + key_w, y, &fit(help, room as usize), room, t.text);
    }
    let y = inner.bottom().saturating_sub(1);
    let legend = "═► handshake ─► data ╌► teardown ━✕ reset · ┃ blocked in a call";
    put(
        buf,
        inner.x,
        y,
        &fit(legend, inner.width as usize),
        inner.width,
        t.dim,
    );
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
    let tw = text.width();
    let shown = if tw > inner.width as usize {
        // Keep the end of a long message (where the cursor is) in view.
        let skip = tw - inner.width as usize;
        text.chars().skip(skip).collect()
    } else {
        text
    };
    put(buf, inner.x, inner.y, &shown, inner.width, t.text);
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
        let line = format!("{:<12} {}", s.name, s.summary);
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
