//! What the link does to one frame: drop it (loss, a full queue) or deliver it at a time.
//!
//! Pure: fed a frame's arrival time (since the link started), size and kind, it answers; the
//! relay (relay.rs) does the I/O and the waiting. The model is a bottleneck router's: a FIFO
//! queue drained at `rate` (tail drop when full), then the propagation `delay`.

use std::collections::VecDeque;
use std::time::Duration;

use super::spec::{LinkSpec, Loss, QueueLimit, REORDER_HOLD};

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    ToServer,
    ToClient,
}

/// What the link needs to know of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameInfo {
    /// Bytes on the wire (the Ethernet frame).
    pub len: usize,
    pub tcp: bool,
    /// SYN without ACK: a connection request.
    pub syn: bool,
}

impl FrameInfo {
    /// Read the Ethernet + IPv4 + TCP headers just far enough to classify the frame.
    pub fn of(frame: &[u8]) -> FrameInfo {
        let mut info = FrameInfo {
            len: frame.len(),
            tcp: false,
            syn: false,
        };
        let ipv4 = frame.get(12..14) == Some(&[0x08, 0x00]);
        let Some(&vihl) = frame.get(14).filter(|_| ipv4) else {
            return info;
        };
        let ihl = usize::from(vihl & 0x0f) * 4;
        if frame.get(14 + 9) != Some(&6) {
            return info;
        }
        info.tcp = true;
        if let Some(&flags) = frame.get(14 + ihl + 13) {
            info.syn = flags & 0x02 != 0 && flags & 0x10 == 0;
        }
        info
    }
}

/// Why the link dropped a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    Random,
    Nth,
    Syn,
    QueueFull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send it on this long after the link started.
    Deliver(Duration),
    Drop(DropReason),
}

/// One direction's bottleneck: frames still being serialised, with when each is done.
#[derive(Debug, Default)]
struct Bottleneck {
    queued: VecDeque<(Duration, usize)>,
}

/// The link's state: its queues, its loss counter and its random numbers.
#[derive(Debug)]
pub struct Shaper {
    spec: LinkSpec,
    rng: u64,
    to_server_tcp: u32,
    ways: [Bottleneck; 2],
}

impl Shaper {
    pub fn new(spec: LinkSpec) -> Self {
        Shaper {
            spec,
            rng: spec.seed,
            to_server_tcp: 0,
            ways: [Bottleneck::default(), Bottleneck::default()],
        }
    }

    /// splitmix64: small, seeded, and the same sequence on every machine.
    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `per_million` / 1,000,000.
    fn chance(&mut self, per_million: u32) -> bool {
        per_million > 0 && self.next_random() % 1_000_000 < u64::from(per_million)
    }

    /// Decide the fate of a frame that entered the link at `now`.
    pub fn admit(&mut self, way: Way, now: Duration, frame: FrameInfo) -> Verdict {
        if frame.tcp {
            if way == Way::ToServer {
                self.to_server_tcp += 1;
            }
            let loss = self.spec.loss;
            match loss {
                Loss::Syn if frame.syn => return Verdict::Drop(DropReason::Syn),
                Loss::Nth(n) if way == Way::ToServer && self.to_server_tcp == n => {
                    return Verdict::Drop(DropReason::Nth);
                }
                Loss::Random { per_million } if self.chance(per_million) => {
                    return Verdict::Drop(DropReason::Random);
                }
                _ => {}
            }
        }
        let sent = match self.spec.rate {
            None => now,
            Some(rate) => {
                let limit = self.spec.queue;
                let q = &mut self.ways[way as usize];
                while q.queued.front().is_some_and(|(done, _)| *done <= now) {
                    q.queued.pop_front();
                }
                let full = match limit {
                    QueueLimit::Packets(n) => q.queued.len() >= n as usize,
                    QueueLimit::Bytes(b) => {
                        q.queued.iter().map(|(_, len)| *len as u64).sum::<u64>() + frame.len as u64
                            > b
                    }
                };
                if full {
                    return Verdict::Drop(DropReason::QueueFull);
                }
                let start = q.queued.back().map_or(now, |(done, _)| (*done).max(now));
                let bits = frame.len as u128 * 8;
                let nanos = bits * 1_000_000_000 / u128::from(rate.0.max(1));
                let done = start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
                q.queued.push_back((done, frame.len));
                done
            }
        };
        let mut at = sent + self.spec.delay;
        if self.chance(self.spec.reorder_per_million) {
            at += REORDER_HOLD;
        }
        Verdict::Deliver(at)
    }
}

#[cfg(test)]
#[path = "shaper_tests.rs"]
mod tests;
