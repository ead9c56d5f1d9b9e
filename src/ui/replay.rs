//! `sockviz replay` in the terminal: a recording with its calls and probes, or any capture
//! (wire only), loaded off the UI thread; a file with several connections opens the
//! connection picker first.

use std::path::PathBuf;

use crate::inspect::ConnectionReport;
use crate::timeline::Timeline;
use crate::timeline::capture_index::CaptureIndex;
use crate::timeline::from_capture::{Replay, ReplayError};
use crate::timeline::playback::PlaybackIndex;

use super::app::{App, LoadedReplay, Pacing, SourceLabel};
use super::event_loop::{self, Ended, Feed};
use super::terminal::TerminalGuard;
use super::theme::Theme;

/// How `sockviz replay` was asked to play.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayOptions {
    pub conn: Option<usize>,
    /// Lecture pacing (every arrow the same time) rather than the recorded times.
    pub lecture_pace: bool,
    pub speed: f64,
}

/// A recording as a [`Replay`]: the whole lab timeline, its sockets known from their calls
/// (not inferred).
///
/// With `conn`, only that connection (its segments, its sockets' calls and probes, the notes).
pub fn recording_replay(
    path: &std::path::Path,
    conn: Option<usize>,
    progress: impl FnMut(u64),
) -> Result<Replay, ReplayError> {
    let rec = crate::record::reader::load(path, progress)?;
    recording_part(rec.timeline, rec.warnings, path, conn)
}

/// Connection `conn` of a recording's timeline, or all of it.
fn recording_part(
    whole: Timeline,
    warnings: Vec<String>,
    path: &std::path::Path,
    conn: Option<usize>,
) -> Result<Replay, ReplayError> {
    let connections = whole.connections().len();
    let timeline = match conn {
        Some(n) => crate::record::select::connection(&whole, n).ok_or_else(|| {
            ReplayError::NoSuchConnection {
                path: path.display().to_string(),
                count: connections,
                asked: n,
            }
        })?,
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

/// A file read once with every connection in it: the picker lists them, then
/// [`Scanned::replay`] takes the one chosen without scanning the file again.
///
/// A recording is small and held whole; a plain capture is held as its compact index, and the
/// chosen connection's frames are read back from the file.
#[derive(Debug)]
pub enum Scanned {
    /// A recording's whole session (calls and probes included), and what did not read cleanly.
    Recording(Timeline, Vec<String>),
    /// A plain capture's every connection (wire only), indexed, not loaded.
    Capture(Box<CaptureIndex>),
}

impl Scanned {
    /// Read `path` through once, reporting the bytes read so far to `progress`.
    pub fn read(path: &std::path::Path, progress: impl FnMut(u64)) -> Result<Self, ReplayError> {
        if crate::record::is_recording(path)? {
            let rec = crate::record::reader::load(path, progress)?;
            Ok(Scanned::Recording(rec.timeline, rec.warnings))
        } else {
            let index = crate::timeline::from_capture::read_all(path, progress)?;
            Ok(Scanned::Capture(Box::new(index)))
        }
    }

    pub fn is_recording(&self) -> bool {
        matches!(self, Scanned::Recording(..))
    }

    /// The connections as `inspect` reports them (the picker's rows).
    pub fn reports(&self) -> Vec<ConnectionReport> {
        self.report_iter().collect()
    }

    /// [`Scanned::reports`] one at a time.
    pub fn report_iter(&self) -> impl Iterator<Item = ConnectionReport> + '_ {
        let (connections, origin) = match self {
            Scanned::Recording(tl, _) => (tl.connections(), tl.origin()),
            Scanned::Capture(index) => (index.connections(), index.origin().unwrap_or_default()),
        };
        connections
            .iter()
            .map(move |c| ConnectionReport::new(c, origin))
    }

    /// What did not read cleanly (a damaged or cut tail): the picker says it above the rows.
    pub fn warnings(&self) -> &[String] {
        match self {
            Scanned::Recording(_, warnings) => warnings,
            Scanned::Capture(index) => index.warnings(),
        }
    }

    pub fn connection_count(&self) -> usize {
        match self {
            Scanned::Recording(tl, _) => tl.connections().len(),
            Scanned::Capture(index) => index.connections().len(),
        }
    }

    /// What the screens play for `conn` (`None`: a recording whole, a capture's first).
    pub fn replay(
        self,
        path: &std::path::Path,
        conn: Option<usize>,
    ) -> Result<Replay, ReplayError> {
        match self {
            Scanned::Recording(tl, warnings) => recording_part(tl, warnings, path, conn),
            Scanned::Capture(index) => {
                crate::timeline::from_capture::one_connection(&index, path, conn)
            }
        }
    }
}

/// Load `path` for the screens: a recording in full, a capture's chosen connection.
pub fn load(path: &std::path::Path, conn: Option<usize>) -> Result<Replay, ReplayError> {
    load_with_progress(path, conn, |_| {})
}

/// [`load`], reporting the bytes read so far to `progress`.
pub fn load_with_progress(
    path: &std::path::Path,
    conn: Option<usize>,
    progress: impl FnMut(u64),
) -> Result<Replay, ReplayError> {
    if crate::record::is_recording(path)? {
        recording_replay(path, conn, progress)
    } else {
        crate::timeline::from_capture::load_with_progress(path, conn, progress)
    }
}

/// Play `path` in the terminal until the user quits.
pub fn run(path: PathBuf, options: ReplayOptions, theme: Theme) -> anyhow::Result<Ended> {
    let shown = path.display().to_string();
    // A missing or unreadable file is a plain error on the shell, not a screen to dismiss.
    crate::capture::CaptureFile::open(&path)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Several connections open the picker, unless --conn chose one; the picker's scan indexed
    // the whole file, so only the chosen connection's frames are read again.
    let (conn, scanned) = match options.conn {
        Some(n) => (Some(n), None),
        None => match super::picker_screen::choose(&path, theme)? {
            Some((choice, scanned)) => (choice.conn(), Some(scanned)),
            None => return Ok(Ended::Quit),
        },
    };
    let (done, loaded) = tokio::sync::oneshot::channel();
    let load_path = path.clone();
    let progress = super::loading::LoadProgress::for_file(&path);
    if scanned.is_some() {
        progress.set(u64::MAX);
    }
    let report = progress.reporter();
    rt.spawn_blocking(move || {
        // Reading, decoding and indexing are linear in the file: all of it off the UI's thread.
        let replay = match scanned {
            Some(s) => s.replay(&load_path, conn),
            None => load_with_progress(&load_path, conn, report),
        };
        let _ = done.send(replay.map(LoadedReplay::prepare));
    });
    let mut app = App::new(
        crate::timeline::Timeline::new(crate::capture::Timestamp(0)),
        SourceLabel::Loading {
            path: shown.clone(),
        },
        theme,
    );
    app.playing = true;
    app.loading = Some(progress);
    app.pacing = if options.lecture_pace {
        Pacing::Lecture
    } else {
        Pacing::RealTime
    };
    app.speed = options.speed;
    let mut guard = TerminalGuard::take()?;
    let feed = Feed::Replay {
        path: shown,
        loaded,
    };
    let result = rt.block_on(event_loop::run(app, feed, &mut guard));
    drop(guard);
    result
}
