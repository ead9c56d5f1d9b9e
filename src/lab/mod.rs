//! The live lab: real sockets making the lecture's calls, probed and captured.
//!
//! Order of events, as LAB.md requires: `main` calls [`prepare`] (the namespace `unshare`)
//! before any thread exists; [`run`] then configures `lo`, opens the capture, starts the prober
//! and plays a [`scenario`] whose client and server run on their own threads, so a blocking call
//! blocks only its side, visibly. Everything lands on one [`Timeline`].

pub mod capture_order;
pub mod interactive;
pub mod link;
pub mod netns;
pub mod peer;
pub mod probe;
pub mod run;
pub mod scenario;
pub mod series;
mod setup;
pub mod socket;
pub mod sockopt;
pub mod sys;

use std::fmt;
use std::net::SocketAddrV4;
use std::sync::mpsc;
use std::time::Duration;

use crate::capture::Timestamp;
use crate::timeline::{SourceEvent, Timeline};

pub use netns::{NamespaceKind, NetnsError, capture_fix};
pub use scenario::{Scenario, ScenarioCtx, ScenarioError};

/// The lecture's echo port (RFC 862).
pub const ECHO_PORT: u16 = 7;
/// The lecture's message: 20 bytes of UTF-8.
pub const LECTURE_MESSAGE: &str = "Hello, 대한민국!";
/// The lecture's `recv(1024)`.
pub const LECTURE_BUFSIZE: usize = 1024;
/// Ethernet's MTU, so loopback segments look like a real network's (LAB.md).
pub const DEFAULT_MTU: u32 = 1500;

/// How the lab was asked to run.
#[derive(Debug, Clone)]
pub struct LabConfig {
    pub scenario: String,
    pub mtu: u32,
    /// Use the host's `lo` (capture needs privileges) instead of a private namespace.
    pub host_loopback: bool,
    /// Server port; `None` for the lecture's 7 (7007 on the host loopback without root, where
    /// ports below 1024 are privileged).
    pub port: Option<u16>,
    /// Run on two hosts joined by this link (`--link`); `None` for one host's loopback, unless
    /// the scenario needs a link (then it brings its own).
    pub link: Option<link::LinkSpec>,
}

impl Default for LabConfig {
    fn default() -> Self {
        LabConfig {
            scenario: "echo".into(),
            mtu: DEFAULT_MTU,
            host_loopback: false,
            port: None,
            link: None,
        }
    }
}

/// Where the lab's sockets live, decided before any thread starts.
#[derive(Debug)]
pub enum Prepared {
    Namespace(NamespaceKind),
    /// `--host-loopback` was asked for.
    HostRequested,
    /// The namespace could not be made: run on the host loopback.
    NamespaceFailed(NetnsError),
}

/// Enter the private namespace unless the host loopback was asked for.
///
/// Must run while the process has a single thread (LAB.md: `unshare(CLONE_NEWUSER)` is
/// `EINVAL` otherwise), so `main` calls it right after parsing the command line.
pub fn prepare(cfg: &LabConfig) -> Prepared {
    if cfg.host_loopback {
        return Prepared::HostRequested;
    }
    let entered = if link_of(cfg).is_some() {
        netns::enter_user_namespace()
    } else {
        netns::enter_private_namespace()
    };
    match entered {
        Ok(kind) => Prepared::Namespace(kind),
        Err(e) => Prepared::NamespaceFailed(e),
    }
}

/// The link a run uses: `--link`, else the scenario's own, else none (one host's loopback).
pub fn link_of(cfg: &LabConfig) -> Option<link::LinkSpec> {
    cfg.link
        .or_else(|| scenario::find(&cfg.scenario).and_then(|s| s.link))
}

/// What the capture ended up being; printed in the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureStatus {
    /// On `lo` in the lab's private namespace: only the lab's traffic exists there.
    Namespace,
    /// On the host's `lo`, filtered to the lab's port.
    Host,
    Unavailable(String),
}

impl fmt::Display for CaptureStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureStatus::Namespace => f.write_str("namespace"),
            CaptureStatus::Host => f.write_str("host"),
            CaptureStatus::Unavailable(reason) => write!(f, "unavailable: {reason}"),
        }
    }
}

