//! Text from outside shown safely: anything read from a file or a traced program (a recording's
//! notes and call arguments, a capture's comments and names, a file name) may hold terminal
//! control sequences. Printed raw, `\x1b]0;…\x07` retitles the user's terminal, `\x1b[2J`
//! clears it, `\x1b[?25l` hides the cursor. Every view shows control characters instead, the
//! way Wireshark and `cat -v` do:
//!
//! - C0 controls (U+0000-U+001F) as their Unicode control pictures, one cell each: ESC `␛`,
//!   BEL `␇`, CR `␍`, newline `␊`, tab `␉` (in one-line views; multi-line text outputs keep
//!   newline and tab); DEL as `␡`;
//! - C1 controls (U+0080-U+009F, which some terminals obey like ESC sequences) and the
//!   bidirectional overrides that reorder what is shown (U+202A-U+202E, U+2066-U+2069) as
//!   `\u{9b}`;
//! - in JSON, which already escapes C0, DEL and C1 as `\u007f`..`\u009f`: same data, no raw
//!   control byte on the terminal.
//!
//! [`visible`] is the one pure function; [`Visible`] applies it to a whole output stream (the
//! transcripts, `inspect`, the exports), so a string no one thought of is covered too.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// How one character is shown, or `None` when it is shown as itself.
fn picture(c: char, keep_lines: bool) -> Option<Cow<'static, str>> {
    match c {
        '\n' | '\t' if keep_lines => None,
        '\u{0}'..='\u{1f}' => {
            let pic = char::from_u32(0x2400 + c as u32).expect("U+2400..U+241F are characters");
            Some(Cow::Owned(pic.to_string()))
        }
        '\u{7f}' => Some(Cow::Borrowed("␡")),
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            Some(Cow::Owned(format!("\\u{{{:x}}}", c as u32)))
        }
        _ => None,
    }
}

fn needs(c: char) -> bool {
    picture(c, false).is_some()
}

/// `text` with every control character made visible, for one line of a view (a ladder label,
/// a picker row, a transcript line): newline and tab too.
pub fn visible(text: &str) -> Cow<'_, str> {
    convert(text, false)
}

/// As [`visible`], keeping newline and tab (text that is meant to span lines).
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    convert(text, true)
}

