//! The stream map as a 16:9 slide: for each direction of a connection, its bytes laid out by
//! stream offset in three bars (which send call wrote them, which segments carried them,
//! which recv calls returned them). Where the bars' boundaries do not line up, the picture is
//! the lecture's "byte stream transmission (record boundary가 없다.)". Two directions a slide;
//! more connections, more slides.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::tcp::Direction;
use crate::timeline::{ByteMap, ByteRange, EventKind, Flow, Timeline};

use super::range::{self, Cut, CutError, EventRange};
use super::slide::{FONT, HEIGHT, SMALL, WIDTH};
use super::svg::{FONT_STACK, escape};

const LEFT: u32 = 110;
const RIGHT: u32 = WIDTH - 20;
const BAR: u32 = 40;
const GREY: &str = "#555555";
/// Light fills, each under 1.4:1 against white so the black text and edges on them stay
/// above 12:1.
const FILLS: [&str; 4] = ["#cfe2ff", "#ffe0b3", "#d4f4d4", "#f3d1f4"];

/// One direction's pieces within the cut.
struct Lane {
    heading: String,
    sends: Vec<ByteRange>,
    segments: Vec<ByteRange>,
    recvs: Vec<ByteRange>,
}

/// Whether the three rows cut the bytes read at the same offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundaries {
    NothingRead,
    LineUp,
    Differ,
}

/// Compare where sends, segments and recvs end within the bytes the recvs returned.
pub fn boundaries(sends: &[ByteRange], segs: &[ByteRange], recvs: &[ByteRange]) -> Boundaries {
    let (Some(lo), Some(hi)) = (
        recvs.iter().map(|r| r.start).min(),
        recvs.iter().map(|r| r.end).max(),
    ) else {
        return Boundaries::NothingRead;
    };
    let cuts = |l: &[ByteRange]| -> BTreeSet<u64> {
        l.iter()
            .map(|r| r.end)
            .filter(|&e| e > lo && e <= hi)
            .collect()
    };
    let read = cuts(recvs);
    if cuts(sends) == read && cuts(segs) == read {
        Boundaries::LineUp
    } else {
        Boundaries::Differ
    }
}

fn lanes(tl: &Timeline, range: EventRange) -> Vec<Lane> {
    let map = ByteMap::build(tl.events());
    let pick = |l: &[(usize, ByteRange)]| -> Vec<ByteRange> {
        l.iter()
            .filter(|(i, _)| range.contains(i + 1))
            .map(|(_, r)| *r)
            .collect()
    };
    let mut found: Vec<(usize, bool, Lane)> = map
        .flows()
        .filter_map(|(flow, fb)| {
            let lane = Lane {
                heading: heading(tl, flow),
                sends: pick(&fb.sends),
                segments: pick(&fb.segments),
                recvs: pick(&fb.recvs),
            };
            let first = [&fb.sends, &fb.segments, &fb.recvs]
                .iter()
                .filter_map(|l| l.first().map(|(i, _)| *i))
                .min()?;
            let any = !(lane.sends.is_empty() && lane.segments.is_empty() && lane.recvs.is_empty());
            any.then(|| (first, !lane.heading.starts_with("client"), lane))
        })
        .collect();
    // In order of appearance, a connection's two directions together, the client's first.
    found.sort_by_key(|(first, from_server, _)| (*first, *from_server));
    found.into_iter().map(|(_, _, l)| l).collect()
}

/// `client 127.0.0.1:40000 → server 127.0.0.1:7`, by the direction its segments travel.
fn heading(tl: &Timeline, flow: &Flow) -> String {
    let dir = tl.events().iter().find_map(|e| match &e.kind {
        EventKind::Segment(s) if s.src == flow.from && s.dst == flow.to => Some(s.dir),
        _ => None,
    });
    match dir {
        Some(Direction::ToServer) => format!("client {} → server {}", flow.from, flow.to),
        Some(Direction::ToClient) => format!("server {} → client {}", flow.from, flow.to),
        None => format!("{} → {}", flow.from, flow.to),
    }
}

/// The stream-map slides of `cut` of `tl`.
pub fn slides(tl: &Timeline, cut: Cut, title: &str) -> Result<Vec<String>, CutError> {
    let range = range::resolve(tl, cut)?;
    let lanes = lanes(tl, range);
    let what = match cut {
        Cut::Phase(p) => crate::tr!("out.export.phase", phase = p.title()),
        _ => range.to_string(),
    };
    if lanes.is_empty() {
        return Ok(vec![page(
            &[],
            &crate::tr!("out.export.no_bytes", what = what),
            title,
        )]);
    }
    let n = lanes.len().div_ceil(2);
    Ok(lanes
        .chunks(2)
        .enumerate()
        .map(|(k, two)| {
            let name = if n > 1 {
                format!("{what} {}/{n}", k + 1)
            } else {
                what.clone()
            };
            page(two, &name, title)
        })
        .collect())
}

