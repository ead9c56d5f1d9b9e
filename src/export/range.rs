//! Which part of a timeline an export shows: the whole of it, one phase of the connection
//! (handshake, data, teardown), or a run of event numbers for a finer cut. A slide holds a
//! phase; a handout holds the whole.
//!
//! Event numbers are 1-based positions in the timeline, the numbers the screens' scrubber shows
//! (`event 12/45` is the twelfth event) and the slides print beside each row.

use std::fmt;

use crate::timeline::{Call, EventKind, Timeline};

/// A phase of a connection's life, read off its segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlidePhase {
    /// From the first event to the last handshake segment (SYN, SYN,ACK, the ACK that
    /// establishes) or the `connect`/`accept` return that follows it, before any data. A
    /// handshake that never completed (SYN answered by RST) runs to the end.
    Handshake,
    /// After the handshake, before the teardown.
    Data,
    /// From the first FIN or RST (and the `close`/`shutdown` calls that sent it) to the end.
    Teardown,
}

impl SlidePhase {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "handshake" => Some(SlidePhase::Handshake),
            "data" => Some(SlidePhase::Data),
            "teardown" => Some(SlidePhase::Teardown),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SlidePhase::Handshake => "handshake",
            SlidePhase::Data => "data",
            SlidePhase::Teardown => "teardown",
        }
    }
    /// The phase as a slide or a message names it, in the reader's language.
    pub fn title(self) -> &'static str {
        crate::i18n::t(match self {
            SlidePhase::Handshake => crate::key!("out.phase.handshake"),
            SlidePhase::Data => crate::key!("out.phase.data"),
            SlidePhase::Teardown => crate::key!("out.phase.teardown"),
        })
    }
}

/// Events `first..=last`, 1-based and inclusive (`--events 12..40`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRange {
    pub first: usize,
    pub last: usize,
}

impl EventRange {
    /// `12..40`, `12..=40` (the same), `12..` (to the end), `..40`, or `12` (one event).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let num = |t: &str| -> Option<usize> { t.trim().parse().ok() };
        let (first, last) = match s.split_once("..") {
            Some((a, b)) => {
                let b = b.strip_prefix('=').unwrap_or(b);
                let first = if a.trim().is_empty() { 1 } else { num(a)? };
                let last = if b.trim().is_empty() {
                    usize::MAX
                } else {
                    num(b)?
                };
                (first, last)
            }
            None => {
                let n = num(s)?;
                (n, n)
            }
        };
        (first >= 1 && first <= last).then_some(EventRange { first, last })
    }

    /// Whether event number `n` (1-based) is in the range.
    pub fn contains(&self, n: usize) -> bool {
        self.first <= n && n <= self.last
    }

    /// The same range, its end no further than `len` events.
    pub fn clamp(self, len: usize) -> Self {
        EventRange {
            first: self.first,
            last: self.last.min(len),
        }
    }
}

impl fmt::Display for EventRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if self.first == self.last {
            crate::tr!("out.export.event", n = self.first)
        } else {
            crate::tr!("out.export.events", first = self.first, last = self.last)
        };
        f.write_str(&text)
    }
}

/// What an export shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Everything, as one tall page (a handout; the default).
    Whole,
    /// One phase, on slides.
    Phase(SlidePhase),
    /// A run of event numbers, on slides.
    Events(EventRange),
    /// Everything, on as many slides as it takes.
    AllSlides,
}

impl Cut {
    /// Whether the export is laid out as 16:9 slides.
    pub fn slides(self) -> bool {
        !matches!(self, Cut::Whole)
    }
}

/// Why a cut cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CutError {
    #[error("{}", crate::tr!("err.export.no_phase", phase = .phase, events = .events))]
    NoPhase { phase: &'static str, events: usize },
    #[error("{}", crate::tr!("err.export.past_end", range = .range, events = .events))]
    PastEnd { range: EventRange, events: usize },
}

