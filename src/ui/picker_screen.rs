//! The picker as a screen of its own, shown before the replay when a capture holds several
//! connections (a recording plays whole: its calls tie the connections together).

use std::path::Path;

use crossterm::event::{self, Event, KeyEventKind};

use super::picker::{Picker, PickerOutcome};
use super::terminal::TerminalGuard;
use super::theme::Theme;

/// The connection to play: `Some(0)` when there is at most one, `None` when the user quit.
pub fn choose(path: &Path, theme: Theme) -> anyhow::Result<Option<usize>> {
    if crate::record::is_recording(path)? {
        return Ok(Some(0));
    }
    let report = crate::inspect::inspect_file(path)?;
    if report.connections.len() <= 1 {
        return Ok(Some(0));
    }
    let mut picker = Picker::new(path.display().to_string(), &report.connections);
    let mut guard = TerminalGuard::take()?;
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
                PickerOutcome::Chosen(n) => return Ok(Some(n)),
                PickerOutcome::Quit => return Ok(None),
            }
        }
    }
}
