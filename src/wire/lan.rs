//! LAN and ATM link layers other than Ethernet: IEEE 802.2 LLC/SNAP and the links that carry
//! it (Token Ring, FDDI, ATM, Fibre Channel), ARCnet, IP over InfiniBand and IEEE 1394,
//! AX.25, and Hilscher's netANALYZER. Layouts follow tcpdump's printers of the same names.

use super::ctx::Ctx;
use super::encap::Hidden;
use super::error::{DecodeError, malformed, short_header};
use super::ip;
use super::link;
use super::segment::Decoded;
use crate::key;

/// IEEE 802.2 LLC: SNAP (0xAA 0xAA 0x03) carries an OUI and an EtherType; SAP 0x06 is IPv4
/// directly (RFC 948). Anything else (STP, NetBIOS, IPX) carries no IP.
pub(super) fn llc<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    match data {
        [0xAA, 0xAA, 0x03, snap_hdr @ ..] => snap_with_pad(snap_hdr, 2, cx),
        [0x06, 0x06, 0x03, ip @ ..] => ip::ipv4(ip, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// A SNAP header (RFC 1042) without the LLC before it, as Frame Relay's NLPID 0x80 has it.
pub(super) fn snap<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    snap_with_pad(data, 0, cx)
}

/// OUI 00-00-00 (and Apple's 00-00-F8) is followed by an EtherType; 00-80-C2 PIDs 1 and 7
/// are a bridged Ethernet frame (RFC 2684 §5.2 puts `bridged_pad` bytes before it on ATM,
/// RFC 2427 none on Frame Relay).
fn snap_with_pad<'a>(
    data: &'a [u8],
    bridged_pad: usize,
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let [o1, o2, o3, p1, p2, rest @ ..] = data else {
        return Err(malformed("SNAP", key!("wire.bad.snap_cut")));
    };
    let pid = u16::from_be_bytes([*p1, *p2]);
    match [*o1, *o2, *o3] {
        [0, 0, 0] | [0, 0, 0xF8] => link::ether_payload(pid, rest, cx),
        [0x00, 0x80, 0xC2] if pid == 0x0001 || pid == 0x0007 => {
            link::ethernet(rest.get(bridged_pad..).unwrap_or_default(), cx)
        }
        _ => Ok(Decoded::NotTcp),
    }
}

/// IEEE 802.5 Token Ring (6): access control, frame control, addresses (14 bytes), a routing
/// information field when the source address's high bit says so, then LLC.
pub(super) fn token_ring<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some(&sa0) = data.get(8) else {
        return Err(short_header("Token Ring", 14));
    };
    let rif = if sa0 & 0x80 != 0 {
        usize::from(data.get(14).copied().unwrap_or(0) & 0x1F)
    } else {
        0
    };
    llc(data.get(14 + rif..).unwrap_or_default(), cx)
}

/// FDDI (10): frame control and two addresses (13 bytes), then LLC.
pub(super) fn fddi<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some(rest) = data.get(13..) else {
        return Err(short_header("FDDI", 13));
    };
    llc(rest, cx)
}

/// ARCnet protocol ids (ATA 878.1, RFC 1201/1051) that tcpdump knows.
const ARC_IP_OLD: u8 = 240;
const ARC_IP: u8 = 212;
const ARC_INET6: u8 = 0xC4;

/// RFC 1201 ids carry a split flag and sequence number; RFC 1051's do not.
fn arcnet_has_split_flag(t: u8) -> bool {
    matches!(t, 212 | 213 | 214 | 221 | 247 | 250 | 0xC4)
}

fn arcnet_payload<'a>(t: u8, data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    match t {
        ARC_IP | ARC_IP_OLD => ip::ipv4(data, cx),
        ARC_INET6 => ip::ipv6(data, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// BSD ARCnet (7): source, destination, protocol id; RFC 1201 ids then a split flag (0xFF
/// marks an exception packet, 4 bytes longer) and a sequence number.
pub(super) fn arcnet_bsd<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some(&t) = data.get(2) else {
        return Err(short_header("ARCnet", 3));
    };
    if !arcnet_has_split_flag(t) {
        return arcnet_payload(t, &data[3..], cx);
    }
    let (flag, len) = match data.get(3) {
        Some(0xFF) => (data.get(7).copied(), 10),
        Some(f) => (Some(*f), 6),
        None => (None, 6),
    };
    match flag {
        Some(0) => arcnet_payload(t, data.get(len..).unwrap_or_default(), cx),
        Some(_) => cx.hide(Hidden::ArcnetFragment),
        None => Err(malformed("ARCnet", key!("wire.bad.rfc1201_cut"))),
    }
}