/// The event numbers `cut` covers in `tl`.
pub fn resolve(tl: &Timeline, cut: Cut) -> Result<EventRange, CutError> {
    let events = tl.events().len();
    let all = EventRange {
        first: 1,
        last: events,
    };
    match cut {
        Cut::Whole | Cut::AllSlides => Ok(all),
        Cut::Events(r) if r.first > events => Err(CutError::PastEnd { range: r, events }),
        Cut::Events(r) => Ok(r.clamp(events)),
        Cut::Phase(p) => phase_range(tl, p).ok_or(CutError::NoPhase {
            phase: p.title(),
            events,
        }),
    }
}

/// The events of phase `p` in `tl`, or `None` when the timeline has no such phase (a refused
/// connection has no data; a capture cut before the FIN has no teardown).
pub fn phase_range(tl: &Timeline, p: SlidePhase) -> Option<EventRange> {
    let (data_from, teardown_from) = bounds(tl);
    let n = tl.events().len();
    let events = tl.events();
    // A handshake that never completed (a refused connect: SYN answered by RST) is the whole
    // story: its slide runs to the end, the RST and the failed connect included.
    let completed = events[..teardown_from.min(n)]
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Segment(s) if s.flags.syn() && s.flags.ack()));
    let handshake_end = if completed { data_from } else { n };
    // 0-based half-open index ranges, then 1-based event numbers.
    let (a, b) = match p {
        SlidePhase::Handshake => (0, handshake_end),
        SlidePhase::Data => (data_from, teardown_from),
        SlidePhase::Teardown => (teardown_from, n),
    };
    (a < b).then(|| EventRange {
        first: a + 1,
        last: b,
    })
}

/// (index of the first event after the handshake, index of the first event of the teardown).
fn bounds(tl: &Timeline) -> (usize, usize) {
    let events = tl.events();
    let n = events.len();
    // The first FIN or RST, moved back over the close/shutdown (and probes) that sent it.
    let first_end = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Segment(s) if s.flags.fin() || s.flags.rst()))
        .unwrap_or(n);
    let mut teardown = first_end;
    while teardown > 0 {
        match &events[teardown - 1].kind {
            EventKind::Call(c) if c.call.closes_fd() || matches!(c.call, Call::Shutdown(_)) => {}
            EventKind::Probe(_) => {}
            _ => break,
        }
        teardown -= 1;
    }
    // The first data segment (or the end of the handshake's room), then back to just after the
    // last handshake event before it: a handshake segment, a connect or accept, or a call made
    // before any segment (socket, bind, listen, setsockopt).
    let first_data = events[..first_end]
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Segment(s) if s.len > 0))
        .unwrap_or(first_end);
    let seen_segment = |k: usize| {
        events[..k]
            .iter()
            .any(|e| matches!(e.kind, EventKind::Segment(_)))
    };
    let mut handshake = first_data;
    while handshake > 0 {
        let k = handshake - 1;
        let belongs = match &events[k].kind {
            EventKind::Segment(_) => true,
            EventKind::Call(c) => {
                matches!(c.call, Call::Connect { .. } | Call::Accept { .. }) || !seen_segment(k)
            }
            EventKind::Note(_) | EventKind::Probe(_) => false,
        };
        if belongs {
            break;
        }
        handshake -= 1;
    }
    // No handshake segment at all (a capture that starts mid-stream): no handshake phase.
    if !events[..handshake]
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Segment(s) if s.flags.syn()))
    {
        handshake = 0;
    }
    (handshake, teardown.max(handshake))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ranges_parse_like_rust_ranges() {
        let r = |first, last| Some(EventRange { first, last });
        assert_eq!(EventRange::parse("12..40"), r(12, 40));
        assert_eq!(EventRange::parse("12..=40"), r(12, 40));
        assert_eq!(EventRange::parse(" 7 "), r(7, 7));
        assert_eq!(EventRange::parse("..5"), r(1, 5));
        assert_eq!(EventRange::parse("30.."), r(30, usize::MAX));
        assert_eq!(EventRange::parse("0..3"), None, "1-based");
        assert_eq!(EventRange::parse("9..3"), None);
        assert_eq!(EventRange::parse("a..b"), None);
        assert_eq!(SlidePhase::parse("data"), Some(SlidePhase::Data));
        assert_eq!(SlidePhase::parse("fin"), None);
    }
}
