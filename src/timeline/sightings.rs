//! Two capture points on one link: each segment is seen leaving its sender and, unless the link
//! lost it, arriving at its receiver. The relay forwards frames unchanged, so the two sightings
//! of one segment are byte-identical (a retransmission is not: its IP ID and TCP timestamp
//! differ). The first sighting goes through the decoder and the tracker like any frame; the
//! second only adds where and when it was seen.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::{CapturePoint, EventKind, OwnedFrame, Sighting, Timeline};

/// A segment seen at one point so far.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    number: u64,
    point: CapturePoint,
}

/// Segments waiting for their second sighting, by the hash of their frame's bytes.
#[derive(Debug, Default)]
pub(super) struct Pending {
    waiting: HashMap<u64, Waiting>,
}

fn frame_key(data: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

impl Timeline {
    /// Add a frame one of the link's capture points saw. Returns the index of the segment it
    /// created or completed (`None` for a frame that is not TCP).
    pub(super) fn push_link_frame(
        &mut self,
        point: CapturePoint,
        frame: OwnedFrame,
    ) -> Option<usize> {
        let key = frame_key(&frame.data);
        let seen = Sighting {
            point,
            at: frame.ts,
        };
        if let Some(w) = self.sightings.waiting.get(&key).copied()
            && w.point != point
        {
            self.sightings.waiting.remove(&key);
            let i = self.segment_index(w.number)?;
            if let EventKind::Segment(s) = &mut self.events[i].kind {
                s.seen.push(seen);
                s.lost = false;
            }
            self.mark_changed(i);
            self.mark_overtaken(w.point, w.number);
            return Some(i);
        }
        let pos = self.push_frame(frame)?;
        if let EventKind::Segment(s) = &mut self.events[pos].kind {
            s.seen.push(seen);
            self.sightings.waiting.insert(
                key,
                Waiting {
                    number: s.number,
                    point,
                },
            );
        }
        Some(pos)
    }

    fn segment_index(&self, number: u64) -> Option<usize> {
        self.events
            .iter()
            .rposition(|e| matches!(&e.kind, EventKind::Segment(s) if s.number == number))
    }

    /// A segment first seen at `point` reached the other end: every earlier one from the same
    /// point still unseen there was overtaken, which a link that keeps order does only to a
    /// segment it dropped. (A reordered one is un-marked when it does arrive.)
    fn mark_overtaken(&mut self, point: CapturePoint, number: u64) {
        let lost: Vec<u64> = self
            .sightings
            .waiting
            .values()
            .filter(|w| w.point == point && w.number < number)
            .map(|w| w.number)
            .collect();
        for n in lost {
            self.set_lost(n);
        }
    }

    fn set_lost(&mut self, number: u64) {
        if let Some(i) = self.segment_index(number)
            && let EventKind::Segment(s) = &mut self.events[i].kind
            && !s.lost
        {
            s.lost = true;
            self.mark_changed(i);
        }
    }

    /// Once all sources have finished: whatever was seen at one point only was lost.
    pub(super) fn settle_lost(&mut self) {
        let numbers: Vec<u64> = self
            .sightings
            .waiting
            .drain()
            .map(|(_, w)| w.number)
            .collect();
        for n in numbers {
            self.set_lost(n);
        }
    }
}
