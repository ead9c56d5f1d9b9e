//! Link layers: peel the frame's link header and hand the network-layer bytes to `wire/ip.rs`.
//!
//! Link-type numbers and header layouts are tcpdump's LINKTYPE_ registry
//! (<https://www.tcpdump.org/linktypes.html>, draft-ietf-opsawg-pcaplinktype).

use etherparse::{Ethernet2HeaderSlice, SingleVlanHeaderSlice};

use crate::capture::LinkType;

use super::ctx::Ctx;
use super::encap::Encap;
use super::error::{DecodeError, malformed, short_header};
use super::segment::Decoded;
use super::{ip, lan, pseudo, serial, tunnel, wireless};
use crate::key;

pub(super) const ETHERTYPE_IPV4: u16 = 0x0800;
pub(super) const ETHERTYPE_IPV6: u16 = 0x86DD;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
const ETHERTYPE_MPLS: [u16; 2] = [0x8847, 0x8848];
const ETHERTYPE_ETAG: u16 = 0x893F;
const ETHERTYPE_FABRICPATH: u16 = 0x8903;
const ETHERTYPE_PBB: u16 = 0x88E7;
const ETHERTYPE_NSH: u16 = 0x894F;
const ETHERTYPE_MACSEC: u16 = 0x88E5;
/// Transparent Ethernet bridging: an Ethernet frame follows (GRE, Geneve, NSH).
pub(super) const ETHERTYPE_TEB: u16 = 0x6558;
pub(super) const ETHERTYPE_PPP: u16 = 0x880B;
/// IEEE 802.1Q customer tag, 802.1ad service tag (QinQ), and the pre-standard QinQ tag.
const ETHERTYPE_VLAN: [u16; 3] = [0x8100, 0x88A8, 0x9100];
/// More stacked VLAN tags than any network uses: a loop of tags is damage.
const MAX_VLAN_TAGS: usize = 8;
/// BSD address families for IPv6 differ by OS (FreeBSD 28, macOS 30, NetBSD/OpenBSD 24).
const AF_INET: u32 = 2;
const AF_INET6: [u32; 3] = [24, 28, 30];
/// `ARPHRD_NETLINK`: a cooked header whose protocol field is a netlink family, not an
/// EtherType (nlmon captures).
const ARPHRD_NETLINK: u16 = 824;

/// Decode one frame of the given link type, without reassembly.
///
/// The frame's original length is not known here, so IP lengths are trusted as the header
/// gives them (a shorter frame is a snaplen cut) and IP fragments are `NotTcp`:
/// [`super::Decoder`] knows both and is what a whole capture should go through.
///
/// Checksums are not verified: loopback captures carry partial checksums (offload), and a
/// viewer must show those packets, not drop them.
pub fn decode(link: LinkType, data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    link_layer(link, data, &mut Ctx::new(None))
}

