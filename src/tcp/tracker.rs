//! The tracker: finds each segment's connection by 4-tuple and lifetime, then updates relative
//! numbering, endpoint states, statistics and the Wireshark-style analysis.
//!
//! Per segment it does one hash lookup and a fixed amount of work; per connection it keeps a
//! fixed-size record. Segments themselves are not stored: the caller keeps the returned
//! [`SegmentInfo`] if it wants them.

use std::net::{IpAddr, SocketAddr};

use rustc_hash::FxHashMap;

use crate::capture::Timestamp;
use crate::wire::Segment;

use super::conn::{ConnId, Connection, DirStats, Direction, FlagCounts, SegmentInfo};
use super::endpoint::{Endpoint, WindowScale};
use super::seq::{ByteRange, SeqNum};
use super::state::Transition;
use super::wireshark::{SegFacts, SeqFlow, analyze};
use super::{Analysis, AnalysisCounts, TcpState};

/// The 4-tuple with its two endpoints in a fixed order, so both directions find one entry.
///
/// IPv4 tuples pack into two words (address and port per endpoint), keeping hash entries small
/// and hashing cheap on the path every segment takes; IPv6 tuples keep the full addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FlowKey {
    V4([u64; 2]),
    V6 { a: V6End, b: V6End },
}

/// An IPv6 (or mixed-family, IPv4-mapped) endpoint: address bits and port.
type V6End = (u128, u16);

impl FlowKey {
    /// The key and whether `src` is its first endpoint.
    fn new(src: SocketAddr, dst: SocketAddr) -> (FlowKey, bool) {
        match (src.ip(), dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let pack = |ip: u32, port: u16| (u64::from(ip) << 16) | u64::from(port);
                let s = pack(u32::from(s), src.port());
                let d = pack(u32::from(d), dst.port());
                if s <= d {
                    (FlowKey::V4([s, d]), true)
                } else {
                    (FlowKey::V4([d, s]), false)
                }
            }
            (s, d) => {
                let s = (v6_bits(s), src.port());
                let d = (v6_bits(d), dst.port());
                if s <= d {
                    (FlowKey::V6 { a: s, b: d }, true)
                } else {
                    (FlowKey::V6 { a: d, b: s }, false)
                }
            }
        }
    }
}

fn v6_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// Connection index by 4-tuple: the latest connection on each tuple.
#[derive(Debug, Default)]
struct Index {
    v4: FxHashMap<[u64; 2], u32>,
    v6: FxHashMap<(V6End, V6End), u32>,
}

impl Index {
    fn get(&self, key: &FlowKey) -> Option<u32> {
        match key {
            FlowKey::V4(k) => self.v4.get(k).copied(),
            FlowKey::V6 { a, b } => self.v6.get(&(*a, *b)).copied(),
        }
    }

    fn insert(&mut self, key: FlowKey, idx: u32) {
        match key {
            FlowKey::V4(k) => self.v4.insert(k, idx),
            FlowKey::V6 { a, b } => self.v6.insert((a, b), idx),
        };
    }
}

/// Model state of one connection that is not part of the public [`Connection`].
#[derive(Debug, Clone)]
struct Track {
    client_is_a: bool,
    /// Wireshark's per-direction analysis state: `[to_server, to_client]`.
    flows: [SeqFlow; 2],
    /// Time of the latest SYN (without ACK), for the handshake RTT.
    last_syn: Option<Timestamp>,
    /// Wireshark's `ts_first_rtt` in nanoseconds; 0 while unknown.
    first_rtt_ns: i64,
    syn_seen: bool,
    synack_seen: bool,
}

/// Rebuilds connections from segments fed in capture order.
#[derive(Debug, Default)]
pub struct Tracker {
    index: Index,
    connections: Vec<Connection>,
    tracks: Vec<Track>,
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed one segment; `frame_len` is the whole frame's length on the wire.
    pub fn push(&mut self, ts: Timestamp, frame_len: u32, seg: &Segment<'_>) -> SegmentInfo {
        let (key, src_is_a) = FlowKey::new(seg.src, seg.dst);
        let pure_syn = seg.flags.syn() && !seg.flags.ack();
        let (idx, reused) = match self.index.get(&key) {
            Some(idx) if pure_syn && self.starts_new_connection(idx, src_is_a, seg) => {
                (self.open(key, src_is_a, ts, seg), true)
            }
            Some(idx) => (idx as usize, false),
            None => (self.open(key, src_is_a, ts, seg), false),
        };
        let (conn, track) = (&mut self.connections[idx], &mut self.tracks[idx]);
        let found = if reused {
            Analysis::REUSED_PORTS
        } else {
            Analysis::NONE
        };
        update(conn, track, src_is_a, ts, frame_len, seg, found)
    }

