//! The picker as a screen of its own, shown before the replay when a capture or a recording
//! holds several connections (a recording's picker also offers its whole session).
//!
//! The file is read on a thread while the screen shows how far it has read, so a big file
//! shows something at once and Ctrl-C works during the read. That read is the load: the
//! connection chosen is taken from memory ([`Scanned::play`]), not read again.

use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};

use crate::inspect::ConnectionReport;
use crate::open::{LoadProgress, Scanned, SourceFile};

use super::action::Action;
use super::keymap::{self, Mode};
use super::picker::{Choice, Picker, PickerOutcome};
use super::terminal::TerminalGuard;
use super::theme::Theme;
use super::widgets::put;

/// What the screen does once the file is scanned.
#[derive(Debug)]
pub enum Offer {
    /// Nothing to choose: play this.
    Play(Choice),
    /// Several connections: ask.
    Pick(Picker),
}

/// A picker when there are several connections; else a capture's only connection, or a
/// recording's whole session (what it always played).
pub fn offer(file: String, recording: bool, conns: &[ConnectionReport]) -> Offer {
    match (conns.len(), recording) {
        (0..=1, true) => Offer::Play(Choice::Whole),
        (0..=1, false) => Offer::Play(Choice::Connection(0)),
        (_, true) => Offer::Pick(Picker::for_recording(file, conns)),
        (_, false) => Offer::Pick(Picker::new(file, conns)),
    }
}

/// What to play, and the file read whole: without a choice to make, a capture's first
/// connection or a recording's whole session; `None` when the user quit.
pub fn choose(source: &SourceFile, theme: Theme) -> anyhow::Result<Option<(Choice, Scanned)>> {
    let progress = LoadProgress::for_file(source.path());
    let report = progress.reporter();
    let scan_source = source.clone();
    let scan = std::thread::spawn(move || scan_source.scan(report));
    let mut guard = TerminalGuard::take()?;
    let shown = source.path().display().to_string();
    while !scan.is_finished() {
        guard.terminal.draw(|f| {
            let area = f.area();
            let text = match progress.percent() {
                Some(p) => format!(" scanning {shown} for TCP connections … {p}%"),
                None => format!(" scanning {shown} for TCP connections …"),
            };
            put(
                f.buffer_mut(),
                area.x,
                area.y,
                &text,
                area.width,
                theme.text,
            );
        })?;
        // The picker's quit keys (its key table) work while the file is read.
        if event::poll(Duration::from_millis(50))?
            && let Event::Key(k) = event::read()?
            && k.kind != KeyEventKind::Release
            && keymap::action_for(Mode::Connections, &k, false) == Some(Action::Quit)
        {
            // The scan thread ends with the process.
            return Ok(None);
        }
    }
    let scanned = scan
        .join()
        .map_err(|_| anyhow::anyhow!("the capture scan panicked"))??;
    let mut picker = if !scanned.is_recording() && scanned.connections().len() > 1 {
        // What `offer` decides, without every report in memory at once.
        Picker::from_reports(shown, super::picker::report_iter(&scanned))
    } else {
        match offer(
            shown,
            scanned.is_recording(),
            &super::picker::reports(&scanned),
        ) {
            Offer::Play(choice) => return Ok(Some((choice, scanned))),
            Offer::Pick(picker) => picker,
        }
    };
    picker.warning = scanned.warnings().first().cloned();
    loop {
        guard.terminal.draw(|f| {
            let area = f.area();
            super::widgets::picker::render(&picker, &theme, area, f.buffer_mut());
        })?;
        if let Event::Key(k) = event::read()?
            && k.kind != KeyEventKind::Release
        {
            match picker.key(&k) {
                PickerOutcome::Stay => {}
                PickerOutcome::Chosen(c) => return Ok(Some((c, scanned))),
                PickerOutcome::Quit => return Ok(None),
            }
        }
    }
}
