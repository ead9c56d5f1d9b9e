//! The key map: the action for each key in each mode, and what those actions do to the app.

mod ui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sockviz::capture::Timestamp;
use sockviz::lab::interactive::LabCommand;
use sockviz::lab::socket::Shutdown;
use sockviz::timeline::{EventKind, Side, Timeline};
use sockviz::ui::action::{Action, Effect, LabSide, Pane};
use sockviz::ui::app::{App, Pacing, SourceLabel};
use sockviz::ui::keymap::{self, Key, Mode, action_for};
use sockviz::ui::theme::{Theme, ThemeName};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

#[test]
fn normal_mode_keys() {
    let lab = true;
    let cases: Vec<(KeyEvent, Action)> = vec![
        (ch(' '), Action::TogglePlay),
        (key(KeyCode::Right), Action::StepForward),
        (ch('l'), Action::StepForward),
        (key(KeyCode::Left), Action::StepBack),
        (ch('h'), Action::StepBack),
        (key(KeyCode::Up), Action::SelectPrev),
        (ch('k'), Action::SelectPrev),
        (key(KeyCode::Down), Action::SelectNext),
        (ch('j'), Action::SelectNext),
        (ch('-'), Action::Slower),
        (ch('+'), Action::Faster),
        (ch('='), Action::Faster),
        (ch('p'), Action::TogglePacing),
        (key(KeyCode::Home), Action::ToStart),
        (ch('g'), Action::ToStart),
        (key(KeyCode::End), Action::ToEnd),
        (ch('G'), Action::ToEnd),
        (key(KeyCode::PageUp), Action::SeekBy(-0.1)),
        (key(KeyCode::PageDown), Action::SeekBy(0.1)),
        (key(KeyCode::Tab), Action::NextPane),
        (ch('v'), Action::ToggleLogSide),
        (ch('d'), Action::ToggleStreamDir),
        (ch('z'), Action::ZoomIn),
        (ch('Z'), Action::ZoomOut),
        (ch('['), Action::BytesUp),
        (ch(']'), Action::BytesDown),
        (ch('s'), Action::StartInput { all: false }),
        (ch('S'), Action::StartInput { all: true }),
        (ch('r'), Action::Recv(LabSide::Client)),
        (ch('R'), Action::Recv(LabSide::Server)),
        (ch('b'), Action::CycleBufsize),
        (ch('e'), Action::ToggleAutoEcho),
        (ch('w'), Action::ShutdownWrite(LabSide::Client)),
        (ch('W'), Action::ShutdownWrite(LabSide::Server)),
        (ch('x'), Action::Close(LabSide::Client)),
        (ch('X'), Action::Close(LabSide::Server)),
        (ch('n'), Action::NewConnection),
        (ch('o'), Action::OpenPicker),
        (ch('?'), Action::ToggleHelp),
        (ch('q'), Action::Quit),
        (ctrl('c'), Action::Quit),
    ];
    for (ev, want) in cases {
        assert_eq!(
            action_for(Mode::Normal, &ev, lab),
            Some(want.clone()),
            "{ev:?}"
        );
    }
    assert_eq!(action_for(Mode::Normal, &ch('y'), lab), None);
}

#[test]
fn lab_keys_do_nothing_in_a_replay() {
    for c in ['s', 'S', 'r', 'R', 'b', 'e', 'w', 'W', 'x', 'X', 'n', 'o'] {
        assert_eq!(action_for(Mode::Normal, &ch(c), false), None, "{c}");
    }
    assert_eq!(
        action_for(Mode::Normal, &ch(' '), false),
        Some(Action::TogglePlay)
    );
}

#[test]
fn help_mode_keys() {
    assert_eq!(
        action_for(Mode::Help, &ch('?'), true),
        Some(Action::ToggleHelp)
    );
    assert_eq!(
        action_for(Mode::Help, &key(KeyCode::Esc), true),
        Some(Action::CloseOverlay)
    );
    assert_eq!(action_for(Mode::Help, &ch('q'), true), Some(Action::Quit));
    assert_eq!(action_for(Mode::Help, &ctrl('c'), true), Some(Action::Quit));
    // Any other key closes the overlay rather than acting behind it.
    assert_eq!(
        action_for(Mode::Help, &ch(' '), true),
        Some(Action::CloseOverlay)
    );
}

#[test]
fn input_mode_keys_type_text_including_korean() {
    assert_eq!(
        action_for(Mode::Input, &ch('q'), true),
        Some(Action::InputChar('q'))
    );
    assert_eq!(
        action_for(Mode::Input, &ch('안'), true),
        Some(Action::InputChar('안'))
    );
    assert_eq!(
        action_for(Mode::Input, &ch(' '), true),
        Some(Action::InputChar(' '))
    );
    assert_eq!(
        action_for(Mode::Input, &key(KeyCode::Enter), true),
        Some(Action::InputSubmit)
    );
    assert_eq!(
        action_for(Mode::Input, &key(KeyCode::Backspace), true),
        Some(Action::InputBackspace)
    );
    assert_eq!(
        action_for(Mode::Input, &key(KeyCode::Esc), true),
        Some(Action::CloseOverlay)
    );
    assert_eq!(
        action_for(Mode::Input, &ctrl('c'), true),
        Some(Action::Quit)
    );
}

