//! The ptrace loop: start the programs, then answer every stop until the last task is gone.
//!
//! One thread does all of it (ptrace requests must come from the thread that attached). A
//! seccomp stop is a watched call's entry: calls on descriptors that are not traced sockets are
//! resumed at once (`PTRACE_CONT`); the others run under `PTRACE_SYSCALL` so their return is
//! seen too. Forks, threads and execs are followed (`PTRACE_O_TRACE*`); a process's exit stop
//! is where its still-open sockets are named before the kernel closes them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::lab::probe::{Recorder, now};
use crate::timeline::SourceEvent;

use super::ptrace::{self, PTRACE_EVENT_STOP, SyscallInfo, Wait};
use super::python::{self, Entry, Pending};
use super::sockets::SocketTable;
use super::spawn::{self, ChildReport, SpawnError, Streams, Untraced};
use super::{ExitStatus, ProgramExit, TraceReport, refusal};

#[derive(Debug)]
struct Task {
    tgid: i32,
    pending: Option<Pending>,
}

/// The running programs' process ids, for whoever must stop them (`--client` when done).
pub type Pids = Arc<Mutex<Vec<i32>>>;

/// What starts the next program of `a ::: b`: the previous one listens on a new port (asked
/// through `ready`), exits, or [`NEXT_PROGRAM_AFTER`] passes.
pub const NEXT_PROGRAM_AFTER: Duration = Duration::from_secs(10);

struct Loop {
    table: SocketTable,
    tasks: HashMap<i32, Task>,
    /// Top-level programs: pid → (index, shown name).
    programs: HashMap<i32, (usize, String)>,
    names: HashMap<i32, String>,
    exits: Vec<ProgramExit>,
    untraced: Option<String>,
    seen_new: HashSet<i32>,
    /// Each started program's report pipe (a failed filter or exec).
    reports: Vec<spawn::Spawned>,
}

