//! Serial-line and WAN link layers: PPP (RFC 1661) and its framings, Cisco HDLC, Frame Relay
//! (RFC 2427), SLIP, and PPPoE sessions (RFC 2516). Header layouts follow tcpdump's LINKTYPE_
//! registry and its printers (print-ppp.c, print-chdlc.c, print-fr.c, print-sl.c).

use super::ctx::Ctx;
use super::encap::{Encap, Hidden};
use super::error::{DecodeError, malformed, short_header};
use super::link;
use super::segment::Decoded;
use super::{ip, lan, tunnel};
use crate::key;

/// RFC 1661 §2 protocol numbers (IANA PPP DLL protocol numbers).
const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;
const PPP_VJ_COMPRESSED: u16 = 0x002D;
const PPP_VJ_UNCOMPRESSED: u16 = 0x002F;
const PPP_MPLS: [u16; 2] = [0x0281, 0x0283];

/// A PPP frame: optional address/control (0xFF 0x03, RFC 1662), then a protocol field of
/// one byte when compressed (RFC 1661 §6.5: odd first byte) or two.
pub(super) fn ppp<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let data = match data {
        [0xFF, 0x03, rest @ ..] => rest,
        _ => data,
    };
    let (proto, rest) = match data {
        [p, rest @ ..] if p & 1 == 1 => (u16::from(*p), rest),
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => return Err(malformed("PPP", key!("wire.bad.ppp_protocol"))),
    };
    ppp_protocol(proto, rest, cx)
}

fn ppp_protocol<'a>(
    proto: u16,
    rest: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    match proto {
        PPP_IPV4 => ip::ipv4(rest, cx),
        PPP_IPV6 => ip::ipv6(rest, cx),
        PPP_VJ_COMPRESSED | PPP_VJ_UNCOMPRESSED => cx.hide(Hidden::VjCompressed),
        p if PPP_MPLS.contains(&p) => tunnel::mpls(rest, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// LINKTYPE_PPP_HDLC (50): PPP in HDLC-like framing, or Cisco HDLC (address 0x0F or 0x8F),
/// which the same BSD interfaces write.
pub(super) fn ppp_hdlc<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    match data.first() {
        Some(0x0F | 0x8F) => chdlc(data, cx),
        _ => ppp(data, cx),
    }
}

/// LINKTYPE_PPP_PPPD (166): the address byte replaced by a direction, then control and a
/// two-byte protocol.
pub(super) fn ppp_pppd<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [_, _, a, b, rest @ ..] = data else {
        return Err(malformed("PPP", key!("wire.bad.pppd_short")));
    };
    ppp_protocol(u16::from_be_bytes([*a, *b]), rest, cx)
}

/// LINKTYPE_PPP_ETHER (51): a PPPoE header and PPP, without the Ethernet header.
pub(super) fn ppp_ether<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    pppoe_session(data, cx)
}

/// RFC 2516 §5.4: version/type 0x11, code 0, session id, length, then a PPP protocol field.
pub(super) fn pppoe_session<'a>(
    data: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let [vt, code, _, _, _, _, rest @ ..] = data else {
        return Err(malformed("PPPoE", key!("wire.bad.pppoe_cut")));
    };
    if *vt != 0x11 || *code != 0 {
        return Ok(Decoded::NotTcp);
    }
    cx.enter(Encap::Pppoe)?;
    ppp(rest, cx)
}

/// Cisco HDLC (104): address, control, then an EtherType.
pub(super) fn chdlc<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [_, _, a, b, rest @ ..] = data else {
        return Err(short_header("Cisco HDLC", 4));
    };
    link::ether_payload(u16::from_be_bytes([*a, *b]), rest, cx)
}

/// Frame Relay (107): a Q.922 address of 2 to 4 bytes (the EA bit ends it), then either
/// RFC 2427's UI control byte and an NLPID (0xCC IPv4, 0x8E IPv6, 0x80 SNAP; 0x00 is
/// padding), or Cisco's encapsulation: an EtherType straight after the address.
pub(super) fn frame_relay<'a>(
    data: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let Some(addr_len) = data.iter().take(4).position(|b| b & 1 == 1).map(|i| i + 1) else {
        return Err(malformed("Frame Relay", key!("wire.bad.q922_endless")));
    };
    if addr_len < 2 {
        return Err(malformed("Frame Relay", key!("wire.bad.q922_short")));
    }
    let rest = &data[addr_len..];
    let rest = match rest {
        [0x03, rest @ ..] => rest,
        [a, b, rest @ ..] => return link::ether_payload(u16::from_be_bytes([*a, *b]), rest, cx),
        _ => return Err(malformed("Frame Relay", key!("wire.bad.fr_after_address"))),
    };
    let rest = match rest {
        [0x00, rest @ ..] => rest,
        _ => rest,
    };
    match rest {
        [0xCC, ip @ ..] => ip::ipv4(ip, cx),
        [0x8E, ip @ ..] => ip::ipv6(ip, cx),
        [0x80, snap @ ..] => lan::snap(snap, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// BSD SLIP (8) and BSD/OS SLIP (102): a 16-byte header (direction, then a copy of the
/// compressed header as it went over the line), then the uncompressed IP packet.
pub(super) fn slip<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    const SLIP_HDRLEN: usize = 16;
    let Some(packet) = data.get(SLIP_HDRLEN..) else {
        return Err(short_header("SLIP", 16));
    };
    tunnel::by_version(packet, cx)
}

pub(super) fn slip_bsdos<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    slip(data, cx)
}