/// Peel the link header of `link` and decode what it carries, recording into `cx`.
pub(super) fn link_layer<'a>(
    link: LinkType,
    data: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    match link.0 {
        1 => ethernet(data, cx),
        0 => bsd_loopback(data, false, cx),
        108 => bsd_loopback(data, true, cx),
        12 | 14 | 101 => raw_ip(data, cx),
        228 => ip::ipv4(data, cx),
        229 => ip::ipv6(data, cx),
        113 => linux_sll(data, cx),
        276 => linux_sll2(data, cx),
        // Serial lines and WANs.
        8 => serial::slip(data, cx),
        102 => serial::slip_bsdos(data, cx),
        9 => serial::ppp(data, cx),
        50 => serial::ppp_hdlc(data, cx),
        51 => serial::ppp_ether(data, cx),
        166 => serial::ppp_pppd(data, cx),
        104 => serial::chdlc(data, cx),
        107 => serial::frame_relay(data, cx),
        204 => serial::ppp(data.get(1..).unwrap_or_default(), cx),
        205 => serial::chdlc(data.get(1..).unwrap_or_default(), cx),
        206 => serial::frame_relay(data.get(1..).unwrap_or_default(), cx),
        // Wireless.
        105 => wireless::ieee80211(data, cx),
        127 => wireless::radiotap(data, cx),
        119 => wireless::prism(data, cx),
        163 => wireless::avs(data, cx),
        // Other LANs and link layers.
        6 => lan::token_ring(data, cx),
        10 => lan::fddi(data, cx),
        7 => lan::arcnet_bsd(data, cx),
        129 => lan::arcnet_linux(data, cx),
        100 => lan::llc(data, cx),
        106 => lan::llc(data, cx),
        123 => lan::sunatm(data, cx),
        122 => lan::ip_over_fc(data, cx),
        138 => lan::ieee1394(data, cx),
        242 => lan::ipoib(data, cx),
        3 => lan::ax25(data, cx),
        202 => lan::ax25(data.get(1..).unwrap_or_default(), cx),
        240 => lan::netanalyzer(data, false, cx),
        241 => lan::netanalyzer(data, true, cx),
        // Headers written by capturing software.
        192 => pseudo::ppi(data, cx),
        258 => pseudo::pktap(data, cx),
        239 => pseudo::nflog(data, cx),
        117 => pseudo::pflog(data, cx),
        109 => pseudo::enc(data, cx),
        226 => pseudo::ipnet(data, cx),
        99 => pseudo::symantec(data, cx),
        178 => pseudo::juniper(data, pseudo::JuniperPayload::Ethernet, cx),
        179 => pseudo::juniper(data, pseudo::JuniperPayload::Ppp, cx),
        180 => pseudo::juniper(data, pseudo::JuniperPayload::FrameRelay, cx),
        181 => pseudo::juniper(data, pseudo::JuniperPayload::CiscoHdlc, cx),
        _ => Err(DecodeError::UnsupportedLink(link)),
    }
}

/// Ethernet II. The frame may end in padding (60-byte minimum) or an FCS: the IP header's
/// lengths, not the frame length, say where the packet ends.
pub(super) fn ethernet<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let eth = Ethernet2HeaderSlice::from_slice(data).map_err(|_| short_header("Ethernet", 14))?;
    let rest = &data[eth.slice().len()..];
    ether_payload(eth.ether_type().0, rest, cx)
}

/// Dispatch on an EtherType, following VLAN tags and the shims that end in another EtherType
/// (E-Tag, FabricPath, PBB), and handing tunnels to `tunnel.rs`.
pub(super) fn ether_payload<'a>(
    mut ether_type: u16,
    mut rest: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    for _ in 0..=MAX_VLAN_TAGS {
        match ether_type {
            // tshark hands an IPv6 packet sent under the IPv4 EtherType to IPv6: so do we.
            ETHERTYPE_IPV4 => return raw_ip(rest, cx),
            ETHERTYPE_IPV6 => return ip::ipv6(rest, cx),
            t if ETHERTYPE_VLAN.contains(&t) => {
                let tag = SingleVlanHeaderSlice::from_slice(rest)
                    .map_err(|_| malformed("VLAN", key!("wire.bad.vlan_cut")))?;
                ether_type = tag.ether_type().0;
                rest = &rest[tag.slice().len()..];
            }
            // IEEE 802.1BR: a 6-byte tag, then the EtherType.
            ETHERTYPE_ETAG => {
                cx.enter(Encap::ETag)?;
                let [_, _, _, _, _, _, a, b, inner @ ..] = rest else {
                    return Err(malformed("E-Tag", key!("wire.bad.etag_cut")));
                };
                ether_type = u16::from_be_bytes([*a, *b]);
                rest = inner;
            }
            // Cisco FabricPath: 2 bytes of FTag/TTL, then the inner Ethernet frame.
            ETHERTYPE_FABRICPATH => {
                cx.enter(Encap::FabricPath)?;
                return ethernet(rest.get(2..).unwrap_or_default(), cx);
            }
            // IEEE 802.1ah: a 4-byte I-TAG, then the customer's Ethernet frame.
            ETHERTYPE_PBB => {
                cx.enter(Encap::Pbb)?;
                return ethernet(rest.get(4..).unwrap_or_default(), cx);
            }
            ETHERTYPE_TEB => return ethernet(rest, cx),
            ETHERTYPE_PPPOE_SESSION => return serial::pppoe_session(rest, cx),
            ETHERTYPE_PPP => return serial::ppp(rest, cx),
            t if ETHERTYPE_MPLS.contains(&t) => return tunnel::mpls(rest, cx),
            ETHERTYPE_NSH => return tunnel::nsh(rest, cx),
            ETHERTYPE_MACSEC => return tunnel::macsec(rest, cx),
            // An 802.3 length field: LLC follows (SNAP carries an EtherType).
            t if t < 0x0600 => return lan::llc(rest, cx),
            // ARP, LLDP, PPPoE discovery, ...
            _ => return Ok(Decoded::NotTcp),
        }
    }
    Err(malformed("VLAN", key!("wire.bad.vlan_stack")))
}

