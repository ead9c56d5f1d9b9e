//! A capture's compact per-packet index: where each TCP frame lives and which connection owns
//! it, so one connection can be loaded without holding a copy of every packet.
//!
//! `sockviz replay` must scale to captures larger than memory. The scan reads the file once,
//! front to back (as `inspect` does), and keeps only an [`IndexedFrame`] per TCP frame, packed
//! as differences from the frame before (about 10 bytes, `packed.rs`), plus the tracker's
//! connections in their compact form (the picker's rows). One thread reads and decodes while
//! the calling thread tracks (`read_ahead.rs`), so the picker of a big capture waits for the
//! tracker only. [`CaptureIndex::load`] then reads back, with positioned reads, the bytes of the
//! chosen connection's frames only and pushes them through a fresh [`Timeline`]. Wireshark's analysis of a connection depends on that connection's
//! segments alone, so the fresh tracker finds the same states and flags the scan did, with one
//! exception the index remembers: `tcp.analysis.reused_ports` on a connection's first SYN says
//! an earlier connection used the same 4-tuple, which a tracker fed one connection cannot see.

use std::path::Path;

use std::collections::HashMap;

use crate::capture::{CaptureFile, FileError, FrameRef, LinkType, Timestamp};
use crate::tcp::{Analysis, ConnId, ConnectionList, Tracker};

mod packed;
mod read_ahead;

use packed::ConnColumn;
pub use packed::PackedFrames;
use read_ahead::{Batch, FrameReader, ReadAhead, ReadEnd};

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
    ///
    /// The file is read and decoded on a thread of its own while this one tracks connections
    /// (`read_ahead.rs`); the result is the one [`CaptureIndex::scan_in_one_thread`] gives.
    pub fn scan(path: &Path, progress: impl FnMut(u64)) -> Result<Self, FileError> {
        Self::scan_file(CaptureFile::open(path)?, progress)
    }

    /// [`CaptureIndex::scan`] of a file already open (a stream, a capture held in memory).
    pub fn scan_file(file: CaptureFile, progress: impl FnMut(u64)) -> Result<Self, FileError> {
        let mut indexer = Indexer::new(progress);
        let end = match ReadAhead::start(FrameReader::new(file)) {
            Ok(ahead) => ahead.run(|batch| indexer.take(batch))?,
            Err(reader) => read_ahead::in_one_thread(*reader, |batch| indexer.take(batch))?,
        };
        Ok(indexer.finish(end))
    }

    /// [`CaptureIndex::scan_file`] reading, decoding and tracking in the calling thread: the
    /// reference the pipelined scan is tested against.
    pub fn scan_in_one_thread(
        file: CaptureFile,
        progress: impl FnMut(u64),
    ) -> Result<Self, FileError> {
        let mut indexer = Indexer::new(progress);
        let end = read_ahead::in_one_thread(FrameReader::new(file), |batch| indexer.take(batch))?;
        Ok(indexer.finish(end))
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

/// The scan's tracking half: each decoded frame's connection, the packed index, and which
/// connections reused an earlier one's 4-tuple.
struct Indexer<P> {
    progress: P,
    tracker: Tracker,
    /// Each frame's connection, in the order of the reading thread's places.
    conns: ConnColumn,
    /// Fragment entries (by place) that a later frame's datagram claimed for its connection.
    owners: HashMap<u64, ConnId>,
    /// Per connection: its first segment reused an earlier connection's 4-tuple.
    reopened: Vec<bool>,
}

impl<P: FnMut(u64)> Indexer<P> {
    fn new(progress: P) -> Self {
        Indexer {
            progress,
            tracker: Tracker::new(),
            conns: ConnColumn::default(),
            owners: HashMap::new(),
            reopened: Vec::new(),
        }
    }

    fn take(&mut self, batch: &Batch) {
        for &read in &batch.progress {
            (self.progress)(read);
        }
        let mut rebuilt = batch.rebuilt_from.iter().peekable();
        for (n, scanned) in batch.frames.iter().enumerate() {
            let Some(seg) = &scanned.segment else {
                self.conns.push(UNOWNED);
                continue;
            };
            let info = self.tracker.push(scanned.ts, scanned.orig_len, seg);
            if self.tracker.connections().len() > self.reopened.len() {
                self.reopened
                    .push(info.analysis.contains(Analysis::REUSED_PORTS));
            }
            // The fragments this segment was rebuilt from are read back with its connection.
            while let Some(&(_, place)) = rebuilt.next_if(|(at, _)| *at == n) {
                self.owners.insert(place, info.conn);
            }
            self.conns.push(info.conn);
        }
    }

    fn finish(self, end: ReadEnd) -> CaptureIndex {
        CaptureIndex {
            file: end.file,
            origin: end.origin,
            frames: PackedFrames::join(end.places, self.conns, self.owners),
            connections: self.tracker.into_connections(),
            reopened: self.reopened,
            notes: end.notes,
            warnings: end.warnings,
        }
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
