//! Real peers: `sockviz server` is the lecture's echo server for clients sockviz did not write
//! (the lecture's Python client, `nc`), and `sockviz client` talks to any echo server. Both
//! capture on the host (`any` interface, filtered to the port), which needs capture rights;
//! without them the calls and probes are still shown and the capture is reported unavailable.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4, ToSocketAddrs};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::capture::live::LiveCapture;
use crate::timeline::{Side, SourceEvent, Timeline};

use super::probe::{self, Recorder, Sampler};
use super::scenario::{ScenarioError, Step};
use super::socket::{LabSocket, SockOpt};
use super::{CaptureStatus, LECTURE_BUFSIZE, LECTURE_MESSAGE, LabSummary};
use crate::export::headless;

/// Why a peer could not run.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("{}", crate::tr!("lab.peer.resolve", host = .host, detail = .detail))]
    Resolve { host: String, detail: String },
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{}", crate::tr!("lab.peer.thread", error = .0))]
    Thread(std::io::Error),
    #[error("{}", crate::tr!("lab.peer.output", error = .0))]
    Output(#[from] std::io::Error),
}

/// How a peer prints.
#[derive(Debug, Clone, Copy)]
pub struct PeerOutput {
    pub json: bool,
}

/// Prints the timeline in pieces as the peer goes (a server runs until stopped).
struct Printer {
    rx: mpsc::Receiver<SourceEvent>,
    timeline: Timeline,
    printed: usize,
    out: PeerOutput,
    transcript: headless::Transcript,
}

impl Printer {
    fn new(
        rx: mpsc::Receiver<SourceEvent>,
        origin: crate::capture::Timestamp,
        out: PeerOutput,
    ) -> Self {
        Printer {
            rx,
            timeline: Timeline::new(origin),
            printed: 0,
            out,
            transcript: headless::Transcript::default(),
        }
    }

    fn header(&self, summary: &LabSummary) -> std::io::Result<()> {
        if self.out.json {
            return Ok(());
        }
        let mut stdout = std::io::stdout().lock();
        self.transcript.header(&mut stdout, summary)?;
        stdout.flush()
    }

    /// Print what arrived since the last call. Events that land before the printed part (a
    /// late frame with an earlier stamp) are placed by time in the timeline but not re-printed.
    fn flush(&mut self) -> std::io::Result<()> {
        std::thread::sleep(Duration::from_millis(50));
        for ev in self.rx.try_iter() {
            self.timeline.push(ev);
        }
        self.timeline.settle();
        let map = self.timeline.byte_map();
        let stdout = std::io::stdout().lock();
        let events = self.timeline.events();
        let new = &events[self.printed.min(events.len())..];
        // What the peer sent is shown, never obeyed by the terminal (`crate::text`).
        if self.out.json {
            let mut stdout = crate::text::Visible::json(stdout);
            for (k, ev) in new.iter().enumerate() {
                let i = self.printed + k;
                writeln!(
                    stdout,
                    "{}",
                    headless::event_json(&self.timeline, &map, i, ev)
                )?;
            }
            stdout.flush()?;
        } else {
            let mut stdout = crate::text::Visible::text(stdout);
            self.transcript.rows(&mut stdout, &self.timeline, new)?;
            stdout.flush()?;
        }
        self.printed = events.len();
        Ok(())
    }

    fn finish(&mut self, summary: &LabSummary) -> std::io::Result<()> {
        self.flush()?;
        let mut stdout = std::io::stdout().lock();
        if self.out.json {
            writeln!(
                stdout,
                "{}",
                headless::summary_json(&self.timeline, summary)
            )?;
        } else {
            self.transcript
                .footer(&mut stdout, &self.timeline, summary)?;
        }
        stdout.flush()
    }
}

fn start_capture(
    port: u16,
    host: Option<Ipv4Addr>,
    tx: &mpsc::Sender<SourceEvent>,
) -> (Option<LiveCapture>, CaptureStatus) {
    let filter = match host {
        Some(h) => format!("tcp port {port} and host {h}"),
        None => format!("tcp port {port}"),
    };
    let opened = LiveCapture::open("any", &filter, 65535);
    // Open (or refused): nothing below needs a capability. Dropped before the capture's thread
    // starts, so no thread keeps any (capabilities are per thread).
    if let Err(e) = crate::privilege::drop_capabilities(crate::privilege::Keep::NOTHING) {
        eprintln!(
            "sockviz: {}",
            crate::tr!("lab.setup.capabilities", error = e)
        );
    }
    match opened.and_then(|o| o.start(tx.clone())) {
        Ok(c) => (Some(c), CaptureStatus::Host),
        Err(e) => (
            None,
            CaptureStatus::Unavailable(format!("{e}; {}", super::capture_fix())),
        ),
    }
}

/// Who can reach a server listening on `addr`, for the line printed when it starts.
pub fn reach(addr: Ipv4Addr) -> &'static str {
    if addr.is_loopback() {
        crate::i18n::t("lab.peer.reach_loopback")
    } else if addr.is_unspecified() {
        crate::i18n::t("lab.peer.reach_any")
    } else {
        crate::i18n::t("lab.peer.reach_address")
    }
}

