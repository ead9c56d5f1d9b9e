//! The ladder as an SVG for slides: black on white, two lifelines, a labelled arrow per segment,
//! the calls beside their lifelines, notes across. Hand-written XML (every text escaped), fonts
//! that carry Hangul on every OS a lecturer presents from.

use std::io::{self, Write};

use crate::tcp::TcpState;
use crate::timeline::Timeline;

use super::ladder::{self, Row};

const WIDTH: u32 = 1120;
const CLIENT_X: u32 = 330;
const SERVER_X: u32 = 770;
const TOP: u32 = 70;
const ARROW_ROW: u32 = 46;
const ROW: u32 = 24;
/// A monospace Latin font (labels line up), then fonts with Hangul on every OS a lecturer
/// presents from (Linux: Noto CJK, Nanum, D2Coding; Windows: Malgun Gothic; macOS: Apple SD
/// Gothic Neo), then whatever monospace the machine has: a renderer takes each glyph from the
/// first font in the list that has it, so Korean renders wherever any of them is installed.
pub const FONT_STACK: &str = "'DejaVu Sans Mono', 'Noto Sans Mono CJK KR', 'Noto Sans CJK KR', 'Noto Sans KR', 'NanumGothicCoding', 'NanumGothic', 'D2Coding', 'Malgun Gothic', 'Apple SD Gothic Neo', monospace";
/// The Korean fallbacks, each of which the stack names (checked by the export tests).
pub const CJK_FALLBACKS: [&str; 6] = [
    "Noto Sans Mono CJK KR",
    "Noto Sans CJK KR",
    "NanumGothicCoding",
    "D2Coding",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
];
/// A white halo behind text, so a lifeline crossing a label or a note never hides a letter.
const HALO: &str =
    r#"paint-order="stroke" stroke="white" stroke-width="4" stroke-linejoin="round""#;

/// The connection tags' inks (`c1`, `c2`, ...), in turn: each at least 4.5:1 on white (WCAG
/// AA for text), and apart in hue, so neighbouring connections differ at a glance.
pub const TAG_COLOURS: [&str; 6] = [
    "#0b5cad", "#a14a00", "#1e6b23", "#7b1fa2", "#00695c", "#9c1d55",
];

/// The ink of tag `n` (from 1).
pub fn tag_colour(n: usize) -> &'static str {
    TAG_COLOURS[n.saturating_sub(1) % TAG_COLOURS.len()]
}

/// A tag in its ink, bold, to put in front of a label: `<tspan class="tag" …>c2</tspan> `.
pub fn tag_span(tag: Option<usize>) -> String {
    tag.map_or(String::new(), |n| {
        format!(
            r#"<tspan class="tag" fill="{}" font-weight="bold">{}</tspan> "#,
            tag_colour(n),
            ladder::tag_text(n)
        )
    })
}

/// The heading's list of tags with their client ports, each tag in its ink.
pub fn tag_heading_spans(ports: &[(usize, u16)]) -> String {
    let items: Vec<String> = ports
        .iter()
        .map(|(n, p)| format!("{}:{p}", tag_span(Some(*n))))
        .collect();
    format!(
        "{} {}",
        crate::i18n::t("out.export.clients"),
        items.join("  ")
    )
}

/// Ink for a dropped SYN's arrow, its ✕ and why (7:1 on white).
pub const DROPPED: &str = "#b00020";

