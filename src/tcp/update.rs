//! Applying one segment to its connection, one concern per function, in Wireshark's order:
//! relative numbering (which ISN counts), the sequence analysis, the handshake bookkeeping (RTT,
//! SYN options, window scale), the segment's place in sequence space and its window, the
//! endpoint states, and the counters.

use crate::capture::Timestamp;
use crate::wire::{RelSeq, Segment, SeqRange};

use super::conn::{Connection, Direction, SegmentInfo};
use super::endpoint::{Endpoint, WindowScale};
use super::state::Transition;
use super::wireshark::{SegFacts, SeqFlow, analyze};
use super::{Analysis, TcpState};

/// Model state of one connection that is not part of the public [`Connection`].
#[derive(Debug, Clone)]
pub(super) struct Track {
    pub client_is_a: bool,
    /// Wireshark's per-direction analysis state: `[to_server, to_client]`.
    pub flows: [SeqFlow; 2],
    /// Time of the latest SYN (without ACK), for the handshake RTT.
    pub last_syn: Option<Timestamp>,
    /// Wireshark's `ts_first_rtt` in nanoseconds; 0 while unknown.
    pub first_rtt_ns: i64,
    pub syn_seen: bool,
    pub synack_seen: bool,
}

impl Track {
    pub fn new(client_is_a: bool) -> Self {
        Track {
            client_is_a,
            flows: [SeqFlow::default(); 2],
            last_syn: None,
            first_rtt_ns: 0,
            syn_seen: false,
            synack_seen: false,
        }
    }

    /// The direction of a segment whose source is the flow key's first endpoint or not.
    fn direction(&self, src_is_a: bool) -> Direction {
        if src_is_a == self.client_is_a {
            Direction::ToServer
        } else {
            Direction::ToClient
        }
    }
}

/// The two endpoints and the two analysis flows, seen from the segment's sender.
struct Sides<'a> {
    sender: &'a mut Endpoint,
    receiver: &'a mut Endpoint,
    fwd: &'a mut SeqFlow,
    rev: &'a mut SeqFlow,
}

/// Where a segment lies in its sender's (and, for the ACK, its receiver's) relative space.
struct Placed {
    rel_seq: RelSeq,
    rel_ack: Option<RelSeq>,
    window: u32,
    payload: SeqRange,
}

/// Apply one segment to its connection.
#[inline]
pub(super) fn update(
    conn: &mut Connection,
    track: &mut Track,
    src_is_a: bool,
    ts: Timestamp,
    frame_len: u32,
    seg: &Segment<'_>,
    found: Analysis,
) -> SegmentInfo {
    let dir = track.direction(src_is_a);
    let Track {
        flows: [to_server, to_client],
        last_syn,
        first_rtt_ns,
        ..
    } = track;
    let Connection {
        client_endpoint,
        server_endpoint,
        ..
    } = conn;
    let mut s = match dir {
        Direction::ToServer => Sides {
            sender: client_endpoint,
            receiver: server_endpoint,
            fwd: to_server,
            rev: to_client,
        },
        Direction::ToClient => Sides {
            sender: server_endpoint,
            receiver: client_endpoint,
            fwd: to_client,
            rev: to_server,
        },
    };
    let mut analysis = found | number(&mut s, seg);
    analysis |= analyze(
        s.fwd,
        s.rev,
        s.receiver.window_scale,
        *first_rtt_ns,
        SegFacts {
            ts,
            seq: seg.seq,
            ack: seg.ack,
            seglen: seg.payload_len,
            flags: seg.flags,
            window: seg.window,
        },
    );
    handshake(&mut s, last_syn, first_rtt_ns, ts, seg);
    let placed = place(&mut s, seg);

    change_states(conn, dir, seg, placed.rel_ack);
    note_handshake(conn, track, dir, seg);
    count(conn, dir, ts, frame_len, seg, analysis);

    SegmentInfo {
        conn: conn.id,
        dir,
        rel_seq: placed.rel_seq,
        rel_ack: placed.rel_ack,
        window: placed.window,
        payload: placed.payload,
        analysis,
        client_state: conn.client_state,
        server_state: conn.server_state,
    }
}

/// Relative numbering, as Wireshark sets its base_seq (packet-tcp.c, "initialize base_seq").
/// Returns [`Analysis::REUSED_PORTS`] when a SYN-ACK brings a new ISN.
#[inline]
fn number(s: &mut Sides<'_>, seg: &Segment<'_>) -> Analysis {
    let (syn, ack) = (seg.flags.syn(), seg.flags.ack());
    let mut found = Analysis::NONE;
    if syn && !ack && s.sender.base_known && seg.seq == s.sender.base_seq {
        // A retransmitted SYN: RFC 9293 §3.10.7.4 allows a RST with SEQ = the ACK received,
        // which can push nextseq past the SYN; Wireshark restores it (its issue 17616).
        s.fwd.nextseq = s.fwd.maxseqtobeacked;
    }
    if syn && ack && s.sender.base_known && seg.seq != s.sender.base_seq {
        // A SYN-ACK with a new ISN on a reused 4-tuple (Wireshark issue 16944).
        s.sender.set_base(seg.seq);
        found = Analysis::REUSED_PORTS;
    }
    if !s.sender.base_known {
        // Without the SYN, count from one below the first sequence number (relative 1).
        s.sender
            .set_base(if syn { seg.seq } else { seg.seq.sub(1) });
    }
    if !s.receiver.base_known && ack {
        s.receiver.set_base(seg.ack.sub(1));
    }
    found
}

