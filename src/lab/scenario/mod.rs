//! Scenarios: short scripts of socket calls, one lesson each (one file per scenario).
//!
//! A scenario sets up its listener on the calling thread (so the server is listening before any
//! client connects), then runs each peer on its own thread: a blocked call blocks its side only,
//! and the timeline shows how long.

mod backlog;
mod coalesce;
mod echo;
mod echo_link;
mod half_close;
mod loss;
mod refused;
mod reset;
mod segments;
mod slow_reader;
mod slow_start;
mod syn_timeout;
mod unreachable;
mod utf8_split;

use std::io;
use std::net::SocketAddrV4;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::timeline::Side;

use super::probe::Recorder;
use super::socket::{LabSocket, SockOpt};

/// One lesson.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub name: &'static str,
    /// The key of its one line for `sockviz lab --list` and the picker ([`Scenario::summary`]).
    pub summary_key: &'static str,
    pub run: fn(&ScenarioCtx) -> Result<(), ScenarioError>,
    /// The link a scenario needs between two hosts (`--link` overrides it); `None` for one
    /// host's loopback unless `--link` is given.
    pub link: Option<crate::lab::link::LinkSpec>,
}

/// Every scenario, in teaching order.
pub const ALL: &[Scenario] = &[
    echo::SCENARIO,
    segments::SCENARIO,
    coalesce::SCENARIO,
    half_close::SCENARIO,
    refused::SCENARIO,
    backlog::SCENARIO,
    slow_reader::SCENARIO,
    reset::SCENARIO,
    utf8_split::SCENARIO,
    // Over a link between two hosts (issue 12).
    echo_link::SCENARIO,
    syn_timeout::SCENARIO,
    unreachable::SCENARIO,
    loss::SCENARIO,
    slow_start::SCENARIO,
];

impl Scenario {
    /// One line for `sockviz lab --list` and the scenario picker, in the current language.
    pub fn summary(&self) -> &'static str {
        crate::i18n::t(self.summary_key)
    }
}

/// How a side is called in the lab's sentences (`client`, or `클라이언트` in Korean).
pub fn side_word(side: Side) -> &'static str {
    match side {
        Side::Client => crate::i18n::t("lab.side.client"),
        Side::Server => crate::i18n::t("lab.side.server"),
        Side::Listener => crate::i18n::t("lab.side.listener"),
    }
}

pub fn find(name: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.name == name)
}

