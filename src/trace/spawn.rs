//! Start the program: `fork`, let the parent `PTRACE_SEIZE` the child, then the child installs
//! the seccomp filter and `execve`s.
//!
//! The parent has threads (the capture, the prober), so between `fork` and `execve` the child
//! only makes async-signal-safe system calls on data prepared before the `fork` (paths, argv,
//! environment, the BPF program). A one-byte "go" pipe orders the steps: the child waits until
//! the parent has seized it (or failed to), and installs the filter only when someone traces it:
//! with no tracer, `SECCOMP_RET_TRACE` would fail every watched call with `ENOSYS`.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::{ptrace, seccomp};

/// Where the program's standard streams go.
#[derive(Debug)]
pub enum Streams {
    /// The terminal's, as sockviz got them.
    Inherit,
    /// stdout onto sockviz's stderr (sockviz's stdout carries JSON lines); stdin kept.
    StdoutToStderr,
    /// stdout and stderr into this file, stdin from /dev/null (the screen owns the terminal).
    File(OwnedFd),
}

/// Why a program could not be started at all.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("{}", crate::tr!("lab.trace.not_found", program = .0))]
    NotFound(String),
    #[error("{}", crate::tr!("lab.trace.nul", program = .0))]
    Nul(String),
    #[error("{}", crate::tr!("lab.trace.fork", program = .program, error = .source))]
    Fork { program: String, source: io::Error },
}

/// Why the program runs untraced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untraced {
    /// `PTRACE_SEIZE` failed with this errno.
    Seize(i32),
    /// The child could not install the seccomp filter (errno).
    Seccomp(i32),
}

/// A started program.
#[derive(Debug)]
pub struct Spawned {
    pub pid: i32,
    /// `Err` when the program runs without tracing (it still runs and is captured).
    pub traced: Result<(), Untraced>,
    /// The child's report pipe: a failed filter or `execve`, read once the exec happened.
    report: OwnedFd,
}

/// What the child wrote on its report pipe before `execve` replaced it (or failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildReport {
    SeccompFailed(i32),
    ExecFailed(i32),
}

