//! The ladder and the call transcript as plain text, for handouts and Markdown code blocks.
//! Columns are counted in terminal cells (`unicode-width`), so Korean text lines up.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::headless::Transcript;
use super::labels::segment_label;
use crate::tcp::TcpState;
use crate::timeline::{EventKind, Timeline};

use super::ladder::{self, Row};

/// Cells between the two lifelines.
const WIRE: usize = 66;
/// Cells for a call written beside the client's lifeline.
const CALLS: usize = 34;

/// `text` cut to `width` cells (with `…`) and padded to exactly `width`.
fn fit(text: &str, width: usize) -> String {
    let out = super::labels::fit(text, width);
    let used = out.width();
    out + &" ".repeat(width.saturating_sub(used))
}

/// An arrow carrying `label` across the wire: `──label──►` or `◄──label──`.
fn arrow(label: &str, to_server: bool, lost: bool) -> String {
    let inner = WIRE - 4;
    let label = fit(label, inner).trim_end().to_string();
    let used = label.width();
    if lost {
        // Lost on the link: the arrow ends at a mark, the rest of the wire empty.
        let pad = " ".repeat(WIRE.saturating_sub(used + 4));
        return if to_server {
            format!("──{label} ✗{pad}")
        } else {
            format!("{pad}✗ {label}──")
        };
    }
    let left = 2;
    let right = inner.saturating_sub(used) + 1;
    if to_server {
        format!("{}{label}{}►", "─".repeat(left), "─".repeat(right))
    } else {
        format!("◄{}{label}{}", "─".repeat(left), "─".repeat(right))
    }
}

/// A dropped SYN's arrow: from the client's lifeline, stopping short of the server's at `✕`.
fn dropped_arrow(label: &str) -> String {
    let a = arrow(label, true, false);
    let cut: String = a
        .chars()
        .take(a.chars().count().saturating_sub(4))
        .collect();
    format!("{cut}✕   ")
}

/// A label with its connection's tag in front (`c2 SYN seq=0`), when it has one.
pub fn tagged(tag: Option<usize>, text: &str) -> String {
    match tag {
        Some(n) => format!("{} {text}", ladder::tag_text(n)),
        None => text.to_string(),
    }
}

/// A state name for a lifeline: `SYN_SENT`, or nothing when the state did not change.
fn state(s: Option<TcpState>) -> &'static str {
    s.map_or("", TcpState::name)
}

/// The wire between the lifelines with nothing crossing: empty, or a state name written just
/// inside the client's (left) or the server's (right) lifeline.
fn gap(left: &str, right: &str) -> String {
    let left = fit(left, WIRE / 2 - 1).trim_end().to_string();
    let right = fit(right, WIRE / 2 - 1).trim_end().to_string();
    let l = if left.is_empty() {
        left
    } else {
        format!(" {left}")
    };
    let r = if right.is_empty() {
        right
    } else {
        format!("{right} ")
    };
    let pad = WIRE.saturating_sub(l.width() + r.width());
    format!("{l}{}{r}", " ".repeat(pad))
}

/// `text` right-aligned in the client's column, ending one cell before its lifeline.
fn client_column(text: &str) -> String {
    let text = fit(text, CALLS - 1).trim_end().to_string();
    let pad = CALLS.saturating_sub(text.width() + 1);
    format!("{}{text} ", " ".repeat(pad))
}

