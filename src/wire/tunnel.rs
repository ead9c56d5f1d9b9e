//! Tunnel headers: what comes after an IP header that is not TCP, and the EtherType tunnels
//! (MPLS, NSH, MACsec). Each parser checks its header against the bytes captured, records the
//! encapsulation in `cx`, and hands the inner packet back to the link or IP layer.
//!
//! Which UDP ports mean which tunnel follows tshark's defaults (IANA assignments), and like
//! tshark the lower of the two ports is tried first.

use super::ctx::Ctx;
use super::encap::{Encap, Hidden};
use super::error::{DecodeError, malformed, packet_ends_in_header};
use super::link;
use super::segment::Decoded;
use super::{ip, serial, wireless};
use crate::key;

const PROTO_IPV4: u8 = 4;
const PROTO_UDP: u8 = 17;
const PROTO_IPV6: u8 = 41;
const PROTO_GRE: u8 = 47;
const PROTO_ESP: u8 = 50;
const PROTO_ETHERIP: u8 = 97;
const PROTO_L2TPV3: u8 = 115;
const PROTO_MPLS_IN_IP: u8 = 137;

/// More labels than any network stacks: a longer stack is damage.
const MAX_MPLS_LABELS: usize = 16;
/// GTP-U extension headers in one packet, at most (each is at least 4 bytes).
const MAX_GTP_EXTENSIONS: usize = 16;

