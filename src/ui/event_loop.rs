//! The event loop: terminal events, the lab's new events and a tick, on one tokio task.
//!
//! Nothing here waits on the lab or the disk: lab events arrive on a channel drained with
//! `try_recv`, a replay loads on a blocking task and arrives on a oneshot.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{
    Event as TermEvent, EventStream, KeyEventKind, MouseButton, MouseEventKind,
};
use futures::StreamExt;
use ratatui::layout::Rect;
use tokio::signal::unix::{SignalKind, signal};

use crate::lab::interactive::LabCommand;
use crate::output_file::Existing;
use crate::timeline::SourceEvent;
use crate::timeline::from_capture::ReplayError;

use super::action::Action;
use super::app::{App, LoadedReplay, SourceLabel};
use super::keymap;
use super::layout;
use super::terminal::TerminalGuard;
use super::widgets;

/// Frames per second while something moves.
const TICK: Duration = Duration::from_millis(33);

/// Where new events come from.
pub enum Feed {
    /// The live lab: its events, and where to send commands.
    Lab {
        events: mpsc::Receiver<SourceEvent>,
        commands: mpsc::Sender<LabCommand>,
    },
    /// A file loading in the background.
    Replay {
        path: String,
        loaded: tokio::sync::oneshot::Receiver<Result<LoadedReplay, ReplayError>>,
    },
}

/// Map a terminal event to an action.
pub fn action_for(app: &App, ev: &TermEvent) -> Option<Action> {
    match ev {
        TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
            keymap::action_for(app.mode, k, app.lab)
        }
        TermEvent::Resize(w, h) => Some(Action::Resize(*w, *h)),
        TermEvent::Mouse(m) => {
            let areas = layout::areas(Rect::new(0, 0, app.size.0, app.size.1))?;
            match m.kind {
                MouseEventKind::ScrollUp => Some(Action::ScrollUp),
                MouseEventKind::ScrollDown => Some(Action::ScrollDown),
                MouseEventKind::Down(MouseButton::Left) => {
                    let s = areas.scrubber;
                    if m.row >= s.y && m.row < s.bottom() {
                        Some(Action::SeekTo(widgets::scrubber::fraction_at(s, m.column)))
                    } else if m.row >= areas.ladder.y
                        && m.row < areas.ladder.bottom()
                        && m.column < areas.ladder.right()
                    {
                        Some(Action::SelectRow(m.row))
                    } else {
                        None
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// How the screen ended: the user quit, or a signal asked (the exit status says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Quit,
    Signal(i32),
}

/// Run until the user quits (or SIGTERM/SIGHUP), drawing on `guard`'s terminal.
pub async fn run(mut app: App, mut feed: Feed, guard: &mut TerminalGuard) -> anyhow::Result<Ended> {
    let mut ended = Ended::Quit;
    let mut term_events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let size = guard.terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    let mut last = Instant::now();
    let mut dirty = true;
    let mut recorder = super::live_record::LiveRecorder::default();
    loop {
        if app.record_toggle {
            app.record_toggle = false;
            toggle_recording(&mut app, &mut recorder);
            dirty = true;
        }
        if dirty {
            guard.terminal.draw(|f| widgets::draw(f, &app))?;
            dirty = false;
        }
        tokio::select! {
            ev = term_events.next() => {
                match ev {
                    Some(Ok(ev)) => {
                        if let Some(a) = action_for(&app, &ev) {
                            app.update(a);
                            dirty = true;
                        }
                    }
                    Some(Err(e)) => return Err(e.into()),
                    None => break,
                }
            }
            _ = tick.tick() => {
                let now = Instant::now();
                let dt = now.duration_since(last).as_secs_f64();
                last = now;
                let before = (app.pos, app.progress, app.len());
                app.update(Action::Tick(dt));
                if let Feed::Lab { events, .. } = &feed {
                    let batch: Vec<SourceEvent> = events.try_iter().take(20_000).collect();
                    if let Err(e) = recorder.observe(&batch) {
                        app.recording = None;
                        app.message = Some(e);
                    }
                    app.ingest(batch);
                }
                if let Feed::Replay { path, loaded } = &mut feed
                    && let Ok(result) = loaded.try_recv()
                {
                    let path = path.clone();
                    match result {
                        Ok(loaded) => app.install_replay(loaded, path),
                        // `--conn` past the last connection is a mistake on the command line:
                        // the screen closes and the shell gets the sentence (exit status 2), as
                        // `--headless` and `export` do.
                        Err(e @ ReplayError::NoSuchConnection { .. }) => return Err(e.into()),
                        Err(e) => app.source = SourceLabel::Failed { message: e.to_string() },
                    }
                    feed = Feed::Replay { path: String::new(), loaded: tokio::sync::oneshot::channel().1 };
                }
                dirty |= before != (app.pos, app.progress, app.len());
                // The loading percentage moves while nothing else does.
                dirty |= matches!(app.source, SourceLabel::Loading { .. }) && app.loading.is_some();
            }
            _ = sigterm.recv() => {
                ended = Ended::Signal(libc::SIGTERM);
                app.update(Action::Quit);
            }
            _ = sighup.recv() => {
                ended = Ended::Signal(libc::SIGHUP);
                app.update(Action::Quit);
            }
        }
        if let Feed::Lab { commands, .. } = &feed {
            for cmd in app.outbox.drain(..) {
                let _ = commands.send(cmd);
            }
        }
        if app.quit {
            break;
        }
    }
    if recorder.is_recording() {
        toggle_recording(&mut app, &mut recorder);
    }
    Ok(ended)
}

/// Ctrl-R: start recording (to `--record FILE` the first time, else a timestamped file), or
/// stop and say where the file is.
fn toggle_recording(app: &mut App, recorder: &mut super::live_record::LiveRecorder) {
    let (scenario, capture) = match &app.source {
        SourceLabel::Lab { scenario, capture } => (scenario.clone(), capture.clone()),
        _ => return,
    };
    if recorder.is_recording() {
        if let Some(path) = recorder.stop(&scenario, &capture) {
            app.message = Some(format!("recorded {}", path.display()));
        }
        app.recording = None;
        return;
    }
    let started = match app.record_path.take() {
        Some(path) => recorder.start(&path, Existing::from_force(app.record_force)),
        // The current directory, and the name shown without a leading "./".
        None => recorder.start_new_in(Path::new("")),
    };
    match started {
        Ok(path) => {
            app.message = Some(format!("recording to {}", path.display()));
            app.recording = Some(path.display().to_string());
        }
        Err(e) => app.message = Some(e),
    }
}
