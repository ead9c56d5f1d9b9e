//! Connections keyed by 4-tuple and lifetime. (Skeleton.)

use std::net::SocketAddr;

use crate::capture::Timestamp;
use crate::wire::Segment;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirStats {
    pub packets: u64,
    /// Whole frame lengths on the wire, as `tshark -z conv,tcp` counts bytes.
    pub bytes: u64,
    pub payload_bytes: u64,
}

/// Segments seen with each control flag (a SYN,ACK counts as `syn_ack`, not as `syn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlagCounts {
    pub syn: u64,
    pub syn_ack: u64,
    pub fin: u64,
    pub rst: u64,
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub id: ConnId,
    pub client: SocketAddr,
    pub server: SocketAddr,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub handshake_seen: bool,
    pub mid_stream: bool,
    pub half_close: bool,
    pub to_server: DirStats,
    pub to_client: DirStats,
    pub flags: FlagCounts,
    pub analysis: AnalysisCounts,
    pub client_state: TcpState,
    pub server_state: TcpState,
}

/// What the model concluded about one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo {
    pub conn: ConnId,
    pub dir: Direction,
    /// Sequence and ack numbers relative to each side's initial sequence number.
    pub rel_seq: u32,
    pub rel_ack: u32,
    /// Advertised window in bytes with the sender's window scale applied.
    pub window: u32,
    pub analysis: Analysis,
    /// Both endpoints' states after this segment.
    pub client_state: TcpState,
    pub server_state: TcpState,
}

/// Rebuilds connections from segments fed in capture order.
#[derive(Debug, Default)]
pub struct Tracker {
    connections: Vec<Connection>,
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed one segment; `frame_len` is the whole frame's length on the wire.
    pub fn push(&mut self, _ts: Timestamp, _frame_len: u32, _seg: &Segment<'_>) -> SegmentInfo {
        unimplemented!("skeleton")
    }

    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    pub fn into_connections(self) -> Vec<Connection> {
        self.connections
    }
}