/// Text safe inside an XML element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped.
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The state names entered at a row, beside their lifelines (Stevens' ladder diagrams), in
/// bold small capitals of the diagram's ink: outside a lifeline (`outside.0` for the client,
/// `.1` for the server), or just inside it when a call's label holds the outside.
fn states(
    y: u32,
    (client, server): (Option<TcpState>, Option<TcpState>),
    outside: (bool, bool),
) -> String {
    let mut out = String::new();
    for (state, line, out_side, client_side) in [
        (client, CLIENT_X, outside.0, true),
        (server, SERVER_X, outside.1, false),
    ] {
        let Some(state) = state else { continue };
        // Left of the client's line and right of the server's is "outside".
        let (x, anchor) = match (client_side, out_side) {
            (true, true) => (line - 8, "end"),
            (true, false) => (line + 8, "start"),
            (false, true) => (line + 8, "start"),
            (false, false) => (line - 8, "end"),
        };
        out.push_str(&format!(
            r##"<text class="state" x="{x}" y="{y}" text-anchor="{anchor}" font-size="11" font-weight="bold" fill="#1a4d8f" {HALO}>{}</text>"##,
            state.name()
        ));
    }
    out
}

pub fn write(out: &mut dyn Write, tl: &Timeline, title: &str) -> io::Result<()> {
    let rows = ladder::rows_in_flight(tl);
    // Each row's top: an arrow drawn in flight (over a link) ends at its arrival row's.
    let tops: Vec<u32> = rows
        .iter()
        .scan(TOP, |y, r| {
            let top = *y;
            *y += match r {
                Row::Arrow { .. } => ARROW_ROW,
                _ => ROW,
            };
            Some(top)
        })
        .collect();
    let height: u32 = TOP
        + rows
            .iter()
            .map(|r| match r {
                Row::Arrow { .. } => ARROW_ROW,
                _ => ROW,
            })
            .sum::<u32>()
        + 30;
    let (client, server) = ladder::endpoints(tl);
    writeln!(
        out,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{font}" font-size="13">
<title>{title}</title>
<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="black"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>
<text x="{cx}" y="28" text-anchor="middle" font-weight="bold" font-size="15">{client}</text>
<text x="{sx}" y="28" text-anchor="middle" font-weight="bold" font-size="15">{server}</text>
<text x="10" y="28" font-size="11" fill="#555">t (ms)</text>
<line x1="{cx}" y1="{top}" x2="{cx}" y2="{bottom}" stroke="black" stroke-width="2"/>
<line x1="{sx}" y1="{top}" x2="{sx}" y2="{bottom}" stroke="black" stroke-width="2"/>"##,
        font = escape(FONT_STACK),
        title = escape(title),
        cx = CLIENT_X,
        sx = SERVER_X,
        client = escape(&client),
        server = escape(&server),
        top = TOP - 30,
        bottom = height - 20,
    )?;
    let ports = ladder::tag_ports(tl);
    if !ports.is_empty() {
        writeln!(
            out,
            r##"<text class="tags" x="10" y="52" font-size="12" fill="#333" {HALO}>{}</text>"##,
            tag_heading_spans(&ports)
        )?;
    }
    let mid = (CLIENT_X + SERVER_X) / 2;
    let mut y = TOP;
    for (k, row) in rows.iter().enumerate() {
        match row {
            Row::Arrow {
                t_ms,
                to_server,
                label,
                client_state,
                server_state,
                tag,
                dropped,
                lost,
                lands,
            } => {
                let (x1, mut x2) = if *to_server {
                    (CLIENT_X, SERVER_X)
                } else {
                    (SERVER_X, CLIENT_X)
                };
                let ink = tag.map_or("black", tag_colour);
                // A dropped SYN stops short of the server's lifeline at ✕, and says why; a
                // segment lost on a lab link stops midway at ✗ and never arrives.
                let (line, why) = match dropped {
                    Some(d) => (
                        format!(
                            r##"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y2}" stroke="{DROPPED}" stroke-width="1.5" stroke-dasharray="6 3"/><text class="dropped" x="{x2}" y="{ty}" text-anchor="middle" font-size="18" font-weight="bold" fill="{DROPPED}">✕</text>"##,
                            x2 = SERVER_X - 40,
                            y2 = y + 11,
                            ty = y + 17,
                        ),
                        format!(
                            r##"<text class="why" x="{x}" y="{ty}" font-size="11" fill="{DROPPED}" {HALO}>{}</text>"##,
                            escape(&d.why()),
                            x = SERVER_X + 8,
                            ty = y + 16,
                        ),
                    ),
                    None if *lost => {
                        x2 = mid;
                        (
                            format!(
                                r##"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y2}" stroke="{ink}" stroke-width="1.5"/><text x="{mid}" y="{cy}" text-anchor="middle" font-size="14" fill="#c00">✗</text>"##,
                                y2 = y + 6,
                                cy = y + 11,
                            ),
                            String::new(),
                        )
                    }
                    None => (
                        format!(
                            r##"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y2}" stroke="{ink}" stroke-width="1.5" marker-end="url(#head)"/>"##,
                            // Over a link, down to where it arrived.
                            y2 = lands
                                .and_then(|d| tops.get(k + d))
                                .map_or(y + 12, |&t| t + 4),
                        ),
                        String::new(),
                    ),
                };
                // A label of an arrow in flight starts at its sender, above where it leaves.
                let (lx, anchor) = match (lands, to_server) {
                    (None, _) => (mid, "middle"),
                    (Some(_), true) => (CLIENT_X + 8, "start"),
                    (Some(_), false) => (SERVER_X - 8, "end"),
                };
                writeln!(
                    out,
                    r##"<g class="segment"><text x="10" y="{ty}" font-size="11" fill="#555">{t_ms:.3}</text>{line}<text x="{lx}" y="{ly}" text-anchor="{anchor}" {HALO}>{span}{label}</text>{why}{states}</g>"##,
                    ty = y + 4,
                    ly = y - 3,
                    span = tag_span(*tag),
                    label = escape(label),
                    states = states(y + 4, (*client_state, *server_state), (true, true)),
                )?;
                y += ARROW_ROW;
            }
            Row::Call {
                t_ms,
                client_side,
                text,
                failed,
                client_state,
                server_state,
                tag,
            } => {
                let (x, anchor) = if *client_side {
                    (CLIENT_X - 8, "end")
                } else {
                    (SERVER_X + 8, "start")
                };
                let weight = if *failed { " font-weight=\"bold\"" } else { "" };
                writeln!(
                    out,
                    r##"<g class="call"><text x="10" y="{y}" font-size="11" fill="#555">{t_ms:.3}</text><text x="{x}" y="{y}" text-anchor="{anchor}" font-family="monospace, {font}"{weight}>{span}{text}</text>{states}</g>"##,
                    font = escape(FONT_STACK),
                    span = tag_span(*tag),
                    text = escape(text),
                    // The call's label holds its own side's outside: that state goes inside.
                    states = states(
                        y,
                        (*client_state, *server_state),
                        (!client_side, *client_side)
                    ),
                )?;
                y += ROW;
            }
            Row::Arrival {
                t_ms,
                client_state,
                server_state,
                ..
            } => {
                writeln!(
                    out,
                    r##"<g class="arrival"><text x="10" y="{ty}" font-size="11" fill="#555">{t_ms:.3}</text>{states}</g>"##,
                    ty = y + 4,
                    states = states(y + 4, (*client_state, *server_state), (true, true)),
                )?;
                y += ROW;
            }
            Row::Note { t_ms, text } => {
                writeln!(
                    out,
                    r##"<g class="note"><text x="10" y="{y}" font-size="11" fill="#555">{t_ms:.3}</text><text x="{mid}" y="{y}" text-anchor="middle" font-style="italic" fill="#333" {HALO}>{text}</text></g>"##,
                    text = escape(text),
                )?;
                y += ROW;
            }
        }
    }
    writeln!(out, "</svg>")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'대'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;대&apos;"
        );
        assert_eq!(escape("a\u{1}b"), "a\u{FFFD}b");
    }
}
