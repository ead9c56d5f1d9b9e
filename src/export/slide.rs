//! The ladder as 16:9 slides: 1280×720, every text at least 18 px (1/40 of the height, what a
//! back row reads off a projector), headings for the client and the server with the states
//! their lifelines are in when the slide starts, the state names entered beside the lifelines,
//! each row numbered with its event (for `--events` cuts). What does not fit one slide goes on
//! the next, numbered `1/3`, `2/3` …: a lecturer puts them one after another.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::tcp::TcpState;
use crate::timeline::Timeline;

use super::labels::wrap;
use super::ladder::{self, Row};
use super::range::{self, Cut, CutError, EventRange};
use super::svg::{DROPPED, FONT_STACK, escape, tag_colour};

/// A 16:9 slide, in SVG user units (pixels at 100%).
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;
/// The body text: arrows' labels, calls, notes.
pub const FONT: u32 = 20;
/// The smallest text on a slide (states, event numbers, page numbers): 1/40 of the height.
pub const SMALL: u32 = 18;
const LINE: u32 = 24;
const CLIENT_X: u32 = 420;
const SERVER_X: u32 = 860;
/// Where the numbers column ends and a client's call may begin.
const NUMBERS: u32 = 70;
const MARGIN: u32 = 12;
const ROWS_TOP: u32 = 80;
const ROWS_BOTTOM: u32 = HEIGHT - 14;
/// Ink for secondary text: 7.4:1 on white.
const GREY: &str = "#555555";
/// Ink for state names: 8.6:1 on white.
const BLUE: &str = "#1a4d8f";
const HALO: &str =
    r#"paint-order="stroke" stroke="white" stroke-width="5" stroke-linejoin="round""#;

/// How many cells of `px` pixels of monospace text at `font` px fit: DejaVu Sans Mono's advance
/// is 0.6 em, and a CJK fallback's wide glyph (two cells) is at most 1.2 em.
fn cells(px: u32, font: u32) -> usize {
    (px as f64 / (0.6 * font as f64)).floor() as usize
}

/// A laid-out row: its event number, its height and its drawing at a given top.
struct Placed {
    event: usize,
    height: u32,
    row: Row,
    lines: Vec<String>,
    /// A call's tag, drawn before its first line.
    tag: Option<usize>,
}

fn place(event: usize, row: Row) -> Placed {
    let width = match &row {
        Row::Arrow { .. } => cells(SERVER_X - CLIENT_X - 2 * MARGIN, FONT),
        Row::Call { client_side, .. } => {
            if *client_side {
                cells(CLIENT_X - MARGIN - NUMBERS, FONT)
            } else {
                cells(WIDTH - MARGIN - SERVER_X - MARGIN, FONT)
            }
        }
        // (Slides draw each arrow on its own row: they ask for no arrival rows.)
        Row::Note { .. } | Row::Arrival { .. } => cells(WIDTH - MARGIN - NUMBERS, FONT),
    };
    let none = String::new();
    let text = match &row {
        Row::Arrow { label, .. } => label,
        Row::Call { text, .. } => text,
        Row::Note { text, .. } => text,
        Row::Arrival { .. } => &none,
    };
    // A call's tag (`c2 `) goes in front of its first line; an arrow's under its start.
    let tag = match &row {
        Row::Call { tag, .. } => *tag,
        _ => None,
    };
    let width = width.saturating_sub(tag.map_or(0, |n| ladder::tag_text(n).width() + 1));
    let lines = wrap(text, width);
    let k = lines.len() as u32;
    let height = match row {
        Row::Arrow { .. } => k * LINE + 30,
        _ => k * LINE + 6,
    };
    Placed {
        event,
        height,
        row,
        lines,
        tag,
    }
}

