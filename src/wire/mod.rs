//! Frames to TCP segments: peel the link layer, then IP, then TCP, without copying.
//!
//! [`decode`] is the one entry point: `link` peels the link header, `ip` walks IPv4/IPv6 to
//! the TCP header, `tcp_header` reads the header and options into a [`Segment`] that borrows
//! the frame's payload bytes.

mod ip;
pub mod link;
pub mod segment;
pub mod seq;
mod tcp_header;
#[cfg(test)]
pub(crate) mod testframes;
#[cfg(test)]
mod tests;

pub use link::{DecodeError, Decoded, decode};
pub use segment::{SackBlock, Segment, TcpFlags, TcpOptions};
pub use seq::{RelSeq, SeqNum, SeqRange};
pub use tcp_header::parse_options;
