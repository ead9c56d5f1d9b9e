//! The app: all the screen's state, and `update(action)`, the only place it changes.
//!
//! The playback position is state (`pos`: how many events have happened), advanced by `Tick`
//! actions carrying the elapsed time, so rendering never reads a clock and tests can step time.

use crate::lab::interactive::LabCommand;
use crate::lab::socket::Shutdown;
use crate::timeline::from_capture::Replay;
use crate::timeline::playback::{DirKey, PlayState, PlaybackIndex};
use crate::timeline::{ByteMap, Event, Timeline};

use super::action::{Action, LabSide, Pane};
use super::keymap::Mode;
use super::theme::Theme;

/// Seconds an arrow takes to cross the wire in lecture pacing, at speed 1.
pub const LECTURE_TRAVEL_SECS: f64 = 0.6;
/// Real-time pacing at speed 1 plays loopback traffic this much slower than it happened: a
/// handshake takes ~30 µs on `lo`, too fast for an eye.
pub const REALTIME_SLOWDOWN: f64 = 1000.0;
/// The recv sizes `b` cycles through: small ones split a message, 1024 is the lecture's.
pub const BUFSIZES: [usize; 5] = [1, 5, 16, 1024, 4096];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// One event per step, every arrow takes the same time to cross.
    Lecture,
    /// Events at their recorded times, slowed by [`REALTIME_SLOWDOWN`] / speed.
    RealTime,
}

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

/// A replay with its index and byte map built: the linear work done before the UI gets it.
#[derive(Debug)]
pub struct LoadedReplay {
    pub replay: Replay,
    pub index: PlaybackIndex,
    pub bytemap: ByteMap,
}

impl LoadedReplay {
    pub fn prepare(replay: Replay) -> Self {
        let index = replay.index();
        let bytemap = replay.timeline.byte_map();
        LoadedReplay {
            replay,
            index,
            bytemap,
        }
    }
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
    /// Lab keys are live (a lab session is attached).
    pub lab: bool,
    /// How many events have happened.
    pub pos: usize,
    pub playing: bool,
    pub pacing: Pacing,
    pub speed: f64,
    /// Real-time pacing's clock: seconds since the timeline's origin.
    pub clock: f64,
    /// How far the newest arrow has crossed the wire (0..=1).
    pub progress: f64,
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
    pub input: String,
    pub input_all: bool,
    pub picker: usize,
    pub bufsize: usize,
    pub auto_echo: bool,
    pub message: Option<String>,
    pub quit: bool,
    pub size: (u16, u16),
    /// Commands for the lab, drained by the event loop.
    pub outbox: Vec<LabCommand>,
    /// The file being recorded to (the status bar's `● REC`); set by the event loop.
    pub recording: Option<String>,
    /// Ctrl-R was pressed: the event loop starts or stops the recording.
    pub record_toggle: bool,
    /// Where the next recording goes (`lab --record FILE`); `None`: a timestamped file.
    pub record_path: Option<std::path::PathBuf>,
    /// How far a replay's background load has read (the header's percentage while loading).
    pub loading: Option<super::loading::LoadProgress>,
}

