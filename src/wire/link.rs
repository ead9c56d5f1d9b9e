//! Link layers to IP to TCP. (Skeleton: the capture-file helper replaces this.)

use crate::capture::LinkType;

use super::Segment;

/// What a frame turned out to carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<'a> {
    Tcp(Segment<'a>),
    /// IP but not TCP (UDP, ICMP, ...), or not IP at all (ARP, ...).
    NotTcp,
}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("link type {0} is not supported")]
    UnsupportedLink(LinkType),
    #[error("malformed {layer} header: {reason}")]
    Malformed { layer: &'static str, reason: String },
}

/// Decode one frame of the given link type.
pub fn decode(link: LinkType, _data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    Err(DecodeError::UnsupportedLink(link))
}