/// The slides for `cut` of `tl`, each a whole SVG document.
pub fn slides(tl: &Timeline, cut: Cut, title: &str) -> Result<Vec<String>, CutError> {
    let range = range::resolve(tl, cut)?;
    let placed: Vec<Placed> = ladder::numbered_rows(tl)
        .into_iter()
        .filter(|(n, _)| range.contains(*n))
        .map(|(n, r)| place(n, r))
        .collect();
    // Pages: as many rows as fit between the headings and the bottom edge.
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut used = 0;
    for p in placed {
        let page = pages.last_mut().expect("there is always a page");
        if !page.is_empty() && used + p.height > ROWS_BOTTOM - ROWS_TOP {
            pages.push(Vec::new());
            used = 0;
        }
        used += p.height;
        pages.last_mut().expect("just pushed").push(p);
    }
    let what = match cut {
        Cut::Phase(p) => p.title().to_string(),
        _ => range.to_string(),
    };
    let n = pages.len();
    let mut out = Vec::with_capacity(n);
    for (k, page) in pages.iter().enumerate() {
        let first = page.first().map_or(range.first, |p| p.event);
        let span = EventRange {
            first,
            last: page.last().map_or(range.last, |p| p.event),
        };
        let page_name = if n > 1 {
            format!("{what} {}/{n}", k + 1)
        } else {
            what.clone()
        };
        out.push(slide(tl, page, &page_name, span, title));
    }
    Ok(out)
}

fn slide(tl: &Timeline, rows: &[Placed], page_name: &str, span: EventRange, title: &str) -> String {
    let (client, server) = ladder::endpoints(tl);
    let (cs, ss) = ladder::states_before(tl, span.first);
    let mut s = String::new();
    let font = escape(FONT_STACK);
    let _ = write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{font}" font-size="{FONT}">
<title>{title} · {page}</title>
<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="black"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>
<text class="page" x="{MARGIN}" y="30" font-size="{SMALL}" fill="{GREY}">{page}</text>
<text class="page" x="{MARGIN}" y="54" font-size="{SMALL}" fill="{GREY}">{events}</text>
<text class="heading" x="{CLIENT_X}" y="30" text-anchor="middle" font-weight="bold" font-size="22">{client}</text>
<text class="heading" x="{SERVER_X}" y="30" text-anchor="middle" font-weight="bold" font-size="22">{server}</text>
{tags}{cstate}{sstate}<line x1="{CLIENT_X}" y1="64" x2="{CLIENT_X}" y2="{bottom}" stroke="black" stroke-width="2"/>
<line x1="{SERVER_X}" y1="64" x2="{SERVER_X}" y2="{bottom}" stroke="black" stroke-width="2"/>
"##,
        title = escape(title),
        page = escape(page_name),
        events = span,
        client = escape(&client),
        server = escape(&server),
        tags = tag_line(tl),
        cstate = heading_state(CLIENT_X, cs),
        sstate = heading_state(SERVER_X, ss),
        bottom = HEIGHT - 8,
    );
    let mut y = ROWS_TOP;
    for p in rows {
        draw(&mut s, p, y);
        y += p.height;
    }
    s.push_str("</svg>\n");
    s
}

