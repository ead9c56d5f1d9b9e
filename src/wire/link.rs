//! Link layers: peel the frame's link header and hand the network-layer bytes to `wire/ip.rs`.
//!
//! Link-type numbers and header layouts are tcpdump's LINKTYPE_ registry
//! (<https://www.tcpdump.org/linktypes.html>, draft-ietf-opsawg-pcaplinktype).

use etherparse::{Ethernet2HeaderSlice, SingleVlanHeaderSlice};

use crate::capture::LinkType;

use super::error::{DecodeError, malformed};
use super::ip;
use super::segment::Decoded;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;
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

/// Decode one frame of the given link type.
///
/// Checksums are not verified: loopback captures carry partial checksums (offload), and a
/// viewer must show those packets, not drop them.
pub fn decode(link: LinkType, data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    match link {
        LinkType::ETHERNET => ethernet(data),
        LinkType::NULL => bsd_loopback(data, false),
        LinkType::LOOP => bsd_loopback(data, true),
        LinkType::RAW_12 | LinkType::RAW_14 | LinkType::RAW => raw_ip(data),
        LinkType::IPV4 => ip::ipv4(data),
        LinkType::IPV6 => ip::ipv6(data),
        LinkType::LINUX_SLL => linux_sll(data),
        LinkType::LINUX_SLL2 => linux_sll2(data),
        _ => Err(DecodeError::UnsupportedLink(link)),
    }
}

/// Ethernet II. The frame may end in padding (60-byte minimum) or an FCS: the IP header's
/// lengths, not the frame length, say where the packet ends.
fn ethernet(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let eth = Ethernet2HeaderSlice::from_slice(data)
        .map_err(|_| malformed("Ethernet", "frame is shorter than the 14-byte header"))?;
    let rest = &data[eth.slice().len()..];
    ether_payload(eth.ether_type().0, rest)
}

/// Dispatch on an EtherType, following any VLAN tags first.
fn ether_payload(mut ether_type: u16, mut rest: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    for _ in 0..=MAX_VLAN_TAGS {
        match ether_type {
            ETHERTYPE_IPV4 => return ip::ipv4(rest),
            ETHERTYPE_IPV6 => return ip::ipv6(rest),
            t if ETHERTYPE_VLAN.contains(&t) => {
                let tag = SingleVlanHeaderSlice::from_slice(rest)
                    .map_err(|_| malformed("VLAN", "frame ends inside a VLAN tag"))?;
                ether_type = tag.ether_type().0;
                rest = &rest[tag.slice().len()..];
            }
            // ARP, LLDP, 802.3 length fields (< 0x0600), MPLS, ...
            _ => return Ok(Decoded::NotTcp),
        }
    }
    Err(malformed("VLAN", "more than 8 stacked VLAN tags"))
}

/// DLT_NULL (0) and DLT_LOOP (108): a 4-byte address family. LOOP is in network byte order;
/// NULL is in the *capturing* host's order, which the file does not record. Families are
/// small numbers, so whichever reading is small is the right one.
fn bsd_loopback(data: &[u8], network_order: bool) -> Result<Decoded<'_>, DecodeError> {
    let [a, b, c, d, rest @ ..] = data else {
        return Err(malformed(
            "loopback",
            "frame is shorter than the 4-byte header",
        ));
    };
    let be = u32::from_be_bytes([*a, *b, *c, *d]);
    let le = u32::from_le_bytes([*a, *b, *c, *d]);
    let family = if network_order || be <= 0xFFFF {
        be
    } else {
        le
    };
    if family == AF_INET {
        ip::ipv4(rest)
    } else if AF_INET6.contains(&family) {
        ip::ipv6(rest)
    } else {
        Ok(Decoded::NotTcp)
    }
}

/// Raw IP (12, 14, 101): no link header; the IP version nibble says which IP.
fn raw_ip(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    match data.first().map(|b| b >> 4) {
        Some(4) => ip::ipv4(data),
        Some(6) => ip::ipv6(data),
        Some(_) => Err(malformed(
            "IP",
            "raw IP frame has an IP version other than 4 or 6",
        )),
        None => Err(malformed("IP", "raw IP frame is empty")),
    }
}

/// Linux cooked capture v1 (113): packet type, ARPHRD type, address length, 8 address
/// bytes, then the protocol (an EtherType) at offset 14; 16 bytes in all.
///
/// Parsed by hand: etherparse's `LinuxSllHeaderSlice` rejects packet and hardware types it
/// does not know, and a capture viewer should pass over those, not call them broken.
fn linux_sll(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if data.len() < 16 {
        return Err(malformed(
            "Linux cooked",
            "frame is shorter than the 16-byte header",
        ));
    }
    let arphrd = u16::from_be_bytes([data[2], data[3]]);
    if arphrd == ARPHRD_NETLINK {
        return Ok(Decoded::NotTcp);
    }
    ether_payload(u16::from_be_bytes([data[14], data[15]]), &data[16..])
}

/// Linux cooked capture v2 (276): protocol at offset 0, reserved, interface index, ARPHRD
/// type at offset 8, packet type, address length, 8 address bytes; 20 bytes in all.
fn linux_sll2(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if data.len() < 20 {
        return Err(malformed(
            "Linux cooked v2",
            "frame is shorter than the 20-byte header",
        ));
    }
    let arphrd = u16::from_be_bytes([data[8], data[9]]);
    if arphrd == ARPHRD_NETLINK {
        return Ok(Decoded::NotTcp);
    }
    ether_payload(u16::from_be_bytes([data[0], data[1]]), &data[20..])
}
