//! IPv4 and IPv6: find the TCP bytes and how long the TCP segment was on the wire.
//!
//! The fixed headers are read with etherparse's header slices, which check only the header
//! itself; the lengths are checked here, because a capture viewer must keep segments whose
//! payload the snaplen cut (etherparse's strict `SlicedPacket` rejects those).

use std::net::IpAddr;

use etherparse::{Ipv4HeaderSlice, Ipv6HeaderSlice, err};

use super::ctx::{Ctx, FragmentRef};
use super::encap::Encap;
use super::error::{DecodeError, malformed};
use super::ipcomp;
use super::segment::Decoded;
use super::tcp_header as tcp;
use super::tunnel;
use crate::key;

const PROTO_TCP: u8 = 6;
/// Authentication Header (RFC 4302 §2.2): length in 32-bit words, minus 2.
const PROTO_AH: u8 = 51;
const PROTO_IPCOMP: u8 = 108;
/// IPv6 extension headers whose length is in 8-octet units, not counting the first
/// (RFC 8200 §4.3-4.6): hop-by-hop, routing, destination options; mobility (RFC 6275),
/// HIP (RFC 7401) and shim6 (RFC 5533) share the format (RFC 6564).
const IPV6_GENERIC_EXT: [u8; 6] = [0, 43, 60, 135, 139, 140];
const IPV6_FRAGMENT: u8 = 44;
/// A chain of extension headers longer than this is damage (each is at least 8 bytes).
const MAX_EXT_HEADERS: usize = 16;

/// IPv4 (RFC 791), options included.
///
/// An IPv6 packet under the IPv4 EtherType (or a raw-IP link) is handed to [`ipv6`] by the
/// caller's version check, as tshark does. Fragments (MF set or a non-zero offset) go to
/// `cx.fragment` for reassembly and are `NotTcp` here.
pub(super) fn ipv4<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let header = Ipv4HeaderSlice::from_slice(data).map_err(|e| match e {
        err::ipv4::HeaderSliceError::Len(_) => malformed("IPv4", key!("wire.bad.ipv4_cut")),
        err::ipv4::HeaderSliceError::Content(err::ipv4::HeaderError::UnexpectedVersion {
            ..
        }) => malformed("IPv4", key!("wire.bad.ipv4_version")),
        err::ipv4::HeaderSliceError::Content(_) => malformed("IPv4", key!("wire.bad.ipv4_ihl")),
    })?;
    let header_len = header.slice().len();
    let total = usize::from(header.total_len());
    let wire_len = wire_len(total, 0, data.len(), cx);
    if wire_len < header_len {
        return Err(malformed("IPv4", key!("wire.bad.ipv4_total")));
    }
    let captured = &data[header_len..wire_len.min(data.len())];
    let src = IpAddr::V4(header.source_addr());
    let dst = IpAddr::V4(source_route_final(header.options()).unwrap_or(header.destination_addr()));
    let rest = Payload {
        captured,
        wire: wire_len - header_len,
        claimed: total.saturating_sub(header_len),
    };
    let offset = u32::from(header.fragments_offset().value()) * 8;
    if (offset != 0 || header.more_fragments()) && !all_bytes_here(data.len(), total) {
        // tshark reassembles only fragments whose bytes are all in the frame; a first
        // fragment without them is dissected on its own (a segment cut short), a later one
        // is only a fragment.
        if offset != 0 {
            return Ok(Decoded::NotTcp);
        }
    } else if offset != 0 || header.more_fragments() {
        cx.fragment = Some(FragmentRef {
            src,
            dst,
            id: u32::from(header.identification()),
            proto: header.protocol().0,
            v6: false,
            offset,
            more: header.more_fragments(),
            data: rest.captured,
            cut: rest.captured.len() < rest.wire,
        });
        return Ok(Decoded::NotTcp);
    }
    after_header(src, dst, header.protocol().0, rest, false, cx)
}

