//! Which rows the ladder shows: the drawable events up to the playback position, each blocked
//! call's other end at its own moment (a `recv`'s start, a blocked `send`'s return), and the lab
//! calls still pending; the renderer and the mouse handler lay out the same rows.

use ratatui::layout::Rect;

use crate::timeline::EventKind;
use crate::ui::app::App;
use crate::ui::layout;
use crate::ui::playback::{self, CallEdge};

/// What one ladder row draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// The event itself: a segment, a note, or a call (for a blocking call, the end it is
    /// anchored at: a `recv`'s return, a `send`'s start).
    Event,
    /// Where a blocking call that is anchored at its return started (arguments, no result).
    CallStart,
    /// Where a blocking call that is anchored at its start returned (its result).
    CallReturn,
    /// A lab call (from the keyboard, or begun by a scenario) that has not returned yet (index into
    /// [`crate::ui::lab_controls::LabControls::pending`]).
    Pending(usize),
    /// Line `k` (from 1) of an event's text that does not fit its own row: a note wrapped
    /// across the ladder, a call's Python line or error ([`super::ladder_band`]).
    Band(u16),
    /// Over a lab link, where the segment reached its receiver (issue 12): its arrow slopes
    /// down from the segment's own row to this one ([`super::ladder_slope`]).
    Arrival,
}

/// One row of the ladder: the event it belongs to, and which part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LadderRow {
    /// Shown once this many events have happened; rows with equal `after` keep `order`.
    pub after: usize,
    pub order: u8,
    pub event: usize,
    pub kind: RowKind,
}

/// Events looked at around the window for blocking calls whose other end falls inside it,
/// so drawing cost does not grow with the timeline.
pub(super) const LOOK: usize = 4096;

/// Segments looked at before the window for an arrival inside it (a link's arrows in flight
/// span the rows of what happened meanwhile: a few round trips of a window's worth).
const ARRIVAL_LOOK: usize = 512;

/// The rows the ladder shows in `height` rows: the newest drawable events up to the playback
/// position, each blocking call's other end where it happened, over a link each segment's
/// arrival where it happened, and (following live) the lab calls still blocked; the selection
/// is kept in view.
pub fn rows(app: &App, height: usize) -> Vec<LadderRow> {
    let (top, mut rows) = rows_in_context(app, height, 0);
    rows.drain(..top);
    rows.truncate(height);
    rows
}

