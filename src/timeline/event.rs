//! The facts a timeline holds: socket calls, captured segments, buffer probes and notes.

use std::fmt;
use std::net::SocketAddr;

use super::call::Call;
use crate::capture::Timestamp;
use crate::tcp::{Analysis, ConnId, Direction, RelSeq, TcpState};
use crate::wire::TcpFlags;

/// Which program's socket made a call: the lecture's client, the server's connected socket, or
/// the server's listening socket (which never carries data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Client,
    Server,
    Listener,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
            Side::Listener => "listener",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The lab's own number for a socket, in order of creation (1-based, like a small fd).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(pub u32);

/// One direction of one connection's byte stream: bytes written at `from`, read at `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flow {
    pub from: SocketAddr,
    pub to: SocketAddr,
}

/// A half-open range of stream offsets: byte `start` is the first byte the writer ever wrote
/// on this connection (sequence number ISN + 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    pub fn overlaps(&self, other: &ByteRange) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A failed call's errno, with the name Python's `OSError` and strace print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno {
    pub code: i32,
    pub name: &'static str,
}

/// One socket call as the program made it: what was asked, what came back, and when.
///
/// `started`/`returned` are both kept so a blocked call is visible as a long interval
/// (lecture: "Blocking mode에서는 msg 전부가 send buffer에 저장되어야 return한다").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    pub side: Side,
    pub socket: SocketId,
    /// What was called, with its arguments typed (`Call::python` writes them as the lecture
    /// does: `1024`, `('127.0.0.1', 7)`, `SHUT_WR`).
    pub call: Call,
    /// Bytes handed to a send, or returned by a recv.
    pub len: Option<u64>,
    /// The return value when there is one (`send` → bytes queued, `accept` → new socket id).
    pub ret: Option<i64>,
    pub errno: Option<Errno>,
    pub started: Timestamp,
    pub returned: Timestamp,
    /// The bytes a send wrote or a recv returned.
    pub data: Vec<u8>,
    /// Which stream the bytes belong to and where in it, when the call moved bytes.
    pub flow: Option<Flow>,
    pub stream: Option<ByteRange>,
    /// For a send the kernel took in more than one piece (it blocked for room in the send
    /// buffer): each piece, in order. Empty when it took everything at once.
    pub progress: Vec<SendProgress>,
}

/// One piece of a send call the kernel accepted while the call went on: the lab hands the
/// bytes over in non-blocking pieces and waits for room between them, as a blocking `send(2)`
/// does inside the kernel, so it knows how much of a call still under way is in the send
/// buffer (what a probe's `SIOCOUTQ` counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendProgress {
    /// When the `send(2)` that took this piece began (its bytes are in the buffer by its
    /// return, and may be on the wire before it).
    pub at: Timestamp,
    /// When that `send(2)` returned: the kernel took the piece somewhere in `at..=done`.
    pub done: Timestamp,
    /// The stream offset accepted up to, this piece included.
    pub upto: u64,
}

impl CallEvent {
    /// Calls that wait for the peer (recv, accept, connect) are placed when they return: their
    /// result is caused by segments that arrived during the call. Calls that cause segments
    /// (send, sendall, shutdown, close) are placed when they start: on loopback the segment is
    /// captured ~17 µs *before* send() returns (LAB.md), and it must not appear before its cause.
    pub fn anchor(&self) -> Timestamp {
        if self.call.waits_for_peer() {
            self.returned
        } else {
            self.started
        }
    }

    pub fn blocked_secs(&self) -> f64 {
        self.returned.secs_since(self.started)
    }

    pub fn ok(&self) -> bool {
        self.errno.is_none()
    }
}

/// A call the lab has begun that may block (`connect`, `accept`, `recv`, `send`, `sendall`):
/// the live screen draws it at its start, with its arguments and a heavy lifeline, before its
/// [`CallEvent`] comes back with the result. Not a timeline event: the `CallEvent` carries the
/// same start, so a recording and its replay need nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStart {
    pub side: Side,
    pub socket: SocketId,
    pub call: Call,
    pub started: Timestamp,
}

/// Where on a lab link a frame was captured: on the client host's interface or the server
/// host's. A segment the link lost is seen at its sender's point only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CapturePoint {
    Client,
    Server,
}

impl CapturePoint {
    pub fn name(self) -> &'static str {
        match self {
            CapturePoint::Client => "client",
            CapturePoint::Server => "server",
        }
    }
}

/// One capture point's sighting of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    pub point: CapturePoint,
    pub at: Timestamp,
}

