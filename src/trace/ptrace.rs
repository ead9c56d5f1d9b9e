//! The few `ptrace`, `waitpid`, `process_vm_readv` and pidfd calls the tracer makes, each in a
//! small safe function (STYLE.md habit 11).
//!
//! Soundness is the same at every site: the kernel reads or writes only the buffers whose
//! pointers and lengths we pass together, and those buffers outlive the call. Tracee addresses
//! are never dereferenced here: they are handed to `process_vm_readv`, which fails cleanly
//! (`EFAULT`) on a bad one.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// `PTRACE_EVENT_STOP` (linux/ptrace.h): a group stop or a new task's first stop under SEIZE.
pub const PTRACE_EVENT_STOP: i32 = 128;

/// What `waitpid` reported for one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Exited {
        pid: i32,
        code: i32,
    },
    Killed {
        pid: i32,
        signal: i32,
    },
    /// A `SECCOMP_RET_TRACE` stop: a watched system call is about to run.
    Seccomp {
        pid: i32,
    },
    /// The syscall-exit stop after `PTRACE_SYSCALL` (TRACESYSGOOD marks it with 0x80).
    SyscallExit {
        pid: i32,
    },
    /// `PTRACE_EVENT_FORK`/`VFORK`/`CLONE`/`EXEC`/`EXIT`/`STOP`.
    Event {
        pid: i32,
        event: i32,
        signal: i32,
    },
    /// A signal is about to be delivered; pass it on.
    Signal {
        pid: i32,
        signal: i32,
    },
    /// No children left.
    NoChildren,
}

fn cvt(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Wait for any child (traced tasks included, `__WALL`).
pub fn wait_any() -> io::Result<Wait> {
    let mut status: libc::c_int = 0;
    loop {
        // SAFETY: `status` outlives the call; waitpid writes one int.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
        if pid < 0 {
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::ECHILD) => return Ok(Wait::NoChildren),
                _ => return Err(e),
            }
        }
        return Ok(decode_status(pid, status));
    }
}

/// Like [`wait_any`], but `None` at once when no child has anything to report.
pub fn wait_nohang() -> io::Result<Option<Wait>> {
    let mut status: libc::c_int = 0;
    // SAFETY: as in `wait_any`.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::__WALL | libc::WNOHANG) };
    if pid < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::EINTR) => Ok(None),
            Some(libc::ECHILD) => Ok(Some(Wait::NoChildren)),
            _ => Err(e),
        };
    }
    if pid == 0 {
        return Ok(None);
    }
    Ok(Some(decode_status(pid, status)))
}

/// Decode a `waitpid` status (wait(2), ptrace(2) "Stopped states").
pub fn decode_status(pid: i32, status: i32) -> Wait {
    if libc::WIFEXITED(status) {
        return Wait::Exited {
            pid,
            code: libc::WEXITSTATUS(status),
        };
    }
    if libc::WIFSIGNALED(status) {
        return Wait::Killed {
            pid,
            signal: libc::WTERMSIG(status),
        };
    }
    let signal = libc::WSTOPSIG(status);
    let event = (status >> 16) & 0xff;
    if signal == libc::SIGTRAP | 0x80 {
        return Wait::SyscallExit { pid };
    }
    if event == libc::PTRACE_EVENT_SECCOMP {
        return Wait::Seccomp { pid };
    }
    if event != 0 {
        return Wait::Event { pid, event, signal };
    }
    Wait::Signal { pid, signal }
}

fn request(req: libc::c_uint, pid: i32, addr: usize, data: usize) -> io::Result<libc::c_long> {
    // SAFETY: the requests used here take integers, or (GETEVENTMSG, GET_SYSCALL_INFO) a
    // pointer to a buffer of the size the caller passes, which outlives the call.
    cvt(unsafe { libc::ptrace(req, pid, addr, data) })
}

/// The options the tracer needs: seccomp stops, every new task followed, the tracee killed if
/// sockviz dies (it would otherwise be left with `ENOSYS` from every traced call).
pub const OPTIONS: i32 = libc::PTRACE_O_TRACESECCOMP
    | libc::PTRACE_O_TRACESYSGOOD
    | libc::PTRACE_O_TRACEFORK
    | libc::PTRACE_O_TRACEVFORK
    | libc::PTRACE_O_TRACECLONE
    | libc::PTRACE_O_TRACEEXEC
    | libc::PTRACE_O_TRACEEXIT
    | libc::PTRACE_O_EXITKILL;

pub fn seize(pid: i32) -> io::Result<()> {
    request(libc::PTRACE_SEIZE, pid, 0, OPTIONS as usize).map(drop)
}

/// Resume, delivering `signal` (0 for none).
pub fn cont(pid: i32, signal: i32) -> io::Result<()> {
    request(libc::PTRACE_CONT, pid, 0, signal as usize).map(drop)
}

