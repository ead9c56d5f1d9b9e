//! Playback: how the position moves. Steps go from one drawable event to the next; lecture
//! pacing gives every arrow the same travel time, real-time pacing follows the recorded
//! timestamps slowed down; a live lab's new events are merged without losing the viewer's place.

use crate::timeline::{EventKind, SourceEvent};

use super::app::{App, LECTURE_TRAVEL_SECS, Pacing, REALTIME_SLOWDOWN};
use super::keymap::Mode;

impl App {
    /// Add the lab's new events. Events that land before the position (a call is placed at its
    /// return, which may precede segments already shown) count as already seen.
    pub fn ingest(&mut self, batch: Vec<SourceEvent>) {
        if batch.is_empty() {
            return;
        }
        let at_end = self.pos >= self.len();
        for ev in batch {
            if let Some(i) = self.timeline.push(ev) {
                if i < self.pos {
                    self.pos += 1;
                }
                if let Some(sel) = self.selected.as_mut()
                    && i <= *sel
                {
                    *sel += 1;
                }
            }
        }
        self.reindex();
        if at_end && self.pacing == Pacing::RealTime && self.playing {
            self.pos = self.len();
        }
    }

    pub(super) fn seek(&mut self, to: usize) {
        self.pos = to.min(self.len());
        self.selected = None;
        self.progress = 1.0;
        self.sync_clock();
    }

    /// Put the real-time clock at the current position's time.
    pub(super) fn sync_clock(&mut self) {
        let at = self
            .pos
            .checked_sub(1)
            .and_then(|i| self.events().get(i))
            .map(|e| self.timeline.secs(e.at))
            .unwrap_or(0.0);
        self.clock = at;
    }

    pub(super) fn step_forward(&mut self) -> bool {
        let k = self.index.visible_before(self.pos);
        match self.index.visible().get(k) {
            Some(&i) => {
                self.pos = i + 1;
                self.selected = None;
                self.sync_clock();
                true
            }
            None => false,
        }
    }

    pub(super) fn step_back(&mut self) {
        let k = self.index.visible_before(self.pos);
        if let Some(k) = k.checked_sub(1) {
            self.pos = self.index.visible()[k];
            self.selected = None;
            self.sync_clock();
        }
    }

    pub(super) fn select_by(&mut self, delta: i64) {
        let vis = self.index.visible();
        let shown = self.index.visible_before(self.pos);
        if shown == 0 {
            return;
        }
        let cur = match self.focus() {
            Some(i) => vis.partition_point(|&v| v < i),
            None => shown - 1,
        };
        let next = (cur as i64 + delta).clamp(0, shown as i64 - 1) as usize;
        self.selected = Some(vis[next]);
    }

    pub(super) fn tick(&mut self, dt: f64) {
        if !self.playing || self.mode != Mode::Normal && self.mode != Mode::Input {
            return;
        }
        match self.pacing {
            Pacing::Lecture => {
                self.progress += dt * self.speed / LECTURE_TRAVEL_SECS;
                if self.progress >= 1.0 {
                    if self.step_forward() {
                        self.progress = if self.newest_is_segment() { 0.0 } else { 0.5 };
                    } else {
                        self.progress = 1.0;
                    }
                }
            }
            Pacing::RealTime => {
                self.progress = 1.0;
                self.clock += dt * self.speed / REALTIME_SLOWDOWN;
                let t = self.timeline.origin().as_nanos() + (self.clock * 1e9) as i64;
                let to = self.timeline.index_at(crate::capture::Timestamp(t));
                if to > self.pos {
                    self.pos = to;
                    self.selected = None;
                } else if self.pos >= self.len() {
                    self.sync_clock();
                }
            }
        }
    }

    fn newest_is_segment(&self) -> bool {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.events().get(i))
            .is_some_and(|e| matches!(e.kind, EventKind::Segment(_)))
    }
}
