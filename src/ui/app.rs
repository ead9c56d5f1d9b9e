//! The app: all the screen's state, and `update(action)`, the only place it changes.
//!
//! The state is grouped by concern: the model being shown (timeline, index, byte map), the
//! [`Playback`] position, the view (selection, pane, zoom, overlays) and the [`LabControls`].
//! What `update` asks of the world (a lab command, starting or stopping a recording, quitting)
//! it returns as [`Effect`]s; what the world answers comes back as actions.

use crate::open::Replay;
use crate::timeline::playback::{DirKey, PlayState, PlaybackIndex};
use crate::timeline::{ByteMap, Event, SourceEvent, Timeline};

use super::action::{Action, Effect, LabSide, Pane};
use super::keymap::Mode;
use super::lab_controls::LabControls;
use super::theme::Theme;

mod lab;
mod lesson;
mod quiz;

pub use lesson::LessonState;
pub use quiz::QuizState;

pub use super::lab_controls::BUFSIZES;
pub use super::playback::{LECTURE_TRAVEL_SECS, Pacing, Playback, REALTIME_SLOWDOWN};
pub use crate::open::LoadedReplay;

/// Where the events come from; the header says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLabel {
    Lab {
        scenario: String,
        capture: String,
    },
    Replay {
        path: String,
        /// `None`: a recording playing whole.
        conn: Option<usize>,
        connections: usize,
    },
    Loading {
        path: String,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug)]
pub struct App {
    pub timeline: Timeline,
    pub index: PlaybackIndex,
    pub bytemap: ByteMap,
    /// `Some` when the replay supplies its own (inferred) sockets.
    replay_sockets: Option<Vec<crate::timeline::playback::SocketInfo>>,
    pub source: SourceLabel,
    pub theme: Theme,
    pub mode: Mode,
    pub playback: Playback,
    pub lab: LabControls,
    /// The selected event (an index into the timeline); `None` follows the newest.
    pub selected: Option<usize>,
    pub pane: Pane,
    pub log_side: LabSide,
    pub stream_dir: DirKey,
    /// Stream map zoom, in halvings relative to the automatic choice (`z` +1, `Z` −1).
    pub zoom: i32,
    /// Bytes pane scrolled by rows: (the event it was scrolled on, rows). Another event
    /// starts at the top again.
    pub bytes_scroll: Option<(usize, usize)>,
    pub message: Option<String>,
    pub size: (u16, u16),
    /// How far a replay's background load has read (the header's percentage while loading).
    pub loading: Option<crate::open::LoadProgress>,
    /// Predict, then reveal (`Q`, `--quiz`): `None` while off.
    pub quiz: Option<QuizState>,
    /// A lecture script being played (`sockviz lesson FILE`).
    pub lesson: Option<LessonState>,
    /// The first event of the scenario on screen: a scenario picked live (`o`) starts a fresh
    /// ladder here, and the counters, the scrubber and `Home` count from it.
    pub start: usize,
    /// SYNs the listener dropped with its accept queue full (found in the timeline; the
    /// ladder marks them).
    pub dropped: Vec<crate::timeline::dropped::DroppedSyn>,
    /// Lines the help overlay is scrolled by (its legend is under the keys).
    pub help_scroll: usize,
    /// The first socket panel shown (`c` pages through the sockets that do not fit).
    pub panel_page: usize,
}

impl App {
    pub fn new(timeline: Timeline, source: SourceLabel, theme: Theme) -> Self {
        let index = PlaybackIndex::build(timeline.events());
        let bytemap = timeline.byte_map();
        let dropped = crate::timeline::dropped::dropped_syns(timeline.events());
        App {
            dropped,
            timeline,
            index,
            bytemap,
            replay_sockets: None,
            source,
            theme,
            mode: Mode::Normal,
            playback: Playback::default(),
            lab: LabControls::default(),
            selected: None,
            pane: Pane::Bytes,
            log_side: LabSide::Client,
            stream_dir: DirKey::ToServer,
            zoom: 0,
            bytes_scroll: None,
            message: None,
            size: (80, 24),
            loading: None,
            start: 0,
            panel_page: 0,
            help_scroll: 0,
            quiz: None,
            lesson: None,
        }
    }