fn page(lanes: &[Lane], name: &str, title: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{font}" font-size="{FONT}">
<title>{title} · {map} · {name}</title>
<rect width="100%" height="100%" fill="white"/>
<text class="heading" x="20" y="36" font-weight="bold" font-size="24">{heading}</text>
<text class="page" x="{right}" y="36" text-anchor="end" font-size="{SMALL}" fill="{GREY}">{name}</text>
"##,
        font = escape(FONT_STACK),
        map = escape(crate::i18n::t("out.stream.name")),
        heading = escape(crate::i18n::t("out.stream.heading")),
        title = escape(title),
        name = escape(name),
        right = RIGHT,
    );
    for (k, lane) in lanes.iter().enumerate() {
        draw_lane(&mut s, lane, 70 + k as u32 * 320);
    }
    s.push_str("</svg>\n");
    s
}

fn draw_lane(s: &mut String, lane: &Lane, top: u32) {
    let all = lane.sends.iter().chain(&lane.segments).chain(&lane.recvs);
    let lo = all.clone().map(|r| r.start).min().unwrap_or(0);
    let hi = all.map(|r| r.end).max().unwrap_or(0).max(lo + 1);
    let _ = writeln!(
        s,
        r#"<text class="lane" x="20" y="{y}" font-weight="bold">{heading} · {range}</text>"#,
        y = top + 20,
        heading = escape(&lane.heading),
        range = escape(&crate::tr!("out.stream.bytes", lo = lo, hi = hi)),
    );
    let verdict = match boundaries(&lane.sends, &lane.segments, &lane.recvs) {
        Boundaries::NothingRead => crate::i18n::t("out.stream.nothing_read").to_string(),
        Boundaries::LineUp => crate::tr!("out.stream.line_up", n = lane.recvs.len()),
        Boundaries::Differ => crate::tr!("out.stream.differ", n = lane.recvs.len()),
    };
    // A plain capture has segments only: say why the calls' rows are empty.
    let no_calls = lane.sends.is_empty() && lane.recvs.is_empty();
    let verdict = if no_calls {
        crate::i18n::t("out.stream.no_calls").to_string()
    } else {
        verdict
    };
    let sends_caption = if no_calls {
        verdict.clone()
    } else {
        crate::tr!("out.stream.sends", n = lane.sends.len())
    };
    let rows = [
        ("send", &lane.sends, sends_caption),
        (
            "wire",
            &lane.segments,
            crate::tr!("out.stream.segments", n = lane.segments.len()),
        ),
        ("recv", &lane.recvs, verdict),
    ];
    let scale = (RIGHT - LEFT) as f64 / (hi - lo) as f64;
    let x_of = |off: u64| LEFT as f64 + (off.clamp(lo, hi) - lo) as f64 * scale;
    for (r, (name, pieces, caption)) in rows.iter().enumerate() {
        let y = top + 34 + r as u32 * (BAR + 54);
        let _ = write!(
            s,
            r#"<g class="{name}"><text x="20" y="{ty}" font-weight="bold">{label}</text>"#,
            ty = y + BAR / 2 + 7,
            label = if *name == "wire" {
                crate::i18n::t("out.stream.wire")
            } else {
                name
            },
        );
        for (k, p) in pieces.iter().enumerate() {
            let (x1, x2) = (x_of(p.start), x_of(p.end));
            let w = (x2 - x1).max(1.0);
            let _ = write!(
                s,
                r#"<rect x="{x1:.1}" y="{y}" width="{w:.1}" height="{BAR}" fill="{fill}" stroke="black" stroke-width="1.5"/>"#,
                fill = FILLS[k % FILLS.len()],
            );
            let text = match *name {
                "send" => format!("{} {}", letter(k), p.len()),
                _ => p.len().to_string(),
            };
            // A label only where it fits inside its piece at a readable size.
            if super::slide::drawn_width(&text, SMALL) + 6.0 <= w {
                let _ = write!(
                    s,
                    r#"<text x="{cx:.1}" y="{ty}" text-anchor="middle" font-size="{SMALL}">{text}</text>"#,
                    cx = x1 + w / 2.0,
                    ty = y + BAR / 2 + 6,
                );
            }
        }
        let _ = writeln!(
            s,
            r#"<text class="caption" x="{LEFT}" y="{cy}" font-size="{SMALL}" fill="{GREY}">{caption}</text></g>"#,
            cy = y + BAR + 22,
            caption = escape(caption),
        );
    }
}

/// A, B, … Z, then A again: one letter per send call, as on the screen.
fn letter(k: usize) -> char {
    (b'A' + (k % 26) as u8) as char
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(cuts: &[u64]) -> Vec<ByteRange> {
        let mut start = 0;
        cuts.iter()
            .map(|&end| {
                let r = ByteRange { start, end };
                start = end;
                r
            })
            .collect()
    }

    #[test]
    fn boundaries_compare_the_cuts_over_the_bytes_read() {
        let one = pieces(&[20]);
        assert_eq!(boundaries(&one, &one, &[]), Boundaries::NothingRead);
        assert_eq!(boundaries(&one, &one, &one), Boundaries::LineUp);
        let (send, segs, recvs) = (
            pieces(&[5000]),
            pieces(&[1448, 2896, 5000]),
            pieces(&[1024, 2048]),
        );
        assert_eq!(boundaries(&send, &segs, &recvs), Boundaries::Differ);
        let three = pieces(&[10, 20, 30]);
        assert_eq!(
            boundaries(&three, &three, &pieces(&[10, 20])),
            Boundaries::LineUp
        );
    }
}