/// Why a scenario stopped before its end.
#[derive(Debug)]
pub enum ScenarioError {
    Call {
        side: Side,
        call: &'static str,
        error: io::Error,
    },
    /// A sentence already in the current language.
    Unexpected(String),
    /// Which thread: `client`, `server` or `listener`.
    Panicked(&'static str),
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::Call { side, call, error } => f.write_str(&crate::tr!(
                "lab.err.call",
                side = side_word(*side),
                call = call,
                error = error
            )),
            ScenarioError::Unexpected(text) => f.write_str(text),
            ScenarioError::Panicked(thread) => {
                f.write_str(&crate::tr!("lab.err.panicked", thread = thread))
            }
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Call { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Attach the side and call name to a failed socket call.
pub trait Step<T> {
    fn step(self, side: Side, call: &'static str) -> Result<T, ScenarioError>;
}

impl<T> Step<T> for io::Result<T> {
    fn step(self, side: Side, call: &'static str) -> Result<T, ScenarioError> {
        self.map_err(|error| ScenarioError::Call { side, call, error })
    }
}

/// What a scenario may use: sockets that record themselves, the server address, notes.
#[derive(Debug)]
pub struct ScenarioCtx {
    rec: Arc<Recorder>,
    pub server: SocketAddrV4,
    /// On the host loopback a re-run may find the port in TIME_WAIT: set `SO_REUSEADDR`.
    reuse_addr: bool,
    /// Over a link: the two hosts, where each side's sockets are made.
    hosts: Option<Arc<crate::lab::link::Topology>>,
}

impl ScenarioCtx {
    pub fn new(rec: Arc<Recorder>, server: SocketAddrV4, reuse_addr: bool) -> Self {
        ScenarioCtx {
            rec,
            server,
            reuse_addr,
            hosts: None,
        }
    }

    /// Make each side's sockets on its own host of `hosts`.
    pub fn on_hosts(mut self, hosts: Arc<crate::lab::link::Topology>) -> Self {
        self.hosts = Some(hosts);
        self
    }

    /// Whether the client and the server are two hosts joined by a link.
    pub fn over_link(&self) -> bool {
        self.hosts.is_some()
    }

    pub fn socket(&self, side: Side) -> Result<LabSocket, ScenarioError> {
        match &self.hosts {
            Some(hosts) => {
                LabSocket::new_with(&self.rec, side, || hosts.tcp_socket(side)).step(side, "socket")
            }
            None => LabSocket::new(&self.rec, side).step(side, "socket"),
        }
    }

    /// A note on the timeline: what the reader should look for next.
    pub fn note(&self, text: impl Into<String>) {
        self.rec.note(text);
    }

    /// `socket()`, options, `bind((host, port))`, `listen(backlog)`: the lecture's server
    /// set-up. Options that accepted sockets inherit (SO_RCVBUF) must come before `listen`.
    pub fn listener(&self, backlog: i32, opts: &[SockOpt]) -> Result<LabSocket, ScenarioError> {
        let side = Side::Listener;
        let mut l = self.socket(side)?;
        if self.reuse_addr {
            l.setsockopt(SockOpt::ReuseAddr(true))
                .step(side, "setsockopt")?;
        }
        for opt in opts {
            l.setsockopt(*opt).step(side, "setsockopt")?;
        }
        l.bind(self.server).step(side, "bind")?;
        l.listen(backlog).step(side, "listen")?;
        Ok(l)
    }

    /// A connected client socket, options applied before `connect` (as SO_RCVBUF requires).
    pub fn client(&self, opts: &[SockOpt]) -> Result<LabSocket, ScenarioError> {
        let side = Side::Client;
        let mut c = self.socket(side)?;
        for opt in opts {
            c.setsockopt(*opt).step(side, "setsockopt")?;
        }
        c.connect(self.server).step(side, "connect")?;
        Ok(c)
    }
}

/// Run `server` and `client` on their own threads and wait for both.
pub fn run_pair<S, C>(server: S, client: C) -> Result<(), ScenarioError>
where
    S: FnOnce() -> Result<(), ScenarioError> + Send,
    C: FnOnce() -> Result<(), ScenarioError> + Send,
{
    thread::scope(|scope| {
        let s = scope.spawn(server);
        let c = scope.spawn(client);
        let c = c.join().map_err(|_| ScenarioError::Panicked("client"))?;
        let s = s.join().map_err(|_| ScenarioError::Panicked("server"))?;
        c.and(s)
    })
}

/// Read until `b''` (the peer's FIN), returning everything read.
pub fn recv_to_eof(
    sock: &mut LabSocket,
    bufsize: usize,
    side: Side,
) -> Result<Vec<u8>, ScenarioError> {
    let mut all = Vec::new();
    loop {
        let chunk = sock.recv(bufsize).step(side, "recv")?;
        if chunk.is_empty() {
            return Ok(all);
        }
        all.extend_from_slice(&chunk);
    }
}

/// Read exactly `n` bytes (or to `b''`), in `bufsize` pieces.
pub fn recv_exact(
    sock: &mut LabSocket,
    n: usize,
    bufsize: usize,
    side: Side,
) -> Result<Vec<u8>, ScenarioError> {
    let mut all = Vec::new();
    while all.len() < n {
        let chunk = sock.recv(bufsize.min(n - all.len())).step(side, "recv")?;
        if chunk.is_empty() {
            break;
        }
        all.extend_from_slice(&chunk);
    }
    Ok(all)
}

pub fn pause(ms: u64) {
    thread::sleep(Duration::from_millis(ms));
}

/// `len` bytes of printable ASCII, so a hex or text view of any piece is easy to place.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}
