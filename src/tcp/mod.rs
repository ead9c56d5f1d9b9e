//! The TCP model: a pure state machine over decoded segments.
//!
//! Fed segments in capture order, it rebuilds connections, relative sequence numbers, each
//! endpoint's RFC 9293 state and Wireshark-style analysis flags. No I/O, no clock, no terminal.

pub mod analysis;
pub mod conn;
pub mod endpoint;
pub mod seq;
pub mod state;
pub mod tracker;
mod wireshark;

#[cfg(test)]
mod tests;

pub use analysis::{Analysis, AnalysisCounts};
pub use conn::{ConnId, Connection, DirStats, Direction, FlagCounts, SegmentInfo};
pub use endpoint::{Endpoint, WindowScale};
pub use seq::{ByteRange, SeqNum};
pub use state::TcpState;
pub use tracker::Tracker;