impl CaptureStatus {
    /// Where the capture ran, in the reader's language (the transcript's header and footer);
    /// `Display` is the JSON's and the recording's fixed word.
    pub fn describe(&self) -> String {
        match self {
            CaptureStatus::Namespace => crate::i18n::t("out.capture.namespace").to_string(),
            CaptureStatus::Host => crate::i18n::t("out.capture.host").to_string(),
            CaptureStatus::Unavailable(reason) => {
                crate::tr!("out.capture.unavailable", reason = reason)
            }
        }
    }
}

/// Why the lab could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("{}", crate::tr!("lab.err.unknown_scenario", name = .0))]
    UnknownScenario(String),
    #[error("{}", crate::tr!("lab.err.probe_thread", error = .0))]
    Thread(std::io::Error),
    #[error(transparent)]
    Link(#[from] link::LinkError),
}

/// The outcome of one lab run, besides its timeline.
#[derive(Debug, Clone)]
pub struct LabSummary {
    /// When the scenario's first call was about to be made: the timeline's `t = 0`.
    pub started: Timestamp,
    pub scenario: &'static str,
    pub capture: CaptureStatus,
    pub server: SocketAddrV4,
    pub mtu: Option<u32>,
    /// The scenario's own failure, if it stopped early (its calls so far are still recorded).
    pub failure: Option<String>,
    pub dropped: u32,
}

/// Run `cfg.scenario`, sending every event to `tx` as it happens (a live view drains the
/// receiving end while this runs on its own thread). `origin` is a lower bound for the
/// scenario's start time (`LabSummary::started`), which is the timeline's `t = 0`.
pub fn run_live(
    cfg: &LabConfig,
    prepared: &Prepared,
    origin: Timestamp,
    tx: mpsc::Sender<SourceEvent>,
) -> Result<LabSummary, LabError> {
    let scenario = scenario::find(&cfg.scenario)
        .ok_or_else(|| LabError::UnknownScenario(cfg.scenario.clone()))?;
    let rec = probe::Recorder::new(tx.clone());
    // Set-up notes wait until the scenario starts, so the timeline opens with them at t = 0.
    let mut early_notes = Vec::new();
    let mut note = |text: String| early_notes.push(text);

    let (wire, topology) = match link_of(cfg) {
        Some(spec) => {
            let (wire, topo) = link::start_wire(cfg, spec, prepared, tx.clone(), &mut note)?;
            (wire, Some(std::sync::Arc::new(topo)))
        }
        None => (
            setup::start_wire(cfg, prepared, tx.clone(), &mut note),
            None,
        ),
    };
    let setup::LabWire {
        server,
        live,
        capture,
        mtu,
    } = wire;
    let in_namespace = matches!(prepared, Prepared::Namespace(_));

    let started = probe::now().max(origin);
    // The first event, always at `started`: a live view may take it as its t = 0.
    let _ = tx.send(SourceEvent::Note {
        at: started,
        text: opening_note(scenario),
    });
    for text in early_notes {
        let _ = tx.send(SourceEvent::Note { at: started, text });
    }
    let sampler = probe::Sampler::start(std::sync::Arc::clone(&rec)).map_err(LabError::Thread)?;
    let mut ctx = ScenarioCtx::new(std::sync::Arc::clone(&rec), server, !in_namespace);
    if let Some(topo) = &topology {
        ctx = ctx.on_hosts(std::sync::Arc::clone(topo));
    }
    let failure = run_with_deadline(scenario, &ctx, &rec);
    if let Some(f) = &failure {
        rec.note(crate::tr!("lab.stopped_early", failure = f));
    }
    // Let the last FIN/ACK exchange reach the capture and the prober see the final states
    // (over a link, the last frame is one delay away).
    let in_flight = topology.as_ref().map_or(Duration::ZERO, |t| t.spec.delay);
    std::thread::sleep(Duration::from_millis(60) + in_flight);
    sampler.stop();
    drop(ctx);
    let mut dropped = 0;
    if let Some((stats, server_capture)) = topology
        .and_then(std::sync::Arc::into_inner)
        .map(|mut t| t.stop())
    {
        rec.note(crate::tr!(
            "lab.link.carried",
            frames = stats.forwarded,
            lost = stats.lost,
            dropped = stats.queue_drops
        ));
        dropped += server_capture.map_or(0, |c| c.dropped);
    }
    if let Some(live) = live {
        let stats = live.stop();
        dropped += stats.dropped;
        if let Some(err) = stats.error {
            rec.note(crate::tr!("lab.capture_stopped", error = err));
        }
    }
    Ok(LabSummary {
        started,
        scenario: scenario.name,
        capture,
        server,
        mtu,
        failure,
        dropped,
    })
}