impl App {
    pub fn new(timeline: Timeline, source: SourceLabel, theme: Theme) -> Self {
        let index = PlaybackIndex::build(timeline.events());
        let bytemap = timeline.byte_map();
        App {
            timeline,
            index,
            bytemap,
            replay_sockets: None,
            source,
            theme,
            mode: Mode::Normal,
            lab: false,
            pos: 0,
            playing: true,
            pacing: Pacing::Lecture,
            speed: 1.0,
            clock: 0.0,
            progress: 1.0,
            selected: None,
            pane: Pane::Bytes,
            log_side: LabSide::Client,
            stream_dir: DirKey::ToServer,
            zoom: 0,
            bytes_scroll: None,
            input: String::new(),
            input_all: false,
            picker: 0,
            bufsize: 3,
            auto_echo: true,
            message: None,
            quit: false,
            size: (80, 24),
            outbox: Vec::new(),
            recording: None,
            record_toggle: false,
            record_path: None,
            loading: None,
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
        self.timeline = replay.timeline;
        self.index = index;
        self.bytemap = bytemap;
        self.pos = 0;
        self.selected = None;
    }

    pub(super) fn reindex(&mut self) {
        self.index = PlaybackIndex::build(self.timeline.events());
        if let Some(s) = &self.replay_sockets {
            self.index.set_sockets(s.clone());
        }
        self.bytemap = self.timeline.byte_map();
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
        self.index.state_at(self.events(), self.pos)
    }

    /// The event the inspectors show: the selection, or the newest drawable event.
    /// The event whose bytes the bytes pane shows: the selection, else the newest event that
    /// moved bytes (looking back at most 10,000 events, so drawing cost stays bounded).
    pub fn bytes_focus(&self) -> Option<usize> {
        if let Some(i) = self.selected.filter(|&i| i < self.pos) {
            return Some(i);
        }
        (self.pos.saturating_sub(10_000)..self.pos)
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
        self.selected.filter(|&i| i < self.pos).or_else(|| {
            let k = self.index.visible_before(self.pos);
            k.checked_sub(1).map(|k| self.index.visible()[k])
        })
    }

    /// Drawable events not yet played (live: what pausing let queue up).
    pub fn queued(&self) -> usize {
        self.index.visible().len() - self.index.visible_before(self.pos)
    }

    /// The state of the app after `action`.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::TogglePlay => {
                self.playing = !self.playing;
                if self.playing {
                    self.sync_clock();
                }
            }
            Action::StepForward => {
                self.playing = false;
                self.step_forward();
                self.progress = 1.0;
            }
            Action::StepBack => {
                self.playing = false;
                self.step_back();
                self.progress = 1.0;
            }
            Action::Slower => self.speed = (self.speed / 2.0).max(1.0 / 64.0),
            Action::Faster => self.speed = (self.speed * 2.0).min(64.0),
            Action::TogglePacing => {
                self.pacing = match self.pacing {
                    Pacing::Lecture => Pacing::RealTime,
                    Pacing::RealTime => Pacing::Lecture,
                };
                self.sync_clock();
                self.progress = 1.0;
            }
            Action::ToStart => self.seek(0),
            Action::ToEnd => {
                self.seek(self.len());
                self.playing = true;
            }
            Action::SeekBy(f) => {
                let delta = (self.len() as f64 * f) as i64;
                let to = (self.pos as i64 + delta).clamp(0, self.len() as i64);
                self.seek(to as usize);
            }
            Action::SeekTo(f) => {
                let to = (self.len() as f64 * f.clamp(0.0, 1.0)).round() as usize;
                self.seek(to);
            }
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
                self.mode = if self.mode == Mode::Help {
                    Mode::Normal
                } else {
                    Mode::Help
                }
            }
            Action::CloseOverlay => self.mode = Mode::Normal,
            Action::StartInput { all } => {
                if self.lab {
                    self.input_all = all;
                    self.mode = Mode::Input;
                }
            }
            Action::InputChar(c) => self.input.push(c),
            Action::InputBackspace => {
                self.input.pop();
            }
            Action::InputSubmit => {
                let text = std::mem::take(&mut self.input);
                self.mode = Mode::Normal;
                if !text.is_empty() {
                    self.command(LabCommand::Send {
                        text,
                        all: self.input_all,
                    });
                }
            }
            Action::Recv(side) => self.command(LabCommand::Recv {
                side: side.side(),
                bufsize: BUFSIZES[self.bufsize],
            }),
            Action::CycleBufsize => {
                self.bufsize = (self.bufsize + 1) % BUFSIZES.len();
                self.message = Some(format!("recv bufsize {}", BUFSIZES[self.bufsize]));
            }
            Action::ToggleAutoEcho => {
                self.auto_echo = !self.auto_echo;
                self.command(LabCommand::AutoEcho(self.auto_echo));
            }
            Action::ShutdownWrite(side) => self.command(LabCommand::Shutdown {
                side: side.side(),
                how: Shutdown::Write,
            }),
            Action::Close(side) => self.command(LabCommand::Close { side: side.side() }),
            Action::NewConnection => self.command(LabCommand::NewConnection),
            Action::ToggleRecording => self.record_toggle = self.lab,
            Action::OpenPicker => {
                if self.lab {
                    self.mode = Mode::Picker;
                }
            }
            Action::PickerUp => self.picker = self.picker.saturating_sub(1),
            Action::PickerDown => {
                self.picker = (self.picker + 1).min(crate::lab::scenario::ALL.len() - 1)
            }
            Action::PickerChoose => {
                self.mode = Mode::Normal;
                if let Some(s) = crate::lab::scenario::ALL.get(self.picker) {
                    self.command(LabCommand::RunScenario(s.name.to_string()));
                    if let SourceLabel::Lab { scenario, .. } = &mut self.source {
                        *scenario = s.name.to_string();
                    }
                }
            }
            Action::Tick(dt) => self.tick(dt),
            Action::Resize(w, h) => self.size = (w, h),
        }
    }

    fn command(&mut self, cmd: LabCommand) {
        if !self.lab {
            return;
        }
        self.message = Some(cmd.describe());
        // Driving the lab means watching what it does: follow the new events.
        self.playing = true;
        self.outbox.push(cmd);
    }
}
