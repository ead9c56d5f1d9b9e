//! The pcapng format (draft-ietf-opsawg-pcapng): a sequence of blocks, each
//! `type, total length, body, total length` (§3.1), grouped into sections that each start with
//! a Section Header Block giving the byte order.
//!
//! Packets come from Enhanced Packet Blocks (§4.3), Simple Packet Blocks (§4.4) and the
//! obsolete Packet Block (Appendix A); each refers to an Interface Description Block (§4.2)
//! for its link type, snaplen and timestamp resolution. Every other block (name resolution,
//! statistics, decryption secrets, custom, unknown) is skipped by its length, as §3.1 allows.

use std::io::Read;

use super::buffer::ReadBuffer;
use super::parse::{MAX_RECORD_LEN, Notes, ParseError, RawRecord, u16_at, u32_at};
use super::{LinkType, Timestamp};

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const OBSOLETE_PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// Block type, total length, and trailing total length (§3.1).
const MIN_BLOCK_LEN: usize = 12;
/// More interfaces than any capturing host has: an IDB flood is damage, not data.
const MAX_INTERFACES: usize = 1 << 16;
const OPT_END: u16 = 0;
/// `if_tsresol` (§4.2): one byte, power of ten or (high bit set) power of two.
const OPT_IF_TSRESOL: u16 = 9;
/// `if_tsoffset` (§4.2): signed seconds added to every timestamp of the interface.
const OPT_IF_TSOFFSET: u16 = 14;

/// How an interface's 64-bit timestamp ticks become nanoseconds.
#[derive(Debug, Clone, Copy)]
enum Resolution {
    /// 10^-n seconds with n <= 9: an exact multiplier (the common µs and ns cases).
    NanosPerTick(i64),
    /// Anything finer than a nanosecond, or a power of two: ticks per second.
    TicksPerSec(u128),
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    /// 0 means "no limit" (§4.2).
    snaplen: u32,
    resolution: Resolution,
    offset_ns: i64,
}

impl Interface {
    #[inline]
    fn timestamp(&self, high: u32, low: u32) -> Timestamp {
        let ticks = (u64::from(high) << 32) | u64::from(low);
        let ns = match self.resolution {
            Resolution::NanosPerTick(m) => i128::from(ticks) * i128::from(m),
            // ticks < 2^64 and 1e9 < 2^30, so the product fits in u128; the quotient is
            // at most that product, so the cast to i128 cannot wrap.
            Resolution::TicksPerSec(per_sec) => {
                (u128::from(ticks) * 1_000_000_000 / per_sec) as i128
            }
        };
        let ns = ns + i128::from(self.offset_ns);
        Timestamp(ns.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }
}

pub(crate) struct Pcapng {
    big_endian: bool,
    /// Interfaces of the current section, numbered from 0 in IDB order (§4.2).
    interfaces: Vec<Interface>,
    /// Blocks started so far (1-based number of the current one).
    block: u64,
    /// Timestamp of the last packet: a Simple Packet Block has none of its own.
    last_ts: Timestamp,
}

impl Pcapng {
    /// Read the first Section Header Block. The caller has seen its block type.
    pub(crate) fn open<R: Read>(
        rb: &mut ReadBuffer<R>,
        notes: &mut Notes,
    ) -> Result<Self, ParseError> {
        let mut parser = Pcapng {
            big_endian: false,
            interfaces: Vec::new(),
            block: 0,
            last_ts: Timestamp(0),
        };
        match parser.step(rb, notes)? {
            Some(None) => Ok(parser),
            // The block type was 0x0A0D0D0A, so `step` either read a section or failed.
            _ => Err(ParseError::Damaged {
                record: 1,
                offset: 0,
                reason: crate::i18n::t("err.pcapng.first_block").into(),
            }),
        }
    }

    /// The next packet, skipping non-packet blocks; `None` at a clean end of file.
    #[inline]
    pub(crate) fn next<R: Read>(
        &mut self,
        rb: &mut ReadBuffer<R>,
        notes: &mut Notes,
    ) -> Result<Option<RawRecord>, ParseError> {
        loop {
            match self.step(rb, notes)? {
                None => return Ok(None),
                Some(Some(record)) => return Ok(Some(record)),
                Some(None) => {}
            }
        }
    }