impl Spawned {
    /// Read the child's report without blocking (after its exec event, or after it exited).
    pub fn reports(&self) -> Vec<ChildReport> {
        let mut buf = [0u8; 32];
        let mut out = Vec::new();
        // SAFETY: `buf` outlives the call; the pipe's read end is ours and non-blocking.
        let n = unsafe { libc::read(self.report.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        let n = usize::try_from(n).unwrap_or(0);
        for chunk in buf[..n].chunks_exact(5) {
            let code = i32::from_ne_bytes([chunk[1], chunk[2], chunk[3], chunk[4]]);
            match chunk[0] {
                b'S' => out.push(ChildReport::SeccompFailed(code)),
                b'X' => out.push(ChildReport::ExecFailed(code)),
                _ => {}
            }
        }
        out
    }
}

/// The program's path as `execvp` would find it.
pub fn resolve(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn cstring(s: &[u8], shown: &str) -> Result<CString, SpawnError> {
    CString::new(s).map_err(|_| SpawnError::Nul(shown.to_string()))
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two new descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Start `argv` (program first), traced when `trace` is set and the kernel allows it.
pub fn spawn(argv: &[String], streams: Streams, trace: bool) -> Result<Spawned, SpawnError> {
    let first = argv.first().map(String::as_str).unwrap_or_default();
    let path = resolve(first).ok_or_else(|| SpawnError::NotFound(first.to_string()))?;
    let path_c = cstring(path.as_os_str().as_bytes(), first)?;
    let args: Vec<CString> = argv
        .iter()
        .map(|a| cstring(a.as_bytes(), a))
        .collect::<Result<_, _>>()?;
    let env: Vec<CString> = std::env::vars_os()
        .filter_map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).ok()
        })
        .collect();
    let mut argv_p: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv_p.push(std::ptr::null());
    let mut env_p: Vec<*const libc::c_char> = env.iter().map(|a| a.as_ptr()).collect();
    env_p.push(std::ptr::null());
    let filter = seccomp::program();
    let fork_err = |source| SpawnError::Fork {
        program: first.to_string(),
        source,
    };
    let (go_r, go_w) = pipe().map_err(fork_err)?;
    let (report_r, report_w) = pipe().map_err(fork_err)?;
    let devnull = match &streams {
        // SAFETY: a constant NUL-terminated path.
        Streams::File(_) => unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY) },
        _ => -1,
    };
    // SAFETY: fork has no arguments; the child below only makes async-signal-safe calls on
    // memory prepared above, then execs or exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(fork_err(io::Error::last_os_error()));
    }
    if pid == 0 {
        child(ChildPlan {
            go: go_r.as_raw_fd(),
            report: report_w.as_raw_fd(),
            streams: &streams,
            devnull,
            filter: &filter,
            path: &path_c,
            argv: &argv_p,
            env: &env_p,
        });
    }
    if devnull >= 0 {
        // SAFETY: our own descriptor, opened above.
        unsafe { libc::close(devnull) };
    }
    drop(go_r);
    drop(report_w);
    let traced = if trace {
        ptrace::seize(pid).map_err(|e| Untraced::Seize(e.raw_os_error().unwrap_or(libc::EPERM)))
    } else {
        Err(Untraced::Seize(0))
    };
    let go = [u8::from(traced.is_ok())];
    // SAFETY: one byte from `go`; the child waits for it (a failed write leaves it reading EOF,
    // which it takes as "untraced").
    unsafe { libc::write(go_w.as_raw_fd(), go.as_ptr().cast(), 1) };
    drop(go_w);
    // SAFETY: fcntl with integer arguments on our own descriptor.
    unsafe { libc::fcntl(report_r.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
    Ok(Spawned {
        pid,
        traced,
        report: report_r,
    })
}

struct ChildPlan<'a> {
    go: RawFd,
    report: RawFd,
    streams: &'a Streams,
    devnull: RawFd,
    filter: &'a [libc::sock_filter],
    path: &'a CString,
    argv: &'a [*const libc::c_char],
    env: &'a [*const libc::c_char],
}

/// The child's side: async-signal-safe calls only, then `execve` or `_exit(127)`.
fn child(plan: ChildPlan<'_>) -> ! {
    let report = |tag: u8, code: i32| {
        let c = code.to_ne_bytes();
        let msg = [tag, c[0], c[1], c[2], c[3]];
        // SAFETY: five bytes from `msg` into our end of the report pipe.
        unsafe { libc::write(plan.report, msg.as_ptr().cast(), msg.len()) };
    };
    // SAFETY (this whole function): dup2/read/write/execve/_exit on descriptors and memory that
    // were prepared before fork and stay valid in this copy of the address space.
    unsafe {
        // An untraced program is not killed with sockviz by PTRACE_O_EXITKILL: it gets SIGTERM
        // when the thread that started it ends (sockviz quit or died).
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
        match plan.streams {
            Streams::Inherit => {}
            Streams::StdoutToStderr => {
                libc::dup2(2, 1);
            }
            Streams::File(fd) => {
                libc::dup2(fd.as_raw_fd(), 1);
                libc::dup2(fd.as_raw_fd(), 2);
                if plan.devnull >= 0 {
                    libc::dup2(plan.devnull, 0);
                }
            }
        }
        let mut go = [0u8; 1];
        let n = libc::read(plan.go, go.as_mut_ptr().cast(), 1);
        if n == 1 && go[0] == 1 {
            if let Err(code) = seccomp::install(plan.filter) {
                report(b'S', code);
            }
        }
        libc::execve(plan.path.as_ptr(), plan.argv.as_ptr(), plan.env.as_ptr());
        let code = std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::ENOENT);
        report(b'X', code);
        libc::_exit(127)
    }
}