/// Resume until the current system call returns.
pub fn syscall(pid: i32) -> io::Result<()> {
    request(libc::PTRACE_SYSCALL, pid, 0, 0).map(drop)
}

/// Leave a task in its group stop while still being told about it (ptrace(2) PTRACE_LISTEN).
pub fn listen(pid: i32) -> io::Result<()> {
    request(libc::PTRACE_LISTEN as libc::c_uint, pid, 0, 0).map(drop)
}

/// The event's message: the new task's id after FORK/CLONE.
pub fn event_msg(pid: i32) -> io::Result<u64> {
    let mut msg: u64 = 0;
    request(
        libc::PTRACE_GETEVENTMSG,
        pid,
        0,
        &mut msg as *mut u64 as usize,
    )?;
    Ok(msg)
}

/// A stopped task's system call: its number and arguments at a seccomp stop, its result at a
/// syscall-exit stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallInfo {
    Entry { nr: u64, args: [u64; 6] },
    Exit { ret: i64, is_error: bool },
    Other,
}

pub fn syscall_info(pid: i32) -> io::Result<SyscallInfo> {
    // SAFETY: plain integers and a union of plain integers: all-zero is valid.
    let mut info: libc::ptrace_syscall_info = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::ptrace_syscall_info>();
    request(
        libc::PTRACE_GET_SYSCALL_INFO,
        pid,
        size,
        &mut info as *mut libc::ptrace_syscall_info as usize,
    )?;
    // SAFETY (union reads): `op` says which member the kernel filled.
    Ok(match info.op {
        libc::PTRACE_SYSCALL_INFO_SECCOMP => {
            let s = unsafe { info.u.seccomp };
            SyscallInfo::Entry {
                nr: s.nr,
                args: s.args,
            }
        }
        libc::PTRACE_SYSCALL_INFO_ENTRY => {
            let s = unsafe { info.u.entry };
            SyscallInfo::Entry {
                nr: s.nr,
                args: s.args,
            }
        }
        libc::PTRACE_SYSCALL_INFO_EXIT => {
            let s = unsafe { info.u.exit };
            SyscallInfo::Exit {
                ret: s.sval,
                is_error: s.is_error != 0,
            }
        }
        _ => SyscallInfo::Other,
    })
}

/// Copy `len` bytes at `addr` in task `pid`'s memory (at most `max`).
pub fn read_mem(pid: i32, addr: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    if len == 0 {
        return Ok(buf);
    }
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: len,
    };
    let remote = libc::iovec {
        iov_base: addr as usize as *mut libc::c_void,
        iov_len: len,
    };
    // SAFETY: `local` describes `buf` (len bytes, alive for the call); `remote` is only
    // interpreted in the other process by the kernel, which checks it.
    let n = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    buf.truncate(n);
    Ok(buf)
}

/// `pidfd_open(pid)`: a handle on a process that stays valid (no pid reuse race).
pub fn pidfd_open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: integer arguments only.
    let fd = cvt(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) })?;
    // SAFETY: the kernel just returned this new descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `pidfd_getfd`: our own descriptor for the same open socket as the tracee's `fd`
/// (Linux 5.6; needs the ptrace access a tracer has).
pub fn pidfd_getfd(pidfd: &OwnedFd, fd: i32) -> io::Result<OwnedFd> {
    use std::os::fd::AsRawFd;
    // SAFETY: integer arguments only; `pidfd` is open for the call.
    let got = cvt(unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) })?;
    // SAFETY: a new descriptor the kernel just installed for us.
    Ok(unsafe { OwnedFd::from_raw_fd(got as RawFd) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_statuses_decode_as_ptrace_2_describes_them() {
        assert_eq!(decode_status(5, 3 << 8), Wait::Exited { pid: 5, code: 3 });
        assert_eq!(
            decode_status(5, libc::SIGKILL),
            Wait::Killed {
                pid: 5,
                signal: libc::SIGKILL
            }
        );
        let seccomp = 0x7f | (libc::SIGTRAP << 8) | (libc::PTRACE_EVENT_SECCOMP << 16);
        assert_eq!(decode_status(5, seccomp), Wait::Seccomp { pid: 5 });
        let sysexit = 0x7f | ((libc::SIGTRAP | 0x80) << 8);
        assert_eq!(decode_status(5, sysexit), Wait::SyscallExit { pid: 5 });
        let fork = 0x7f | (libc::SIGTRAP << 8) | (libc::PTRACE_EVENT_FORK << 16);
        assert_eq!(
            decode_status(5, fork),
            Wait::Event {
                pid: 5,
                event: libc::PTRACE_EVENT_FORK,
                signal: libc::SIGTRAP
            }
        );
        let int = 0x7f | (libc::SIGINT << 8);
        assert_eq!(
            decode_status(5, int),
            Wait::Signal {
                pid: 5,
                signal: libc::SIGINT
            }
        );
    }
}