/// Handshake RTT and "first ACK" bookkeeping, after the analysis as in Wireshark; a SYN's
/// options and the window scale they settle (RFC 7323 §2.2).
#[inline]
fn handshake(
    s: &mut Sides<'_>,
    last_syn: &mut Option<Timestamp>,
    first_rtt_ns: &mut i64,
    ts: Timestamp,
    seg: &Segment<'_>,
) {
    let (syn, ack) = (seg.flags.syn(), seg.flags.ack());
    if syn {
        s.fwd.is_first_ack = true;
        if !ack {
            *last_syn = Some(ts);
        }
    }
    if ack && !syn {
        if let (Some(t), 0) = (*last_syn, *first_rtt_ns) {
            *first_rtt_ns = ts.nanos_since(t);
        }
        s.fwd.is_first_ack = false;
    }
    if syn {
        s.sender.learn_syn_options(seg);
        WindowScale::verify(
            ack,
            &mut s.sender.window_scale,
            &mut s.receiver.window_scale,
        );
    }
}

/// The segment's relative numbers, payload range and window; moves the sender's next and FIN
/// marks.
#[inline]
fn place(s: &mut Sides<'_>, seg: &Segment<'_>) -> Placed {
    let syn = seg.flags.syn();
    let rel_seq = s.sender.relative(seg.seq);
    let rel_ack = seg.flags.ack().then(|| s.receiver.relative(seg.ack));
    let window = advertised_window(s.sender, seg);
    let payload = SeqRange::at(rel_seq.add(u32::from(syn)), seg.payload_len);
    let next = rel_seq.add(seg.seq_len());
    if next.gt(s.sender.next_seq) {
        s.sender.next_seq = next;
    }
    if seg.flags.fin() {
        s.sender.fin_seq = Some(payload.end);
    }
    Placed {
        rel_seq,
        rel_ack,
        window,
        payload,
    }
}

/// The window in bytes, remembered as the sender's last; RFC 7323 §2.2: the window in a SYN is
/// never scaled.
#[inline]
fn advertised_window(sender: &mut Endpoint, seg: &Segment<'_>) -> u32 {
    let window = if seg.flags.syn() {
        u32::from(seg.window)
    } else {
        sender.window_scale.apply(seg.window)
    };
    sender.last_window = window;
    window
}

/// Both endpoints' states after the segment (RFC 9293 §3.10.7, see `state.rs`), and what the
/// transition tells about the connection: a refused `connect()`, a half-close.
#[inline]
fn change_states(
    conn: &mut Connection,
    dir: Direction,
    seg: &Segment<'_>,
    rel_ack: Option<RelSeq>,
) {
    let f = seg.flags;
    let receiver = conn.receiver(dir);
    let acks_receiver_syn = f.ack() && receiver.isn.is_none_or(|isn| seg.ack.gt(isn));
    let acks_receiver_fin =
        rel_ack.is_some_and(|ack| receiver.fin_seq.is_some_and(|fin| ack.gt(fin)));
    let transition = Transition {
        syn: f.syn(),
        ack: f.ack(),
        fin: f.fin(),
        rst: f.rst(),
        acks_receiver_syn,
        acks_receiver_fin,
    };
    let (sender_state, receiver_state) = match dir {
        Direction::ToServer => (&mut conn.client_state, &mut conn.server_state),
        Direction::ToClient => (&mut conn.server_state, &mut conn.client_state),
    };
    if f.rst() && *receiver_state == TcpState::SynSent {
        conn.refused = true;
    }
    (*sender_state, *receiver_state) = transition.apply(*sender_state, *receiver_state);
    if seg.payload_len > 0 && acks_receiver_fin {
        conn.half_close = true;
    }
}

/// `handshake_seen` once the SYN, the SYN-ACK and the client's ACK of the server's ISN are all
/// captured.
#[inline]
fn note_handshake(conn: &mut Connection, track: &mut Track, dir: Direction, seg: &Segment<'_>) {
    match (dir, seg.flags.syn(), seg.flags.ack()) {
        (Direction::ToServer, true, false) => track.syn_seen = true,
        (Direction::ToClient, true, true) => track.synack_seen = true,
        (Direction::ToServer, false, true) if track.syn_seen && track.synack_seen => {
            let server_isn = conn.server_endpoint.isn;
            if server_isn.is_some_and(|isn| seg.ack.gt(isn)) {
                conn.handshake_seen = true;
            }
        }
        _ => {}
    }
}

/// Per-direction packet and byte counts, flag counts, analysis counts and the last time.
#[inline]
fn count(
    conn: &mut Connection,
    dir: Direction,
    ts: Timestamp,
    frame_len: u32,
    seg: &Segment<'_>,
    analysis: Analysis,
) {
    let f = seg.flags;
    let stats = match dir {
        Direction::ToServer => &mut conn.to_server,
        Direction::ToClient => &mut conn.to_client,
    };
    stats.packets += 1;
    stats.bytes += u64::from(frame_len);
    stats.payload_bytes += u64::from(seg.payload_len);
    let flags = &mut conn.flags;
    let bump = |n: &mut u32, on: bool| *n = n.saturating_add(u32::from(on));
    bump(&mut flags.syn, f.syn() && !f.ack());
    bump(&mut flags.syn_ack, f.syn() && f.ack());
    bump(&mut flags.fin, f.fin());
    bump(&mut flags.rst, f.rst());
    if !analysis.is_empty() {
        conn.analysis.add(analysis);
    }
    conn.last_ts = conn.last_ts.max(ts);
}
