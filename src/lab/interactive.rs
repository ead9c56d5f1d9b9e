//! The lab driven from the keyboard: after the opening scenario, a client socket and the server's
//! accepted socket stay open and take [`LabCommand`]s (send, recv, shutdown, close, a new
//! connection, another scenario), each call landing on the same timeline as the scenarios'.
//!
//! Each socket lives on its own worker thread, so a blocking `recv` blocks only its side (and
//! later commands for that side wait behind it, as they would in a Python program).

use std::net::SocketAddrV4;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use crate::timeline::{Call, CallEvent, Errno, Side, SocketId, SourceEvent};

use super::probe::{Recorder, Sampler, now};
use super::scenario::{self, ScenarioCtx, side_word};
use super::setup::start_wire;
use super::socket::{LabSocket, Shutdown};
use super::{CaptureStatus, LabConfig, LabError, Prepared};

/// The two hosts of a lab over a link.
type Hosts = Arc<super::link::Topology>;

/// What the keyboard asks the lab to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabCommand {
    /// The client sends `text` (UTF-8) with `send` or `sendall`.
    Send {
        text: String,
        all: bool,
    },
    Recv {
        side: Side,
        bufsize: usize,
    },
    Shutdown {
        side: Side,
        how: Shutdown,
    },
    Close {
        side: Side,
    },
    /// Close what is open and connect a fresh client to the listener.
    NewConnection,
    /// The server echoes whatever arrives (the lecture's echo server) or waits for `R`.
    AutoEcho(bool),
    RunScenario(String),
}

impl LabCommand {
    /// A line for the status bar: what was asked.
    pub fn describe(&self) -> String {
        match self {
            LabCommand::Send { text, all } => crate::tr!(
                "lab.cmd.send",
                call = if *all { "sendall" } else { "send" },
                n = text.len()
            ),
            LabCommand::Recv { side, bufsize } => {
                crate::tr!("lab.cmd.recv", side = side_word(*side), bufsize = bufsize)
            }
            LabCommand::Shutdown { side, .. } => {
                crate::tr!("lab.cmd.shutdown", side = side_word(*side))
            }
            LabCommand::Close { side } => crate::tr!("lab.cmd.close", side = side_word(*side)),
            LabCommand::NewConnection => crate::tr!("lab.cmd.new_connection"),
            LabCommand::AutoEcho(true) => crate::tr!("lab.cmd.echo_on"),
            LabCommand::AutoEcho(false) => crate::tr!("lab.cmd.echo_off"),
            LabCommand::RunScenario(name) => crate::tr!("lab.cmd.scenario", name = name),
        }
    }
}

/// A running interactive lab: drop it (or the UI's sender) to end the session.
pub struct InteractiveLab {
    pub commands: mpsc::Sender<LabCommand>,
    pub capture: String,
    pub server: SocketAddrV4,
}

enum WorkerCmd {
    Send(Vec<u8>, bool),
    Recv(usize),
    Shutdown(Shutdown),
    Close,
}

struct Worker {
    tx: mpsc::Sender<WorkerCmd>,
    handle: thread::JoinHandle<()>,
    socket: SocketId,
    side: Side,
}

/// How long a closing worker may take to finish the call it is in before its socket is shut
/// down under it. A `recv` whose peer closes returns `b''` well within this on loopback.
const CLOSE_GRACE: Duration = Duration::from_millis(300);

impl Worker {
    fn spawn(mut sock: LabSocket, side: Side, echo: Option<Arc<AtomicBool>>) -> Option<Worker> {
        let (tx, rx) = mpsc::channel::<WorkerCmd>();
        let socket = sock.id();
        let handle = thread::Builder::new()
            .name(format!("lab-{side}"))
            .spawn(move || {
                let mut eof = false;
                loop {
                    match rx.recv_timeout(Duration::from_millis(20)) {
                        Ok(WorkerCmd::Send(data, all)) => {
                            let _ = if all {
                                sock.sendall(&data)
                            } else {
                                sock.send(&data).map(|_| ())
                            };
                        }
                        Ok(WorkerCmd::Recv(n)) => {
                            if let Ok(d) = sock.recv(n) {
                                eof |= d.is_empty();
                            }
                        }
                        Ok(WorkerCmd::Shutdown(how)) => {
                            let _ = sock.shutdown(how);
                        }
                        Ok(WorkerCmd::Close) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                            sock.close();
                            return;
                        }
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                    }
                    // The lecture's echo server: recv(1024), send it back, until b''.
                    let echoing = echo.as_ref().is_some_and(|e| e.load(Ordering::Relaxed));
                    if echoing && !eof && sock.wait_readable(0).unwrap_or(false) {
                        match sock.recv(super::LECTURE_BUFSIZE) {
                            Ok(d) if d.is_empty() => eof = true,
                            Ok(d) => {
                                let _ = sock.sendall(&d);
                            }
                            Err(_) => eof = true,
                        }
                    }
                }
            })
            .ok()?;
        Some(Worker {
            tx,
            handle,
            socket,
            side,
        })
    }

    /// Ask the worker to close its socket once the call it is in returns.
    fn ask_close(&self) {
        let _ = self.tx.send(WorkerCmd::Close);
    }

    /// Wait for the worker to close its socket. A worker blocked in a call nobody will
    /// complete (a `recv` whose peer is silent, a `sendall` into a full window) would hold the
    /// session thread, and with it every later command, forever: after [`CLOSE_GRACE`] its
    /// socket is shut down (`SHUT_RDWR`), which makes the blocked call return, and the timeline
    /// says so.
    fn finish(self, rec: &Recorder) {
        let deadline = std::time::Instant::now() + CLOSE_GRACE;
        while !self.handle.is_finished() && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        if !self.handle.is_finished() {
            rec.note(crate::tr!(
                "lab.interactive.woken",
                side = side_word(self.side)
            ));
            rec.shutdown_socket(self.socket);
        }
        let _ = self.handle.join();
    }

    fn close(self, rec: &Recorder) {
        self.ask_close();
        self.finish(rec);
    }
}

