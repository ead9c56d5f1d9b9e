//! What a key, a click or a timer asks the app to do. Keys map to these (see `keymap`); the app's
//! `update` is the only place they take effect, so tests can drive the app without a terminal.

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
    ToggleLogSide,
    ToggleStreamDir,
    ZoomIn,
    ZoomOut,
    /// Scroll the bytes pane by one row (a segment holds up to ~1448 bytes).
    BytesUp,
    BytesDown,
    ToggleHelp,
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
    Resize(u16, u16),
}
