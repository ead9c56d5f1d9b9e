//! Arbitrary terminal input into the screens: key presses (any code, any modifiers, press,
//! repeat and release), mouse events anywhere, resizes (down to 0×0), pastes, focus changes and
//! ticks, through the screens' input decoding (`event_loop::action_for`: the key tables for
//! the app's mode, the mouse hit-testing on the layout) into `App::update`, then drawn at the
//! app's size. Half the runs drive a replay, half the same timeline as a live lab (lab keys
//! live, their effects dropped); the connection picker gets the same keys through its tables.
//! No input may panic.
//!
//! The app is built from `tests/data/echo.pcap` or `multi.pcap` (checked in); any bytes seed it.
//! Each input is up to 400 events: let long runs grow inputs past libFuzzer's default start,
//! `cargo fuzz run --sanitizer none -O screen_input -- -max_len=2048 -max_total_time=1800`.
#![no_main]

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MediaKeyCode,
    ModifierKeyCode, MouseButton, MouseEvent, MouseEventKind,
};

use libfuzzer_sys::fuzz_target;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockviz::inspect::ConnectionReport;
use sockviz::timeline::Timeline;
use sockviz::ui::action::Action;
use sockviz::ui::app::{App, SourceLabel};
use sockviz::ui::event_loop::action_for;
use sockviz::ui::picker::Picker;
use sockviz::ui::{Theme, ThemeName, widgets};

/// Reads the fuzzer's bytes as a sequence of small numbers.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.u8()?, self.u8()?]))
    }

    fn text(&mut self) -> Option<String> {
        let n = usize::from(self.u8()? % 32);
        let take = n.min(self.0.len());
        let (t, rest) = self.0.split_at(take);
        self.0 = rest;
        Some(String::from_utf8_lossy(t).into_owned())
    }
}

fn key_code(b: &mut Bytes) -> Option<KeyCode> {
    Some(match b.u8()? % 20 {
        0..=5 => {
            // Mostly the characters the key tables use, sometimes any character.
            let table = b" qQ?/sSrRbewWxXnoghjklGpvdzZ[]-+=";
            let i = b.u8()?;
            if i < 200 {
                KeyCode::Char(char::from(table[usize::from(i) % table.len()]))
            } else {
                KeyCode::Char(char::from_u32(u32::from(b.u16()?)).unwrap_or('x'))
            }
        }
        6 => KeyCode::Enter,
        7 => KeyCode::Esc,
        8 => KeyCode::Backspace,
        9 => KeyCode::Tab,
        10 => KeyCode::BackTab,
        11 => KeyCode::Left,
        12 => KeyCode::Right,
        13 => KeyCode::Up,
        14 => KeyCode::Down,
        15 => KeyCode::Home,
        16 => KeyCode::End,
        17 => KeyCode::PageUp,
        18 => KeyCode::PageDown,
        _ => match b.u8()? % 6 {
            0 => KeyCode::F(b.u8()?),
            1 => KeyCode::Delete,
            2 => KeyCode::Insert,
            3 => KeyCode::Null,
            4 => KeyCode::Media(MediaKeyCode::Play),
            _ => KeyCode::Modifier(ModifierKeyCode::LeftControl),
        },
    })
}

fn event(b: &mut Bytes) -> Option<Event> {
    Some(match b.u8()? % 8 {
        0..=3 => {
            let code = key_code(b)?;
            let modifiers = KeyModifiers::from_bits_truncate(b.u8()? & 0x3f);
            let kind = match b.u8()? % 8 {
                0 => KeyEventKind::Release,
                1 => KeyEventKind::Repeat,
                _ => KeyEventKind::Press,
            };
            Event::Key(KeyEvent {
                code,
                modifiers,
                kind,
                state: KeyEventState::NONE,
            })
        }
        4 => {
            let kind = match b.u8()? % 7 {
                0 => MouseEventKind::Down(MouseButton::Left),
                1 => MouseEventKind::Up(MouseButton::Left),
                2 => MouseEventKind::Drag(MouseButton::Left),
                3 => MouseEventKind::ScrollUp,
                4 => MouseEventKind::ScrollDown,
                5 => MouseEventKind::Moved,
                _ => MouseEventKind::Down(MouseButton::Right),
            };
            Event::Mouse(MouseEvent {
                kind,
                column: b.u16()? % 400,
                row: b.u16()? % 200,
                modifiers: KeyModifiers::from_bits_truncate(b.u8()? & 0x3f),
            })
        }
        5 => Event::Resize(u16::from(b.u8()?), u16::from(b.u8()? % 128)),
        6 => Event::Paste(b.text()?),
        _ => {
            if b.u8()? % 2 == 0 {
                Event::FocusGained
            } else {
                Event::FocusLost
            }
        }
    })
}

fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(name)
}

/// One of the two files' connection pickers, scanned once per thread (the scan is not what is
/// fuzzed here; a picker caches its filter in a `RefCell`, so it is per thread, not a static).
fn picker(which: usize) -> Picker {
    thread_local! {
        static PICKERS: [Picker; 2] = ["echo.pcap", "multi.pcap"].map(|file| {
            match sockviz::open::scan(&data(file), |_| {}) {
                Ok(scanned) => {
                    let reports: Vec<ConnectionReport> = sockviz::ui::picker::reports(&scanned);
                    Picker::new(file.into(), &reports)
                }
                Err(_) => Picker::default(),
            }
        });
    }
    PICKERS.with(|p| p[which].clone())
}

fuzz_target!(|input: &[u8]| {
    let mut b = Bytes(input);
    let Some(setup) = b.u8() else { return };
    let file = if setup & 1 == 0 {
        "echo.pcap"
    } else {
        "multi.pcap"
    };
    let Ok(replay) = sockviz::open::load(&data(file), None) else {
        return;
    };
    let mut app = App::new(
        Timeline::new(sockviz::capture::Timestamp(0)),
        SourceLabel::Loading { path: file.into() },
        Theme::new(ThemeName::Dark),
    );
    app.load_replay(replay, file.into());
    // A live lab's keys on the same timeline: their effects are dropped (no lab runs).
    app.lab.attached = setup & 2 != 0;
    let mut picker = picker(usize::from(setup & 1));
    let _ = app.update(Action::Resize(80, 24));
    let Ok(mut term) = Terminal::new(TestBackend::new(80, 24)) else {
        return;
    };
    let mut steps = 0;
    while let Some(ev) = event(&mut b) {
        steps += 1;
        if steps > 400 {
            break;
        }
        if let Event::Key(k) = &ev {
            let _ = picker.key(k);
        }
        if let Some(action) = action_for(&app, &ev) {
            let _ = app.update(action);
        }
        if let Event::Resize(w, h) = ev {
            term.backend_mut().resize(w, h);
        }
        // Time passes between some keys (playback moves, the loading state settles).
        if let Some(t) = b.u8()
            && t < 64
        {
            let _ = app.update(Action::Tick(f64::from(t) / 16.0));
        }
        if steps % 4 == 0 {
            let _ = term.draw(|f| widgets::draw(f, &app));
        }
    }
    let _ = term.draw(|f| widgets::draw(f, &app));
    let _ = term.draw(|f| widgets::picker::render(&picker, &app.theme, f.area(), f.buffer_mut()));
});
