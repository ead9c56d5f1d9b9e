//! A capture's compact per-packet index: where each TCP frame lives and which connection owns
//! it, so one connection can be loaded without holding a copy of every packet.
//!
//! `sockviz replay` must scale to captures larger than memory. The scan reads the file once,
//! front to back (as `inspect` does), and keeps only an [`IndexedFrame`] per TCP frame, packed
//! as differences from the frame before (about 10 bytes), plus the tracker's connections in
//! their compact form (the picker's rows); [`CaptureIndex::load`] then reads back, with
//! positioned reads, the bytes of the chosen connection's frames only and pushes them through a
//! fresh [`Timeline`]. Wireshark's analysis of a connection depends on that connection's
//! segments alone, so the fresh tracker finds the same states and flags the scan did, with one
//! exception the index remembers: `tcp.analysis.reused_ports` on a connection's first SYN says
//! an earlier connection used the same 4-tuple, which a tracker fed one connection cannot see.

use std::path::Path;

use std::collections::HashMap;

use crate::capture::{CaptureFile, FileError, FrameRef, LinkType, Timestamp};
use crate::tcp::{Analysis, ConnId, ConnectionList, Tracker};
use crate::wire::{Decoded, Decoder};

use super::{Event, EventKind, OwnedFrame, Timeline};

/// `LINKTYPE_USER0`, the interface a sockviz recording writes its lab events on
/// (crate::record::format::EVENTS_LINK).
const LAB_EVENTS_LINK: LinkType = LinkType(147);

/// The owner of a fragment frame while its datagram is incomplete (no tracker reaches it).
const UNOWNED: ConnId = ConnId(u32::MAX);

/// One TCP frame of the capture: its number, its connection, and where its bytes are. An IP
/// fragment whose datagram was rebuilt into a TCP segment is indexed too, under that
/// segment's connection, so [`CaptureIndex::load`] can rebuild the segment.
///
/// Kept flat (not a [`FrameRef`] plus fields) so it packs into 40 bytes; the index stores it
/// packed ([`PackedFrames`]) in about 10: the index of a 5-million-packet capture is ~50 MB,
/// not the gigabytes of a copy of every packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexedFrame {
    /// 1-based frame number in the capture (every frame counted, TCP or not).
    pub number: u64,
    pub data_offset: u64,
    pub ts: Timestamp,
    pub captured_len: u32,
    pub orig_len: u32,
    pub link: LinkType,
    pub conn: ConnId,
}

impl IndexedFrame {
    fn frame_ref(&self) -> FrameRef {
        FrameRef {
            data_offset: self.data_offset,
            captured_len: self.captured_len,
            orig_len: self.orig_len,
            ts: self.ts,
            link: self.link,
        }
    }
}

/// A note the scan found, placed after frame `after` (as a whole-file timeline would hold it).
#[derive(Debug, Clone)]
struct ScanNote {
    after: u64,
    at: Timestamp,
    text: String,
}

/// The index's frames in capture order, each as variable-length differences from the one
/// before: frame numbers, file offsets and times grow by little from frame to frame, lengths
/// and link types are small, and a connection's frames tend to follow each other.
#[derive(Default)]
pub struct PackedFrames {
    bytes: Vec<u8>,
    /// Entries written (fragments not yet owned included).
    entries: u64,
    /// The last entry written, which the next is a difference from.
    last: Option<IndexedFrame>,
    /// Fragment entries (by place) that a later frame's datagram claimed for its connection.
    owners: HashMap<u64, ConnId>,
    /// Entries still [`UNOWNED`] when the scan ended: left out.
    unowned: u64,
    /// Whether any entry was written [`UNOWNED`].
    held_fragments: bool,
}

impl PackedFrames {
    fn push(&mut self, f: IndexedFrame) {
        let prev = self.last.unwrap_or(IndexedFrame {
            number: 0,
            data_offset: 0,
            ts: Timestamp(0),
            captured_len: 0,
            orig_len: 0,
            link: LinkType(0),
            conn: ConnId(0),
        });
        let b = &mut self.bytes;
        put(b, f.number.wrapping_sub(prev.number));
        put(b, f.data_offset.wrapping_sub(prev.data_offset));
        put_signed(b, f.ts.0.wrapping_sub(prev.ts.0));
        put(b, u64::from(f.captured_len));
        put_signed(b, i64::from(f.orig_len) - i64::from(f.captured_len));
        put(b, u64::from(f.link.0));
        put_signed(b, i64::from(f.conn.0) - i64::from(prev.conn.0));
        self.held_fragments |= f.conn == UNOWNED;
        self.last = Some(f);
        self.entries += 1;
    }