/// The timeline's first note: which scenario, and what it shows.
pub fn opening_note(scenario: &Scenario) -> String {
    crate::tr!(
        "lab.opening",
        name = scenario.name,
        summary = scenario.summary()
    )
}

/// Longer than any scenario needs (backlog, the slowest, takes about 1.2 s).
pub const SCENARIO_DEADLINE: Duration = Duration::from_secs(20);

/// Run the scenario; if it outlives [`SCENARIO_DEADLINE`] (a peer failed and the other waits
/// forever), shut its sockets down so the blocked calls return and the lab can report it.
fn run_with_deadline(
    scenario: &Scenario,
    ctx: &ScenarioCtx,
    rec: &probe::Recorder,
) -> Option<String> {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(SCENARIO_DEADLINE) {
                rec.note(crate::tr!(
                    "lab.deadline",
                    secs = SCENARIO_DEADLINE.as_secs()
                ));
                rec.shutdown_all();
            }
        });
        let result = (scenario.run)(ctx).err().map(|e| e.to_string());
        // A closed channel ends the watchdog at once (recv_timeout sees Disconnected).
        drop(done_tx);
        result
    })
}

/// A lab running on its own thread: its events arrive on `events` as they happen (the first is
/// a note stamped with the scenario's start, the timeline's `t = 0`); frames arrive in capture
/// order, so feeding them to [`Timeline::push`] in arrival order keeps the tracker's contract.
pub struct LiveLab {
    pub events: mpsc::Receiver<SourceEvent>,
    handle: std::thread::JoinHandle<Result<LabSummary, LabError>>,
}

impl LiveLab {
    /// Wait for the scenario to end (the channel closes then, too).
    pub fn join(self) -> Result<LabSummary, LabError> {
        self.handle.join().unwrap_or_else(|_| {
            Err(LabError::Thread(std::io::Error::other(crate::i18n::t(
                "lab.err.lab_thread",
            ))))
        })
    }
}

/// Start `cfg.scenario` on a thread of its own. `prepared` must come from [`prepare`], called
/// before the process had any thread.
pub fn spawn(cfg: LabConfig, prepared: Prepared) -> Result<LiveLab, LabError> {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("lab".into())
        .spawn(move || run_live(&cfg, &prepared, probe::now(), tx))
        .map_err(LabError::Thread)?;
    Ok(LiveLab { events: rx, handle })
}

/// Run the scenario to the end and return the settled timeline.
pub fn run(cfg: &LabConfig, prepared: &Prepared) -> Result<(Timeline, LabSummary), LabError> {
    let origin = probe::now();
    let (tx, rx) = mpsc::channel();
    let summary = run_live(cfg, prepared, origin, tx)?;
    let mut timeline = Timeline::new(summary.started);
    for ev in capture_order::in_capture_time(rx.try_iter().collect()) {
        timeline.push(ev);
    }
    timeline.settle();
    Ok((timeline, summary))
}

#[cfg(test)]
mod call_start_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::EventKind;

    /// The incremental path a live view uses: events stream in while the lab runs. (On the host
    /// loopback: a test harness has threads, so it cannot enter a namespace.)
    #[test]
    fn a_spawned_lab_streams_its_events() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let cfg = LabConfig {
            scenario: "refused".into(),
            host_loopback: true,
            port: Some(port),
            ..LabConfig::default()
        };
        let lab = spawn(cfg, Prepared::HostRequested).expect("spawn");
        let mut timeline = None;
        let mut refused = false;
        for ev in lab.events.iter() {
            if let SourceEvent::Call(c) = &ev {
                refused |= matches!(c.call, crate::timeline::Call::Connect { .. })
                    && c.errno.is_some_and(|e| e.code == libc::ECONNREFUSED);
            }
            let tl = timeline.get_or_insert_with(|| match &ev {
                SourceEvent::Note { at, .. } => Timeline::new(*at),
                other => panic!("the first event is the opening note, not {other:?}"),
            });
            tl.push(ev);
        }
        let summary = lab.join().expect("the lab ran");
        assert!(refused, "connect() failed with ECONNREFUSED");
        assert_eq!(summary.scenario, "refused");
        let tl = timeline.expect("events arrived");
        assert!(tl.events().iter().any(
            |e| matches!(&e.kind, EventKind::Call(c) if c.call == crate::timeline::Call::Close)
        ));
    }
}
