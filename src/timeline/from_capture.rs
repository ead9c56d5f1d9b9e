//! A timeline from a capture file: the wire only, one connection (what `sockviz replay` shows).
//!
//! Frames go through [`Timeline::push`], so states and analysis are the same as `inspect`'s and
//! the live lab's; then the chosen connection's segments are copied to a timeline of their own.

use std::path::Path;

use crate::capture::{CaptureFile, FileError};

use super::playback::{PlaybackIndex, SocketInfo};
use super::{EventKind, OwnedFrame, Side, SocketId, SourceEvent, Timeline};

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

/// Every connection of `path`, read once: the picker lists them, then [`one_connection`]
/// takes the one chosen without reading the file again.
pub fn read_all(path: &Path, mut progress: impl FnMut(u64)) -> Result<Timeline, ReplayError> {
    let mut file = CaptureFile::open(path)?;
    let mut all: Option<Timeline> = None;
    let mut frames = 0u64;
    let mut last_ts = None;
    loop {
        let (frame, at) = match file.next_frame() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            // A damaged tail: play what came before it, and say where it stopped (as
            // `inspect` does) on the timeline itself, after the last frame.
            Err(err @ FileError::Damaged { .. }) => {
                if let (Some(tl), Some(at)) = (all.as_mut(), last_ts) {
                    tl.push(SourceEvent::Note {
                        at,
                        text: err.to_string(),
                    });
                }
                break;
            }
            Err(err) => return Err(err.into()),
        };
        if frames % 4096 == 0 {
            progress(at.data_offset);
        }
        frames += 1;
        last_ts = Some(frame.ts);
        let tl = all.get_or_insert_with(|| Timeline::new(frame.ts));
        tl.push(SourceEvent::Frame(OwnedFrame {
            ts: frame.ts,
            link: frame.link,
            orig_len: frame.orig_len,
            data: frame.data.to_vec(),
        }));
    }
    all.ok_or_else(|| ReplayError::NoConnection {
        path: path.display().to_string(),
    })
}

/// Connection `conn` (0 when `None`) out of a capture read by [`read_all`].
pub fn one_connection(
    all: &Timeline,
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
    let id = chosen.id;
    let (client, server) = (chosen.client, chosen.server);
    let timeline = all.narrowed(
        chosen.first_ts,
        // Notes in a plain capture say where a damaged file stopped: every connection needs them.
        |ev| match &ev.kind {
            EventKind::Segment(s) => s.conn == id,
            EventKind::Note(_) => true,
            _ => false,
        },
    );
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