/// `sockviz server`: the lecture's iterative echo server on `bind:port` (loopback unless the
/// user exposes it).
pub fn serve(
    bind: Ipv4Addr,
    port: u16,
    connections: Option<u64>,
    out: PeerOutput,
) -> Result<(), PeerError> {
    let origin = probe::now();
    let (tx, rx) = mpsc::channel();
    let rec = Recorder::new(tx.clone());
    let server = SocketAddrV4::new(bind, port);
    // Bound before the capture opens, so a low port's privilege is given up with the others
    // (no traffic can reach a socket that is not listening yet).
    let mut listener = LabSocket::new(&rec, Side::Listener).step(Side::Listener, "socket")?;
    listener
        .setsockopt(SockOpt::ReuseAddr(true))
        .step(Side::Listener, "setsockopt")?;
    listener.bind(server).step(Side::Listener, "bind")?;
    let (capture, status) = start_capture(port, None, &tx);
    if let CaptureStatus::Unavailable(reason) = &status {
        eprintln!(
            "sockviz: {}",
            crate::tr!("lab.peer.no_capture", reason = reason)
        );
    }
    let sampler = Sampler::start(Arc::clone(&rec)).map_err(PeerError::Thread)?;
    let summary = LabSummary {
        started: origin,
        scenario: "server",
        capture: status,
        server,
        mtu: None,
        failure: None,
        dropped: 0,
    };
    let mut printer = Printer::new(rx, origin, out);
    printer.header(&summary)?;
    listener.listen(5).step(Side::Listener, "listen")?;
    eprintln!(
        "sockviz: {}",
        crate::tr!(
            "lab.peer.listening",
            addr = server,
            reach = reach(*server.ip())
        )
    );
    let mut served = 0u64;
    while connections.is_none_or(|n| served < n) {
        let mut conn = listener.accept().step(Side::Listener, "accept")?;
        loop {
            match conn.recv(LECTURE_BUFSIZE) {
                Ok(data) if data.is_empty() => break,
                Ok(data) => {
                    if conn.sendall(&data).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        conn.close();
        served += 1;
        printer.flush()?;
    }
    listener.close();
    sampler.stop();
    if let Some(c) = capture {
        c.stop();
    }
    drop(rec);
    drop(tx);
    printer.finish(&summary)?;
    Ok(())
}

/// `sockviz client HOST PORT`: the lecture's client: connect, send the message, recv(1024),
/// close.
pub fn client(
    host: &str,
    port: u16,
    message: Option<&str>,
    out: PeerOutput,
) -> Result<(), PeerError> {
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| PeerError::Resolve {
            host: host.into(),
            detail: e.to_string(),
        })?
        .find_map(|a| match a {
            std::net::SocketAddr::V4(v4) => Some(v4),
            std::net::SocketAddr::V6(_) => None,
        })
        .ok_or_else(|| PeerError::Resolve {
            host: host.into(),
            detail: crate::tr!("lab.peer.no_ipv4"),
        })?;
    let origin = probe::now();
    let (tx, rx) = mpsc::channel();
    let rec = Recorder::new(tx.clone());
    let (capture, status) = start_capture(port, Some(*addr.ip()), &tx);
    if let CaptureStatus::Unavailable(reason) = &status {
        eprintln!(
            "sockviz: {}",
            crate::tr!("lab.peer.no_capture", reason = reason)
        );
    }
    let sampler = Sampler::start(Arc::clone(&rec)).map_err(PeerError::Thread)?;
    let msg = message.unwrap_or(LECTURE_MESSAGE);
    let result = (|| -> Result<(), ScenarioError> {
        let side = Side::Client;
        let mut s = LabSocket::new(&rec, side).step(side, "socket")?;
        s.connect(addr).step(side, "connect")?;
        s.send(msg.as_bytes()).step(side, "send")?;
        let reply = s.recv(LECTURE_BUFSIZE).step(side, "recv")?;
        if let Ok(text) = std::str::from_utf8(&reply) {
            // The peer's bytes are shown, never obeyed by the terminal.
            eprintln!(
                "sockviz: {}",
                crate::tr!("lab.peer.reply", text = crate::text::visible(text))
            );
        }
        s.close();
        Ok(())
    })();
    std::thread::sleep(Duration::from_millis(100));
    sampler.stop();
    if let Some(c) = capture {
        c.stop();
    }
    let summary = LabSummary {
        started: origin,
        scenario: "client",
        capture: status,
        server: addr,
        mtu: None,
        failure: result.as_ref().err().map(|e| e.to_string()),
        dropped: 0,
    };
    drop(rec);
    drop(tx);
    let mut printer = Printer::new(rx, origin, out);
    printer.header(&summary)?;
    printer.finish(&summary)?;
    result.map_err(PeerError::from)
}
