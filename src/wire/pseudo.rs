//! Headers written by capturing software rather than sent on a wire: PPI and Apple's PKTAP
//! (which name another link type for the packet), Linux NFLOG, OpenBSD pflog and enc,
//! Solaris ipnet, Symantec's firewall and Juniper's capture header. Layouts follow tcpdump's
//! printers (print-ppi.c, print-pktap.c, print-nflog.c, print-pflog.c, print-enc.c,
//! print-ipnet.c, print-symantec.c, print-juniper.c).

use super::ctx::Ctx;
use super::error::{DecodeError, malformed, short_header};
use super::link;
use super::segment::Decoded;
use super::{serial, tunnel};
use crate::capture::LinkType;
use crate::key;

/// PPI (192, "Per-Packet Information"): version 0, flags, a little-endian header length and
/// link type; the packet of that link type follows the header (usually 802.11).
pub(super) fn ppi<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [_, _, l0, l1, d0, d1, d2, d3, ..] = *data else {
        return Err(short_header("PPI", 8));
    };
    let len = usize::from(u16::from_le_bytes([l0, l1]));
    let dlt = u32::from_le_bytes([d0, d1, d2, d3]);
    inner_link(LinkType(dlt), data.get(len..), "PPI", cx)
}

/// Apple PKTAP (258): a little-endian header length, then the packet's own link type.
pub(super) fn pktap<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [l0, l1, l2, l3, d0, d1, d2, d3, ..] = *data else {
        return Err(malformed("PKTAP", key!("wire.bad.pktap_short")));
    };
    let len = u32::from_le_bytes([l0, l1, l2, l3]) as usize;
    let dlt = u32::from_le_bytes([d0, d1, d2, d3]);
    inner_link(LinkType(dlt), data.get(len..), "PKTAP", cx)
}

fn inner_link<'a>(
    link: LinkType,
    packet: Option<&'a [u8]>,
    layer: &'static str,
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let Some(packet) = packet else {
        return Err(malformed(layer, key!("wire.bad.header_len_past")));
    };
    if cx.in_pseudo_header || matches!(link.0, 192 | 258) {
        return Err(malformed(layer, key!("wire.bad.pseudo_nested")));
    }
    cx.in_pseudo_header = true;
    link::link_layer(link, packet, cx)
}

/// Linux NFLOG (239): family, version, resource id, then TLVs whose length and type are in
/// the capturing host's byte order (tcpdump reads them as host order; a length that does not
/// fit is tried the other way round). Type 9 (NFULA_PAYLOAD) is the packet.
pub(super) fn nflog<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    const NFULA_PAYLOAD: u16 = 9;
    const AF_INET: u8 = 2;
    const AF_INET6: u8 = 10;
    let Some(&family) = data.first() else {
        return Err(short_header("NFLOG", 4));
    };
    let mut tlvs = data.get(4..).unwrap_or_default();
    while let [a, b, c, d, ..] = *tlvs {
        let (le_len, be_len) = (
            usize::from(u16::from_le_bytes([a, b])),
            usize::from(u16::from_be_bytes([a, b])),
        );
        let (len, kind) = if (4..=tlvs.len()).contains(&le_len) {
            (le_len, u16::from_le_bytes([c, d]))
        } else {
            (be_len, u16::from_be_bytes([c, d]))
        };
        if len < 4 || len > tlvs.len() {
            return Err(malformed("NFLOG", key!("wire.bad.nflog_tlv")));
        }
        if kind == NFULA_PAYLOAD {
            let packet = &tlvs[4..len];
            return match family {
                AF_INET => tunnel::by_version(packet, cx),
                AF_INET6 => tunnel::by_version(packet, cx),
                _ => Ok(Decoded::NotTcp),
            };
        }
        tlvs = tlvs.get(len.next_multiple_of(4)..).unwrap_or_default();
    }
    Ok(Decoded::NotTcp)
}

/// OpenBSD pflog (117): the header's length in its first byte (padded to 4), the address
/// family in its second.
pub(super) fn pflog<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [len, af, ..] = *data else {
        return Err(malformed("pflog", key!("wire.bad.pflog_short")));
    };
    let Some(packet) = data.get(usize::from(len).next_multiple_of(4)..) else {
        return Err(malformed("pflog", key!("wire.bad.header_len_past")));
    };
    link::address_family(u32::from(af), packet, cx)
}

/// OpenBSD enc (109): address family (host order), SPI, flags; then the IP packet.
pub(super) fn enc<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [a, b, c, d, _, _, _, _, _, _, _, _, packet @ ..] = data else {
        return Err(short_header("enc", 12));
    };
    let be = u32::from_be_bytes([*a, *b, *c, *d]);
    let family = if be <= 0xFFFF {
        be
    } else {
        u32::from_le_bytes([*a, *b, *c, *d])
    };
    link::address_family(family, packet, cx)
}

/// Solaris ipnet (226): a 24-byte header whose second byte is the family (2 IPv4, 26 IPv6).
pub(super) fn ipnet<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let (Some(&family), Some(packet)) = (data.get(1), data.get(24..)) else {
        return Err(short_header("ipnet", 24));
    };
    match family {
        2 => link::raw_ip(packet, cx),
        26 => link::raw_ip(packet, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// Symantec Enterprise Firewall (99): 44 bytes with an EtherType at offset 6.
pub(super) fn symantec<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let (Some([a, b]), Some(packet)) = (data.get(6..8), data.get(44..)) else {
        return Err(short_header("Symantec", 44));
    };
    link::ether_payload(u16::from_be_bytes([*a, *b]), packet, cx)
}

/// What follows a Juniper capture header, by link type.
#[derive(Debug, Clone, Copy)]
pub(super) enum JuniperPayload {
    Ethernet,
    Ppp,
    FrameRelay,
    CiscoHdlc,
}

/// Juniper's capture header: "MGC", a flags byte; with the extension flag (0x80) a 2-byte
/// length of TLVs follows; with "no L2" (0x02) 4 more bytes come before a bare IP packet.
pub(super) fn juniper<'a>(
    data: &'a [u8],
    payload: JuniperPayload,
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    const EXTENSIONS: u8 = 0x80;
    const NO_L2: u8 = 0x02;
    let [b'M', b'G', b'C', flags, ..] = *data else {
        return Err(malformed("Juniper", key!("wire.bad.juniper_magic")));
    };
    let mut len = 4;
    if flags & EXTENSIONS != 0 {
        let Some([a, b]) = data.get(4..6) else {
            return Err(malformed("Juniper", key!("wire.bad.juniper_ext_len")));
        };
        len += 2 + usize::from(u16::from_be_bytes([*a, *b]));
    }
    if flags & NO_L2 != 0 {
        return tunnel::by_version(data.get(len + 4..).unwrap_or_default(), cx);
    }
    let Some(rest) = data.get(len..) else {
        return Err(malformed("Juniper", key!("wire.bad.juniper_ext_past")));
    };
    match payload {
        JuniperPayload::Ethernet => link::ethernet(rest, cx),
        JuniperPayload::Ppp => serial::ppp(rest, cx),
        JuniperPayload::FrameRelay => serial::frame_relay(rest, cx),
        JuniperPayload::CiscoHdlc => serial::chdlc(rest, cx),
    }
}
