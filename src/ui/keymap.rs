//! Keys as data: one table per mode, read by the key handler, the `?` overlay and the status
//! bar alike, so the three cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, LabSide};

/// What the keyboard is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Watching: playback and selection keys; lab keys when a lab is attached.
    Normal,
    /// The `?` overlay.
    Help,
    /// Typing a message for `send`/`sendall`.
    Input,
    /// The scenario picker.
    Picker,
    /// The connection picker before a replay.
    Connections,
    /// Typing the connection picker's filter (after `/`).
    Filter,
    /// A quiz question waits for its answer (playback stopped before the event it asks about).
    Quiz,
    /// The quiz's score, with the questions missed to step through.
    QuizScore,
}

/// A key as the tables write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
    /// Any printable character (Input mode's text).
    AnyChar,
}

/// One row of a table: the key, what it does, and the words for the help overlay.
#[derive(Debug, Clone)]
pub struct Binding {
    pub key: Key,
    pub label: &'static str,
    pub action: fn() -> Action,
    pub help: &'static str,
    /// Needs the live lab (hidden in replay).
    pub lab_only: bool,
}

macro_rules! b {
    ($key:expr, $label:expr, $action:expr, $help:expr) => {
        Binding {
            key: $key,
            label: $label,
            action: || $action,
            help: $help,
            lab_only: false,
        }
    };
    (lab $key:expr, $label:expr, $action:expr, $help:expr) => {
        Binding {
            key: $key,
            label: $label,
            action: || $action,
            help: $help,
            lab_only: true,
        }
    };
}

use Key::{Char, Code, Ctrl};