struct Session {
    rec: Arc<Recorder>,
    server: SocketAddrV4,
    listener: Option<LabSocket>,
    client: Option<Worker>,
    accepted: Option<Worker>,
    echo: Arc<AtomicBool>,
    /// The sockets closed with `x` (client, server), still named by the lecture's `s`/`conn`:
    /// a later send or recv on one fails as Python's does, `OSError: [Errno 9] Bad file
    /// descriptor`.
    closed: [Option<SocketId>; 2],
    hosts: Option<Hosts>,
}

impl Session {
    /// Close both ends. Both workers are asked first and awaited after: a client blocked in
    /// `recv` returns `b''` when the server's close arrives, so closing one side at a time
    /// (client first) would wait on a call only the other side's close can end.
    fn close_connection(&mut self) {
        let client = self.client.take();
        let accepted = self.accepted.take();
        for w in client.iter().chain(accepted.iter()) {
            w.ask_close();
        }
        for w in client.into_iter().chain(accepted) {
            w.finish(&self.rec);
        }
    }

    /// Sockets made where their side lives: on its host when the lab runs over a link.
    fn ctx(&self) -> ScenarioCtx {
        let ctx = ScenarioCtx::new(Arc::clone(&self.rec), self.server, true);
        match &self.hosts {
            Some(hosts) => ctx.on_hosts(Arc::clone(hosts)),
            None => ctx,
        }
    }

    fn close_all(&mut self) {
        self.close_connection();
        if let Some(l) = self.listener.take() {
            l.close();
        }
    }

    fn new_connection(&mut self) {
        self.close_connection();
        self.closed = [None, None];
        if self.listener.is_none() {
            match self.ctx().listener(5, &[]) {
                Ok(l) => self.listener = Some(l),
                Err(e) => {
                    self.rec
                        .note(crate::tr!("lab.interactive.cannot_listen", error = e));
                    return;
                }
            }
        }
        let Ok(mut c) = self.ctx().socket(Side::Client) else {
            self.rec
                .note(crate::i18n::t("lab.interactive.no_client_socket"));
            return;
        };
        if c.connect(self.server).is_err() {
            return;
        }
        let Some(listener) = self.listener.as_mut() else {
            return;
        };
        let Ok(conn) = listener.accept() else { return };
        self.client = Worker::spawn(c, Side::Client, None);
        self.accepted = Worker::spawn(conn, Side::Server, Some(Arc::clone(&self.echo)));
    }

    fn worker(&self, side: Side) -> Option<&Worker> {
        match side {
            Side::Client => self.client.as_ref(),
            _ => self.accepted.as_ref(),
        }
    }

    fn dispatch(&mut self, side: Side, cmd: WorkerCmd) {
        match (self.worker(side), self.closed[closed_slot(side)]) {
            (Some(w), _) => {
                let _ = w.tx.send(cmd);
            }
            (None, Some(socket)) => self.closed_call(side, socket, cmd),
            (None, None) => self.rec.note(crate::tr!(
                "lab.interactive.no_socket",
                side = side_word(side)
            )),
        }
    }

    /// A call on a socket already closed: Python's socket object has no descriptor left
    /// (fd -1), and the call fails with `EBADF` at once.
    fn closed_call(&self, side: Side, socket: SocketId, cmd: WorkerCmd) {
        let (call, len, data) = match cmd {
            WorkerCmd::Send(data, all) => (
                Call::Send {
                    len: data.len() as u64,
                    all,
                },
                Some(data.len() as u64),
                data,
            ),
            WorkerCmd::Recv(n) => (Call::Recv { bufsize: n as u64 }, None, Vec::new()),
            WorkerCmd::Shutdown(how) => (Call::Shutdown(how), None, Vec::new()),
            WorkerCmd::Close => return,
        };
        let at = now();
        self.rec.send(SourceEvent::Call(CallEvent {
            side,
            socket,
            call,
            len,
            ret: None,
            errno: Some(Errno {
                code: libc::EBADF,
                name: "EBADF",
            }),
            started: at,
            returned: at,
            data,
            flow: None,
            stream: None,
            progress: Vec::new(),
        }));
    }