    /// Read one block. `None` at the end of the file, `Some(None)` for a block that holds no
    /// packet (consumed), `Some(Some(_))` for a packet (left in the buffer for the caller).
    fn step<R: Read>(
        &mut self,
        rb: &mut ReadBuffer<R>,
        notes: &mut Notes,
    ) -> Result<Option<Option<RawRecord>>, ParseError> {
        let have = rb.fill(MIN_BLOCK_LEN)?;
        if have == 0 {
            return Ok(None);
        }
        self.block += 1;
        let (record, offset) = (self.block, rb.pos());
        let damaged = |reason: String| ParseError::Damaged {
            record,
            offset,
            reason,
        };
        if have < MIN_BLOCK_LEN {
            return Err(damaged(crate::tr!(
                "err.pcapng.ends_in_header",
                have = have
            )));
        }
        let b = rb.bytes();
        let block_type = u32_at(b, 0, self.big_endian);
        if block_type == SHB {
            // §4.1: the byte-order magic, not the previous section, says how to read this
            // section, including this block's own length field.
            self.big_endian = match u32_at(b, 8, false) {
                BYTE_ORDER_MAGIC => false,
                m if m == BYTE_ORDER_MAGIC.swap_bytes() => true,
                m => {
                    return Err(damaged(crate::tr!(
                        "err.pcapng.magic",
                        magic = format!("{m:08x}")
                    )));
                }
            };
        }
        let len = u32_at(b, 4, self.big_endian) as usize;
        if len % 4 != 0 || !(MIN_BLOCK_LEN..=MAX_RECORD_LEN).contains(&len) {
            return Err(damaged(crate::tr!(
                "err.pcapng.block_len",
                len = len,
                min = MIN_BLOCK_LEN
            )));
        }
        let have = rb.fill(len)?;
        if have < len {
            return Err(damaged(crate::tr!(
                "err.pcapng.cut_short",
                len = len,
                have = have
            )));
        }
        let b = &rb.bytes()[..len];
        let trailer = u32_at(b, len - 4, self.big_endian) as usize;
        if trailer != len {
            return Err(damaged(crate::tr!(
                "err.pcapng.trailer",
                len = len,
                trailer = trailer
            )));
        }
        let body = &b[8..len - 4];
        let packet = match block_type {
            SHB => self.section(body, notes).map(|()| None),
            IDB => self.interface(body, notes).map(|()| None),
            EPB => self.packet(body, false, notes).map(Some),
            OBSOLETE_PB => self.packet(body, true, notes).map(Some),
            SPB => self.simple(body).map(Some),
            _ => Ok(None),
        };
        match packet.map_err(damaged)? {
            Some(mut record) => {
                record.record_len = len;
                Ok(Some(Some(record)))
            }
            None => {
                rb.consume(len);
                Ok(Some(None))
            }
        }
    }

    /// §4.1: a new section forgets the previous section's interfaces.
    fn section(&mut self, body: &[u8], notes: &mut Notes) -> Result<(), String> {
        if body.len() < 16 {
            return Err(crate::tr!(
                "err.pcapng.short_block",
                block = "Section Header",
                len = body.len(),
                need = 16
            ));
        }
        let major = u16_at(body, 4, self.big_endian);
        let minor = u16_at(body, 6, self.big_endian);
        // §4.1: readers must refuse a major version they do not know. tshark refuses any
        // version but 1.0 (and 1.2, which some old writers used); the block layout sockviz
        // reads is the same, so it reads them, and says so.
        if major != 1 || !matches!(minor, 0 | 2) {
            notes.once("pcapng-version", || {
                crate::tr!("err.pcapng.version", major = major, minor = minor)
            });
        }
        self.interfaces.clear();
        Ok(())
    }

    /// §4.2: link type, snaplen, and the options that change how timestamps read.
    fn interface(&mut self, body: &[u8], notes: &mut Notes) -> Result<(), String> {
        if body.len() < 8 {
            return Err(crate::tr!(
                "err.pcapng.short_block",
                block = "Interface Description",
                len = body.len(),
                need = 8
            ));
        }
        if self.interfaces.len() >= MAX_INTERFACES {
            return Err(crate::tr!("err.pcapng.interfaces", max = MAX_INTERFACES));
        }
        let be = self.big_endian;
        let mut iface = Interface {
            link: LinkType(u32::from(u16_at(body, 0, be))),
            snaplen: u32_at(body, 4, be),
            resolution: Resolution::NanosPerTick(1000),
            offset_ns: 0,
        };
        let index = self.interfaces.len();
        interface_options(&mut iface, &body[8..], be, index, notes);
        self.interfaces.push(iface);
        Ok(())
    }

