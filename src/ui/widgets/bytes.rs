//! The bytes inspector: the selected segment's payload or call's data as hex and as UTF-8 text,
//! each character's bytes grouped under it, so `hello, 안녕` reads as 13 bytes (lecture: "문자열은
//! encode하여 bytes로"), and a sequence cut by a segment or recv boundary is marked, not hidden.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthChar;

use crate::timeline::EventKind;
use crate::ui::app::App;

use super::{fit, put};

/// One run of bytes that reads as one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    Char(char),
    /// Bytes that are not UTF-8 at all.
    Invalid,
    /// The start of a multi-byte character whose rest is not in these bytes (split across
    /// segments or recv calls).
    Split,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub start: usize,
    pub len: usize,
    pub glyph: Glyph,
}

/// Split `data` into characters, invalid bytes and a trailing split sequence.
pub fn groups(data: &[u8]) -> Vec<Group> {
    let mut out = Vec::new();
    // Continuation bytes at the very start are the tail of a character cut before these bytes.
    let mut i = data
        .iter()
        .take(3)
        .take_while(|b| (0x80..0xc0).contains(*b))
        .count();
    if i > 0 {
        out.push(Group {
            start: 0,
            len: i,
            glyph: Glyph::Split,
        });
    }
    while i < data.len() {
        match std::str::from_utf8(&data[i..]) {
            Ok(s) => {
                push_chars(&mut out, i, s);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                if let Ok(s) = std::str::from_utf8(&data[i..i + good]) {
                    push_chars(&mut out, i, s);
                }
                i += good;
                match e.error_len() {
                    Some(n) => {
                        out.push(Group {
                            start: i,
                            len: n,
                            glyph: Glyph::Invalid,
                        });
                        i += n;
                    }
                    None => {
                        out.push(Group {
                            start: i,
                            len: data.len() - i,
                            glyph: Glyph::Split,
                        });
                        break;
                    }
                }
            }
        }
    }
    out
}

fn push_chars(out: &mut Vec<Group>, base: usize, s: &str) {
    for (off, ch) in s.char_indices() {
        out.push(Group {
            start: base + off,
            len: ch.len_utf8(),
            glyph: Glyph::Char(ch),
        });
    }
}

/// What a character looks like in the text line: control bytes and spaces made visible.
fn shown(ch: char) -> char {
    match ch {
        ' ' => '·',
        '\n' => '↵',
        '\r' => '←',
        '\t' => '→',
        c if c.is_control() => '.',
        c => c,
    }
}

