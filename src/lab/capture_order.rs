//! The live screens' reorder window for a link's two capture points (issue 12). Each point's
//! thread delivers its own frames in capture order, but one can lag the other: taken in arrival
//! order, a resend the client sent after the server's duplicate ACKs could reach the tracker
//! before them and be read as out-of-order rather than as a fast retransmission. The headless
//! lab and a recording's replay sort every frame once the run is over ([`in_capture_time`]); a
//! live screen cannot wait for the end, so it holds link frames briefly and releases them in
//! capture-time order:
//!
//! - a frame no later than the newest frame seen at *both* points is released at once (neither
//!   point can deliver anything earlier any more);
//! - otherwise it waits until a frame [`WINDOW`] of capture time newer has been seen, or for
//!   one more batch (the screen takes a batch every tick, 33 ms): a point that stays quiet
//!   (a one-way transfer's far end between arrivals) delays the other by a tick at most.
//!
//! A frame that arrives later than its window (a point lagging by more than that) is pushed
//! when it comes, out of order, as before.

use crate::capture::Timestamp;
use crate::timeline::{CapturePoint, SourceEvent};

/// The frames of a link's two capture points in the order they were captured: each point's
/// thread delivers its own frames in order, but one can lag the other, and the tracker must see
/// a duplicate ACK the server sent before the resend the client sent after it (else Wireshark's
/// rules read the fast retransmission as out-of-order). Only the frames' places among
/// themselves change; other events keep theirs.
pub fn in_capture_time(mut events: Vec<SourceEvent>) -> Vec<SourceEvent> {
    let slots: Vec<usize> = (0..events.len())
        .filter(|&i| matches!(events[i], SourceEvent::LinkFrame { .. }))
        .collect();
    let mut frames: Vec<SourceEvent> = slots
        .iter()
        .map(|&i| {
            std::mem::replace(
                &mut events[i],
                SourceEvent::Note {
                    at: Timestamp(0),
                    text: String::new(),
                },
            )
        })
        .collect();
    frames.sort_by_key(|ev| match ev {
        SourceEvent::LinkFrame { frame, .. } => frame.ts,
        _ => Timestamp(0),
    });
    for (slot, frame) in slots.into_iter().zip(frames) {
        events[slot] = frame;
    }
    events
}

/// How far behind in capture time the newest frame a held frame is released.
pub const WINDOW: Timestamp = Timestamp(5_000_000);

/// Link frames held back, in capture-time order, and the newest capture time seen at each point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptureOrder {
    held: Vec<Held>,
    newest_client: Option<Timestamp>,
    newest_server: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
struct Held {
    at: Timestamp,
    /// Batches it has waited through.
    waited: u8,
    event: SourceEvent,
}

impl CaptureOrder {
    /// The events of `batch` to push now: everything that is not a link frame as it came, then
    /// the link frames whose turn has come, in capture-time order (with those held from earlier
    /// batches).
    pub fn take(&mut self, batch: Vec<SourceEvent>) -> Vec<SourceEvent> {
        for h in &mut self.held {
            h.waited = h.waited.saturating_add(1);
        }
        let mut out = Vec::with_capacity(batch.len());
        for ev in batch {
            let (point, at) = match &ev {
                SourceEvent::LinkFrame { point, frame } => (*point, frame.ts),
                _ => {
                    out.push(ev);
                    continue;
                }
            };
            let newest = match point {
                CapturePoint::Client => &mut self.newest_client,
                CapturePoint::Server => &mut self.newest_server,
            };
            *newest = Some(newest.map_or(at, |n| n.max(at)));
            // Stable: equal times keep their arrival order.
            let k = self.held.partition_point(|h| h.at <= at);
            self.held.insert(
                k,
                Held {
                    at,
                    waited: 0,
                    event: ev,
                },
            );
        }
        let both = self
            .newest_client
            .zip(self.newest_server)
            .map(|(c, s)| c.min(s));
        let newest = self.newest_client.max(self.newest_server);
        let horizon = newest.map(|n| Timestamp(n.0 - WINDOW.0));
        let ready = self
            .held
            .iter()
            .take_while(|h| {
                h.waited >= 1
                    || both.is_some_and(|b| h.at <= b)
                    || horizon.is_some_and(|z| h.at <= z)
            })
            .count();
        out.extend(self.held.drain(..ready).map(|h| h.event));
        out
    }

    /// Frames still held.
    pub fn held(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::OwnedFrame;

    fn frame(point: CapturePoint, ms: i64, tag: u8) -> SourceEvent {
        SourceEvent::LinkFrame {
            point,
            frame: OwnedFrame {
                ts: Timestamp(ms * 1_000_000),
                link: crate::capture::LinkType::ETHERNET,
                orig_len: 1,
                data: vec![tag],
            },
        }
    }

    fn tags(events: &[SourceEvent]) -> Vec<u8> {
        events
            .iter()
            .filter_map(|e| match e {
                SourceEvent::LinkFrame { frame, .. } => frame.data.first().copied(),
                _ => None,
            })
            .collect()
    }

    use CapturePoint::{Client, Server};

    #[test]
    fn a_lagging_point_s_earlier_frame_goes_first() {
        let mut order = CaptureOrder::default();
        // The client's resend (t=12) arrives before the server's duplicate ACK (t=10), whose
        // thread lagged: the ACK is pushed first.
        let out = order.take(vec![frame(Client, 12, 2), frame(Server, 10, 1)]);
        assert_eq!(
            tags(&out),
            [1],
            "the resend waits for the client side to pass it"
        );
        assert_eq!(order.held(), 1);
        let out = order.take(vec![frame(Client, 13, 3)]);
        // t=12 waited a batch; t=13 is newer than anything the server point has shown.
        assert_eq!(tags(&out), [2]);
        assert_eq!(order.held(), 1);
    }

    #[test]
    fn a_frame_both_points_have_passed_is_released_at_once() {
        let mut order = CaptureOrder::default();
        let out = order.take(vec![
            frame(Client, 1, 1),
            frame(Server, 3, 3),
            frame(Client, 2, 2),
            frame(Client, 4, 4),
        ]);
        assert_eq!(tags(&out), [1, 2, 3]);
        assert_eq!(order.held(), 1);
    }

    #[test]
    fn a_quiet_point_holds_the_other_for_its_window_of_capture_time() {
        let mut order = CaptureOrder::default();
        let out = order.take(vec![frame(Client, 0, 1), frame(Client, 3, 2)]);
        assert!(out.is_empty());
        let out = order.take(vec![]);
        assert_eq!(tags(&out), [1, 2], "one batch later everything held goes");
        // A frame 5 ms of capture time older than the newest goes at once.
        let out = order.take(vec![frame(Client, 10, 3), frame(Client, 16, 4)]);
        assert_eq!(tags(&out), [3]);
    }

    #[test]
    fn other_events_pass_through() {
        let mut order = CaptureOrder::default();
        let note = SourceEvent::Note {
            at: Timestamp(5),
            text: "n".into(),
        };
        let out = order.take(vec![frame(Client, 1, 1), note.clone()]);
        assert_eq!(out, vec![note]);
    }
}
