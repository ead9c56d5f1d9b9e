//! Playback: where the position is and how it moves. Steps go from one drawable event to the
//! next; lecture pacing gives every arrow the same travel time, real-time pacing follows the
//! recorded timestamps slowed down.
//!
//! The position is state ([`Playback::pos`]: how many events have happened), advanced by
//! [`Playback::tick`] with the elapsed time the event loop measured, so rendering never reads a
//! clock and tests can step time.

use crate::capture::Timestamp;
pub use crate::export::ladder::{BLOCKED_SECS, CallEdge, blocked, call_edge};
use crate::timeline::playback::PlaybackIndex;
use crate::timeline::{EventKind, Timeline};

/// Events looked at beyond a step for blocking calls whose other end falls inside it (keeps a
/// step's cost independent of the timeline's length).
const LOOK: usize = 4096;

/// Positions in `(from, to)` where a blocked call's start or return row appears: a step
/// stops there too, so a lecturer sees the call begin before what it waits for.
fn edge_stops<'a>(
    tl: &'a Timeline,
    index: &'a PlaybackIndex,
    from: usize,
    to: usize,
) -> impl Iterator<Item = usize> + 'a {
    let n = tl.events().len();
    (from.saturating_sub(LOOK)..(to + LOOK).min(n))
        .filter_map(move |i| call_edge(tl, index, i))
        .map(|(after, _)| after)
        .filter(move |&after| after > from && after < to)
}

/// Seconds an arrow takes to cross the wire in lecture pacing, at speed 1.
pub const LECTURE_TRAVEL_SECS: f64 = 0.6;
/// Real-time pacing at speed 1 plays loopback traffic this much slower than it happened: a
/// handshake takes ~30 µs on `lo`, too fast for an eye.
pub const REALTIME_SLOWDOWN: f64 = 1000.0;
/// Real-time pacing at speed 1 plays traffic over a lab link (issue 12) this much slower: an
/// 80 ms round trip takes 0.8 s, each segment visibly in flight for its one-way delay.
pub const LINK_SLOWDOWN: f64 = 10.0;

