//! Sources of captured frames: capture files (pcap, pcapng) and live libpcap handles (`live.rs`).
//!
//! A source yields [`Frame`]s: raw bytes with a timestamp and a link type. It knows nothing of
//! IP or TCP; [`crate::wire`] decodes frames into segments.
//!
//! Files: [`CaptureFile`] (`file.rs`) detects the container and streams it through one reusable
//! buffer (`buffer.rs`); `pcap.rs` and `pcapng.rs` each locate records in that buffer and
//! convert timestamps; `parse.rs` holds what they hand back.

mod buffer;
pub mod file;
pub mod live;
mod parse;
mod pcap;
mod pcapng;
#[cfg(test)]
mod tests_pcap;
#[cfg(test)]
mod tests_pcapng;

pub use file::{CaptureFile, CaptureFormat, FileError, FrameRef};
pub use parse::MAX_RECORD_LEN;

use std::fmt;

/// Capture time in nanoseconds since the Unix epoch.
///
/// One unit for every source: pcap's microsecond and nanosecond variants and pcapng's
/// per-interface resolutions are all converted on read, so nothing downstream mixes units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn from_nanos(ns: i64) -> Self {
        Timestamp(ns)
    }

    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// Seconds since the epoch as a float (what tshark and `inspect --json` print).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Nanoseconds from `earlier` to `self`, wrapping as Wireshark's integer arithmetic does
    /// (the TCP analysis mirrors it; a damaged capture may hold any two times).
    #[inline]
    pub const fn nanos_since(self, earlier: Timestamp) -> i64 {
        self.0.wrapping_sub(earlier.0)
    }

    /// Seconds from `earlier` to `self` (negative when `self` is earlier).
    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        (self.0.saturating_sub(earlier.0)) as f64 / 1e9
    }
}

/// The link-layer header type of a frame (a tcpdump `LINKTYPE_` / libpcap `DLT_` value).
///
/// Kept as the raw number so that an unknown type survives a round trip and can be named in a
/// warning; [`crate::wire::link`] knows how to peel the ones we support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: 4-byte address family in the *capturing host's* byte order (macOS `lo0`).
    pub const NULL: LinkType = LinkType(0);
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP as OpenBSD numbers it (DLT_RAW 12 on most systems, 14 on OpenBSD).
    pub const RAW_12: LinkType = LinkType(12);
    pub const RAW_14: LinkType = LinkType(14);
    /// OpenBSD loopback: 4-byte address family in network byte order.
    pub const LOOP: LinkType = LinkType(108);
    pub const RAW: LinkType = LinkType(101);
    pub const LINUX_SLL: LinkType = LinkType(113);
    pub const IPV4: LinkType = LinkType(228);
    pub const IPV6: LinkType = LinkType(229);
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// The name tcpdump prints for this link type, or `None` when sockviz does not decode it.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::NULL => "NULL (BSD loopback)",
            Self::ETHERNET => "EN10MB (Ethernet)",
            Self::RAW_12 | Self::RAW_14 | Self::RAW => "RAW (raw IP)",
            Self::LOOP => "LOOP (OpenBSD loopback)",
            Self::LINUX_SLL => "LINUX_SLL (Linux cooked v1)",
            Self::IPV4 => "IPV4 (raw IPv4)",
            Self::IPV6 => "IPV6 (raw IPv6)",
            Self::LINUX_SLL2 => "LINUX_SLL2 (Linux cooked v2)",
            LinkType(3) => "AX25",
            LinkType(6) => "IEEE802_5 (Token Ring)",
            LinkType(7) => "ARCNET_BSD",
            LinkType(8) => "SLIP",
            LinkType(9) => "PPP",
            LinkType(10) => "FDDI",
            LinkType(50) => "PPP_HDLC",
            LinkType(51) => "PPP_ETHER (PPPoE)",
            LinkType(99) => "SYMANTEC_FIREWALL",
            LinkType(100) => "ATM_RFC1483",
            LinkType(102) => "SLIP_BSDOS",
            LinkType(104) => "C_HDLC (Cisco HDLC)",
            LinkType(105) => "IEEE802_11 (802.11)",
            LinkType(106) => "ATM_CLIP",
            LinkType(107) => "FRELAY (Frame Relay)",
            LinkType(109) => "ENC (OpenBSD IPsec)",
            LinkType(117) => "PFLOG (OpenBSD pflog)",
            LinkType(119) => "IEEE802_11_PRISM",
            LinkType(122) => "IP_OVER_FC",
            LinkType(123) => "SUNATM",
            LinkType(127) => "IEEE802_11_RADIOTAP (radiotap)",
            LinkType(129) => "ARCNET_LINUX",
            LinkType(138) => "APPLE_IP_OVER_IEEE1394",
            LinkType(163) => "IEEE802_11_AVS",
            LinkType(166) => "PPP_PPPD",
            LinkType(178) => "JUNIPER_ETHER",
            LinkType(179) => "JUNIPER_PPP",
            LinkType(180) => "JUNIPER_FRELAY",
            LinkType(181) => "JUNIPER_CHDLC",
            LinkType(192) => "PPI",
            LinkType(202) => "AX25_KISS",
            LinkType(204) => "PPP_WITH_DIR",
            LinkType(205) => "C_HDLC_WITH_DIR",
            LinkType(206) => "FRELAY_WITH_DIR",
            LinkType(226) => "IPNET (Solaris)",
            LinkType(239) => "NFLOG (Linux netfilter log)",
            LinkType(240) => "NETANALYZER",
            LinkType(241) => "NETANALYZER_TRANSPARENT",
            LinkType(242) => "IPOIB (IP over InfiniBand)",
            LinkType(258) => "PKTAP (Apple)",
            _ => return None,
        })
    }

    pub fn is_supported(self) -> bool {
        self.name().is_some()
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

/// One captured frame, borrowed from the source's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// 1-based position in the capture, as Wireshark numbers frames.
    pub number: u64,
    pub ts: Timestamp,
    pub link: LinkType,
    /// Length of the frame on the wire; `data` may be shorter when the snaplen cut it.
    pub orig_len: u32,
    /// The captured bytes.
    pub data: &'a [u8],
    /// The pcapng interface it was captured on (0 in a pcap file): a lab recording over a link
    /// has one per capture point.
    pub interface: u32,
}

/// A frame that owns its bytes, so it can cross threads (what a live capture hands over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedFrame {
    pub ts: Timestamp,
    pub link: LinkType,
    pub orig_len: u32,
    pub data: Vec<u8>,
}

impl Frame<'_> {
    /// True when the capture kept fewer bytes than were on the wire (snaplen).
    pub fn is_truncated(&self) -> bool {
        (self.data.len() as u64) < u64::from(self.orig_len)
    }
}
