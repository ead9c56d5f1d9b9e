//! Taking the terminal and giving it back, for every screen (the scanning screen, the connection
//! picker, the lab, the replay and their overlays): raw mode, the alternate screen and mouse
//! capture on the way in; restored when the [`TerminalGuard`] drops (q, Ctrl-C, an error), from
//! the panic hook, and on SIGINT, SIGTERM, SIGHUP or a terminal that hung up without a signal.
//!
//! One signal path ([`signals`]) serves every screen: the handler only records the signal, the
//! screens' loops ask [`TerminalGuard::ended`] between frames and end the usual way (so a
//! recording is closed with its summary); a watchdog thread restores the terminal and exits
//! itself if a screen has not ended [`signals::GRACE`] after the signal, or at a second signal.
//!
//! Exit statuses follow the shell: 0 for q, 130 (128 + SIGINT) for Ctrl-C and SIGINT, 143 for
//! SIGTERM, 129 for SIGHUP and for a terminal gone away (read at end of file, `tmux
//! kill-session`).

mod signals;

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::cursor::Show;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, KeyCode, KeyEvent, KeyModifiers};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether the terminal is currently ours (so restoring twice does nothing the second time).
static TAKEN: AtomicBool = AtomicBool::new(false);

pub type Term = Terminal<CrosstermBackend<Screen>>;

/// Standard output as the screens write it: once the terminal has hung up, writes are dropped
/// rather than failed, so nothing (ratatui's own drop included) reports an error on a terminal
/// no one can read, and the screen ends by its hangup (status 129).
pub struct Screen(Stdout);

impl Screen {
    fn settle<T>(result: io::Result<T>, ok: T) -> io::Result<T> {
        match result {
            Err(_) if signals::tty_hung_up() => Ok(ok),
            r => r,
        }
    }
}

impl io::Write for Screen {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.0.write(buf);
        Self::settle(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.0.flush();
        Self::settle(r, ())
    }
}

/// How a screen ended: the user quit, or a signal (or the terminal's hangup, as SIGHUP) asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Quit,
    Signal(i32),
}

impl Ended {
    /// The shell's convention: 0, or 128 + the signal's number.
    pub fn exit_status(self) -> u8 {
        match self {
            Ended::Quit => 0,
            Ended::Signal(n) => 128u8.saturating_add(u8::try_from(n).unwrap_or(0)),
        }
    }

    /// Ctrl-C typed in raw mode is SIGINT as far as the shell's `$?` goes (130).
    pub fn by_key(k: &KeyEvent) -> Ended {
        if is_ctrl_c(k) {
            Ended::Signal(libc::SIGINT)
        } else {
            Ended::Quit
        }
    }
}

/// The key a terminal sends as SIGINT in cooked mode.
pub fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && matches!(k.code, KeyCode::Char('c' | 'C'))
}

/// What the keyboard has for a screen's loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Bytes are waiting: crossterm's `event::read` will not block on them.
    Ready,
    Timeout,
    /// The terminal hung up (or a signal asked): end the screen.
    Ended(Ended),
}

/// Owns the terminal while a screen runs; one guard can serve several screens in turn (the
/// picker, then the replay), so the alternate screen is not left and re-entered between them.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    pub fn take() -> io::Result<Self> {
        install_panic_hook();
        // Before raw mode: the watchdog's copy of the cooked settings is taken here.
        signals::install();
        enable_raw_mode()?;
        TAKEN.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen, EnableMouseCapture) {
            restore();
            return Err(e);
        }
        let terminal = match Terminal::new(CrosstermBackend::new(Screen(out))) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(TerminalGuard { terminal })
    }

    /// `Some` once a signal arrived or the terminal hung up: the screen should end now.
    pub fn ended(&self) -> Option<Ended> {
        signals::pending().map(Ended::Signal)
    }

    /// Wait up to `timeout` for a key, a hangup or a signal, without handing a dead terminal
    /// to crossterm (whose reader spins forever on a terminal at end of file).
    pub fn wait_input(&self, timeout: Duration) -> Input {
        if let Some(e) = self.ended() {
            return Input::Ended(e);
        }
        if signals::tty_hung_up() {
            return Input::Ended(Ended::Signal(libc::SIGHUP));
        }
        // Events crossterm already parsed (the rest of a paste) come first.
        if crossterm::event::poll(Duration::ZERO).unwrap_or(false) {
            return Input::Ready;
        }
        match signals::wait_tty(timeout) {
            signals::TtyWait::Readable => Input::Ready,
            signals::TtyWait::HungUp => Input::Ended(Ended::Signal(libc::SIGHUP)),
            signals::TtyWait::NoTty if crossterm::event::poll(timeout).unwrap_or(false) => {
                Input::Ready
            }
            signals::TtyWait::Timeout | signals::TtyWait::NoTty => match self.ended() {
                Some(e) => Input::Ended(e),
                None => Input::Timeout,
            },
        }
    }

    /// The next event once [`TerminalGuard::wait_input`] said `Ready` (`None` when the bytes
    /// were not a whole event yet).
    pub fn read_event(&self) -> io::Result<Option<crossterm::event::Event>> {
        if crossterm::event::poll(Duration::ZERO)? {
            crossterm::event::read().map(Some)
        } else {
            Ok(None)
        }
    }

    /// What an I/O error while drawing or reading means: the terminal went away (the screen
    /// ended with a hangup, status 129) or a real error.
    pub fn ended_by(&self, e: impl Into<anyhow::Error>) -> anyhow::Result<Ended> {
        if let Some(ended) = self.ended() {
            return Ok(ended);
        }
        if signals::tty_hung_up() {
            return Ok(Ended::Signal(libc::SIGHUP));
        }
        Err(e.into())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// A signal or hangup seen so far, if any (for a mode that ends after its screen closed).
pub fn pending_signal() -> Option<i32> {
    signals::pending()
}

/// Give the terminal back: leave the alternate screen, stop mouse reports, show the cursor,
/// cooked mode. Errors are ignored: a terminal that hung up cannot be written to.
pub fn restore() {
    if TAKEN.swap(false, Ordering::SeqCst) {
        let _ = execute!(
            io::stdout(),
            DisableMouseCapture,
            LeaveAlternateScreen,
            Show
        );
        let _ = disable_raw_mode();
    }
}

/// Whether a screen holds the terminal (the watchdog restores only then).
fn taken() -> bool {
    TAKEN.load(Ordering::SeqCst)
}

/// Restore before the default hook prints, so the panic message lands on a sane screen.
fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_follow_the_shell() {
        assert_eq!(Ended::Quit.exit_status(), 0);
        assert_eq!(Ended::Signal(libc::SIGINT).exit_status(), 130);
        assert_eq!(Ended::Signal(libc::SIGTERM).exit_status(), 143);
        assert_eq!(Ended::Signal(libc::SIGHUP).exit_status(), 129);
    }

    #[test]
    fn ctrl_c_ends_as_sigint_and_q_as_a_quit() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(Ended::by_key(&ctrl_c), Ended::Signal(libc::SIGINT));
        assert_eq!(Ended::by_key(&q), Ended::Quit);
        assert_eq!(Ended::by_key(&c), Ended::Quit);
    }
}
