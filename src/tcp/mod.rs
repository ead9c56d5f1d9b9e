//! The TCP model: a pure state machine over decoded segments. (Skeleton: the TCP-model helper
//! fills this in; the public names below are the contract the rest of the crate uses.)
//!
//! Fed segments in capture order, it rebuilds connections, relative sequence numbers, each
//! endpoint's RFC 9293 state and Wireshark-style analysis flags. No I/O, no clock, no terminal.

pub mod analysis;
pub mod conn;
pub mod seq;
pub mod state;

pub use analysis::{Analysis, AnalysisCounts};
pub use conn::{ConnId, Connection, DirStats, Direction, FlagCounts, SegmentInfo, Tracker};
pub use state::TcpState;
