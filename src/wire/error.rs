//! Why a frame could not be decoded: one error type for every layer of `wire` (link, IP, TCP),
//! defined apart from them so that each layer can return it without importing another.

use std::fmt;

use crate::capture::LinkType;
use crate::key;

/// Why a frame could not be decoded.
///
/// Reasons carry no per-frame numbers on purpose: `inspect` groups failures by message, so a
/// capture with a thousand broken frames gives one warning, not a thousand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("{}", crate::tr!("wire.unsupported_link", link = .0, reason = unsupported_reason(*.0)))]
    UnsupportedLink(LinkType),
    #[error("{}", crate::tr!("wire.malformed", layer = layer_name(.layer), reason = .reason))]
    Malformed { layer: &'static str, reason: Reason },
}

/// Why a header is malformed: a key of the language files (`wire.bad.…`), and the byte count
/// its text's `{n}` names where it has one. Kept as the key, not the text, so that the error
/// is plain data (no allocation per broken frame) and is worded once, when it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reason {
    key: &'static str,
    n: usize,
}

impl Reason {
    /// The key in `assets/i18n/*.txt`.
    pub fn key(self) -> &'static str {
        self.key
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::fill(
            crate::i18n::t(self.key),
            &[("n", &self.n)],
        ))
    }
}

/// A header of `layer` is malformed for the reason `key` names (`key!("wire.bad.…")`).
pub(super) fn malformed(layer: &'static str, key: &'static str) -> DecodeError {
    DecodeError::Malformed {
        layer,
        reason: Reason { key, n: 0 },
    }
}

/// The frame is shorter than `layer`'s `n`-byte header.
pub(super) fn short_header(layer: &'static str, n: usize) -> DecodeError {
    DecodeError::Malformed {
        layer,
        reason: Reason {
            key: key!("wire.bad.short_header"),
            n,
        },
    }
}

/// The packet ends inside `layer`'s `n`-byte header (a tunnel header inside a packet).
pub(super) fn packet_ends_in_header(layer: &'static str, n: usize) -> DecodeError {
    DecodeError::Malformed {
        layer,
        reason: Reason {
            key: key!("wire.bad.packet_ends_in_header"),
            n,
        },
    }
}

/// A layer's name as a sentence shows it: protocol names as written; the two layers named
/// with an ordinary word (`tunnel`, `loopback`) in the reader's language.
fn layer_name(layer: &'static str) -> &'static str {
    match layer {
        "tunnel" => crate::i18n::t("wire.layer.tunnel"),
        "loopback" => crate::i18n::t("wire.layer.loopback"),
        other => other,
    }
}

/// Why a link type is not decoded: every type tcpdump prints that can carry IP is decoded
/// or named here with its reason; the rest carry no IP at all.
pub fn unsupported_reason(link: LinkType) -> &'static str {
    crate::i18n::t(unsupported_reason_key(link))
}

/// The key of [`unsupported_reason`]'s text.
pub fn unsupported_reason_key(link: LinkType) -> &'static str {
    match link.0 {
        103 => key!("wire.link.bsdos_ppp"),
        130 | 131 | 132 | 133 | 134 | 135 | 136 | 137 | 164 | 167 | 168 | 174 | 183 | 194 | 200
        | 232 | 233 | 234 | 238 => key!("wire.link.juniper"),
        182 => key!("wire.link.mfr"),
        143 => key!("wire.link.docsis"),
        169 => key!("wire.link.gprs_llc"),
        191 | 195 | 215 | 230 | 283 => key!("wire.link.ieee802_15_4"),
        243 => key!("wire.link.mpeg2_ts"),
        114 => key!("wire.link.localtalk"),
        189 | 220 => key!("wire.link.usb"),
        201 | 187 => key!("wire.link.bluetooth"),
        271 => key!("wire.link.vsock"),
        281 | 282 | 284 | 285 => key!("wire.link.dsa"),
        274 => key!("wire.link.preemption"),
        147..=162 => key!("wire.link.user"),
        253 => key!("wire.link.netlink"),
        _ => key!("wire.link.unknown"),
    }
}