    fn handle(&mut self, cmd: LabCommand) {
        match cmd {
            LabCommand::Send { text, all } => {
                self.dispatch(Side::Client, WorkerCmd::Send(text.into_bytes(), all))
            }
            LabCommand::Recv { side, bufsize } => self.dispatch(side, WorkerCmd::Recv(bufsize)),
            LabCommand::Shutdown { side, how } => self.dispatch(side, WorkerCmd::Shutdown(how)),
            LabCommand::Close { side } => {
                let w = match side {
                    Side::Client => self.client.take(),
                    _ => self.accepted.take(),
                };
                match w {
                    Some(w) => {
                        self.closed[closed_slot(side)] = Some(w.socket);
                        w.close(&self.rec)
                    }
                    None => self.rec.note(crate::tr!(
                        "lab.interactive.already_closed",
                        side = side_word(side)
                    )),
                }
            }
            LabCommand::NewConnection => self.new_connection(),
            LabCommand::AutoEcho(on) => self.echo.store(on, Ordering::Relaxed),
            LabCommand::RunScenario(name) => {
                self.close_all();
                self.closed = [None, None];
                run_scenario(&self.rec, self.server, self.hosts.as_ref(), &name);
                self.rec.note(crate::i18n::t("lab.interactive.keys"));
            }
        }
    }
}

/// Which of [`Session::closed`] holds `side`'s socket.
fn closed_slot(side: Side) -> usize {
    usize::from(side != Side::Client)
}

fn run_scenario(rec: &Arc<Recorder>, server: SocketAddrV4, hosts: Option<&Hosts>, name: &str) {
    let Some(sc) = scenario::find(name) else {
        rec.note(crate::tr!("lab.interactive.unknown", name = name));
        return;
    };
    if sc.link.is_some() && hosts.is_none() {
        rec.note(crate::tr!("lab.interactive.needs_link", name = name));
        return;
    }
    rec.note(super::opening_note(sc));
    // SO_REUSEADDR: an earlier connection's TIME_WAIT may still hold the port.
    let mut ctx = ScenarioCtx::new(Arc::clone(rec), server, true);
    if let Some(hosts) = hosts {
        ctx = ctx.on_hosts(Arc::clone(hosts));
    }
    if let Err(e) = (sc.run)(&ctx) {
        rec.note(crate::tr!("lab.stopped_early", failure = e));
    }
}

/// Configure the loopback, start capture and probes, play `cfg.scenario`, then wait for
/// commands; every event goes to `tx`. Returns once the session's thread is running.
pub fn start(
    cfg: &LabConfig,
    prepared: &Prepared,
    tx: mpsc::Sender<SourceEvent>,
) -> Result<InteractiveLab, LabError> {
    if scenario::find(&cfg.scenario).is_none() {
        return Err(LabError::UnknownScenario(cfg.scenario.clone()));
    }
    let rec = Recorder::new(tx.clone());
    let (wire, hosts) = match super::link_of(cfg) {
        Some(spec) => {
            let (wire, topo) = super::link::start_wire(cfg, spec, prepared, tx, |t| rec.note(t))?;
            (wire, Some(Arc::new(topo)))
        }
        None => (start_wire(cfg, prepared, tx, |text| rec.note(text)), None),
    };
    let (server, live) = (wire.server, wire.live);
    let capture = match wire.capture {
        CaptureStatus::Unavailable(reason) => {
            rec.note(crate::tr!("lab.capture_unavailable", reason = reason));
            "unavailable".to_string()
        }
        status => status.to_string(),
    };
    let sampler = Sampler::start(Arc::clone(&rec)).map_err(LabError::Thread)?;
    let (commands, rx) = mpsc::channel::<LabCommand>();
    let scenario_name = cfg.scenario.clone();
    thread::Builder::new()
        .name("lab".into())
        .spawn(move || {
            let _sampler = sampler;
            let _live = live;
            run_scenario(&rec, server, hosts.as_ref(), &scenario_name);
            rec.note(crate::i18n::t("lab.interactive.keys"));
            let mut session = Session {
                rec,
                server,
                listener: None,
                client: None,
                accepted: None,
                echo: Arc::new(AtomicBool::new(true)),
                closed: [None, None],
                hosts,
            };
            while let Ok(cmd) = rx.recv() {
                session.handle(cmd);
            }
            session.close_all();
        })
        .map_err(LabError::Thread)?;
    Ok(InteractiveLab {
        commands,
        capture,
        server,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_describe_themselves_for_the_status_bar() {
        let c = LabCommand::Send {
            text: "hello, 안녕".into(),
            all: true,
        };
        assert_eq!(c.describe(), "client sendall(13 bytes)");
        let r = LabCommand::Recv {
            side: Side::Server,
            bufsize: 5,
        };
        assert_eq!(r.describe(), "server recv(5)");
    }
}

#[cfg(test)]
#[path = "interactive_deadlock_tests.rs"]
mod deadlock_tests;

#[cfg(test)]
#[path = "interactive_closed_tests.rs"]
mod closed_tests;
