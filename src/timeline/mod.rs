//! One timeline: socket calls, captured segments and buffer probes, merged in causal order.
//!
//! Sources (the lab's socket threads, its prober, a live capture) send [`SourceEvent`]s as they
//! happen; [`Timeline::push`] decodes frames through `wire::decode` and `tcp::Tracker` (so the
//! states and analysis flags are the same as `inspect`'s) and inserts each event at its place.
//! Views ask "what is true at event i" through the checkpointed [`playback::PlaybackIndex`] and
//! "where did these bytes come from" through [`Timeline::byte_map`].

pub mod bytemap;
pub mod call;
pub mod capture_index;
pub mod conn_tags;
pub mod dropped;
pub mod event;
mod play_state;
pub mod playback;
mod sightings;
pub mod sockets;
pub mod truth;

#[cfg(test)]
mod tests_truth;

pub use bytemap::{ByteMap, Origin};
pub use call::{Call, Family, Shutdown, SockOpt, Waited};
pub use event::{
    AcceptQueue, ByteRange, CallEvent, CallStart, CapturePoint, Errno, Event, EventKind, Flow,
    ProbeEvent, SegmentEvent, SendProgress, Side, Sighting, SocketId,
};

use std::collections::BTreeMap;

use crate::capture::Timestamp;
use crate::tcp::{ConnId, ConnectionList, Direction, TcpState, Tracker};
use crate::wire::{Decoded, Decoder, TcpFlags};

/// A frame a live capture handed over (defined with the other frame sources).
pub use crate::capture::OwnedFrame;

/// A raw fact from one of the lab's sources, in the order that source saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceEvent {
    Call(CallEvent),
    /// A call under way (live only; [`Timeline::push`] keeps the call when it returns).
    CallStarted(CallStart),
    Probe {
        at: Timestamp,
        probe: ProbeEvent,
    },
    Frame(OwnedFrame),
    /// A frame captured at one end of a lab link (each segment is seen once or twice).
    LinkFrame {
        point: CapturePoint,
        frame: OwnedFrame,
    },
    Note {
        at: Timestamp,
        text: String,
    },
}

impl From<OwnedFrame> for SourceEvent {
    fn from(frame: OwnedFrame) -> Self {
        SourceEvent::Frame(frame)
    }
}

#[derive(Debug)]
pub struct Timeline {
    origin: Timestamp,
    events: Vec<Event>,
    tracker: Tracker,
    frames: u64,
    undecodable: u64,
    decode_note_given: bool,
    /// Per connection: pure SYNs sent so far, and whether the server has answered one.
    opening: BTreeMap<ConnId, Opening>,
    /// The lowest event index changed (inserted or patched) since [`Timeline::take_changed`].
    changed_from: Option<usize>,
    /// Tunnels, reassembly and frame lengths, as `inspect` decodes them.
    decoder: Box<Decoder>,
    /// Over a link: segments seen at one capture point, waiting to be seen at the other.
    sightings: Box<sightings::Pending>,
}

