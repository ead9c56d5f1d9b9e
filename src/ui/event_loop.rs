//! The event loop: terminal events, the lab's new events and a tick, on one tokio task.
//!
//! Nothing here waits on the lab or the disk: lab events arrive on a channel drained with
//! `try_recv`, a replay loads on a blocking task and arrives on a oneshot, a recording is
//! written on its own thread. The loop carries out the effects `update` returns and hands the
//! answers back to the app as actions.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{
    Event as TermEvent, EventStream, KeyEventKind, MouseButton, MouseEventKind,
};
use futures::StreamExt;
use ratatui::layout::Rect;

use crate::lab::interactive::LabCommand;
use crate::open::OpenError;
use crate::timeline::SourceEvent;

use super::action::{Action, Effect};
use super::app::{App, LoadedReplay, SourceLabel};
use super::keymap;
use super::layout;
use super::live_record::LiveRecorder;
pub use super::terminal::Ended;
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
        loaded: tokio::sync::oneshot::Receiver<Result<LoadedReplay, OpenError>>,
    },
}

/// Map a terminal event to an action.
pub fn action_for(app: &App, ev: &TermEvent) -> Option<Action> {
    match ev {
        TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
            keymap::action_for(app.mode, k, app.lab.attached)
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

/// Run until the user quits, a signal arrives or the terminal hangs up (see
/// [`super::terminal`]), drawing on `guard`'s terminal; `first` are effects to carry out
/// before anything else (`lab --record FILE` starts recording at once).
pub async fn run(
    mut app: App,
    mut feed: Feed,
    first: Vec<Effect>,
    guard: &mut TerminalGuard,
) -> anyhow::Result<Ended> {
    let mut ended = Ended::Quit;
    let mut term_events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = guard.terminal.size()?;
    let mut recorder = LiveRecorder::default();
    let mut quit = carry_out(first, &feed, &mut recorder);
    quit |= carry_out(
        app.update(Action::Resize(size.width, size.height)),
        &feed,
        &mut recorder,
    );
    let mut last = Instant::now();
    let mut dirty = true;
    while !quit {
        if dirty {
            if let Err(e) = guard.terminal.draw(|f| widgets::draw(f, &app)) {
                ended = guard.ended_by(e)?;
                break;
            }
            dirty = false;
        }
        let mut effects = Vec::new();
        tokio::select! {
            ev = term_events.next() => {
                match ev {
                    Some(Ok(ev)) => {
                        if let Some(a) = action_for(&app, &ev) {
                            if let (Action::Quit, TermEvent::Key(k)) = (&a, &ev) {
                                ended = Ended::by_key(k);
                            }
                            effects = app.update(a);
                            dirty = true;
                        }
                    }
                    Some(Err(e)) => {
                        ended = guard.ended_by(e)?;
                        break;
                    }
                    None => {
                        ended = guard.ended().unwrap_or(Ended::Quit);
                        break;
                    }
                }
            }
            _ = tick.tick() => {
                // A signal or a hangup ends the screen the way q does, within a tick.
                if let Some(e) = guard.ended() {
                    ended = e;
                    effects.extend(app.update(Action::Quit));
                }
                let now = Instant::now();
                let dt = now.duration_since(last).as_secs_f64();
                last = now;
                // The mode too: a quiz question stops playback where it was (same position).
                // The clock too: over a link, arrows in flight grow as real time passes.
                let before = (app.playback.pos, app.playback.progress, app.playback.clock, app.len(), app.mode);
                effects.extend(app.update(Action::Tick(dt)));
                if let Feed::Lab { events, .. } = &feed {
                    let batch: Vec<SourceEvent> = events.try_iter().take(20_000).collect();
                    recorder.observe(&batch);
                    app.ingest(batch);
                }
                let news: Vec<Action> = recorder.news().collect();
                for a in news {
                    effects.extend(app.update(a));
                    dirty = true;
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
                        Err(e @ OpenError::NoSuchConnection { .. }) => return Err(e.into()),
                        Err(e) => effects.extend(app.update(Action::LoadFailed(e.to_string()))),
                    }
                    feed = Feed::Replay { path: String::new(), loaded: tokio::sync::oneshot::channel().1 };
                }
                dirty |= before != (app.playback.pos, app.playback.progress, app.playback.clock, app.len(), app.mode);
                // The loading percentage moves while nothing else does.
                dirty |= matches!(app.source, SourceLabel::Loading { .. }) && app.loading.is_some();
            }
        }
        quit = carry_out(effects, &feed, &mut recorder);
    }
    // A recording still open is closed with its summary before the process ends.
    if recorder.is_recording()
        && let SourceLabel::Lab { scenario, capture } = &app.source
    {
        recorder.stop(scenario, capture);
    }
    recorder.wait();
    Ok(ended)
}

/// Do what `update` asked; true when the screen should end.
fn carry_out(effects: Vec<Effect>, feed: &Feed, recorder: &mut LiveRecorder) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Quit => quit = true,
            Effect::Lab(cmd) => {
                if let Feed::Lab { commands, .. } = feed {
                    let _ = commands.send(cmd);
                }
            }
            Effect::StartRecording(to) => recorder.start(to),
            Effect::StopRecording { scenario, capture } => recorder.stop(&scenario, &capture),
        }
    }
    quit
}
