//! Why a frame could not be decoded: one error type for every layer of `wire` (link, IP, TCP),
//! defined apart from them so that each layer can return it without importing another.

use crate::capture::LinkType;

/// Why a frame could not be decoded.
///
/// Reasons carry no per-frame numbers on purpose: `inspect` groups failures by message, so a
/// capture with a thousand broken frames gives one warning, not a thousand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("link type {0} is not supported")]
    UnsupportedLink(LinkType),
    #[error("malformed {layer} header: {reason}")]
    Malformed { layer: &'static str, reason: String },
}

pub(super) fn malformed(layer: &'static str, reason: &str) -> DecodeError {
    DecodeError::Malformed {
        layer,
        reason: reason.to_string(),
    }
}
