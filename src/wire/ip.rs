//! IPv4 and IPv6: find the TCP bytes and how long the TCP segment was on the wire.
//!
//! The fixed headers are read with etherparse's header slices, which check only the header
//! itself; the lengths are checked here, because a capture viewer must keep segments whose
//! payload the snaplen cut (etherparse's strict `SlicedPacket` rejects those).

use std::net::IpAddr;

use etherparse::{Ipv4HeaderSlice, Ipv6HeaderSlice, err};

use super::error::{DecodeError, malformed};
use super::segment::Decoded;
use super::tcp_header as tcp;

const PROTO_TCP: u8 = 6;
/// Authentication Header (RFC 4302 §2.2): length in 32-bit words, minus 2.
const PROTO_AH: u8 = 51;
/// IPv6 extension headers whose length is in 8-octet units, not counting the first
/// (RFC 8200 §4.3-4.6): hop-by-hop, routing, destination options; mobility (RFC 6275),
/// HIP (RFC 7401) and shim6 (RFC 5533) share the format (RFC 6564).
const IPV6_GENERIC_EXT: [u8; 6] = [0, 43, 60, 135, 139, 140];
const IPV6_FRAGMENT: u8 = 44;
/// A chain of extension headers longer than this is damage (each is at least 8 bytes).
const MAX_EXT_HEADERS: usize = 16;

/// IPv4 (RFC 791), options included.
///
/// Fragments: a non-first fragment has no TCP header and is `NotTcp`. A first fragment
/// (MF set, offset 0) that holds a whole TCP header decodes as a segment marked `truncated`:
/// its `payload_len` counts only the bytes of this fragment, because the datagram's full length
/// is known only after reassembly, which sockviz does not do.
pub(super) fn ipv4(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let header = Ipv4HeaderSlice::from_slice(data).map_err(|e| match e {
        err::ipv4::HeaderSliceError::Len(_) => malformed(
            "IPv4",
            "header cut short (capture too short or IHL too large)",
        ),
        err::ipv4::HeaderSliceError::Content(err::ipv4::HeaderError::UnexpectedVersion {
            ..
        }) => malformed("IPv4", "version field is not 4"),
        err::ipv4::HeaderSliceError::Content(_) => {
            malformed("IPv4", "header length (IHL) is less than 5 words")
        }
    })?;
    let header_len = header.slice().len();
    let total_len = usize::from(header.total_len());
    // Linux captures TSO super-segments before the NIC splits them, some with total length
    // 0 (Wireshark: "assumed TSO"); the captured bytes are then the best length there is.
    let wire_len = if total_len == 0 {
        data.len()
    } else {
        total_len
    };
    if wire_len < header_len {
        return Err(malformed(
            "IPv4",
            "total length is shorter than the header itself",
        ));
    }
    if header.fragments_offset().value() != 0 {
        return Ok(Decoded::NotTcp);
    }
    let first_fragment = header.more_fragments();
    let captured = &data[header_len..wire_len.min(data.len())];
    let src = IpAddr::V4(header.source_addr());
    let dst = IpAddr::V4(header.destination_addr());
    let mut next = header.protocol().0;
    let mut rest = Payload {
        captured,
        wire: wire_len - header_len,
    };
    if next == PROTO_AH {
        next = rest.skip_auth("IPv4")?;
    }
    if next != PROTO_TCP {
        return Ok(Decoded::NotTcp);
    }
    tcp::segment(src, dst, rest.captured, rest.wire, first_fragment)
}

/// IPv6 (RFC 8200), walking extension headers to the TCP header.
///
/// Fragments are handled as for IPv4: a Fragment header with a non-zero offset is `NotTcp`;
/// a first fragment with a whole TCP header decodes as a truncated segment.
pub(super) fn ipv6(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let header = Ipv6HeaderSlice::from_slice(data).map_err(|e| match e {
        err::ipv6::HeaderSliceError::Len(_) => {
            malformed("IPv6", "header cut short (less than 40 bytes captured)")
        }
        err::ipv6::HeaderSliceError::Content(_) => malformed("IPv6", "version field is not 6"),
    })?;
    let header_len = header.slice().len();
    let payload_len = usize::from(header.payload_length());
    // Payload length 0: a jumbogram (RFC 2675) or a TSO/BIG TCP super-segment; use what was
    // captured.
    let wire = if payload_len == 0 {
        data.len() - header_len
    } else {
        payload_len
    };
    let captured = &data[header_len..(header_len + wire).min(data.len())];
    let mut rest = Payload { captured, wire };
    let src = IpAddr::V6(header.source_addr());
    let dst = IpAddr::V6(header.destination_addr());
    let mut next = header.next_header().0;
    let mut first_fragment = false;
    for _ in 0..MAX_EXT_HEADERS {
        match next {
            PROTO_TCP => return tcp::segment(src, dst, rest.captured, rest.wire, first_fragment),
            PROTO_AH => next = rest.skip_auth("IPv6")?,
            IPV6_FRAGMENT => {
                let ext = rest.ext_header(8)?;
                // RFC 8200 §4.5: 13-bit offset in 8-octet units, then 2 reserved bits, then M.
                let (nh, field) = (ext[0], u16::from_be_bytes([ext[2], ext[3]]));
                if field >> 3 != 0 {
                    return Ok(Decoded::NotTcp);
                }
                first_fragment |= field & 1 != 0;
                next = nh;
                rest.advance(8);
            }
            n if IPV6_GENERIC_EXT.contains(&n) => {
                let ext = rest.ext_header(2)?;
                let (nh, ext_len) = (ext[0], (usize::from(ext[1]) + 1) * 8);
                rest.ext_header(ext_len)?;
                next = nh;
                rest.advance(ext_len);
            }
            // UDP, ICMPv6, ESP (encrypted: no TCP header to read), No Next Header, ...
            _ => return Ok(Decoded::NotTcp),
        }
    }
    Err(malformed("IPv6", "more than 16 extension headers"))
}

/// The bytes after an IP header: what was captured, and how long it was on the wire.
/// Invariant: `captured.len() <= wire`.
struct Payload<'a> {
    captured: &'a [u8],
    wire: usize,
}

impl<'a> Payload<'a> {
    /// The first `len` bytes of an extension header, checked against both lengths.
    fn ext_header(&self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.wire {
            return Err(malformed(
                "IPv6",
                "an extension header runs past the payload length",
            ));
        }
        self.captured
            .get(..len)
            .ok_or_else(|| malformed("IPv6", "an extension header is cut short by the capture"))
    }

    fn advance(&mut self, len: usize) {
        self.captured = &self.captured[len.min(self.captured.len())..];
        self.wire -= len.min(self.wire);
    }

    /// Skip an Authentication Header (RFC 4302 §2.2) and return the protocol after it.
    fn skip_auth(&mut self, layer: &'static str) -> Result<u8, DecodeError> {
        let [next, len, ..] = *self.captured else {
            return Err(malformed(layer, "authentication header is cut short"));
        };
        let ah_len = (usize::from(len) + 2) * 4;
        if ah_len > self.wire || ah_len > self.captured.len() {
            return Err(malformed(layer, "authentication header is cut short"));
        }
        self.advance(ah_len);
        Ok(next)
    }
}
