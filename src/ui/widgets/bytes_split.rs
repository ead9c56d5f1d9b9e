//! A character cut by a segment or recv boundary, named: `eb = start of 녕, byte 1 of 3`,
//! `85 95 = end of 녕, bytes 2-3 of 3`, from the stream bytes just beyond the shown ones (the
//! flow's sends or segments); and what the lecture's `data.decode('utf-8')` raises on these bytes.

use crate::export::labels::utf8_decode_error;
use crate::timeline::{ByteRange, EventKind};
use crate::ui::app::App;

use super::bytes::{Glyph, Group};

/// Up to 3 stream bytes just before and just after event `i`'s own, where the timeline has them.
fn neighbours(app: &App, i: usize) -> (Vec<u8>, Vec<u8>) {
    let events = app.events();
    let (flow, range) = match &events[i].kind {
        EventKind::Call(c) => match (c.flow, c.stream) {
            (Some(f), Some(r)) => (f, r),
            _ => return Default::default(),
        },
        EventKind::Segment(s) => match s.stream() {
            Some(r) => (s.flow(), r),
            None => return Default::default(),
        },
        _ => return Default::default(),
    };
    let Some(fb) = app.bytemap.flow(&flow) else {
        return Default::default();
    };
    let byte_at = |off: u64| {
        fb.sends.iter().chain(&fb.segments).find_map(|&(j, r)| {
            if !(r.start <= off && off < r.end) {
                return None;
            }
            let data = match &events.get(j)?.kind {
                EventKind::Call(c) => &c.data,
                EventKind::Segment(s) => &s.payload,
                _ => return None,
            };
            (data.len() as u64 == r.len())
                .then(|| data.get((off - r.start) as usize).copied())
                .flatten()
        })
    };
    let span = |r: ByteRange| (r.start..r.end).map_while(byte_at).collect::<Vec<u8>>();
    let before: Vec<u8> = {
        let mut v: Vec<u8> = (range.start.saturating_sub(3)..range.start)
            .rev()
            .map_while(byte_at)
            .collect();
        v.reverse();
        v
    };
    let after = span(ByteRange {
        start: range.end,
        end: range.end + 3,
    });
    (before, after)
}

/// How many bytes a UTF-8 sequence starting with `lead` has.
fn seq_len(lead: u8) -> usize {
    match lead {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn which(first: usize, count: usize, of: usize) -> String {
    if count == 1 {
        crate::tr!("ui.split.byte_of", first = first, of = of)
    } else {
        crate::tr!(
            "ui.split.bytes_of",
            first = first,
            last = first + count - 1,
            of = of
        )
    }
}

/// A split group's character (when the neighbouring bytes complete it) and its sentence.
pub struct Split {
    pub ch: Option<char>,
    pub text: String,
}

/// Each split group of `data` (event `i`'s bytes) named, in order.
pub fn splits(app: &App, i: usize, data: &[u8], groups: &[Group]) -> Vec<(usize, Split)> {
    if !groups.iter().any(|g| g.glyph == Glyph::Split) {
        return Vec::new();
    }
    let (before, after) = neighbours(app, i);
    groups
        .iter()
        .filter(|g| g.glyph == Glyph::Split)
        .map(|g| {
            let own = &data[g.start..g.start + g.len];
            let split = if g.start == 0 && seq_len(own[0]) == 1 {
                // The tail of a character that began before these bytes.
                let lead = before.iter().rposition(|&b| seq_len(b) > 1);
                let whole = lead.map(|k| [&before[k..], own].concat());
                let ch = whole.as_deref().and_then(decode_one);
                let of = whole.as_ref().map_or(g.len + 1, Vec::len);
                Split {
                    ch,
                    text: match ch {
                        Some(c) => crate::tr!(
                            "ui.split.end_of",
                            hex = hex(own),
                            c = c,
                            which = which(of - g.len + 1, g.len, of)
                        ),
                        None => crate::tr!("ui.split.end_of_cut", hex = hex(own)),
                    },
                }
            } else {
                // The start of a character whose rest comes after these bytes.
                let of = seq_len(own[0]);
                let rest = after.get(..of.saturating_sub(g.len));
                let ch = rest.and_then(|r| decode_one(&[own, r].concat()));
                Split {
                    ch,
                    text: match ch {
                        Some(c) => crate::tr!(
                            "ui.split.start_of",
                            hex = hex(own),
                            c = c,
                            which = which(1, g.len, of)
                        ),
                        None => crate::tr!(
                            "ui.split.start_of_n",
                            hex = hex(own),
                            of = of,
                            which = which(1, g.len, of)
                        ),
                    },
                }
            };
            (g.start, split)
        })
        .collect()
}

fn decode_one(bytes: &[u8]) -> Option<char> {
    let s = std::str::from_utf8(bytes).ok()?;
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// The sentences under the bytes: each split character named, then what `.decode('utf-8')`
/// raises on these bytes alone.
pub fn explanation(splits: &[(usize, Split)], data: &[u8]) -> String {
    let mut parts: Vec<String> = splits.iter().map(|(_, s)| s.text.clone()).collect();
    if let Some(e) = utf8_decode_error(data) {
        parts.push(crate::tr!("ui.split.raises", e = e));
    }
    parts.join(" · ")
}
