//! The classic pcap format (draft-ietf-opsawg-pcap): a 24-byte file header, then records of a
//! 16-byte header and the captured bytes.

use std::io::Read;

use super::buffer::ReadBuffer;
use super::parse::{MAX_RECORD_LEN, Notes, ParseError, RawRecord, u32_at};
use super::{LinkType, Timestamp};

const FILE_HEADER_LEN: usize = 24;
const RECORD_HEADER_LEN: usize = 16;

pub(crate) struct Pcap {
    big_endian: bool,
    /// Nanoseconds per unit of the record header's fraction field (1000 for µs, 1 for ns).
    frac_ns: i64,
    snaplen: u32,
    link: LinkType,
    /// Records started so far (1-based number of the current one).
    record: u64,
}

impl Pcap {
    /// Read the file header (§4). The magic has been checked by the caller.
    pub(crate) fn open<R: Read>(
        rb: &mut ReadBuffer<R>,
        nanosecond: bool,
        big_endian: bool,
        notes: &mut Notes,
    ) -> Result<Self, String> {
        let have = rb.fill(FILE_HEADER_LEN).map_err(|e| e.to_string())?;
        if have < FILE_HEADER_LEN {
            return Err(crate::tr!(
                "wire.pcap.header_cut",
                have = have,
                len = FILE_HEADER_LEN
            ));
        }
        let h = &rb.bytes()[..FILE_HEADER_LEN];
        let major = u16::from_be_bytes(if big_endian {
            [h[4], h[5]]
        } else {
            [h[5], h[4]]
        });
        let minor = u16::from_be_bytes(if big_endian {
            [h[6], h[7]]
        } else {
            [h[7], h[6]]
        });
        if major != 2 {
            return Err(crate::tr!(
                "wire.pcap.version",
                major = major,
                minor = minor
            ));
        }
        let snaplen = u32_at(h, 16, big_endian);
        // §4: the low 16 bits are the link type; the top 4 bits an FCS length with its P bit
        // (26); bit 27 (R) and bits 16-25 are reserved and must be 0. tshark refuses a file
        // with them set; its records are still readable, so read them and say so.
        let field = u32_at(h, 20, big_endian);
        let link = LinkType(field & 0xFFFF);
        const RESERVED: u32 = 0x0BFF_0000;
        if field & RESERVED != 0 {
            notes.once("pcap-linktype-reserved", || {
                crate::tr!(
                    "wire.pcap.reserved",
                    field = format!("{field:#010x}"),
                    reserved = format!("{:#010x}", field & RESERVED),
                    link = link.0
                )
            });
        }
        rb.consume(FILE_HEADER_LEN);
        Ok(Pcap {
            big_endian,
            frac_ns: if nanosecond { 1 } else { 1000 },
            snaplen,
            link,
            record: 0,
        })
    }

    /// The next record (§5), located in the buffer; `None` at a clean end of file.
    #[inline]
    pub(crate) fn next<R: Read>(
        &mut self,
        rb: &mut ReadBuffer<R>,
        notes: &mut Notes,
    ) -> Result<Option<RawRecord>, ParseError> {
        let have = rb.fill(RECORD_HEADER_LEN)?;
        if have == 0 {
            return Ok(None);
        }
        self.record += 1;
        if have < RECORD_HEADER_LEN {
            return Err(self.damaged(
                rb,
                crate::tr!(
                    "wire.pcap.ends_in_header",
                    have = have,
                    len = RECORD_HEADER_LEN
                ),
            ));
        }
        let h = &rb.bytes()[..RECORD_HEADER_LEN];
        let be = self.big_endian;
        let secs = u32_at(h, 0, be);
        let frac = u32_at(h, 4, be);
        let caplen = u32_at(h, 8, be);
        let orig_len = u32_at(h, 12, be);
        if caplen as usize > MAX_RECORD_LEN {
            return Err(self.damaged(rb, crate::tr!("wire.pcap.huge", caplen = caplen)));
        }
        if super::parse::beyond_snaplen(caplen, self.snaplen) {
            let snaplen = self.snaplen;
            return Err(self.damaged(
                rb,
                crate::tr!(
                    "wire.pcap.beyond_snaplen",
                    caplen = caplen,
                    snaplen = snaplen,
                    margin = super::parse::SNAPLEN_MARGIN
                ),
            ));
        }
        // Some writers leave the snaplen 0 ("unknown"): nothing to compare with then.
        if caplen > self.snaplen && self.snaplen != 0 {
            let (record, snaplen) = (self.record, self.snaplen);
            notes.once("pcap-snaplen", || {
                crate::tr!(
                    "wire.pcap.over_snaplen",
                    record = record,
                    caplen = caplen,
                    snaplen = snaplen
                )
            });
        }
        let record_len = RECORD_HEADER_LEN + caplen as usize;
        let have = rb.fill(record_len)?;
        if have < record_len {
            return Err(self.damaged(
                rb,
                crate::tr!(
                    "wire.pcap.cut_short",
                    caplen = caplen,
                    have = have - RECORD_HEADER_LEN
                ),
            ));
        }
        // Seconds are unsigned since libpcap 1.x (good until 2106); u32 * 1e9 fits in i64.
        let ts = i64::from(secs) * 1_000_000_000 + i64::from(frac) * self.frac_ns;
        Ok(Some(RawRecord {
            data_start: RECORD_HEADER_LEN,
            caplen,
            orig_len,
            ts: Timestamp(ts),
            link: self.link,
            interface: 0,
            record_len,
        }))
    }

    #[cold]
    fn damaged<R: Read>(&self, rb: &ReadBuffer<R>, reason: String) -> ParseError {
        ParseError::Damaged {
            record: self.record,
            offset: rb.pos(),
            reason,
        }
    }
}
