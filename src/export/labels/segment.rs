//! A segment in words: the TUI ladder's arrow label (shortened to fit), the exported diagram's
//! label and the transcript's line.

use unicode_width::UnicodeWidthStr;

use crate::tcp::{Analysis, Direction};
use crate::timeline::SegmentEvent;

use super::fit_words;

/// A segment in a student's words: `SYN`, `SYN+ACK`, `ACK`, `data 20 B`, `FIN`, `data 376 B +
/// FIN`, `RST`; with what the analysis found said plainly: `resent 20 B` (a retransmission),
/// `window 0` (the receiver's buffer is full), `keep_alive` (a zero-window probe, as the headless
/// output and Wireshark name it), the words for a retransmission and a zero window given in the
/// reader's language.
fn words(s: &SegmentEvent, resent_word: &str, window0: &str) -> String {
    let f = s.flags;
    if s.analysis.contains(Analysis::KEEP_ALIVE) || s.analysis.contains(Analysis::ZERO_WINDOW_PROBE)
    {
        return "keep_alive".into();
    }
    let resent = s.analysis.contains(Analysis::RETRANSMISSION);
    let mut w = if f.rst() {
        "RST".to_string()
    } else if f.syn() && f.ack() {
        "SYN+ACK".to_string()
    } else if f.syn() {
        "SYN".to_string()
    } else if s.len > 0 {
        let data = format!("{} {} B", if resent { resent_word } else { "data" }, s.len);
        if f.fin() {
            format!("{data} + FIN")
        } else {
            data
        }
    } else if f.fin() {
        "FIN".to_string()
    } else if s.window == 0 || s.analysis.contains(Analysis::ZERO_WINDOW) {
        return window0.into();
    } else {
        "ACK".to_string()
    };
    if resent && s.len == 0 {
        w.push(' ');
        w.push_str(resent_word);
    }
    w
}

/// `SYN seq=0 ack=0 len=0 win=64240`, shortened to fit `room` cells (the TUI ladder): the
/// flags and numbers when they fit, else the student's words with the sequence numbers, else
/// the words alone (`SYN+ACK`, `data 20 B`).
pub fn segment_label(s: &SegmentEvent, room: usize) -> String {
    let resent = crate::i18n::t("ui.seg.resent");
    let window0 = crate::i18n::t("ui.seg.window0");
    let mut extra = String::new();
    if s.analysis.contains(Analysis::RETRANSMISSION) {
        extra.push(' ');
        extra.push_str(resent);
    }
    if s.analysis.contains(Analysis::ZERO_WINDOW) {
        extra.push(' ');
        extra.push_str(window0);
    }
    if s.analysis.contains(Analysis::KEEP_ALIVE) || s.analysis.contains(Analysis::ZERO_WINDOW_PROBE)
    {
        extra.push_str(" keep_alive");
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
    let words = words(s, resent, window0);
    let medium = format!("{words} seq={} ack={}", s.rel_seq, s.ack_shown());
    if medium.width() <= room {
        return medium;
    }
    // Whole words or none: `data …`, never `dat…`.
    fit_words(&words, room)
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
    let arrow = match (s.dir, s.lost) {
        (Direction::ToServer, false) => "client ──► server",
        (Direction::ToClient, false) => "client ◄── server",
        (Direction::ToServer, true) => "client ──✗ server",
        (Direction::ToClient, true) => "client ✗── server",
    };
    let mut analysis = if s.analysis.is_empty() {
        String::new()
    } else {
        format!("  <{}>", s.analysis)
    };
    if !s.sack.is_empty() {
        let blocks: Vec<String> = s.sack.iter().map(|(l, r)| format!("{l}-{r}")).collect();
        analysis.push_str(&format!("  <SACK {}>", blocks.join(" ")));
    }
    if s.lost {
        analysis.push_str("  <lost on the link>");
    }
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
