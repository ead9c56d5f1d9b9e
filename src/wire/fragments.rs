//! IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5), bounded in memory and time.
//!
//! Datagrams are keyed as the RFCs say: IPv4 by (source, destination, protocol,
//! identification), IPv6 by (source, destination, identification). Policy, chosen to match
//! tshark (whose numbers `inspect` is checked against):
//! - duplicates are ignored; on overlap the bytes that arrived first are kept (Wireshark's
//!   reassembly copies fragments in offset order and keeps earlier data), and overlaps with
//!   different data are counted. RFC 5722 asks an IPv6 *host* to drop such datagrams; a
//!   viewer reports them instead, as tshark does;
//! - the segment belongs to the frame that completes the datagram, as in tshark;
//! - a datagram not completed within [`MAX_AGE_NS`] of capture time (RFC 8200 §4.5's 60 s),
//!   or pushed out to keep under [`MAX_HELD_BYTES`] / [`MAX_DATAGRAMS`], is dropped and
//!   counted; so is one with a fragment the snaplen cut (its bytes are not in the file).
//!
//! The memory bound counts everything a datagram holds that grows with its fragments: the
//! payload buffer, the covered ranges and the replay tags ([`Reassembler::held_memory`]),
//! by allocated capacity. What is left (a table entry per datagram) is bounded by
//! [`MAX_DATAGRAMS`].

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use serde::Serialize;

use super::ctx::FragmentRef;
use crate::capture::Timestamp;

/// Fragments held for longer than this (capture time) are given up (RFC 8200 §4.5).
pub const MAX_AGE_NS: i64 = 60_000_000_000;
/// Memory held for unfinished datagrams, at most: payload bytes, covered ranges and replay
/// tags together ([`Reassembler::held_memory`]).
pub const MAX_HELD_BYTES: usize = 16 << 20;
/// Unfinished datagrams, at most.
pub const MAX_DATAGRAMS: usize = 4096;
/// The largest payload a fragmented datagram can have (the offset and length fields' range).
const MAX_DATAGRAM: u32 = 65_535;
/// Frames remembered per datagram for [`Reassembler::add_tagged`]: past this many, a replay
/// that reads back only the remembered frames cannot rebuild the datagram.
pub const MAX_TAGS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    /// IPv4's protocol; 0 for IPv6, whose key has none.
    proto: u8,
    v6: bool,
}

#[derive(Debug)]
struct Datagram {
    serial: u64,
    started: Timestamp,
    buf: Vec<u8>,
    /// Covered byte ranges `[start, end)`, sorted and disjoint.
    have: Vec<(u32, u32)>,
    /// The payload's length, once the last fragment (M = 0) has been seen.
    total: Option<u32>,
    /// The protocol after reassembly: IPv4's field, or the Next Header of IPv6's offset-0
    /// fragment (RFC 8200 §4.5).
    proto: u8,
    fragments: u64,
    overlap: bool,
    conflict: bool,
    /// A fragment was cut by the snaplen: the datagram can never be rebuilt.
    cut: bool,
    /// The callers' tags of the fragments that gave bytes or the length (duplicates that
    /// changed nothing are left out; at most [`MAX_TAGS`]).
    tags: Vec<u64>,
    /// [`Datagram::footprint`] as last counted into [`Reassembler::held_memory`].
    counted: usize,
}

/// What reassembly did over a capture: `inspect --json` prints it as `ip_fragments`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FragmentStats {
    /// Fragments seen.
    pub fragments: u64,
    /// Datagrams rebuilt.
    pub reassembled: u64,
    /// Datagrams still missing fragments at the end of the capture.
    pub incomplete: u64,
    /// Datagrams given up after 60 s of capture time without completing.
    pub expired: u64,
    /// Datagrams dropped to stay within the memory bound.
    pub evicted: u64,
    /// Datagrams with a fragment the snaplen cut: their bytes are not in the file.
    pub cut_by_snaplen: u64,
    /// Fragments reaching past 65,535 bytes: ignored.
    pub invalid: u64,
    /// Datagrams rebuilt from overlapping fragments (same bytes in the overlap).
    pub overlapping: u64,
    /// Datagrams whose overlapping fragments disagree: the first bytes to arrive were kept.
    pub conflicting: u64,
    /// Fragments found inside a reassembled datagram (fragmented tunnel inside a fragmented
    /// tunnel): not reassembled a second time.
    pub nested: u64,
}

impl FragmentStats {
    pub fn is_empty(&self) -> bool {
        self.fragments == 0
    }

    /// Datagrams that could not be rebuilt, for any reason.
    pub fn lost(&self) -> u64 {
        self.incomplete + self.expired + self.evicted + self.cut_by_snaplen
    }
}

/// A datagram rebuilt: its payload is in the buffer given to [`Reassembler::add`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    pub v6: bool,
}

