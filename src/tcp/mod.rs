//! The TCP model: a pure state machine over decoded segments.
//!
//! Fed segments in capture order, it rebuilds connections, relative sequence numbers, each
//! endpoint's RFC 9293 state and Wireshark-style analysis flags. No I/O, no clock, no terminal.
//!
//! Choices a reader of a capture has to make, and where they live:
//! - **Which connection** ([`tracker`]): one per 4-tuple and lifetime. A SYN whose ISN differs
//!   from its sender's known ISN starts a new connection (as Wireshark's `tcp.stream` does), and
//!   so does a first SYN from a side once both sides are CLOSED or in TIME_WAIT; a SYN repeating
//!   the known ISN is a retransmission.
//! - **Who is the client**: the SYN's sender, or the SYN-ACK's receiver. Without either the
//!   capture began mid-stream (`mid_stream`): the endpoint with the lower port is the server.
//! - **Window scale** ([`endpoint::WindowScale`]): applied only after both SYNs carried the option
//!   (RFC 7323 §2.2), never to a SYN's window; unknown without the handshake, and then windows
//!   are reported raw, as Wireshark does by default.
//! - **States** ([`state`]): changed for the sender when a segment is seen, for the receiver as
//!   if it arrived at that moment (RFC 9293 §3.10.7).
//! - **Analysis** (`wireshark.rs`): Wireshark 4.0's `tcp_analyze_sequence_number`, check for
//!   check, so counts agree with tshark's `tcp.analysis.*` filters.
//! - **Relative numbers** ([`RelSeq`], `update.rs`): counted from each side's ISN, or from one
//!   below its first number seen when the SYN is missing; `rel_ack` is `None` without ACK. The
//!   sequence types and their wrapping arithmetic live in [`crate::wire::seq`].
//!
//! `update.rs` applies one segment to its connection, one concern per function (numbering,
//! analysis, handshake, placement and window, states, counters).

pub mod analysis;
pub mod conn;
pub mod endpoint;
mod frozen;
pub mod list;
pub mod state;
pub mod tracker;
mod update;
mod wireshark;

#[cfg(test)]
mod tests;

/// Sequence space types live in `wire` (the decoder produces them); the model re-exports them.
pub use crate::wire::seq::{RelSeq, SeqNum, SeqRange};
pub use analysis::{Analysis, AnalysisCounts};
pub use conn::{ConnId, Connection, DirStats, Direction, FlagCounts, SegmentInfo};
pub use endpoint::{Endpoint, WindowScale};
pub use list::ConnectionList;
pub use state::TcpState;
pub use tracker::Tracker;
