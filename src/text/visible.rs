//! Text from outside (a file's comments, a traced program's arguments, a capture's strings)
//! made safe to print: every control character is shown as an escape instead of reaching the
//! terminal, where `ESC ] 0 ; … BEL` retitles the window, `ESC [ 2 J` clears it and `ESC [ ? 25 l`
//! hides the cursor (issue 16, item 3).
//!
//! Control characters are C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F; a terminal in
//! 8-bit mode takes U+009B as `ESC [`). Each becomes `\xHH`; everything else, backslashes
//! included, is shown as it is.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as itself.
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// `s` for a place that shows several lines (a transcript, a text export): newlines and tabs
/// stay, every other control character is escaped.
pub fn visible(s: &str) -> Cow<'_, str> {
    escape(s, |c| c != '\n' && c != '\t' && is_control(c))
}

/// `s` for one line (a table cell, a status bar, a label): newlines and tabs are escaped too.
pub fn visible_line(s: &str) -> Cow<'_, str> {
    escape(s, is_control)
}

fn escape(s: &str, hide: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&hide) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hide(c) {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed_unchanged() {
        let s = "Hello, 대한민국!\nrecv(1024) -> 20 bytes\tok";
        assert!(matches!(visible(s), Cow::Borrowed(_)));
        assert_eq!(visible(s), s);
    }

    #[test]
    fn terminal_sequences_are_shown_not_sent() {
        assert_eq!(visible("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(visible("\x1b[2J\x1b[?25l"), "\\x1b[2J\\x1b[?25l");
        assert_eq!(visible("del\x7f"), "del\\x7f");
        // C1: U+009B is CSI for a terminal in 8-bit mode.
        assert_eq!(visible("\u{9b}2J"), "\\x9b2J");
        assert_eq!(visible("\u{85}"), "\\x85");
    }

    #[test]
    fn newlines_and_tabs_stay_in_text_and_go_in_a_line() {
        assert_eq!(visible("a\nb\tc\r"), "a\nb\tc\\x0d");
        assert_eq!(visible_line("a\nb\tc"), "a\\x0ab\\x09c");
    }

    #[test]
    fn ordinary_text_keeps_its_backslashes() {
        assert!(matches!(visible("C:\\temp"), Cow::Borrowed(_)));
    }

    #[test]
    fn nothing_visible_contains_a_control_character() {
        let all: String = (0u32..0x200).filter_map(char::from_u32).collect();
        assert!(!visible_line(&all).chars().any(is_control));
        assert!(
            !visible(&all)
                .chars()
                .any(|c| is_control(c) && c != '\n' && c != '\t')
        );
        // Non-control text around them is kept as it was.
        assert!(visible(&all).contains("ABC") && visible(&all).contains("é"));
    }
}
