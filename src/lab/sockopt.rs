//! The arguments of `shutdown(how)` and `setsockopt(level, name, value)`: typed in the
//! timeline ([`Call`](crate::timeline::Call) carries them); here, their syscall numbers.

pub use crate::timeline::{Shutdown, SockOpt};

/// `how` for shutdown(2).
pub(super) fn shutdown_how(how: Shutdown) -> libc::c_int {
    match how {
        Shutdown::Read => libc::SHUT_RD,
        Shutdown::Write => libc::SHUT_WR,
        Shutdown::Both => libc::SHUT_RDWR,
    }
}
