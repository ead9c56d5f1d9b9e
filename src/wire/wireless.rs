//! IEEE 802.11 data frames and the radio headers captures put before them: radiotap (127),
//! Prism (119) and AVS (163). Data frames carry LLC/SNAP (IEEE 802.11-2020 §9.3.2.1); the
//! other frame types carry no IP.

use super::ctx::Ctx;
use super::encap::Hidden;
use super::error::{DecodeError, malformed, short_header};
use super::lan;
use super::segment::Decoded;
use crate::key;

/// An 802.11 frame: frame control (type 2 is data), then a 24-byte header, 30 with four
/// addresses (To DS and From DS), plus 2 for QoS subtypes and 4 more for an HT control field
/// (QoS with the Order bit). `pad` rounds the header up to 4 bytes (radiotap's DATAPAD flag).
fn data_frame<'a>(data: &'a [u8], pad: bool, cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let [fc0, fc1, ..] = *data else {
        return Err(malformed("802.11", key!("wire.bad.wifi_fc")));
    };
    let (frame_type, subtype) = ((fc0 >> 2) & 0x03, fc0 >> 4);
    if frame_type != 2 || subtype & 0x04 != 0 {
        return Ok(Decoded::NotTcp); // management, control, null data
    }
    let four_addresses = fc1 & 0x03 == 0x03;
    let qos = subtype & 0x08 != 0;
    let mut len: usize = 24 + if four_addresses { 6 } else { 0 };
    let qos_at = len;
    if qos {
        len += 2;
        if fc1 & 0x80 != 0 {
            len += 4;
        }
    }
    if pad {
        len = len.next_multiple_of(4);
    }
    if data.len() < len {
        return Err(malformed("802.11", key!("wire.bad.wifi_data_header")));
    }
    if fc1 & 0x40 != 0 {
        return cx.hide(Hidden::Wifi80211Protected);
    }
    if qos && data[qos_at] & 0x80 != 0 {
        return cx.hide(Hidden::Wifi80211Amsdu);
    }
    lan::llc(&data[len..], cx)
}

/// IEEE 802.11 (105), and the frames CAPWAP carries natively.
pub(super) fn ieee80211<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    data_frame(data, false, cx)
}

/// Radiotap (127, <https://www.radiotap.org>): version 0, a little-endian length, presence
/// bitmaps (bit 31 chains another). Only the Flags field matters here (DATAPAD, 0x20), which
/// follows the 8-byte-aligned TSFT field when that is present.
pub(super) fn radiotap<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    const TSFT: u32 = 1 << 0;
    const FLAGS: u32 = 1 << 1;
    const EXT: u32 = 1 << 31;
    const DATAPAD: u8 = 0x20;
    let [0, _, l0, l1, p0, p1, p2, p3, ..] = *data else {
        return Err(malformed("radiotap", key!("wire.bad.radiotap_short")));
    };
    let len = usize::from(u16::from_le_bytes([l0, l1]));
    let Some(frame) = data.get(len..) else {
        return Err(malformed("radiotap", key!("wire.bad.header_len_past")));
    };
    let present = u32::from_le_bytes([p0, p1, p2, p3]);
    let mut at = 8;
    let mut word = present;
    while word & EXT != 0 {
        let Some(w) = data.get(at..at + 4) else {
            return Err(malformed("radiotap", key!("wire.bad.radiotap_present")));
        };
        word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        at += 4;
    }
    let mut pad = false;
    if present & FLAGS != 0 {
        if present & TSFT != 0 {
            at = at.next_multiple_of(8) + 8;
        }
        pad = data.get(at).is_some_and(|f| f & DATAPAD != 0) && at < len;
    }
    data_frame(frame, pad, cx)
}

/// Prism (119): a fixed 144-byte header, unless the frame is really AVS (its magic cookie),
/// which Linux drivers also write under this link type.
pub(super) fn prism<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    if let [0x80, 0x21, 0x10, 0x01 | 0x02, ..] = data {
        return avs(data, cx);
    }
    let Some(frame) = data.get(144..) else {
        return Err(short_header("Prism", 144));
    };
    data_frame(frame, false, cx)
}

/// AVS (163): magic, then the header's length (big-endian) at offset 4.
pub(super) fn avs<'a>(data: &'a [u8], cx: &mut Ctx<'a>) -> Result<Decoded<'a>, DecodeError> {
    let Some([a, b, c, d]) = data.get(4..8) else {
        return Err(malformed("AVS", key!("wire.bad.avs_short")));
    };
    let len = u32::from_be_bytes([*a, *b, *c, *d]) as usize;
    let Some(frame) = data.get(len..) else {
        return Err(malformed("AVS", key!("wire.bad.header_len_past")));
    };
    data_frame(frame, false, cx)
}
