//! Why a frame could not be decoded: one error type for every layer of `wire` (link, IP, TCP),
//! defined apart from them so that each layer can return it without importing another.

use crate::capture::LinkType;

/// Why a frame could not be decoded.
///
/// Reasons carry no per-frame numbers on purpose: `inspect` groups failures by message, so a
/// capture with a thousand broken frames gives one warning, not a thousand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("link type {} is not decoded: {}", .0, unsupported_reason(*.0))]
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

/// Why a link type is not decoded: every type tcpdump prints that can carry IP is decoded
/// or named here with its reason; the rest carry no IP at all.
pub fn unsupported_reason(link: LinkType) -> &'static str {
    match link.0 {
        103 => "BSD/OS PPP captures are not decoded (no public sample to test against)",
        130 | 131 | 132 | 133 | 134 | 135 | 136 | 137 | 164 | 167 | 168 | 174 | 183 | 194 | 200
        | 232 | 233 | 234 | 238 => {
            "this Juniper pseudo-header's per-service cookie layout is not decoded (Juniper \
             Ethernet, PPP, Frame Relay and Cisco HDLC are)"
        }
        182 => "multilink Frame Relay (FRF.16) fragments are not reassembled",
        143 => "DOCSIS MAC frames are not decoded",
        169 => "GPRS LLC frames carry SNDCP-compressed IP, which is not decompressed",
        191 | 195 | 215 | 230 | 283 => {
            "IEEE 802.15.4 carries 6LoWPAN-compressed IPv6, which is not decompressed"
        }
        243 => {
            "MPEG-2 transport streams carry IP only through multiprotocol encapsulation \
                sections, which are not reassembled"
        }
        114 => "LocalTalk carries AppleTalk, not IP",
        189 | 220 => {
            "USB packets carry no IP (a USB network adapter's frames are not decoded \
                      from URBs)"
        }
        201 | 187 => "Bluetooth HCI carries IP only through BNEP/PAN, which is not decoded",
        271 => "vsock carries host-guest sockets, not IP",
        281 | 282 | 284 | 285 => "Ethernet switch DSA tags are not decoded",
        274 => "Ethernet frame preemption fragments (802.3br mPackets) are not reassembled",
        147..=162 => "a user-defined link type (LINKTYPE_USER0-15) has no standard layout",
        253 => "netlink messages carry no IP packets",
        _ => "sockviz does not know this link type, or it carries no IP",
    }
}
