//! The decoded TCP segment: what the TCP model is fed.

use std::fmt;
use std::net::SocketAddr;

use super::seq::{SeqNum, seg_len};

/// TCP header flags (RFC 9293 §3.1), as the low 9 bits of the header's flag field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpFlags(pub u16);

impl TcpFlags {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const PSH: u16 = 0x008;
    pub const ACK: u16 = 0x010;
    pub const URG: u16 = 0x020;
    pub const ECE: u16 = 0x040;
    pub const CWR: u16 = 0x080;
    pub const NS: u16 = 0x100;

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
    pub fn fin(self) -> bool {
        self.has(Self::FIN)
    }
    pub fn syn(self) -> bool {
        self.has(Self::SYN)
    }
    pub fn rst(self) -> bool {
        self.has(Self::RST)
    }
    pub fn psh(self) -> bool {
        self.has(Self::PSH)
    }
    pub fn ack(self) -> bool {
        self.has(Self::ACK)
    }
}

impl fmt::Display for TcpFlags {
    /// Comma-separated names in tcpdump's order of importance: `SYN`, `SYN,ACK`, `PSH,ACK`,
    /// `FIN,ACK`, `RST`. An empty flag field prints as `NONE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(u16, &str); 9] = [
            (TcpFlags::SYN, "SYN"),
            (TcpFlags::FIN, "FIN"),
            (TcpFlags::RST, "RST"),
            (TcpFlags::PSH, "PSH"),
            (TcpFlags::ACK, "ACK"),
            (TcpFlags::URG, "URG"),
            (TcpFlags::ECE, "ECE"),
            (TcpFlags::CWR, "CWR"),
            (TcpFlags::NS, "NS"),
        ];
        let mut first = true;
        for (bit, name) in NAMES {
            if self.has(bit) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("NONE")?;
        }
        Ok(())
    }
}

/// A SACK block (RFC 2018): left edge inclusive, right edge exclusive, absolute sequence numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SackBlock {
    pub left: SeqNum,
    pub right: SeqNum,
}

/// The TCP options a socket lecture meets (RFC 9293 §3.2, RFC 7323, RFC 2018).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    /// Window scale shift count as sent (RFC 7323 §2.3; values above 14 are used as 14).
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// Up to four SACK blocks; `sack_count` says how many of `sack` are valid.
    pub sack: [SackBlock; 4],
    pub sack_count: u8,
    /// (TSval, TSecr), RFC 7323 §3.
    pub timestamps: Option<(u32, u32)>,
}

impl TcpOptions {
    pub fn sack_blocks(&self) -> &[SackBlock] {
        &self.sack[..usize::from(self.sack_count.min(4))]
    }
}

/// What a frame turned out to carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<'a> {
    Tcp(Segment<'a>),
    /// IP but not TCP (UDP, ICMP, ...), not IP at all (ARP, ...), or an IP fragment that does
    /// not start a TCP segment.
    NotTcp,
}

/// One TCP segment as decoded from a captured frame. Borrows the frame's payload bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: SeqNum,
    /// The acknowledgment field as sent, meaningful only when the ACK flag is set.
    pub ack: SeqNum,
    pub flags: TcpFlags,
    /// The window field as sent, before any scaling.
    pub window: u16,
    pub options: TcpOptions,
    /// Payload length on the wire, from the IP header's lengths (what sequence numbers count).
    pub payload_len: u32,
    /// The payload bytes the capture kept: shorter than `payload_len` when truncated.
    pub payload: &'a [u8],
    /// True when the capture cut the frame before the end of the segment (snaplen, damage).
    pub truncated: bool,
}

impl Segment<'_> {
    /// Sequence space this segment occupies: payload plus one for SYN and one for FIN.
    pub fn seq_len(&self) -> u32 {
        seg_len(self.payload_len, self.flags.syn(), self.flags.fin())
    }
}