    /// How many frames the index holds.
    pub fn len(&self) -> usize {
        (self.entries - self.unowned) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The frames in capture order (fragments that no segment claimed left out).
    pub fn iter(&self) -> impl Iterator<Item = IndexedFrame> + '_ {
        let mut at = 0usize;
        let mut prev = IndexedFrame {
            number: 0,
            data_offset: 0,
            ts: Timestamp(0),
            captured_len: 0,
            orig_len: 0,
            link: LinkType(0),
            conn: ConnId(0),
        };
        (0..self.entries).filter_map(move |place| {
            let b = &self.bytes;
            let number = prev.number.wrapping_add(get(b, &mut at));
            let data_offset = prev.data_offset.wrapping_add(get(b, &mut at));
            let ts = Timestamp(prev.ts.0.wrapping_add(get_signed(b, &mut at)));
            let captured_len = get(b, &mut at) as u32;
            let orig_len = (i64::from(captured_len) + get_signed(b, &mut at)) as u32;
            let link = LinkType(get(b, &mut at) as u32);
            let conn = ConnId((i64::from(prev.conn.0) + get_signed(b, &mut at)) as u32);
            prev = IndexedFrame {
                number,
                data_offset,
                ts,
                captured_len,
                orig_len,
                link,
                conn,
            };
            let mut f = prev;
            if f.conn == UNOWNED {
                f.conn = *self.owners.get(&place)?;
            }
            Some(f)
        })
    }

    fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }
}

fn put(b: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        b.push((n as u8) | 0x80);
        n >>= 7;
    }
    b.push(n as u8);
}

fn put_signed(b: &mut Vec<u8>, n: i64) {
    put(b, ((n << 1) ^ (n >> 63)) as u64);
}

/// Reads what [`put`] wrote; the bytes are the index's own.
fn get(b: &[u8], at: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let byte = b[*at];
        *at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return n;
        }
        shift += 7;
    }
}

fn get_signed(b: &[u8], at: &mut usize) -> i64 {
    let z = get(b, at);
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

/// A plain capture scanned once: its TCP frames' places, its connections, its notes.
pub struct CaptureIndex {
    file: CaptureFile,
    /// The capture's first frame's time (`t = 0` of a whole-file timeline).
    origin: Option<Timestamp>,
    frames: PackedFrames,
    connections: ConnectionList,
    /// Per connection: its first segment reused an earlier connection's 4-tuple.
    reopened: Vec<bool>,
    notes: Vec<ScanNote>,
    /// The damaged tail's message, if the read stopped early, then the reader's notes.
    warnings: Vec<String>,
}

impl std::fmt::Debug for CaptureIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureIndex")
            .field("path", &self.file.path())
            .field("frames", &self.frames.len())
            .field("connections", &self.connections.len())
            .finish()
    }
}