    /// Show a replay: its timeline and its capture-derived sockets.
    pub fn load_replay(&mut self, replay: Replay, path: String) {
        self.install_replay(LoadedReplay::prepare(replay), path);
    }

    /// Show a replay whose index was built elsewhere (on a blocking task, for big files).
    pub fn install_replay(&mut self, loaded: LoadedReplay, path: String) {
        let LoadedReplay {
            replay,
            index,
            bytemap,
        } = loaded;
        self.source = SourceLabel::Replay {
            path,
            conn: replay.conn,
            connections: replay.connections,
        };
        self.replay_sockets = Some(replay.sockets);
        // A damaged file plays what was before the damage: say so at once, not only in a note
        // at the end of the timeline.
        if let Some(first) = replay.warnings.first() {
            // The header names the file already.
            let first = match &self.source {
                SourceLabel::Replay { path, .. } => {
                    first.strip_prefix(&format!("{path}: ")).unwrap_or(first)
                }
                _ => first,
            };
            self.message = Some(match replay.warnings.len() {
                1 => format!("warning: {first}"),
                n => format!("warning: {first} (and {} more)", n - 1),
            });
        }
        self.timeline = replay.timeline;
        self.dropped = crate::timeline::dropped::dropped_syns(self.timeline.events());
        self.index = index;
        self.bytemap = bytemap;
        self.playback.pos = 0;
        self.start = 0;
        self.selected = None;
    }

    /// Bring the index and the byte map up to date with the events changed since the last
    /// time: live events land at or near the end, so this costs what they cost, not what the
    /// whole timeline does.
    fn reindex_changed(&mut self) {
        if let Some(from) = self.timeline.take_changed() {
            self.index.update(self.timeline.events(), from);
            self.bytemap.update(self.timeline.events(), from);
            self.dropped = crate::timeline::dropped::dropped_syns(self.timeline.events());
        }
    }

    pub fn events(&self) -> &[Event] {
        self.timeline.events()
    }

