//! Frames to TCP segments: peel the link layer, then IP, then TCP, without copying.

pub mod link;
pub mod segment;

pub use link::{DecodeError, Decoded, decode};
pub use segment::{Segment, TcpFlags, TcpOptions};