    /// Whether a SYN (without ACK) on a known 4-tuple begins a new connection.
    ///
    /// As Wireshark does (its issue 15097): a SYN whose sequence number differs from the ISN
    /// already known for its sender is a new connection, even if the old one was never seen to
    /// close (the capture missed its end, or a host forgot it). Beyond Wireshark: a SYN from a
    /// side that never sent before, once the old connection has finished (both sides CLOSED or
    /// TIME_WAIT), is a new connection too. A SYN repeating the known ISN is a retransmission.
    fn starts_new_connection(&self, idx: u32, src_is_a: bool, seg: &Segment<'_>) -> bool {
        let (Some(conn), Some(track)) = (
            self.connections.get(idx as usize),
            self.tracks.get(idx as usize),
        ) else {
            return true;
        };
        let sender = if src_is_a == track.client_is_a {
            &conn.client_endpoint
        } else {
            &conn.server_endpoint
        };
        if sender.base_known {
            seg.seq != sender.base_seq
        } else {
            conn.is_finished()
        }
    }

    /// Start a connection whose first segment is `seg`; returns its index.
    ///
    /// Roles: a SYN's sender is the client; a SYN-ACK's receiver is. Without either, the
    /// capture began mid-stream and the endpoint with the lower port is taken as the server
    /// (well-known and registered ports are below the ephemeral range); equal ports make the
    /// first segment's receiver the server.
    fn open(&mut self, key: FlowKey, src_is_a: bool, ts: Timestamp, seg: &Segment<'_>) -> usize {
        let (syn, ack) = (seg.flags.syn(), seg.flags.ack());
        let src_is_client = match (syn, ack) {
            (true, false) => true,
            (true, true) => false,
            _ => seg.src.port() > seg.dst.port() || seg.src.port() == seg.dst.port(),
        };
        let (client, server) = if src_is_client {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        // States before the first segment: a SYN finds a listener; a SYN-ACK means the client's
        // SYN went uncaptured; anything else joins an established connection.
        let (client_state, server_state) = match (syn, ack) {
            (true, false) => (TcpState::Closed, TcpState::Listen),
            (true, true) => (TcpState::SynSent, TcpState::Listen),
            _ => (TcpState::Established, TcpState::Established),
        };
        let idx = self.connections.len();
        let id = ConnId(u32::try_from(idx).unwrap_or(u32::MAX));
        self.connections.push(Connection {
            id,
            client,
            server,
            first_ts: ts,
            last_ts: ts,
            handshake_seen: false,
            mid_stream: !syn,
            half_close: false,
            refused: false,
            to_server: DirStats::default(),
            to_client: DirStats::default(),
            flags: FlagCounts::default(),
            analysis: AnalysisCounts::default(),
            client_state,
            server_state,
            client_endpoint: Endpoint::new(client),
            server_endpoint: Endpoint::new(server),
        });
        self.tracks.push(Track {
            client_is_a: src_is_a == src_is_client,
            flows: [SeqFlow::default(); 2],
            last_syn: None,
            first_rtt_ns: 0,
            syn_seen: false,
            synack_seen: false,
        });
        self.index.insert(key, id.0);
        idx
    }

    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    pub fn into_connections(self) -> Vec<Connection> {
        self.connections
    }
}

/// Apply one segment to its connection.
fn update(
    conn: &mut Connection,
    track: &mut Track,
    src_is_a: bool,
    ts: Timestamp,
    frame_len: u32,
    seg: &Segment<'_>,
    found: Analysis,
) -> SegmentInfo {
    let f = seg.flags;
    let (syn, ack_flag, fin, rst) = (f.syn(), f.ack(), f.fin(), f.rst());
    let dir = if src_is_a == track.client_is_a {
        Direction::ToServer
    } else {
        Direction::ToClient
    };
    let Connection {
        client_endpoint,
        server_endpoint,
        ..
    } = conn;
    let [to_server, to_client] = &mut track.flows;
    let (sender, receiver, fwd, rev) = match dir {
        Direction::ToServer => (client_endpoint, server_endpoint, to_server, to_client),
        Direction::ToClient => (server_endpoint, client_endpoint, to_client, to_server),
    };
    let mut analysis = found;

    // Relative numbering, as Wireshark sets its base_seq (packet-tcp.c, "initialize base_seq").
    if syn && !ack_flag && sender.base_known && seg.seq == sender.base_seq {
        // A retransmitted SYN: RFC 9293 §3.10.7.4 allows a RST with SEQ = the ACK received,
        // which can push nextseq past the SYN; Wireshark restores it (its issue 17616).
        fwd.nextseq = fwd.maxseqtobeacked;
    }
    if syn && ack_flag && sender.base_known && seg.seq != sender.base_seq {
        // A SYN-ACK with a new ISN on a reused 4-tuple (Wireshark issue 16944).
        sender.set_base(seg.seq);
        analysis |= Analysis::REUSED_PORTS;
    }
    if !sender.base_known {
        // Without the SYN, count from one below the first sequence number (relative 1).
        sender.set_base(if syn {
            seg.seq
        } else {
            seg.seq.wrapping_sub(1)
        });
    }
    if !receiver.base_known && ack_flag {
        receiver.set_base(seg.ack.wrapping_sub(1));
    }

    analysis |= analyze(
        fwd,
        rev,
        receiver.window_scale,
        track.first_rtt_ns,
        SegFacts {
            ts,
            seq: SeqNum(seg.seq),
            ack: SeqNum(seg.ack),
            seglen: seg.payload_len,
            flags: f,
            window: seg.window,
        },
    );

    // Handshake RTT and "first ACK" bookkeeping, after the analysis as in Wireshark.
    if syn {
        fwd.is_first_ack = true;
        if !ack_flag {
            track.last_syn = Some(ts);
        }
    }
    if ack_flag && !syn {
        if let (Some(t), 0) = (track.last_syn, track.first_rtt_ns) {
            track.first_rtt_ns = ts.0.wrapping_sub(t.0);
        }
        fwd.is_first_ack = false;
    }
    if syn {
        sender.learn_syn_options(seg);
        WindowScale::verify(
            ack_flag,
            &mut sender.window_scale,
            &mut receiver.window_scale,
        );
    }

    let rel_seq = sender.relative(seg.seq);
    let rel_ack = if ack_flag {
        receiver.relative(seg.ack)
    } else {
        0
    };
    // RFC 7323 §2.2: the window in a SYN is never scaled.
    let window = if syn {
        u32::from(seg.window)
    } else {
        sender.window_scale.apply(seg.window)
    };
    sender.last_window = window;
    let payload_start = rel_seq.wrapping_add(u32::from(syn));
    let payload = ByteRange {
        start: payload_start,
        end: payload_start.wrapping_add(seg.payload_len),
    };
    let next = rel_seq.wrapping_add(seg.seq_len());
    if SeqNum(next).gt(SeqNum(sender.next_seq)) {
        sender.next_seq = next;
    }
    if fin {
        sender.fin_seq = Some(payload.end);
    }

    let acks_receiver_syn = ack_flag
        && receiver
            .isn
            .is_none_or(|isn| SeqNum(seg.ack).gt(SeqNum(isn)));
    let acks_receiver_fin = ack_flag
        && receiver
            .fin_seq
            .is_some_and(|f| SeqNum(rel_ack).gt(SeqNum(f)));
    let transition = Transition {
        syn,
        ack: ack_flag,
        fin,
        rst,
        acks_receiver_syn,
        acks_receiver_fin,
    };
    let (sender_state, receiver_state) = match dir {
        Direction::ToServer => (&mut conn.client_state, &mut conn.server_state),
        Direction::ToClient => (&mut conn.server_state, &mut conn.client_state),
    };
    if rst && *receiver_state == TcpState::SynSent {
        conn.refused = true;
    }
    (*sender_state, *receiver_state) = transition.apply(*sender_state, *receiver_state);

    if seg.payload_len > 0 && acks_receiver_fin {
        conn.half_close = true;
    }
    match (dir, syn, ack_flag) {
        (Direction::ToServer, true, false) => track.syn_seen = true,
        (Direction::ToClient, true, true) => track.synack_seen = true,
        (Direction::ToServer, false, true) if track.syn_seen && track.synack_seen => {
            let server_isn = conn.server_endpoint.isn;
            if server_isn.is_some_and(|isn| SeqNum(seg.ack).gt(SeqNum(isn))) {
                conn.handshake_seen = true;
            }
        }
        _ => {}
    }

    let stats = match dir {
        Direction::ToServer => &mut conn.to_server,
        Direction::ToClient => &mut conn.to_client,
    };
    stats.packets += 1;
    stats.bytes += u64::from(frame_len);
    stats.payload_bytes += u64::from(seg.payload_len);
    let flags = &mut conn.flags;
    let bump = |n: &mut u32, on: bool| *n = n.saturating_add(u32::from(on));
    bump(&mut flags.syn, syn && !ack_flag);
    bump(&mut flags.syn_ack, syn && ack_flag);
    bump(&mut flags.fin, fin);
    bump(&mut flags.rst, rst);
    if !analysis.is_empty() {
        conn.analysis.add(analysis);
    }
    conn.last_ts = conn.last_ts.max(ts);

    SegmentInfo {
        conn: conn.id,
        dir,
        rel_seq,
        rel_ack,
        window,
        payload,
        analysis,
        client_state: conn.client_state,
        server_state: conn.server_state,
    }
}