/// A connection's opening as seen so far, to tell which SYN the server took.
#[derive(Debug, Clone, Copy, Default)]
struct Opening {
    /// Pure SYNs captured while the server had not answered.
    unanswered: u32,
    /// The server sent a SYN,ACK (or anything but a reset).
    answered: bool,
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
            opening: BTreeMap::new(),
            changed_from: None,
            decoder: Box::default(),
            sightings: Box::default(),
        }
    }

    /// The lowest event index inserted or changed since the last call (a live view refolds
    /// its index from there), and start counting afresh.
    pub fn take_changed(&mut self) -> Option<usize> {
        self.changed_from.take()
    }

    fn mark_changed(&mut self, i: usize) {
        self.changed_from = Some(self.changed_from.map_or(i, |c| c.min(i)));
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

    pub fn connections(&self) -> &ConnectionList {
        self.tracker.connections()
    }

    /// Add one source fact. Frames must be pushed in capture order (the tracker's contract).
    /// Returns the index the event landed at, or `None` for a frame that was not TCP, for a
    /// call's start (the call lands when it returns) and for a link frame that completes a
    /// segment seen at the other end.
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
            SourceEvent::LinkFrame { point, frame } => return self.push_link_frame(point, frame),
            SourceEvent::CallStarted(_) => return None,
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
                let text = crate::tr!("wire.index.not_decoded", frame = number, error = err);
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
            // The event keeps the numbers as shown (and recorded): 0 for "no ACK".
            rel_ack: info.rel_ack,
            len: seg.payload_len,
            window: info.window,
            analysis: info.analysis,
            client_state: info.client_state,
            server_state: info.server_state,
            payload: seg.payload.to_vec(),
            frame_len: frame.orig_len,
            seen: Vec::new(),
            lost: false,
            sack: match info.rel_ack {
                Some(rel_ack) => seg
                    .options
                    .sack_blocks()
                    .iter()
                    .map(|b| {
                        let rel = |s: crate::wire::SeqNum| rel_ack.add(s.since(seg.ack).get());
                        (rel(b.left), rel(b.right))
                    })
                    .collect(),
                None => Vec::new(),
            },
        };
        let (conn, dir, flags) = (event.conn, event.dir, event.flags);
        let pos = self.insert(Event {
            at: frame.ts,
            kind: EventKind::Segment(event),
        });
        self.settle_opening(conn, dir, flags, pos);
        Some(pos)
    }

    /// The TCP model puts a SYN's receiver in SYN_RECEIVED as the SYN arrives (RFC 9293
    /// §3.10.7.2), which holds only if something listened and took it. When the answer is a
    /// reset (no listener: §3.10.7.1, CLOSED answers with RST) or the SYN is sent again (the
    /// listener dropped it, e.g. its queue was full), the earlier SYNs left the server end
    /// CLOSED: their labels are corrected here. The tracker and its analysis are unchanged.
    fn settle_opening(&mut self, conn: ConnId, dir: Direction, flags: TcpFlags, pos: usize) {
        let o = self.opening.entry(conn).or_default();
        let patch = match dir {
            Direction::ToServer if flags.syn() && !flags.ack() => {
                o.unanswered += 1;
                if o.answered { 0 } else { o.unanswered - 1 }
            }
            Direction::ToClient if flags.rst() && !o.answered => o.unanswered,
            Direction::ToClient => {
                o.answered = true;
                0
            }
            Direction::ToServer => 0,
        };
        if patch == 0 {
            return;
        }
        let mut left = patch;
        for i in (0..pos).rev() {
            if left == 0 {
                break;
            }
            if let EventKind::Segment(s) = &mut self.events[i].kind
                && s.conn == conn
                && s.dir == Direction::ToServer
                && s.flags.syn()
                && !s.flags.ack()
            {
                left -= 1;
                if s.server_state == TcpState::SynReceived {
                    s.server_state = TcpState::Closed;
                    self.changed_from = Some(self.changed_from.map_or(i, |c| c.min(i)));
                }
            }
        }
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
        self.mark_changed(pos);
        pos
    }

    /// Put every recv after the last segment that carried its bytes, even when the two clocks'
    /// readings say otherwise (a recv can never precede the data it returns). Call once all
    /// sources have finished.
    pub fn settle(&mut self) {
        self.settle_lost();
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
                        self.mark_changed(*ri);
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

    /// The send → segment → recv map over the whole timeline.
    pub fn byte_map(&self) -> ByteMap {
        ByteMap::build(&self.events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Analysis, RelSeq};

    const C: &str = "127.0.0.1:40000";
    const S: &str = "127.0.0.1:7";

    fn flow() -> Flow {
        Flow {
            from: C.parse().expect("literal"),
            to: S.parse().expect("literal"),
        }
    }

    const SEND: Call = Call::Send {
        len: 20,
        all: false,
    };
    const RECV: Call = Call::Recv { bufsize: 1024 };

    fn call(call: Call, started: i64, returned: i64, range: Option<(u64, u64)>) -> CallEvent {
        let side = if call.reads() {
            Side::Server
        } else {
            Side::Client
        };
        CallEvent {
            side,
            socket: SocketId(1),
            call,
            len: range.map(|(a, b)| b - a),
            ret: range.map(|(a, b)| (b - a) as i64),
            errno: None,
            started: Timestamp(started),
            returned: Timestamp(returned),
            data: Vec::new(),
            flow: range.map(|_| flow()),
            stream: range.map(|(start, end)| ByteRange { start, end }),
            progress: Vec::new(),
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
                rel_seq: RelSeq(rel_seq),
                rel_ack: Some(RelSeq(1)),
                len,
                window: 65536,
                analysis: Analysis::default(),
                client_state: TcpState::Established,
                server_state: TcpState::Established,
                payload: Vec::new(),
                frame_len: 86,
                seen: Vec::new(),
                lost: false,
                sack: Vec::new(),
            }),
        }
    }

    fn names(tl: &Timeline) -> Vec<&str> {
        tl.events()
            .iter()
            .map(|e| match &e.kind {
                EventKind::Call(c) => c.call.name(),
                other => other.name(),
            })
            .collect()
    }

    #[test]
    fn a_send_sits_before_the_segment_captured_while_it_ran() {
        // LAB.md: the segment is stamped ~17 µs before send() returns.
        let mut tl = Timeline::new(Timestamp(0));
        tl.push(SourceEvent::Call(call(SEND, 100, 130, Some((0, 20)))));
        tl.push_event(segment(113, 1, 20));
        assert_eq!(names(&tl), ["send", "segment"]);
    }

    #[test]
    fn a_recv_sits_after_the_segment_that_carried_its_bytes() {
        let mut tl = Timeline::new(Timestamp(0));
        // A blocking recv started long before the data came.
        tl.push(SourceEvent::Call(call(RECV, 10, 200, Some((0, 20)))));
        tl.push_event(segment(150, 1, 20));
        assert_eq!(names(&tl), ["segment", "recv"]);
    }

    #[test]
    fn settle_moves_a_recv_behind_a_later_stamped_segment() {
        let mut tl = Timeline::new(Timestamp(0));
        tl.push_event(Event {
            at: Timestamp(100),
            kind: EventKind::Call(call(RECV, 50, 100, Some((0, 20)))),
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
}