/// An IP protocol other than TCP: a tunnel, or something that hides or carries no TCP.
pub(super) fn ip_protocol<'a>(
    proto: u8,
    data: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    match proto {
        PROTO_IPV4 => {
            cx.enter(Encap::Ipv4InIp)?;
            ip::ipv4(data, cx)
        }
        PROTO_IPV6 => {
            cx.enter(Encap::Ipv6InIp)?;
            ip::ipv6(data, cx)
        }
        PROTO_GRE => gre(data, cx),
        PROTO_UDP => udp(data, cx),
        PROTO_ESP => cx.hide(Hidden::Esp),
        PROTO_L2TPV3 => cx.hide(Hidden::Tunnel(key!("wire.tunnel.l2tpv3_ip"))),
        // RFC 3378: a 2-byte header (version 3 in the top nibble), then an Ethernet frame.
        PROTO_ETHERIP => {
            cx.enter(Encap::EtherIp)?;
            link::ethernet(data.get(2..).unwrap_or_default(), cx)
        }
        PROTO_MPLS_IN_IP => mpls(data, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// The UDP tunnels tshark decodes on their IANA ports.
#[derive(Debug, Clone, Copy)]
enum UdpTunnel {
    Vxlan,
    VxlanGpe,
    Geneve,
    GtpU,
    CapwapData,
    L2tp,
    Teredo,
    Lisp,
    MplsInUdp,
    GreInUdp,
    NatTraversal,
}

fn udp_tunnel(port: u16) -> Option<UdpTunnel> {
    Some(match port {
        4789 => UdpTunnel::Vxlan,
        4790 => UdpTunnel::VxlanGpe,
        6081 => UdpTunnel::Geneve,
        2152 => UdpTunnel::GtpU,
        5247 => UdpTunnel::CapwapData,
        1701 => UdpTunnel::L2tp,
        3544 => UdpTunnel::Teredo,
        4341 => UdpTunnel::Lisp,
        6635 => UdpTunnel::MplsInUdp,
        4754 => UdpTunnel::GreInUdp,
        4500 => UdpTunnel::NatTraversal,
        _ => return None,
    })
}

/// UDP (RFC 768): only to find a tunnel inside; a broken UDP header is not TCP's problem,
/// so it is `NotTcp`, not an error.
fn udp<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [s0, s1, d0, d1, l0, l1, _, _, payload @ ..] = data else {
        return Ok(Decoded::NotTcp);
    };
    let (sport, dport) = (
        u16::from_be_bytes([*s0, *s1]),
        u16::from_be_bytes([*d0, *d1]),
    );
    let len = usize::from(u16::from_be_bytes([*l0, *l1]));
    // Length 0 is a jumbogram (RFC 2675) or TSO; otherwise it bounds the payload.
    let payload = if len >= 8 {
        &payload[..(len - 8).min(payload.len())]
    } else {
        payload
    };
    let (low, high) = (sport.min(dport), sport.max(dport));
    let Some(kind) = udp_tunnel(low).or_else(|| udp_tunnel(high)) else {
        return Ok(Decoded::NotTcp);
    };
    match kind {
        UdpTunnel::Vxlan => {
            cx.enter(Encap::Vxlan)?;
            link::ethernet(payload.get(8..).unwrap_or_default(), cx)
        }
        UdpTunnel::VxlanGpe => vxlan_gpe(payload, cx),
        UdpTunnel::Geneve => geneve(payload, cx),
        UdpTunnel::GtpU => gtp_u(payload, cx),
        UdpTunnel::CapwapData => capwap_data(payload, cx),
        UdpTunnel::L2tp => l2tp(payload, cx),
        UdpTunnel::Teredo => teredo(payload, cx),
        UdpTunnel::Lisp => {
            cx.enter(Encap::Lisp)?;
            by_version(payload.get(8..).unwrap_or_default(), cx)
        }
        UdpTunnel::MplsInUdp => mpls(payload, cx),
        UdpTunnel::GreInUdp => gre(payload, cx),
        // RFC 3948: a zero SPI marks IKE, a single 0xFF byte a keep-alive; anything else is ESP.
        UdpTunnel::NatTraversal => match payload {
            [0, 0, 0, 0, ..] | [0xFF] | [] => Ok(Decoded::NotTcp),
            _ => cx.hide(Hidden::Esp),
        },
    }
}

/// An IP packet whose version nibble says which IP (tunnels that carry either).
pub(super) fn by_version<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    match data.first().map(|b| b >> 4) {
        Some(4) => ip::ipv4(data, cx),
        Some(6) => ip::ipv6(data, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// GRE: RFC 2784 with RFC 2890's key and sequence number, and RFC 2637's enhanced GRE
/// (version 1, PPTP). The protocol type is an EtherType, with Cisco's ERSPAN and WCCP types.
pub(super) fn gre<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    const ERSPAN_I_II: u16 = 0x88BE;
    const ERSPAN_III: u16 = 0x22EB;
    const WCCP: u16 = 0x883E;
    let [flags, ver, p0, p1, ..] = *data else {
        return Err(malformed("GRE", key!("wire.bad.gre_cut")));
    };
    cx.enter(Encap::Gre)?;
    let (checksum, routing, key, seq) = (
        flags & 0x80 != 0,
        flags & 0x40 != 0,
        flags & 0x20 != 0,
        flags & 0x10 != 0,
    );
    let mut len = 4;
    match ver & 0x07 {
        0 => {
            if routing {
                return cx.hide(Hidden::GreRouting);
            }
            len += 4 * (usize::from(checksum) + usize::from(key) + usize::from(seq));
        }
        // RFC 2637 §4.1: key (payload length, call id) always, sequence and ack optional.
        1 => len += 4 * (1 + usize::from(seq) + usize::from(ver & 0x80 != 0)),
        _ => return Ok(Decoded::NotTcp),
    }
    let Some(payload) = data.get(len..) else {
        return Err(malformed("GRE", key!("wire.bad.gre_options")));
    };
    match u16::from_be_bytes([p0, p1]) {
        // ERSPAN type I has no header of its own (no sequence number), type II 8 bytes.
        ERSPAN_I_II => {
            cx.enter(Encap::Erspan)?;
            link::ethernet(
                if seq {
                    payload.get(8..).unwrap_or_default()
                } else {
                    payload
                },
                cx,
            )
        }
        // Type III: 12 bytes, plus an 8-byte platform subheader when the O flag is set.
        ERSPAN_III => {
            cx.enter(Encap::Erspan)?;
            let Some(&last) = payload.get(11) else {
                return Err(malformed("ERSPAN", key!("wire.bad.erspan_cut")));
            };
            let skip = if last & 0x01 != 0 { 20 } else { 12 };
            link::ethernet(payload.get(skip..).unwrap_or_default(), cx)
        }
        // WCCP v2 may put a 4-byte redirect header before the IP packet; tshark, like this,
        // skips it when the first byte is not an IPv4 version nibble, then hands the rest to
        // IP (which reads its version).
        WCCP => {
            cx.enter(Encap::Wccp)?;
            let skip = if payload.first().is_some_and(|b| b >> 4 == 4) {
                0
            } else {
                4
            };
            by_version(payload.get(skip..).unwrap_or_default(), cx)
        }
        proto => link::ether_payload(proto, payload, cx),
    }
}

/// RFC 3032: labels of 4 bytes until the bottom-of-stack bit, then (no protocol field) the
/// payload is told by its first nibble (RFC 4928, RFC 4385): 4 and 6 are IP; 0 is a
/// pseudowire control word before an Ethernet frame unless the bytes already look like plain
/// Ethernet, which is tshark's heuristic too.
pub(super) fn mpls<'a>(mut data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    cx.enter(Encap::Mpls)?;
    for _ in 0..MAX_MPLS_LABELS {
        let [_, _, s, _, rest @ ..] = data else {
            return Err(malformed("MPLS", key!("wire.bad.mpls_cut")));
        };
        data = rest;
        if s & 0x01 == 0 {
            continue;
        }
        return match data.first().map(|b| b >> 4) {
            Some(4) => ip::ipv4(data, cx),
            Some(6) => ip::ipv6(data, cx),
            Some(0) if !looks_like_ethernet(data) => {
                link::ethernet(data.get(4..).unwrap_or_default(), cx)
            }
            Some(_) => link::ethernet(data, cx),
            None => Ok(Decoded::NotTcp),
        };
    }
    Err(malformed("MPLS", key!("wire.bad.mpls_labels")))
}

/// An Ethernet header whose EtherType is one that carries IP or tags it.
fn looks_like_ethernet(data: &[u8]) -> bool {
    matches!(
        data.get(12..14),
        Some([0x08, 0x00] | [0x86, 0xDD] | [0x81, 0x00] | [0x88, 0xA8] | [0x08, 0x06])
    )
}

/// RFC 8300 NSH: the base header's length (in 4-byte words) covers the metadata; the next
/// protocol is 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS.
pub(super) fn nsh<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    cx.enter(Encap::Nsh)?;
    let [_, len, _, next, ..] = *data else {
        return Err(malformed("NSH", key!("wire.bad.nsh_cut")));
    };
    let payload = data.get(usize::from(len & 0x3F) * 4..).unwrap_or_default();
    next_protocol(next, payload, cx)
}

