//! The one signal path for every screen: SIGINT, SIGTERM and SIGHUP, and a terminal that hung
//! up without a signal (its reads at end of file; `tmux kill-session` under a shell that does
//! not pass SIGHUP on, or SIGHUP ignored by `nohup`).
//!
//! The handler does only what is safe in a handler: it records the first signal's number and
//! writes one byte to a pipe. A watchdog thread waits on that pipe and on the terminal's
//! hangup; the screens' loops see [`pending`] between frames and end the ordinary way. If a
//! screen has not ended [`GRACE`] after the signal (blocked somewhere), the watchdog puts the
//! terminal back itself (the bytes crossterm would write, and the cooked settings saved before
//! raw mode) and exits with 128 + the signal.
//!
//! A signal ignored when sockviz started (`nohup`, `trap '' HUP`, `&` in a script) stays
//! ignored, as the shell asked; the hangup is still noticed through the terminal.

use std::sync::Once;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use libc::c_int;

/// How long a screen has to end on its own after a signal or a hangup.
pub const GRACE: Duration = Duration::from_secs(3);

/// The first signal (SIGHUP for a hangup); 0 while none.
static PENDING: AtomicI32 = AtomicI32::new(0);
/// The pipe's write end, for the handler; -1 when there is none.
static WAKE: AtomicI32 = AtomicI32::new(-1);
/// A descriptor on the controlling terminal (`/dev/tty`); -1 when there is none.
static TTY: AtomicI32 = AtomicI32::new(-1);
/// The terminal's settings before raw mode, for the watchdog's restore.
static COOKED: OnceLock<libc::termios> = OnceLock::new();

const HANDLED: [c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// What crossterm writes to undo mouse capture and the alternate screen, and to show the cursor.
const RESTORE: &[u8] =
    b"\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?1049l\x1b[?25h";

/// The first signal or hangup, if any.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        n => Some(n),
    }
}

/// Install the handlers and start the watchdog, once per process. Call before raw mode.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let tty = open_tty();
        TTY.store(tty, Ordering::SeqCst);
        if let Some(t) = termios_of(tty) {
            let _ = COOKED.set(t);
        }
        let wake_read = match pipe() {
            Some((r, w)) => {
                WAKE.store(w, Ordering::SeqCst);
                r
            }
            None => -1,
        };
        for sig in HANDLED {
            handle(sig);
        }
        let _ = std::thread::Builder::new()
            .name("sockviz-signals".into())
            .spawn(move || watch(wake_read, tty));
    });
}

/// What waiting on the terminal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtyWait {
    Readable,
    Timeout,
    HungUp,
    /// No controlling terminal to wait on: ask crossterm.
    NoTty,
}

/// Wait up to `timeout` for input on the terminal; a hangup is recorded as SIGHUP.
pub fn wait_tty(timeout: Duration) -> TtyWait {
    let tty = TTY.load(Ordering::SeqCst);
    if tty < 0 {
        return TtyWait::NoTty;
    }
    let ms = c_int::try_from(timeout.as_millis()).unwrap_or(c_int::MAX);
    match poll_one(tty, libc::POLLIN, ms) {
        Some(rev) if rev & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 => {
            note(libc::SIGHUP);
            TtyWait::HungUp
        }
        Some(rev) if rev & libc::POLLIN != 0 => TtyWait::Readable,
        _ => TtyWait::Timeout,
    }
}

/// Whether the terminal has hung up (recorded as SIGHUP when it has).
pub fn tty_hung_up() -> bool {
    let tty = TTY.load(Ordering::SeqCst);
    if tty < 0 {
        return false;
    }
    let hung = poll_one(tty, 0, 0)
        .is_some_and(|rev| rev & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0);
    if hung {
        note(libc::SIGHUP);
    }
    hung
}

fn note(sig: c_int) {
    let _ = PENDING.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
}

