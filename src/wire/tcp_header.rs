//! The TCP header (RFC 9293 §3.1) and its options (§3.2, RFC 7323, RFC 2018).

use std::net::{IpAddr, SocketAddr};

use super::error::{DecodeError, malformed};
use super::segment::{Decoded, SackBlock, Segment, TcpFlags, TcpOptions};
use super::seq::SeqNum;
use crate::key;

const MIN_HEADER_LEN: usize = 20;

/// Build a segment from the bytes after the IP header(s).
///
/// `captured` is what the capture kept of the TCP segment (never more than `wire_len`);
/// `wire_len` is its length according to the IP header. The fixed 20-byte header must have
/// been captured; options and payload may be cut short by the snaplen (then `truncated`, and
/// the options that were captured whole are kept). tcpdump's old default snaplen of 68 bytes
/// cuts an IPv6 SYN inside its options, and such captures still deserve a ladder diagram.
/// That is why the header is read by hand: etherparse's `TcpHeaderSlice` needs every
/// option byte present.
pub(super) fn segment(
    src: IpAddr,
    dst: IpAddr,
    captured: &[u8],
    wire_len: usize,
) -> Result<Decoded<'_>, DecodeError> {
    if wire_len < MIN_HEADER_LEN {
        return Err(malformed("TCP", key!("wire.bad.tcp_ip_len")));
    }
    let Some(b) = captured.get(..MIN_HEADER_LEN) else {
        return Err(malformed("TCP", key!("wire.bad.tcp_cut")));
    };
    // RFC 9293 §3.1: data offset in 32-bit words, upper 4 bits of byte 12.
    let header_len = usize::from(b[12] >> 4) * 4;
    if header_len < MIN_HEADER_LEN {
        return Err(malformed("TCP", key!("wire.bad.tcp_offset_small")));
    }
    if header_len > wire_len {
        return Err(malformed("TCP", key!("wire.bad.tcp_offset_past")));
    }
    let captured = &captured[..captured.len().min(wire_len)];
    let header_end = header_len.min(captured.len());
    let payload_len = wire_len - header_len;
    let payload = &captured[header_end..];
    let be16 = |at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
    // RFC 9293 §3.1 (and RFC 3540 for NS): NS is the low bit of byte 12, the rest byte 13.
    let flags = TcpFlags((u16::from(b[12] & 1) << 8) | u16::from(b[13]));
    Ok(Decoded::Tcp(Segment {
        src: SocketAddr::new(src, be16(0)),
        dst: SocketAddr::new(dst, be16(2)),
        seq: SeqNum(be32(&b[4..8])),
        ack: SeqNum(be32(&b[8..12])),
        flags,
        window: be16(14),
        options: parse_options(&captured[MIN_HEADER_LEN..header_end]),
        payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        payload,
        truncated: header_end < header_len || payload.len() < payload_len,
    }))
}

/// Read the options a TCP lecture meets; skip the rest.
///
/// RFC 9293 §3.2: kinds 0 (end of list) and 1 (no-op) are single bytes; every other kind has
/// a length byte that counts itself and the kind, so unknown kinds (MPTCP, TFO, MD5, TCP-AO)
/// are stepped over. A known kind with the wrong length is ignored (RFC 9293 §3.2 asks
/// receivers to tolerate it). A length below 2 or past the header end makes the rest of the
/// list unreadable: parsing stops and the options read so far are kept; the segment stays.
/// (etherparse's own options iterator stops at the first kind it does not know, which would
/// lose a timestamp after an MPTCP option, so it is not used here.)
pub fn parse_options(mut options: &[u8]) -> TcpOptions {
    let mut out = TcpOptions::default();
    while let [kind, rest @ ..] = options {
        match kind {
            0 => break,
            1 => {
                options = rest;
                continue;
            }
            _ => {}
        }
        let Some(&len) = rest.first() else { break };
        let len = usize::from(len);
        if len < 2 || len > options.len() {
            break;
        }
        let value = &options[2..len];
        match (*kind, value.len()) {
            (2, 2) => out.mss = Some(u16::from_be_bytes([value[0], value[1]])),
            (3, 1) => out.window_scale = Some(value[0]),
            (4, 0) => out.sack_permitted = true,
            (5, n) if n > 0 && n % 8 == 0 => {
                out.sack_count = 0;
                for (slot, block) in out.sack.iter_mut().zip(value.chunks_exact(8)) {
                    *slot = SackBlock {
                        left: SeqNum(be32(&block[..4])),
                        right: SeqNum(be32(&block[4..])),
                    };
                    out.sack_count += 1;
                }
            }
            (8, 8) => out.timestamps = Some((be32(&value[..4]), be32(&value[4..]))),
            _ => {}
        }
        options = &options[len..];
    }
    out
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}