/// With several connections: each tag with its client's port, between the lifelines under
/// the headings; every tag a text of its own, in its ink (`clients c1 :44902  c2 :44914`).
fn tag_line(tl: &Timeline) -> String {
    let ports = ladder::tag_ports(tl);
    if ports.is_empty() {
        return String::new();
    }
    let cell = 0.6 * SMALL as f64;
    let whole = ladder::tag_heading(&ports).width() as f64 * cell;
    let mut x = (CLIENT_X + SERVER_X) as f64 / 2.0 - whole / 2.0;
    let mut out = String::from(r#"<g class="tags">"#);
    let put = |out: &mut String, x: &mut f64, text: &str, ink: &str, class: &str| {
        let _ = write!(
            out,
            r#"<text class="{class}" x="{x:.0}" y="76" font-size="{SMALL}" font-weight="bold" fill="{ink}" {HALO}>{}</text>"#,
            escape(text)
        );
        *x += (text.width() + 1) as f64 * cell;
    };
    put(
        &mut out,
        &mut x,
        crate::i18n::t("out.export.clients"),
        GREY,
        "tags-word",
    );
    for (n, port) in ports {
        put(&mut out, &mut x, &ladder::tag_text(n), tag_colour(n), "tag");
        put(&mut out, &mut x, &format!(":{port}"), GREY, "port");
        x += cell;
    }
    out.push_str("</g>\n");
    out
}

/// A connection's tag as a text of its own, in its ink, beside a row's label.
fn tag_at(s: &mut String, tag: Option<usize>, (x, y): (f64, u32), anchor: &str) {
    if let Some(n) = tag {
        let _ = write!(
            s,
            r#"<text class="tag" x="{x:.0}" y="{y}" text-anchor="{anchor}" font-weight="bold" fill="{}" {HALO}>{}</text>"#,
            tag_colour(n),
            ladder::tag_text(n)
        );
    }
}

/// The state a lifeline is in when the slide starts, under its heading.
fn heading_state(x: u32, state: Option<TcpState>) -> String {
    state.map_or(String::new(), |st| {
        format!(
            r##"<text class="state" x="{x}" y="54" text-anchor="middle" font-size="{SMALL}" font-weight="bold" fill="{BLUE}">{}</text>
"##,
            st.name()
        )
    })
}

/// A state entered at a row, beside its lifeline: outside it (left of the client's, right of
/// the server's) unless a call's text holds that side.
fn state_mark(
    s: &mut String,
    y: u32,
    (client, server): (Option<TcpState>, Option<TcpState>),
    outside: (bool, bool),
) {
    for (state, line, out_side, client_side) in [
        (client, CLIENT_X, outside.0, true),
        (server, SERVER_X, outside.1, false),
    ] {
        let Some(state) = state else { continue };
        let (x, anchor) = match (client_side, out_side) {
            (true, true) | (false, false) => (line - 8, "end"),
            (true, false) | (false, true) => (line + 8, "start"),
        };
        let _ = writeln!(
            s,
            r##"<text class="state" x="{x}" y="{y}" text-anchor="{anchor}" font-size="{SMALL}" font-weight="bold" fill="{BLUE}" {HALO}>{}</text>"##,
            state.name()
        );
    }
}

/// Lines of text from `y` down, at `x` with `anchor`.
fn lines(s: &mut String, lines: &[String], at: (u32, u32), anchor: &str, extra: &str) {
    let (x, y) = at;
    for (k, line) in lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}" text-anchor="{anchor}" {extra}>{}</text>"#,
            y + k as u32 * LINE,
            escape(line)
        );
    }
}

