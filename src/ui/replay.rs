//! `sockviz replay` in the terminal: a recording with its calls and probes, or any capture
//! (wire only), loaded off the UI thread; a file with several connections opens the
//! connection picker first.

use std::path::PathBuf;

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
    let connections = rec.timeline.connections().len();
    let timeline = match conn {
        Some(n) => crate::record::select::connection(&rec.timeline, n).ok_or_else(|| {
            ReplayError::NoSuchConnection {
                path: path.display().to_string(),
                count: connections,
                asked: n,
            }
        })?,
        None => rec.timeline,
    };
    let index = PlaybackIndex::build(timeline.events());
    Ok(Replay {
        sockets: index.sockets().to_vec(),
        timeline,
        connections,
        conn,
    })
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
    // Several connections open the picker, unless --conn chose one.
    let conn = match options.conn {
        Some(n) => Some(n),
        None => match super::picker_screen::choose(&path, theme)? {
            Some(choice) => choice.conn(),
            None => return Ok(Ended::Quit),
        },
    };
    let (done, loaded) = tokio::sync::oneshot::channel();
    let load_path = path.clone();
    let progress = super::loading::LoadProgress::for_file(&path);
    let report = progress.reporter();
    rt.spawn_blocking(move || {
        // Reading, decoding and indexing are linear in the file: all of it off the UI's thread.
        let loaded = load_with_progress(&load_path, conn, report).map(LoadedReplay::prepare);
        let _ = done.send(loaded);
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
