//! A plain capture (the wire only): scanned once into a [`CaptureIndex`] (where each TCP frame
//! lives, which connection owns it), then the chosen connection's frames read back and pushed
//! through [`Timeline::push`], so states and analysis are the same as `inspect`'s and the live
//! lab's.

use std::path::Path;

use crate::capture::{CaptureFile, FileError, Timestamp};
use crate::record::headless::Loaded;
use crate::timeline::capture_index::CaptureIndex;
use crate::timeline::playback::SocketInfo;
use crate::timeline::{OwnedFrame, Side, SocketId, SourceEvent, Timeline};

use super::{OpenError, Replay, no_such};

/// Every connection of `path`, scanned once into a compact index: the picker lists them, then
/// [`one_connection`] reads back the frames of the one chosen, and only those.
pub(super) fn read_all(path: &Path, progress: impl FnMut(u64)) -> Result<CaptureIndex, OpenError> {
    let index = CaptureIndex::scan(path, progress)?;
    if index.origin().is_none() {
        return Err(OpenError::NoConnection {
            path: path.display().to_string(),
        });
    }
    Ok(index)
}

/// Connection `conn` (0 when `None`) out of a capture scanned by [`read_all`], its frames read
/// back from the file.
pub(super) fn one_connection(
    all: &CaptureIndex,
    path: &Path,
    conn: Option<usize>,
) -> Result<Replay, OpenError> {
    let count = all.connections().len();
    if count == 0 {
        return Err(OpenError::NoConnection {
            path: path.display().to_string(),
        });
    }
    let asked = conn.unwrap_or(0);
    let Some(chosen) = all.connections().get(asked) else {
        return Err(no_such(path, count, asked));
    };
    let (client, server) = (chosen.client, chosen.server);
    // Notes in a plain capture say where a damaged file stopped: every connection needs them.
    let timeline = all.load(chosen.id, chosen.first_ts, true)?;
    let socket =
        |id, side, local, remote| SocketInfo::inferred_end(SocketId(id), side, local, remote);
    Ok(Replay {
        timeline,
        sockets: vec![
            socket(1, Side::Client, client, server),
            socket(2, Side::Server, server, client),
        ],
        connections: count,
        conn: Some(asked),
        warnings: all.warnings().to_vec(),
    })
}

/// `replay --headless --conn N` of a capture: a compact index of every frame, then that
/// connection's frames read back, timed from the capture's first frame.
pub(super) fn one_for_transcript(path: &Path, n: usize) -> Result<Loaded, OpenError> {
    let index = CaptureIndex::scan(path, |_| {})?;
    let connections = index.connections().len();
    let id = index
        .connections()
        .get(n)
        .ok_or_else(|| no_such(path, connections, n))?
        .id;
    let origin = index.origin().unwrap_or_default();
    Ok(Loaded::Capture {
        timeline: index.load(id, origin, false)?,
        connections,
        conn: Some(n),
        warnings: index.warnings().to_vec(),
    })
}

/// `replay --headless` of a capture: every connection, the whole wire, in one timeline.
pub(super) fn whole_wire(path: &Path) -> Result<Loaded, OpenError> {
    let mut file = CaptureFile::open(path)?;
    let mut all: Option<Timeline> = None;
    let mut warnings = Vec::new();
    loop {
        match file.next_frame() {
            Ok(Some((frame, _))) => {
                let tl = all.get_or_insert_with(|| Timeline::new(frame.ts));
                tl.push(SourceEvent::Frame(OwnedFrame {
                    ts: frame.ts,
                    link: frame.link,
                    orig_len: frame.orig_len,
                    data: frame.data.to_vec(),
                }));
            }
            Ok(None) => break,
            Err(e @ FileError::Damaged { .. }) => {
                warnings.push(e.to_string());
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    warnings.extend(file.warnings().iter().cloned());
    let timeline = all.unwrap_or_else(|| Timeline::new(Timestamp(0)));
    let connections = timeline.connections().len();
    Ok(Loaded::Capture {
        timeline,
        connections,
        conn: None,
        warnings,
    })
}
