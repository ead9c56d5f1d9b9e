//! The wire under a lab run: the loopback's MTU and offloads, the echo port, the live capture.
//!
//! Shared by the scripted scenarios ([`super::run_live`]) and the interactive session, so both
//! choose the port, the filter and the snaplen alike and explain a missing capture alike.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::mpsc;

use crate::capture::live::LiveCapture;
use crate::timeline::SourceEvent;

use super::{CAPTURE_FIX, CaptureStatus, ECHO_PORT, LabConfig, Prepared, netns};

/// What a lab run captures on, and where its echo server listens.
pub(super) struct LabWire {
    pub server: SocketAddrV4,
    /// `None` when capture is unavailable; `capture` then says why and how to fix it.
    pub live: Option<LiveCapture>,
    pub capture: CaptureStatus,
    /// The loopback MTU the lab set, when it could set one (only in its own namespace).
    pub mtu: Option<u32>,
}

/// Configure the loopback and start the capture. Problems that leave the lab usable are
/// passed to `note` (the caller decides when they reach the timeline), never raised.
pub(super) fn start_wire(
    cfg: &LabConfig,
    prepared: &Prepared,
    tx: mpsc::Sender<SourceEvent>,
    mut note: impl FnMut(String),
) -> LabWire {
    let in_namespace = matches!(prepared, Prepared::Namespace(_));
    let mut mtu = None;
    match prepared {
        Prepared::Namespace(_) => match netns::configure_loopback(cfg.mtu) {
            Ok(()) => mtu = Some(cfg.mtu),
            Err(e) => note(format!("{e}; segments may be larger than the MSS")),
        },
        Prepared::NamespaceFailed(e) => note(format!("{e}; running on the host loopback instead")),
        Prepared::HostRequested => {}
    }
    // Port 7 needs no privilege inside the lab's own namespace; on the host it needs root.
    let port = cfg
        .port
        .unwrap_or(if in_namespace || netns::geteuid() == 0 {
            ECHO_PORT
        } else {
            7007
        });
    let server = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    let filter = if in_namespace {
        // Only the lab's own traffic exists on this loopback.
        "tcp".to_string()
    } else {
        note(format!(
            "on the host loopback: the kernel may hand lo super-segments bigger than the MTU \
             (TSO), and port {port} must be free"
        ));
        format!("tcp port {port}")
    };
    // Room for a full frame at the lab's MTU (a 65535 snaplen shrinks libpcap's ring and drops
    // segments, see capture/live.rs); the host's lo (MTU 65536, TSO) needs the maximum.
    let snaplen = if in_namespace { cfg.mtu + 128 } else { 65535 };
    match LiveCapture::start("lo", &filter, snaplen, tx) {
        Ok(live) => LabWire {
            server,
            live: Some(live),
            capture: if in_namespace {
                CaptureStatus::Namespace
            } else {
                CaptureStatus::Host
            },
            mtu,
        },
        Err(e) => {
            let reason = match prepared {
                Prepared::Namespace(_) => e.to_string(),
                Prepared::HostRequested => format!(
                    "{e}; run without --host-loopback (the lab's private namespace needs no \
                     privileges), or give sockviz capture rights: \
                     `sudo setcap cap_net_raw,cap_net_admin=eip $(which sockviz)`"
                ),
                Prepared::NamespaceFailed(ns) => format!("{ns}; {e}; {CAPTURE_FIX}"),
            };
            LabWire {
                server,
                live: None,
                capture: CaptureStatus::Unavailable(reason),
                mtu,
            }
        }
    }
}
