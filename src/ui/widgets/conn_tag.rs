//! Which connection an arrow or a call belongs to (issue 11): when the scenario on screen has
//! more than one connection (backlog's three clients, `n`), every arrow and every call label
//! carries a short tag, `c1`, `c2`, ..., in its own colour, and the ladder's heading names each
//! tag's client port. One connection needs no tag, and gets none.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

use crate::ui::app::App;

use super::put;

pub use crate::timeline::conn_tags::{ConnTags, text};

/// The tags of one frame: the connections from the scenario's start.
pub fn of(app: &App) -> ConnTags {
    ConnTags::from_index(&app.index, app.start)
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
    let heading = crate::i18n::t("ui.ladder.clients");
    let hw = heading.width();
    if whole + hw <= room as usize {
        x += put(buf, area.x, area.y, heading, hw as u16, t.title);
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
