//! Frames to TCP segments: peel the link layer, then IP, then TCP, without copying.
//!
//! [`Decoder`] decodes a capture frame by frame (with IP reassembly); [`decode`] decodes one
//! frame alone. `link` peels the link header (`serial`, `lan`, `wireless`, `pseudo` for the
//! less common ones), `ip` walks IPv4/IPv6 to the TCP header, `tunnel` follows tunnels back
//! to an inner IP packet (`encap` names them), `fragments` reassembles, `ipcomp` inflates
//! IPComp payloads, and `tcp_header` reads the header and options into a [`Segment`] that
//! borrows the frame's (or the reassembled datagram's, or the inflated payload's) bytes. Each layer returns the one [`DecodeError`] (`error.rs`) and hands on
//! [`Decoded`] (`segment.rs`), so the layers import each other in one direction only.
//! `seq.rs` holds the sequence-space types the segment carries and the TCP model computes with.

mod ctx;
mod decoder;
pub mod encap;
pub mod error;
pub mod fragments;
mod ip;
pub mod ipcomp;
mod lan;
pub mod link;
mod pseudo;
pub mod segment;
pub mod seq;
mod serial;
mod tcp_header;
#[cfg(test)]
pub(crate) mod testframes;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_encap;
#[cfg(test)]
mod tests_fragments;
#[cfg(test)]
mod tests_ipcomp;
#[cfg(test)]
mod tests_korean;
mod tunnel;
mod wireless;

pub use ctx::FragmentRef;
pub use decoder::Decoder;
pub use encap::{Encap, EncapPath, Hidden};
pub use error::{DecodeError, unsupported_reason};
pub use fragments::{FragmentStats, Reassembler};
pub use link::decode;
pub use segment::{Decoded, SackBlock, Segment, TcpFlags, TcpOptions};
pub use seq::{RelSeq, SeqNum, SeqRange};
pub use tcp_header::parse_options;