#[test]
fn picker_mode_keys() {
    assert_eq!(
        action_for(Mode::Picker, &key(KeyCode::Up), true),
        Some(Action::PickerUp)
    );
    assert_eq!(
        action_for(Mode::Picker, &ch('k'), true),
        Some(Action::PickerUp)
    );
    assert_eq!(
        action_for(Mode::Picker, &key(KeyCode::Down), true),
        Some(Action::PickerDown)
    );
    assert_eq!(
        action_for(Mode::Picker, &ch('j'), true),
        Some(Action::PickerDown)
    );
    assert_eq!(
        action_for(Mode::Picker, &key(KeyCode::Enter), true),
        Some(Action::PickerChoose)
    );
    assert_eq!(
        action_for(Mode::Picker, &key(KeyCode::Esc), true),
        Some(Action::CloseOverlay)
    );
    assert_eq!(
        action_for(Mode::Picker, &ch('q'), true),
        Some(Action::CloseOverlay)
    );
}

#[test]
fn every_binding_has_help_text_and_is_reachable() {
    for mode in [Mode::Normal, Mode::Help, Mode::Input, Mode::Picker] {
        for b in keymap::table(mode) {
            assert!(!b.help.is_empty());
            let ev = match b.key {
                Key::Char(c) => ch(c),
                Key::Ctrl(c) => ctrl(c),
                Key::Code(c) => key(c),
                Key::AnyChar => continue,
            };
            assert_eq!(
                action_for(mode, &ev, true),
                Some((b.action)()),
                "{mode:?} {}",
                b.label
            );
        }
    }
}

fn echo_app() -> App {
    let replay =
        sockviz::open::load(&ui_support::data("echo.pcap"), None).expect("echo.pcap loads");
    let mut app = App::new(
        Timeline::new(Timestamp(0)),
        SourceLabel::Loading {
            path: "echo.pcap".into(),
        },
        Theme::new(ThemeName::Dark),
    );
    app.load_replay(replay, "echo.pcap".into());
    app.playback.playing = false;
    app
}

#[test]
fn stepping_moves_one_arrow_at_a_time_and_pauses() {
    let mut app = echo_app();
    app.playback.playing = true;
    app.update(Action::StepForward);
    assert!(!app.playback.playing);
    assert_eq!(app.playback.pos, 1);
    app.update(Action::StepForward);
    app.update(Action::StepForward);
    assert_eq!(app.playback.pos, 3);
    app.update(Action::StepBack);
    assert_eq!(app.playback.pos, 2);
    app.update(Action::ToEnd);
    assert_eq!(app.playback.pos, 10);
    app.update(Action::ToStart);
    assert_eq!(app.playback.pos, 0);
    app.update(Action::SeekTo(0.5));
    assert_eq!(app.playback.pos, 5);
}

#[test]
fn lecture_pacing_takes_one_event_per_travel_time() {
    let mut app = echo_app();
    app.playback.playing = true;
    assert_eq!(app.playback.pacing, Pacing::Lecture);
    app.update(Action::Tick(0.01));
    assert_eq!(app.playback.pos, 1, "the SYN leaves");
    assert!(app.playback.progress < 0.1, "and starts its travel");
    app.update(Action::Tick(0.3));
    assert_eq!(app.playback.pos, 1, "half way across");
    app.update(Action::Tick(0.31));
    assert_eq!(app.playback.pos, 2, "the SYN-ACK leaves");
    app.update(Action::Faster);
    app.update(Action::Tick(0.31));
    assert_eq!(app.playback.pos, 3, "twice as fast");
}

#[test]
fn real_time_pacing_follows_the_recorded_times_slowed_down() {
    let mut app = echo_app();
    app.update(Action::TogglePacing);
    assert_eq!(app.playback.pacing, Pacing::RealTime);
    app.playback.playing = true;
    // echo.pcap spans 0.4 ms; slowed 1000×, 0.5 s of ticks shows all of it.
    for _ in 0..10 {
        app.update(Action::Tick(0.05));
    }
    assert_eq!(app.playback.pos, app.len());
}

#[test]
fn pausing_a_live_lab_lets_events_queue_and_resuming_plays_them() {
    use sockviz::timeline::SourceEvent;
    let mut app = App::new(
        Timeline::new(Timestamp(0)),
        SourceLabel::Lab {
            scenario: "echo".into(),
            capture: "namespace".into(),
        },
        Theme::new(ThemeName::Dark),
    );
    app.lab.attached = true;
    app.update(Action::TogglePlay);
    assert!(!app.playback.playing);
    let notes = |from: i64| {
        (from..from + 3)
            .map(|k| SourceEvent::Note {
                at: Timestamp(k * 1000),
                text: format!("note {k}"),
            })
            .collect::<Vec<_>>()
    };
    app.ingest(notes(1));
    app.update(Action::Tick(5.0));
    assert_eq!(app.playback.pos, 0, "paused: nothing plays");
    assert_eq!(app.queued(), 3);
    app.update(Action::TogglePlay);
    app.update(Action::Tick(0.01));
    assert_eq!(app.playback.pos, 1);
    // An event that lands before the position counts as seen: the position moves with it.
    app.ingest(vec![SourceEvent::Note {
        at: Timestamp(0),
        text: "early".into(),
    }]);
    assert_eq!(app.playback.pos, 2);
    assert_eq!(app.queued(), 2);
}

