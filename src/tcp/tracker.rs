//! The tracker: finds each segment's connection by 4-tuple and lifetime, then hands it to
//! `update.rs`, which updates relative numbering, endpoint states, statistics and the
//! Wireshark-style analysis.
//!
//! Per segment it does one hash lookup and a fixed amount of work; per connection it keeps a
//! fixed-size record while the connection is in progress and a compact frozen one once it is
//! over ([`super::list`]). Segments themselves are not stored: the caller keeps the returned
//! [`SegmentInfo`] if it wants them.

use std::net::{IpAddr, SocketAddr};

use rustc_hash::FxHashMap;

use crate::capture::Timestamp;
use crate::wire::Segment;

use super::conn::{ConnId, Connection, DirStats, FlagCounts, SegmentInfo};
use super::endpoint::Endpoint;
use super::list::{ConnectionList, FREEZE_FROM, RETIRE_AFTER};
use super::update::{Track, update};
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

/// Rebuilds connections from segments fed in capture order.
#[derive(Debug)]
pub struct Tracker {
    index: Index,
    connections: ConnectionList,
}

impl Default for Tracker {
    fn default() -> Self {
        Self::new()
    }
}

impl Tracker {
    pub fn new() -> Self {
        Tracker {
            index: Index::default(),
            connections: ConnectionList::new(RETIRE_AFTER, FREEZE_FROM),
        }
    }

    /// A tracker that freezes every connection as soon as it finishes, however few it holds:
    /// its answers must equal [`Tracker::new`]'s (the `tcp_model` fuzz target compares them).
    pub fn freezing_at_once() -> Self {
        Self::freezing(0, 0)
    }

    #[cfg(test)]
    /// A tracker that freezes a finished connection once `n` more have finished, however few
    /// connections it holds (tests freeze at once, `n` = 0, to show that freezing changes
    /// nothing).
    pub(crate) fn retiring_after(n: usize) -> Self {
        Self::freezing(n, 0)
    }

    /// A tracker with its own freezing thresholds (see [`ConnectionList`]).
    pub(crate) fn freezing(retire_after: usize, freeze_from: usize) -> Self {
        Tracker {
            index: Index::default(),
            connections: ConnectionList::new(retire_after, freeze_from),
        }
    }

    /// Feed one segment; `frame_len` is the whole frame's length on the wire.
    pub fn push(&mut self, ts: Timestamp, frame_len: u32, seg: &Segment<'_>) -> SegmentInfo {
        let (key, src_is_a) = FlowKey::new(seg.src, seg.dst);
        let pure_syn = seg.flags.syn() && !seg.flags.ack();
        let (slot, reused) = match self.index.get(&key) {
            Some(id) => {
                let slot = self.connections.slot(id);
                if pure_syn && self.starts_new_connection(slot, src_is_a, seg) {
                    (self.open(key, src_is_a, ts, seg), true)
                } else {
                    (slot, false)
                }
            }
            None => (self.open(key, src_is_a, ts, seg), false),
        };
        let live = self.connections.live(slot);
        let found = if reused {
            Analysis::REUSED_PORTS
        } else {
            Analysis::NONE
        };
        let info = update(
            &mut live.conn,
            &mut live.track,
            src_is_a,
            ts,
            frame_len,
            seg,
            found,
        );
        if live.conn.is_finished() {
            self.connections.finished(slot);
        }
        info
    }

    /// Whether a SYN (without ACK) on a known 4-tuple begins a new connection.
    ///
    /// As Wireshark does (its issue 15097): a SYN whose sequence number differs from the ISN
    /// already known for its sender is a new connection, even if the old one was never seen to
    /// close (the capture missed its end, or a host forgot it). Beyond Wireshark: a SYN from a
    /// side that never sent before, once the old connection has finished (both sides CLOSED or
    /// TIME_WAIT), is a new connection too. A SYN repeating the known ISN is a retransmission.
    fn starts_new_connection(&mut self, slot: usize, src_is_a: bool, seg: &Segment<'_>) -> bool {
        let live = self.connections.live(slot);
        let (conn, track) = (&live.conn, &live.track);
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

    /// Start a connection whose first segment is `seg`; returns its slot.
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
        let conn = Connection {
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
        };
        let slot = self
            .connections
            .open(conn, Track::new(src_is_a == src_is_client));
        self.index.insert(key, id.0);
        slot
    }

    /// Every connection so far, in order of first segment.
    pub fn connections(&self) -> &ConnectionList {
        &self.connections
    }

    /// Every connection, all frozen and the 4-tuple index dropped: what a scan keeps once the
    /// file is read (about 100 bytes a connection).
    pub fn into_connections(self) -> ConnectionList {
        self.connections.into_frozen()
    }
}
