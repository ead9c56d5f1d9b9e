//! The scan's reading half: frames read from the file and decoded, in batches, on a thread of
//! its own while the calling thread feeds the tracker ([`super::CaptureIndex::scan`]).
//!
//! Reading and decoding a frame costs about half what tracking its segment does (a million
//! connections: ~30% of the scan's CPU time against ~70%), so on two cores the two halves
//! overlap and the capture is listed in the time the tracker alone takes. What crosses between the threads is what the tracker
//! and the index need and nothing else: the frame's place in the file and its decoded
//! [`Segment`] with the payload bytes left behind (the tracker counts `payload_len`, never
//! reads the bytes). Batches are recycled, so the pipeline allocates a handful of them in all,
//! not one per frame.
//!
//! The same [`FrameReader`] and batches serve the single-threaded scan, which
//! [`super::CaptureIndex::scan_in_one_thread`] keeps as the reference the pipelined one is
//! tested against (and the fallback when no thread can be started).

use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use crate::capture::{CaptureFile, FileError, Timestamp};
use crate::wire::{Decoded, Decoder, Segment};

use super::packed::PlaceColumn;
use super::{IndexedFrame, LAB_EVENTS_LINK, ScanNote, UNOWNED};

/// Frames per batch: enough that handing a batch over costs nothing per frame, few enough that
/// one batch (about 170 bytes a frame, 350 KB) stays in a core's cache while it is written.
const BATCH: usize = 2048;

/// Batches the reading thread may have written ahead of the tracker: about 12 ms of the
/// tracker's work (6 MB), so that on a busy machine the tracker does not wait each time the
/// reading thread waits for a core.
const AHEAD: usize = 16;

/// What the tracker needs of one frame the index keeps (its place is written by the reading
/// thread): its segment, or `None` for an IP fragment held until its datagram completes.
pub(super) struct ScannedFrame {
    pub ts: Timestamp,
    /// The frame's length on the wire.
    pub orig_len: u32,
    pub segment: Option<Segment<'static>>,
}

/// Frames in capture order, with what the tracker's thread does beside tracking them.
#[derive(Default)]
pub(super) struct Batch {
    pub frames: Vec<ScannedFrame>,
    /// (frame in this batch, index place of a fragment it was rebuilt from), in frame order.
    pub rebuilt_from: Vec<(usize, u64)>,
    /// Bytes read so far, for the progress callback.
    pub progress: Vec<u64>,
}

impl Batch {
    fn new() -> Self {
        Batch {
            frames: Vec::with_capacity(BATCH),
            ..Batch::default()
        }
    }

    fn clear(&mut self) {
        self.frames.clear();
        self.rebuilt_from.clear();
        self.progress.clear();
    }
}

/// What the reading half found besides the frames, handed over once the file is read.
pub(super) struct ReadEnd {
    pub file: CaptureFile,
    /// Where each frame of the batches is, in the same order.
    pub places: PlaceColumn,
    /// The first frame's time (lab events aside).
    pub origin: Option<Timestamp>,
    pub notes: Vec<ScanNote>,
    /// The damaged tail's message, if the read stopped early, then the reader's notes.
    pub warnings: Vec<String>,
}

/// Reads and decodes frames front to back into batches.
pub(super) struct FrameReader {
    file: CaptureFile,
    /// Reassembles IP fragments and knows each frame's original length, as `inspect` does.
    decoder: Decoder,
    origin: Option<Timestamp>,
    /// The last frame read (lab events aside): where a damaged tail's note goes.
    last: Option<(u64, Timestamp)>,
    decode_note_given: bool,
    lab_events: u64,
    /// Where each frame handed out is (its length is the next frame's place).
    places: PlaceColumn,
    notes: Vec<ScanNote>,
    warnings: Vec<String>,
    done: bool,
}

impl FrameReader {
    pub fn new(file: CaptureFile) -> Self {
        FrameReader {
            file,
            decoder: Decoder::new(),
            origin: None,
            last: None,
            decode_note_given: false,
            lab_events: 0,
            places: PlaceColumn::default(),
            notes: Vec::new(),
            warnings: Vec::new(),
            done: false,
        }
    }