/// [`rows`] with up to `context` rows above and below the window laid out the same way (where
/// an arrow in flight through the window left or lands); the window starts at the returned
/// index.
pub fn rows_in_context(app: &App, height: usize, context: usize) -> (usize, Vec<LadderRow>) {
    let pos = app.playback.pos;
    let vis = app.index.visible();
    let shown = app.index.visible_before(pos);
    // A scenario picked live starts a fresh ladder: nothing from before its first event.
    let from = app.index.visible_before(app.start).min(shown);
    let mut k0 = shown.saturating_sub(height + context).max(from);
    let sel = app.selected.filter(|&i| i < pos);
    if let Some(sel) = sel {
        k0 = k0
            .min(vis.partition_point(|&v| v < sel).saturating_sub(context))
            .max(from);
    }
    let first = vis.get(k0).copied().unwrap_or(pos);
    let events = app.events();
    let ladder = layout::areas(Rect::new(0, 0, app.size.0, app.size.1))
        .map(|a| (a.ladder, super::ladder::geometry(a.ladder)));
    let mut all: Vec<LadderRow> = Vec::with_capacity(shown - k0);
    for &i in &vis[k0..shown] {
        let row = |kind| LadderRow {
            after: i + 1,
            order: 0,
            event: i,
            kind,
        };
        all.push(row(RowKind::Event));
        // Notes and a few calls take more rows (a cheap test on the kind first).
        if let (Some((area, g)), EventKind::Note(_) | EventKind::Call(_)) =
            (ladder, &events[i].kind)
        {
            let extra = super::ladder_band::band_text(&events[i].kind, area, g).extra_rows();
            all.extend((1..=extra as u16).map(|k| row(RowKind::Band(k))));
        }
    }
    let scan_end = (pos + LOOK).min(events.len());
    // Only a call whose other end falls between the window's first row and now can add a row:
    // a time test first, the index lookups only for those (a frame stays cheap at 1 M events).
    // (With the window at the very start, anything before the first row still fits.)
    let lo = events.get(first).filter(|_| k0 > 0).map(|e| e.at);
    // A moment at or after the next event's is not yet shown.
    let next = events.get(pos).map(|e| e.at);
    let scan_start = first.saturating_sub(LOOK);
    for &i in app.index.calls_that_may_block(scan_start..scan_end) {
        let EventKind::Call(c) = &events[i].kind else {
            continue;
        };
        if i < app.start {
            continue;
        }
        let waits = c.call.waits_for_peer();
        let other_end = if waits { c.started } else { c.returned };
        // A call already shown started before its own row: always in.
        let late = next.is_some_and(|n| other_end >= n) && !(waits && i < pos);
        if !c.call.may_block() || lo.is_some_and(|lo| other_end < lo) || late {
            continue;
        }
        if let Some((after, edge)) = playback::call_edge(&app.timeline, &app.index, i)
            && after <= pos
        {
            all.push(LadderRow {
                after,
                order: 1,
                event: i,
                kind: match edge {
                    CallEdge::Start => RowKind::CallStart,
                    CallEdge::Return => RowKind::CallReturn,
                },
            });
        }
    }
    // Over a link, each segment's arrival at its moment, once the screen's moment is past it
    // (one before the first event row belongs above it, with rows not laid out here).
    let moment = app.playback.moment(&app.timeline);
    let look = if app.timeline.over_link() {
        k0.saturating_sub(ARRIVAL_LOOK).max(from)
    } else {
        shown
    };
    for &i in &vis[look..shown] {
        if let EventKind::Segment(s) = &events[i].kind
            && let Some(at) = s.arrived()
            && at <= moment
        {
            let after = app.timeline.index_at(at).max(i + 1);
            if after > first {
                all.push(LadderRow {
                    after,
                    order: 1,
                    event: i,
                    kind: RowKind::Arrival,
                });
            }
        }
    }
    // A call the lab has begun stands where it began (events after it are drawn beside its
    // heavy lifeline); one only asked for from the keyboard, at the end.
    for (j, p) in app.lab.pending.iter().enumerate() {
        let after = match p.started {
            Some(t) => events.partition_point(|e| e.at <= t),
            None => usize::MAX,
        };
        if after <= pos || pos >= events.len() {
            all.push(LadderRow {
                after,
                order: 2,
                event: usize::MAX,
                kind: RowKind::Pending(j),
            });
        }
    }
    finish(app, all, sel, height, context)
}

/// The last `height` of `all` in order, or from the selection when it is further up, with up
/// to `context` rows either side; returns where the window starts.
fn finish(
    app: &App,
    mut all: Vec<LadderRow>,
    sel: Option<usize>,
    height: usize,
    context: usize,
) -> (usize, Vec<LadderRow>) {
    // Over a link, rows between the same two events (a call's other end, an arrival) in time
    // order; elsewhere in the order they were found, as always.
    let events = app.events();
    let link = app.timeline.over_link();
    let moment = |r: &LadderRow| match (r.kind, events.get(r.event).map(|e| &e.kind)) {
        _ if !link => 0,
        (RowKind::CallStart, Some(EventKind::Call(c))) => c.started.as_nanos(),
        (RowKind::CallReturn, Some(EventKind::Call(c))) => c.returned.as_nanos(),
        (RowKind::Arrival, Some(EventKind::Segment(s))) => s.arrived().map_or(0, |t| t.as_nanos()),
        _ => 0,
    };
    all.sort_by_key(|r| (r.after, r.order, moment(r)));
    let mut start = all.len().saturating_sub(height);
    if let Some(sel) = sel
        && let Some(r) = all
            .iter()
            .position(|r| r.event == sel && r.kind != RowKind::Arrival)
    {
        start = start.min(r);
    }
    let top = start.saturating_sub(context);
    all.truncate(start + height + context);
    all.drain(..top);
    (start - top, all)
}

/// The event drawn on screen row `row` (a mouse click), by the same layout the renderer uses.
pub fn event_at_row(app: &App, row: u16) -> Option<usize> {
    let area = layout::areas(Rect::new(0, 0, app.size.0, app.size.1))?.ladder;
    if row <= area.y || row >= area.bottom() {
        return None;
    }
    let height = area.height.saturating_sub(1) as usize;
    let r = rows(app, height)
        .get((row - area.y - 1) as usize)
        .copied()?;
    (r.event < app.len()).then_some(r.event)
}