impl CaptureIndex {
    /// Read `path` front to back once, calling `progress` now and then with the bytes read.
    ///
    /// A damaged record stops the read: the frames before it are indexed, and the damage
    /// becomes a note after the last frame (and a warning).
    pub fn scan(path: &Path, mut progress: impl FnMut(u64)) -> Result<Self, FileError> {
        let mut file = CaptureFile::open(path)?;
        let mut tracker = Tracker::new();
        let mut frames = PackedFrames::default();
        let mut notes = Vec::new();
        let mut reopened = Vec::new();
        let mut warnings = Vec::new();
        let mut origin = None;
        let mut last: Option<(u64, Timestamp)> = None;
        let mut decode_note_given = false;
        // Reassembles IP fragments and knows each frame's original length, as `inspect` does.
        let mut decoder = Decoder::new();
        let mut lab_events = 0u64;
        loop {
            let (frame, at) = match file.next_frame() {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(err @ FileError::Damaged { .. }) => {
                    if let Some((after, at)) = last {
                        notes.push(ScanNote {
                            after,
                            at,
                            text: err.to_string(),
                        });
                    }
                    warnings.push(err.to_string());
                    break;
                }
                Err(err) => return Err(err),
            };
            if frame.number % 4096 == 1 {
                progress(at.data_offset);
            }
            // A sockviz recording's calls, probes and notes: not wire. (A recording too large to
            // be held whole is read as a capture: crate::record::reader::is_recording.)
            if frame.link == LAB_EVENTS_LINK {
                lab_events += 1;
                continue;
            }
            origin.get_or_insert(frame.ts);
            last = Some((frame.number, frame.ts));
            let indexed = |conn| IndexedFrame {
                number: frame.number,
                data_offset: at.data_offset,
                ts: at.ts,
                captured_len: at.captured_len,
                orig_len: at.orig_len,
                link: at.link,
                conn,
            };
            // The same decoding and the same single note as `Timeline::push`. A fragment is
            // indexed under its place, owned by no connection until its datagram completes.
            let place = Some(frames.entries);
            let seg = match decoder.decode_tagged(
                place,
                frame.link,
                frame.data,
                frame.orig_len,
                frame.ts,
            ) {
                Ok(Decoded::Tcp(seg)) => seg,
                Ok(Decoded::NotTcp) => {
                    if decoder.last_held_fragment() {
                        frames.push(indexed(UNOWNED));
                    }
                    continue;
                }
                Err(err) => {
                    if !decode_note_given {
                        decode_note_given = true;
                        notes.push(ScanNote {
                            after: frame.number - 1,
                            at: frame.ts,
                            text: crate::tr!(
                                "wire.index.not_decoded",
                                frame = frame.number,
                                error = err
                            ),
                        });
                    }
                    continue;
                }
            };
            let info = tracker.push(frame.ts, frame.orig_len, &seg);
            if tracker.connections().len() > reopened.len() {
                reopened.push(info.analysis.contains(Analysis::REUSED_PORTS));
            }
            // The fragments this segment was rebuilt from are read back with its connection.
            for &place in decoder.reassembled_from() {
                frames.owners.insert(place, info.conn);
            }
            frames.push(indexed(info.conn));
        }
        // Fragments of datagrams that never completed or carried no TCP are left out.
        if frames.held_fragments {
            frames.unowned = frames.entries - frames.iter().count() as u64;
        }
        warnings.extend(file.warnings().iter().cloned());
        if lab_events > 0 {
            warnings.push(crate::tr!("wire.index.lab_events", n = lab_events));
        }
        frames.shrink_to_fit();
        Ok(CaptureIndex {
            file,
            origin,
            frames,
            connections: tracker.into_connections(),
            reopened,
            notes,
            warnings,
        })
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The first frame's time; `None` for a capture without frames.
    pub fn origin(&self) -> Option<Timestamp> {
        self.origin
    }

    /// Every TCP connection, in order of first appearance (as `inspect` lists them).
    pub fn connections(&self) -> &ConnectionList {
        &self.connections
    }

    /// Every TCP frame (and IP fragment of a TCP segment), in capture order.
    pub fn frames(&self) -> &PackedFrames {
        &self.frames
    }

    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Connection `conn`'s segments read back from the file, as a timeline starting at
    /// `origin`, with the capture's frame numbers and connection id; with `notes`, the scan's
    /// notes too (where a damaged file stopped, the first undecodable frame).
    ///
    /// Like [`Timeline::narrowed`], the result has no connections of its own and counts the
    /// frames it kept.
    pub fn load(
        &self,
        conn: ConnId,
        origin: Timestamp,
        notes: bool,
    ) -> Result<Timeline, FileError> {
        let mut fresh = Timeline::new(origin);
        let mut buf = Vec::new();
        let mut pending = self.notes.iter().filter(|_| notes).peekable();
        let reopened = self.reopened.get(conn.0 as usize).copied().unwrap_or(false);
        for f in self.frames.iter().filter(|f| f.conn == conn) {
            while let Some(n) = pending.next_if(|n| n.after < f.number) {
                fresh.push_note(n.at, n.text.clone());
            }
            let data = self.file.read_frame(&f.frame_ref(), &mut buf)?;
            fresh.push_numbered_frame(
                f.number,
                OwnedFrame {
                    ts: f.ts,
                    link: f.link,
                    orig_len: f.orig_len,
                    data: data.to_vec(),
                },
            );
        }
        for n in pending {
            fresh.push_note(n.at, n.text.clone());
        }
        let mut part = fresh.detached(conn);
        // The first segment (not an earlier fragment of a reassembled one).
        let first = part
            .events
            .iter()
            .filter_map(|ev| match &ev.kind {
                EventKind::Segment(s) => Some(s.number),
                _ => None,
            })
            .min();
        if let (true, Some(first)) = (reopened, first) {
            for ev in &mut part.events {
                if let EventKind::Segment(s) = &mut ev.kind
                    && s.number == first
                {
                    s.analysis |= Analysis::REUSED_PORTS;
                }
            }
        }
        Ok(part)
    }
}

impl Timeline {
    fn push_note(&mut self, at: Timestamp, text: String) {
        self.insert(Event {
            at,
            kind: EventKind::Note(text),
        });
    }

    /// Push a frame under its number in the capture rather than the next one here.
    fn push_numbered_frame(&mut self, number: u64, frame: OwnedFrame) {
        self.frames = number - 1;
        self.push_frame(frame);
    }

    /// This timeline's events without its tracker, every segment under connection `conn`, as
    /// [`Timeline::narrowed`] would have cut them out of the whole file.
    fn detached(self, conn: ConnId) -> Timeline {
        let mut part = Timeline::new(self.origin);
        part.events = self.events;
        for ev in &mut part.events {
            if let EventKind::Segment(s) = &mut ev.kind {
                s.conn = conn;
                part.frames += 1;
            }
        }
        part
    }
}