    /// Append up to [`BATCH`] frames to `batch`; `Ok(false)` once the file is read to its end
    /// (or to the damage that stops it, which becomes a note and a warning).
    pub fn fill(&mut self, batch: &mut Batch) -> Result<bool, FileError> {
        while !self.done && batch.frames.len() < BATCH {
            let (frame, at) = match self.file.next_frame() {
                Ok(Some(next)) => next,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(err @ FileError::Damaged { .. }) => {
                    if let Some((after, at)) = self.last {
                        self.notes.push(ScanNote {
                            after,
                            at,
                            text: err.to_string(),
                        });
                    }
                    self.warnings.push(err.to_string());
                    self.done = true;
                    break;
                }
                Err(err) => return Err(err),
            };
            if frame.number % 4096 == 1 {
                batch.progress.push(at.data_offset);
            }
            // A sockviz recording's calls, probes and notes: not wire. (A recording too large
            // to be held whole is read as a capture: crate::record::reader::is_recording.)
            if frame.link == LAB_EVENTS_LINK {
                self.lab_events += 1;
                continue;
            }
            self.origin.get_or_insert(frame.ts);
            self.last = Some((frame.number, frame.ts));
            let indexed = IndexedFrame {
                number: frame.number,
                data_offset: at.data_offset,
                ts: at.ts,
                captured_len: at.captured_len,
                orig_len: at.orig_len,
                link: at.link,
                conn: UNOWNED,
            };
            // The same decoding and the same single note as `Timeline::push`. A fragment is
            // indexed under its place, owned by no connection until its datagram completes.
            let place = Some(self.places.len());
            let decoded =
                self.decoder
                    .decode_tagged(place, frame.link, frame.data, frame.orig_len, frame.ts);
            let segment = match decoded {
                Ok(Decoded::Tcp(seg)) => Some(Segment {
                    payload: &[],
                    ..seg
                }),
                Ok(Decoded::NotTcp) => None,
                Err(err) => {
                    if !self.decode_note_given {
                        self.decode_note_given = true;
                        self.notes.push(ScanNote {
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
            if segment.is_none() && !self.decoder.last_held_fragment() {
                continue;
            }
            // The fragments a segment was rebuilt from are read back with its connection.
            let n = batch.frames.len();
            for &from in self
                .decoder
                .reassembled_from()
                .iter()
                .filter(|_| segment.is_some())
            {
                batch.rebuilt_from.push((n, from));
            }
            self.places.push(&indexed);
            batch.frames.push(ScannedFrame {
                ts: frame.ts,
                orig_len: frame.orig_len,
                segment,
            });
        }
        Ok(!self.done)
    }

    /// The file (for reading frames back) and what was found besides the frames.
    pub fn finish(mut self) -> ReadEnd {
        self.warnings.extend(self.file.warnings().iter().cloned());
        if self.lab_events > 0 {
            self.warnings
                .push(crate::tr!("wire.index.lab_events", n = self.lab_events));
        }
        ReadEnd {
            file: self.file,
            places: self.places,
            origin: self.origin,
            notes: self.notes,
            warnings: self.warnings,
        }
    }
}

/// Every batch of `reader`, one after the other, in the calling thread.
pub(super) fn in_one_thread(
    mut reader: FrameReader,
    mut take: impl FnMut(&Batch),
) -> Result<ReadEnd, FileError> {
    let mut batch = Batch::new();
    loop {
        let more = reader.fill(&mut batch)?;
        take(&batch);
        batch.clear();
        if !more {
            return Ok(reader.finish());
        }
    }
}

/// What the reading thread sends.
enum Message {
    Batch(Batch),
    /// The last message: the read's end, or the error that stopped it.
    End(Box<Result<ReadEnd, FileError>>),
}

/// The reading half on a thread of its own, `AHEAD` batches at most ahead of the caller.
///
/// Dropping it early (the caller stopped, or panicked while tracking) ends the thread: its next
/// hand-over finds no one to take it and it returns, without a panic.
pub(super) struct ReadAhead {
    /// `None` once dropped (first, so the thread stops waiting to send).
    batches: Option<Receiver<Message>>,
    recycle: Sender<Batch>,
    thread: Option<JoinHandle<()>>,
}

impl ReadAhead {
    /// Start reading on a new thread; gives `reader` back if no thread could be started.
    pub fn start(reader: FrameReader) -> Result<Self, Box<FrameReader>> {
        let (to_tracker, batches) = mpsc::sync_channel(AHEAD);
        let (recycle, recycled) = mpsc::channel::<Batch>();
        // The reader is handed over once the thread exists, so a failed start gives it back.
        let (give, given) = mpsc::sync_channel::<FrameReader>(1);
        let spawned = std::thread::Builder::new()
            .name("capture-read".into())
            .spawn(move || {
                if let Ok(reader) = given.recv() {
                    read_batches(reader, &to_tracker, &recycled);
                }
            });
        let Ok(thread) = spawned else {
            return Err(Box::new(reader));
        };
        let mut ahead = ReadAhead {
            batches: Some(batches),
            recycle,
            thread: Some(thread),
        };
        if let Err(mpsc::SendError(reader)) = give.send(reader) {
            ahead.batches = None;
            ahead.thread = None;
            return Err(Box::new(reader));
        }
        Ok(ahead)
    }

    /// Hand every batch to `take`, in order, then the read's end.
    pub fn run(mut self, mut take: impl FnMut(&Batch)) -> Result<ReadEnd, FileError> {
        let batches = self.batches.as_ref().expect("taken only when dropped");
        loop {
            match batches.recv() {
                Ok(Message::Batch(mut batch)) => {
                    take(&batch);
                    batch.clear();
                    // The thread may be done with batches already: nothing to give back to.
                    let _ = self.recycle.send(batch);
                }
                Ok(Message::End(end)) => return *end,
                // The thread ended without its last message: it panicked. Pass the panic on,
                // as a scan in one thread would have.
                Err(mpsc::RecvError) => {
                    self.batches = None;
                    if let Some(Err(panic)) = self.thread.take().map(JoinHandle::join) {
                        std::panic::resume_unwind(panic);
                    }
                    unreachable!("the reading thread sends its end unless it panics");
                }
            }
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // The receiver first: a thread blocked handing over a batch wakes up and returns.
        self.batches = None;
        if let Some(thread) = self.thread.take() {
            // Its panic, if any, was passed on by `run` already or is moot now.
            let _ = thread.join();
        }
    }
}

/// The reading thread: batches until the end, an error, or no one left to take them.
fn read_batches(
    mut reader: FrameReader,
    to_tracker: &SyncSender<Message>,
    recycled: &Receiver<Batch>,
) {
    loop {
        let mut batch = recycled.try_recv().unwrap_or_else(|_| Batch::new());
        match reader.fill(&mut batch) {
            Ok(true) => {
                if to_tracker.send(Message::Batch(batch)).is_err() {
                    return;
                }
            }
            Ok(false) => {
                if to_tracker.send(Message::Batch(batch)).is_ok() {
                    let _ = to_tracker.send(Message::End(Box::new(Ok(reader.finish()))));
                }
                return;
            }
            Err(err) => {
                let _ = to_tracker.send(Message::End(Box::new(Err(err))));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pcap of `n` TCP SYNs (Ethernet, IPv4), each from its own port.
    fn syns(n: u32) -> Vec<u8> {
        let mut b = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&65_535u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        for i in 0..n {
            let mut frame = vec![0u8; 12];
            frame.extend_from_slice(&[0x08, 0x00]);
            frame.extend_from_slice(&[0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0]);
            frame.extend_from_slice(&[11, 0, 0, 1, 10, 0, 0, 1]);
            frame.extend_from_slice(&(10_000 + (i % 50_000) as u16).to_be_bytes());
            frame.extend_from_slice(&80u16.to_be_bytes());
            frame
                .extend_from_slice(&[0, 0, 3, 232, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]);
            b.extend_from_slice(&1_700_000_000u32.to_le_bytes());
            b.extend_from_slice(&i.to_le_bytes());
            b.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            b.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            b.extend_from_slice(&frame);
        }
        b
    }

    fn reader(frames: u32) -> FrameReader {
        let file = CaptureFile::from_bytes("syns.pcap", syns(frames)).expect("a pcap");
        FrameReader::new(file)
    }

    #[test]
    fn every_frame_comes_through_in_order_then_the_end() {
        let ahead = ReadAhead::start(reader(5 * BATCH as u32 + 7)).unwrap_or_else(|_| {
            panic!("a thread starts");
        });
        let mut seen = Vec::new();
        let end = ahead
            .run(|batch| seen.extend(batch.frames.iter().map(|f| f.ts)))
            .expect("reads to the end");
        assert_eq!(seen.len(), 5 * BATCH + 7);
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "in capture order");
        assert_eq!(end.places.len(), seen.len() as u64);
    }

    #[test]
    fn dropped_after_one_batch_the_reading_thread_returns() {
        // More batches than may wait: the thread is blocked handing one over when dropped.
        let mut ahead = ReadAhead::start(reader(3 * AHEAD as u32 * BATCH as u32))
            .unwrap_or_else(|_| panic!("a thread starts"));
        let first = ahead.batches.as_ref().map(|b| b.recv());
        assert!(matches!(first, Some(Ok(Message::Batch(_)))));
        let thread = ahead.thread.take().expect("running");
        ahead.thread = None;
        drop(ahead);
        // Joined without a panic: the thread saw no one left to hand batches to.
        assert!(thread.join().is_ok());
    }
}
