//! Which connection an arrow or a call belongs to (issue 11): when the scenario on screen has
//! more than one connection (backlog's three clients, `n`), every arrow and every call label
//! carries a short tag, `c1`, `c2`, ..., in its own colour, and the ladder's heading names each
//! tag's client port. One connection needs no tag, and gets none.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

use crate::tcp::ConnId;
use crate::timeline::SocketId;
use crate::ui::app::App;

use super::put;

/// The tags of one frame: connections numbered from the scenario's start, in order of their
/// first segment (the order `inspect` and `--conn` use).
#[derive(Debug, Clone, Default)]
pub struct ConnTags {
    /// (connection, its client's port), tag `k + 1` for entry `k`.
    conns: Vec<(ConnId, u16)>,
    /// Each socket that is an end of one of them, with its tag number.
    sockets: Vec<(SocketId, usize)>,
}

impl ConnTags {
    pub fn of(app: &App) -> Self {
        let list = app.index.connections_from(app.start);
        if list.len() < 2 {
            return ConnTags::default();
        }
        let conns: Vec<(ConnId, u16)> = list.iter().map(|(id, c, _)| (*id, c.port())).collect();
        let sockets = app
            .index
            .sockets()
            .iter()
            .filter_map(|s| {
                let id = app.index.conn_of(s)?;
                let n = conns.iter().position(|(c, _)| *c == id)? + 1;
                Some((s.id, n))
            })
            .collect();
        ConnTags { conns, sockets }
    }

    /// Whether tags are drawn at all (two connections or more).
    pub fn active(&self) -> bool {
        self.conns.len() > 1
    }

    pub fn len(&self) -> usize {
        self.conns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// The tag number (from 1) of a segment's connection.
    pub fn of_conn(&self, id: ConnId) -> Option<usize> {
        self.conns.iter().position(|(c, _)| *c == id).map(|k| k + 1)
    }

    /// The tag number of a call's socket (a listener's calls have none).
    pub fn of_socket(&self, id: SocketId) -> Option<usize> {
        self.sockets.iter().find(|(s, _)| *s == id).map(|(_, n)| *n)
    }

    /// `(tag number, client port)` of every connection, in order.
    pub fn ports(&self) -> impl Iterator<Item = (usize, u16)> + '_ {
        self.conns.iter().enumerate().map(|(k, (_, p))| (k + 1, *p))
    }
}

/// `c1`, `c2`, ...
pub fn text(n: usize) -> String {
    format!("c{n}")
}

/// A tag's colour: the theme's four band fills in turn (dark text on a coloured cell; the mono
/// theme alternates reverse video), so neighbouring connections differ even without reading.
pub fn style(app: &App, n: usize) -> Style {
    app.theme.bands[n.saturating_sub(1) % app.theme.bands.len()]
}

/// The ladder's heading with several connections: `clients c1 :57118 c2 :57126 c3 :57142`
/// left of the server's name (`room` cells), each tag in its colour; without the word
/// `clients` when that makes them all fit, and `+N` for those that still do not.
pub fn draw_heading(app: &App, tags: &ConnTags, area: Rect, room: u16, buf: &mut Buffer) {
    let t = &app.theme;
    let end = area.x + room;
    let all: Vec<(usize, String)> = tags
        .ports()
        .map(|(n, port)| (n, format!("{} :{port}", text(n))))
        .collect();
    let whole: usize = all.iter().map(|(_, p)| p.width() + 1).sum();
    let mut x = area.x;
    if whole + 7 <= room as usize {
        x += put(buf, area.x, area.y, "clients", 7, t.title);
    }
    for (k, (n, item)) in all.iter().enumerate() {
        let w = item.width() as u16 + 1;
        let more = format!(" +{}", all.len() - k);
        let reserve = if k + 1 < all.len() {
            more.width() as u16 + 1
        } else {
            0
        };
        if x + w + reserve > end {
            put(buf, x, area.y, &more, more.width() as u16, t.title);
            return;
        }
        let tag = text(*n);
        let tw = tag.width() as u16;
        x += 1;
        put(buf, x, area.y, &tag, tw, style(app, *n));
        put(buf, x + tw, area.y, &item[tag.len()..], w - 1 - tw, t.title);
        x += w - 1;
    }
}
