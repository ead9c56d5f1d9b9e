//! Writing a recording block by block, so a recording cut at any moment (Ctrl-C, SIGKILL, a
//! full disk) is a valid pcapng up to its last complete block.
//!
//! Each block is assembled in memory and handed to the kernel with one `write_all` on an
//! unbuffered `File`: once `write` returns the block is in the page cache and survives the
//! process being killed. (No `fsync`: surviving a power cut is not worth a disk flush per
//! probe.) The reader stops cleanly at a half-written last block.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::capture::LinkType;
use crate::output_file::Existing;
use crate::timeline::{CapturePoint, OwnedFrame, SourceEvent};

use super::format::{self, EVENTS_IF_NAME, EVENTS_LINK, Record};

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPT_END: u16 = 0;
const OPT_COMMENT: u16 = 1;
const OPT_SHB_USERAPPL: u16 = 4;
const OPT_IF_NAME: u16 = 2;
const OPT_IF_DESCRIPTION: u16 = 3;
const OPT_IF_TSRESOL: u16 = 9;
/// `if_tsresol` 9: timestamps count nanoseconds, the unit of [`crate::capture::Timestamp`].
const TSRESOL_NANOS: u8 = 9;

/// Why recording failed. The lab keeps running either way; the message is what it shows.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Create(crate::output_file::CreateError),
    #[error("{}", crate::tr!("err.record.disk_full", path = .path.display()))]
    DiskFull { path: PathBuf },
    /// The OS error is in the sentence and not a `source`, so it is printed once.
    #[error("{}", crate::tr!("err.record.write", path = .path.display(), error = .error))]
    Write { path: PathBuf, error: io::Error },
}

/// An open recording. After the first write error it stops writing (and says so once).
pub struct RecordingWriter {
    out: Box<dyn Write + Send>,
    path: PathBuf,
    /// Link type of each frame interface, by interface id (the events interface excluded).
    frame_ifaces: Vec<(LinkType, u32)>,
    /// Over a link: each capture point's interface id.
    point_ifaces: Vec<(CapturePoint, u32)>,
    next_iface: u32,
    stopped: bool,
    frames: u64,
    events: u64,
}

impl std::fmt::Debug for RecordingWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingWriter")
            .field("path", &self.path)
            .field("frames", &self.frames)
            .field("events", &self.events)
            .field("stopped", &self.stopped)
            .finish()
    }
}

impl RecordingWriter {
    /// Create `path` (never through a symbolic link; an existing file only with
    /// [`Existing::Replace`], crate::output_file) and write the section header, interface 0
    /// (`capture_link`, named `capture_if`, the lab's `lo`) and interface 1 (the lab's events).
    pub fn create(
        path: &Path,
        existing: Existing,
        capture_link: LinkType,
        capture_if: &str,
    ) -> Result<Self, RecordError> {
        let file =
            crate::output_file::create_streamed(path, existing).map_err(RecordError::Create)?;
        Self::to_writer(Box::new(file), path, capture_link, capture_if)
    }

    /// A recording under a name sockviz picks (Ctrl-R): `{stem}-{pid}.pcapng` in `dir`, always
    /// a new file.
    pub fn create_unique(
        dir: &Path,
        stem: &str,
        capture_link: LinkType,
        capture_if: &str,
    ) -> Result<Self, RecordError> {
        let (file, path) =
            crate::output_file::create_unique(dir, stem, "pcapng").map_err(RecordError::Create)?;
        Self::to_writer(Box::new(file), &path, capture_link, capture_if)
    }

