//! What the format parsers (`pcap`, `pcapng`) hand back to [`super::CaptureFile`]: records
//! located by index in the read buffer, problems without a file name yet, and notes; and the
//! record-size limit that the parsers and the file reader share.

use std::io;

use super::{LinkType, Timestamp};

/// The largest single record (pcap record, pcapng block) sockviz accepts: 256 MiB.
///
/// libpcap itself refuses snaplens above 256 KiB; anything near this limit is a damaged length
/// field, and trusting it would let one bad header allocate gigabytes.
pub const MAX_RECORD_LEN: usize = 256 << 20;

/// libpcap's largest snaplen for ordinary link types (`MAXIMUM_SNAPLEN`, 262,144). A record
/// may exceed its file's snaplen a little (some writers do; it is read with a warning), but one
/// longer than both the snaplen and this is a damaged header, not a frame: libpcap refuses it
/// too ("invalid packet capture length"), and reading it would hold up to 256 MiB for nothing.
pub const SNAPLEN_MARGIN: u32 = 262_144;

/// Whether a record of `caplen` bytes is more than a file with this `snaplen` (0: unknown) can
/// hold, margin included.
pub fn beyond_snaplen(caplen: u32, snaplen: u32) -> bool {
    snaplen != 0 && caplen > snaplen.max(SNAPLEN_MARGIN)
}

/// A problem found by a format parser, before the file's name is attached.
pub(crate) enum ParseError {
    Io(io::Error),
    Damaged {
        record: u64,
        offset: u64,
        reason: String,
    },
}

impl From<io::Error> for ParseError {
    fn from(e: io::Error) -> Self {
        ParseError::Io(e)
    }
}

/// One record located in the read buffer by a format parser: indices only, so the parser's
/// borrow of the buffer ends before the frame borrows it.
pub(crate) struct RawRecord {
    /// Offset of the frame's first byte within the buffer's unread bytes.
    pub data_start: usize,
    pub caplen: u32,
    pub orig_len: u32,
    pub ts: Timestamp,
    pub link: LinkType,
    /// The pcapng interface the packet was captured on (0 in a pcap file).
    pub interface: u32,
    /// Length of the whole record, consumed before the next one is read.
    pub record_len: usize,
}

/// Non-fatal observations about a file, each kind reported once.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    kinds: Vec<&'static str>,
    pub(crate) list: Vec<String>,
}

impl Notes {
    /// Record `message()` unless a note of this `kind` was already recorded.
    #[cold]
    pub(crate) fn once(&mut self, kind: &'static str, message: impl FnOnce() -> String) {
        if !self.kinds.contains(&kind) {
            self.kinds.push(kind);
            self.list.push(message());
        }
    }
}

/// Read a `u16` at `at` in the file's byte order. The caller has checked the length.
#[inline(always)]
pub(crate) fn u16_at(b: &[u8], at: usize, big_endian: bool) -> u16 {
    let v = [b[at], b[at + 1]];
    if big_endian {
        u16::from_be_bytes(v)
    } else {
        u16::from_le_bytes(v)
    }
}

/// Read a `u32` at `at` in the file's byte order. The caller has checked the length.
#[inline(always)]
pub(crate) fn u32_at(b: &[u8], at: usize, big_endian: bool) -> u32 {
    let v = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big_endian {
        u32::from_be_bytes(v)
    } else {
        u32::from_le_bytes(v)
    }
}
