//! Two capture points on one link: each segment is seen leaving its sender and, unless the link
//! lost it, arriving at its receiver. The relay forwards frames unchanged, so the two sightings
//! of one segment are byte-identical (a retransmission is not: its IP ID and TCP timestamp
//! differ). The first sighting goes through the decoder and the tracker like any frame; the
//! second only adds where and when it was seen.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::{CapturePoint, Event, EventKind, OwnedFrame, Sighting, Timeline};
use crate::capture::Timestamp;
use crate::tcp::{Direction, TcpState};

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

/// The frame number an ARP frame waits under: no segment has it.
const ARP: u64 = u64::MAX;

/// An ARP request or reply as tcpdump writes it (`who has 192.0.2.3? tell 192.0.2.1`): on a
/// link it is where a connect() to a silent host spends its time (RFC 826).
fn arp_text(data: &[u8]) -> Option<String> {
    if data.get(12..14) != Some(&[0x08, 0x06]) {
        return None;
    }
    let arp = data.get(14..42)?;
    let ip = |at: usize| std::net::Ipv4Addr::new(arp[at], arp[at + 1], arp[at + 2], arp[at + 3]);
    let mac = arp[8..14]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    match u16::from_be_bytes([arp[6], arp[7]]) {
        1 => Some(format!("who has {}? tell {}", ip(24), ip(14))),
        2 => Some(format!("{} is at {mac}", ip(14))),
        _ => None,
    }
}

fn frame_key(data: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

impl Timeline {
    /// Add a frame one of the link's capture points saw. Returns the index of the event it
    /// inserted (`None` for a frame that is not TCP, and for a second sighting: it completes a
    /// segment already there, marked changed, and moves no index).
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
            && w.number == ARP
        {
            self.sightings.waiting.remove(&key);
            return None;
        }
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
            return None;
        }
        if let Some(text) = arp_text(&frame.data) {
            self.sightings
                .waiting
                .insert(key, Waiting { number: ARP, point });
            return Some(self.insert(Event {
                at: frame.ts,
                kind: EventKind::Note(format!("{text} (ARP, seen at the {} host)", point.name())),
            }));
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
            // A SYN that never arrived left the server end as it was: no SYN_RECEIVED.
            if s.dir == Direction::ToServer
                && s.flags.syn()
                && !s.flags.ack()
                && s.server_state == TcpState::SynReceived
            {
                s.server_state = TcpState::Closed;
            }
            self.mark_changed(i);
        }
    }

    /// The last moment the timeline knows of: its last event, or a segment's arrival after it
    /// (over a link, the last segments land after the last event left). Looks at a bounded
    /// tail, so it stays cheap on a long timeline.
    pub fn last_moment(&self) -> Timestamp {
        let last = self.events.last().map_or(self.origin, |e| e.at);
        self.events
            .iter()
            .rev()
            .take(4096)
            .filter_map(|e| match &e.kind {
                EventKind::Segment(s) => s.arrived(),
                _ => None,
            })
            .fold(last, Timestamp::max)
    }

    /// Whether the timeline was captured at both ends of a lab link (its segments carry
    /// sightings); looks at its first segment.
    pub fn over_link(&self) -> bool {
        self.events
            .iter()
            .take(4096)
            .find_map(|e| match &e.kind {
                EventKind::Segment(s) => Some(!s.seen.is_empty()),
                _ => None,
            })
            .unwrap_or(false)
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
