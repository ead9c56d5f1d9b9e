//! Frames to TCP segments: peel the link layer, then IP, then TCP, without copying.
//!
//! [`decode`] is the one entry point: `link` peels the link header, `ip` walks IPv4/IPv6 to
//! the TCP header, `tcp_header` reads the header and options into a [`Segment`] that borrows
//! the frame's payload bytes. Each layer returns the one [`DecodeError`] (`error.rs`) and hands
//! on [`Decoded`] (`segment.rs`), so the layers import each other in one direction only.
//! `seq.rs` holds the sequence-space types the segment carries and the TCP model computes with.

pub mod error;
mod ip;
pub mod link;
pub mod segment;
pub mod seq;
mod tcp_header;
#[cfg(test)]
pub(crate) mod testframes;
#[cfg(test)]
mod tests;

pub use error::DecodeError;
pub use link::decode;
pub use segment::{Decoded, SackBlock, Segment, TcpFlags, TcpOptions};
pub use seq::{RelSeq, SeqNum, SeqRange};
pub use tcp_header::parse_options;
