//! A source for `sockviz run`: a student's own program, its socket calls traced with `ptrace`
//! and turned into the same [`crate::timeline::CallEvent`]s the lab's instrumented sockets make,
//! so every screen, recording and export works on them unchanged.
//!
//! - [`seccomp`]: the filter that stops the program only at network system calls;
//! - [`spawn`]: fork, seize, filter, exec;
//! - [`tracer`]: the ptrace loop (forks, threads, exec, exit);
//! - [`decode`] and [`memory`]: a stop's system call and the tracee's buffers, typed;
//! - [`python`], [`sends`]: the Python call each system call was (`sendto` → `s.send`, a run
//!   of sends over one buffer → `s.sendall`), with stream offsets for the byte map;
//! - [`sockets`]: which descriptor is which socket, and sockviz's duplicates for the prober.

pub mod decode;
pub mod memory;
pub mod ptrace;
pub mod python;
pub mod seccomp;
pub mod sends;
pub mod sockets;
pub mod spawn;
pub mod tracer;

use std::fmt;

pub use spawn::{SpawnError, Streams, Untraced};
pub use tracer::{Pids, run, shown};

/// How a traced program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Code(i32),
    Signal(i32),
}

impl ExitStatus {
    /// The shell's number for it: the code, or 128 + the signal.
    pub fn shell_status(self) -> i32 {
        match self {
            ExitStatus::Code(c) => c,
            ExitStatus::Signal(s) => 128 + s,
        }
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Code(c) => f.write_str(&crate::tr!("lab.trace.exited", code = c)),
            ExitStatus::Signal(s) => f.write_str(&crate::tr!("lab.trace.killed", signal = s)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramExit {
    pub name: String,
    pub pid: i32,
    pub status: ExitStatus,
}

/// What the tracer saw besides its events.
#[derive(Debug, Clone, Default)]
pub struct TraceReport {
    pub exits: Vec<ProgramExit>,
    /// Why calls are missing, when a program ran untraced (a sentence with the fix).
    pub untraced: Option<String>,
}

fn read_setting(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// The sentence shown when `name` runs untraced: what refused, and what to change. Its
/// packets and socket states are still captured; only the calls are missing.
pub fn refusal(name: &str, why: &Untraced) -> String {
    let yama = read_setting("/proc/sys/kernel/yama/ptrace_scope");
    let cause = match why {
        Untraced::Seize(0) => crate::tr!("lab.trace.off"),
        Untraced::Seize(code) => {
            let err = std::io::Error::from_raw_os_error(*code);
            match yama.as_deref() {
                Some("3") => crate::tr!("lab.trace.yama3", error = err),
                Some("2") => crate::tr!("lab.trace.yama2", error = err),
                _ => crate::tr!("lab.trace.refused", error = err),
            }
        }
        Untraced::Seccomp(code) => crate::tr!(
            "lab.trace.seccomp",
            error = std::io::Error::from_raw_os_error(*code)
        ),
    };
    crate::tr!("lab.trace.untraced", name = name, cause = cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_what_to_change() {
        let text = refusal("python3 client.py", &Untraced::Seize(libc::EPERM));
        assert!(
            text.starts_with("python3 client.py runs untraced"),
            "{text}"
        );
        assert!(text.contains("ptrace"), "{text}");
        assert!(
            text.contains("SYS_PTRACE") || text.contains("ptrace_scope"),
            "{text}"
        );
        let text = refusal("a", &Untraced::Seccomp(libc::EINVAL));
        assert!(text.contains("seccomp"), "{text}");
        assert_eq!(
            shown(&[
                "/usr/bin/python3".into(),
                "examples/echo_client.py".into(),
                "x".into()
            ]),
            "python3 echo_client.py"
        );
    }
}