/// The final destination of a loose or strict source route (RFC 791 §3.1, options 131 and
/// 137) that is not yet exhausted: the last address of the route. The header's destination
/// is then only the next hop; the TCP pseudo-header (RFC 9293 §3.1) and tshark's `ip.dst`,
/// and so the connection's endpoint, use the final one.
fn source_route_final(mut options: &[u8]) -> Option<std::net::Ipv4Addr> {
    const LSRR: u8 = 0x83;
    const SSRR: u8 = 0x89;
    while let [kind, rest @ ..] = options {
        match kind {
            0 => return None,
            1 => {
                options = rest;
                continue;
            }
            _ => {}
        }
        let len = usize::from(*rest.first()?);
        let opt = options.get(..len.max(2))?;
        if (*kind == LSRR || *kind == SSRR) && len >= 7 {
            let pointer = usize::from(opt[2]);
            if pointer <= len {
                let last = &opt[len - 4..len];
                return Some(std::net::Ipv4Addr::new(last[0], last[1], last[2], last[3]));
            }
        }
        options = &options[len.max(2)..];
    }
    None
}

/// IPv6 (RFC 8200). Extension headers are walked by [`after_header`].
pub(super) fn ipv6<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let header = Ipv6HeaderSlice::from_slice(data).map_err(|e| match e {
        err::ipv6::HeaderSliceError::Len(_) => malformed("IPv6", key!("wire.bad.ipv6_cut")),
        err::ipv6::HeaderSliceError::Content(_) => malformed("IPv6", key!("wire.bad.ipv6_version")),
    })?;
    let header_len = header.slice().len();
    // Payload length 0: a jumbogram (RFC 2675) or a TSO/BIG TCP super-segment; use what was
    // captured (the `wire_len` rule for a zero length).
    let total = match usize::from(header.payload_length()) {
        0 => 0,
        n => n + header_len,
    };
    let wire = wire_len(total, header_len, data.len(), cx) - header_len;
    let captured = &data[header_len..(header_len + wire).min(data.len())];
    let claimed = match usize::from(header.payload_length()) {
        0 => wire,
        n => n,
    };
    let rest = Payload {
        captured,
        wire,
        claimed,
    };
    let src = IpAddr::V6(header.source_addr());
    let dst = IpAddr::V6(header.destination_addr());
    after_header(src, dst, header.next_header().0, rest, true, cx)
}

/// Whether the frame holds every byte the IP header's `total` length claims (0: not filled
/// in, taken as yes). Without a known original length a shorter frame is a snaplen cut.
fn all_bytes_here(captured: usize, total: usize) -> bool {
    total == 0 || captured >= total
}

/// How long the IP packet was on the wire, given its header's `total` length (0: not
/// filled in) and the `captured` bytes from the IP header on.
///
/// tshark's rule: the packet ends at the smaller of the header's length and the bytes the
/// link delivered (captured plus what the snaplen cut). A header claiming more than the frame
/// had, in a frame the snaplen did not cut (a stripped trailer, a lying header), is not a
/// truncation: the frame's bytes are what there is, and `cx` notes it for a warning.
/// Linux captures TSO super-segments with total length 0 (Wireshark: "assumed TSO"): the
/// frame's length is then the best there is. When the frame's original length is unknown
/// (`cx.missing` is `None`), the header is trusted.
fn wire_len(total: usize, min: usize, captured: usize, cx: &mut Ctx<'_>) -> usize {
    let delivered = cx.missing.map(|m| captured.saturating_add(m));
    let len = match (total, delivered) {
        (0, Some(d)) => d,
        (0, None) => captured,
        (t, Some(d)) if t > d => {
            cx.ip_longer_than_frame = true;
            d
        }
        (t, _) => t,
    };
    len.max(min)
}