fn convert(text: &str, keep_lines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| picture(c, keep_lines).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match picture(c, keep_lines) {
            Some(p) => out.push_str(&p),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `text` holds a character a terminal would obey rather than show (C0 other than
/// newline and tab, DEL, C1): what the tests assert never reaches standard output.
pub fn has_control(text: &str) -> bool {
    text.chars().any(|c| c != '\n' && c != '\t' && needs(c))
}

/// What a [`Visible`] writer does to control characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Plain text (transcripts, tables, txt and svg exports): [`visible_lines`].
    Text,
    /// JSON: DEL and C1 (which JSON may carry raw) as `\u00XX` escapes; C0 is already escaped.
    Json,
}

/// A writer that shows control characters instead of passing them to the terminal. Bytes that
/// are not UTF-8 are written as `\xNN`. Call `flush` at the end: a character cut between two
/// writes is held until the rest comes.
pub struct Visible<W: Write> {
    inner: W,
    form: Form,
    /// The start of a UTF-8 character whose other bytes have not come yet.
    pending: Vec<u8>,
}

impl<W: Write> Visible<W> {
    /// For text meant to be read: newline and tab kept, every other control made visible.
    pub fn text(inner: W) -> Self {
        Visible {
            inner,
            form: Form::Text,
            pending: Vec::new(),
        }
    }

    /// For JSON: DEL and C1 escaped the JSON way.
    pub fn json(inner: W) -> Self {
        Visible {
            inner,
            form: Form::Json,
            pending: Vec::new(),
        }
    }

    fn push_str(&self, s: &str, out: &mut String) {
        for c in s.chars() {
            match self.form {
                Form::Text => match picture(c, true) {
                    Some(p) => out.push_str(&p),
                    None => out.push(c),
                },
                Form::Json if matches!(c, '\u{7f}'..='\u{9f}') => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                Form::Json => out.push(c),
            }
        }
    }

    fn convert(&mut self, bytes: &[u8], last: bool) -> String {
        let mut out = String::with_capacity(bytes.len() + 16);
        let chunks: Vec<_> = bytes.utf8_chunks().collect();
        let n = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            self.push_str(chunk.valid(), &mut out);
            let invalid = chunk.invalid();
            // An incomplete character at the very end waits for the next write.
            if i + 1 == n && !last && !invalid.is_empty() && chunk_is_incomplete(bytes, invalid) {
                self.pending.extend_from_slice(invalid);
                continue;
            }
            for b in invalid {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        out
    }
}

/// Whether `invalid`, the last bytes of `bytes`, are the start of a character cut short.
fn chunk_is_incomplete(bytes: &[u8], invalid: &[u8]) -> bool {
    bytes.ends_with(invalid)
        && invalid.len() < 4
        && std::str::from_utf8(invalid)
            .err()
            .is_some_and(|e| e.error_len().is_none())
}

impl<W: Write> Write for Visible<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The common case (a table of numbers and addresses) passes straight through.
        let clean = self.pending.is_empty()
            && match self.form {
                Form::Text => buf
                    .iter()
                    .all(|&b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t'),
                Form::Json => !buf.iter().any(|&b| b == 0x7f || b == 0xc2),
            };
        if clean {
            return self.inner.write(buf);
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let out = self.convert(&bytes, false);
        self.inner.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            let out = self.convert(&bytes, true);
            self.inner.write_all(out.as_bytes())?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_pictures_and_plain_text_is_untouched() {
        assert_eq!(visible("hello, 대한"), "hello, 대한");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible("\x1b]0;owned\x07"), "␛]0;owned␇");
        assert_eq!(visible("\x1b[2J\x1b[?25l"), "␛[2J␛[?25l");
        assert_eq!(visible("a\r\nb\tc\x7f"), "a␍␊b␉c␡");
        assert_eq!(visible_lines("a\r\nb\tc"), "a␍\nb\tc");
        assert_eq!(visible("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(visible("abc\u{202e}def"), "abc\\u{202e}def");
    }

    #[test]
    fn has_control_allows_newline_and_tab_only() {
        assert!(!has_control("a\nb\tc ␛ é"));
        assert!(has_control("\x1b"));
        assert!(has_control("\x7f"));
        assert!(has_control("\u{85}"));
        assert!(has_control("\r"));
    }

    fn through(form: fn(Vec<u8>) -> Visible<Vec<u8>>, pieces: &[&[u8]]) -> String {
        let mut w = form(Vec::new());
        for p in pieces {
            w.write_all(p).expect("a Vec takes everything");
        }
        w.flush().expect("flushes");
        String::from_utf8(w.inner).expect("the output is UTF-8")
    }

    #[test]
    fn the_text_writer_keeps_lines_and_shows_the_rest() {
        let out = through(Visible::text, &[b"note: \x1b]0;x\x07\n", b"\tok\r\n"]);
        assert_eq!(out, "note: ␛]0;x␇\n\tok␍\n");
        assert!(!has_control(&out));
    }

    #[test]
    fn a_character_cut_between_writes_is_kept_whole() {
        // U+0085 (C1 NEL) is C2 85; 대 is EB 8C 80.
        let out = through(Visible::text, &[b"a\xc2", b"\x85b\xeb", b"\x8c\x80"]);
        assert_eq!(out, "a\\u{85}b대");
        let out = through(Visible::text, &[b"bad \xff\x9b end", b"\xe2"]);
        assert_eq!(out, "bad \\xff\\x9b end\\xe2");
    }

    #[test]
    fn the_json_writer_escapes_del_and_c1_the_json_way() {
        let out = through(Visible::json, &["{\"t\":\"a\u{7f}\u{9b}b\"}".as_bytes()]);
        assert_eq!(out, "{\"t\":\"a\\u007f\\u009bb\"}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(v["t"], "a\u{7f}\u{9b}b");
    }
}