/// Linux ARCnet (129): source, destination, a 2-byte offset, protocol id; RFC 1201 ids then
/// a split flag and a 2-byte sequence number (8 bytes in all), others 5.
pub(super) fn arcnet_linux<'a>(
    data: &'a [u8],
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let Some(&t) = data.get(4) else {
        return Err(malformed("ARCnet", key!("wire.bad.arcnet_linux_short")));
    };
    if !arcnet_has_split_flag(t) {
        return arcnet_payload(t, &data[5..], cx);
    }
    match data.get(5) {
        Some(0) => arcnet_payload(t, data.get(8..).unwrap_or_default(), cx),
        Some(_) => cx.hide(Hidden::ArcnetFragment),
        None => Err(malformed("ARCnet", key!("wire.bad.rfc1201_cut"))),
    }
}

/// SunATM (123): flags (traffic type in the low nibble: 1 LANE, 2 LLC), VPI, VCI; LANE
/// frames carry a 2-byte LE client id before an Ethernet frame, others LLC.
pub(super) fn sunatm<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some(&flags) = data.first() else {
        return Err(short_header("SunATM", 4));
    };
    match flags & 0x0F {
        1 => link::ethernet(data.get(6..).unwrap_or_default(), cx),
        _ => llc(data.get(4..).unwrap_or_default(), cx),
    }
}

/// RFC 2625 IP over Fibre Channel (122): a 16-byte network header, then LLC/SNAP.
pub(super) fn ip_over_fc<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    llc(data.get(16..).unwrap_or_default(), cx)
}

/// Apple's IP over IEEE 1394 (138): destination and source EUI-64, then an EtherType.
pub(super) fn ieee1394<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some([a, b]) = data.get(16..18) else {
        return Err(short_header("IEEE 1394", 18));
    };
    link::ether_payload(u16::from_be_bytes([*a, *b]), &data[18..], cx)
}

/// IP over InfiniBand (242): Linux writes a 44-byte header, the EtherType at offset 40
/// (tcpdump's print-ipoib.c).
pub(super) fn ipoib<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some([a, b]) = data.get(40..42) else {
        return Err(short_header("IPoIB", 44));
    };
    link::ether_payload(
        u16::from_be_bytes([*a, *b]),
        data.get(44..).unwrap_or_default(),
        cx,
    )
}

/// AX.25 (3; KISS 202 after one more byte): 7-byte addresses until one with the extension
/// bit, a control byte, and for I and UI frames a PID (0xCC: IPv4, 0x8E: IPv6? not assigned;
/// only IPv4 is).
pub(super) fn ax25<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let mut at = 0;
    loop {
        let Some(&last) = data.get(at + 6) else {
            return Err(malformed("AX.25", key!("wire.bad.ax25_address")));
        };
        at += 7;
        if last & 1 == 1 || at >= 70 {
            break;
        }
    }
    match data.get(at..) {
        Some([ctrl, 0xCC, ip @ ..]) if ctrl & 1 == 0 || ctrl & 0xEF == 0x03 => ip::ipv4(ip, cx),
        _ => Ok(Decoded::NotTcp),
    }
}

/// Hilscher netANALYZER (240): a 4-byte status header, then Ethernet; the transparent
/// variant (241) also keeps the 7-byte preamble and the start-of-frame delimiter.
pub(super) fn netanalyzer<'a>(
    data: &'a [u8],
    transparent: bool,
    cx: &mut Ctx<'a>,
) -> Result<Decoded<'a>, DecodeError> {
    let skip = if transparent { 12 } else { 4 };
    link::ethernet(data.get(skip..).unwrap_or_default(), cx)
}
