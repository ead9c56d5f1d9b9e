//! A segment in words: the TUI ladder's arrow label (shortened to fit), the exported diagram's
//! label and the transcript's line.

use unicode_width::UnicodeWidthStr;

use crate::tcp::{Analysis, Direction};
use crate::timeline::SegmentEvent;

use super::fit;

/// `SYN seq=0 ack=0 len=0 win=64240`, shortened to fit `room` cells (the TUI ladder).
pub fn segment_label(s: &SegmentEvent, room: usize) -> String {
    let mut extra = String::new();
    if s.analysis.contains(Analysis::RETRANSMISSION) {
        extra.push_str(" retx");
    }
    if s.analysis.contains(Analysis::ZERO_WINDOW) {
        extra.push_str(" zero-win");
    }
    let long = format!(
        "{} seq={} ack={} len={} win={}{extra}",
        s.flags,
        s.rel_seq,
        s.ack_shown(),
        s.len,
        s.window
    );
    if long.width() <= room {
        return long;
    }
    let short = format!(
        "{} {}:{} ·{} w{}{extra}",
        s.flags,
        s.rel_seq,
        s.ack_shown(),
        s.len,
        s.window
    );
    if short.width() <= room {
        return short;
    }
    // Flag names stay readable; the window or the length goes.
    let tail = if s.len > 0 {
        format!("·{}", s.len)
    } else {
        format!("w{}", s.window)
    };
    let shorter = format!("{} {}:{} {tail}", s.flags, s.rel_seq, s.ack_shown());
    if shorter.width() <= room {
        return shorter;
    }
    // tcpdump's letters: S SYN, F FIN, R RST, P PSH, `.` ACK.
    let mut f = String::new();
    for (on, c) in [
        (s.flags.syn(), 'S'),
        (s.flags.fin(), 'F'),
        (s.flags.rst(), 'R'),
        (s.flags.psh(), 'P'),
        (s.flags.ack(), '.'),
    ] {
        if on {
            f.push(c);
        }
    }
    let tiny = format!(
        "{f} {}:{} ·{} w{}",
        s.rel_seq,
        s.ack_shown(),
        s.len,
        s.window
    );
    fit(&tiny, room)
}

/// Short UTF-8 payloads as quoted text (the lecture's `Hello, 대한민국!`).
pub fn payload_text(data: &[u8]) -> Option<String> {
    if data.is_empty() || data.len() > 40 {
        return None;
    }
    std::str::from_utf8(data)
        .ok()
        .filter(|t| !t.chars().any(char::is_control))
        .map(|t| format!("\"{t}\""))
}

/// `SYN seq=0 win=64240`, `PSH,ACK seq=1 ack=1 len=20 win=64512 "Hello, 대한민국!"`: the
/// exported diagram's label.
pub fn segment_text(s: &SegmentEvent) -> String {
    let mut label = format!("{} seq={}", s.flags, s.rel_seq);
    if s.flags.ack() {
        label.push_str(&format!(" ack={}", s.ack_shown()));
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

/// `client ──► server  PSH,ACK  seq=1 ack=1 len=20 win=65483   [ESTABLISHED / ESTABLISHED]`:
/// the headless transcript's line.
pub fn segment_line(s: &SegmentEvent) -> String {
    let arrow = match s.dir {
        Direction::ToServer => "client ──► server",
        Direction::ToClient => "client ◄── server",
    };
    let analysis = if s.analysis.is_empty() {
        String::new()
    } else {
        format!("  <{}>", s.analysis)
    };
    format!(
        "{arrow}  {:<8} seq={} ack={} len={} win={}   [{} / {}]{analysis}",
        s.flags.to_string(),
        s.rel_seq,
        s.ack_shown(),
        s.len,
        s.window,
        s.client_state,
        s.server_state
    )
}