#[derive(Debug, Default)]
pub struct Reassembler {
    table: HashMap<Key, Datagram>,
    /// Datagrams in order of their first fragment, for expiry and eviction; entries whose
    /// serial no longer matches the table's are stale and skipped.
    order: VecDeque<(Key, u64)>,
    serial: u64,
    /// Payload bytes held ([`Reassembler::held_bytes`]).
    held: usize,
    /// Everything held, bookkeeping included ([`Reassembler::held_memory`]).
    held_memory: usize,
    stats: FragmentStats,
    /// The tags of the datagram the last [`Reassembler::add_tagged`] completed.
    completed_tags: Vec<u64>,
}

impl Reassembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts so far; call [`Reassembler::finish`] first to count what never completed.
    pub fn stats(&self) -> FragmentStats {
        self.stats
    }

    /// Payload bytes currently held for unfinished datagrams.
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// Memory currently held for unfinished datagrams: payload buffers, covered ranges and
    /// replay tags, by allocated capacity; at most [`MAX_HELD_BYTES`] after every call.
    pub fn held_memory(&self) -> usize {
        self.held_memory
    }

    /// Count the datagrams still waiting as incomplete and forget them.
    pub fn finish(&mut self) {
        for (_, d) in self.table.drain() {
            if d.cut {
                self.stats.cut_by_snaplen += 1;
            } else {
                self.stats.incomplete += 1;
            }
        }
        self.order.clear();
        self.held = 0;
        self.held_memory = 0;
    }

    pub(super) fn note_nested(&mut self) {
        self.stats.nested += 1;
    }

    /// Add one fragment seen at `ts`. When it completes its datagram, the payload is written
    /// to `out` (replacing its contents) and the datagram's addresses and protocol returned.
    pub fn add(
        &mut self,
        ts: Timestamp,
        f: &FragmentRef<'_>,
        out: &mut Vec<u8>,
    ) -> Option<Rebuilt> {
        self.add_tagged(ts, f, None, out)
    }

    /// [`Reassembler::add`], remembering `tag` (a frame's place in the caller's index) when
    /// this fragment gives the datagram bytes or its length: once it completes,
    /// [`Reassembler::completed_tags`] says which earlier frames a replay must read back to
    /// rebuild it (`sockviz replay` reads one connection's frames only).
    pub fn add_tagged(
        &mut self,
        ts: Timestamp,
        f: &FragmentRef<'_>,
        tag: Option<u64>,
        out: &mut Vec<u8>,
    ) -> Option<Rebuilt> {
        self.completed_tags.clear();
        self.stats.fragments += 1;
        self.expire(ts);
        let len = u32::try_from(f.data.len()).unwrap_or(u32::MAX);
        let end = f.offset.saturating_add(len);
        if end > MAX_DATAGRAM {
            self.stats.invalid += 1;
            return None;
        }
        let key = Key {
            src: f.src,
            dst: f.dst,
            id: f.id,
            proto: if f.v6 { 0 } else { f.proto },
            v6: f.v6,
        };
        if !self.table.contains_key(&key) {
            self.make_room(Datagram::estimate(end), None);
            self.serial += 1;
            self.order.push_back((key, self.serial));
            self.table.insert(
                key,
                Datagram {
                    serial: self.serial,
                    started: ts,
                    buf: Vec::new(),
                    have: Vec::new(),
                    total: None,
                    proto: f.proto,
                    fragments: 0,
                    overlap: false,
                    conflict: false,
                    cut: false,
                    tags: Vec::new(),
                    counted: 0,
                },
            );
        }
        let d = self.table.get_mut(&key).expect("inserted above");
        d.fragments += 1;
        if f.offset == 0 {
            d.proto = f.proto;
        }
        if f.cut {
            d.cut = true;
        }
        let sets_total = !f.more && d.total.is_none();
        if sets_total {
            d.total = Some(end);
        }
        let before = d.buf.len();
        if d.buf.len() < end as usize {
            // Exact, so the buffer's capacity is its length and no more is held than counted.
            d.buf.reserve_exact(end as usize - d.buf.len());
            d.buf.resize(end as usize, 0);
        }
        self.held += d.buf.len() - before;
        let gave_bytes = d.place(f.offset, f.data);
        if let Some(tag) = tag
            && (gave_bytes || sets_total)
            && d.tags.len() < MAX_TAGS
        {
            d.tags.push(tag);
        }
        let now = d.footprint();
        self.held_memory = self.held_memory - d.counted + now;
        d.counted = now;
        // Coverage is merged, so one range from 0 reaching the end means every byte is here
        // (bytes past the end the last fragment gave are ignored).
        let complete = d
            .total
            .filter(|&total| !d.cut && d.have.first().is_some_and(|&(s, e)| s == 0 && e >= total));
        let Some(total) = complete else {
            // A datagram that grew may push older ones out (never itself: it is within the
            // bound alone, 65,535 bytes and its bookkeeping).
            self.make_room(0, Some(key));
            return None;
        };
        let d = self.table.remove(&key).expect("found above");
        self.held -= d.buf.len();
        self.held_memory -= d.counted;
        self.stats.reassembled += 1;
        self.stats.overlapping += u64::from(d.overlap && !d.conflict);
        self.stats.conflicting += u64::from(d.conflict);
        out.clear();
        out.extend_from_slice(&d.buf[..total as usize]);
        self.completed_tags = d.tags;
        self.compact();
        Some(Rebuilt {
            src: key.src,
            dst: key.dst,
            proto: d.proto,
            v6: key.v6,
        })
    }

    /// The tags given to [`Reassembler::add_tagged`] for the fragments of the datagram the
    /// last call completed, in arrival order; empty when it completed none.
    pub fn completed_tags(&self) -> &[u64] {
        &self.completed_tags
    }

    /// Drop datagrams older than [`MAX_AGE_NS`] at `now`.
    fn expire(&mut self, now: Timestamp) {
        while let Some(&(key, serial)) = self.order.front() {
            match self.table.get(&key) {
                Some(d) if d.serial == serial => {
                    if now.as_nanos().saturating_sub(d.started.as_nanos()) <= MAX_AGE_NS {
                        return;
                    }
                    self.drop_front(key);
                    self.stats.expired += 1;
                }
                _ => {
                    self.order.pop_front();
                }
            }
        }
    }

    /// Evict the oldest datagrams, except `keep`, until `need` more bytes fit (and, when
    /// adding one, a new datagram).
    fn make_room(&mut self, need: usize, keep: Option<Key>) {
        let mut kept = None;
        while (keep.is_none() && self.table.len() >= MAX_DATAGRAMS)
            || self.held_memory + need > MAX_HELD_BYTES
        {
            let Some(&(key, serial)) = self.order.front() else {
                break;
            };
            match self.table.get(&key) {
                Some(d) if d.serial == serial => {
                    if Some(key) == keep {
                        // Set aside, put back in front afterwards: the order is by age (expiry).
                        kept = self.order.pop_front();
                    } else {
                        self.drop_front(key);
                        self.stats.evicted += 1;
                    }
                }
                _ => {
                    self.order.pop_front();
                }
            }
        }
        if let Some(entry) = kept {
            self.order.push_front(entry);
        }
    }

    fn drop_front(&mut self, key: Key) {
        self.order.pop_front();
        if let Some(d) = self.table.remove(&key) {
            self.held -= d.buf.len();
            self.held_memory -= d.counted;
        }
    }

    /// Keep the order queue from filling with entries of completed datagrams.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.table.len() + 64 {
            let table = &self.table;
            self.order
                .retain(|(k, s)| table.get(k).is_some_and(|d| d.serial == *s));
        }
    }
}

