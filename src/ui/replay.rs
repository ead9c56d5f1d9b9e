//! `sockviz replay` in the terminal: a recording with its calls and probes, or any capture
//! (wire only), opened by [`crate::open`] and loaded off the UI thread; a file with several
//! connections opens the connection picker first.

use std::path::PathBuf;

use crate::open::{LoadProgress, LoadedReplay, SourceFile};
use crate::timeline::Timeline;

use super::app::{App, Pacing, SourceLabel};
use super::event_loop::{self, Ended, Feed};
use super::picker_screen::Picked;
use super::terminal::TerminalGuard;
use super::theme::Theme;

/// How `sockviz replay` was asked to play.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayOptions {
    pub conn: Option<usize>,
    /// Lecture pacing (every arrow the same time) rather than the recorded times.
    pub lecture_pace: bool,
    pub speed: f64,
    /// Predict, then reveal from the start (`--quiz`; `Q` in the screen).
    pub quiz: bool,
}

/// Play `path` in the terminal until the user quits.
pub fn run(path: PathBuf, options: ReplayOptions, theme: Theme) -> anyhow::Result<Ended> {
    let shown = path.display().to_string();
    // A missing or unreadable file is a plain error on the shell, not a screen to dismiss.
    let source = SourceFile::open(&path)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // One guard for the scanning screen, the picker and the replay: the terminal is taken
    // once and given back once, whichever way the screens end.
    let mut guard = TerminalGuard::take()?;
    // Several connections open the picker, unless --conn chose one; the picker's scan read
    // the whole file, so only the chosen connection's frames are read again.
    let (conn, scanned) = match options.conn {
        Some(n) => (Some(n), None),
        None => match super::picker_screen::choose(&source, theme, &mut guard)? {
            Picked::Play(choice, scanned) => (choice.conn(), Some(scanned)),
            Picked::Ended(ended) => return Ok(ended),
        },
    };
    let (done, loaded) = tokio::sync::oneshot::channel();
    let progress = LoadProgress::for_file(&path);
    if scanned.is_some() {
        progress.set(u64::MAX);
    }
    let report = progress.reporter();
    rt.spawn_blocking(move || {
        // Reading, decoding and indexing are linear in the file: all of it off the UI's thread.
        let replay = match scanned {
            Some(s) => s.play(source.path(), conn),
            None => source.load(conn, report),
        };
        let _ = done.send(replay.map(LoadedReplay::prepare));
    });
    let mut app = App::new(
        Timeline::new(crate::capture::Timestamp(0)),
        SourceLabel::Loading {
            path: shown.clone(),
        },
        theme,
    );
    app.playback.playing = true;
    app.loading = Some(progress);
    if options.quiz {
        app.set_quiz(true);
    }
    app.playback.pacing = if options.lecture_pace {
        Pacing::Lecture
    } else {
        Pacing::RealTime
    };
    app.playback.speed = options.speed;
    let feed = Feed::Replay {
        path: shown,
        loaded,
    };
    let result = rt.block_on(event_loop::run(app, feed, Vec::new(), &mut guard));
    drop(guard);
    // A load still running (q during a big file) is not waited for.
    rt.shutdown_background();
    result
}
