//! The wire under a lab run: the loopback's MTU and offloads, the echo port, the live capture.
//!
//! Shared by the scripted scenarios ([`super::run_live`]) and the interactive session, so both
//! choose the port, the filter and the snaplen alike and explain a missing capture alike.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::mpsc;

use crate::capture::live::LiveCapture;
use crate::privilege::{self, Keep};
use crate::timeline::SourceEvent;

use super::{CaptureStatus, ECHO_PORT, LabConfig, Prepared, capture_fix, netns};

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
            Err(e) => note(crate::tr!("lab.setup.no_mtu", error = e)),
        },
        Prepared::NamespaceFailed(e) => note(crate::tr!("lab.setup.host_instead", error = e)),
        Prepared::HostRequested => {}
    }
    // Port 7 needs no privilege inside the lab's own namespace; on the host it needs root.
    let lecture_port = if in_namespace || netns::geteuid() == 0 {
        ECHO_PORT
    } else {
        7007
    };
    let port = match cfg.port {
        Some(port) => port,
        // The namespace is the lab's own; the host's loopback is shared (another lab, a
        // `sockviz server`): when the lecture's port is taken, any free one will do.
        None if in_namespace => lecture_port,
        None => match free_instead_of(lecture_port) {
            Some(other) => {
                note(crate::tr!(
                    "lab.setup.port_taken",
                    port = lecture_port,
                    other = other
                ));
                other
            }
            None => lecture_port,
        },
    };
    let server = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    let filter = if in_namespace {
        // Only the lab's own traffic exists on this loopback.
        "tcp".to_string()
    } else {
        note(crate::tr!("lab.setup.host_loopback", port = port));
        format!("tcp port {port}")
    };
    // Room for a full frame at the lab's MTU (a 65535 snaplen shrinks libpcap's ring and drops
    // segments, see capture/live.rs); the host's lo (MTU 65536, TSO) needs the maximum.
    let snaplen = if in_namespace { cfg.mtu + 128 } else { 65535 };
    // In the lab's own namespace any port binds without privileges; elsewhere a low port
    // still needs CAP_NET_BIND_SERVICE when the scenario's server binds it.
    let keep = if in_namespace && netns::allow_low_ports().is_ok() {
        Keep::NOTHING
    } else {
        Keep::for_port(port)
    };
    let opened = LiveCapture::open("lo", &filter, snaplen);
    // The capture is open (or cannot be): give up the capabilities before any thread starts,
    // the capture's own included, so none of them holds any (capabilities are per thread).
    if let Err(e) = privilege::drop_capabilities(keep) {
        note(crate::tr!("lab.setup.capabilities", error = e));
    }
    match opened.and_then(|o| o.start(tx)) {
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
                Prepared::HostRequested => crate::tr!("lab.setup.host_capture", error = e),
                Prepared::NamespaceFailed(ns) => crate::tr!(
                    "lab.setup.no_capture",
                    namespace = ns,
                    error = e,
                    fix = capture_fix()
                ),
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

/// When `port` cannot be listened on at 127.0.0.1 (something else listens there), a port that
/// can; `None` when `port` is free (or no other is). A port held only by TIME_WAIT counts as
/// free: the lab's listener sets `SO_REUSEADDR`, as `TcpListener::bind` does.
fn free_instead_of(port: u16) -> Option<u16> {
    use std::net::TcpListener;
    match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .ok()
        }
        // EACCES (port 7 without root) and the like: the scenario reports it.
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_replaced_by_a_free_one() {
        let held = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a port");
        let taken = held.local_addr().expect("addr").port();
        let other = free_instead_of(taken).expect("another port");
        assert_ne!(other, taken);
        assert!(std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, other)).is_ok());
        drop(held);
        assert_eq!(free_instead_of(taken), None, "free again");
    }
}
