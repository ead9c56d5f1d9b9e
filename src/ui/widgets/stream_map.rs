//! The stream map: one connection direction's bytes, laid out by stream offset, with three rows:
//! which send call wrote each byte, which segment carried it, and which recv call returned it.
//!
//! TCP keeps no record boundaries (lecture: "byte stream transmission (record boundary가
//! 없다.)"): three sends read by one recv, or one sendall cut into MSS-sized segments and read in
//! 1024-byte pieces, show as rows whose boundaries do not line up. The caption says which, read
//! off the map: a small echo lines up by luck, not by promise.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use crate::timeline::bytemap::FlowBytes;
use crate::timeline::playback::DirKey;
use crate::timeline::{ByteRange, EventKind, Flow, Side};
use crate::ui::app::App;

use super::{fit, put};

#[derive(Clone, Copy)]
enum RowKind {
    Send,
    Wire,
    Recv,
}

struct Row<'a> {
    name: &'static str,
    list: &'a [(usize, ByteRange)],
    kind: RowKind,
}

/// The flow the map shows: the focused event's, else the newest connection's, in the chosen
/// direction.
pub fn flow(app: &App) -> Option<Flow> {
    let client = app
        .index
        .sockets()
        .iter()
        .rev()
        .find(|s| s.side == Side::Client && s.local.is_some() && s.remote.is_some())?;
    let (c, s) = (client.local?, client.remote?);
    let from_focus = app.focus().and_then(|i| match &app.events()[i].kind {
        EventKind::Segment(seg) => Some((seg.src, seg.dst)),
        EventKind::Call(call) => call.flow.map(|f| (f.from, f.to)),
        _ => None,
    });
    let (a, b) = from_focus.unwrap_or((c, s));
    // Orient by which end is the client's: a focused segment may point either way.
    let (cl, sv) = if app
        .index
        .connections()
        .iter()
        .any(|(_, c, s)| *c == b && *s == a)
    {
        (b, a)
    } else {
        (a, b)
    };
    Some(match app.stream_dir {
        DirKey::ToServer => Flow { from: cl, to: sv },
        DirKey::ToClient => Flow { from: sv, to: cl },
    })
}

/// Halvings of the whole stream that give the median piece (recv, else segment) six cells.
fn auto_zoom(recvs: &[(usize, ByteRange)], segs: &[(usize, ByteRange)], total: u64, w: u64) -> i32 {
    let pieces = if recvs.is_empty() { segs } else { recvs };
    // The newest pieces stand for the rest: the cost stays independent of the timeline.
    let mut lens: Vec<u64> = pieces[pieces.len().saturating_sub(64)..]
        .iter()
        .map(|(_, r)| r.len())
        .collect();
    if lens.is_empty() || w == 0 {
        return 0;
    }
    lens.sort_unstable();
    let median = lens[lens.len() / 2].max(1);
    let mut zoom = 0;
    while zoom < 40 && (total >> zoom) * 6 > median * w {
        zoom += 1;
    }
    zoom
}

/// Whether the sends, the segments and the recvs cut the bytes read so far at the same offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundaries {
    NothingRead,
    LineUp,
    Differ,
}

/// Compare where each row's pieces end, over the bytes the newest recvs have returned: back to
/// 256 of them, or to where the stream starts again (one connection's recvs are contiguous,
/// each starting where the one before ended; a flow's port pair may be used again later).
/// Each row is read from its newest piece backwards, so the cost stays independent of the
/// timeline's length.
pub fn boundaries(
    sends: &[(usize, ByteRange)],
    segs: &[(usize, ByteRange)],
    recvs: &[(usize, ByteRange)],
) -> Boundaries {
    let mut k = recvs.len();
    while k > 0 && recvs.len() - k < 256 {
        if k < recvs.len() && recvs[k - 1].1.end != recvs[k].1.start {
            break;
        }
        k -= 1;
    }
    let recent = &recvs[k..];
    let (Some(lo), Some(hi)) = (
        recent.iter().map(|(_, r)| r.start).min(),
        recent.iter().map(|(_, r)| r.end).max(),
    ) else {
        return Boundaries::NothingRead;
    };
    let cuts = |list: &[(usize, ByteRange)]| -> std::collections::BTreeSet<u64> {
        // Newest first, until several pieces in a row end at or before `lo` (a retransmission
        // may repeat an older range out of order) or, once pieces within the bytes read were
        // seen, a piece lies wholly beyond them again (the port pair's earlier connection), and
        // never more than a few thousand.
        let mut out = std::collections::BTreeSet::new();
        let mut before = 0;
        let mut within = false;
        for (_, r) in list.iter().rev().take(4096) {
            if r.end <= lo {
                before += 1;
                if before == 8 {
                    break;
                }
                continue;
            }
            before = 0;
            if r.start < hi {
                within = true;
            } else if within {
                break;
            }
            if r.end <= hi {
                out.insert(r.end);
            }
        }
        out
    };
    let read = cuts(recent);
    if cuts(sends) == read && cuts(segs) == read {
        Boundaries::LineUp
    } else {
        Boundaries::Differ
    }
}

