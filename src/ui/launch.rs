//! Starting the screens: the live lab (`sockviz`, `sockviz lab`) and a replay (`sockviz replay`).
//!
//! The tokio runtime is built here, after `main` has entered the lab's namespace: `unshare`
//! must run while the process has one thread (LAB.md).

use std::path::PathBuf;
use std::sync::mpsc;

use crate::lab::{self, LabConfig, Prepared};
use crate::timeline::Timeline;

use super::app::{App, SourceLabel};
use super::event_loop::{self, Ended, Feed};
use super::terminal::TerminalGuard;
use super::theme::Theme;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// The live lab in the terminal: the chosen scenario plays, then the keyboard drives the lab.
pub fn run_lab(cfg: &LabConfig, prepared: &Prepared, theme: Theme) -> anyhow::Result<Ended> {
    run_lab_recording(cfg, prepared, theme, None)
}

/// [`run_lab`], recording from the start to `record` (`sockviz lab --record FILE`).
pub fn run_lab_recording(
    cfg: &LabConfig,
    prepared: &Prepared,
    theme: Theme,
    record: Option<(PathBuf, crate::output_file::Existing)>,
) -> anyhow::Result<Ended> {
    let (tx, rx) = mpsc::channel();
    let origin = lab::probe::now();
    let session = lab::interactive::start(cfg, prepared, tx)?;
    let mut app = App::new(
        Timeline::new(origin),
        SourceLabel::Lab {
            scenario: cfg.scenario.clone(),
            capture: session.capture.clone(),
        },
        theme,
    );
    app.lab = true;
    app.record_toggle = record.is_some();
    app.record_force = record
        .as_ref()
        .is_some_and(|(_, e)| *e == crate::output_file::Existing::Replace);
    app.record_path = record.map(|(p, _)| p);
    let rt = runtime()?;
    let mut guard = TerminalGuard::take()?;
    let feed = Feed::Lab {
        events: rx,
        commands: session.commands.clone(),
    };
    let result = rt.block_on(event_loop::run(app, feed, &mut guard));
    drop(guard);
    result
}

/// A capture file in the same screens (wire only), loaded on a blocking task.
pub fn run_replay(path: PathBuf, conn: Option<usize>, theme: Theme) -> anyhow::Result<Ended> {
    let shown = path.display().to_string();
    // A missing or unreadable file is a plain error on the shell, not a screen to dismiss:
    // check the header before taking the terminal (cheap; the frames load in the background).
    crate::capture::CaptureFile::open(&path)?;
    let rt = runtime()?;
    let (done, loaded) = tokio::sync::oneshot::channel();
    let load_path = path.clone();
    rt.spawn_blocking(move || {
        // Reading, decoding and indexing are linear in the file: all of it off the UI's thread.
        let loaded = crate::timeline::from_capture::load(&load_path, conn)
            .map(super::app::LoadedReplay::prepare);
        let _ = done.send(loaded);
    });
    let mut app = App::new(
        Timeline::new(crate::capture::Timestamp(0)),
        SourceLabel::Loading {
            path: shown.clone(),
        },
        theme,
    );
    app.playing = true;
    let mut guard = TerminalGuard::take()?;
    let feed = Feed::Replay {
        path: shown,
        loaded,
    };
    let result = rt.block_on(event_loop::run(app, feed, &mut guard));
    drop(guard);
    result
}