    pub fn len(&self) -> usize {
        self.timeline.events().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether this is a replay (panels say "inferred").
    pub fn inferred(&self) -> bool {
        // A recording's sockets come from its calls: not inferred.
        self.replay_sockets
            .as_ref()
            .is_some_and(|s| s.is_empty() || s.iter().any(|s| s.inferred))
    }

    /// What is true at the playback position.
    pub fn play_state(&self) -> PlayState {
        self.index.state_at(self.events(), self.playback.pos)
    }

    /// The event the inspectors show: the selection, or the newest drawable event.
    /// The event whose bytes the bytes pane shows: the selection, else the newest event that
    /// moved bytes (looking back at most 10,000 events, so drawing cost stays bounded).
    pub fn bytes_focus(&self) -> Option<usize> {
        if let Some(i) = self.selected.filter(|&i| i < self.playback.pos) {
            return Some(i);
        }
        (self.playback.pos.saturating_sub(10_000).max(self.start)..self.playback.pos)
            .rev()
            .find(|&i| match &self.events()[i].kind {
                crate::timeline::EventKind::Segment(s) => !s.payload.is_empty(),
                crate::timeline::EventKind::Call(c) => !c.data.is_empty(),
                _ => false,
            })
    }

    /// Rows the bytes pane is scrolled by, for the event it shows now (the renderer clamps).
    pub fn bytes_scroll_rows(&self) -> usize {
        match (self.bytes_scroll, self.bytes_focus()) {
            (Some((event, rows)), Some(now)) if event == now => rows,
            _ => 0,
        }
    }

    pub fn focus(&self) -> Option<usize> {
        self.selected
            .filter(|&i| i < self.playback.pos)
            .or_else(|| {
                let k = self.index.visible_before(self.playback.pos);
                k.checked_sub(1).map(|k| self.index.visible()[k])
            })
    }

    /// Seconds from the scenario's start (the timeline's origin, or the first event of a
    /// scenario picked live) to `at`: the ladder's time column and the scrubber's clock.
    pub fn secs(&self, at: crate::capture::Timestamp) -> f64 {
        let zero = match self.start {
            0 => 0.0,
            k => self
                .events()
                .get(k)
                .map_or(0.0, |e| self.timeline.secs(e.at)),
        };
        self.timeline.secs(at) - zero
    }

    /// The dropped SYN at event `i`, if it is one.
    pub fn dropped_at(&self, i: usize) -> Option<&crate::timeline::dropped::DroppedSyn> {
        self.dropped
            .binary_search_by_key(&i, |d| d.event)
            .ok()
            .map(|k| &self.dropped[k])
    }

    /// Real-time pacing's clock, from the scenario's start (what the header shows).
    pub fn clock_secs(&self) -> f64 {
        let zero = self
            .events()
            .get(self.start)
            .map_or(0.0, |e| self.timeline.secs(e.at));
        let zero = if self.start == 0 { 0.0 } else { zero };
        self.playback.clock - zero
    }

    /// Drawable events of the scenario on screen: (played, all), what the status bar counts.
    pub fn steps(&self) -> (usize, usize) {
        let before = self.index.visible_before(self.start);
        (
            self.index
                .visible_before(self.playback.pos)
                .saturating_sub(before),
            self.index.visible().len() - before,
        )
    }

    /// Drawable events not yet played (live: what pausing let queue up).
    pub fn queued(&self) -> usize {
        self.index.visible().len() - self.index.visible_before(self.playback.pos)
    }

    /// Add the lab's new events. Events that land before the position (a call is placed at its
    /// return, which may precede segments already shown) count as already seen.
    pub fn ingest(&mut self, batch: Vec<SourceEvent>) {
        // A call begun is drawn pending (blocked) until it comes back; coming back ends the
        // pending call it answers, the keyboard's or the lab's own.
        for ev in &batch {
            match ev {
                SourceEvent::CallStarted(c) => self.lab.started(c),
                SourceEvent::Call(c) => self.lab.returned(c.side, &c.call),
                _ => {}
            }
        }
        // Over a link, frames reach the tracker in capture-time order whichever point's thread
        // lagged (the headless lab sorts them once its run is over).
        let batch = self.lab.link_order.take(batch);
        self.ingest_with(batch, Timeline::push);
    }

    /// [`App::ingest`] for events already decoded (a copy of another timeline's events): the
    /// same incremental path without the frame decoder.
    pub fn ingest_events(&mut self, batch: Vec<Event>) {
        self.ingest_with(batch, |tl, ev| Some(tl.push_event(ev)));
    }

    fn ingest_with<T>(
        &mut self,
        batch: Vec<T>,
        mut push: impl FnMut(&mut Timeline, T) -> Option<usize>,
    ) {
        if batch.is_empty() {
            return;
        }
        let at_end = self.playback.pos >= self.len();
        for ev in batch {
            if let Some(i) = push(&mut self.timeline, ev) {
                if i < self.playback.pos {
                    self.playback.pos += 1;
                }
                if i < self.start {
                    self.start += 1;
                }
                if let Some(sel) = self.selected.as_mut()
                    && i <= *sel
                {
                    *sel += 1;
                }
            }
        }
        self.reindex_changed();
        let p = &mut self.playback;
        if at_end && p.pacing == Pacing::RealTime && p.playing {
            let from = p.pos;
            p.pos = self.timeline.events().len();
            p.clock_to_end(&self.timeline);
            self.quiz_gate(from);
        }
    }

    /// The state of the app after `action`, and what it asks of the world.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::TogglePlay => self.playback.toggle_play(&self.timeline),
            Action::StepForward => {
                self.playback.playing = false;
                let from = self.playback.pos;
                if self.playback.step_forward(&self.timeline, &self.index) {
                    self.selected = None;
                }
                self.playback.progress = 1.0;
                self.quiz_gate(from);
            }
            Action::StepBack => {
                self.playback.playing = false;
                if self.playback.pos > self.start
                    && self.playback.step_back(&self.timeline, &self.index)
                {
                    self.selected = None;
                }
                if self.playback.pos < self.start {
                    self.playback.seek(&self.timeline, self.start);
                }
                self.playback.progress = 1.0;
            }
            Action::Slower => self.playback.slower(),
            Action::Faster => self.playback.faster(),
            Action::TogglePacing => self.playback.toggle_pacing(&self.timeline),
            Action::ToStart => self.seek(self.start),
            Action::ToEnd => {
                self.seek(self.len());
                self.playback.playing = true;
            }
            Action::SeekBy(f) => {
                let span = self.len() - self.start.min(self.len());
                let delta = (span as f64 * f) as i64;
                let to =
                    (self.playback.pos as i64 + delta).clamp(self.start as i64, self.len() as i64);
                self.seek(to as usize);
            }
            Action::SeekTo(f) => {
                let span = self.len() - self.start.min(self.len());
                let to = self.start + (span as f64 * f.clamp(0.0, 1.0)).round() as usize;
                self.seek(to);
            }
            Action::NextPanels => self.panel_page += 1,
            Action::SelectPrev | Action::ScrollUp => self.select_by(-1),
            Action::SelectNext | Action::ScrollDown => self.select_by(1),
            Action::SelectRow(row) => {
                if let Some(i) = super::widgets::ladder::event_at_row(self, row) {
                    self.selected = Some(i);
                }
            }
            Action::NextPane => {
                self.pane = match self.pane {
                    Pane::Bytes => Pane::CallLog,
                    Pane::CallLog => Pane::StreamMap,
                    Pane::StreamMap => Pane::Bytes,
                }
            }
            Action::ToggleLogSide => {
                self.log_side = match self.log_side {
                    LabSide::Client => LabSide::Server,
                    LabSide::Server => LabSide::Client,
                }
            }
            Action::ToggleStreamDir => {
                self.stream_dir = match self.stream_dir {
                    DirKey::ToServer => DirKey::ToClient,
                    DirKey::ToClient => DirKey::ToServer,
                }
            }
            Action::BytesUp | Action::BytesDown => {
                if let Some(i) = self.bytes_focus() {
                    let rows = self.bytes_scroll_rows();
                    let rows = if action == Action::BytesDown {
                        rows + 1
                    } else {
                        rows.saturating_sub(1)
                    };
                    self.bytes_scroll = Some((i, rows));
                }
            }
            Action::ZoomIn => self.zoom = (self.zoom + 1).min(24),
            Action::ZoomOut => self.zoom = (self.zoom - 1).max(-24),
            Action::ToggleHelp => {
                self.help_scroll = 0;
                self.mode = if self.mode == Mode::Help {
                    Mode::Normal
                } else {
                    Mode::Help
                }
            }
            Action::HelpDown => {
                self.help_scroll =
                    (self.help_scroll + 1).min(super::widgets::help::max_scroll(self))
            }
            Action::HelpUp => self.help_scroll = self.help_scroll.saturating_sub(1),
            Action::CloseOverlay if self.mode == Mode::QuizScore => {
                return self.quiz_update(action);
            }
            Action::CloseOverlay => {
                // Esc in the prompt drops the text: a later Enter must not send what was
                // not on screen.
                if self.mode == Mode::Input {
                    self.lab.input.clear();
                }
                self.mode = Mode::Normal
            }
            Action::Tick(dt) => self.tick(dt),
            Action::Resize(w, h) => self.size = (w, h),
            Action::LoadFailed(message) => self.source = SourceLabel::Failed { message },
            Action::LessonNext => return self.lesson_next(),
            Action::ToggleQuiz
            | Action::QuizChar(_)
            | Action::QuizBackspace
            | Action::QuizSubmit
            | Action::QuizSkip
            | Action::QuizNextMissed
            | Action::QuizPrevMissed => return self.quiz_update(action),
            lab => return self.lab_update(lab),
        }
        Vec::new()
    }

    fn seek(&mut self, to: usize) {
        self.playback.seek(&self.timeline, to);
        self.selected = None;
    }

    fn tick(&mut self, dt: f64) {
        for p in &mut self.lab.pending {
            p.secs += dt;
        }
        if !self.playback.playing || self.mode != Mode::Normal && self.mode != Mode::Input {
            return;
        }
        let from = self.playback.pos;
        if self.playback.tick(&self.timeline, &self.index, dt) {
            self.selected = None;
            self.quiz_gate(from);
        }
    }

    fn select_by(&mut self, delta: i64) {
        let vis = self.index.visible();
        let shown = self.index.visible_before(self.playback.pos);
        if shown == 0 {
            return;
        }
        let cur = match self.focus() {
            Some(i) => vis.partition_point(|&v| v < i),
            None => shown - 1,
        };
        let next = (cur as i64 + delta).clamp(0, shown as i64 - 1) as usize;
        self.selected = Some(vis[next]);
    }
}