/// DLT_NULL (0) and DLT_LOOP (108): a 4-byte address family. LOOP is in network byte order;
/// NULL is in the *capturing* host's order, which the file does not record. Families are
/// small numbers, so whichever reading is small is the right one.
fn bsd_loopback<'a>(
    data: &'a [u8],
    network_order: bool,
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let [a, b, c, d, rest @ ..] = data else {
        return Err(short_header("loopback", 4));
    };
    let be = u32::from_be_bytes([*a, *b, *c, *d]);
    let le = u32::from_le_bytes([*a, *b, *c, *d]);
    let family = if network_order || be <= 0xFFFF {
        be
    } else {
        le
    };
    address_family(family, rest, cx)
}

/// A BSD address family number: AF_INET, or AF_INET6 in any BSD's numbering.
pub(super) fn address_family<'a>(
    family: u32,
    rest: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    if family == AF_INET {
        ip::ipv4(rest, cx)
    } else if AF_INET6.contains(&family) {
        ip::ipv6(rest, cx)
    } else {
        Ok(Decoded::NotTcp)
    }
}

/// Raw IP (12, 14, 101): no link header; the IP version nibble says which IP.
pub(super) fn raw_ip<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    match data.first().map(|b| b >> 4) {
        Some(4) => ip::ipv4(data, cx),
        Some(6) => ip::ipv6(data, cx),
        Some(_) => Err(malformed("IP", key!("wire.bad.raw_version"))),
        None => Err(malformed("IP", key!("wire.bad.raw_empty"))),
    }
}

/// Linux cooked capture v1 (113): packet type, ARPHRD type, address length, 8 address
/// bytes, then the protocol (an EtherType) at offset 14; 16 bytes in all.
///
/// Parsed by hand: etherparse's `LinuxSllHeaderSlice` rejects packet and hardware types it
/// does not know, and a capture viewer should pass over those, not call them broken.
fn linux_sll<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    if data.len() < 16 {
        return Err(short_header("Linux cooked", 16));
    }
    let arphrd = u16::from_be_bytes([data[2], data[3]]);
    sll_payload(
        arphrd,
        u16::from_be_bytes([data[14], data[15]]),
        &data[16..],
        cx,
    )
}

/// Linux cooked capture v2 (276): protocol at offset 0, reserved, interface index, ARPHRD
/// type at offset 8, packet type, address length, 8 address bytes; 20 bytes in all.
fn linux_sll2<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    if data.len() < 20 {
        return Err(short_header("Linux cooked v2", 20));
    }
    let arphrd = u16::from_be_bytes([data[8], data[9]]);
    sll_payload(
        arphrd,
        u16::from_be_bytes([data[0], data[1]]),
        &data[20..],
        cx,
    )
}

/// The protocol field of a cooked header is an EtherType, except for netlink (a netlink
/// family) and a few Linux pseudo-protocols: 0x0004 is 802.2 LLC frames (no Ethernet header).
fn sll_payload<'a>(
    arphrd: u16,
    protocol: u16,
    rest: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    const LINUX_PROTO_802_2: u16 = 0x0004;
    if arphrd == ARPHRD_NETLINK {
        return Ok(Decoded::NotTcp);
    }
    if protocol == LINUX_PROTO_802_2 {
        return lan::llc(rest, cx);
    }
    ether_payload(protocol, rest, cx)
}