    /// Record into any writer (tests); `path` is used in messages.
    pub fn to_writer(
        out: Box<dyn Write + Send>,
        path: &Path,
        capture_link: LinkType,
        capture_if: &str,
    ) -> Result<Self, RecordError> {
        let mut w = RecordingWriter {
            out,
            path: path.to_path_buf(),
            frame_ifaces: vec![(capture_link, 0)],
            point_ifaces: Vec::new(),
            next_iface: 2,
            stopped: false,
            frames: 0,
            events: 0,
        };
        w.write_block(&section_header())?;
        w.write_block(&interface(
            capture_link,
            capture_if,
            "the lab's captured frames",
        ))?;
        w.write_block(&interface(
            EVENTS_LINK,
            EVENTS_IF_NAME,
            "socket calls, probes and notes (docs/recording-format.md)",
        ))?;
        Ok(w)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a write failed and recording has stopped.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    pub fn frames_written(&self) -> u64 {
        self.frames
    }

    pub fn events_written(&self) -> u64 {
        self.events
    }

    /// Write one source event: a frame on its capture interface, anything else on interface 1.
    /// `Ok(())` once stopped: the error was reported when it happened.
    pub fn write(&mut self, ev: &SourceEvent) -> Result<(), RecordError> {
        match ev {
            SourceEvent::Frame(frame) => self.write_frame(frame),
            SourceEvent::LinkFrame { point, frame } => self.write_link_frame(*point, frame),
            other => match format::record_of(other) {
                Some(rec) => self.write_record(&rec),
                None => Ok(()),
            },
        }
    }

    /// A frame one of the link's capture points saw: each point has an interface of its own
    /// (`client0`, `server0`), declared with a record saying which point it is.
    pub fn write_link_frame(
        &mut self,
        point: CapturePoint,
        frame: &OwnedFrame,
    ) -> Result<(), RecordError> {
        if self.stopped {
            return Ok(());
        }
        let iface = match self.point_ifaces.iter().find(|(p, _)| *p == point) {
            Some((_, id)) => *id,
            None => {
                let id = self.next_iface;
                self.next_iface += 1;
                self.point_ifaces.push((point, id));
                let (name, what) = match point {
                    CapturePoint::Client => ("client0", "the client host's side of the link"),
                    CapturePoint::Server => ("server0", "the server host's side of the link"),
                };
                self.write_block(&interface(frame.link, name, what))?;
                self.write_record(&Record::CapturePoint {
                    at: frame.ts.0,
                    iface: id,
                    point: point.name().to_string(),
                })?;
                id
            }
        };
        self.write_packet(iface, frame)
    }

    pub fn write_frame(&mut self, frame: &OwnedFrame) -> Result<(), RecordError> {
        if self.stopped {
            return Ok(());
        }
        let iface = match self.frame_ifaces.iter().find(|(l, _)| *l == frame.link) {
            Some((_, id)) => *id,
            None => {
                // A second link type (never in the lab; possible for other sources): its own
                // interface, declared before its first packet as §4.2 requires.
                let id = self.next_iface;
                self.next_iface += 1;
                self.frame_ifaces.push((frame.link, id));
                self.write_block(&interface(frame.link, "capture", "captured frames"))?;
                id
            }
        };
        self.write_packet(iface, frame)
    }

    fn write_packet(&mut self, iface: u32, frame: &OwnedFrame) -> Result<(), RecordError> {
        let block = packet(
            iface,
            frame.ts.0,
            &frame.data,
            frame.orig_len.max(frame.data.len() as u32),
            None,
        );
        self.write_block(&block)?;
        self.frames += 1;
        Ok(())
    }

    pub fn write_record(&mut self, rec: &Record) -> Result<(), RecordError> {
        if self.stopped {
            return Ok(());
        }
        let payload = format::encode(rec);
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        let block = packet(
            1,
            format::record_time(rec),
            &payload,
            len,
            Some(&format::comment(rec)),
        );
        self.write_block(&block)?;
        self.events += 1;
        Ok(())
    }

    fn write_block(&mut self, block: &[u8]) -> Result<(), RecordError> {
        let result = self.out.write_all(block).and_then(|()| self.out.flush());
        result.map_err(|source| {
            self.stopped = true;
            if source.raw_os_error() == Some(libc::ENOSPC)
                || source.kind() == io::ErrorKind::StorageFull
            {
                RecordError::DiskFull {
                    path: self.path.clone(),
                }
            } else {
                RecordError::Write {
                    path: self.path.clone(),
                    error: source,
                }
            }
        })
    }
}

/// Options are `code, length, value, padding to 32 bits` (§3.5), ended by `opt_endofopt`.
fn push_option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    // Options longer than 65535 bytes are cut: only comments could be, and a comment that long
    // is no longer a line a person reads.
    let value = &value[..value.len().min(usize::from(u16::MAX))];
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&(value.len() as u16).to_le_bytes());
    body.extend_from_slice(value);
    pad(body);
}

fn pad(body: &mut Vec<u8>) {
    while body.len() % 4 != 0 {
        body.push(0);
    }
}

/// `type, total length, body, total length` (§3.1), little-endian throughout.
fn block(kind: u32, body: &[u8]) -> Vec<u8> {
    let total = (body.len() + 12) as u32;
    let mut out = Vec::with_capacity(total as usize);
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&total.to_le_bytes());
    out
}

/// §4.1: version 1.0, section length unknown (-1: the file grows as the lab runs).
fn section_header() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes());
    push_option(&mut body, OPT_SHB_USERAPPL, format::user_appl().as_bytes());
    push_option(&mut body, OPT_END, &[]);
    block(SHB, &body)
}

/// §4.2: snaplen 0 (no limit), nanosecond timestamps.
fn interface(link: LinkType, name: &str, description: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&(link.0 as u16).to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&0u32.to_le_bytes());
    push_option(&mut body, OPT_IF_NAME, name.as_bytes());
    push_option(&mut body, OPT_IF_DESCRIPTION, description.as_bytes());
    push_option(&mut body, OPT_IF_TSRESOL, &[TSRESOL_NANOS]);
    push_option(&mut body, OPT_END, &[]);
    block(IDB, &body)
}

/// §4.3: an Enhanced Packet Block, with an `opt_comment` when given.
fn packet(iface: u32, ts_ns: i64, data: &[u8], orig_len: u32, comment: Option<&str>) -> Vec<u8> {
    let ticks = u64::try_from(ts_ns).unwrap_or(0);
    let mut body = Vec::with_capacity(data.len() + 64);
    body.extend_from_slice(&iface.to_le_bytes());
    body.extend_from_slice(&((ticks >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(ticks as u32).to_le_bytes());
    body.extend_from_slice(&(data.len() as u32).to_le_bytes());
    body.extend_from_slice(&orig_len.to_le_bytes());
    body.extend_from_slice(data);
    pad(&mut body);
    if let Some(text) = comment {
        push_option(&mut body, OPT_COMMENT, text.as_bytes());
        push_option(&mut body, OPT_END, &[]);
    }
    block(EPB, &body)
}