#[test]
fn selection_moves_among_drawn_events() {
    let mut app = echo_app();
    app.update(Action::ToEnd);
    app.playback.playing = false;
    app.update(Action::SelectPrev);
    assert_eq!(app.focus(), Some(8));
    app.update(Action::SelectNext);
    app.update(Action::SelectNext);
    assert_eq!(app.focus(), Some(9));
    app.update(Action::ScrollUp);
    assert_eq!(app.focus(), Some(8));
}

#[test]
fn lab_keys_become_commands_for_the_lab() {
    let mut app = echo_app();
    app.lab.attached = true;
    // What `update` asks of the lab, in order.
    let mut outbox = Vec::new();
    let mut update = |app: &mut App, a| {
        outbox.extend(app.update(a).into_iter().filter_map(|e| match e {
            Effect::Lab(cmd) => Some(cmd),
            _ => None,
        }))
    };
    update(&mut app, Action::StartInput { all: false });
    assert_eq!(app.mode, Mode::Input);
    for c in "hello, 안녕".chars() {
        update(&mut app, Action::InputChar(c));
    }
    update(&mut app, Action::InputSubmit);
    assert_eq!(app.mode, Mode::Normal);
    update(&mut app, Action::CycleBufsize);
    update(&mut app, Action::Recv(LabSide::Server));
    update(&mut app, Action::ShutdownWrite(LabSide::Client));
    update(&mut app, Action::Close(LabSide::Server));
    update(&mut app, Action::ToggleAutoEcho);
    update(&mut app, Action::NewConnection);
    update(&mut app, Action::OpenPicker);
    assert_eq!(app.mode, Mode::Picker);
    update(&mut app, Action::PickerDown);
    update(&mut app, Action::PickerChoose);
    assert_eq!(
        outbox,
        vec![
            LabCommand::Send {
                text: "hello, 안녕".into(),
                all: false
            },
            LabCommand::Recv {
                side: Side::Server,
                bufsize: 4096
            },
            LabCommand::Shutdown {
                side: Side::Client,
                how: Shutdown::Write
            },
            LabCommand::Close { side: Side::Server },
            LabCommand::AutoEcho(false),
            LabCommand::NewConnection,
            LabCommand::RunScenario("segments".into()),
        ]
    );
}

#[test]
fn panes_and_overlays_cycle() {
    let mut app = echo_app();
    assert_eq!(app.pane, Pane::Bytes);
    app.update(Action::NextPane);
    assert_eq!(app.pane, Pane::CallLog);
    app.update(Action::NextPane);
    assert_eq!(app.pane, Pane::StreamMap);
    app.update(Action::NextPane);
    assert_eq!(app.pane, Pane::Bytes);
    app.update(Action::ToggleHelp);
    assert_eq!(app.mode, Mode::Help);
    app.update(Action::CloseOverlay);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.update(Action::Quit), vec![Effect::Quit]);
}

#[test]
fn a_click_on_a_ladder_row_selects_that_event() {
    let mut app = echo_app();
    app.size = (120, 40);
    app.update(Action::ToEnd);
    // Row 0 is the header, row 1 the ladder's address line, row 2 the first event (the SYN).
    app.update(Action::SelectRow(2));
    let sel = app.selected.expect("selected");
    assert!(
        matches!(&app.events()[sel].kind, EventKind::Segment(s) if s.flags.syn() && !s.flags.ack())
    );
}

#[test]
fn the_connection_picker_keys_come_from_its_tables() {
    assert_eq!(
        action_for(Mode::Connections, &ch('/'), false),
        Some(Action::FilterStart)
    );
    assert_eq!(
        action_for(Mode::Connections, &ch('q'), false),
        Some(Action::Quit)
    );
    assert_eq!(
        action_for(Mode::Connections, &key(KeyCode::Esc), false),
        Some(Action::Quit)
    );
    // While filtering, every character is text, `q` and `j` included; Esc drops the filter.
    assert_eq!(
        action_for(Mode::Filter, &ch('q'), false),
        Some(Action::FilterChar('q'))
    );
    assert_eq!(
        action_for(Mode::Filter, &ch('j'), false),
        Some(Action::FilterChar('j'))
    );
    assert_eq!(
        action_for(Mode::Filter, &key(KeyCode::Esc), false),
        Some(Action::FilterClear)
    );
    for mode in [Mode::Connections, Mode::Filter] {
        assert_eq!(action_for(mode, &ctrl('c'), false), Some(Action::Quit));
        for b in keymap::table(mode) {
            assert!(!b.help.is_empty(), "{mode:?} {}", b.label);
        }
    }
}