/// The bytes of the focused event and a title for them.
///
/// With nothing selected, the newest event that moved bytes (a bare ACK has none to show).
pub fn focused_bytes(app: &App) -> Option<(String, &[u8])> {
    let i = app.bytes_focus()?;
    match &app.events()[i].kind {
        EventKind::Segment(s) => Some((
            crate::tr!(
                "ui.bytes.segment_title",
                number = s.number,
                flags = s.flags,
                n = s.payload.len()
            ),
            &s.payload[..],
        )),
        EventKind::Call(c) => Some((
            crate::tr!(
                "ui.bytes.call_title",
                side = super::side_name(c.side),
                call = c.call.name(),
                n = c.data.len()
            ),
            &c.data[..],
        )),
        _ => None,
    }
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let (title, data) =
        focused_bytes(app).unwrap_or((crate::tr!("ui.bytes.nothing_selected"), &[]));
    let inner = super::pane(
        area,
        buf,
        t,
        format!(" {} ", crate::tr!("ui.bytes.title", title = title)),
    );
    if data.is_empty() {
        put(
            buf,
            inner.x,
            inner.y,
            crate::i18n::t("ui.bytes.none"),
            inner.width,
            t.dim,
        );
        return;
    }
    // Hex on one line, the characters under their bytes on the next; the plain text of the
    // same bytes to the right.
    let text_w = (inner.width / 4).max(12);
    let hex_w = inner.width.saturating_sub(text_w + 7);
    let per_row = ((hex_w + 1) / 3).max(4) as usize;
    let groups = groups(data);
    let splits = app
        .bytes_focus()
        .map(|i| super::bytes_split::splits(app, i, data, &groups))
        .unwrap_or_default();
    let mut rows: Vec<Vec<Group>> = Vec::new();
    let mut cur: Vec<Group> = Vec::new();
    let mut used = 0;
    for g in groups {
        if used + g.len > per_row && !cur.is_empty() {
            rows.push(std::mem::take(&mut cur));
            used = 0;
        }
        used += g.len;
        cur.push(g);
    }
    if !cur.is_empty() {
        rows.push(cur);
    }
    let max_rows = (inner.height / 2) as usize;
    let skip = app
        .bytes_scroll_rows()
        .min(rows.len().saturating_sub(max_rows));
    for (r, row) in rows.iter().skip(skip).take(max_rows).enumerate() {
        let y = inner.y + 2 * r as u16;
        let first = row.first().map(|g| g.start).unwrap_or(0);
        put(buf, inner.x, y, &format!("{first:04x}"), 5, t.dim);
        let mut x = inner.x + 6;
        let mut plain = String::new();
        for g in row {
            let style = match g.glyph {
                Glyph::Char(_) => t.text,
                _ => t.error,
            };
            for k in 0..g.len {
                put(
                    buf,
                    x + 3 * k as u16,
                    y,
                    &format!("{:02x}", data[g.start + k]),
                    2,
                    style,
                );
            }
            let span = 3 * g.len as u16 - 1;
            match g.glyph {
                Glyph::Char(ch) => {
                    let c = shown(ch);
                    let cw = c.width().unwrap_or(1) as u16;
                    if g.len == 1 {
                        put(buf, x, y + 1, &c.to_string(), 2, t.data);
                    } else {
                        // └─대─┘: the character centred under the bytes that encode it.
                        let mut line = String::from("└");
                        let pad = span.saturating_sub(cw + 2);
                        line.push_str(&"─".repeat((pad / 2) as usize));
                        line.push(c);
                        line.push_str(&"─".repeat((pad - pad / 2) as usize));
                        line.push('┘');
                        put(buf, x, y + 1, &line, span, t.data);
                    }
                    plain.push(c);
                }
                Glyph::Invalid => {
                    put(
                        buf,
                        x,
                        y + 1,
                        &format!("{:─<w$}", "✗", w = span as usize),
                        span,
                        t.error,
                    );
                    plain.push('�');
                }
                Glyph::Split => {
                    // The character it belongs to when the stream around names it (`└녕…`).
                    let ch = splits
                        .iter()
                        .find(|(start, _)| *start == g.start)
                        .and_then(|(_, s)| s.ch);
                    let tail = g.start == 0 && !(0xc0..0xf8).contains(&data[0]);
                    let forms = match (ch, tail) {
                        (Some(c), true) => vec![format!("…{c}┘"), format!("…{c}"), c.to_string()],
                        (Some(c), false) => vec![format!("└{c}…"), format!("{c}…"), c.to_string()],
                        (None, _) => vec!["split…".into(), "…".into()],
                    };
                    let w = span as usize;
                    let text = forms
                        .into_iter()
                        .find(|f| unicode_width::UnicodeWidthStr::width(f.as_str()) <= w)
                        .unwrap_or_else(|| fit("…", w));
                    put(buf, x, y + 1, &text, span, t.error);
                    plain.push('…');
                }
            }
            x += 3 * g.len as u16;
        }
        let tx = inner.right().saturating_sub(text_w);
        put(buf, tx - 2, y, "│", 1, t.border);
        put(buf, tx, y, &fit(&plain, text_w as usize), text_w, t.text);
    }
    // What the split characters are, and what Python's decode says, under the rows.
    let drawn = rows.len().saturating_sub(skip).min(max_rows) as u16;
    let why = super::bytes_split::explanation(&splits, data);
    if !why.is_empty() && rows.len() <= max_rows {
        let lines = crate::export::labels::wrap(&why, inner.width as usize);
        for (k, line) in lines.iter().enumerate() {
            let y = inner.y + 2 * drawn + k as u16;
            if y >= inner.bottom() {
                break;
            }
            put(buf, inner.x, y, line, inner.width, t.error);
        }
    }
    let shown: usize = rows
        .iter()
        .take(skip + max_rows)
        .flatten()
        .map(|g| g.len)
        .sum();
    let hidden = (skip > 0, data.len() - shown);
    if hidden != (false, 0) && rows.len() > max_rows {
        let y = inner.y + 2 * max_rows as u16;
        if y < inner.bottom() {
            let above = if skip > 0 {
                format!(
                    "{} · ",
                    crate::tr!(
                        "ui.bytes.above",
                        n = rows
                            .iter()
                            .take(skip)
                            .flatten()
                            .map(|g| g.len)
                            .sum::<usize>()
                    )
                )
            } else {
                String::new()
            };
            put(
                buf,
                inner.x,
                y,
                &format!("… {above}{}", crate::tr!("ui.bytes.more", n = hidden.1)),
                inner.width,
                t.dim,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lectures_mixed_string_is_13_bytes_in_9_characters() {
        let g = groups("hello, 안녕".as_bytes());
        assert_eq!(g.iter().map(|g| g.len).sum::<usize>(), 13);
        assert_eq!(g.len(), 9);
        assert_eq!(
            g[7],
            Group {
                start: 7,
                len: 3,
                glyph: Glyph::Char('안')
            }
        );
    }

    #[test]
    fn a_cut_character_is_split_and_garbage_is_invalid() {
        let bytes = "대".as_bytes();
        let g = groups(&bytes[..2]);
        assert_eq!(
            g,
            vec![Group {
                start: 0,
                len: 2,
                glyph: Glyph::Split
            }]
        );
        let g = groups(&bytes[2..]);
        assert_eq!(
            g,
            vec![Group {
                start: 0,
                len: 1,
                glyph: Glyph::Split
            }]
        );
        let g = groups(&[0x41, 0xff, 0x42]);
        assert_eq!(g[1].glyph, Glyph::Invalid);
        assert_eq!(g[2].glyph, Glyph::Char('B'));
    }
}
