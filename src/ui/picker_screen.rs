//! The picker as a screen of its own, shown before the replay when a capture holds several
//! connections (a recording plays whole: its calls tie the connections together).
//!
//! The capture is scanned on a thread while the screen shows how far it has read, so a big
//! file shows something at once and Ctrl-C works during the scan.

use std::path::Path;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use super::loading::LoadProgress;
use super::picker::{Picker, PickerOutcome};
use super::terminal::TerminalGuard;
use super::theme::Theme;
use super::widgets::put;

/// The connection to play: `Some(0)` when there is at most one, `None` when the user quit.
pub fn choose(path: &Path, theme: Theme) -> anyhow::Result<Option<usize>> {
    if crate::record::is_recording(path)? {
        return Ok(Some(0));
    }
    let progress = LoadProgress::for_file(path);
    let report = progress.reporter();
    let scan_path = path.to_path_buf();
    let scan =
        std::thread::spawn(move || crate::inspect::inspect_file_with_progress(&scan_path, report));
    let mut guard = TerminalGuard::take()?;
    let shown = path.display().to_string();
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
        if event::poll(Duration::from_millis(50))?
            && let Event::Key(k) = event::read()?
            && (k.code == KeyCode::Char('q')
                || k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c'))
        {
            // The scan thread ends with the process.
            return Ok(None);
        }
    }
    let report = scan
        .join()
        .map_err(|_| anyhow::anyhow!("the capture scan panicked"))??;
    if report.connections.len() <= 1 {
        return Ok(Some(0));
    }
    let mut picker = Picker::new(shown, &report.connections);
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