/// Only async-signal-safe work: an atomic store and a `write(2)`; errno is kept for the code
/// the signal interrupted.
extern "C" fn on_signal(sig: c_int) {
    // SAFETY: `__errno_location` returns this thread's errno slot, valid for the thread's life.
    let errno = unsafe { *libc::__errno_location() };
    note(sig);
    let fd = WAKE.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = [sig as u8];
        // SAFETY: writes one byte from a live stack buffer to a non-blocking pipe we own.
        unsafe { libc::write(fd, byte.as_ptr().cast(), 1) };
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// Route `sig` to [`on_signal`], unless the process was started with it ignored.
fn handle(sig: c_int) {
    // SAFETY: sigaction with zeroed (valid) structs; the handler only does signal-safe work.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
            || old.sa_sigaction == libc::SIG_IGN
        {
            return;
        }
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
        act.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut act.sa_mask);
        libc::sigaction(sig, &act, std::ptr::null_mut());
    }
}

/// The watchdog: wakes at a signal or at the terminal's hangup, gives the screen [`GRACE`] to
/// end, then restores the terminal and exits itself.
fn watch(wake_read: c_int, tty: c_int) {
    let mut deadline: Option<Instant> = None;
    let mut tty = tty;
    loop {
        let timeout = match deadline {
            None => -1,
            Some(d) => c_int::try_from(d.saturating_duration_since(Instant::now()).as_millis())
                .unwrap_or(c_int::MAX),
        };
        // `poll` skips negative descriptors; events 0 still reports a hangup.
        let mut fds = [
            libc::pollfd {
                fd: wake_read,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: tty,
                events: 0,
                revents: 0,
            },
        ];
        // SAFETY: two valid pollfd structs in a live array.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
        if n < 0 {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        if fds[1].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            note(libc::SIGHUP);
            tty = -1;
            deadline.get_or_insert_with(|| Instant::now() + GRACE);
        }
        if fds[0].revents & libc::POLLIN != 0 {
            let mut buf = [0u8; 16];
            // SAFETY: reads into a live buffer from the non-blocking pipe we own.
            let got = unsafe { libc::read(wake_read, buf.as_mut_ptr().cast(), buf.len()) };
            if got > 0 {
                deadline.get_or_insert_with(|| Instant::now() + GRACE);
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            give_up();
        }
    }
}

/// The screen did not end in time: put the terminal back and exit with 128 + the signal.
fn give_up() -> ! {
    if super::taken() {
        let fd = match TTY.load(Ordering::SeqCst) {
            fd if fd >= 0 => fd,
            _ => libc::STDOUT_FILENO,
        };
        // SAFETY: a write from a static buffer and tcsetattr with a saved, valid termios; both
        // fail harmlessly on a terminal that hung up.
        unsafe {
            libc::write(fd, RESTORE.as_ptr().cast(), RESTORE.len());
            if let Some(t) = COOKED.get() {
                libc::tcsetattr(fd, libc::TCSANOW, t);
            }
        }
    }
    let status = 128 + pending().unwrap_or(libc::SIGHUP);
    // SAFETY: ends the process at once; nothing after this runs.
    unsafe { libc::_exit(status) }
}

/// The controlling terminal, or standard input when it is one; -1 when there is neither.
fn open_tty() -> c_int {
    // SAFETY: open with a NUL-terminated literal path; the descriptor is ours to keep.
    let fd = unsafe {
        libc::open(
            c"/dev/tty".as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    };
    if fd >= 0 {
        return fd;
    }
    // SAFETY: isatty only inspects the descriptor.
    if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
        libc::STDIN_FILENO
    } else {
        -1
    }
}

fn termios_of(fd: c_int) -> Option<libc::termios> {
    if fd < 0 {
        return None;
    }
    // SAFETY: tcgetattr fills a zeroed termios we own.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        (libc::tcgetattr(fd, &mut t) == 0).then_some(t)
    }
}

/// A non-blocking, close-on-exec pipe: (read end, write end).
fn pipe() -> Option<(c_int, c_int)> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: pipe2 fills the two-element array.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) };
    (rc == 0).then_some((fds[0], fds[1]))
}

/// `poll(2)` on one descriptor; the returned events, or `None` on timeout or error.
fn poll_one(fd: c_int, events: libc::c_short, timeout_ms: c_int) -> Option<libc::c_short> {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut p, 1, timeout_ms) };
    (n > 0).then_some(p.revents)
}