/// Over a lab link, the lines of the arrows drawn in flight (issue 12), one wire of cells per
/// row (`' '`: nothing): each arrow leaves on its own row and slopes down to its arrival row,
/// `─` stepping down at `╲` (to the server) or `╱` (to the client), as the screens draw it; its
/// label (the screens' short one) on its departure row. Empty without a link.
fn in_flight_wires(tl: &Timeline, rows: &[Row]) -> Vec<Vec<char>> {
    let mut wires = vec![vec![' '; WIRE]; rows.len()];
    let mut labels: Vec<(usize, bool, usize)> = Vec::new();
    for (k, row) in rows.iter().enumerate() {
        let Row::Arrow {
            to_server,
            lands: Some(d),
            ..
        } = row
        else {
            continue;
        };
        let n = d + 1;
        let (step, head) = if *to_server {
            ('╲', '►')
        } else {
            ('╱', '◄')
        };
        for (j, cells) in ladder::slope_runs(WIRE, n).enumerate() {
            if j == 0 {
                labels.push((k, *to_server, cells.end));
            }
            let end = cells.end - 1;
            let Some(wire) = wires.get_mut(k + j) else {
                break;
            };
            for p in cells {
                let col = if *to_server { p } else { WIRE - 1 - p };
                wire[col] = match (p == end, j + 1 == n) {
                    (true, true) => head,
                    (true, false) => step,
                    _ => '─',
                };
            }
        }
    }
    // The arrows drawn in flight are the link's segments that arrived, in their order.
    let segments = tl.events().iter().filter_map(|e| match &e.kind {
        EventKind::Segment(s) if s.arrived().is_some() => Some(s),
        _ => None,
    });
    for ((k, to_server, run), s) in labels.into_iter().zip(segments) {
        let wire = &mut wires[k];
        let col = |p: usize| if to_server { p } else { WIRE - 1 - p };
        let free = |p: usize| wire[col(p)] == ' ';
        let Some((start, text)) =
            ladder::slope_label(run, WIRE, free, |room| segment_label(s, room))
        else {
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        let first = if to_server {
            start
        } else {
            WIRE - start - chars.len()
        };
        for (c, ch) in chars.into_iter().enumerate() {
            wire[first + c] = ch;
        }
    }
    wires
}

/// `base` (a row's wire as it would be drawn alone) with the lines of arrows in flight in the
/// cells it leaves blank.
fn overlay(base: &str, wire: &[char]) -> String {
    let mut out = String::new();
    let mut cell = 0;
    for ch in base.chars() {
        let w = ch.to_string().width();
        out.push(match (ch, wire.get(cell)) {
            (' ', Some(&c)) if c != ' ' => c,
            _ => ch,
        });
        cell += w.max(1);
    }
    out
}

/// The ladder: time, client calls, the two lifelines with arrows, server calls; each state
/// change written beside its side's lifeline at the row where it happens (outside the
/// lifelines, or in the gap between them when a call's label holds the outside). Over a lab
/// link a segment's arrow spans the rows from its departure to its arrival.
pub fn write_ladder(out: &mut impl Write, tl: &Timeline) -> io::Result<()> {
    let (client, server) = ladder::endpoints(tl);
    writeln!(
        out,
        "{:>9}  {}│{}│",
        crate::i18n::t("out.transcript.col_time"),
        fit(&format!("{client:>CALLS$}"), CALLS),
        fit(&format!("{server:^WIRE$}"), WIRE)
    )?;
    let ports = ladder::tag_ports(tl);
    if !ports.is_empty() {
        writeln!(out, "{:>9}  {}", "", ladder::tag_heading(&ports))?;
    }
    let rows = ladder::rows_in_flight(tl);
    let wires = in_flight_wires(tl, &rows);
    for (row, wire) in rows.into_iter().zip(&wires) {
        let line = match row {
            Row::Arrow {
                t_ms,
                client_state,
                server_state,
                lands: Some(_),
                ..
            }
            | Row::Arrival {
                t_ms,
                client_state,
                server_state,
                ..
            } => format!(
                "{t_ms:>9.3}  {}│{}│ {}",
                client_column(state(client_state)),
                overlay(&" ".repeat(WIRE), wire),
                state(server_state)
            ),
            Row::Arrow {
                t_ms,
                to_server,
                label,
                client_state,
                server_state,
                tag,
                dropped,
                lost,
                lands: None,
            } => {
                let label = tagged(tag, &label);
                match dropped {
                    Some(d) => format!(
                        "{t_ms:>9.3}  {}│{}│ {} {}",
                        client_column(state(client_state)),
                        dropped_arrow(&label),
                        d.why(),
                        state(server_state)
                    ),
                    None => format!(
                        "{t_ms:>9.3}  {}│{}│ {}",
                        client_column(state(client_state)),
                        overlay(&arrow(&label, to_server, lost), wire),
                        state(server_state)
                    ),
                }
            }
            Row::Call {
                t_ms,
                client_side: true,
                text,
                client_state,
                server_state,
                tag,
                ..
            } => format!(
                "{t_ms:>9.3}  {}│{}│ {}",
                client_column(&tagged(tag, &text)),
                overlay(&gap(state(client_state), ""), wire),
                state(server_state)
            ),
            Row::Call {
                t_ms,
                text,
                client_state,
                server_state,
                tag,
                ..
            } => format!(
                "{t_ms:>9.3}  {}│{}│ {}",
                client_column(state(client_state)),
                overlay(&gap("", state(server_state)), wire),
                tagged(tag, &text),
            ),
            Row::Note { t_ms, text } => format!("{t_ms:>9.3}  ── {text}"),
        };
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The handout: a title, the ladder, then the transcript (the lab's, probes included).
pub fn write(out: &mut dyn Write, tl: &Timeline, title: &str) -> io::Result<()> {
    let mut out = out;
    writeln!(out, "{title}")?;
    writeln!(out)?;
    write_ladder(&mut out, tl)?;
    writeln!(out)?;
    writeln!(out, "{}", crate::i18n::t("out.handout.transcript"))?;
    super::transcript::column_heading(&mut out)?;
    Transcript::default().rows(&mut out, tl, tl.events())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_cells_not_bytes() {
        assert_eq!(fit("대한", 6), "대한  ");
        assert_eq!(fit("abcdef", 4).width(), 4);
        assert!(fit("abcdef", 4).ends_with('…'));
    }

    #[test]
    fn arrows_point_the_right_way_and_span_the_wire() {
        let a = arrow("SYN seq=0", true, false);
        assert!(a.ends_with('►'));
        assert_eq!(a.width(), WIRE, "the arrow spans the wire");
        let b = arrow("SYN,ACK seq=0 ack=1 \"대한민국\"", false, false);
        assert!(b.starts_with('◄'));
        assert_eq!(b.width(), WIRE);
    }

    #[test]
    fn state_names_in_the_gap_keep_the_lifelines_straight() {
        assert_eq!(gap("", "").width(), WIRE);
        let g = gap("FIN_WAIT_1", "");
        assert_eq!(g.width(), WIRE);
        assert!(g.starts_with(" FIN_WAIT_1 "), "{g:?}");
        let g = gap("", "LAST_ACK");
        assert_eq!(g.width(), WIRE);
        assert!(g.ends_with("LAST_ACK "), "{g:?}");
        assert_eq!(client_column("SYN_SENT").width(), CALLS);
        assert!(client_column("SYN_SENT").ends_with("SYN_SENT "));
    }
}