impl Datagram {
    /// What a datagram holds, by capacity: its buffer, its ranges and its tags.
    fn footprint(&self) -> usize {
        self.buf.capacity()
            + self.have.capacity() * std::mem::size_of::<(u32, u32)>()
            + self.tags.capacity() * std::mem::size_of::<u64>()
    }

    /// A new datagram's footprint after its first fragment ends at `end`, at most.
    fn estimate(end: u32) -> usize {
        end as usize + 4 * std::mem::size_of::<(u32, u32)>() + 4 * std::mem::size_of::<u64>()
    }

    /// Copy `data` to `offset`, keeping bytes already there (first arrival wins) and noting
    /// overlaps and conflicts; then merge the coverage. True when any byte was new.
    fn place(&mut self, offset: u32, data: &[u8]) -> bool {
        let end = offset + data.len() as u32;
        if data.is_empty() {
            return false;
        }
        // The ranges that overlap or touch [offset, end): sorted and disjoint, so found by
        // bisection (a datagram of thousands of tiny fragments stays cheap).
        let lo = self.have.partition_point(|&(_, e)| e < offset);
        let hi = self.have.partition_point(|&(s, _)| s <= end);
        let mut gave = false;
        let mut at = offset;
        for i in lo..hi {
            let (s, e) = self.have[i];
            if e <= at || s >= end {
                continue;
            }
            self.overlap = true;
            if s > at {
                gave = true;
                self.copy(at, &data[(at - offset) as usize..(s - offset) as usize]);
            }
            let (os, oe) = (s.max(at), e.min(end));
            if self.buf[os as usize..oe as usize]
                != data[(os - offset) as usize..(oe - offset) as usize]
            {
                self.conflict = true;
            }
            at = oe;
        }
        if at < end {
            gave = true;
            self.copy(at, &data[(at - offset) as usize..]);
        }
        let merged = match (
            self.have.get(lo),
            hi.checked_sub(1).and_then(|h| self.have.get(h)),
        ) {
            (Some(&(first, _)), Some(&(_, last))) if lo < hi => (first.min(offset), last.max(end)),
            _ => (offset, end),
        };
        self.have.splice(lo..hi, [merged]);
        gave
    }

    fn copy(&mut self, at: u32, bytes: &[u8]) {
        let at = at as usize;
        self.buf[at..at + bytes.len()].copy_from_slice(bytes);
    }
}