/// One captured TCP segment, as `wire::decode` and `tcp::Tracker` saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentEvent {
    /// 1-based frame number in the capture.
    pub number: u64,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub conn: ConnId,
    pub dir: Direction,
    pub flags: TcpFlags,
    /// Sequence number relative to the sender's ISN (the SYN is 0).
    pub rel_seq: RelSeq,
    /// Acknowledgment relative to the receiver's ISN; `None` without the ACK flag.
    pub rel_ack: Option<RelSeq>,
    pub len: u32,
    /// Advertised window in bytes, scaled.
    pub window: u32,
    pub analysis: Analysis,
    pub client_state: TcpState,
    pub server_state: TcpState,
    /// The payload bytes the capture kept.
    pub payload: Vec<u8>,
    pub frame_len: u32,
    /// Over a lab link: where the segment was captured and when, first sighting first. Empty
    /// for a single capture (a loopback, a file).
    pub seen: Vec<Sighting>,
    /// Seen leaving its sender and never reaching its receiver: the link dropped it.
    pub lost: bool,
    /// SACK blocks (RFC 2018), relative to the receiver's ISN as `rel_ack` is: what arrived
    /// beyond a gap.
    pub sack: Vec<(RelSeq, RelSeq)>,
}

impl SegmentEvent {
    /// The stream bytes this segment carries (relative sequence 1 is stream offset 0).
    pub fn stream(&self) -> Option<ByteRange> {
        if self.len == 0 {
            return None;
        }
        let first = u64::from(self.rel_seq.get().saturating_sub(1)) + u64::from(self.flags.syn());
        Some(ByteRange {
            start: first,
            end: first + u64::from(self.len),
        })
    }

    /// The acknowledgment as the diagrams print it: 0 on a segment without the ACK flag
    /// (a SYN), as the lecture's and tcpdump's relative numbering write it.
    pub fn ack_shown(&self) -> u32 {
        self.rel_ack.map_or(0, RelSeq::get)
    }

    pub fn flow(&self) -> Flow {
        Flow {
            from: self.src,
            to: self.dst,
        }
    }

    pub fn dir_name(&self) -> &'static str {
        self.dir.name()
    }

    /// Over a lab link, the moment the segment reached its receiver's capture point, when it
    /// was seen leaving first: between its departure (the event's own time) and this moment it
    /// was in flight (issue 12). `None` for one capture point (a loopback, a file), a segment
    /// the link lost, one still in flight, or sightings that came the other way round.
    pub fn arrived(&self) -> Option<Timestamp> {
        let (from, to) = match self.dir {
            Direction::ToServer => (CapturePoint::Client, CapturePoint::Server),
            Direction::ToClient => (CapturePoint::Server, CapturePoint::Client),
        };
        let left = self.seen.iter().find(|v| v.point == from)?.at;
        let came = self.seen.iter().find(|v| v.point == to)?.at;
        (came >= left).then_some(came)
    }
}

/// A listening socket's queue, as `ss -lnt` shows it (LAB.md: `tcpi_unacked` is the
/// accept-queue length, `tcpi_sacked` the backlog, on a listener).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptQueue {
    pub len: u32,
    pub backlog: u32,
}

/// What the kernel said about one socket at one moment (tcp(7): TCP_INFO, SIOCINQ, SIOCOUTQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeEvent {
    pub side: Side,
    pub socket: SocketId,
    /// `None` when the kernel reports a state sockviz has no name for.
    pub state: Option<TcpState>,
    /// Bytes waiting to be read (SIOCINQ); on a listener, the accept-queue length.
    pub recv_q: u32,
    /// Bytes written but not yet acknowledged (SIOCOUTQ); on a listener, the backlog.
    pub send_q: u32,
    /// Of `send_q`, bytes not yet sent at all (SIOCOUTQNSD).
    pub unsent: u32,
    pub sndbuf: u32,
    pub rcvbuf: u32,
    pub rtt_us: u32,
    /// Congestion window, in segments (`tcpi_snd_cwnd`).
    pub cwnd: u32,
    /// Slow-start threshold in segments; `None` while still "infinite" (no loss seen yet).
    pub ssthresh: Option<u32>,
    /// Bytes the kernel counts in flight: unacked less SACKed and lost, plus retransmitted
    /// segments, times the MSS (`tcp_packets_in_flight`).
    pub in_flight: u32,
    pub accept_queue: Option<AcceptQueue>,
}

impl ProbeEvent {
    /// Sent but not yet acknowledged: in flight.
    pub fn unacked(&self) -> u32 {
        self.send_q.saturating_sub(self.unsent)
    }

    /// Same buffers and state as `other` (rtt/cwnd wobble is not worth a new line).
    pub fn same_buffers(&self, other: &ProbeEvent) -> bool {
        self.state == other.state
            && self.recv_q == other.recv_q
            && self.send_q == other.send_q
            && self.unsent == other.unsent
            && self.accept_queue == other.accept_queue
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Call(CallEvent),
    Segment(SegmentEvent),
    Probe(ProbeEvent),
    /// A sentence for the reader: what the scenario is about to show, or why something is
    /// missing.
    Note(String),
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Call(_) => "call",
            EventKind::Segment(_) => "segment",
            EventKind::Probe(_) => "probe",
            EventKind::Note(_) => "note",
        }
    }
}

/// One entry of the timeline, at its causal position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Where the event sits in time: a capture timestamp, a probe's sampling time, or a call's
    /// [`CallEvent::anchor`].
    pub at: Timestamp,
    pub kind: EventKind,
}