    /// An Enhanced Packet Block (§4.3) or the obsolete Packet Block (Appendix A), which has
    /// the same layout but a 16-bit interface id followed by a drops counter.
    #[inline]
    fn packet(
        &mut self,
        body: &[u8],
        obsolete: bool,
        notes: &mut Notes,
    ) -> Result<RawRecord, String> {
        const FIXED: usize = 20;
        if body.len() < FIXED {
            return Err(crate::tr!(
                "err.pcapng.short_block",
                block = "Enhanced Packet",
                len = body.len(),
                need = FIXED
            ));
        }
        let be = self.big_endian;
        let id = if obsolete {
            u32::from(u16_at(body, 0, be))
        } else {
            u32_at(body, 0, be)
        };
        let iface = self.lookup(id)?;
        let caplen = u32_at(body, 12, be);
        let orig_len = u32_at(body, 16, be);
        if caplen as usize > body.len() - FIXED {
            return Err(crate::tr!(
                "err.pcapng.caplen",
                caplen = caplen,
                have = body.len() - FIXED
            ));
        }
        if super::parse::beyond_snaplen(caplen, iface.snaplen) {
            return Err(crate::tr!(
                "err.pcapng.beyond_snaplen",
                caplen = caplen,
                id = id,
                snaplen = iface.snaplen,
                margin = super::parse::SNAPLEN_MARGIN
            ));
        }
        if iface.snaplen != 0 && caplen > iface.snaplen {
            let snaplen = iface.snaplen;
            notes.once("pcapng-snaplen", || {
                crate::tr!(
                    "err.pcapng.over_snaplen",
                    id = id,
                    caplen = caplen,
                    snaplen = snaplen
                )
            });
        }
        let ts = iface.timestamp(u32_at(body, 4, be), u32_at(body, 8, be));
        self.last_ts = ts;
        Ok(RawRecord {
            data_start: 8 + FIXED,
            caplen,
            orig_len,
            ts,
            link: iface.link,
            interface: id,
            record_len: 0,
        })
    }

    /// §4.4: a Simple Packet Block belongs to interface 0 and carries only the original
    /// length; the captured length is the smallest of that, the interface's snaplen and the
    /// block's room. It has no timestamp: it gets the previous packet's, so that time never
    /// jumps back to 1970 in the middle of a capture.
    fn simple(&mut self, body: &[u8]) -> Result<RawRecord, String> {
        if body.len() < 4 {
            return Err(crate::tr!(
                "err.pcapng.short_block",
                block = "Simple Packet",
                len = body.len(),
                need = 4
            ));
        }
        let iface = self.lookup(0)?;
        let orig_len = u32_at(body, 0, self.big_endian);
        let room = u32::try_from(body.len() - 4).unwrap_or(u32::MAX);
        let mut caplen = orig_len.min(room);
        if iface.snaplen != 0 {
            caplen = caplen.min(iface.snaplen);
        }
        Ok(RawRecord {
            data_start: 12,
            caplen,
            orig_len,
            ts: self.last_ts,
            link: iface.link,
            interface: 0,
            record_len: 0,
        })
    }

    #[inline]
    fn lookup(&self, id: u32) -> Result<Interface, String> {
        self.interfaces.get(id as usize).copied().ok_or_else(|| {
            crate::tr!(
                "err.pcapng.no_interface",
                id = id,
                count = self.interfaces.len()
            )
        })
    }
}

/// Read the IDB options that change how timestamps read (§4.2); ignore the rest.
///
/// §3.5: options are code, length, value padded to 32 bits. A malformed list loses only the
/// options after the damage, not the interface.
fn interface_options(
    iface: &mut Interface,
    mut opts: &[u8],
    be: bool,
    index: usize,
    notes: &mut Notes,
) {
    while opts.len() >= 4 {
        let code = u16_at(opts, 0, be);
        let len = usize::from(u16_at(opts, 2, be));
        if code == OPT_END {
            break;
        }
        let Some(value) = opts.get(4..4 + len) else {
            notes.once("pcapng-option", || {
                crate::tr!("err.pcapng.option", index = index)
            });
            break;
        };
        match (code, value) {
            (OPT_IF_TSRESOL, [r, ..]) => match resolution(*r) {
                Some(res) => iface.resolution = res,
                None => notes.once("pcapng-tsresol", || {
                    crate::tr!(
                        "err.pcapng.tsresol",
                        index = index,
                        value = format!("{r:#04x}")
                    )
                }),
            },
            (OPT_IF_TSOFFSET, [a, b, c, d, e, f, g, h, ..]) => {
                let raw = [*a, *b, *c, *d, *e, *f, *g, *h];
                let secs = if be {
                    i64::from_be_bytes(raw)
                } else {
                    i64::from_le_bytes(raw)
                };
                iface.offset_ns = secs.saturating_mul(1_000_000_000);
            }
            _ => {}
        }
        opts = opts.get(4 + len.next_multiple_of(4)..).unwrap_or_default();
    }
}

/// `if_tsresol` (§4.2): high bit clear, 10^-n seconds; set, 2^-n seconds.
fn resolution(raw: u8) -> Option<Resolution> {
    let n = u32::from(raw & 0x7F);
    if raw & 0x80 != 0 {
        // 2^-127 s still fits u128 ticks per second.
        return (n <= 127).then(|| Resolution::TicksPerSec(1u128 << n));
    }
    match n {
        0..=9 => Some(Resolution::NanosPerTick(10i64.pow(9 - n))),
        10..=38 => Some(Resolution::TicksPerSec(10u128.pow(n))),
        _ => None,
    }
}
