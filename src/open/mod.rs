//! Opening a file: the one way a path becomes something to show, for the screens
//! (`sockviz replay`), `replay --headless`, `export` and `inspect`.
//!
//! A [`SourceFile`] is a path whose header was read and whose kind is known: a sockviz
//! recording (socket calls and probes beside the packets) or a plain capture (the wire only).
//! [`SourceFile::scan`] reads it through once and lists its connections (the picker's rows);
//! [`Scanned::play`] prepares what the screens play, all of it or one connection, without
//! reading the file again for a recording; [`SourceFile::transcript`] prepares what the
//! headless replay prints. Every read reports its progress (bytes read) to a callback, which
//! [`LoadProgress`] turns into the loading screen's percentage.

mod capture;
mod progress;
pub mod select;

use std::path::{Path, PathBuf};

use crate::capture::Timestamp;
use crate::capture::{CaptureFile, FileError};
use crate::record::headless::Loaded;
use crate::record::reader::{self, Recording};
use crate::tcp::ConnectionList;
use crate::timeline::capture_index::CaptureIndex;
use crate::timeline::playback::{PlaybackIndex, SocketInfo};
use crate::timeline::{ByteMap, Timeline};

pub use progress::LoadProgress;

/// Why a file cannot be played.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{}", crate::tr!("err.open.no_connection", path = .path))]
    NoConnection { path: String },
    #[error("{}", crate::tr!("err.open.no_such_connection", path = .path, count = .count, asked = .asked))]
    NoSuchConnection {
        path: String,
        count: usize,
        asked: usize,
    },
}

/// What the screens and the exports play: a recording (whole, or one connection with its
/// sockets' calls) or one connection of a capture.
#[derive(Debug)]
pub struct Replay {
    pub timeline: Timeline,
    /// A capture's two endpoints, marked `inferred` (no probe saw them); a recording's sockets
    /// known from their calls.
    pub sockets: Vec<SocketInfo>,
    pub connections: usize,
    /// The connection shown (0-based); `None` when a recording plays whole.
    pub conn: Option<usize>,
    /// What did not read cleanly (a damaged or cut tail), for the screen to say at once.
    pub warnings: Vec<String>,
}

impl Replay {
    /// The playback index with the replay's sockets as its sockets.
    pub fn index(&self) -> PlaybackIndex {
        let mut idx = PlaybackIndex::build(self.timeline.events());
        idx.set_sockets(self.sockets.clone());
        idx
    }
}

/// A replay with its index and byte map built: the linear work done before the UI gets it.
#[derive(Debug)]
pub struct LoadedReplay {
    pub replay: Replay,
    pub index: PlaybackIndex,
    pub bytemap: ByteMap,
}

impl LoadedReplay {
    pub fn prepare(replay: Replay) -> Self {
        let index = replay.index();
        let bytemap = replay.timeline.byte_map();
        LoadedReplay {
            replay,
            index,
            bytemap,
        }
    }
}

/// A file whose header has been read and whose kind is known; nothing else read yet.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    recording: bool,
}