fn draw(s: &mut String, p: &Placed, top: u32) {
    let base = top + 20;
    let number = format!(
        r##"<text class="event" x="{MARGIN}" y="{base}" font-size="{SMALL}" fill="{GREY}">#{}</text>"##,
        p.event
    );
    match &p.row {
        Row::Arrow {
            to_server,
            client_state,
            server_state,
            tag,
            dropped,
            ..
        } => {
            let y1 = base + (p.lines.len() as u32 - 1) * LINE + 10;
            let (x1, x2) = if *to_server {
                (CLIENT_X, SERVER_X)
            } else {
                (SERVER_X, CLIENT_X)
            };
            let _ = write!(s, r#"<g class="segment">{number}"#);
            lines(
                s,
                &p.lines,
                ((CLIENT_X + SERVER_X) / 2, base),
                "middle",
                &format!(r#"class="label" {HALO}"#),
            );
            // The tag just under the arrow's start, at the sender's lifeline.
            let (tx, anchor) = if *to_server {
                (CLIENT_X + 10, "start")
            } else {
                (SERVER_X - 10, "end")
            };
            tag_at(s, *tag, (tx as f64, y1 + 22), anchor);
            if let Some(d) = dropped {
                // It never reached the server: the line stops short at ✕, and why is beside it.
                let _ = write!(
                    s,
                    r##"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{DROPPED}" stroke-width="2" stroke-dasharray="8 4"/><text class="dropped" x="{x2}" y="{ty}" text-anchor="middle" font-size="24" font-weight="bold" fill="{DROPPED}">✕</text>"##,
                    x2 = SERVER_X - 50,
                    y2 = y1 + 12,
                    ty = y1 + 20,
                );
                // Broken before the figures' parenthesis when it takes two lines.
                let why = d.why();
                let why = match why.split_once(" (") {
                    Some((a, b))
                        if why.width() > cells(WIDTH - MARGIN - SERVER_X - MARGIN, SMALL) =>
                    {
                        vec![a.to_string(), format!("({b}")]
                    }
                    _ => vec![why],
                };
                for (k, line) in why.iter().enumerate() {
                    let _ = write!(
                        s,
                        r##"<text class="why" x="{x}" y="{y}" font-size="{SMALL}" fill="{DROPPED}" {HALO}>{}</text>"##,
                        escape(line),
                        x = SERVER_X + 10,
                        y = base + k as u32 * LINE,
                    );
                }
            } else {
                let _ = write!(
                    s,
                    r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{ink}" stroke-width="2" marker-end="url(#head)"/>"#,
                    y2 = y1 + 14,
                    ink = tag.map_or("black", tag_colour),
                );
            }
            state_mark(s, y1 + 12, (*client_state, *server_state), (true, true));
            s.push_str("</g>\n");
        }
        Row::Call {
            client_side,
            failed,
            client_state,
            server_state,
            tag,
            ..
        } => {
            let (x, anchor) = if *client_side {
                (CLIENT_X - 10, "end")
            } else {
                (SERVER_X + 10, "start")
            };
            let weight = if *failed {
                r##"font-weight="bold" fill="#b00020""##
            } else {
                ""
            };
            let _ = write!(s, r#"<g class="call">{number}"#);
            let _ = write!(
                s,
                r#"<circle cx="{cx}" cy="{cy}" r="5" fill="black"/>"#,
                cx = if *client_side { CLIENT_X } else { SERVER_X },
                cy = base - 6,
            );
            // The tag before the first line: left of it on the client's side (its lines end at
            // the lifeline), at the lifeline on the server's with the lines after it.
            let tag_w = p.tag.map_or(0.0, |n| {
                drawn_width(&format!("{} ", ladder::tag_text(n)), FONT)
            });
            let x = if *client_side {
                let first = p.lines.first().map_or(0.0, |l| drawn_width(l, FONT));
                tag_at(s, *tag, (x as f64 - first - 0.6 * FONT as f64, base), "end");
                x
            } else {
                tag_at(s, *tag, (x as f64, base), "start");
                x + tag_w as u32
            };
            lines(
                s,
                &p.lines,
                (x, base),
                anchor,
                &format!(r#"class="label" {weight}"#),
            );
            state_mark(
                s,
                base,
                (*client_state, *server_state),
                (!client_side, *client_side),
            );
            s.push_str("</g>\n");
        }
        Row::Note { .. } => {
            let _ = write!(s, r#"<g class="note">{number}"#);
            lines(
                s,
                &p.lines,
                ((NUMBERS + WIDTH - MARGIN) / 2, base),
                "middle",
                &format!(r##"class="label" font-style="italic" fill="#333333" {HALO}"##),
            );
            s.push_str("</g>\n");
        }
        Row::Arrival { .. } => {}
    }
}

/// How wide `text` is drawn at `font` px, at most (for tests and layout checks).
pub fn drawn_width(text: &str, font: u32) -> f64 {
    text.width() as f64 * 0.6 * font as f64
}
