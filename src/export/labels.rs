//! Words for calls and segments, in every form a view needs, written once: the TUI's ladder
//! (long, plain and short, to fit the terminal), the call log's Python, the exported diagram and
//! the headless transcript. Everything here is a pure function of a timeline event.
//!
//! It lives under `export` so the exports and the headless writers use it without importing the
//! TUI; the TUI imports it from here.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::timeline::call::{SockOpt, py_addr};
use crate::timeline::{Call, CallEvent, Side};

/// `text` cut to at most `max` terminal cells, ending in `…` when cut; control characters
/// from a file are shown (`␛`, [`crate::text::visible`]) and counted as the cell they take.
pub fn fit(text: &str, max: usize) -> String {
    let text = crate::text::visible(text);
    let text = text.as_ref();
    if text.width() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in text.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

/// [`fit`] cutting between words: a cut inside a word backs off to the space before it, so a
/// status-bar hint or message never shows half a word (`재생속…`), only whole ones and `…`.
pub fn fit_words(text: &str, max: usize) -> String {
    let fitted = fit(text, max);
    let Some(kept) = fitted.strip_suffix('…') else {
        return fitted;
    };
    let shown = crate::text::visible(text);
    let next = shown.get(kept.len()..).and_then(|rest| rest.chars().next());
    if kept.is_empty() || kept.ends_with(' ') || next == Some(' ') {
        return fitted;
    }
    // Not even the first word fits: nothing rather than a piece of it.
    kept.rfind(' ')
        .map_or_else(String::new, |k| format!("{}…", &kept[..=k]))
}

/// `text` broken at spaces into lines of at most `width` cells (a word wider than a line is
/// cut across lines), control characters shown as in [`fit`]: a note or an error readable
/// whole in a narrow terminal.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let text = crate::text::visible(text);
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut w = 0;
    for word in unbreakable_words(&text) {
        let word = word.as_str();
        let ww = word.width();
        if w > 0 && w + 1 + ww > width {
            lines.push(std::mem::take(&mut line));
            w = 0;
        }
        if w > 0 {
            line.push(' ');
            w += 1;
        }
        for ch in word.chars() {
            let cw = ch.width().unwrap_or(0);
            if w + cw > width && w > 0 {
                lines.push(std::mem::take(&mut line));
                w = 0;
            }
            line.push(ch);
            w += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Units a number is never parted from at a line break (`4 ms`, `8 bytes`, `50 %`).
const UNITS: [&str; 14] = [
    "ms", "s", "µs", "us", "ns", "B", "byte", "bytes", "KiB", "MiB", "KB", "MB", "GB", "%",
];

/// The words of `text` for [`wrap`], a number joined with the unit after it (`(blocked 4 ms)`
/// breaks before `4 ms)`, never between): what a non-breaking space does in print.
fn unbreakable_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut after_number = false;
    for word in text.split(' ').filter(|s| !s.is_empty()) {
        let unit = word.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '%');
        let joined = after_number && UNITS.contains(&unit);
        let digits = word.trim_start_matches(['(', '[', '~']);
        after_number = !joined
            && !digits.is_empty()
            && digits
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
        match words.last_mut() {
            Some(last) if joined => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    words
}

/// Bytes as text when they are short, valid UTF-8; otherwise nothing (the length says enough).
pub fn text_of(data: &[u8]) -> Option<String> {
    if data.is_empty() || data.len() > 64 {
        return None;
    }
    std::str::from_utf8(data).ok().map(str::to_string)
}

/// The accepted peer's address, as the lecture's `conn, addr = s.accept()` prints `addr`.
pub fn accepted_from(c: &CallEvent) -> Option<String> {
    match &c.call {
        Call::Accept { peer: Some(p) } => Some(py_addr(*p)),
        _ => None,
    }
}

/// `connect()`, `recv(1024) → b'' [12ms]`, `accept() → #3`: what a call did and how long it
/// blocked, in a few cells (the TUI ladder's long form).
pub fn call_label(c: &CallEvent) -> String {
    let mut s = call_label_plain(c);
    let blocked = c.blocked_secs();
    if blocked >= 0.001 {
        s.push_str(&format!(" [{:.0}ms]", blocked * 1000.0));
    }
    s
}

/// The label without the block time.
pub fn call_label_plain(c: &CallEvent) -> String {
    let mut s = match &c.call {
        Call::Socket(_) => "socket()".to_string(),
        Call::Bind { addr } | Call::Connect { addr } => {
            format!("{}(:{})", c.call.name(), addr.port())
        }
        Call::Accept { .. } => match c.ret {
            Some(id) => format!("accept() → #{id}"),
            None => "accept()".into(),
        },
        // sendall returns None in Python: only send's count is worth printing.
        Call::Send { all: false, .. } => format!(
            "send({}) → {}",
            c.len.unwrap_or(0),
            c.ret.map(|r| r.to_string()).unwrap_or_else(|| "?".into())
        ),
        Call::Send { all: true, .. } => format!("sendall({})", c.len.unwrap_or(0)),
        Call::Recv { bufsize } => match c.len {
            Some(0) => format!("recv({bufsize}) → b''"),
            Some(n) => format!("recv({bufsize}) → {n}"),
            None => format!("recv({bufsize})"),
        },
        Call::SetSockOpt(opt) => setsockopt_label(*opt),
        other => other.to_string(),
    };
    if let Some(e) = c.errno {
        s.push_str(&format!(" ✗ {}", e.name));
    }
    s
}

/// `setsockopt(SO_LINGER, (1, 0))`, `setsockopt(TCP_NODELAY, 1)`: the option and its value,
/// which are the lesson (the level is in the call log's Python).
fn setsockopt_label(opt: SockOpt) -> String {
    format!("setsockopt({}, {})", opt.name(), opt.value())
}

/// A call as it starts, before its result is known: `recv(1024)`, `connect(:7)`,
/// `sendall(20)`, `accept()`.
pub fn call_label_start(c: &CallEvent) -> String {
    match &c.call {
        Call::Bind { addr } | Call::Connect { addr } => {
            format!("{}(:{})", c.call.name(), addr.port())
        }
        Call::Accept { .. } => "accept()".into(),
        Call::Send { len, .. } => format!("{}({len})", c.call.name()),
        Call::Recv { bufsize } => format!("recv({bufsize})"),
        Call::SetSockOpt(opt) => setsockopt_label(*opt),
        other => other.to_string(),
    }
}

/// `recv(1024)→20`, `send(20)→20`, `accept→#3`, `setsockopt`: the same forms without spaces,
/// for narrow terminals (a call whose argument does not fit is written whole under its row).
pub fn call_label_short(c: &CallEvent) -> String {
    let name = c.call.name();
    let mut s = match &c.call {
        Call::Send { all: true, .. } => format!("sendall({})", c.len.unwrap_or(0)),
        Call::Send { len, .. } => match c.ret {
            Some(n) => format!("{name}({len})→{n}"),
            None => format!("{name}({len})"),
        },
        Call::Recv { bufsize } => match c.ret {
            Some(0) => format!("recv({bufsize})→b''"),
            Some(n) => format!("recv({bufsize})→{n}"),
            None => format!("recv({bufsize})"),
        },
        Call::Accept { .. } => match c.ret {
            Some(id) => format!("accept→#{id}"),
            None => "accept".into(),
        },
        _ => name.to_string(),
    };
    if let Some(e) = c.errno {
        s.push_str(&format!(" ✗{}", e.name));
    }
    s
}

/// `recv(1024) → 20`, `recv(1024) → b''` (the peer's FIN, as the lecture writes it),
/// `connect(('127.0.0.1', 7)) → ECONNREFUSED`: the exported diagram's form.
pub fn call_text(c: &CallEvent) -> String {
    let result = match (c.errno, c.ret) {
        (Some(e), _) => format!(" → {}", e.name),
        (None, Some(0)) if c.call.reads() => " → b''".to_string(),
        (None, Some(r)) => format!(" → {r}"),
        (None, None) => String::new(),
    };
    let blocked = c.blocked_secs() * 1e3;
    let blocked = if blocked >= 1.0 {
        format!(
            " ({})",
            crate::tr!("out.call.blocked", ms = format!("{blocked:.0}"))
        )
    } else {
        String::new()
    };
    // The option and its value, as the TUI writes them (the level adds nothing to the lesson).
    let call = match &c.call {
        Call::SetSockOpt(opt) => setsockopt_label(*opt),
        call => call.to_string(),
    };
    format!("{call}{result}{blocked}")
}

/// `recv(1024) -> 20 bytes "Hello"   [blocked 3.1 ms]`: the headless transcript's form.
pub fn call_line(c: &CallEvent) -> String {
    let result = match (c.errno, c.ret) {
        (Some(e), _) => format!(" -> {} ({})", e.name, python_error(e)),
        (None, Some(r)) => match &c.call {
            Call::Recv { .. } if r == 0 => " -> b''".to_string(),
            Call::Recv { .. } => match text_of(&c.data) {
                Some(t) => format!(" -> {r} bytes {t:?}"),
                None => format!(" -> {r} bytes"),
            },
            Call::Accept { .. } => {
                let peer =
                    accepted_from(c).unwrap_or_else(|| String::from_utf8_lossy(&c.data).into());
                format!(
                    " -> {}",
                    crate::tr!("out.call.accepted", sock = r, peer = peer)
                )
            }
            Call::Socket(_) => format!(" -> sock {r}"),
            _ => format!(" -> {r}"),
        },
        (None, None) => String::new(),
    };
    let blocked = c.blocked_secs();
    let blocked = if blocked >= 0.001 {
        let ms = format!("{:.1}", blocked * 1e3);
        format!("   [{}]", crate::tr!("out.call.blocked", ms = ms))
    } else {
        String::new()
    };
    format!("{}{result}{blocked}", c.call)
}

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

/// The line Python prints when the call raised: `BrokenPipeError: [Errno 32] Broken pipe`
/// (the call log writes it under the call, as a traceback ends).
pub fn python_raised(c: &CallEvent) -> Option<String> {
    c.errno.map(python_error)
}

/// One call as a line of Python, with its result: the call log's form (an error is the next
/// line, [`python_raised`]).
pub fn python_line(c: &CallEvent) -> String {
    let v = var(c);
    let name = c.call.name();
    let mut line = match &c.call {
        Call::Socket(_) => format!("{v} = socket.socket({})", c.call.python()),
        Call::Accept { .. } => format!(
            "conn, addr = {v}.accept()  # addr = {}",
            accepted_from(c).unwrap_or_else(|| String::from_utf8_lossy(&c.data).into())
        ),
        Call::Send { all, .. } => {
            let ret = if *all {
                String::new()
            } else {
                c.ret.map(|r| format!(" -> {r}")).unwrap_or_default()
            };
            format!("{v}.{name}({}){ret}", py_bytes(&c.data, 24))
        }
        Call::Recv { bufsize } => {
            if c.ok() {
                format!("{v}.recv({bufsize}) -> {}", py_bytes(&c.data, 24))
            } else {
                format!("{v}.recv({bufsize})")
            }
        }
        Call::Shutdown(how) => format!("{v}.shutdown(socket.{})", how.name()),
        // Waiting for the socket to be ready: the module's call, not the socket's.
        Call::Select(w) => {
            let list = |on: bool| if on { format!("[{v}]") } else { "[]".into() };
            let timeout = w
                .timeout_ms
                .map(|ms| format!(", {}", ms as f64 / 1000.0))
                .unwrap_or_default();
            format!(
                "r, w, x = select.select({}, {}, []{timeout})",
                list(w.read),
                list(w.write)
            )
        }
        Call::Poll { .. } => format!("events = poller.poll({})", c.call.python()),
        Call::Exit { fd } => {
            format!("# {}", crate::tr!("out.call.exited", sock = v, fd = fd))
        }
        call => format!("{v}.{call}"),
    };
    if c.errno.is_none() && c.blocked_secs() >= 0.001 {
        let ms = format!("{:.1}", c.blocked_secs() * 1000.0);
        line.push_str(&format!("  # {}", crate::tr!("out.call.blocked", ms = ms)));
    }
    line
}

/// Segment labels: the TUI ladder's, shortened to `room` cells, and the exports' full form.
mod segment;
pub use segment::{payload_text, segment_label, segment_line, segment_text};

/// Errors as Python 3 raises them (`BrokenPipeError: [Errno 32] Broken pipe`).
mod python_error;
pub use python_error::{exception_class, python_error, strerror, utf8_decode_error};

#[cfg(test)]
mod wrap_tests {
    use super::wrap;

    #[test]
    fn a_number_and_its_unit_stay_on_one_line() {
        // The slide's call column (echo's data slide): it broke as `… (blocked 4` / `ms)`.
        let lines = wrap("recv(1024) → 20 (blocked 4 ms)", 26);
        assert_eq!(lines, ["recv(1024) → 20 (blocked", "4 ms)"]);
        let lines = wrap("sent 8 bytes in 12.5 ms", 13);
        assert_eq!(lines, ["sent 8 bytes", "in 12.5 ms"]);
        // Plain words still break at every space, and a number without a unit too.
        assert_eq!(
            wrap("queue 2 of backlog 1", 8),
            ["queue 2", "of", "backlog", "1"]
        );
    }
}
