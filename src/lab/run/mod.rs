//! `sockviz run -- CMD`: a student's program inside the lab's private namespace (loopback with
//! the lab's MTU and TSO settings, captured as for the lab), its socket calls traced
//! ([`crate::trace`]), its sockets probed, beside the lab's echo server or the lab's client.

pub mod peers;
pub mod ports;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crate::capture::Timestamp;
use crate::timeline::{SourceEvent, Timeline};
use crate::trace::{self, Streams, TraceReport};

use super::probe::{self, Recorder};
use super::{ECHO_PORT, LabConfig, LabSummary, Prepared, setup};

/// Where the program's output goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// The terminal (a transcript is printed after the program ends).
    Terminal,
    /// stdout onto stderr: sockviz's stdout carries JSON lines.
    Stderr,
    /// A file shown after the screen closes.
    File(PathBuf),
}

/// How `sockviz run` was asked to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// One argv per program (`a ::: b` runs both).
    pub programs: Vec<Vec<String>>,
    pub mtu: u32,
    /// The lecture's echo port unless `--port`.
    pub port: u16,
    /// The lab's echo server listens on 127.0.0.1:port (off with `--no-server`).
    pub server: bool,
    /// The lab's client connects once the program listens on the port (`--client`).
    pub client: bool,
    pub output: Output,
    /// Trace the calls (off only to compare speed, `--no-trace`).
    pub trace: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            programs: Vec::new(),
            mtu: super::DEFAULT_MTU,
            port: ECHO_PORT,
            server: true,
            client: false,
            output: Output::Terminal,
            trace: true,
        }
    }
}

/// Why `sockviz run` could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Spawn(#[from] trace::SpawnError),
    #[error("{}", crate::tr!("lab.run.err.threads", error = .0))]
    Thread(std::io::Error),
    #[error("{}", crate::tr!("lab.run.err.output", path = .path.display(), error = .source))]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A finished run: the lab's summary (for the writers) and the programs' exits.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub lab: LabSummary,
    pub trace: TraceReport,
    /// Programs the lab stopped itself (a server still serving after `--client` was done).
    pub stopped: Vec<i32>,
}

impl RunSummary {
    /// sockviz's own exit status: the first program's that failed (0 when all succeeded).
    pub fn exit_status(&self) -> i32 {
        self.trace
            .exits
            .iter()
            .filter(|e| !self.stopped.contains(&e.pid))
            .map(|e| e.status.shell_status())
            .find(|s| *s != 0)
            .unwrap_or(0)
    }
}

fn streams(output: &Output) -> Result<Streams, RunError> {
    Ok(match output {
        Output::Terminal => Streams::Inherit,
        Output::Stderr => Streams::StdoutToStderr,
        Output::File(path) => {
            let file = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .map_err(|source| RunError::Output {
                    path: path.clone(),
                    source,
                })?;
            Streams::File(file.into())
        }
    })
}

/// Run the programs to their end, sending every event to `tx` as it happens.
pub fn run_live(
    cfg: &RunConfig,
    prepared: &Prepared,
    origin: Timestamp,
    tx: mpsc::Sender<SourceEvent>,
) -> Result<RunSummary, RunError> {
    let lab_cfg = LabConfig {
        scenario: "run".into(),
        mtu: cfg.mtu,
        host_loopback: false,
        port: Some(cfg.port),
        link: None,
    };
    let mut early = Vec::new();
    let wire = setup::start_wire(&lab_cfg, prepared, tx.clone(), |t| early.push(t));
    let started = probe::now().max(origin);
    let names: Vec<String> = cfg.programs.iter().map(|p| trace::shown(p)).collect();
    let _ = tx.send(SourceEvent::Note {
        at: started,
        text: format!("sockviz run: {}", names.join(" ::: ")),
    });
    for text in early {
        let _ = tx.send(SourceEvent::Note { at: started, text });
    }
    let rec = Recorder::new(tx.clone());
    let sampler = probe::Sampler::start(Arc::clone(&rec)).map_err(RunError::Thread)?;
    let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, cfg.port);
    let server = if cfg.server && !cfg.client {
        match peers::EchoServer::start(&rec, addr) {
            Ok(s) => {
                rec.note(crate::tr!("lab.run.server_listens", addr = addr));
                Some(s)
            }
            Err(e) => {
                rec.note(crate::tr!("lab.run.server_failed", addr = addr, error = e));
                None
            }
        }
    } else {
        None
    };
    let pids: trace::Pids = Arc::new(Mutex::new(Vec::new()));
    let stopped: trace::Pids = Arc::new(Mutex::new(Vec::new()));
    let client = cfg.client.then(|| {
        let rec = Arc::clone(&rec);
        let pids = Arc::clone(&pids);
        let stopped = Arc::clone(&stopped);
        let port = cfg.port;
        std::thread::spawn(move || {
            let r = peers::lecture_client(
                &rec,
                addr,
                || ports::listening().contains(&port),
                Duration::from_secs(10),
            );
            if let Err(e) = &r {
                rec.note(e.clone());
            }
            // The lab's client is done: a server that serves forever is stopped.
            std::thread::sleep(Duration::from_millis(500));
            let killed = stop_programs(&rec, &pids);
            if let Ok(mut s) = stopped.lock() {
                s.extend(killed);
            }
            r
        })
    });
    let baseline = ports::listening();
    let output = cfg.output.clone();
    let traced = trace::run(
        &cfg.programs,
        || streams(&output).unwrap_or(Streams::Inherit),
        cfg.trace,
        Arc::clone(&rec),
        &pids,
        || ports::listening().difference(&baseline).next().is_some(),
    );
    if let Some(c) = client {
        let _ = c.join();
    }
    if let Some(s) = server {
        s.stop(&rec, Duration::from_millis(500));
    }
    // Let the last FIN/ACK exchange reach the capture and the prober see the final states.
    std::thread::sleep(Duration::from_millis(60));
    sampler.stop();
    let mut dropped = 0;
    if let Some(live) = wire.live {
        let stats = live.stop();
        dropped = stats.dropped;
        if let Some(err) = stats.error {
            rec.note(crate::tr!("lab.capture_stopped", error = err));
        }
    }
    let report = traced?;
    Ok(RunSummary {
        lab: LabSummary {
            started,
            scenario: "run",
            capture: wire.capture,
            server: addr,
            mtu: wire.mtu,
            failure: None,
            dropped,
        },
        trace: report,
        stopped: stopped.lock().map(|s| s.clone()).unwrap_or_default(),
    })
}

fn stop_programs(rec: &Recorder, pids: &trace::Pids) -> Vec<i32> {
    let running: Vec<i32> = pids.lock().map(|p| p.clone()).unwrap_or_default();
    for &pid in &running {
        rec.note(crate::tr!("lab.run.sigterm", pid = pid));
        // SAFETY: kill with integer arguments; the pid is our own child, not yet reaped.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    running
}

/// Run to the end and return the settled timeline.
pub fn run(cfg: &RunConfig, prepared: &Prepared) -> Result<(Timeline, RunSummary), RunError> {
    let origin = probe::now();
    let (tx, rx) = mpsc::channel();
    let summary = run_live(cfg, prepared, origin, tx)?;
    let mut timeline = Timeline::new(summary.lab.started);
    for ev in rx.try_iter() {
        timeline.push(ev);
    }
    timeline.settle();
    Ok((timeline, summary))
}
