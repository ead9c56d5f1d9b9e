//! What a key, a click or a timer asks the app to do. Keys map to these (see `keymap`); the app's
//! `update` is the only place they take effect, so tests can drive the app without a terminal.

use crate::lab::interactive::LabCommand;
use crate::timeline::Side;

/// Which way `recv`, `shutdown` and `close` point in the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabSide {
    Client,
    Server,
}

impl LabSide {
    pub fn name(self) -> &'static str {
        match self {
            LabSide::Client => "client",
            LabSide::Server => "server",
        }
    }

    pub fn side(self) -> Side {
        match self {
            LabSide::Client => Side::Client,
            LabSide::Server => Side::Server,
        }
    }
}

/// The bottom pane's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Bytes,
    CallLog,
    StreamMap,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Quit,
    TogglePlay,
    StepForward,
    StepBack,
    Slower,
    Faster,
    /// Real time (scaled) ↔ lecture (one event per step).
    TogglePacing,
    ToStart,
    ToEnd,
    /// Move by a fraction of the timeline (negative: back).
    SeekBy(f64),
    /// Jump to a fraction of the timeline (a scrubber click).
    SeekTo(f64),
    SelectPrev,
    SelectNext,
    /// Select the event drawn on ladder row `row` (a click).
    SelectRow(u16),
    ScrollUp,
    ScrollDown,
    NextPane,
    /// Show the next page of socket panels (more sockets than the column holds).
    NextPanels,
    ToggleLogSide,
    ToggleStreamDir,
    ZoomIn,
    ZoomOut,
    /// Scroll the bytes pane by one row (a segment holds up to ~1448 bytes).
    BytesUp,
    BytesDown,
    ToggleHelp,
    /// Scroll the help by a line (its legend is under the keys).
    HelpDown,
    HelpUp,
    CloseOverlay,
    // Driving the lab.
    StartInput {
        all: bool,
    },
    InputChar(char),
    InputBackspace,
    InputSubmit,
    Recv(LabSide),
    CycleBufsize,
    ToggleAutoEcho,
    ShutdownWrite(LabSide),
    Close(LabSide),
    NewConnection,
    /// Start or stop recording the live lab to a pcapng file.
    ToggleRecording,
    OpenPicker,
    PickerUp,
    PickerDown,
    PickerChoose,
    /// Time passes: `secs` since the last tick (the event loop measures it; render never does).
    Tick(f64),
    /// Predict, then reveal: questions before chosen events on/off (`Q`).
    ToggleQuiz,
    /// A character typed into the question's answer (a digit picks a choice at once).
    QuizChar(char),
    QuizBackspace,
    /// Enter: answer with what was typed.
    QuizSubmit,
    /// Esc: pass the question over (not counted) and show the event.
    QuizSkip,
    /// In the score: the next (or previous) question answered wrong.
    QuizNextMissed,
    QuizPrevMissed,
    Resize(u16, u16),
    // Answers from the world.
    /// The recorder created this file and is writing to it.
    RecordingStarted(String),
    /// The recorder closed this file with its summary.
    RecordingStopped(String),
    /// Recording could not start, or stopped (disk full): why.
    RecordingFailed(String),
    /// The replay's file could not be loaded: why.
    LoadFailed(String),
    // The connection picker (before a replay).
    ConnUp,
    ConnDown,
    ConnPageUp,
    ConnPageDown,
    ConnFirst,
    ConnLast,
    ConnChoose,
    /// `/`: type a filter over the rows.
    FilterStart,
    FilterChar(char),
    FilterBackspace,
    /// Esc while filtering: drop the filter.
    FilterClear,
}

/// What `update` asks of the world; the event loop carries it out, and answers come back as
/// actions.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A command for the live lab.
    Lab(LabCommand),
    /// Record the session so far and everything after it to this file.
    StartRecording(crate::record::recorder::Destination),
    /// Close the recording with the lab's summary.
    StopRecording { scenario: String, capture: String },
    /// The screen ends.
    Quit,
}
