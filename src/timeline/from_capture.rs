//! A timeline from a capture file: the wire only, one connection (what `sockviz replay` shows).
//!
//! The file is scanned once into a [`CaptureIndex`] (where each TCP frame lives, which
//! connection owns it); the chosen connection's frames are then read back and go through
//! [`Timeline::push`], so states and analysis are the same as `inspect`'s and the live lab's.

use std::path::Path;

use crate::capture::FileError;

use super::capture_index::CaptureIndex;
use super::playback::{PlaybackIndex, SocketInfo};
use super::{Side, SocketId, Timeline};

/// Why a capture cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(
        "{path} holds no TCP connection to replay; `sockviz inspect {path}` lists what it holds"
    )]
    NoConnection { path: String },
    #[error("{path} has {count} TCP connection(s); --conn {asked} is not one of them (0-based)")]
    NoSuchConnection {
        path: String,
        count: usize,
        asked: usize,
    },
}

/// One connection of a capture, ready to play.
#[derive(Debug)]
pub struct Replay {
    pub timeline: Timeline,
    /// The two endpoints, marked `inferred`: no probe saw them.
    pub sockets: Vec<SocketInfo>,
    pub connections: usize,
    /// The connection shown (0-based); `None` when a recording plays whole.
    pub conn: Option<usize>,
    /// What did not read cleanly (a damaged or cut tail), for the screen to say at once.
    pub warnings: Vec<String>,
}

/// Read `path` and keep connection `conn` (0-based, in order of first appearance; 0 when
/// `None`).
pub fn load(path: &Path, conn: Option<usize>) -> Result<Replay, ReplayError> {
    load_with_progress(path, conn, |_| {})
}

/// [`load`], calling `progress` now and then with the bytes read so far (the loading screen's
/// percentage).
pub fn load_with_progress(
    path: &Path,
    conn: Option<usize>,
    progress: impl FnMut(u64),
) -> Result<Replay, ReplayError> {
    one_connection(&read_all(path, progress)?, path, conn)
}

/// Every connection of `path`, scanned once into a compact index: the picker lists them, then
/// [`one_connection`] reads back the frames of the one chosen, and only those.
pub fn read_all(path: &Path, progress: impl FnMut(u64)) -> Result<CaptureIndex, ReplayError> {
    let index = CaptureIndex::scan(path, progress)?;
    if index.origin().is_none() {
        return Err(ReplayError::NoConnection {
            path: path.display().to_string(),
        });
    }
    Ok(index)
}

/// Connection `conn` (0 when `None`) out of a capture scanned by [`read_all`], its frames read
/// back from the file.
pub fn one_connection(
    all: &CaptureIndex,
    path: &Path,
    conn: Option<usize>,
) -> Result<Replay, ReplayError> {
    let name = path.display().to_string();
    let count = all.connections().len();
    if count == 0 {
        return Err(ReplayError::NoConnection { path: name });
    }
    let asked = conn.unwrap_or(0);
    let Some(chosen) = all.connections().get(asked) else {
        return Err(ReplayError::NoSuchConnection {
            path: name,
            count,
            asked,
        });
    };
    let (client, server) = (chosen.client, chosen.server);
    // Notes in a plain capture say where a damaged file stopped: every connection needs them.
    let timeline = all.load(chosen.id, chosen.first_ts, true)?;
    let sockets = vec![
        SocketInfo {
            id: SocketId(1),
            side: Side::Client,
            local: Some(client),
            remote: Some(server),
            born: 0,
            closed: None,
            inferred: true,
        },
        SocketInfo {
            id: SocketId(2),
            side: Side::Server,
            local: Some(server),
            remote: Some(client),
            born: 0,
            closed: None,
            inferred: true,
        },
    ];
    Ok(Replay {
        timeline,
        sockets,
        connections: count,
        conn: Some(asked),
        warnings: all.warnings().to_vec(),
    })
}

impl Replay {
    /// The playback index with the capture's endpoints as its sockets.
    pub fn index(&self) -> PlaybackIndex {
        let mut idx = PlaybackIndex::build(self.timeline.events());
        idx.set_sockets(self.sockets.clone());
        idx
    }
}