/// The "next protocol" numbering NSH and VXLAN-GPE share.
fn next_protocol<'a>(
    next: u8,
    data: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    match next {
        1 => ip::ipv4(data, cx),
        2 => ip::ipv6(data, cx),
        3 => link::ethernet(data, cx),
        4 => nsh(data, cx),
        5 => mpls(data, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// IEEE 802.1AE: a 6-byte SecTAG (14 with the SCI), then with integrity only the inner
/// EtherType and payload in clear; with the E bit set the payload is encrypted.
pub(super) fn macsec<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some(&tci) = data.first() else {
        return Err(malformed("MACsec", key!("wire.bad.sectag_cut")));
    };
    if tci & 0x08 != 0 {
        return cx.hide(Hidden::MacsecEncrypted);
    }
    cx.enter(Encap::Macsec)?;
    let tag = if tci & 0x20 != 0 { 14 } else { 6 };
    let Some([a, b]) = data.get(tag..tag + 2) else {
        return Err(malformed("MACsec", key!("wire.bad.sectag_cut")));
    };
    link::ether_payload(u16::from_be_bytes([*a, *b]), &data[tag + 2..], cx)
}

/// VXLAN-GPE: with the P bit, byte 3 names the next protocol; without it, Ethernet.
fn vxlan_gpe<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    cx.enter(Encap::VxlanGpe)?;
    let [flags, _, _, next, _, _, _, _, payload @ ..] = data else {
        return Err(packet_ends_in_header("VXLAN-GPE", 8));
    };
    if flags & 0x04 != 0 {
        next_protocol(*next, payload, cx)
    } else {
        link::ethernet(payload, cx)
    }
}

/// RFC 8926 Geneve: options length in 4-byte words, protocol type an EtherType.
fn geneve<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    cx.enter(Encap::Geneve)?;
    let [opt, _, p0, p1, _, _, _, _, ..] = *data else {
        return Err(packet_ends_in_header("Geneve", 8));
    };
    let len = 8 + usize::from(opt & 0x3F) * 4;
    let Some(payload) = data.get(len..) else {
        return Err(malformed("Geneve", key!("wire.bad.geneve_options")));
    };
    link::ether_payload(u16::from_be_bytes([p0, p1]), payload, cx)
}