pub static NORMAL: &[Binding] = &[
    b!(
        Char(' '),
        "space",
        Action::TogglePlay,
        "play / pause (live: queue)"
    ),
    b!(
        Code(KeyCode::Right),
        "→",
        Action::StepForward,
        "step forward"
    ),
    b!(Char('l'), "l", Action::StepForward, "step forward"),
    b!(Code(KeyCode::Left), "←", Action::StepBack, "step back"),
    b!(Char('h'), "h", Action::StepBack, "step back"),
    b!(
        Code(KeyCode::Up),
        "↑",
        Action::SelectPrev,
        "select previous"
    ),
    b!(Char('k'), "k", Action::SelectPrev, "select previous"),
    b!(Code(KeyCode::Down), "↓", Action::SelectNext, "select next"),
    b!(Char('j'), "j", Action::SelectNext, "select next"),
    b!(Char('-'), "-", Action::Slower, "slower"),
    b!(Char('+'), "+", Action::Faster, "faster"),
    b!(Char('='), "=", Action::Faster, "faster"),
    b!(
        Char('p'),
        "p",
        Action::TogglePacing,
        "pacing: lecture / real time"
    ),
    b!(Code(KeyCode::Home), "Home", Action::ToStart, "go to start"),
    b!(Char('g'), "g", Action::ToStart, "go to start"),
    b!(
        Code(KeyCode::End),
        "End",
        Action::ToEnd,
        "go to end, follow live"
    ),
    b!(Char('G'), "G", Action::ToEnd, "go to end, follow live"),
    b!(
        Code(KeyCode::PageUp),
        "PgUp",
        Action::SeekBy(-0.1),
        "seek back 10%"
    ),
    b!(
        Code(KeyCode::PageDown),
        "PgDn",
        Action::SeekBy(0.1),
        "seek forward 10%"
    ),
    b!(
        Code(KeyCode::Tab),
        "Tab",
        Action::NextPane,
        "pane: bytes/calls/stream"
    ),
    b!(
        Char('c'),
        "c",
        Action::NextPanels,
        "socket panels: next page"
    ),
    b!(
        Char('v'),
        "v",
        Action::ToggleLogSide,
        "call log: client / server"
    ),
    b!(
        Char('d'),
        "d",
        Action::ToggleStreamDir,
        "stream map: direction"
    ),
    b!(Char('z'), "z", Action::ZoomIn, "stream map: zoom in"),
    b!(Char('Z'), "Z", Action::ZoomOut, "stream map: zoom out"),
    b!(Char('['), "[", Action::BytesUp, "bytes: scroll up"),
    b!(Char(']'), "]", Action::BytesDown, "bytes: scroll down"),
    b!(lab Char('s'), "s", Action::StartInput { all: false }, "lab: type, Enter = send()"),
    b!(lab Char('S'), "S", Action::StartInput { all: true }, "lab: type, Enter = sendall()"),
    b!(lab Char('r'), "r", Action::Recv(LabSide::Client), "lab: client recv(bufsize)"),
    b!(lab Char('R'), "R", Action::Recv(LabSide::Server), "lab: server recv(bufsize)"),
    b!(lab Char('b'), "b", Action::CycleBufsize, "lab: bufsize 1/5/16/1024/4096"),
    b!(lab Char('e'), "e", Action::ToggleAutoEcho, "lab: server auto-echo on/off"),
    b!(lab Char('w'), "w", Action::ShutdownWrite(LabSide::Client), "lab: client shutdown(SHUT_WR)"),
    b!(lab Char('W'), "W", Action::ShutdownWrite(LabSide::Server), "lab: server shutdown(SHUT_WR)"),
    b!(lab Char('x'), "x", Action::Close(LabSide::Client), "lab: client close()"),
    b!(lab Char('X'), "X", Action::Close(LabSide::Server), "lab: server close()"),
    b!(lab Char('n'), "n", Action::NewConnection, "lab: new connection"),
    b!(lab Char('o'), "o", Action::OpenPicker, "lab: run a scenario"),
    b!(lab Ctrl('r'), "Ctrl-R", Action::ToggleRecording, "lab: record to a file (● REC)"),
    b!(lab Code(KeyCode::Enter), "Enter", Action::LessonNext, "lesson: next step"),
    b!(Char('Q'), "Q", Action::ToggleQuiz, "quiz on/off (predict)"),
    b!(Char('?'), "?", Action::ToggleHelp, "this help"),
    b!(Char('q'), "q", Action::Quit, "quit"),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub static QUIZ: &[Binding] = &[
    b!(
        Code(KeyCode::Enter),
        "Enter",
        Action::QuizSubmit,
        "answer with what you typed"
    ),
    b!(
        Code(KeyCode::Backspace),
        "Backspace",
        Action::QuizBackspace,
        "delete a character"
    ),
    b!(
        Code(KeyCode::Esc),
        "Esc",
        Action::QuizSkip,
        "pass (not counted): show the event"
    ),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub static QUIZ_SCORE: &[Binding] = &[
    b!(
        Char(']'),
        "]",
        Action::QuizNextMissed,
        "next question missed"
    ),
    b!(
        Code(KeyCode::Right),
        "→",
        Action::QuizNextMissed,
        "next question missed"
    ),
    b!(
        Char('['),
        "[",
        Action::QuizPrevMissed,
        "previous question missed"
    ),
    b!(
        Code(KeyCode::Left),
        "←",
        Action::QuizPrevMissed,
        "previous question missed"
    ),
    b!(
        Code(KeyCode::Esc),
        "Esc",
        Action::CloseOverlay,
        "close the score"
    ),
    b!(
        Code(KeyCode::Enter),
        "Enter",
        Action::CloseOverlay,
        "close the score"
    ),
    b!(Char('q'), "q", Action::Quit, "quit"),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub static HELP: &[Binding] = &[
    b!(Char('?'), "?", Action::ToggleHelp, "close the help"),
    b!(Code(KeyCode::Down), "↓", Action::HelpDown, "scroll down"),
    b!(Char('j'), "j", Action::HelpDown, "scroll down"),
    b!(Code(KeyCode::Up), "↑", Action::HelpUp, "scroll up"),
    b!(Char('k'), "k", Action::HelpUp, "scroll up"),
    b!(
        Code(KeyCode::Esc),
        "Esc",
        Action::CloseOverlay,
        "close the help"
    ),
    b!(Char('q'), "q", Action::Quit, "quit"),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub static INPUT: &[Binding] = &[
    b!(
        Code(KeyCode::Enter),
        "Enter",
        Action::InputSubmit,
        "send the message"
    ),
    b!(Code(KeyCode::Esc), "Esc", Action::CloseOverlay, "cancel"),
    b!(
        Code(KeyCode::Backspace),
        "Backspace",
        Action::InputBackspace,
        "delete a character"
    ),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub static PICKER: &[Binding] = &[
    b!(
        Code(KeyCode::Up),
        "↑",
        Action::PickerUp,
        "previous scenario"
    ),
    b!(Char('k'), "k", Action::PickerUp, "previous scenario"),
    b!(
        Code(KeyCode::Down),
        "↓",
        Action::PickerDown,
        "next scenario"
    ),
    b!(Char('j'), "j", Action::PickerDown, "next scenario"),
    b!(
        Code(KeyCode::Enter),
        "Enter",
        Action::PickerChoose,
        "run it"
    ),
    b!(Code(KeyCode::Esc), "Esc", Action::CloseOverlay, "cancel"),
    b!(Char('q'), "q", Action::CloseOverlay, "cancel"),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub static CONNECTIONS: &[Binding] = &[
    b!(
        Code(KeyCode::Up),
        "↑",
        Action::ConnUp,
        "previous connection"
    ),
    b!(Char('k'), "k", Action::ConnUp, "previous connection"),
    b!(
        Code(KeyCode::Down),
        "↓",
        Action::ConnDown,
        "next connection"
    ),
    b!(Char('j'), "j", Action::ConnDown, "next connection"),
    b!(
        Code(KeyCode::PageUp),
        "PgUp",
        Action::ConnPageUp,
        "up 10 rows"
    ),
    b!(
        Code(KeyCode::PageDown),
        "PgDn",
        Action::ConnPageDown,
        "down 10 rows"
    ),
    b!(Code(KeyCode::Home), "Home", Action::ConnFirst, "first row"),
    b!(Code(KeyCode::End), "End", Action::ConnLast, "last row"),
    b!(Code(KeyCode::Enter), "Enter", Action::ConnChoose, "play it"),
    b!(Char('/'), "/", Action::FilterStart, "filter the rows"),
    b!(Code(KeyCode::Esc), "Esc", Action::Quit, "quit"),
    b!(Char('q'), "q", Action::Quit, "quit"),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub static FILTER: &[Binding] = &[
    b!(
        Code(KeyCode::Enter),
        "Enter",
        Action::ConnChoose,
        "play the highlighted row"
    ),
    b!(
        Code(KeyCode::Esc),
        "Esc",
        Action::FilterClear,
        "clear the filter"
    ),
    b!(
        Code(KeyCode::Backspace),
        "Backspace",
        Action::FilterBackspace,
        "delete a character"
    ),
    b!(
        Code(KeyCode::Up),
        "↑",
        Action::ConnUp,
        "previous connection"
    ),
    b!(
        Code(KeyCode::Down),
        "↓",
        Action::ConnDown,
        "next connection"
    ),
    b!(
        Code(KeyCode::PageUp),
        "PgUp",
        Action::ConnPageUp,
        "up 10 rows"
    ),
    b!(
        Code(KeyCode::PageDown),
        "PgDn",
        Action::ConnPageDown,
        "down 10 rows"
    ),
    b!(Code(KeyCode::Home), "Home", Action::ConnFirst, "first row"),
    b!(Code(KeyCode::End), "End", Action::ConnLast, "last row"),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, "quit"),
];

pub fn table(mode: Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => NORMAL,
        Mode::Help => HELP,
        Mode::Input => INPUT,
        Mode::Picker => PICKER,
        Mode::Connections => CONNECTIONS,
        Mode::Filter => FILTER,
        Mode::Quiz => QUIZ,
        Mode::QuizScore => QUIZ_SCORE,
    }
}

fn matches(key: Key, ev: &KeyEvent) -> bool {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match (key, ev.code) {
        (Key::Ctrl(c), KeyCode::Char(k)) => ctrl && k.eq_ignore_ascii_case(&c),
        (Key::Char(c), KeyCode::Char(k)) => !ctrl && k == c,
        (Key::Code(c), code) => c == code,
        (Key::AnyChar, KeyCode::Char(_)) => !ctrl,
        _ => false,
    }
}

/// The action for `ev` in `mode`; `lab` says whether lab keys are live.
pub fn action_for(mode: Mode, ev: &KeyEvent, lab: bool) -> Option<Action> {
    let found = table(mode)
        .iter()
        .filter(|b| lab || !b.lab_only)
        .find(|b| matches(b.key, ev))
        .map(|b| (b.action)());
    if found.is_some() {
        return found;
    }
    match (mode, ev.code) {
        (Mode::Input, KeyCode::Char(c)) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Action::InputChar(c))
        }
        (Mode::Help, _) => Some(Action::CloseOverlay),
        (Mode::Quiz, KeyCode::Char(c)) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Action::QuizChar(c))
        }
        // The filter takes every other character, `q` and `/` included.
        (Mode::Filter, KeyCode::Char(c)) => Some(Action::FilterChar(c)),
        _ => None,
    }
}

/// The few keys the status bar names in each mode.
pub fn hints(mode: Mode, lab: bool) -> &'static str {
    match (mode, lab) {
        (Mode::Normal, true) => {
            "space play/pause  ←→ step  ↑↓ select  Tab pane  s send  r/R recv  n new  o scenario  c panels  ? help  q quit"
        }
        (Mode::Normal, false) => {
            "space play/pause  ←→ step  ↑↓ select  -/+ speed  p pacing  Tab pane  c panels  ? help  q quit"
        }
        (Mode::Help, _) => "↓↑ scroll  ? or Esc close help  q quit",
        (Mode::Input, _) => "type the message  Enter send  Esc cancel",
        (Mode::Picker, _) => "↑↓ choose  Enter run  Esc cancel",
        (Mode::Connections, _) => "/ filter   ↑↓ choose   Enter play   q quit",
        (Mode::Filter, _) => "type to filter   ↑↓ choose   Enter play   Esc clear",
        (Mode::Quiz, _) => "1-9 choose or type, Enter answer  Esc pass  Ctrl-C quit",
        (Mode::QuizScore, _) => "]/[ questions missed  Esc close  q quit",
    }
}