/// How much slower than it happened real-time pacing plays `tl` at speed 1.
pub fn slowdown(tl: &Timeline) -> f64 {
    if tl.over_link() {
        LINK_SLOWDOWN
    } else {
        REALTIME_SLOWDOWN
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// One event per step, every arrow takes the same time to cross.
    Lecture,
    /// Events at their recorded times, slowed by [`REALTIME_SLOWDOWN`] / speed
    /// ([`LINK_SLOWDOWN`] over a lab link).
    RealTime,
}

/// The playback position and how it advances.
#[derive(Debug, Clone, PartialEq)]
pub struct Playback {
    /// How many events have happened.
    pub pos: usize,
    pub playing: bool,
    pub pacing: Pacing,
    pub speed: f64,
    /// Real-time pacing's clock: seconds since the timeline's origin.
    pub clock: f64,
    /// How far the newest arrow has crossed the wire (0..=1).
    pub progress: f64,
}

impl Default for Playback {
    fn default() -> Self {
        Playback {
            pos: 0,
            playing: true,
            pacing: Pacing::Lecture,
            speed: 1.0,
            clock: 0.0,
            progress: 1.0,
        }
    }
}

impl Playback {
    pub fn toggle_play(&mut self, tl: &Timeline) {
        self.playing = !self.playing;
        if self.playing {
            self.sync_clock(tl);
        }
    }

    pub fn slower(&mut self) {
        self.speed = (self.speed / 2.0).max(1.0 / 64.0);
    }

    pub fn faster(&mut self) {
        self.speed = (self.speed * 2.0).min(64.0);
    }

    pub fn toggle_pacing(&mut self, tl: &Timeline) {
        self.pacing = match self.pacing {
            Pacing::Lecture => Pacing::RealTime,
            Pacing::RealTime => Pacing::Lecture,
        };
        self.sync_clock(tl);
        self.progress = 1.0;
    }

    /// Jump to `to` events (clamped), the arrow already arrived.
    pub fn seek(&mut self, tl: &Timeline, to: usize) {
        self.pos = to.min(tl.events().len());
        self.progress = 1.0;
        self.sync_clock(tl);
    }

    /// The moment the screen shows, for what happens between events: a segment whose
    /// arrival ([`crate::timeline::SegmentEvent::arrived`]) is later is still in flight. The
    /// clock's time, never before the newest event shown; at the end everything known has
    /// happened, unless real-time pacing is still playing towards the last arrival.
    pub fn moment(&self, tl: &Timeline) -> Timestamp {
        if self.pos >= tl.events().len() && !(self.pacing == Pacing::RealTime && self.playing) {
            return Timestamp(i64::MAX);
        }
        let newest = self
            .pos
            .checked_sub(1)
            .and_then(|i| tl.events().get(i))
            .map_or(tl.origin(), |e| e.at);
        Timestamp(tl.origin().as_nanos() + (self.clock * 1e9).round() as i64).max(newest)
    }

    /// Put the real-time clock at the last moment `tl` knows (a live source at its end: what
    /// arrived is shown as it arrives).
    pub fn clock_to_end(&mut self, tl: &Timeline) {
        self.clock = tl.secs(tl.last_moment());
    }

    /// Put the real-time clock at the current position's time.
    pub fn sync_clock(&mut self, tl: &Timeline) {
        self.clock = self
            .pos
            .checked_sub(1)
            .and_then(|i| tl.events().get(i))
            .map(|e| tl.secs(e.at))
            .unwrap_or(0.0);
    }

    /// To just after the next drawable event, or to the next blocked call's start or return
    /// if one comes first; false at the end. With no drawable event left, the events after the
    /// last one (probes) are taken in too, so the panels show the newest values.
    pub fn step_forward(&mut self, tl: &Timeline, index: &PlaybackIndex) -> bool {
        let k = index.visible_before(self.pos);
        let len = tl.events().len();
        let next = index.visible().get(k).map(|&i| i + 1);
        let edge = edge_stops(tl, index, self.pos, next.unwrap_or(len) + 1).min();
        let to = match (next, edge) {
            (Some(n), Some(e)) => n.min(e),
            (Some(n), None) => n,
            (None, Some(e)) => e,
            (None, None) => len,
        };
        if to <= self.pos {
            return false;
        }
        self.pos = to;
        self.sync_clock(tl);
        true
    }

    /// To just before the last drawable event shown, or to the last blocked call's start or
    /// return shown after it; false at the start.
    pub fn step_back(&mut self, tl: &Timeline, index: &PlaybackIndex) -> bool {
        let k = index.visible_before(self.pos);
        let Some(prev) = k.checked_sub(1).map(|k| index.visible()[k]) else {
            return false;
        };
        // The last row shown is the newer of the last drawable event and a call's edge.
        let to = edge_stops(tl, index, prev, self.pos + 1)
            .max()
            .map_or(prev, |e| e.saturating_sub(1).max(prev));
        self.pos = to;
        self.sync_clock(tl);
        true
    }

    /// `dt` seconds pass while playing; true when the position moved.
    pub fn tick(&mut self, tl: &Timeline, index: &PlaybackIndex, dt: f64) -> bool {
        match self.pacing {
            Pacing::Lecture => {
                self.progress += dt * self.speed / LECTURE_TRAVEL_SECS;
                if self.progress < 1.0 {
                    return false;
                }
                if self.step_forward(tl, index) {
                    self.progress = if newest_is_segment(tl, self.pos) {
                        0.0
                    } else {
                        0.5
                    };
                    true
                } else {
                    self.progress = 1.0;
                    false
                }
            }
            Pacing::RealTime => {
                self.progress = 1.0;
                self.clock += dt * self.speed / slowdown(tl);
                let t = tl.origin().as_nanos() + (self.clock * 1e9) as i64;
                let to = tl.index_at(Timestamp(t));
                if to > self.pos {
                    self.pos = to;
                    true
                } else {
                    if self.pos >= tl.events().len() {
                        // Past the last event the clock runs on to the last arrival, no further.
                        self.clock = self.clock.min(tl.secs(tl.last_moment()));
                    }
                    false
                }
            }
        }
    }
}

fn newest_is_segment(tl: &Timeline, pos: usize) -> bool {
    pos.checked_sub(1)
        .and_then(|i| tl.events().get(i))
        .is_some_and(|e| matches!(e.kind, EventKind::Segment(_)))
}
