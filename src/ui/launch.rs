//! Starting the live lab's screens (`sockviz`, `sockviz lab`); a replay starts in `replay.rs`.
//!
//! The tokio runtime is built here, after `main` has entered the lab's namespace: `unshare`
//! must run while the process has one thread (LAB.md).

use std::path::PathBuf;
use std::sync::mpsc;

use crate::lab::{self, LabConfig, Prepared};
use crate::timeline::Timeline;

use super::action::Action;
use super::app::{App, SourceLabel};
use super::event_loop::{self, Ended, Feed};
use super::terminal::TerminalGuard;
use super::theme::Theme;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// The live lab in the terminal: the chosen scenario plays, then the keyboard drives the lab;
/// with `record`, recording from the start (`sockviz lab --record FILE`).
pub fn run_lab_recording(
    cfg: &LabConfig,
    prepared: &Prepared,
    theme: Theme,
    record: Option<(PathBuf, crate::output_file::Existing)>,
    quiz: bool,
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
    app.lab.attached = true;
    if quiz {
        app.set_quiz(true);
    }
    let recording = record.is_some();
    app.lab.record_path = record;
    let first = if recording {
        app.update(Action::ToggleRecording)
    } else {
        Vec::new()
    };
    let rt = runtime()?;
    let mut guard = TerminalGuard::take()?;
    let feed = Feed::Lab {
        events: rx,
        commands: session.commands.clone(),
    };
    let result = rt.block_on(event_loop::run(app, feed, first, &mut guard));
    drop(guard);
    result
}

/// `sockviz lesson FILE` in the terminal: the lab opens with the script's first scenario, the
/// script's sections and notes on the ladder, Enter goes on.
pub fn run_lesson(
    lesson: crate::lesson::Lesson,
    cfg: &LabConfig,
    prepared: &Prepared,
    theme: Theme,
) -> anyhow::Result<Ended> {
    let (tx, rx) = mpsc::channel();
    let origin = lab::probe::now();
    let mut app = App::new(
        Timeline::new(origin),
        SourceLabel::Lab {
            scenario: String::new(),
            capture: String::new(),
        },
        theme,
    );
    let first = app
        .start_lesson(lesson)
        .ok_or_else(|| anyhow::anyhow!("the lesson runs no scenario"))?;
    let cfg = LabConfig {
        scenario: first.clone(),
        ..cfg.clone()
    };
    let session = lab::interactive::start(&cfg, prepared, tx)?;
    app.source = SourceLabel::Lab {
        scenario: first,
        capture: session.capture.clone(),
    };
    app.lab.attached = true;
    app.playback.playing = true;
    let rt = runtime()?;
    let mut guard = TerminalGuard::take()?;
    let feed = Feed::Lab {
        events: rx,
        commands: session.commands.clone(),
    };
    let result = rt.block_on(event_loop::run(app, feed, Vec::new(), &mut guard));
    drop(guard);
    result
}

/// `sockviz run` in the terminal: the program runs on a thread of its own (traced there), its
/// events arrive as the lab's do; its output goes to `output` (shown after the screen closes).
pub fn run_program(
    cfg: &lab::run::RunConfig,
    prepared: Prepared,
    theme: Theme,
    record: Option<(PathBuf, crate::output_file::Existing)>,
    quiz: bool,
) -> anyhow::Result<Ended> {
    let (tx, rx) = mpsc::channel();
    let origin = lab::probe::now();
    let capture = match &prepared {
        Prepared::Namespace(_) => "namespace".to_string(),
        Prepared::NamespaceFailed(e) => format!("unavailable: {e}"),
        Prepared::HostRequested => "host".to_string(),
    };
    let thread_cfg = cfg.clone();
    std::thread::Builder::new()
        .name("run".into())
        .spawn(move || lab::run::run_live(&thread_cfg, &prepared, origin, tx))?;
    let names: Vec<String> = cfg
        .programs
        .iter()
        .map(|p| crate::trace::shown(p))
        .collect();
    let mut app = App::new(
        Timeline::new(origin),
        SourceLabel::Lab {
            scenario: format!("run {}", names.join(" ::: ")),
            capture,
        },
        theme,
    );
    if quiz {
        app.set_quiz(true);
    }
    let recording = record.is_some();
    app.lab.record_path = record;
    let first = if recording {
        app.update(Action::ToggleRecording)
    } else {
        Vec::new()
    };
    let rt = runtime()?;
    let mut guard = TerminalGuard::take()?;
    // Nothing reads the commands: a traced program takes no keyboard commands from the lab.
    let (commands, _) = mpsc::channel();
    let feed = Feed::Lab {
        events: rx,
        commands,
    };
    let result = rt.block_on(event_loop::run(app, feed, first, &mut guard));
    drop(guard);
    result
}
