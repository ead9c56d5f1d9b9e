//! One timeline: socket calls, captured segments and buffer probes, merged in causal order.
//!
//! Sources (the lab's socket threads, its prober, a live capture) send [`SourceEvent`]s as they
//! happen; [`Timeline::push`] decodes frames through `wire::decode` and `tcp::Tracker` (so the
//! states and analysis flags are the same as `inspect`'s) and inserts each event at its place.
//! Views ask "what is true at event i" ([`Timeline::snapshot`]) and "where did these bytes come
//! from" ([`Timeline::byte_map`]).

pub mod bytemap;
pub mod capture_index;
pub mod event;
pub mod from_capture;
pub mod playback;

pub use bytemap::{ByteMap, Origin};
pub use event::{
    AcceptQueue, ByteRange, CallEvent, Errno, Event, EventKind, Flow, ProbeEvent, SegmentEvent,
    Side, SocketId,
};

use std::collections::BTreeMap;

use crate::capture::{LinkType, Timestamp};
use crate::tcp::{ConnId, Connection, TcpState, Tracker};
use crate::wire::{Decoded, Decoder};

/// A frame a live capture handed over, owned so it can cross threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedFrame {
    pub ts: Timestamp,
    pub link: LinkType,
    pub orig_len: u32,
    pub data: Vec<u8>,
}

/// A raw fact from one of the lab's sources, in the order that source saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceEvent {
    Call(CallEvent),
    Probe { at: Timestamp, probe: ProbeEvent },
    Frame(OwnedFrame),
    Note { at: Timestamp, text: String },
}

/// What is true at one point of the timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The latest probe of every socket probed so far.
    pub probes: BTreeMap<SocketId, ProbeEvent>,
    /// Each connection's endpoint states after its latest segment so far.
    pub states: BTreeMap<ConnId, (TcpState, TcpState)>,
    /// Calls that had started but not yet returned (a blocked `recv`, a `sendall` waiting).
    pub in_progress: Vec<usize>,
}

#[derive(Debug)]
pub struct Timeline {
    origin: Timestamp,
    events: Vec<Event>,
    tracker: Tracker,
    frames: u64,
    undecodable: u64,
    decode_note_given: bool,
    /// Tunnels, reassembly and frame lengths, as `inspect` decodes them.
    decoder: Box<Decoder>,
}

impl Timeline {
    /// An empty timeline whose `t = 0` is `origin` (the moment the lab started).
    pub fn new(origin: Timestamp) -> Self {
        Timeline {
            origin,
            events: Vec::new(),
            tracker: Tracker::new(),
            frames: 0,
            undecodable: 0,
            decode_note_given: false,
            decoder: Box::default(),
        }
    }

    pub fn origin(&self) -> Timestamp {
        self.origin
    }

