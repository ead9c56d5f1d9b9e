//! The picker as a screen of its own, shown before the replay when a capture or a recording
//! holds several connections (a recording's picker also offers its whole session).
//!
//! The file is read on a thread while the screen shows how far it has read, so a big file
//! shows something at once and Ctrl-C works during the read. That read is the load: the
//! connection chosen is taken from memory ([`Scanned::play`]), not read again.

use std::time::Duration;

use crossterm::event::{Event, KeyEvent, KeyEventKind};

use crate::inspect::ConnectionReport;
use crate::open::{LoadProgress, Scanned, SourceFile};

use super::action::Action;
use super::keymap::{self, Mode};
use super::picker::{Choice, Picker, PickerOutcome};
use super::picker_rows::RowsInBackground;
use super::terminal::{Ended, Input, TerminalGuard};
use super::theme::Theme;
use super::widgets::put;

/// What the screen does once the file is scanned.
#[derive(Debug)]
pub enum Offer {
    /// Nothing to choose: play this.
    Play(Choice),
    /// Several connections: ask.
    Pick(Box<Picker>),
}

/// A picker when there are several connections; else a capture's only connection, or a
/// recording's whole session (what it always played).
pub fn offer(file: String, recording: bool, conns: &[ConnectionReport]) -> Offer {
    match (conns.len(), recording) {
        (0..=1, true) => Offer::Play(Choice::Whole),
        (0..=1, false) => Offer::Play(Choice::Connection(0)),
        (_, true) => Offer::Pick(Box::new(Picker::for_recording(file, conns))),
        (_, false) => Offer::Pick(Box::new(Picker::new(file, conns))),
    }
}

/// What the scanning screen and the picker came to.
#[derive(Debug)]
pub enum Picked {
    /// Play this, from the file read whole.
    Play(Choice, Scanned),
    /// The user quit, a signal came or the terminal hung up: no replay.
    Ended(Ended),
}

/// What to play, and the file read whole: without a choice to make, a capture's first
/// connection or a recording's whole session. Draws on `guard`, which the replay then keeps.
pub fn choose(
    source: &SourceFile,
    theme: Theme,
    guard: &mut TerminalGuard,
) -> anyhow::Result<Picked> {
    let progress = LoadProgress::for_file(source.path());
    let report = progress.reporter();
    let scan_source = source.clone();
    let scan = std::thread::spawn(move || scan_source.scan(report));
    let shown = source.path().display().to_string();
    while !scan.is_finished() {
        let drawn = guard.terminal.draw(|f| {
            let area = f.area();
            let text = match progress.percent() {
                Some(p) => format!(
                    " {}",
                    crate::tr!("ui.picker.scanning_percent", file = shown, p = p)
                ),
                None => format!(" {}", crate::tr!("ui.picker.scanning", file = shown)),
            };
            put(
                f.buffer_mut(),
                area.x,
                area.y,
                &text,
                area.width,
                theme.text,
            );
        });
        if let Err(e) = drawn {
            return guard.ended_by(e).map(Picked::Ended);
        }
        // The picker's quit keys (its key table) work while the file is read; the scan thread
        // ends with the process.
        match next_key(guard)? {
            Next::Key(k)
                if keymap::action_for(Mode::Connections, &k, false) == Some(Action::Quit) =>
            {
                return Ok(Picked::Ended(Ended::by_key(&k)));
            }
            Next::Ended(ended) => return Ok(Picked::Ended(ended)),
            _ => {}
        }
    }
    let scanned = scan
        .join()
        .map_err(|_| anyhow::anyhow!("the capture scan panicked"))??;
    if !scanned.is_recording() && scanned.connections().len() > 1 {
        // What `offer` decides, without every report in memory at once: the first rows now,
        // the rest written on a thread while the screen is up.
        let warning = scanned.warnings().first().cloned();
        let chosen = std::thread::scope(|scope| {
            let (first, rest) = RowsInBackground::start(scope, scanned.connections());
            let mut picker = Picker::in_background(shown, first, rest);
            picker.warning = warning;
            pick(&mut picker, &theme, guard)
            // The picker drops here, which stops the thread if it is still writing rows.
        })?;
        return Ok(match chosen {
            Ok(c) => Picked::Play(c, scanned),
            Err(ended) => Picked::Ended(ended),
        });
    }
    let mut picker = match offer(
        shown,
        scanned.is_recording(),
        &super::picker::reports(&scanned),
    ) {
        Offer::Play(choice) => return Ok(Picked::Play(choice, scanned)),
        Offer::Pick(picker) => *picker,
    };
    picker.warning = scanned.warnings().first().cloned();
    Ok(match pick(&mut picker, &theme, guard)? {
        Ok(c) => Picked::Play(c, scanned),
        Err(ended) => Picked::Ended(ended),
    })
}

/// The picker on screen until a row is chosen (`Ok`) or the screen ends (`Err`).
fn pick(
    picker: &mut Picker,
    theme: &Theme,
    guard: &mut TerminalGuard,
) -> anyhow::Result<Result<Choice, Ended>> {
    let mut dirty = true;
    loop {
        // Rows written on the thread since: the count and filter are whole now.
        dirty |= picker.poll();
        if dirty {
            let drawn = guard.terminal.draw(|f| {
                let area = f.area();
                super::widgets::picker::render(picker, theme, area, f.buffer_mut());
            });
            if let Err(e) = drawn {
                return guard.ended_by(e).map(Err);
            }
        }
        dirty = true;
        match next_key(guard)? {
            Next::Key(k) => match picker.key(&k) {
                PickerOutcome::Stay => {}
                PickerOutcome::Chosen(c) => return Ok(Ok(c)),
                PickerOutcome::Quit => return Ok(Err(Ended::by_key(&k))),
            },
            Next::Ended(ended) => return Ok(Err(ended)),
            Next::Redraw => {}
            Next::Idle => dirty = false,
        }
    }
}

/// What the keyboard brought within one wait.
enum Next {
    Key(KeyEvent),
    /// A resize, or bytes that were not a key: draw again.
    Redraw,
    /// Nothing within the wait.
    Idle,
    /// A signal or the terminal's hangup ends the screen.
    Ended(Ended),
}

/// The next key press within 50 ms.
fn next_key(guard: &TerminalGuard) -> anyhow::Result<Next> {
    Ok(match guard.wait_input(Duration::from_millis(50)) {
        Input::Ended(e) => Next::Ended(e),
        Input::Timeout => Next::Idle,
        Input::Ready => match guard.read_event() {
            Ok(Some(Event::Key(k))) if k.kind != KeyEventKind::Release => Next::Key(k),
            Ok(_) => Next::Redraw,
            Err(e) => Next::Ended(guard.ended_by(e)?),
        },
    })
}
