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

/// `b'Hello, \xeb\x8c\x80...'`: Python's `repr` of bytes, cut after `max` bytes.
pub fn py_bytes(data: &[u8], max: usize) -> String {
    let mut s = String::from("b'");
    for &b in data.iter().take(max) {
        match b {
            b'\'' => s.push_str("\\'"),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if data.len() > max {
        s.push_str("...");
    }
    s.push('\'');
    s
}

/// The Python variable the lecture would use for this socket.
fn var(c: &CallEvent) -> &'static str {
    match c.side {
        Side::Client => "s",
        Side::Listener => "srv",
        Side::Server => "conn",
    }
}

/// One call as a line of Python, with its result.
pub fn python_line(c: &CallEvent) -> String {
    let v = var(c);
    let mut line = match c.call {
        "socket" => format!("{v} = socket.socket(AF_INET, SOCK_STREAM)"),
        "accept" => format!(
            "conn, addr = {v}.accept()  # addr = {}",
            String::from_utf8_lossy(&c.data)
        ),
        "send" | "sendall" => {
            let ret = if c.call == "send" {
                c.ret.map(|r| format!(" -> {r}")).unwrap_or_default()
            } else {
                String::new()
            };
            format!("{v}.{}({}){ret}", c.call, py_bytes(&c.data, 24))
        }
        "recv" => {
            if c.ok() {
                format!("{v}.recv({}) -> {}", c.args, py_bytes(&c.data, 24))
            } else {
                format!("{v}.recv({})", c.args)
            }
        }
        "shutdown" => format!("{v}.shutdown(socket.{})", c.args),
        "setsockopt" => format!("{v}.setsockopt({})", c.args),
        call => format!("{v}.{call}({})", c.args),
    };
    if let Some(e) = c.errno {
        line.push_str(&format!("  # raises OSError [{}]", e.name));
    } else if c.blocked_secs() >= 0.001 {
        line.push_str(&format!("  # blocked {:.1} ms", c.blocked_secs() * 1000.0));
    }
    line
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let side = app.log_side;
    let inner = super::pane(
        area,
        buf,
        t,
        format!(" call log · {} (v: switch side) ", side.name()),
    );
    let wanted = |s: Side| match side {
        LabSide::Client => s == Side::Client,
        LabSide::Server => s != Side::Client,
    };
    let rows = inner.height as usize;
    let focus = app.focus();
    let mut lines: Vec<(usize, &CallEvent)> = Vec::new();
    let from = app.playback.pos.saturating_sub(LOOKBACK);
    for (i, ev) in app.events()[from..app.playback.pos]
        .iter()
        .enumerate()
        .rev()
    {
        if let EventKind::Call(c) = &ev.kind
            && wanted(c.side)
        {
            lines.push((from + i, c));
            if lines.len() == rows {
                break;
            }
        }
    }
    if lines.is_empty() {
        let what = if app.inferred() {
            "a capture shows the wire only: socket calls are known in the live lab"
        } else {
            "no calls on this side yet"
        };
        put(buf, inner.x, inner.y, what, inner.width, t.dim);
        return;
    }
    for (row, (i, c)) in lines.iter().rev().enumerate() {
        let y = inner.y + row as u16;
        let style = if Some(*i) == focus {
            t.call.patch(t.selected)
        } else if c.errno.is_some() {
            t.error
        } else {
            t.text
        };
        put(
            buf,
            inner.x,
            y,
            &fit(&python_line(c), inner.width as usize),
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