/// Entries of `list` that have happened by `pos` (lists are in event order).
fn happened(list: &[(usize, ByteRange)], pos: usize) -> &[(usize, ByteRange)] {
    &list[..list.partition_point(|(i, _)| *i < pos)]
}

/// Which entry covers byte `off`: (ordinal, range).
fn covering(list: &[(usize, ByteRange)], off: u64) -> Option<(usize, ByteRange)> {
    // Entries are (nearly) in stream order; search by start, then check nearby ones
    // (retransmissions repeat ranges).
    let k = list.partition_point(|(_, r)| r.start <= off);
    (k.saturating_sub(4)..k)
        .rev()
        .find(|&j| list[j].1.start <= off && off < list[j].1.end)
        .map(|j| (j, list[j].1))
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let Some(flow) = flow(app) else {
        Block::default()
            .borders(Borders::TOP)
            .border_style(t.border)
            .title(format!(" {} ", crate::i18n::t("ui.stream.title_empty")))
            .render(area, buf);
        put(
            buf,
            area.x + 1,
            area.y + 1,
            crate::i18n::t("ui.stream.no_connection"),
            area.width.saturating_sub(2),
            t.dim,
        );
        return;
    };
    let empty = FlowBytes::default();
    let fb = app.bytemap.flow(&flow).unwrap_or(&empty);
    let sends = happened(&fb.sends, app.playback.pos);
    let segs = happened(&fb.segments, app.playback.pos);
    let recvs = happened(&fb.recvs, app.playback.pos);
    // Stream offsets only grow (retransmissions excepted), so the newest entries hold the end;
    // looking at a few keeps the cost independent of the timeline's length.
    let total = [sends, segs, recvs]
        .iter()
        .flat_map(|l| l[l.len().saturating_sub(256)..].iter().map(|(_, r)| r.end))
        .max()
        .unwrap_or(0);
    let title = format!(
        " {} ",
        crate::tr!(
            "ui.stream.title",
            from = flow.from,
            to = flow.to,
            total = total,
            sends = sends.len(),
            segments = segs.len(),
            recvs = recvs.len()
        )
    );
    let inner = super::pane(area, buf, t, fit(&title, area.width as usize));
    if total == 0 {
        put(
            buf,
            inner.x,
            inner.y,
            crate::i18n::t("ui.stream.no_bytes"),
            inner.width,
            t.dim,
        );
        return;
    }
    let label_w = 6u16;
    let w = inner.width.saturating_sub(label_w) as u64;
    // Zoom: a window of total / 2^zoom bytes around the focused event's bytes. The automatic
    // choice gives a typical recv (or segment) at least six cells, so the boundaries show.
    let zoom = (auto_zoom(recvs, segs, total, w) + app.zoom).clamp(0, 40) as u32;
    let span = (total >> zoom).max(w.min(total)).max(1);
    let focus_start = app.focus().and_then(|i| match &app.events()[i].kind {
        EventKind::Segment(s) => s.stream().map(|r| r.start),
        EventKind::Call(c) => c.stream.map(|r| r.start),
        _ => None,
    });
    let lo = focus_start
        .map(|f| f.saturating_sub(span / 2))
        .unwrap_or(0)
        .min(total.saturating_sub(span));
    let cell = |k: u64| lo + (k * span) / w.max(1);
    let focus_range = app.focus().and_then(|i| match &app.events()[i].kind {
        EventKind::Segment(s) => s.stream(),
        EventKind::Call(c) => c.stream,
        _ => None,
    });
    let rows = [
        Row {
            name: crate::key!("ui.stream.row_send"),
            list: sends,
            kind: RowKind::Send,
        },
        Row {
            name: crate::key!("ui.stream.row_wire"),
            list: segs,
            kind: RowKind::Wire,
        },
        Row {
            name: crate::key!("ui.stream.row_recv"),
            list: recvs,
            kind: RowKind::Recv,
        },
    ];
    for (r, row) in rows.iter().enumerate() {
        let y = inner.y + 2 * r as u16;
        if y >= inner.bottom() {
            break;
        }
        put(buf, inner.x, y, crate::i18n::t(row.name), label_w, t.title);
        // Which entry covers each cell, then glyphs from where entries start and end.
        let owners: Vec<Option<(usize, ByteRange)>> =
            (0..w).map(|k| covering(row.list, cell(k))).collect();
        for (k, owner) in owners.iter().enumerate() {
            let x = inner.x + label_w + k as u16;
            let Some((ord, range)) = *owner else {
                put(buf, x, y, " ", 1, t.dim);
                continue;
            };
            let starts = k == 0 || owners[k - 1].map(|o| o.0) != Some(ord);
            let ends = k + 1 == owners.len() || owners[k + 1].map(|o| o.0) != Some(ord);
            let band = t.bands[ord % t.bands.len()];
            let style = if focus_range.is_some_and(|f| f.overlaps(&range)) {
                band.patch(t.flash)
            } else {
                band
            };
            let letter = (b'A' + (ord % 26) as u8) as char;
            let sym = match row.kind {
                // Sends by letter: `AAAAAAABBBBBBCCCCCCC` reads "three writes".
                RowKind::Send => letter.to_string(),
                // Segments alternate shades, each starting with a bar.
                RowKind::Wire if starts => "▏".to_string(),
                RowKind::Wire => if ord % 2 == 0 { "▒" } else { "░" }.to_string(),
                // Recv calls as brackets: `[────][──]`.
                RowKind::Recv => match (starts, ends) {
                    (true, true) => "▌",
                    (true, false) => "[",
                    (false, true) => "]",
                    (false, false) => "─",
                }
                .to_string(),
            };
            put(buf, x, y, &sym, 1, style);
        }
        if y + 1 < inner.bottom() {
            let pieces = row.list.len();
            let calls_unknown = app.inferred() && !matches!(row.kind, RowKind::Wire);
            let what = match row.kind {
                _ if calls_unknown => crate::tr!("ui.stream.calls_unknown"),
                RowKind::Send => crate::tr!("ui.stream.sends", n = pieces),
                RowKind::Wire => crate::tr!("ui.stream.segments", n = pieces),
                RowKind::Recv => match boundaries(sends, segs, recvs) {
                    Boundaries::NothingRead => crate::tr!("ui.stream.nothing_read"),
                    Boundaries::LineUp => crate::tr!("ui.stream.line_up", n = pieces),
                    Boundaries::Differ => crate::tr!("ui.stream.differ", n = pieces),
                },
            };
            put(
                buf,
                inner.x + label_w,
                y + 1,
                &fit(&what, w as usize),
                w as u16,
                t.dim,
            );
        }
    }
    let scale = crate::tr!("ui.stream.scale", lo = lo, hi = lo + span);
    let sy = inner.bottom().saturating_sub(1);
    if sy > inner.y + 5 {
        put(buf, inner.x + label_w, sy, &scale, w as u16, t.dim);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(cuts: &[u64]) -> Vec<(usize, ByteRange)> {
        let mut start = 0;
        cuts.iter()
            .enumerate()
            .map(|(i, &end)| {
                let r = ByteRange { start, end };
                start = end;
                (i, r)
            })
            .collect()
    }

    #[test]
    fn boundaries_compare_the_cuts_over_the_bytes_read() {
        let one = pieces(&[20]);
        assert_eq!(boundaries(&one, &one, &[]), Boundaries::NothingRead);
        assert_eq!(boundaries(&one, &one, &one), Boundaries::LineUp);
        // One sendall, three segments, two recvs.
        let (send, segs, recvs) = (
            pieces(&[5000]),
            pieces(&[1448, 2896, 5000]),
            pieces(&[1024, 2048]),
        );
        assert_eq!(boundaries(&send, &segs, &recvs), Boundaries::Differ);
        // Bytes sent but not yet read do not count: 3 sends, 3 segments, 2 recvs that line up.
        let three = pieces(&[10, 20, 30]);
        assert_eq!(
            boundaries(&three, &three, &pieces(&[10, 20])),
            Boundaries::LineUp
        );
    }

    #[test]
    fn an_earlier_connection_on_the_same_port_pair_is_not_compared() {
        // A long earlier connection cut differently, then a new one (offsets from 0 again)
        // whose one send, segment and recv line up.
        let mut sends = pieces(&(1..=5000).map(|k| k * 7).collect::<Vec<_>>());
        let mut segs = pieces(&(1..=3000).map(|k| k * 11).collect::<Vec<_>>());
        let mut recvs = pieces(&(1..=2000).map(|k| k * 13).collect::<Vec<_>>());
        let again = ByteRange { start: 0, end: 20 };
        sends.push((9_000, again));
        segs.push((9_001, again));
        recvs.push((9_002, again));
        assert_eq!(boundaries(&sends, &segs, &recvs), Boundaries::LineUp);
    }
}