/// The protocol chain after an IP header: IPv6 extension headers, AH, then TCP, a tunnel, or
/// something else.
pub(super) fn after_header<'a>(
    src: IpAddr,
    dst: IpAddr,
    mut next: u8,
    mut rest: Payload<'a>,
    v6: bool,
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let layer = if v6 { "IPv6" } else { "IPv4" };
    for _ in 0..MAX_EXT_HEADERS {
        match next {
            PROTO_TCP => return tcp::segment(src, dst, rest.captured, rest.wire),
            PROTO_AH => {
                cx.enter(Encap::Ah)?;
                next = rest.skip_auth(layer)?;
            }
            IPV6_FRAGMENT if v6 => {
                let ext = rest.ext_header(8)?;
                // RFC 8200 §4.5: 13-bit offset in 8-octet units, then 2 reserved bits, then M.
                let (nh, field) = (ext[0], u16::from_be_bytes([ext[2], ext[3]]));
                let id = u32::from_be_bytes([ext[4], ext[5], ext[6], ext[7]]);
                rest.advance(8);
                if rest.captured.len() < rest.claimed {
                    // As for IPv4: not all bytes here, so no reassembly; tshark dissects a
                    // first fragment on its own.
                    if field >> 3 != 0 {
                        return Ok(Decoded::NotTcp);
                    }
                    next = nh;
                    continue;
                }
                cx.fragment = Some(FragmentRef {
                    src,
                    dst,
                    id,
                    proto: nh,
                    v6: true,
                    offset: u32::from(field >> 3) * 8,
                    more: field & 1 != 0,
                    data: rest.captured,
                    cut: rest.captured.len() < rest.wire,
                });
                return Ok(Decoded::NotTcp);
            }
            n if v6 && IPV6_GENERIC_EXT.contains(&n) => {
                let ext = rest.ext_header(2)?;
                let (nh, ext_len) = (ext[0], (usize::from(ext[1]) + 1) * 8);
                rest.ext_header(ext_len)?;
                next = nh;
                rest.advance(ext_len);
            }
            PROTO_IPCOMP => return ipcomp::header(src, dst, v6, rest.captured, rest.wire, cx),
            // Tunnels, ESP, UDP, ICMP, No Next Header, ...
            _ => {
                if cx.missing.is_some() {
                    cx.missing = Some(rest.wire - rest.captured.len());
                }
                return tunnel::ip_protocol(next, rest.captured, cx);
            }
        }
    }
    Err(malformed(layer, key!("wire.bad.ext_headers")))
}

/// The bytes after an IP header: what was captured, and how long it was on the wire.
/// Invariant: `captured.len() <= wire`.
pub(super) struct Payload<'a> {
    pub captured: &'a [u8],
    pub wire: usize,
    /// What the IP header says is left (at least `wire`'s bytes when the header lied).
    pub claimed: usize,
}

impl<'a> Payload<'a> {
    /// A payload held whole: a reassembled datagram or an inflated IPComp payload.
    pub fn whole(bytes: &'a [u8]) -> Self {
        Payload {
            captured: bytes,
            wire: bytes.len(),
            claimed: bytes.len(),
        }
    }

    /// The first `len` bytes of an extension header, checked against both lengths.
    fn ext_header(&self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.wire {
            return Err(malformed("IPv6", key!("wire.bad.ipv6_ext_past")));
        }
        self.captured
            .get(..len)
            .ok_or_else(|| malformed("IPv6", key!("wire.bad.ipv6_ext_cut")))
    }

    fn advance(&mut self, len: usize) {
        self.captured = &self.captured[len.min(self.captured.len())..];
        self.wire -= len.min(self.wire);
        self.claimed -= len.min(self.claimed);
    }

    /// Skip an Authentication Header (RFC 4302 §2.2) and return the protocol after it.
    fn skip_auth(&mut self, layer: &'static str) -> Result<u8, DecodeError> {
        let [next, len, ..] = *self.captured else {
            return Err(malformed(layer, key!("wire.bad.ah_cut")));
        };
        let ah_len = (usize::from(len) + 2) * 4;
        if ah_len > self.wire || ah_len > self.captured.len() {
            return Err(malformed(layer, key!("wire.bad.ah_cut")));
        }
        self.advance(ah_len);
        Ok(next)
    }
}