fn tgid_of(tid: i32) -> i32 {
    std::fs::read_to_string(format!("/proc/{tid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Tgid:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(tid)
}

/// `python3 client.py`: the program and its first argument.
pub fn shown(argv: &[String]) -> String {
    let base = |s: &String| {
        std::path::Path::new(s)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| s.clone())
    };
    argv.iter().take(2).map(base).collect::<Vec<_>>().join(" ")
}

/// Run `programs` (each an argv), traced when allowed, until every task has ended.
pub fn run(
    programs: &[Vec<String>],
    mut streams: impl FnMut() -> Streams,
    trace: bool,
    rec: Arc<Recorder>,
    pids: &Pids,
    mut ready: impl FnMut() -> bool,
) -> Result<TraceReport, SpawnError> {
    let mut l = Loop {
        table: SocketTable::new(Arc::clone(&rec)),
        tasks: HashMap::new(),
        programs: HashMap::new(),
        names: HashMap::new(),
        exits: Vec::new(),
        untraced: None,
        seen_new: HashSet::new(),
        reports: Vec::new(),
    };
    let mut next = 0usize;
    let mut last_start = Instant::now();
    loop {
        let waiting_to_start = next < programs.len();
        if waiting_to_start {
            let prev_done = next == 0 || !l.programs.values().any(|(k, _)| *k == next - 1);
            if next == 0 || prev_done || ready() || last_start.elapsed() >= NEXT_PROGRAM_AFTER {
                l.start(&programs[next], next, streams(), trace, &rec, pids)?;
                next += 1;
                last_start = Instant::now();
                continue;
            }
        }
        let w = if waiting_to_start {
            match ptrace::wait_nohang() {
                Ok(Some(w)) => w,
                Ok(None) => {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
                Err(_) => break,
            }
        } else {
            match ptrace::wait_any() {
                Ok(w) => w,
                Err(_) => break,
            }
        };
        if !l.handle(w, pids) && next >= programs.len() {
            break;
        }
    }
    l.table.flush_held();
    l.table.release_all();
    Ok(TraceReport {
        exits: l.exits,
        untraced: l.untraced,
    })
}

impl Loop {
    fn start(
        &mut self,
        argv: &[String],
        index: usize,
        streams: Streams,
        trace: bool,
        rec: &Recorder,
        pids: &Pids,
    ) -> Result<(), SpawnError> {
        let child = spawn::spawn(argv, streams, trace)?;
        let name = shown(argv);
        if let Ok(mut p) = pids.lock() {
            p.push(child.pid);
        }
        rec.send(SourceEvent::Note {
            at: now(),
            text: crate::tr!("lab.trace.started", name = name, pid = child.pid),
        });
        match &child.traced {
            Ok(()) => {
                self.tasks.insert(
                    child.pid,
                    Task {
                        tgid: child.pid,
                        pending: None,
                    },
                );
                self.seen_new.insert(child.pid);
            }
            Err(why) => self.refused(rec, &name, why),
        }
        self.programs.insert(child.pid, (index, name.clone()));
        self.names.insert(child.pid, name);
        self.reports.push(child);
        Ok(())
    }

    fn refused(&mut self, rec: &Recorder, name: &str, why: &Untraced) {
        let text = refusal(name, why);
        rec.send(SourceEvent::Note {
            at: now(),
            text: text.clone(),
        });
        self.untraced.get_or_insert(text);
    }

    /// Answer one stop; `false` when no child is left.
    fn handle(&mut self, w: Wait, pids: &Pids) -> bool {
        match w {
            Wait::NoChildren => return false,
            Wait::Exited { pid, code } => self.gone(pid, ExitStatus::Code(code), pids),
            Wait::Killed { pid, signal } => self.gone(pid, ExitStatus::Signal(signal), pids),
            Wait::Seccomp { pid } => self.seccomp(pid),
            Wait::SyscallExit { pid } => self.syscall_exit(pid),
            Wait::Event { pid, event, signal } => self.event(pid, event, signal),
            Wait::Signal { pid, signal } => {
                let _ = ptrace::cont(pid, signal);
            }
        }
        true
    }

    fn task(&mut self, pid: i32) -> &mut Task {
        self.tasks.entry(pid).or_insert_with(|| Task {
            tgid: tgid_of(pid),
            pending: None,
        })
    }

    fn seccomp(&mut self, pid: i32) {
        let tgid = self.task(pid).tgid;
        let Ok(SyscallInfo::Entry { nr, args }) = ptrace::syscall_info(pid) else {
            let _ = ptrace::cont(pid, 0);
            return;
        };
        let decision = match super::decode::decode(nr, args) {
            Some(call) => python::entry(&mut self.table, pid, tgid, call, now()),
            None => Entry::Ignore,
        };
        match decision {
            Entry::Ignore => {
                let _ = ptrace::cont(pid, 0);
            }
            Entry::Watch(p) => {
                self.task(pid).pending = Some(p);
                let _ = ptrace::syscall(pid);
            }
        }
    }

    fn syscall_exit(&mut self, pid: i32) {
        let at = now();
        let pending = self.task(pid).pending.take();
        if let (Some(p), Ok(SyscallInfo::Exit { ret, .. })) = (pending, ptrace::syscall_info(pid)) {
            python::exit(&mut self.table, pid, p, ret, at);
        }
        let _ = ptrace::cont(pid, 0);
    }

    fn event(&mut self, pid: i32, event: i32, signal: i32) {
        match event {
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                let parent = self.task(pid).tgid;
                if let Ok(new) = ptrace::event_msg(pid).map(|n| n as i32) {
                    let tgid = tgid_of(new);
                    self.tasks.entry(new).or_insert(Task {
                        tgid,
                        pending: None,
                    });
                    self.seen_new.insert(new);
                    if tgid != parent {
                        let shares = !self.table.open_in(parent).is_empty();
                        self.table.fork(parent, tgid);
                        let name = self.names.get(&parent).cloned().unwrap_or_default();
                        // Only a fork holding sockets changes their story (shells fork a lot).
                        if shares {
                            self.table.rec().send(SourceEvent::Note {
                                at: now(),
                                text: format!(
                                    "{name} (pid {parent}) forked pid {tgid}: the child shares its \
                                 sockets, and a socket's FIN waits for its last close"
                                ),
                            });
                        }
                        self.names.insert(tgid, name);
                    }
                }
                let _ = ptrace::cont(pid, 0);
            }
            libc::PTRACE_EVENT_EXIT => {
                let tgid = self.task(pid).tgid;
                let others = self
                    .tasks
                    .iter()
                    .any(|(tid, t)| *tid != pid && t.tgid == tgid);
                if !others {
                    let name = self.names.get(&tgid).cloned().unwrap_or_default();
                    python::exiting(&mut self.table, tgid, &name, now());
                }
                let _ = ptrace::cont(pid, 0);
            }
            PTRACE_EVENT_STOP => {
                let stop = matches!(
                    signal,
                    libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
                );
                if self.seen_new.remove(&pid) || !stop {
                    let _ = ptrace::cont(pid, 0);
                } else {
                    let _ = ptrace::listen(pid);
                }
            }
            libc::PTRACE_EVENT_EXEC => {
                self.check_reports();
                let _ = ptrace::cont(pid, 0);
            }
            _ => {
                let _ = ptrace::cont(pid, 0);
            }
        }
    }

    fn check_reports(&mut self) {
        let found: Vec<(String, ChildReport)> = self
            .reports
            .iter()
            .flat_map(|c| {
                let name = self.names.get(&c.pid).cloned().unwrap_or_default();
                c.reports().into_iter().map(move |r| (name.clone(), r))
            })
            .collect();
        for (name, r) in found {
            let text = match r {
                ChildReport::SeccompFailed(code) => refusal(&name, &Untraced::Seccomp(code)),
                ChildReport::ExecFailed(code) => crate::tr!(
                    "lab.trace.cannot_run",
                    name = name,
                    error = std::io::Error::from_raw_os_error(code)
                ),
            };
            self.table.rec().send(SourceEvent::Note {
                at: now(),
                text: text.clone(),
            });
            if matches!(r, ChildReport::SeccompFailed(_)) {
                self.untraced.get_or_insert(text);
            }
        }
    }

    fn gone(&mut self, pid: i32, status: ExitStatus, pids: &Pids) {
        let tgid = self.tasks.remove(&pid).map(|t| t.tgid).unwrap_or(pid);
        if let Some((_, name)) = self.programs.remove(&pid) {
            self.check_reports();
            if let Ok(mut p) = pids.lock() {
                p.retain(|p| *p != pid);
            }
            self.table.rec().send(SourceEvent::Note {
                at: now(),
                text: crate::tr!("lab.trace.exit", name = name, status = status),
            });
            self.exits.push(ProgramExit { name, pid, status });
        }
        if !self.tasks.values().any(|t| t.tgid == tgid) {
            self.table.drop_process(tgid);
        }
    }
}