impl SourceFile {
    /// Open `path`: a missing or unreadable file, or one that is no capture, fails here
    /// (cheap: the header and the first few records), before any screen is taken.
    pub fn open(path: &Path) -> Result<Self, FileError> {
        CaptureFile::open(path)?;
        Ok(SourceFile {
            path: path.to_path_buf(),
            recording: reader::is_recording(path)?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A sockviz recording (calls and probes), not a plain capture.
    pub fn is_recording(&self) -> bool {
        self.recording
    }

    /// Its frames, front to back (`inspect` reads them through its own counters).
    pub fn frames(&self) -> Result<CaptureFile, FileError> {
        CaptureFile::open(&self.path)
    }

    /// Read the file through once, reporting the bytes read so far to `progress`: a recording
    /// is small and held whole; a capture is held as its compact index, and the connection
    /// chosen is read back from the file by [`Scanned::play`].
    pub fn scan(&self, progress: impl FnMut(u64)) -> Result<Scanned, OpenError> {
        if self.recording {
            return Ok(Scanned::Recording(Box::new(reader::load(
                &self.path, progress,
            )?)));
        }
        Ok(Scanned::Capture(Box::new(capture::read_all(
            &self.path, progress,
        )?)))
    }

    /// What the screens play for `conn` (`None`: a recording whole, a capture's first).
    pub fn load(
        &self,
        conn: Option<usize>,
        progress: impl FnMut(u64),
    ) -> Result<Replay, OpenError> {
        self.scan(progress)?.play(&self.path, conn)
    }

    /// What `replay --headless` prints: a recording whole or narrowed to `conn`; a capture's
    /// every connection in one timeline, or connection `conn`.
    ///
    /// `--conn N` past the last connection is an error (the sentence the screens and `export`
    /// give), never the whole file.
    pub fn transcript(&self, conn: Option<usize>) -> Result<Loaded, OpenError> {
        let path = self.path.as_path();
        if self.recording {
            let mut recording = Box::new(reader::load(path, |_| {})?);
            let summary = crate::record::headless::lab_summary(&recording);
            let connections = recording.timeline.connections().len();
            // --conn narrows a recording to one connection; without it, the whole lab session.
            if let Some(n) = conn {
                recording.timeline = select::connection(&recording.timeline, n)
                    .ok_or_else(|| no_such(path, connections, n))?;
            }
            return Ok(Loaded::Recording {
                recording,
                summary,
                conn,
                connections,
            });
        }
        match conn {
            Some(n) => capture::one_for_transcript(path, n),
            None => capture::whole_wire(path),
        }
    }
}

/// Open `path` and read it through once (see [`SourceFile::scan`]).
pub fn scan(path: &Path, progress: impl FnMut(u64)) -> Result<Scanned, OpenError> {
    SourceFile::open(path)?.scan(progress)
}

/// Open `path` and load what the screens play for `conn` (see [`SourceFile::load`]).
pub fn load(path: &Path, conn: Option<usize>) -> Result<Replay, OpenError> {
    SourceFile::open(path)?.load(conn, |_| {})
}

/// A file read once with every connection in it: the picker lists them, then
/// [`Scanned::play`] takes the one chosen without scanning the file again.
#[derive(Debug)]
pub enum Scanned {
    /// A recording's whole session (calls and probes included).
    Recording(Box<Recording>),
    /// A plain capture's every connection (wire only), indexed, not loaded.
    Capture(Box<CaptureIndex>),
}

impl Scanned {
    pub fn is_recording(&self) -> bool {
        matches!(self, Scanned::Recording(_))
    }

    /// Every TCP connection, in order of first appearance (the picker's rows, `--conn`'s
    /// numbers).
    pub fn connections(&self) -> &ConnectionList {
        match self {
            Scanned::Recording(rec) => rec.timeline.connections(),
            Scanned::Capture(index) => index.connections(),
        }
    }

    /// The file's first frame's time, which connection start times count from.
    pub fn origin(&self) -> Timestamp {
        match self {
            Scanned::Recording(rec) => rec.timeline.origin(),
            Scanned::Capture(index) => index.origin().unwrap_or_default(),
        }
    }

    /// What did not read cleanly (a damaged or cut tail): the picker says it above the rows.
    pub fn warnings(&self) -> &[String] {
        match self {
            Scanned::Recording(rec) => &rec.warnings,
            Scanned::Capture(index) => index.warnings(),
        }
    }

    /// What the screens play for `conn` (`None`: a recording whole, a capture's first).
    pub fn play(self, path: &Path, conn: Option<usize>) -> Result<Replay, OpenError> {
        match self {
            Scanned::Recording(rec) => {
                let Recording {
                    timeline, warnings, ..
                } = *rec;
                recording_part(timeline, warnings, path, conn)
            }
            Scanned::Capture(index) => capture::one_connection(&index, path, conn),
        }
    }
}

/// Connection `conn` of a recording's timeline, or all of it; its sockets known from their
/// calls (not inferred).
fn recording_part(
    whole: Timeline,
    warnings: Vec<String>,
    path: &Path,
    conn: Option<usize>,
) -> Result<Replay, OpenError> {
    let connections = whole.connections().len();
    let timeline = match conn {
        Some(n) => select::connection(&whole, n).ok_or_else(|| no_such(path, connections, n))?,
        None => whole,
    };
    let index = PlaybackIndex::build(timeline.events());
    Ok(Replay {
        sockets: index.sockets().to_vec(),
        timeline,
        connections,
        conn,
        warnings,
    })
}

fn no_such(path: &Path, count: usize, asked: usize) -> OpenError {
    OpenError::NoSuchConnection {
        path: path.display().to_string(),
        count,
        asked,
    }
}
