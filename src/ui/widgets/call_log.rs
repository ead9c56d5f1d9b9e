//! The call log: the selected side's socket calls up to the playback position, written as the
//! lecture's Python (`s.connect(('127.0.0.1', 7))`, `s.recv(1024) -> b''`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::timeline::{CallEvent, EventKind, Side};
use crate::ui::action::LabSide;
use crate::ui::app::App;

use super::{fit, put};

/// How far back the log looks for calls: drawing cost must not grow with the timeline.
const LOOKBACK: usize = 20_000;

pub use crate::export::labels::{py_bytes, python_line, python_raised};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let side = app.log_side;
    let inner = super::pane(
        area,
        buf,
        t,
        format!(
            " {} ",
            crate::tr!("ui.calls.title", side = super::side_name_lab(side))
        ),
    );
    let wanted = |s: Side| match side {
        LabSide::Client => s == Side::Client,
        LabSide::Server => s != Side::Client,
    };
    let rows = inner.height as usize;
    let focus = app.focus();
    // Newest first: (event, call, the line Python printed when it raised).
    let mut lines: Vec<(usize, &CallEvent, Option<String>)> = Vec::new();
    let from = app.playback.pos.saturating_sub(LOOKBACK);
    for (i, ev) in app.events()[from..app.playback.pos]
        .iter()
        .enumerate()
        .rev()
    {
        if let EventKind::Call(c) = &ev.kind
            && wanted(c.side)
        {
            if let Some(raised) = python_raised(c) {
                lines.push((from + i, c, Some(raised)));
            }
            lines.push((from + i, c, None));
            if lines.len() >= rows {
                break;
            }
        }
    }
    lines.truncate(rows);
    if lines.is_empty() {
        let what = if app.inferred() {
            crate::i18n::t("ui.calls.capture_only")
        } else {
            crate::i18n::t("ui.calls.none_yet")
        };
        put(buf, inner.x, inner.y, what, inner.width, t.dim);
        return;
    }
    for (row, (i, c, raised)) in lines.iter().rev().enumerate() {
        let y = inner.y + row as u16;
        let style = if Some(*i) == focus {
            t.call.patch(t.selected)
        } else if c.errno.is_some() {
            t.error
        } else {
            t.text
        };
        let text = match raised {
            Some(raised) => raised.clone(),
            None => python_line(c),
        };
        put(
            buf,
            inner.x,
            y,
            &fit(&text, inner.width as usize),
            inner.width,
            style,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_like_python() {
        assert_eq!(
            py_bytes("Hello, 대".as_bytes(), 12),
            "b'Hello, \\xeb\\x8c\\x80'"
        );
        assert_eq!(py_bytes(b"", 12), "b''");
        assert_eq!(py_bytes(b"abcdef", 3), "b'abc...'");
    }
}
