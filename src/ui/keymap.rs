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
    /// The key as the help names it: a symbol or key cap (`→`, `Enter`, `Ctrl-C`), or a key
    /// of the language files for a word (`ui.keys.space`); drawn with [`label`].
    pub label: &'static str,
    pub action: fn() -> Action,
    /// What it does: a key of the language files (`ui.keys.step_forward`), looked up with
    /// `i18n::t` where the help draws it.
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

#[rustfmt::skip]
pub static NORMAL: &[Binding] = &[
    b!(Char(' '), crate::key!("ui.keys.space"), Action::TogglePlay, crate::key!("ui.keys.play_pause_live_queue")),
    b!(Code(KeyCode::Right), "→", Action::StepForward, crate::key!("ui.keys.step_forward")),
    b!(Char('l'), "l", Action::StepForward, crate::key!("ui.keys.step_forward")),
    b!(Code(KeyCode::Left), "←", Action::StepBack, crate::key!("ui.keys.step_back")),
    b!(Char('h'), "h", Action::StepBack, crate::key!("ui.keys.step_back")),
    b!(Code(KeyCode::Up), "↑", Action::SelectPrev, crate::key!("ui.keys.select_previous")),
    b!(Char('k'), "k", Action::SelectPrev, crate::key!("ui.keys.select_previous")),
    b!(Code(KeyCode::Down), "↓", Action::SelectNext, crate::key!("ui.keys.select_next")),
    b!(Char('j'), "j", Action::SelectNext, crate::key!("ui.keys.select_next")),
    b!(Char('-'), "-", Action::Slower, crate::key!("ui.keys.slower")),
    b!(Char('+'), "+", Action::Faster, crate::key!("ui.keys.faster")),
    b!(Char('='), "=", Action::Faster, crate::key!("ui.keys.faster")),
    b!(Char('p'), "p", Action::TogglePacing, crate::key!("ui.keys.pacing_lecture_real_time")),
    b!(Code(KeyCode::Home), "Home", Action::ToStart, crate::key!("ui.keys.go_to_start")),
    b!(Char('g'), "g", Action::ToStart, crate::key!("ui.keys.go_to_start")),
    b!(Code(KeyCode::End), "End", Action::ToEnd, crate::key!("ui.keys.go_to_end_follow_live")),
    b!(Char('G'), "G", Action::ToEnd, crate::key!("ui.keys.go_to_end_follow_live")),
    b!(Code(KeyCode::PageUp), "PgUp", Action::SeekBy(-0.1), crate::key!("ui.keys.seek_back_10")),
    b!(Code(KeyCode::PageDown), "PgDn", Action::SeekBy(0.1), crate::key!("ui.keys.seek_forward_10")),
    b!(Code(KeyCode::Tab), "Tab", Action::NextPane, crate::key!("ui.keys.pane_bytes_calls_stream")),
    b!(Char('c'), "c", Action::NextPanels, crate::key!("ui.keys.socket_panels_next_page")),
    b!(Char('v'), "v", Action::ToggleLogSide, crate::key!("ui.keys.call_log_client_server")),
    b!(Char('d'), "d", Action::ToggleStreamDir, crate::key!("ui.keys.stream_map_direction")),
    b!(Char('z'), "z", Action::ZoomIn, crate::key!("ui.keys.stream_map_zoom_in")),
    b!(Char('Z'), "Z", Action::ZoomOut, crate::key!("ui.keys.stream_map_zoom_out")),
    b!(Char('['), "[", Action::BytesUp, crate::key!("ui.keys.bytes_scroll_up")),
    b!(Char(']'), "]", Action::BytesDown, crate::key!("ui.keys.bytes_scroll_down")),
    b!(lab Char('s'), "s", Action::StartInput { all: false }, crate::key!("ui.keys.lab_type_enter_send")),
    b!(lab Char('S'), "S", Action::StartInput { all: true }, crate::key!("ui.keys.lab_type_enter_sendall")),
    b!(lab Char('r'), "r", Action::Recv(LabSide::Client), crate::key!("ui.keys.lab_client_recv_bufsize")),
    b!(lab Char('R'), "R", Action::Recv(LabSide::Server), crate::key!("ui.keys.lab_server_recv_bufsize")),
    b!(lab Char('b'), "b", Action::CycleBufsize, crate::key!("ui.keys.lab_bufsize_1_5_16")),
    b!(lab Char('e'), "e", Action::ToggleAutoEcho, crate::key!("ui.keys.lab_server_auto_echo_on")),
    b!(lab Char('w'), "w", Action::ShutdownWrite(LabSide::Client), crate::key!("ui.keys.lab_client_shutdown_shut_wr")),
    b!(lab Char('W'), "W", Action::ShutdownWrite(LabSide::Server), crate::key!("ui.keys.lab_server_shutdown_shut_wr")),
    b!(lab Char('x'), "x", Action::Close(LabSide::Client), crate::key!("ui.keys.lab_client_close")),
    b!(lab Char('X'), "X", Action::Close(LabSide::Server), crate::key!("ui.keys.lab_server_close")),
    b!(lab Char('n'), "n", Action::NewConnection, crate::key!("ui.keys.lab_new_connection")),
    b!(lab Char('o'), "o", Action::OpenPicker, crate::key!("ui.keys.lab_run_a_scenario")),
    b!(lab Ctrl('r'), "Ctrl-R", Action::ToggleRecording, crate::key!("ui.keys.lab_record_to_a_file")),
    b!(lab Code(KeyCode::Enter), "Enter", Action::LessonNext, crate::key!("ui.keys.lesson_next_step")),
    b!(Char('Q'), "Q", Action::ToggleQuiz, crate::key!("ui.keys.quiz_on_off_predict")),
    b!(Char('?'), "?", Action::ToggleHelp, crate::key!("ui.keys.this_help")),
    b!(Char('q'), "q", Action::Quit, crate::key!("ui.keys.quit")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
];

#[rustfmt::skip]
pub static QUIZ: &[Binding] = &[
    b!(Code(KeyCode::Enter), "Enter", Action::QuizSubmit, crate::key!("ui.keys.answer_with_what_you_typed")),
    b!(Code(KeyCode::Backspace), "Backspace", Action::QuizBackspace, crate::key!("ui.keys.delete_a_character")),
    b!(Code(KeyCode::Esc), "Esc", Action::QuizSkip, crate::key!("ui.keys.pass_not_counted_show_the")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
];

#[rustfmt::skip]
pub static QUIZ_SCORE: &[Binding] = &[
    b!(Char(']'), "]", Action::QuizNextMissed, crate::key!("ui.keys.next_question_missed")),
    b!(Code(KeyCode::Right), "→", Action::QuizNextMissed, crate::key!("ui.keys.next_question_missed")),
    b!(Char('['), "[", Action::QuizPrevMissed, crate::key!("ui.keys.previous_question_missed")),
    b!(Code(KeyCode::Left), "←", Action::QuizPrevMissed, crate::key!("ui.keys.previous_question_missed")),
    b!(Code(KeyCode::Esc), "Esc", Action::CloseOverlay, crate::key!("ui.keys.close_the_score")),
    b!(Code(KeyCode::Enter), "Enter", Action::CloseOverlay, crate::key!("ui.keys.close_the_score")),
    b!(Char('q'), "q", Action::Quit, crate::key!("ui.keys.quit")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
];

#[rustfmt::skip]
pub static HELP: &[Binding] = &[
    b!(Char('?'), "?", Action::ToggleHelp, crate::key!("ui.keys.close_the_help")),
    b!(Code(KeyCode::Down), "↓", Action::HelpDown, crate::key!("ui.keys.scroll_down")),
    b!(Char('j'), "j", Action::HelpDown, crate::key!("ui.keys.scroll_down")),
    b!(Code(KeyCode::Up), "↑", Action::HelpUp, crate::key!("ui.keys.scroll_up")),
    b!(Char('k'), "k", Action::HelpUp, crate::key!("ui.keys.scroll_up")),
    b!(Code(KeyCode::Esc), "Esc", Action::CloseOverlay, crate::key!("ui.keys.close_the_help")),
    b!(Char('q'), "q", Action::Quit, crate::key!("ui.keys.quit")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
];

#[rustfmt::skip]
pub static INPUT: &[Binding] = &[
    b!(Code(KeyCode::Enter), "Enter", Action::InputSubmit, crate::key!("ui.keys.send_the_message")),
    b!(Code(KeyCode::Esc), "Esc", Action::CloseOverlay, crate::key!("ui.keys.cancel")),
    b!(Code(KeyCode::Backspace), "Backspace", Action::InputBackspace, crate::key!("ui.keys.delete_a_character")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
];

#[rustfmt::skip]
pub static PICKER: &[Binding] = &[
    b!(Code(KeyCode::Up), "↑", Action::PickerUp, crate::key!("ui.keys.previous_scenario")),
    b!(Char('k'), "k", Action::PickerUp, crate::key!("ui.keys.previous_scenario")),
    b!(Code(KeyCode::Down), "↓", Action::PickerDown, crate::key!("ui.keys.next_scenario")),
    b!(Char('j'), "j", Action::PickerDown, crate::key!("ui.keys.next_scenario")),
    b!(Code(KeyCode::Enter), "Enter", Action::PickerChoose, crate::key!("ui.keys.run_it")),
    b!(Code(KeyCode::Esc), "Esc", Action::CloseOverlay, crate::key!("ui.keys.cancel")),
    b!(Char('q'), "q", Action::CloseOverlay, crate::key!("ui.keys.cancel")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
];

#[rustfmt::skip]
pub static CONNECTIONS: &[Binding] = &[
    b!(Code(KeyCode::Up), "↑", Action::ConnUp, crate::key!("ui.keys.previous_connection")),
    b!(Char('k'), "k", Action::ConnUp, crate::key!("ui.keys.previous_connection")),
    b!(Code(KeyCode::Down), "↓", Action::ConnDown, crate::key!("ui.keys.next_connection")),
    b!(Char('j'), "j", Action::ConnDown, crate::key!("ui.keys.next_connection")),
    b!(Code(KeyCode::PageUp), "PgUp", Action::ConnPageUp, crate::key!("ui.keys.up_10_rows")),
    b!(Code(KeyCode::PageDown), "PgDn", Action::ConnPageDown, crate::key!("ui.keys.down_10_rows")),
    b!(Code(KeyCode::Home), "Home", Action::ConnFirst, crate::key!("ui.keys.first_row")),
    b!(Code(KeyCode::End), "End", Action::ConnLast, crate::key!("ui.keys.last_row")),
    b!(Code(KeyCode::Enter), "Enter", Action::ConnChoose, crate::key!("ui.keys.play_it")),
    b!(Char('/'), "/", Action::FilterStart, crate::key!("ui.keys.filter_the_rows")),
    b!(Code(KeyCode::Esc), "Esc", Action::Quit, crate::key!("ui.keys.quit")),
    b!(Char('q'), "q", Action::Quit, crate::key!("ui.keys.quit")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
];

#[rustfmt::skip]
pub static FILTER: &[Binding] = &[
    b!(Code(KeyCode::Enter), "Enter", Action::ConnChoose, crate::key!("ui.keys.play_the_highlighted_row")),
    b!(Code(KeyCode::Esc), "Esc", Action::FilterClear, crate::key!("ui.keys.clear_the_filter")),
    b!(Code(KeyCode::Backspace), "Backspace", Action::FilterBackspace, crate::key!("ui.keys.delete_a_character")),
    b!(Code(KeyCode::Up), "↑", Action::ConnUp, crate::key!("ui.keys.previous_connection")),
    b!(Code(KeyCode::Down), "↓", Action::ConnDown, crate::key!("ui.keys.next_connection")),
    b!(Code(KeyCode::PageUp), "PgUp", Action::ConnPageUp, crate::key!("ui.keys.up_10_rows")),
    b!(Code(KeyCode::PageDown), "PgDn", Action::ConnPageDown, crate::key!("ui.keys.down_10_rows")),
    b!(Code(KeyCode::Home), "Home", Action::ConnFirst, crate::key!("ui.keys.first_row")),
    b!(Code(KeyCode::End), "End", Action::ConnLast, crate::key!("ui.keys.last_row")),
    b!(Ctrl('c'), "Ctrl-C", Action::Quit, crate::key!("ui.keys.quit")),
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
    crate::i18n::t(match (mode, lab) {
        (Mode::Normal, true) => crate::key!("ui.hints.normal_lab"),
        (Mode::Normal, false) => crate::key!("ui.hints.normal"),
        (Mode::Help, _) => crate::key!("ui.hints.help"),
        (Mode::Input, _) => crate::key!("ui.hints.input"),
        (Mode::Picker, _) => crate::key!("ui.hints.picker"),
        (Mode::Connections, _) => crate::key!("ui.hints.connections"),
        (Mode::Filter, _) => crate::key!("ui.hints.filter"),
        (Mode::Quiz, _) => crate::key!("ui.hints.quiz"),
        (Mode::QuizScore, _) => crate::key!("ui.hints.quiz_score"),
    })
}

/// The hint the status bar keeps at its right end at any width (`? help`).
pub fn help_hint() -> &'static str {
    crate::i18n::t("ui.hints.help_key")
}

/// A key's name as the help shows it: `space` is a word (a key of the language files), the
/// others are symbols or key caps (`→`, `Enter`, `Ctrl-C`).
pub fn label(b: &Binding) -> &'static str {
    if b.label.starts_with("ui.") {
        crate::i18n::t(b.label)
    } else {
        b.label
    }
}
