//! The scrubber: the whole timeline as one bar, coloured by the connection's phases (handshake,
//! data, teardown, reset) with the playback position on it. A click seeks.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::timeline::playback::Phase;
use crate::ui::app::App;

use unicode_width::UnicodeWidthStr;

use super::put;

/// A phase's name above the bar, in the reader's language.
pub fn phase_name(p: Phase) -> &'static str {
    crate::i18n::t(match p {
        Phase::Handshake => crate::key!("ui.phase.handshake"),
        Phase::Data => crate::key!("ui.phase.data"),
        Phase::Teardown => crate::key!("ui.phase.teardown"),
        Phase::Reset => crate::key!("ui.phase.reset"),
    })
}

/// The timeline fraction under column `x` of the scrubber `area` (for a click).
pub fn fraction_at(area: Rect, x: u16) -> f64 {
    let bar = bar(area);
    f64::from(x.saturating_sub(bar.0)) / f64::from(bar.1.max(1))
}

/// (first column, width) of the bar itself.
fn bar(area: Rect) -> (u16, u16) {
    (area.x + 1, area.width.saturating_sub(2))
}

fn glyph(p: Option<Phase>) -> &'static str {
    match p {
        Some(Phase::Handshake) => "═",
        Some(Phase::Data) => "━",
        Some(Phase::Teardown) => "╌",
        Some(Phase::Reset) => "✕",
        None => "─",
    }
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let (x0, w) = bar(area);
    // A scenario picked live (`o`) is a timeline of its own: the bar and the counter start at
    // its first event.
    let start = app.start.min(app.len());
    let n = app.len() - start;
    let pos = app.playback.pos.saturating_sub(start);
    let y = area.y + area.height - 1;
    put(buf, area.x, y, "▕", 1, t.border);
    put(buf, x0 + w, y, "▏", 1, t.border);
    let cursor = if n == 0 {
        0
    } else {
        ((pos as f64 / n as f64) * f64::from(w.saturating_sub(1))) as u16
    };
    let vis = app.index.visible();
    let first_phase = match start {
        0 => 0,
        _ => vis[app.index.visible_before(start)..]
            .iter()
            .copied()
            .find(|&i| matches!(app.events()[i].kind, crate::timeline::EventKind::Segment(_)))
            .unwrap_or(usize::MAX),
    };
    let mut last_phase = None;
    let mut labels: Vec<(u16, Phase)> = Vec::new();
    for k in 0..w {
        let i = if n == 0 {
            0
        } else {
            start + ((f64::from(k) + 0.5) / f64::from(w) * n as f64) as usize
        };
        // A scenario picked live has no phase before its own first segment (the one before
        // it belongs to the old ladder).
        let phase = app.index.phase_at(i).filter(|_| i >= first_phase);
        let style = match phase {
            Some(p) => t.phase(p),
            None => t.dim,
        };
        let style = if k <= cursor {
            style
        } else {
            style.patch(t.dim)
        };
        put(buf, x0 + k, y, glyph(phase), 1, style);
        if phase != last_phase
            && let Some(p) = phase
        {
            labels.push((k, p));
        }
        last_phase = phase;
    }
    put(buf, x0 + cursor, y, "◆", 1, t.title);
    if area.height >= 2 {
        let time = app
            .playback
            .pos
            .checked_sub(1)
            .and_then(|i| app.events().get(i))
            .map(|e| app.secs(e.at) * 1000.0)
            .unwrap_or(0.0);
        // Every event, probes included (the status bar's `step` counts only the drawn rows).
        let ms = format!("{time:.3}");
        let text = format!(
            " {} ",
            crate::tr!("ui.scrubber.event_probes", pos = pos, n = n, ms = ms)
        );
        // Only when probes make it count more than the status bar's steps.
        let text = if app.steps().1 < n && text.width() as u16 + 2 < area.width / 2 {
            text
        } else {
            format!(
                " {} ",
                crate::tr!("ui.scrubber.event", pos = pos, n = n, ms = ms)
            )
        };
        let tw = text.width() as u16;
        if area.width > tw + 2 {
            put(buf, area.right() - tw - 1, area.y, &text, tw, t.text);
        }
        // Phase names above the bar where they start, where they fit left of the counter.
        let limit = w.saturating_sub(tw + 1);
        let mut free_from = 0u16;
        for (k, p) in labels {
            let name = phase_name(p);
            if k < free_from || k + name.width() as u16 > limit {
                continue;
            }
            let used = put(buf, x0 + k, area.y, name, limit - k, t.phase(p));
            free_from = k + used + 1;
        }
    }
}