/// 3GPP TS 29.281 §5: version 1, message type 255 (G-PDU) carries a user's IP packet after
/// 8 bytes, 12 when any of E, S, PN is set, then a chain of extension headers (length in
/// 4-byte units, next type in the last byte).
fn gtp_u<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    const G_PDU: u8 = 0xFF;
    let [flags, msg_type, ..] = *data else {
        return Ok(Decoded::NotTcp);
    };
    if flags >> 5 != 1 || flags & 0x10 == 0 || msg_type != G_PDU {
        return Ok(Decoded::NotTcp); // GTP', signalling, echo
    }
    cx.enter(Encap::GtpU)?;
    let mut len = 8;
    if flags & 0x07 != 0 {
        let Some(&next) = data.get(11) else {
            return Err(malformed("GTP-U", key!("wire.bad.gtpu_cut")));
        };
        len = 12;
        let mut next = next;
        let mut count = 0;
        while next != 0 {
            count += 1;
            let ext_len = usize::from(*data.get(len).unwrap_or(&0)) * 4;
            if ext_len == 0 || count > MAX_GTP_EXTENSIONS {
                return Err(malformed("GTP-U", key!("wire.bad.gtpu_ext_chain")));
            }
            let Some(&n) = data.get(len + ext_len - 1) else {
                return Err(malformed("GTP-U", key!("wire.bad.gtpu_ext_cut")));
            };
            next = n;
            len += ext_len;
        }
    }
    by_version(data.get(len..).unwrap_or_default(), cx)
}

/// RFC 5415 §4.3 CAPWAP data: preamble type 1 is DTLS (encrypted); HLEN counts 4-byte words;
/// the T bit with WBID 1 means a native IEEE 802.11 frame, without T an IEEE 802.3 frame.
fn capwap_data<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [preamble, b1, b2, b3, ..] = *data else {
        return Ok(Decoded::NotTcp);
    };
    if preamble & 0x0F == 1 {
        return cx.hide(Hidden::CapwapDtls);
    }
    let word = u32::from_be_bytes([preamble, b1, b2, b3]);
    let hlen = ((word >> 19) & 0x1F) as usize * 4;
    let wbid = (word >> 9) & 0x1F;
    let (native, fragment) = (word & (1 << 8) != 0, word & (1 << 7) != 0);
    if fragment {
        return cx.hide(Hidden::CapwapFragment);
    }
    cx.enter(Encap::Capwap)?;
    let payload = data.get(hlen..).unwrap_or_default();
    match (native, wbid) {
        (true, 1) => wireless::ieee80211(payload, cx),
        (false, _) => link::ethernet(payload, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// RFC 2661 §3.1 L2TPv2 data messages carry PPP frames.
fn l2tp<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [f0, f1, ..] = *data else {
        return Ok(Decoded::NotTcp);
    };
    let flags = u16::from_be_bytes([f0, f1]);
    match flags & 0x000F {
        2 => {}
        3 => return cx.hide(Hidden::Tunnel(key!("wire.tunnel.l2tpv3_udp"))),
        _ => return Ok(Decoded::NotTcp),
    }
    if flags & 0x8000 != 0 {
        return Ok(Decoded::NotTcp); // a control message
    }
    cx.enter(Encap::L2tp)?;
    let mut len = 2 + 4;
    if flags & 0x4000 != 0 {
        len += 2;
    }
    if flags & 0x0800 != 0 {
        len += 4;
    }
    if flags & 0x0200 != 0 {
        let Some([a, b]) = data.get(len..len + 2) else {
            return Err(malformed("L2TP", key!("wire.bad.l2tp_cut")));
        };
        len += 2 + usize::from(u16::from_be_bytes([*a, *b]));
    }
    serial::ppp(data.get(len..).unwrap_or_default(), cx)
}

/// RFC 4380 §5.1.1 Teredo: optional authentication and origin indication headers, then IPv6.
fn teredo<'a>(mut data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    if let [0, 1, id_len, au_len, ..] = *data {
        let skip = 4 + usize::from(id_len) + usize::from(au_len) + 8 + 1;
        data = data.get(skip..).unwrap_or_default();
    }
    if let [0, 0, ..] = data {
        data = data.get(8..).unwrap_or_default();
    }
    if data.first().is_none_or(|b| b >> 4 != 6) {
        return Ok(Decoded::NotTcp);
    }
    cx.enter(Encap::Teredo)?;
    ip::ipv6(data, cx)
}
