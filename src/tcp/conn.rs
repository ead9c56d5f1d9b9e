//! What the model reports: connections (one per 4-tuple and lifetime) and per-segment findings.

use std::net::SocketAddr;

use crate::capture::Timestamp;
use crate::wire::{RelSeq, Segment, SeqRange};

use super::endpoint::Endpoint;
use super::{Analysis, AnalysisCounts, TcpState};

/// Index of a connection in the tracker, in order of first appearance (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u32);

/// Which way a segment travels, by the roles the handshake (or a guess) gave the endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    ToServer,
    ToClient,
}

impl Direction {
    /// As the JSON lines write it: `c2s` or `s2c`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::ToServer => "c2s",
            Direction::ToClient => "s2c",
        }
    }

    pub fn reverse(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirStats {
    pub packets: u64,
    /// Whole frame lengths on the wire, as `tshark -z conv,tcp` counts bytes.
    pub bytes: u64,
    pub payload_bytes: u64,
}

/// Segments seen with each control flag (a SYN,ACK counts as `syn_ack`, not as `syn`); 32 bits
/// each, saturating, like [`super::AnalysisCounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct FlagCounts {
    pub syn: u32,
    pub syn_ack: u32,
    pub fin: u32,
    pub rst: u32,
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub id: ConnId,
    pub client: SocketAddr,
    pub server: SocketAddr,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    /// SYN, SYN-ACK and the ACK of the SYN-ACK were all captured.
    pub handshake_seen: bool,
    /// The capture starts after the SYN: client and server roles are a guess (the endpoint
    /// with the lower port is taken as the server).
    pub mid_stream: bool,
    /// One side sent FIN and the other then still sent data, having acknowledged that FIN
    /// (a `shutdown(SHUT_WR)` the peer kept talking through, RFC 9293 §3.6).
    pub half_close: bool,
    /// A RST answered the client's SYN: the client's `connect()` got ECONNREFUSED.
    pub refused: bool,
    pub to_server: DirStats,
    pub to_client: DirStats,
    pub flags: FlagCounts,
    pub analysis: AnalysisCounts,
    pub client_state: TcpState,
    pub server_state: TcpState,
    /// What the model learned about each side (ISN, SYN options, window scale, last window).
    pub client_endpoint: Endpoint,
    pub server_endpoint: Endpoint,
}

impl Connection {
    /// The endpoint that sends in direction `dir`.
    pub fn sender(&self, dir: Direction) -> &Endpoint {
        match dir {
            Direction::ToServer => &self.client_endpoint,
            Direction::ToClient => &self.server_endpoint,
        }
    }

    /// The endpoint that receives in direction `dir`.
    pub fn receiver(&self, dir: Direction) -> &Endpoint {
        self.sender(dir.reverse())
    }

    pub fn stats(&self, dir: Direction) -> &DirStats {
        match dir {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        }
    }

    /// Both endpoints are CLOSED or in TIME_WAIT: a new SYN on this 4-tuple starts a new
    /// connection (RFC 9293 §3.6.1 allows reuse from TIME-WAIT).
    pub fn is_finished(&self) -> bool {
        self.client_state.is_finished() && self.server_state.is_finished()
    }

    /// The SACK blocks of a segment sent in `dir`, relative to the receiver's sequence space
    /// (RFC 2018 §3: they name octets the SACK's sender received from its peer).
    pub fn sack_ranges<'s>(
        &'s self,
        dir: Direction,
        seg: &'s Segment<'_>,
    ) -> impl Iterator<Item = SeqRange> + 's {
        let peer = self.receiver(dir);
        seg.options.sack_blocks().iter().map(|b| SeqRange {
            start: peer.relative(b.left),
            end: peer.relative(b.right),
        })
    }
}

/// What the model concluded about one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo {
    pub conn: ConnId,
    pub dir: Direction,
    /// Sequence and ack numbers relative to each side's initial sequence number (see
    /// [`Endpoint::base_seq`]); `rel_ack` is `None` when the ACK flag is not set.
    pub rel_seq: RelSeq,
    pub rel_ack: Option<RelSeq>,
    /// Advertised window in bytes with the sender's window scale applied (never to a SYN's
    /// window, RFC 7323 §2.2; raw when the scale is unknown).
    pub window: u32,
    /// The payload octets in relative sequence numbers (after the SYN's own number).
    pub payload: SeqRange,
    pub analysis: Analysis,
    /// Both endpoints' states after this segment.
    pub client_state: TcpState,
    pub server_state: TcpState,
}