    /// Seconds from the timeline's origin to `at`.
    pub fn secs(&self, at: Timestamp) -> f64 {
        at.secs_since(self.origin)
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn frames_seen(&self) -> u64 {
        self.frames
    }

    pub fn undecodable_frames(&self) -> u64 {
        self.undecodable
    }

    pub fn connections(&self) -> &[Connection] {
        self.tracker.connections()
    }

    /// Add one source fact. Frames must be pushed in capture order (the tracker's contract).
    /// Returns the index the event landed at, or `None` for a frame that was not TCP.
    ///
    /// Indices after the returned one shift by one: a live view should re-read from there.
    pub fn push(&mut self, source: SourceEvent) -> Option<usize> {
        let event = match source {
            SourceEvent::Call(call) => Event {
                at: call.anchor(),
                kind: EventKind::Call(call),
            },
            SourceEvent::Probe { at, probe } => Event {
                at,
                kind: EventKind::Probe(probe),
            },
            SourceEvent::Note { at, text } => Event {
                at,
                kind: EventKind::Note(text),
            },
            SourceEvent::Frame(frame) => return self.push_frame(frame),
        };
        Some(self.insert(event))
    }

    fn push_frame(&mut self, frame: OwnedFrame) -> Option<usize> {
        self.frames += 1;
        let number = self.frames;
        let seg = match self
            .decoder
            .decode(frame.link, &frame.data, frame.orig_len, frame.ts)
        {
            Ok(Decoded::Tcp(seg)) => seg,
            Ok(Decoded::NotTcp) => return None,
            Err(err) => {
                self.undecodable += 1;
                if self.decode_note_given {
                    return None;
                }
                self.decode_note_given = true;
                let text = format!(
                    "frame {number} could not be decoded ({err}); such frames are left out"
                );
                return Some(self.insert(Event {
                    at: frame.ts,
                    kind: EventKind::Note(text),
                }));
            }
        };
        let info = self.tracker.push(frame.ts, frame.orig_len, &seg);
        let event = SegmentEvent {
            number,
            src: seg.src,
            dst: seg.dst,
            conn: info.conn,
            dir: info.dir,
            flags: seg.flags,
            rel_seq: info.rel_seq,
            rel_ack: info.rel_ack,
            len: seg.payload_len,
            window: info.window,
            analysis: info.analysis,
            client_state: info.client_state,
            server_state: info.server_state,
            payload: seg.payload.to_vec(),
            frame_len: frame.orig_len,
        };
        Some(self.insert(Event {
            at: frame.ts,
            kind: EventKind::Segment(event),
        }))
    }

    /// The events `keep` accepts, as a timeline of their own starting at `origin` (one
    /// connection out of a capture or a recording).
    ///
    /// Every kept segment was one captured frame, so [`Timeline::frames_seen`] of the result
    /// counts the frames of what was kept, not of the file; frames no connection owns (not
    /// TCP, undecodable) are not part of it.
    pub fn narrowed(&self, origin: Timestamp, keep: impl Fn(&Event) -> bool) -> Timeline {
        let mut part = Timeline::new(origin);
        // Already in order: appending keeps equal times in their arrival order.
        for ev in self.events.iter().filter(|e| keep(e)) {
            part.frames += u64::from(matches!(ev.kind, EventKind::Segment(_)));
            part.events.push(ev.clone());
        }
        part
    }

    /// Insert an already-built event at its place (to copy part of another timeline).
    pub fn push_event(&mut self, ev: Event) -> usize {
        self.insert(ev)
    }

    /// Insert after every event at or before `ev.at`, so equal times keep arrival order.
    fn insert(&mut self, ev: Event) -> usize {
        let at = ev.at;
        let pos = self.events.partition_point(|e| e.at <= at);
        self.events.insert(pos, ev);
        pos
    }

    /// Put every recv after the last segment that carried its bytes, even when the two clocks'
    /// readings say otherwise (a recv can never precede the data it returns). Call once all
    /// sources have finished.
    pub fn settle(&mut self) {
        loop {
            let map = ByteMap::build(&self.events);
            let mut moved = false;
            for (_, fb) in map.flows() {
                for (ri, range) in &fb.recvs {
                    let last = fb
                        .segments
                        .iter()
                        .filter(|(_, r)| r.overlaps(range))
                        .map(|(i, _)| *i)
                        .max();
                    if let Some(si) = last.filter(|si| si > ri) {
                        let seg_at = self.events[si].at;
                        let mut ev = self.events.remove(*ri);
                        ev.at = ev.at.max(seg_at);
                        self.events.insert(si, ev);
                        moved = true;
                        break;
                    }
                }
                if moved {
                    break;
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Number of events at or before `t`: the playback position for a time.
    pub fn index_at(&self, t: Timestamp) -> usize {
        self.events.partition_point(|e| e.at <= t)
    }

    /// What is true once the first `upto` events have happened.
    pub fn snapshot(&self, upto: usize) -> Snapshot {
        let mut snap = Snapshot::default();
        let upto = upto.min(self.events.len());
        let now = upto
            .checked_sub(1)
            .map(|i| self.events[i].at)
            .unwrap_or(self.origin);
        for ev in &self.events[..upto] {
            match &ev.kind {
                EventKind::Probe(p) => {
                    snap.probes.insert(p.socket, *p);
                }
                EventKind::Segment(s) => {
                    snap.states.insert(s.conn, (s.client_state, s.server_state));
                }
                _ => {}
            }
        }
        // A call placed later (it is anchored at its return) may already be under way.
        for (i, ev) in self.events.iter().enumerate() {
            if let EventKind::Call(c) = &ev.kind
                && c.started <= now
                && now < c.returned
            {
                snap.in_progress.push(i);
            }
        }
        snap
    }

    /// The send → segment → recv map over the whole timeline.
    pub fn byte_map(&self) -> ByteMap {
        ByteMap::build(&self.events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Analysis, Direction};
    use crate::wire::TcpFlags;

    const C: &str = "127.0.0.1:40000";
    const S: &str = "127.0.0.1:7";

    fn flow() -> Flow {
        Flow {
            from: C.parse().expect("literal"),
            to: S.parse().expect("literal"),
        }
    }

    fn call(
        name: &'static str,
        started: i64,
        returned: i64,
        range: Option<(u64, u64)>,
    ) -> CallEvent {
        CallEvent {
            side: if name == "recv" {
                Side::Server
            } else {
                Side::Client
            },
            socket: SocketId(1),
            call: name,
            args: String::new(),
            len: range.map(|(a, b)| b - a),
            ret: range.map(|(a, b)| (b - a) as i64),
            errno: None,
            started: Timestamp(started),
            returned: Timestamp(returned),
            data: Vec::new(),
            flow: range.map(|_| flow()),
            stream: range.map(|(start, end)| ByteRange { start, end }),
        }
    }

    fn segment(at: i64, rel_seq: u32, len: u32) -> Event {
        Event {
            at: Timestamp(at),
            kind: EventKind::Segment(SegmentEvent {
                number: 1,
                src: C.parse().expect("literal"),
                dst: S.parse().expect("literal"),
                conn: ConnId(0),
                dir: Direction::ToServer,
                flags: TcpFlags(TcpFlags::PSH | TcpFlags::ACK),
                rel_seq,
                rel_ack: 1,
                len,
                window: 65536,
                analysis: Analysis::default(),
                client_state: TcpState::Established,
                server_state: TcpState::Established,
                payload: Vec::new(),
                frame_len: 86,
            }),
        }
    }

    fn names(tl: &Timeline) -> Vec<&'static str> {
        tl.events()
            .iter()
            .map(|e| match &e.kind {
                EventKind::Call(c) => c.call,
                other => other.name(),
            })
            .collect()
    }

    #[test]
    fn a_send_sits_before_the_segment_captured_while_it_ran() {
        // LAB.md: the segment is stamped ~17 µs before send() returns.
        let mut tl = Timeline::new(Timestamp(0));
        tl.push(SourceEvent::Call(call("send", 100, 130, Some((0, 20)))));
        tl.push_event(segment(113, 1, 20));
        assert_eq!(names(&tl), ["send", "segment"]);
    }

    #[test]
    fn a_recv_sits_after_the_segment_that_carried_its_bytes() {
        let mut tl = Timeline::new(Timestamp(0));
        // A blocking recv started long before the data came.
        tl.push(SourceEvent::Call(call("recv", 10, 200, Some((0, 20)))));
        tl.push_event(segment(150, 1, 20));
        assert_eq!(names(&tl), ["segment", "recv"]);
    }

    #[test]
    fn settle_moves_a_recv_behind_a_later_stamped_segment() {
        let mut tl = Timeline::new(Timestamp(0));
        tl.push_event(Event {
            at: Timestamp(100),
            kind: EventKind::Call(call("recv", 50, 100, Some((0, 20)))),
        });
        tl.push_event(segment(101, 1, 20));
        tl.settle();
        assert_eq!(names(&tl), ["segment", "recv"]);
        assert_eq!(tl.events()[1].at, Timestamp(101), "time never goes back");
    }

    #[test]
    fn equal_times_keep_arrival_order() {
        let mut tl = Timeline::new(Timestamp(0));
        for text in ["first", "second"] {
            tl.push(SourceEvent::Note {
                at: Timestamp(5),
                text: text.into(),
            });
        }
        let texts: Vec<_> = tl
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Note(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["first", "second"]);
    }

    #[test]
    fn snapshot_knows_blocked_calls_and_latest_probes() {
        let mut tl = Timeline::new(Timestamp(0));
        tl.push(SourceEvent::Call(call("recv", 10, 500, Some((0, 20)))));
        let probe = |recv_q| ProbeEvent {
            side: Side::Server,
            socket: SocketId(1),
            state: Some(TcpState::Established),
            recv_q,
            send_q: 0,
            unsent: 0,
            sndbuf: 16384,
            rcvbuf: 131072,
            rtt_us: 10,
            cwnd: 10,
            accept_queue: None,
        };
        tl.push(SourceEvent::Probe {
            at: Timestamp(100),
            probe: probe(0),
        });
        tl.push(SourceEvent::Probe {
            at: Timestamp(200),
            probe: probe(20),
        });
        let at_200 = tl.snapshot(tl.index_at(Timestamp(200)));
        assert_eq!(at_200.probes[&SocketId(1)].recv_q, 20);
        assert_eq!(
            at_200.in_progress.len(),
            1,
            "the recv is still blocked at t=200"
        );
        let at_end = tl.snapshot(tl.events().len());
        assert!(at_end.in_progress.is_empty());
    }
}
