//! Where each part of the screen goes, as a pure function of the terminal size, so the renderer
//! and the mouse handler agree on what is under a click.

use ratatui::layout::Rect;

/// The smallest terminal the screens are designed for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub ladder: Rect,
    pub panels: Rect,
    pub scrubber: Rect,
    pub bottom: Rect,
    pub status: Rect,
}

/// `None` when the terminal is below [`MIN_WIDTH`]×[`MIN_HEIGHT`].
pub fn areas(area: Rect) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let (x, y, w, h) = (area.x, area.y, area.width, area.height);
    let bottom_h = match h {
        0..=27 => 7,
        28..=35 => 9,
        _ => 12,
    };
    let scrub_h = if h >= 30 { 2 } else { 1 };
    let top_h = h - 1 - scrub_h - bottom_h - 1;
    // The panel column grows with the screen (a wide one holds whole detail lines, no `…`);
    // the ladder keeps the most.
    let panels_w = match w {
        0..110 => 28,
        110..=120 => 38,
        _ => (38 + (w - 120) / 2).min(60),
    };
    let ladder_w = w - panels_w;
    Some(Areas {
        header: Rect::new(x, y, w, 1),
        ladder: Rect::new(x, y + 1, ladder_w, top_h),
        panels: Rect::new(x + ladder_w, y + 1, panels_w, top_h),
        scrubber: Rect::new(x, y + 1 + top_h, w, scrub_h),
        bottom: Rect::new(x, y + 1 + top_h + scrub_h, w, bottom_h),
        status: Rect::new(x, y + h - 1, w, 1),
    })
}
