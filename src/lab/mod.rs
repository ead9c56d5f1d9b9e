//! The live lab: real sockets making the lecture's calls, probed and captured.
//!
//! Order of events, as LAB.md requires: `main` calls [`prepare`] (the namespace `unshare`)
//! before any thread exists; [`run`] then configures `lo`, opens the capture, starts the prober
//! and plays a [`scenario`] whose client and server run on their own threads, so a blocking call
//! blocks only its side, visibly. Everything lands on one [`Timeline`].

pub mod capture_live;
pub mod headless;
pub mod interactive;
pub mod netns;
pub mod peer;
pub mod probe;
pub mod scenario;
pub mod socket;
pub mod sys;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::mpsc;
use std::time::Duration;

use crate::capture::Timestamp;
use crate::timeline::{SourceEvent, Timeline};

pub use netns::{CAPTURE_FIX, NamespaceKind, NetnsError};
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
}

impl Default for LabConfig {
    fn default() -> Self {
        LabConfig {
            scenario: "echo".into(),
            mtu: DEFAULT_MTU,
            host_loopback: false,
            port: None,
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
    match netns::enter_private_namespace() {
        Ok(kind) => Prepared::Namespace(kind),
        Err(e) => Prepared::NamespaceFailed(e),
    }
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

/// Why the lab could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("unknown scenario `{0}`; `sockviz lab --list` shows the scenarios")]
    UnknownScenario(String),
    #[error("cannot start the lab's probe thread: {0}")]
    Thread(std::io::Error),
}

/// The outcome of one lab run, besides its timeline.
#[derive(Debug, Clone)]
pub struct LabSummary {
    pub scenario: &'static str,
    pub capture: CaptureStatus,
    pub server: SocketAddrV4,
    pub mtu: Option<u32>,
    /// The scenario's own failure, if it stopped early (its calls so far are still recorded).
    pub failure: Option<String>,
    pub dropped: u32,
}

/// Run `cfg.scenario`, sending every event to `tx` as it happens (a live view drains the
/// receiving end while this runs on its own thread).
pub fn run_live(
    cfg: &LabConfig,
    prepared: &Prepared,
    origin: Timestamp,
    tx: mpsc::Sender<SourceEvent>,
) -> Result<LabSummary, LabError> {
    let scenario = scenario::find(&cfg.scenario)
        .ok_or_else(|| LabError::UnknownScenario(cfg.scenario.clone()))?;
    let rec = probe::Recorder::new(tx.clone());
    let note = |text: String| {
        let _ = tx.send(SourceEvent::Note { at: origin, text });
    };

    let mut mtu = None;
    let (device_filter, mut capture) = match prepared {
        Prepared::Namespace(_) => {
            match netns::configure_loopback(cfg.mtu) {
                Ok(()) => mtu = Some(cfg.mtu),
                Err(e) => note(format!("{e}; segments may be larger than the MSS")),
            }
            ("tcp".to_string(), CaptureStatus::Namespace)
        }
        Prepared::HostRequested | Prepared::NamespaceFailed(_) => {
            (String::new(), CaptureStatus::Host)
        }
    };
    if let Prepared::NamespaceFailed(e) = prepared {
        note(format!("{e}; running on the host loopback instead"));
    }
    let in_namespace = matches!(prepared, Prepared::Namespace(_));
    let port = cfg
        .port
        .unwrap_or(if in_namespace || netns::geteuid() == 0 {
            ECHO_PORT
        } else {
            7007
        });
    let server = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    let filter = if in_namespace {
        device_filter
    } else {
        format!("tcp port {port}")
    };
    if !in_namespace {
        note(format!(
            "on the host loopback: the kernel may hand lo super-segments bigger than the MTU \
             (TSO), and port {port} must be free"
        ));
    }

    let live = match capture_live::LiveCapture::start("lo", &filter, tx.clone()) {
        Ok(live) => Some(live),
        Err(e) => {
            let reason = if in_namespace {
                e.to_string()
            } else {
                format!("{e}; {CAPTURE_FIX}")
            };
            capture = CaptureStatus::Unavailable(reason);
            None
        }
    };

    let sampler = probe::Sampler::start(std::sync::Arc::clone(&rec)).map_err(LabError::Thread)?;
    let ctx = ScenarioCtx::new(std::sync::Arc::clone(&rec), server, !in_namespace);
    let failure = (scenario.run)(&ctx).err().map(|e| e.to_string());
    if let Some(f) = &failure {
        rec.note(format!("the scenario stopped early: {f}"));
    }
    // Let the last FIN/ACK exchange reach the capture and the prober see the final states.
    std::thread::sleep(Duration::from_millis(60));
    sampler.stop();
    let mut dropped = 0;
    if let Some(live) = live {
        let stats = live.stop();
        dropped = stats.dropped;
        if let Some(err) = stats.error {
            rec.note(format!("the capture stopped early: {err}"));
        }
    }
    Ok(LabSummary {
        scenario: scenario.name,
        capture,
        server,
        mtu,
        failure,
        dropped,
    })
}

/// Run the scenario to the end and return the settled timeline.
pub fn run(cfg: &LabConfig, prepared: &Prepared) -> Result<(Timeline, LabSummary), LabError> {
    let origin = probe::now();
    let (tx, rx) = mpsc::channel();
    let summary = run_live(cfg, prepared, origin, tx)?;
    let mut timeline = Timeline::new(origin);
    for ev in rx.try_iter() {
        timeline.push(ev);
    }
    timeline.settle();
    Ok((timeline, summary))
}
